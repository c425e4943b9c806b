"""NuGet versions, ordered as ``NuGetVersion`` orders them.

``MAJOR[.MINOR[.PATCH[.REVISION]]][-LABEL(.LABEL)*][+METADATA]``: the four numbers compare
as numbers (missing ones are 0, leading zeros do not count); a pre-release sorts before its
release; labels compare one by one, numeric ones as numbers and before the others, the others
case-insensitively; a shorter label list first; metadata does not take part. Other text
raises :class:`ValueError`.
"""

from __future__ import annotations

import re

_LABEL = r"[0-9A-Za-z-]+"
_NUGET = re.compile(
    rf"(?P<release>[0-9]+(?:\.[0-9]+){{0,3}})"
    rf"(?:-(?P<pre>{_LABEL}(?:\.{_LABEL})*))?"
    rf"(?:\+{_LABEL}(?:\.{_LABEL})*)?",
    re.ASCII,
)


def _parse(text: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    m = _NUGET.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not a NuGet version: {text!r}")
    release = tuple(int(n) for n in m.group("release").split("."))
    pre = tuple(m.group("pre").split(".")) if m.group("pre") else ()
    return release + (0,) * (4 - len(release)), pre


def _compare_labels(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    if not a or not b:
        return (len(b) > 0) - (len(a) > 0)
    for x, y in zip(a, b, strict=False):
        if x.isdigit() and y.isdigit():
            if int(x) != int(y):
                return -1 if int(x) < int(y) else 1
        elif x.isdigit() or y.isdigit():
            return -1 if x.isdigit() else 1
        elif x.upper() != y.upper():
            return -1 if x.upper() < y.upper() else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def compare(a: str, b: str) -> int:
    (ra, pa), (rb, pb) = _parse(a), _parse(b)
    if ra != rb:
        return -1 if ra < rb else 1
    return _compare_labels(pa, pb)
