"""Scan one cluster-configuration manifest and return its exact rows; find the line of a flag."""

from __future__ import annotations

from pathlib import Path

from hardhull.engine import ScanOptions, scan

Row = tuple[str, int, int, str, str]


def cluster_findings(tmp_path: Path, text: str, name: str = "manifest.yaml") -> list[Row]:
    path = tmp_path / name
    path.write_text(text)
    result = scan([str(path)], ScanOptions(jobs=1))
    # only errors of the checks over the whole set (RBAC, network policy) are others' business
    assert [e for e in result.errors if not e.message.startswith("internal error in ")] == []
    return sorted(
        (f.code, f.location.line, f.location.column, f.message, f.severity.label)
        for f in result.findings
        if f.code.startswith("A")
    )


def line(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the line holding ``needle`` (its nth occurrence)."""
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    return hits[nth - 1]
