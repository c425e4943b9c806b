"""Path helpers shared by the catalogers."""

from __future__ import annotations

import posixpath


def norm(path: str) -> str:
    """An image path without a leading "/" or "./", normalised ("usr/lib/x")."""
    p = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
    return "" if p == "." else p


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""
