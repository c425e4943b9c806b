"""The bundled compose and daemon.json examples: the insecure ones trip exactly these rules,
the hardened ones none."""

from __future__ import annotations

from hardhull.engine import ScanOptions, scan
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _rows(path: str) -> list[tuple[str, int, int, str]]:
    result = scan([path], ScanOptions(jobs=1))
    assert result.errors == []
    return sorted(
        (f.rule.code, f.location.line, f.location.column, f.severity.label) for f in result.findings
    )


def test_insecure_compose_exact_findings() -> None:
    assert _rows(str(EXAMPLES / "insecure" / "compose.yaml")) == sorted(
        [
            # web: the hardening it lacks
            ("C009", 8, 3, "low"), ("C014", 8, 3, "low"), ("C019", 8, 3, "low"),
            ("C020", 8, 3, "low"), ("C018", 10, 5, "low"),
            # admin
            ("C014", 16, 3, "low"), ("C019", 16, 3, "low"), ("C020", 16, 3, "low"),
            ("C018", 17, 5, "low"), ("C001", 18, 5, "critical"), ("C003", 19, 5, "high"),
            ("C022", 21, 9, "low"), ("C015", 23, 9, "critical"), ("C016", 24, 9, "critical"),
            # db
            ("C009", 28, 3, "low"), ("C019", 28, 3, "low"), ("C020", 28, 3, "low"),
            ("C018", 30, 5, "medium"), ("C021", 33, 9, "medium"), ("C022", 36, 9, "low"),
            ("C014", 37, 5, "low"), ("C010", 38, 9, "high"), ("C011", 39, 9, "high"),
            # vpn
            ("C009", 41, 3, "low"), ("C014", 41, 3, "low"), ("C019", 41, 3, "low"),
            ("C020", 41, 3, "low"), ("C018", 42, 5, "low"), ("C002", 43, 5, "high"),
            ("C008", 45, 9, "high"), ("C008", 46, 9, "critical"), ("C017", 48, 9, "low"),
            ("C017", 49, 9, "high"),
        ]
    )  # fmt: skip


def test_hardened_compose_is_clean() -> None:
    result = scan([str(EXAMPLES / "hardened" / "compose.yaml")], ScanOptions(jobs=1))
    assert result.errors == []
    assert result.findings == []
    assert result.objects == 2


def test_insecure_daemon_exact_findings() -> None:
    assert _rows(str(EXAMPLES / "insecure" / "daemon.json")) == sorted(
        [
            ("E002", 1, 1, "medium"), ("E003", 1, 1, "low"), ("E004", 1, 1, "low"),
            ("E005", 1, 1, "low"), ("E011", 1, 1, "low"), ("E014", 1, 1, "info"),
            ("E008", 2, 44, "critical"), ("E009", 3, 27, "medium"), ("E015", 4, 3, "low"),
            ("E010", 5, 3, "high"), ("E012", 6, 3, "low"), ("E013", 7, 3, "low"),
            ("E001", 8, 3, "low"), ("E007", 9, 3, "medium"), ("E006", 10, 3, "low"),
        ]
    )  # fmt: skip


def test_hardened_daemon_is_clean() -> None:
    result = scan([str(EXAMPLES / "hardened" / "daemon.json")], ScanOptions(jobs=1))
    assert result.errors == []
    assert result.findings == []
    assert result.objects == 1
