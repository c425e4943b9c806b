"""Semantic Versioning 2.0 precedence (npm, Go modules, crates.io, Hex).

``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``: numbers compare as numbers; a pre-release sorts
before its release; pre-release identifiers compare one by one (numeric ones as numbers and
before alphanumeric ones, alphanumeric ones in ASCII order, a shorter list first); build
metadata (Go's ``+incompatible`` included) does not take part. A leading ``v`` (Go's form) is
accepted.

As OSV data and the reference comparisons need: missing minor and patch numbers count as 0
(``1`` = ``1.0.0``), numbers of any size and with leading zeros are accepted, and numeric
parts after the third are compared after it (``1.2.3.4`` > ``1.2.3``). Any other text raises
:class:`ValueError`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_IDENT = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    rf"v?(?P<release>[0-9]+(?:\.[0-9]+)*)"
    rf"(?:-(?P<pre>{_IDENT}(?:\.{_IDENT})*))?"
    rf"(?:\+(?P<build>{_IDENT}(?:\.{_IDENT})*))?",
    re.ASCII,
)


class SemVer(NamedTuple):
    release: tuple[int, ...]
    pre: tuple[str, ...]


def parse(text: str) -> SemVer:
    m = _SEMVER.fullmatch(text)
    if m is None:
        raise ValueError(f"not a semantic version: {text!r}")
    release = tuple(int(n) for n in m.group("release").split("."))
    release += (0,) * (3 - len(release))
    pre = tuple(m.group("pre").split(".")) if m.group("pre") else ()
    return SemVer(release, pre)


def _compare_pre(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    if not a or not b:
        return (len(b) > 0) - (len(a) > 0)  # no pre-release sorts after any pre-release
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            if int(x) != int(y):
                return -1 if int(x) < int(y) else 1
            continue
        if x.isdigit() or y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def compare(a: str, b: str) -> int:
    va, vb = parse(a), parse(b)
    ra, rb = va.release, vb.release
    width = max(len(ra), len(rb))
    ra, rb = ra + (0,) * (width - len(ra)), rb + (0,) * (width - len(rb))
    if ra != rb:
        return -1 if ra < rb else 1
    return _compare_pre(va.pre, vb.pre)
