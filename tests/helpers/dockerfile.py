"""Scan a Dockerfile written to a temporary directory (``as_of`` fixed) and return the exact
rows (code, line, column, message, severity) of the rules asked for."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from hardhull.engine import ScanOptions, ScanResult, scan

AS_OF = date(2026, 11, 25)

DIGEST = "sha256:" + "0123456789abcdef" * 4

Row = tuple[str, int, int, str, str]


def run(
    tmp_path: Path,
    text: str,
    *,
    dockerignore: bool = True,
    name: str = "Dockerfile",
    as_of: date = AS_OF,
) -> ScanResult:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    if dockerignore:
        (tmp_path / ".dockerignore").write_text(".git\n")
    return scan([str(path)], ScanOptions(jobs=1, as_of=as_of))


def rows(result: ScanResult, *codes: str) -> list[Row]:
    assert result.errors == []
    return [
        (f.code, f.location.line, f.location.column, f.message, f.severity.label)
        for f in result.findings
        if f.code in codes
    ]


def found(tmp_path: Path, text: str, *codes: str, **kw: object) -> list[Row]:
    return rows(run(tmp_path, text, **kw), *codes)  # type: ignore[arg-type]
