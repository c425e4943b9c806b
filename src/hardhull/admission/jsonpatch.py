"""JSON patch (RFC 6902) as the mutating webhook needs it: a fast deep copy of JSON data and
``add``/``remove``/``replace``/``test`` operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hardhull.model import JSONPatch


class PatchError(ValueError):
    """An operation that cannot be applied (bad pointer, missing path, failed test)."""


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data (several times faster than copy.deepcopy).

    Iterative: the JSON parser accepts nesting deeper than Python's recursion limit.
    """
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        src, dst = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(v, dict | list):
                child: Any = {} if isinstance(v, dict) else []
                stack.append((v, child))
                v = child
            if isinstance(dst, dict):
                dst[k] = v
            else:
                dst.append(v)
    return root


def pointer_tokens(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON pointer."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def apply_patch(doc: Any, patch: JSONPatch) -> Any:
    """Apply RFC 6902 ``add``/``remove``/``replace``/``test`` to a copy of ``doc``."""
    doc = copy_json(doc)
    for op in patch:
        doc = apply_op(doc, op)
    return doc


def apply_op(doc: Any, op: Mapping[str, Any]) -> Any:
    """Apply one operation to ``doc`` in place; the (new) document. Raises before changing
    anything when the operation cannot be applied."""
    kind = op.get("op")
    tokens = pointer_tokens(str(op.get("path", "")))
    if not tokens:
        if kind in ("add", "replace"):
            return copy_json(op.get("value"))
        raise PatchError(f"{kind} on the document root")
    parent: Any = doc
    for t in tokens[:-1]:
        if isinstance(parent, dict) and t in parent:
            parent = parent[t]
        elif isinstance(parent, list) and t.isdigit() and int(t) < len(parent):
            parent = parent[int(t)]
        else:
            raise PatchError(f"path {op.get('path')!r} does not exist")
    last = tokens[-1]
    value = copy_json(op.get("value"))
    if isinstance(parent, dict):
        if kind == "add":
            parent[last] = value
        elif kind in ("replace", "remove", "test"):
            if last not in parent:
                raise PatchError(f"path {op.get('path')!r} does not exist")
            if kind == "replace":
                parent[last] = value
            elif kind == "remove":
                del parent[last]
            elif parent[last] != value:
                raise PatchError(f"test failed at {op.get('path')!r}")
        else:
            raise PatchError(f"unsupported op {kind!r}")
    elif isinstance(parent, list):
        if kind == "add" and last == "-":
            parent.append(value)
            return doc
        if not last.isdigit():
            raise PatchError(f"bad list index in {op.get('path')!r}")
        idx = int(last)
        if kind == "add" and idx <= len(parent):
            parent.insert(idx, value)
        elif idx >= len(parent):
            raise PatchError(f"path {op.get('path')!r} does not exist")
        elif kind == "replace":
            parent[idx] = value
        elif kind == "remove":
            del parent[idx]
        elif kind == "test":
            if parent[idx] != value:
                raise PatchError(f"test failed at {op.get('path')!r}")
        else:
            raise PatchError(f"unsupported op {kind!r}")
    else:
        raise PatchError(f"path {op.get('path')!r} does not exist")
    return doc
