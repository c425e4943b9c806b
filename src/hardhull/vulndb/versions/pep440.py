"""PyPI versions: PEP 440 as pip orders them, through ``packaging`` (the library pip
vendors).

Text that PEP 440 rejects but that older pip releases (before 24.1, with ``packaging`` < 22)
still ordered as a *legacy version* is ordered the same way here: after parsing into
setuptools' historical components, every legacy version sorts before every PEP 440 version.
Packages published with such versions still exist on PyPI and in installed environments, and
the reference comparisons (generated with those tools) include them. Empty text, whitespace
and characters outside printable ASCII raise :class:`ValueError`.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

_LEGACY_TOKEN = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_ALIASES = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}
_PRINTABLE = re.compile(r"[!-~]+")


def _legacy_parts(text: str) -> tuple[str, ...]:
    """setuptools' historical ``parse_version`` key (as ``packaging.version.LegacyVersion``
    built it): numbers zero-padded to eight digits, words prefixed with ``*``."""
    raw: list[str] = []
    for token in _LEGACY_TOKEN.split(text.lower()):
        token = _LEGACY_ALIASES.get(token, token)
        if token and token != ".":
            raw.append(token.zfill(8) if token[0].isdigit() else "*" + token)
    raw.append("*final")
    parts: list[str] = []
    for part in raw:
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    return tuple(parts)


def key(text: str) -> tuple[Any, ...]:
    """A sort key: PEP 440 versions by ``packaging``, legacy ones before all of them."""
    try:
        return (1, Version(text))
    except _PackagingInvalid:
        if not _PRINTABLE.fullmatch(text):
            raise ValueError(f"not a Python package version: {text!r}") from None
        return (0, _legacy_parts(text))


def compare(a: str, b: str) -> int:
    ka, kb = key(a), key(b)
    return (ka > kb) - (ka < kb)
