"""The image front end: a container image (or an SBOM) as one document, whose subjects are
the :class:`~hardhull.models.image_facts.ImageFacts` the image checks (``rules/image``) read
and the :class:`~hardhull.vulndb.match.MatchReport` of its packages, which the vulnerability
checks (``rules/vuln``) read.

An image has no lines: findings are located by the image reference (the document's path) and
their pointer (``/config/User``, ``/files/etc/passwd``, ``/layers/2/files/…``), and their
messages name the file and the layer. Suppression is by rule code (``--disable``,
``.hardhull.yaml``) or baseline: an image carries no comment or annotation of hardhull's.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardhull.context import ScanFacts, SubjectContext
from hardhull.frontends.interface import Subject
from hardhull.model import Resource
from hardhull.models.image_facts import ImageFacts
from hardhull.registry import Target
from hardhull.vulndb.match import MatchReport

KIND = "Image"


@dataclass
class ImageDocument:
    """One image (or SBOM: ``facts`` None), as the engine locates findings in it."""

    #: the reference as the user gave it (or the SBOM's path)
    path: str
    facts: ImageFacts | None = None
    #: its packages matched against the advisories (None: no database to match against)
    report: MatchReport | None = None
    lines: list[str] | None = None

    @property
    def resource(self) -> Resource:
        names = self.facts.names if self.facts is not None else ()
        return Resource(KIND, names[0] if names else self.path)

    def position(self, pointer: str) -> tuple[int, int]:
        return (0, 0)

    def ignore_codes(self) -> frozenset[str]:
        return frozenset()

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        out: list[Subject] = []
        if self.facts is not None:
            out.append((Target.IMAGE, self.facts, SubjectContext(self.facts, facts)))
        if self.report is not None:
            out.append((Target.PACKAGES, self.report, SubjectContext(self.report, facts)))
        return out
