"""Reporters: they only format a :class:`~hardhull.engine.ScanResult`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hardhull.engine import ScanResult

Reporter = Callable[["ScanResult", bool], str]
FORMATS = ("text", "json", "sarif", "junit")
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


def render(fmt: str, result: ScanResult, color: bool = False) -> str:
    if fmt == "text":
        from hardhull.report.text import render_text

        return render_text(result, color)
    if fmt == "json":
        from hardhull.report.jsonfmt import render_json

        return render_json(result)
    if fmt == "sarif":
        from hardhull.report.sarif import render_sarif

        return render_sarif(result)
    if fmt == "junit":
        from hardhull.report.junit import render_junit

        return render_junit(result)
    raise ValueError(f"unknown format {fmt!r}")
