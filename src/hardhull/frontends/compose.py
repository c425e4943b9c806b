"""The compose front end: Compose files (``compose.yaml``, ``docker-compose.yml``, …) as services.

A compose file is read with the YAML-with-positions loader, so every finding has the exact
line of the field (JSON pointer ``/services/web/privileged``). YAML anchors and merge keys
(``x-defaults: &d`` … ``<<: *d``) are resolved by the loader; ``extends`` within the same
file is resolved here, each inherited field keeping the pointer of the service that sets it.
``${VAR}`` interpolation is left as written: checks see the reference, not a value.

Checks live in :mod:`hardhull.rules.compose`; they take a
:class:`~hardhull.models.compose_service.Service` and do no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardhull import suppress
from hardhull.context import ScanFacts, SubjectContext
from hardhull.formats.yamlpos import (
    Position,
    YamlLimitError,
    load_stream,
    locate,
)
from hardhull.frontends import kinds
from hardhull.frontends.interface import Document, FrontEndOutput, ReadOptions, Subject
from hardhull.model import InputError, Resource, Skipped
from hardhull.models.compose_service import Service, build_services, services_mapping
from hardhull.registry import Target

if TYPE_CHECKING:
    from hardhull.frontends.files import TextInput

SERVICE_KIND = "ComposeService"
FILE_KIND = "ComposeFile"
_TEMPLATE_REASON = "template syntax ({{ }}) that is not YAML yet: render it first"
#: scalars YAML 1.1 reads as base-60 numbers (``22:22`` is 1342) that Compose (YAML 1.2) keeps
_SEXAGESIMAL = re.compile(r"""["']?(\d+(?::\d+)+)["']?\s*(?:#.*)?$""")
#: fields where such a scalar is a string to Compose
_RAW_FIELDS = ("ports", "expose", "user")


def looks_like_compose(data: Any) -> bool:
    """Is this parsed YAML document a Compose file (whatever the file is called)?

    True for a mapping without ``apiVersion``/``kind`` whose ``services`` is a non-empty
    mapping of mappings, at least one of them with ``image`` or ``build``.
    """
    if not isinstance(data, dict) or "apiVersion" in data or "kind" in data:
        return False
    services = data.get("services")
    if not isinstance(services, dict) or not services:
        return False
    if not all(isinstance(s, dict) or s is None for s in services.values()):
        return False
    return any(isinstance(s, dict) and ("image" in s or "build" in s) for s in services.values())


@dataclass
class ComposeDoc:
    """One service (or the file itself) of a compose file, as the engine locates findings."""

    path: str
    lines: list[str] | None
    positions: dict[str, Position]
    kind: str
    name: str
    ignored: frozenset[str] = frozenset()
    line: int = 1
    #: the service the checks look at (None: the file itself)
    service: Service | None = None

    def ignore_codes(self) -> frozenset[str]:
        """Codes of the service's ``hardhull.dev/ignore`` label."""
        return self.ignored

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        if self.service is None:
            return []
        return [(Target.COMPOSE, self.service, SubjectContext(self.service, facts))]

    @property
    def resource(self) -> Resource:
        return Resource(self.kind, self.name)

    def position(self, pointer: str) -> Position:
        pos, _ = locate(self.positions, pointer)
        return pos if pos != (0, 0) else (self.line, 0)


def _raw_fixups(data: Any, base: str, positions: dict[str, Position], lines: list[str]) -> None:
    """Give back the text of ``22:22``-like scalars that YAML 1.1 read as base-60 numbers."""
    if not isinstance(data, dict):
        return
    for field_name in _RAW_FIELDS:
        if field_name not in data:
            continue
        value = data[field_name]
        fptr = f"{base}/{field_name}"
        targets: list[tuple[Any, Any, str]]
        if isinstance(value, list):
            targets = [(value, i, f"{fptr}/{i}") for i in range(len(value))]
        else:
            targets = [(data, field_name, fptr)]
        for container, key, ptr in targets:
            v = container[key]
            if not isinstance(v, int) or isinstance(v, bool) or v < 60:
                continue
            pos = positions.get(ptr)
            if pos is None or not (0 < pos[0] <= len(lines)):
                continue
            line = lines[pos[0] - 1]
            text = line[pos[1] - 1 :]
            if ptr == fptr and ":" in text:  # a mapping entry: the value follows the key
                text = text.split(":", 1)[1].strip()
            m = _SEXAGESIMAL.match(text.strip())
            if m:
                container[key] = m.group(1)


def _ignore_codes(service: Service) -> frozenset[str]:
    """``hardhull.dev/ignore`` in the service's labels, like the annotation on a pod."""
    label = service.pairs("labels").get(suppress.ANNOTATION)
    if label is not None and isinstance(label[0], str):
        return suppress.parse_codes(label[0])
    return frozenset()


class ComposeFrontEnd:
    """Compose files: one document per service."""

    kind = kinds.COMPOSE

    def read(self, item: TextInput, opts: ReadOptions) -> FrontEndOutput:
        return read_compose(item)


def read_compose(item: TextInput) -> FrontEndOutput:
    """Each service of a compose file becomes a document."""
    out = FrontEndOutput()
    documents: list[Document] = []
    out.documents = documents
    path = item.path
    docs, errors = load_stream(item.text)  # reading goes on after a broken document, if it can
    if errors:
        exc = errors[0]
        if "{{" in item.text and not isinstance(exc, YamlLimitError):
            out.skipped.append(
                Skipped(path, f"{_TEMPLATE_REASON} (line {exc.line}: {exc.message})")
            )
            return out
        out.errors.extend(InputError(path, e.described, e.line, e.column) for e in errors)
    lines = item.text.splitlines()
    for doc in docs:
        root = doc.data
        if root is None:
            continue
        if not isinstance(root, dict):
            line, col = doc.positions.get("", (doc.line, 0))
            out.errors.append(
                InputError(path, "not a compose file: the top level is not a mapping", line, col)
            )
            continue
        if "apiVersion" in root and "kind" in root:
            out.ignored += 1  # a Kubernetes object in a compose-named file
            continue
        for pointer, first, (line, col) in doc.duplicates:
            key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            out.errors.append(
                InputError(
                    path,
                    f"key '{key}' is set twice in one mapping (first on line {first[0]}): "
                    "docker compose refuses the file (the rest is checked with the last value)",
                    line,
                    col,
                )
            )
        services = build_services(root)
        found = services_mapping(root)
        if found is None and isinstance(root.get("services"), list | str | int | float):
            line, col = doc.positions.get("/services", (doc.line, 0))
            out.errors.append(InputError(path, "`services` must be a mapping", line, col))
            continue
        if not services:
            out.ignored += 1
            continue
        for s in services:
            _raw_fixups(s.data, s.pointer, doc.positions, lines)
        for s in services:
            out.objects += 1
            cdoc = ComposeDoc(
                path,
                lines,
                doc.positions,
                SERVICE_KIND,
                s.name,
                _ignore_codes(s),
                doc.positions.get(s.pointer, (doc.line, 0))[0],
                s,
            )
            documents.append(cdoc)
    return out


__all__ = [
    "FILE_KIND",
    "SERVICE_KIND",
    "ComposeDoc",
    "ComposeFrontEnd",
    "looks_like_compose",
    "read_compose",
]
