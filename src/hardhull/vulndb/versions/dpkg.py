"""Debian package versions (``[epoch:]upstream[-revision]``), ordered as ``dpkg
--compare-versions`` orders them.

The syntax checks are dpkg's own (``parseversion``): what dpkg rejects with an error (empty
string, embedded spaces, an epoch that is not a non-negative number below 2^31, nothing after
the colon, an empty upstream version or revision) raises :class:`ValueError`; what dpkg only
warns about (an upstream version not starting with a digit, characters outside the allowed
set) is compared, as dpkg compares it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_EPOCH = re.compile(r"[+-]?[0-9]+")
_INT_MAX = 2**31 - 1


class DebianVersion(NamedTuple):
    epoch: int
    upstream: bytes
    revision: bytes


def parse(text: str) -> DebianVersion:
    """Split ``text`` as dpkg does; :class:`ValueError` where dpkg reports an error."""
    s = text.strip(" \t")
    if not s:
        raise ValueError("version string is empty")
    if any(c.isspace() for c in s):
        raise ValueError("version string has embedded spaces")
    epoch = 0
    if ":" in s:
        head, s = s.split(":", 1)
        if not head:
            raise ValueError("epoch in version is empty")
        if not _EPOCH.fullmatch(head):
            raise ValueError("epoch in version is not number")
        epoch = int(head)
        if epoch < 0:
            raise ValueError("epoch in version is negative")
        if epoch > _INT_MAX:
            raise ValueError("epoch in version is too big")
        if not s:
            raise ValueError("nothing after colon in version number")
    upstream, sep, revision = s.rpartition("-")
    if not sep:
        upstream, revision = s, ""
    elif not revision:
        raise ValueError("revision number is empty")
    if not upstream:
        raise ValueError("version number is empty")
    raw = "surrogatepass"
    return DebianVersion(epoch, upstream.encode("utf-8", raw), revision.encode("utf-8", raw))


def _order(c: int) -> int:
    """dpkg's weight of one byte outside a digit run: ``~`` sorts before the end of the
    string (and a digit), which sort before letters, which sort before everything else."""
    if _isdigit(c):
        return 0
    if c == 0x7E:  # ~
        return -1
    if 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A:
        return c
    return c + 256


def _isdigit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def verrevcmp(a: bytes, b: bytes) -> int:
    """dpkg's comparison of two upstream versions or two revisions (sign only)."""
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        while (i < la and not _isdigit(a[i])) or (j < lb and not _isdigit(b[j])):
            ac = _order(a[i]) if i < la else 0
            bc = _order(b[j]) if j < lb else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        while i < la and a[i] == 0x30:
            i += 1
        while j < lb and b[j] == 0x30:
            j += 1
        first_diff = 0
        while i < la and j < lb and _isdigit(a[i]) and _isdigit(b[j]):
            if not first_diff:
                first_diff = a[i] - b[j]
            i += 1
            j += 1
        if i < la and _isdigit(a[i]):
            return 1
        if j < lb and _isdigit(b[j]):
            return -1
        if first_diff:
            return -1 if first_diff < 0 else 1
    return 0


def compare(a: str, b: str) -> int:
    """-1, 0 or 1; :class:`ValueError` for text dpkg rejects."""
    va, vb = parse(a), parse(b)
    if va.epoch != vb.epoch:
        return -1 if va.epoch < vb.epoch else 1
    return verrevcmp(va.upstream, vb.upstream) or verrevcmp(va.revision, vb.revision)
