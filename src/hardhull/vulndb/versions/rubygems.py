"""RubyGems versions, ordered as ``Gem::Version#<=>`` orders them.

The version (``-`` read as ``.pre.``) is split into runs of digits and runs of letters; the
numeric part before the first letters and the part after each lose their trailing zeros
(``1.0.0`` = ``1``, ``1.0.a`` = ``1.a``); then the segments compare one by one, numbers as
numbers, letters as strings, and letters before numbers (``1.a`` < ``1``: a pre-release);
missing segments count as 0. Text other than letters, digits, ``.`` and ``-`` starting with
a digit raises :class:`ValueError`.
"""

from __future__ import annotations

import re

_GEM = re.compile(r"[0-9][0-9A-Za-z.\-]*", re.ASCII)
_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+", re.ASCII)

_Segment = int | str


def canonical_segments(text: str) -> list[_Segment]:
    version = text.strip()
    if not _GEM.fullmatch(version):
        raise ValueError(f"not a RubyGems version: {text!r}")
    version = version.replace("-", ".pre.")
    segments: list[_Segment] = [int(s) if s.isdigit() else s for s in _SEGMENT.findall(version)]
    first_string = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    result: list[_Segment] = []
    for part in (segments[:first_string], segments[first_string:]):
        while part and part[-1] == 0:
            part.pop()
        result += part
    return result


def compare(a: str, b: str) -> int:
    sa, sb = canonical_segments(a), canonical_segments(b)
    if sa == sb:
        return 0
    for i in range(max(len(sa), len(sb))):
        x = sa[i] if i < len(sa) else 0
        y = sb[i] if i < len(sb) else 0
        if x == y:
            continue
        if isinstance(x, str) != isinstance(y, str):
            return -1 if isinstance(x, str) else 1
        return -1 if x < y else 1  # type: ignore[operator]
    return 0
