"""The scan that the report tests format: a small tree written to a temporary directory.

Only the rules in :data:`RULES_ON` are enabled, so rules added later do not change the
reports these tests pin down. The tests here check the scan itself, so that a failure in a
reporter test means the reporter, not the engine, changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.model import InputError, Skipped
from tests.helpers.report import (
    HELM_SKIP,
    YAML_ERROR,
    scan_tree,
)

# a directory name with a space: the SARIF URI must percent-encode it


def test_scenario_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_tree(tmp_path, monkeypatch)
    got = [
        (f.rule.code, f.location.path, f.location.line, f.location.column, str(f.resource))
        for f in result.findings
    ]
    assert got == [
        ("K001", "./my app/job.yaml", 8, 61, "Job/ops/once"),
        ("K014", "./pod.yaml", 7, 3, "Pod/shop/web"),
        ("K001", "./pod.yaml", 12, 9, "Pod/shop/web"),
        ("K004", "./pod.yaml", 13, 9, "Pod/shop/web"),
    ]
    assert result.errors == [InputError("./broken.yaml", YAML_ERROR, 5, 1)]
    assert result.skipped == [Skipped("./chart.yaml", HELM_SKIP)]
    assert dict(result.suppressed) == {"annotation": 1, "comment": 1}
    assert (result.files, result.objects, result.ignored) == (4, 3, 0)
