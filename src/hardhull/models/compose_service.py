"""A compose service as the compose rules read it: :class:`Service`, with ``extends`` resolved
within the file and every value with the JSON pointer of the layer that sets it.

:func:`build_services` makes them from a parsed compose document (the compose front end,
:mod:`hardhull.frontends.compose`, reads the file and hands each service to the checks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hardhull.formats.yamlpos import escape


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


def services_mapping(root: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
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
    found = services_mapping(root)
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
