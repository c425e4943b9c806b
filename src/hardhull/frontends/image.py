"""The image front end: a container image as one document, whose subject is the
:class:`~hardhull.models.image_facts.ImageFacts` the image checks (``rules/image``) read.

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

KIND = "Image"


@dataclass
class ImageDocument:
    """One image, as the engine locates findings in it."""

    facts: ImageFacts
    path: str = ""
    lines: list[str] | None = None

    def __post_init__(self) -> None:
        self.path = self.path or self.facts.ref

    @property
    def resource(self) -> Resource:
        return Resource(KIND, self.facts.ref)

    def position(self, pointer: str) -> tuple[int, int]:
        return (0, 0)

    def ignore_codes(self) -> frozenset[str]:
        return frozenset()

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        return [(Target.IMAGE, self.facts, SubjectContext(self.facts, facts))]
