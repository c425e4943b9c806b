"""The core data model: rules, violations (what a check yields) and findings (what reports show).

A check is a pure function over an object. It yields :class:`Violation` values located by
JSON pointer. The engine turns them into :class:`Finding` values, adding the rule metadata,
the resource and, when the object came from a file, the file, line and column.
"""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hardhull.paths import stable_path

JSONPatch = list[dict[str, Any]]
#: marks the side where a finding's excerpt cuts its line
CUT = "…"


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r}; expected one of " + ", ".join(s.label for s in cls)
            ) from None


@dataclass(frozen=True)
class Rule:
    """Metadata of one check: everything a user needs to understand and fix a finding."""

    code: str
    slug: str
    title: str
    severity: Severity
    category: str
    what: str
    why: str
    fix: str
    example: str = ""
    references: tuple[str, ...] = ()
    pss: str = ""
    cis: str = ""
    nsa: str = ""
    trivy: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    kube_linter: tuple[str, ...] = ()
    hadolint: tuple[str, ...] = ()
    #: the family that wrote the rule (:class:`~hardhull.rulekit.RuleFamily`); the category
    #: when not given
    family: str = ""
    #: the rule reports credentials: the whole-file secret rule (S005) leaves its lines alone
    reports_secrets: bool = False

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.category)


@dataclass(frozen=True, slots=True)
class Violation:
    """What a check yields: a rule code, where in the object, what is wrong, and maybe a fix."""

    code: str
    pointer: str
    message: str
    fix: JSONPatch | None = None
    severity: Severity | None = None  # overrides the rule's default for this instance
    #: the credentials the violation reports (raw text as the object holds it): reports never
    #: show them, excerpts mask them (:func:`hardhull.engine.locate.excerpt`)
    secrets: tuple[str, ...] = ()
    #: for set checks: other objects the finding stands for, as (index in the set, pointer)
    related: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Location:
    path: str  # file path as given (relative to where the scan ran) or "" when not from a file
    line: int = 0  # 1-based; 0 = unknown
    column: int = 0  # 1-based; 0 = unknown
    end_line: int = 0


@dataclass(frozen=True, slots=True)
class Resource:
    kind: str
    name: str
    namespace: str = ""
    api_version: str = ""

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}" if self.name else self.kind


@dataclass(frozen=True, slots=True)
class Related:
    """Another object a finding stands for (a set finding's other workloads): where it is and
    what it is. SARIF ``relatedLocations``, JSON ``related``, the text report's ``also:``."""

    location: Location
    resource: Resource


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    severity: Severity
    message: str
    resource: Resource
    pointer: str
    location: Location
    fix: JSONPatch | None = None
    #: the excerpt of the line reports show: a window around the column, credentials masked,
    #: ``…`` where it cuts the line (:func:`hardhull.engine.locate.excerpt`)
    snippet: str = ""
    fingerprint: str = field(default="")
    #: the 1-based columns of the excerpt's window in the line (end exclusive); 0 if unknown
    snippet_start: int = 0
    snippet_end: int = 0
    #: the other objects the finding stands for (set findings), located like the finding
    related: tuple[Related, ...] = ()

    @property
    def code(self) -> str:
        return self.rule.code


def fingerprint(code: str, path: str, resource: Resource, pointer: str) -> str:
    """A fingerprint that survives moved lines: rule, file, resource identity and field path."""
    key = "\x1f".join(
        (code, stable_path(path), resource.kind, resource.namespace, resource.name, pointer)
    ).encode()
    return hashlib.sha256(key).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Waived:
    """A finding that a suppression took out of the report: ``mechanism`` is ``annotation``,
    ``comment`` or ``baseline``. The gate of an admission policy needs them: the webhook sees
    no line comment, and honours the annotation only where its policy allows it."""

    mechanism: str
    finding: Finding


@dataclass(frozen=True, slots=True)
class InputError:
    """A problem with the input itself (not a finding): syntax error, unreadable file, bomb."""

    path: str
    message: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImageSummary:
    """What ``hardhull image`` read of one image, for the reports (JSON ``images``, SARIF
    ``run.properties.images``, a line of the text report when an index offered more)."""

    ref: str
    #: the platform read ("linux/amd64"), "" when the image does not say
    platform: str
    #: the other platforms of the multi-arch index it was chosen from
    other_platforms: tuple[str, ...] = ()
    manifest_digest: str = ""
    config_digest: str = ""
    layers: int = 0
    #: the operating system from os-release ("debian 12"), "" when none was found
    os: str = ""
    packages: int = 0


@dataclass
class ScanResult:
    """Everything a scan found: what reporters format."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0  # files read
    images: int = 0  # container images read (hardhull image), or SBOMs (hardhull sbom scan)
    #: what was read of each image (hardhull image)
    image_summaries: list[ImageSummary] = field(default_factory=list)
    scanned: int = 0  # files that yielded something to check (objects, or no error)
    objects: int = 0  # things checked (Kubernetes objects, Dockerfiles, compose services, …)
    ignored: int = 0  # documents that are not Kubernetes objects
    suppressed: Counter[str] = field(default_factory=Counter)  # by mechanism
    #: problems that do not stop the scan nor count as input errors: a suppression naming a
    #: rule code that does not exist (same shape as an input error)
    warnings: list[InputError] = field(default_factory=list)
    #: the suppressed findings themselves (not reported; the admission policy gate reads them)
    waived: list[Waived] = field(default_factory=list, repr=False)
    #: Kubernetes objects of the whole scan, for the set checks (not reported)
    keep: list[Any] = field(default_factory=list, repr=False)
    #: one copy of each distinct fix of the scan's findings (not reported)
    shared: dict[str, JSONPatch] = field(default_factory=dict, repr=False, compare=False)

    @property
    def scanned_anything(self) -> bool:
        return self.scanned > 0
