"""Go-flavoured helpers the controls share (upstream ``policy/helpers.go`` and Go's formatting):
how a decoded field reads, how upstream quotes and pluralizes in its messages, and where a
pointer lands when a field is missing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.models.workload import Container, Workload, as_dict


def go_str(value: Any) -> str:
    """A Go string field: null is ""; other scalars as their YAML spelling."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def go_int(value: Any) -> int:
    """A Go integer field: null, booleans and non-numbers are 0."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else 0
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return 0
    return 0


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES["\v"] = "\\v"


def go_quote(text: str) -> str:
    """Go's ``%q`` for a string (strconv.Quote)."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            o = ord(ch)
            if o < 0x80:
                out.append(f"\\x{o:02x}")
            elif o < 0x10000:
                out.append(f"\\u{o:04x}")
            else:
                out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def join_quote(items: Iterable[str]) -> str:
    """Upstream's ``joinQuote``: each item in double quotes (not escaped), comma-separated."""
    items = list(items)
    return '"' + '", "'.join(items) + '"' if items else ""


def pluralize(singular: str, plural: str, count: int) -> str:
    """``singular`` when ``count`` is 1, else ``plural``."""
    return singular if count == 1 else plural


def is_set(value: Any) -> bool:
    """A Go pointer/struct field is non-nil: the key is present with a non-null value."""
    return value is not None


def near(base: dict[str, Any], base_ptr: str, *keys: str) -> str:
    """Pointer of base/keys… if it exists, else of the deepest existing parent."""
    cur: Any = base
    ptr = base_ptr
    for key in keys:
        if not isinstance(cur, dict) or cur.get(key) is None:
            return ptr
        cur = cur[key]
        ptr = f"{ptr}/{escape(key)}"
    return ptr


def container_name(c: Container) -> str:
    """The container's name as upstream reads it (a Go string)."""
    return go_str(c.data.get("name"))


def is_windows(w: Workload) -> bool:
    """The pod declares a Windows OS (``spec.os.name: windows``)."""
    return as_dict(w.spec.get("os")).get("name") == "windows"


def in_user_namespace(w: Workload) -> bool:
    """The pod runs in a user namespace (``hostUsers: false``)."""
    return w.spec.get("hostUsers") is False


def setters(pod: bool, containers: list[str]) -> str:
    """Who set a forbidden field: "pod", "container[s] …", or both joined by "and"."""
    parts = ["pod"] if pod else []
    if containers:
        parts.append(
            f"{pluralize('container', 'containers', len(containers))} {join_quote(containers)}"
        )
    return " and ".join(parts)
