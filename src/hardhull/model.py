"""The core data model: rules, violations (what a check yields) and findings (what reports show).

A check is a pure function over an object. It yields :class:`Violation` values located by
JSON pointer. The engine turns them into :class:`Finding` values, adding the rule metadata,
the resource and, when the object came from a file, the file, line and column.
"""

from __future__ import annotations

import enum
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

JSONPatch = list[dict[str, Any]]


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


@dataclass(frozen=True)
class Violation:
    """What a check yields: a rule code, where in the object, what is wrong, and maybe a fix."""

    code: str
    pointer: str
    message: str
    fix: JSONPatch | None = None
    severity: Severity | None = None  # overrides the rule's default for this instance


@dataclass(frozen=True)
class Location:
    path: str  # file path as given (relative to where the scan ran) or "" when not from a file
    line: int = 0  # 1-based; 0 = unknown
    column: int = 0  # 1-based; 0 = unknown
    end_line: int = 0


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    namespace: str = ""
    api_version: str = ""

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}" if self.name else self.kind


@dataclass(frozen=True)
class Finding:
    rule: Rule
    severity: Severity
    message: str
    resource: Resource
    pointer: str
    location: Location
    fix: JSONPatch | None = None
    snippet: str = ""
    fingerprint: str = field(default="")

    @property
    def code(self) -> str:
        return self.rule.code


def stable_path(path: str) -> str:
    """The file path as fingerprints see it: `./a.yaml`, `a.yaml` and `$PWD/a.yaml` agree."""
    if path in ("", "-", "<stdin>"):
        return path
    p = os.path.normpath(path)
    if os.path.isabs(p):
        try:
            rel = os.path.relpath(p)
        except ValueError:  # another drive on Windows
            rel = p
        if not rel.startswith(".."):
            p = rel
    return p.replace(os.sep, "/")


def fingerprint(code: str, path: str, resource: Resource, pointer: str) -> str:
    """A fingerprint that survives moved lines: rule, file, resource identity and field path."""
    key = "\x1f".join(
        (code, stable_path(path), resource.kind, resource.namespace, resource.name, pointer)
    ).encode()
    return hashlib.sha256(key).hexdigest()[:32]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
