"""JSON report (schema ``hardhull/report`` version 1): every documented key, exact values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardhull.engine import ScanResult, scan
from hardhull.report import render
from hardhull.report.jsonfmt import SCHEMA_VERSION, render_json
from tests.conftest import ROOT
from tests.helpers.report import HELM_SKIP, YAML_ERROR, only, scan_tree

DOC = ROOT / "docs" / "json-report.md"


def report(result: ScanResult) -> dict[str, Any]:
    text = render_json(result)
    assert text.endswith("}\n")
    doc: dict[str, Any] = json.loads(text)
    return doc


def test_scan_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_tree(tmp_path, monkeypatch)
    assert render("json", result) == render_json(result)
    doc = report(result)
    assert list(doc) == ["schema", "version", "tool", "summary", "findings", "errors", "skipped"]
    assert doc["schema"] == "hardhull/report"
    assert doc["version"] == SCHEMA_VERSION == 1
    assert doc["tool"] == {"name": "hardhull", "version": "0.1.0"}
    assert doc["summary"] == {
        "findings": 4,
        "by_severity": {"info": 0, "low": 0, "medium": 0, "high": 2, "critical": 2},
        "files": 4,
        "objects": 3,
        "ignored_documents": 0,
        "skipped": 1,
        "input_errors": 1,
        "suppressed": {"annotation": 1, "comment": 1},
    }
    assert list(doc["summary"]["by_severity"]) == ["info", "low", "medium", "high", "critical"]
    assert doc["findings"][0] == {
        "code": "K001",
        "slug": "privileged-container",
        "severity": "critical",
        "message": result.findings[0].message,
        "resource": {"apiVersion": "batch/v1", "kind": "Job", "namespace": "ops", "name": "once"},
        "pointer": "/spec/template/spec/containers/0/securityContext/privileged",
        "location": {"path": "./my app/job.yaml", "line": 8, "column": 61},
        "fix": [
            {
                "op": "replace",
                "path": "/spec/template/spec/containers/0/securityContext/privileged",
                "value": False,
            }
        ],
        "fingerprint": "3647695886d5dfd264fd9d9564567a86",
    }
    assert [
        (f["code"], f["severity"], f["location"]["path"], f["location"]["line"], f["fingerprint"])
        for f in doc["findings"]
    ] == [
        ("K001", "critical", "./my app/job.yaml", 8, "3647695886d5dfd264fd9d9564567a86"),
        ("K014", "high", "./pod.yaml", 7, "5bc6a7d4b0b34f45f97cb1bdf558e03d"),
        ("K001", "critical", "./pod.yaml", 12, "141be93de292290db8fa5ae37391a5e7"),
        ("K004", "high", "./pod.yaml", 13, "69b42314cee3fd506898fb18bbfe26d8"),
    ]
    assert [f["message"] for f in doc["findings"]] == [f.message for f in result.findings]
    assert [f["fix"] for f in doc["findings"]] == [f.fix for f in result.findings]
    assert doc["errors"] == [
        {"path": "./broken.yaml", "line": 5, "column": 1, "message": YAML_ERROR}
    ]
    assert doc["skipped"] == [{"path": "./chart.yaml", "reason": HELM_SKIP}]


def test_clean_and_empty() -> None:
    result = scan(
        [str(ROOT / "examples" / "hardened" / "shop.yaml")], only(frozenset({"K001", "K014"}))
    )
    doc = report(result)
    assert doc["summary"] == {
        "findings": 0,
        "by_severity": {"info": 0, "low": 0, "medium": 0, "high": 0, "critical": 0},
        "files": 1,
        "objects": 6,
        "ignored_documents": 0,
        "skipped": 0,
        "input_errors": 0,
        "suppressed": {},
    }
    assert (doc["findings"], doc["errors"], doc["skipped"]) == ([], [], [])


def _keys(value: Any, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            if k not in ("fix", "suppressed"):  # a JSON patch; mechanism names
                _keys(v, out)
    elif isinstance(value, list):
        for v in value:
            _keys(v, out)
    return out


def test_every_key_is_documented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/json-report.md names every key the report contains."""
    text = DOC.read_text(encoding="utf-8")
    produced = _keys(report(scan_tree(tmp_path, monkeypatch)), set())
    keys = {
        "schema", "version", "tool", "name", "summary", "findings", "by_severity", "files",
        "objects", "ignored_documents", "skipped", "input_errors", "suppressed", "code", "slug",
        "severity", "message", "resource", "apiVersion", "kind", "namespace", "pointer",
        "location", "path", "line", "column", "fix", "fingerprint", "errors", "reason",
    }  # fmt: skip
    assert produced - {"info", "low", "medium", "high", "critical"} == keys
    keys |= {"info", "low", "medium", "high", "critical", "annotation", "comment", "baseline"}
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert missing == []
