"""Version comparison per OSV ecosystem: :func:`compare` orders two versions as the
ecosystem's own tool does (dpkg, apk, rpm, pip, semver, Maven).

The API below is what the matcher relies on. (The skeleton compares PyPI only; the other
ecosystems land with their exact implementations.)
"""

from __future__ import annotations


class UnsupportedEcosystem(ValueError):
    """No comparison is known for this ecosystem."""


class InvalidVersion(ValueError):
    """The text is not a version of this ecosystem."""


def _base(ecosystem: str) -> str:
    """``Debian:12`` → ``Debian``: the release suffix does not change the ordering."""
    return ecosystem.split(":", 1)[0]


def supported(ecosystem: str) -> bool:
    """Whether :func:`compare` knows the ecosystem (release suffix allowed)."""
    return _base(ecosystem) in ("PyPI",)


def compare(ecosystem: str, a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` sorts before, equal to or after ``b`` in ``ecosystem`` (OSV name,
    release suffix allowed). Raises :class:`UnsupportedEcosystem` or :class:`InvalidVersion`."""
    if _base(ecosystem) != "PyPI":
        raise UnsupportedEcosystem(ecosystem)
    from packaging.version import InvalidVersion as _Invalid
    from packaging.version import Version

    try:
        va, vb = Version(a), Version(b)
    except _Invalid as exc:
        raise InvalidVersion(str(exc)) from None
    return (va > vb) - (va < vb)
