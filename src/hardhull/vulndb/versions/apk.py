"""Alpine package versions (``number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}``),
ordered as ``apk version -t`` of apk-tools 2.x (the apk of Alpine 3.x, which generated the
reference comparisons) orders them.

apk reads a version as a stream of tokens (digits, a letter, ``_suffix``, suffix number,
``-r`` revision) and compares token by token: numbers as numbers (a dotted part with a
leading zero sorts by its zeros first), suffixes ``alpha < beta < pre < rc < (none) < cvs <
svn < git < hg < p``; when one version runs out first it is the smaller, unless the other
continues with a pre-release suffix.

Versions outside apk's grammar (an upper-case letter, ``.`` not followed by a digit, ``-``
not starting ``-r``, unknown suffixes, numbers of 18 digits or more) are still ordered, as
apk orders them only inconsistently across releases: such a pair is compared field by field
(numbers, letter, suffixes, revision, then the text left over; two such versions by their
text), the convention of the reference comparisons. Empty text and whitespace raise
:class:`ValueError`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# token kinds, in apk's order: a version that stops where the other goes on sorts first
_INVALID, _DOT_DIGITS, _DIGITS, _LETTER, _SUFFIX, _SUFFIX_NO, _REVISION, _END = range(-1, 7)
_PRE_SUFFIXES = (b"alpha", b"beta", b"pre", b"rc")
_POST_SUFFIXES = (b"cvs", b"svn", b"git", b"hg", b"p")


def _isdigit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _islower(c: int) -> bool:
    return 0x61 <= c <= 0x7A


class _Tokens:
    """apk's tokenizer over one version: :meth:`take` returns the current token's value and
    moves to the next one (``kind`` is then the next token's kind)."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.pos = 0
        self.kind = _DIGITS

    def copy(self) -> _Tokens:
        other = _Tokens(self.text)
        other.pos, other.kind = self.pos, self.kind
        return other

    def _advance_kind(self) -> None:
        text, pos, kind = self.text, self.pos, self.kind
        if pos >= len(text):
            new = _END
        elif kind in (_DIGITS, _DOT_DIGITS) and _islower(text[pos]):
            new = _LETTER
        elif kind == _LETTER and _isdigit(text[pos]):
            new = _DIGITS
        elif kind == _SUFFIX and _isdigit(text[pos]):
            new = _SUFFIX_NO
        else:
            c = text[pos]
            new = _INVALID
            if c == 0x2E:  # .
                new = _DOT_DIGITS
            elif c == 0x5F:  # _
                new = _SUFFIX
            elif c == 0x2D and pos + 1 < len(text) and text[pos + 1] == 0x72:  # -r
                new = _REVISION
                pos += 1
            pos += 1
        allowed_back = (
            (new == _DOT_DIGITS and kind == _DIGITS)
            or (new == _SUFFIX and kind == _SUFFIX_NO)
            or (new == _DIGITS and kind == _LETTER)
        )
        if new < kind and not allowed_back:
            new = _INVALID
        self.pos, self.kind = pos, new

    def take(self) -> int:
        text, pos, kind = self.text, self.pos, self.kind
        rest = len(text) - pos
        if rest <= 0:
            self.kind = _END
            return 0
        size, value, then = 0, 0, None
        if kind == _DOT_DIGITS and text[pos] == 0x30:
            # leading zeros: more zeros sort first
            while size + 1 < rest and text[pos + size + 1] == 0x30:
                size += 1
            value, then = -size, _DIGITS
        elif kind in (_DOT_DIGITS, _DIGITS, _SUFFIX_NO, _REVISION):
            while size < rest and _isdigit(text[pos + size]):
                value = value * 10 + text[pos + size] - 0x30
                size += 1
            if size >= 18:
                self.kind = _INVALID
                return -1
        elif kind == _LETTER:
            value, size = text[pos], 1
        elif kind == _SUFFIX:
            for index, name in enumerate(_PRE_SUFFIXES):
                if text.startswith(name, pos):
                    value, size = index - len(_PRE_SUFFIXES), len(name)
                    break
            else:
                for index, name in enumerate(_POST_SUFFIXES):
                    if text.startswith(name, pos):
                        value, size = index, len(name)
                        break
                else:
                    self.kind = _INVALID
                    return -1
        else:
            self.kind = _INVALID
            return -1
        self.pos = pos + size
        if self.pos == len(text):
            self.kind = _END
        elif then is not None:
            self.kind = then
        else:
            self._advance_kind()
        return value


def _valid(text: bytes) -> bool:
    """apk's grammar: its tokenizer reaches the end, and every ``.`` is followed by a digit."""
    tokens = _Tokens(text)
    while tokens.kind not in (_END, _INVALID):
        tokens.take()
    return tokens.kind == _END and re.search(rb"\.(?![0-9])", text) is None


def apk_compare(a: bytes, b: bytes) -> int:
    """apk-tools' token-by-token comparison."""
    ta, tb = _Tokens(a), _Tokens(b)
    va = vb = 0
    while ta.kind == tb.kind and ta.kind not in (_END, _INVALID) and va == vb:
        va, vb = ta.take(), tb.take()
    if va != vb:
        return -1 if va < vb else 1
    if ta.kind == tb.kind:
        return 0
    if ta.kind == _SUFFIX and ta.copy().take() < 0:
        return -1
    if tb.kind == _SUFFIX and tb.copy().take() < 0:
        return 1
    if ta.kind != tb.kind:
        return -1 if ta.kind > tb.kind else 1
    return 0


# --- versions outside the grammar ---------------------------------------------------------

_NUMBERS = re.compile(r"(?:[0-9]+\.?)*")
_SUFFIX_RE = re.compile(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)")
_SUFFIX_WEIGHT = {name: i for i, name in enumerate(("alpha", "beta", "pre", "rc", "", "cvs"))}
_SUFFIX_WEIGHT.update(svn=6, git=7, hg=8, p=9)
_HASH = re.compile(r"~[0-9a-f]+")
_BUILD = re.compile(r"-r([0-9]*)")


class _Fields(NamedTuple):
    numbers: list[tuple[str, int, int]]  # (text, value, index)
    letter: str
    suffixes: list[tuple[int, int]]  # (weight, number)
    revision: int
    rest: str
    invalid: bool


def _fields(text: str) -> _Fields:
    rest = text
    numbers: list[tuple[str, int, int]] = []
    head = _NUMBERS.match(rest)
    if head and head.group():
        for index, digits in enumerate(head.group().split(".")):
            if not digits:
                break
            numbers.append((digits, int(digits), index))
        rest = rest[head.end() :]
    letter = ""
    if rest[:1].isascii() and rest[:1].islower():
        letter, rest = rest[0], rest[1:]
    suffixes = []
    for m in _SUFFIX_RE.finditer(rest):
        suffixes.append((_SUFFIX_WEIGHT[m.group(1)], int(m.group(2) or 0)))
        rest = rest.removeprefix(m.group())
    h = _HASH.match(rest)
    if h:
        rest = rest[h.end() :]
    revision, invalid = 0, False
    if rest:
        build = _BUILD.match(rest)
        if build:
            revision, rest = int(build.group(1) or 0), rest[build.end() :]
        else:
            invalid = True
    return _Fields(numbers, letter, suffixes, revision, rest, invalid)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def fields_compare(a: str, b: str) -> int:
    """The field-by-field order for versions outside apk's grammar."""
    fa, fb = _fields(a), _fields(b)
    if fa.invalid and fb.invalid:
        return (a > b) - (a < b)
    zero = ("0", 0, 0)
    for i in range(max(len(fa.numbers), len(fb.numbers))):
        na = fa.numbers[i] if i < len(fa.numbers) else zero
        nb = fb.numbers[i] if i < len(fb.numbers) else zero
        if na[2] and nb[2] and (na[0][0] == "0" or nb[0][0] == "0"):
            r = (na[0] > nb[0]) - (na[0] < nb[0])
        else:
            r = _sign(na[1] - nb[1])
        if r:
            return r
    if fa.letter != fb.letter:
        if not fa.letter or not fb.letter:
            return 1 if fa.letter else -1
        return -1 if fa.letter < fb.letter else 1
    none = (_SUFFIX_WEIGHT[""], 0)
    for i in range(max(len(fa.suffixes), len(fb.suffixes))):
        sa = fa.suffixes[i] if i < len(fa.suffixes) else none
        sb = fb.suffixes[i] if i < len(fb.suffixes) else none
        if sa != sb:
            return -1 if sa < sb else 1
    if fa.revision != fb.revision:
        return _sign(fa.revision - fb.revision)
    if bool(fa.rest) != bool(fb.rest):
        return 1 if not fa.rest else -1
    return 0


def compare(a: str, b: str) -> int:
    for text in (a, b):
        if not text or any(c.isspace() for c in text):
            raise ValueError("not an apk version: empty or has whitespace")
    ba, bb = a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    if _valid(ba) and _valid(bb):
        return apk_compare(ba, bb)
    return fields_compare(a, b)
