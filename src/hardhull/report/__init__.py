"""Reporters: they only format a :class:`~hardhull.engine.ScanResult`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hardhull.paths import NOT_A_FILE, display_path, printable_path

if TYPE_CHECKING:
    from hardhull.model import ScanResult

__all__ = ["FORMATS", "NOT_A_FILE", "display_path", "printable_path", "render", "render_pieces"]

FORMATS = ("text", "json", "sarif", "junit")


def render_pieces(fmt: str, result: ScanResult, color: bool = False) -> Iterable[str]:
    """The report in pieces, for the formats that can be written as they are made (JSON)."""
    if fmt == "json":
        from hardhull.report.jsonfmt import iter_json

        return iter_json(result)
    return [render(fmt, result, color)]


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
