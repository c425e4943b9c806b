"""Maven versions, ordered as Maven's ``ComparableVersion`` orders them.

The text (lower-cased) is split at ``.`` and ``-`` and at every switch between digits and
letters; a ``-`` (or a digit/letter switch) opens a nested list. Numbers compare as numbers;
the qualifiers ``alpha`` (``a``), ``beta`` (``b``), ``milestone`` (``m``), ``rc`` (``cr``),
``snapshot``, release (``""``, ``ga``, ``final``, ``release``) and ``sp`` sort in that
order, and any other qualifier after them, alphabetically. Trailing zeros and release
qualifiers are dropped (``1.0.0`` = ``1`` = ``1-ga``). When one version runs out, the
comparison continues against nothing: a further number or ``sp`` is newer, a pre-release
qualifier older. A release qualifier opening a hyphen segment goes with its hyphen
(``1-ga-1`` = ``1-1``, as the POM reference's version order specification says). Like
Maven's, the order is not transitive on text with a qualifier after a dot or at the start
(``1`` < ``1.sp`` < ``1-alpha`` < ``1``). Any text is a Maven version; only empty text and
whitespace raise :class:`ValueError`.
"""

from __future__ import annotations

from typing import Union

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}
_RELEASE_RANK = str(_QUALIFIERS.index(""))


class _Qualifier:
    __slots__ = ("rank", "value")

    def __init__(self, text: str, followed_by_digit: bool) -> None:
        if followed_by_digit and len(text) == 1:
            text = _SHORT.get(text, text)
        self.value = _ALIASES.get(text, text)
        # Maven compares the ranks as strings: "0".."6" for the known ones, "7-xyz" after
        known = self.value in _QUALIFIERS
        self.rank = str(_QUALIFIERS.index(self.value)) if known else f"7-{self.value}"


_Item = Union[int, _Qualifier, "_List"]


class _List(list[_Item]):
    def normalize(self, nested: bool) -> None:
        """Drop trailing null items (0, release qualifier, empty list), stopping at the
        first non-null item that is not a list."""
        for i in range(len(self) - 1, -1, -1):
            item = self[i]
            if _is_null(item):
                following = self[i + 1] if i + 1 < len(self) else None
                if nested and i == 0 and isinstance(following, _List):
                    # a null item before a hyphen goes with it: 1-ga-1 = 1-1
                    self[i : i + 2] = following
                else:
                    del self[i]
            elif not isinstance(item, _List):
                break


def _is_null(item: _Item) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, _Qualifier):
        return item.value == ""
    return len(item) == 0


def _cmp(a: str | int, b: str | int) -> int:
    return (a > b) - (a < b)  # type: ignore[operator]


def _compare(item: _Item, other: _Item | None) -> int:
    """``item.compareTo(other)`` of ComparableVersion's items (None: nothing left)."""
    if isinstance(item, int):
        if other is None:
            return 0 if item == 0 else 1
        return _cmp(item, other) if isinstance(other, int) else 1
    if isinstance(item, _Qualifier):
        if other is None:
            return _cmp(item.rank, _RELEASE_RANK)
        if isinstance(other, _Qualifier):
            return _cmp(item.rank, other.rank)
        return -1
    if other is None:
        return _compare(item[0], None) if item else 0
    if isinstance(other, int):
        return -1
    if isinstance(other, _Qualifier):
        return 1
    for i in range(max(len(item), len(other))):
        left = item[i] if i < len(item) else None
        right = other[i] if i < len(other) else None
        if left is None:
            result = 0 if right is None else -_compare(right, None)
        else:
            result = _compare(left, right)
        if result:
            return result
    return 0


def _item(text: str, digits: bool, followed_by_digit: bool = False) -> _Item:
    return int(text) if digits else _Qualifier(text, followed_by_digit)


def parse(text: str) -> _List:
    if not text or any(c.isspace() for c in text):
        raise ValueError("not a Maven version: empty or has whitespace")
    version = text.lower()
    items = _List()
    stack = [items]

    def close(item: _Item, nest: bool) -> None:
        """Add the item that ended; a hyphen or a digit/letter switch opens a nested list."""
        stack[-1].append(item)
        if nest:
            nested = _List()
            stack[-1].append(nested)
            stack.append(nested)

    digits = False
    start = 0
    for i, c in enumerate(version):
        if c in ".-":
            close(0 if i == start else _item(version[start:i], digits), c == "-")
            start = i + 1
        elif c.isdecimal():
            if not digits and i > start:
                close(_Qualifier(version[start:i], True), True)
                start = i
            digits = True
        else:
            if digits and i > start:
                close(_item(version[start:i], True), True)
                start = i
            digits = False
    if len(version) > start:
        stack[-1].append(_item(version[start:], digits))
    while stack:
        stack.pop().normalize(nested=bool(stack))
    return items


def compare(a: str, b: str) -> int:
    return _compare(parse(a), parse(b))
