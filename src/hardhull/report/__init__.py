"""Reporters: they only format a :class:`~hardhull.engine.ScanResult`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hardhull.engine import ScanResult

Reporter = Callable[["ScanResult", bool], str]
FORMATS = ("text", "json")


def render(fmt: str, result: ScanResult, color: bool = False) -> str:
    if fmt == "text":
        from hardhull.report.text import render_text

        return render_text(result, color)
    if fmt == "json":
        from hardhull.report.jsonfmt import render_json

        return render_json(result)
    raise ValueError(f"unknown format {fmt!r}")
