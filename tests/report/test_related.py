"""Set findings name the other objects they stand for (issue #9 §4): N001/N002 on a namespace
land on one workload's file and list the namespace's other workloads, located like the finding
itself, as SARIF ``relatedLocations``, JSON ``related`` and the text report's ``also:`` line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardhull.engine import ScanResult, scan
from hardhull.report import render
from tests.helpers.report import only
from tests.report.test_sarif import sarif

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: a, image: nginx}]
"""
WORKER = """\
# the worker
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  labels: {app: worker}
  namespace:   shop
spec:
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: a, image: nginx}]
"""


def _scan(root: Path, monkeypatch: pytest.MonkeyPatch, *extra: tuple[str, str]) -> ScanResult:
    (root / "web").mkdir()
    (root / "worker").mkdir()
    (root / "web" / "web.yaml").write_text(WEB, encoding="utf-8")
    (root / "worker" / "worker.yaml").write_text(WORKER, encoding="utf-8")
    for name, text in extra:
        (root / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    return scan(["."], only(frozenset({"N001"})))


def test_namespace_finding_lists_the_other_workloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _scan(tmp_path, monkeypatch)
    [f] = result.findings
    assert (f.code, f.location.path, f.location.line, f.location.column) == (
        "N001", "./web/web.yaml", 5, 3,
    )  # fmt: skip
    # the worker is located like the finding: at its namespace field, line 7, column 3
    [rel] = f.related
    assert (rel.location.path, rel.location.line, rel.location.column, str(rel.resource)) == (
        "./worker/worker.yaml", 7, 3, "Deployment/shop/worker",
    )  # fmt: skip

    [res] = sarif(result)["runs"][0]["results"]
    assert res["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "worker/worker.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 7, "startColumn": 3},
            },
            "logicalLocations": [
                {
                    "kind": "resource",
                    "name": "worker",
                    "fullyQualifiedName": "Deployment/shop/worker",
                }
            ],
            "message": {"text": "Deployment/shop/worker"},
        }
    ]

    [found] = json.loads(render("json", result))["findings"]
    assert found["related"] == [
        {"path": "./worker/worker.yaml", "line": 7, "column": 3, "object": "Deployment/shop/worker"}
    ]

    lines = render("text", result).splitlines()
    at = next(i for i, line in enumerate(lines) if " N001 " in line)
    assert lines[at + 2].strip() == "also: ./worker/worker.yaml:7:3 Deployment/shop/worker"


def test_finding_on_the_namespace_object_lists_every_workload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    result = _scan(tmp_path, monkeypatch, ("ns.yaml", ns))
    [f] = result.findings
    assert (f.location.path, f.location.line, str(f.resource)) == ("./ns.yaml", 4, "Namespace/shop")
    got = [(r.location.path, r.location.line, str(r.resource)) for r in f.related]
    assert got == [
        ("./web/web.yaml", 5, "Deployment/shop/web"),
        ("./worker/worker.yaml", 7, "Deployment/shop/worker"),
    ]


def test_findings_of_one_object_have_no_related_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "web.yaml").write_text(WEB, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = scan(["."], only(frozenset({"N001", "K001"})))
    doc: dict[str, Any] = json.loads(render("json", result))
    assert [f["code"] for f in doc["findings"]] == ["N001"]
    assert "related" not in doc["findings"][0]
    assert "relatedLocations" not in sarif(result)["runs"][0]["results"][0]
    assert "also:" not in render("text", result)
