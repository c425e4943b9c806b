"""RPM versions (``[epoch:]version[-release]``), ordered as rpm's ``rpmvercmp`` orders each
part, with ``~`` (sorts before anything, even the end) and ``^`` (sorts after the end, before
anything else).

The epoch is the run of digits before the first ``:``; a ``:`` after anything else belongs to
the version (``a:1`` has no epoch). The release is what follows the last ``-``. Epochs compare
numerically (missing = 0), then versions, then releases; a version without a release sorts
before the same version with one (OSV's Red Hat ranges always carry releases, so this only
orders partial versions consistently). Empty text and text with whitespace raise
:class:`ValueError`.
"""

from __future__ import annotations

from typing import NamedTuple


class RpmVersion(NamedTuple):
    epoch: bytes
    version: bytes
    release: bytes | None


def _isdigit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _isalpha(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def parse(text: str) -> RpmVersion:
    if not text or any(c.isspace() for c in text):
        raise ValueError("not an rpm version: empty or has whitespace")
    raw = text.encode("utf-8", "surrogatepass")
    digits = 0
    while digits < len(raw) and _isdigit(raw[digits]):
        digits += 1
    epoch = b"0"
    if digits < len(raw) and raw[digits] == 0x3A:  # ':'
        epoch = raw[:digits] or b"0"
        raw = raw[digits + 1 :]
    version, sep, release = raw.rpartition(b"-")
    if not sep:
        return RpmVersion(epoch, raw, None)
    return RpmVersion(epoch, version, release)


def rpmvercmp(a: bytes, b: bytes) -> int:
    """rpm's segment-wise comparison of two version (or release) strings."""
    if a == b:
        return 0
    i = j = 0
    la, lb = len(a), len(b)
    tilde, caret = 0x7E, 0x5E
    while i < la or j < lb:
        while i < la and not (_isdigit(a[i]) or _isalpha(a[i]) or a[i] in (tilde, caret)):
            i += 1
        while j < lb and not (_isdigit(b[j]) or _isalpha(b[j]) or b[j] in (tilde, caret)):
            j += 1
        ca = a[i] if i < la else -1
        cb = b[j] if j < lb else -1
        if ca == tilde or cb == tilde:
            if ca != tilde:
                return 1
            if cb != tilde:
                return -1
            i += 1
            j += 1
            continue
        if ca == caret or cb == caret:
            if ca == -1:
                return -1
            if cb == -1:
                return 1
            if ca != caret:
                return 1
            if cb != caret:
                return -1
            i += 1
            j += 1
            continue
        if ca == -1 or cb == -1:
            break
        is_num = _isdigit(ca)
        kind = _isdigit if is_num else _isalpha
        si, sj = i, j
        while i < la and kind(a[i]):
            i += 1
        while j < lb and kind(b[j]):
            j += 1
        sa, sb = a[si:i], b[sj:j]
        if not sb:
            return 1 if is_num else -1
        if is_num:
            sa, sb = sa.lstrip(b"0"), sb.lstrip(b"0")
            if len(sa) != len(sb):
                return 1 if len(sa) > len(sb) else -1
        if sa != sb:
            return -1 if sa < sb else 1
    if i >= la and j >= lb:
        return 0
    return -1 if i >= la else 1


def compare(a: str, b: str) -> int:
    va, vb = parse(a), parse(b)
    r = rpmvercmp(va.epoch, vb.epoch) or rpmvercmp(va.version, vb.version)
    if r:
        return r
    if va.release is None or vb.release is None:
        return (vb.release is None) - (va.release is None)
    return rpmvercmp(va.release, vb.release)
