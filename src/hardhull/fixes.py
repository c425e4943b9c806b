"""Build minimal RFC 6902 JSON patches that set a field, creating missing parents."""

from __future__ import annotations

from typing import Any

from hardhull.model import JSONPatch


def _tokens(pointer: str) -> list[str]:
    return (
        [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")] if pointer else []
    )


def set_field(obj: Any, pointer: str, value: Any) -> JSONPatch:
    """A patch that makes ``pointer`` hold ``value`` in ``obj``.

    Uses ``replace`` when the field exists, otherwise one ``add`` at the deepest existing
    parent, carrying the missing intermediate mappings. Returns [] when a list index on the
    way is missing or a parent is not a mapping (no safe patch exists).
    """
    tokens = _tokens(pointer)
    cur = obj
    for depth, tok in enumerate(tokens):
        last = depth == len(tokens) - 1
        if isinstance(cur, dict):
            if tok in cur and cur[tok] is not None:
                if last:
                    return [{"op": "replace", "path": pointer, "value": value}]
                cur = cur[tok]
                continue
            nested: Any = value
            for t in reversed(tokens[depth + 1 :]):
                nested = {t: nested}
            path = "/" + "/".join(
                t.replace("~", "~0").replace("/", "~1") for t in tokens[: depth + 1]
            )
            op = "replace" if tok in cur else "add"
            return [{"op": op, "path": path, "value": nested}]
        if isinstance(cur, list):
            try:
                idx = int(tok)
                cur = cur[idx]
            except (ValueError, IndexError):
                return []
            if last:
                return [{"op": "replace", "path": pointer, "value": value}]
            continue
        return []
    return []


def append_item(obj: Any, pointer: str, item: Any) -> JSONPatch:
    """A patch that appends ``item`` to the list at ``pointer`` (creating it if missing)."""
    from hardhull.models.workload import get

    current = get(obj, pointer)
    if isinstance(current, list):
        return [{"op": "add", "path": pointer + "/-", "value": item}]
    return set_field(obj, pointer, [item])
