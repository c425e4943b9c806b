"""File paths as reports, fingerprints and messages show them."""

from __future__ import annotations

import os
import sys

#: paths that name no file: standard input ("<stdin>"), objects that came from no file ("")
NOT_A_FILE = frozenset({"", "-", "<stdin>"})


def printable_path(path: str) -> str:
    """``path`` with the bytes of a non-UTF-8 file name (surrogate escapes) shown as ``\\xNN``:
    such names can be read, but not written as UTF-8 text (reports, fingerprints)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def display_path(path: str) -> str:
    """A path as given, normalised for display: no ``./``, POSIX separators."""
    if path in NOT_A_FILE:
        return path or "<object>"
    return printable_path(os.path.normpath(path).replace(os.sep, "/"))


def stable_path(path: str) -> str:
    """The file path as fingerprints see it: `./a.yaml`, `a.yaml` and `$PWD/a.yaml` agree."""
    if path in ("", "-", "<stdin>"):
        return path
    p = os.path.normpath(path)
    if os.path.isabs(p):
        try:
            rel = os.path.relpath(p)
        except ValueError:  # another drive on Windows
            rel = p
        if not rel.startswith(".."):
            p = rel
    return p.replace(os.sep, "/")


def user_cache_dir() -> str:
    """The user's cache directory: ``$XDG_CACHE_HOME``, else ``~/Library/Caches`` on macOS,
    ``%LOCALAPPDATA%`` on Windows, ``~/.cache`` elsewhere."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return xdg
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches")
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        if local:
            return local
    return os.path.expanduser("~/.cache")
