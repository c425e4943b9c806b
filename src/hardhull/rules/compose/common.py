"""Helpers the compose checks share: whether a pointer is in the service's own definition
(a fix can only change that), scalar values as text, ``${VAR:-default}`` interpolation and
image references."""

from __future__ import annotations

import re
from typing import Any

from hardhull.fixes import set_field
from hardhull.models.compose_service import Service


def owns_pointer(s: Service, pointer: str) -> bool:
    """Is ``pointer`` inside the service's own definition (not inherited through extends)?"""
    return pointer == s.pointer or pointer.startswith(s.pointer + "/")


def fix_if_own(s: Service, pointer: str, value: Any) -> list[dict[str, Any]] | None:
    """A patch setting ``pointer`` to ``value``, or None when the pointer is inherited (the
    fix belongs to the base service, maybe in another file)."""
    return (set_field(s.root, pointer, value) or None) if owns_pointer(s, pointer) else None


def scalar_text(value: Any) -> str | None:
    """A string or number as text; None for booleans, null, lists and mappings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value)
    return None


#: a ``$VAR`` or ``${VAR…}`` reference; groups: name, operator (``-``, ``:-``, ``?``, …) and
#: operand of the braced form, name of the bare form
VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def resolve_default(text: str) -> str | None:
    """``text`` with ``${VAR:-default}`` replaced by its default; None if another variable
    (whose value cannot be known) is in it. ``$$`` is a literal ``$``."""
    if "$" not in text:
        return text
    unknown = False

    def sub(m: re.Match[str]) -> str:
        nonlocal unknown
        if m.group(2) in ("-", ":-"):
            return m.group(3) or ""
        unknown = True
        return ""

    out = VARIABLE.sub(sub, text.replace("$$", "\x00"))
    return None if unknown else out.replace("\x00", "$")


def image_repository(image: str) -> tuple[str, str]:
    """(repository without ``docker.io/`` / ``library/``, tag) of an image reference."""
    ref = image.split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    tag = ""
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    ref = ref.removeprefix("library/")
    return ref.lower(), tag.lower()
