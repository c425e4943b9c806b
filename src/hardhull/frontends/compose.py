"""The compose front end: Compose files (``compose.yaml``, ``docker-compose.yml``, …) as services.

A compose file is read with the YAML-with-positions loader, so every finding has the exact
line of the field (JSON pointer ``/services/web/privileged``). YAML anchors and merge keys
(``x-defaults: &d`` … ``<<: *d``) are resolved by the loader; ``extends`` within the same
file is resolved here, each inherited field keeping the pointer of the service that sets it.
``${VAR}`` interpolation is left as written: checks see the reference, not a value.

Checks live in :mod:`hardhull.rules.compose`; they take a :class:`Service` and do no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardhull import suppress
from hardhull.context import ScanFacts, SubjectContext
from hardhull.formats.yamlpos import Position, YamlError, YamlLimitError, escape, load_all, locate
from hardhull.frontends import kinds
from hardhull.frontends.interface import Document, FrontEndOutput, ReadOptions, Subject
from hardhull.model import InputError, Resource, Skipped
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


@dataclass
class Service:
    """A compose service with ``extends`` resolved: the layers from the service to its bases.

    ``layers[0]`` is the service itself; each layer is (definition, pointer of it). Accessors
    return values with the pointer of the layer that sets them, so a finding on an inherited
    field points at the base service's line.
    """

    name: str
    pointer: str
    layers: list[tuple[dict[str, Any], str]]
    #: the definition is a fragment (no image, build or extends): an override file's entry
    partial: bool = False
    #: extends a service of another file (or one not found): absent fields may come from it
    external: bool = False
    #: the whole document (for JSON patches)
    root: Any = None

    @property
    def data(self) -> dict[str, Any]:
        return self.layers[0][0]

    @property
    def label(self) -> str:
        return f'service "{self.name}"'

    @property
    def complete(self) -> bool:
        """Everything the service runs with is in this file: absent fields are really absent."""
        return not self.partial and not self.external

    def get(self, *keys: str) -> tuple[Any, str] | None:
        """The value at a nested path and its pointer, from the nearest layer that sets it."""
        for data, ptr in self.layers:
            cur: Any = data
            p = ptr
            for k in keys:
                if not isinstance(cur, dict) or k not in cur:
                    break
                cur = cur[k]
                p += "/" + escape(k)
            else:
                return cur, p
        return None

    def value(self, *keys: str) -> Any:
        got = self.get(*keys)
        return got[0] if got is not None else None

    def has(self, *keys: str) -> bool:
        got = self.get(*keys)
        return got is not None and got[0] is not None

    def items(self, key: str) -> Iterator[tuple[Any, str]]:
        """Items of a sequence field over every layer (Compose merges these by appending)."""
        for data, ptr in self.layers:
            seq = data.get(key)
            if isinstance(seq, list):
                base = f"{ptr}/{escape(key)}"
                for i, item in enumerate(seq):
                    yield item, f"{base}/{i}"

    def pairs(self, *keys: str) -> dict[str, tuple[Any, str]]:
        """A ``KEY=VALUE`` list or a mapping (environment, labels, build args) merged over the
        layers, the service's own entries winning: key → (value or None, pointer)."""
        out: dict[str, tuple[Any, str]] = {}
        for data, ptr in self.layers:
            cur: Any = data
            p = ptr
            for k in keys:
                cur = cur.get(k) if isinstance(cur, dict) else None
                p += "/" + escape(k)
            for key, value, vp in key_values(cur, p):
                out.setdefault(key, (value, vp))
        return out


def key_values(value: Any, pointer: str) -> Iterator[tuple[str, Any, str]]:
    """Entries of a Compose ``KEY=VALUE`` list or mapping: (key, value or None, pointer)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v, f"{pointer}/{escape(k)}"
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                key, sep, val = item.partition("=")
                yield key.strip(), (val if sep else None), f"{pointer}/{i}"


def _extends_target(spec: Any) -> tuple[str | None, bool]:
    """(service name, from another file) of an ``extends`` value."""
    if isinstance(spec, str):
        return spec, False
    if isinstance(spec, dict):
        name = spec.get("service")
        return (name if isinstance(name, str) else None), bool(spec.get("file"))
    return None, False


def _services(root: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The services mapping and its pointer; version 1 files have services at the top."""
    services = root.get("services")
    if isinstance(services, dict):
        return services, "/services"
    if "services" in root or "version" in root:
        return None
    v1 = {
        k: v
        for k, v in root.items()
        if isinstance(v, dict) and not k.startswith("x-") and ("image" in v or "build" in v)
    }
    return (v1, "") if v1 else None


def build_services(root: dict[str, Any]) -> list[Service]:
    """Every service of a compose document, ``extends`` resolved within the document."""
    found = _services(root)
    if found is None:
        return []
    services, base = found
    out: list[Service] = []
    for name, data in services.items():
        if not isinstance(data, dict):
            continue
        ptr = f"{base}/{escape(name)}"
        layers = [(data, ptr)]
        external = False
        seen = {name}
        cur = data
        while "extends" in cur:
            target, other_file = _extends_target(cur.get("extends"))
            if other_file or target is None:
                external = True
                break
            parent = services.get(target)
            if target in seen or not isinstance(parent, dict):
                external = True  # a cycle or a missing service: Compose refuses the file
                break
            seen.add(target)
            layers.append((parent, f"{base}/{escape(target)}"))
            cur = parent
        partial = not any(("image" in d or "build" in d) for d, _ in layers) and not external
        out.append(Service(name, ptr, layers, partial, external, root))
    return out


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
    try:
        docs = load_all(item.text)
    except YamlError as exc:
        if "{{" in item.text and not isinstance(exc, YamlLimitError):
            out.skipped.append(
                Skipped(path, f"{_TEMPLATE_REASON} (line {exc.line}: {exc.message})")
            )
            return out
        out.errors.append(InputError(path, exc.message, exc.line, exc.column))
        docs = exc.documents
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
        services = build_services(root)
        found = _services(root)
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
    "Service",
    "build_services",
    "key_values",
    "looks_like_compose",
    "read_compose",
]
