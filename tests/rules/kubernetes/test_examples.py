"""The bundled Kubernetes example: the insecure app trips exactly these rules, the hardened one
none. (Each front end's examples are asserted in that front end's own tests.)"""

from __future__ import annotations

from hardhull.engine import ScanOptions, scan
from tests.conftest import ROOT


def test_insecure_example_exact_findings() -> None:
    result = scan([str(ROOT / "examples" / "insecure" / "shop.yaml")], ScanOptions(jobs=1))
    got = sorted((f.rule.code, f.location.line, f.location.column) for f in result.findings)
    assert got == sorted(
        [
            ("K031", 6, 3),
            ("K030", 16, 5),
            ("K014", 17, 7),
            ("K100", 17, 7),
            ("K024", 19, 11),
            ("K025", 19, 11),
            ("K026", 19, 11),
            ("K032", 19, 11),
            ("K033", 19, 11),
            ("K027", 20, 11),
            ("K020", 23, 15),
            ("K002", 24, 11),
            ("K006", 24, 11),
            ("K010", 24, 11),
            ("K001", 25, 13),
            ("K004", 26, 13),
            ("K007", 27, 13),
            ("K008", 28, 21),
            ("K008", 28, 34),
            ("K019", 37, 13),
            ("K018", 40, 13),
        ]
    )
    assert result.errors == []


def test_hardened_example_is_clean() -> None:
    result = scan([str(ROOT / "examples" / "hardened" / "shop.yaml")], ScanOptions(jobs=1))
    assert result.findings == []
    assert result.objects == 6
    assert dict(result.suppressed) == {"annotation": 1}
