"""The scan that the report tests format: a small tree written to a temporary directory.

Only the rules in :data:`RULES_ON` are enabled, so rules added later do not change the
reports these tests pin down. The tests here check the scan itself, so that a failure in a
reporter test means the reporter, not the engine, changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardhull.engine import ScanOptions, ScanResult, scan
from hardhull.model import InputError, Skipped
from hardhull.rules import all_rules

RULES_ON = frozenset({"K001", "K004", "K014"})

POD_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  hostNetwork: true
  containers:
    - name: app
      image: nginx:1.25
      securityContext:
        privileged: true
        runAsUser: 0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    hardhull.dev/ignore: "K001: test fixture"
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          securityContext:
            privileged: true
            runAsUser: 0 # hardhull: ignore[K004]
"""

# a directory name with a space: the SARIF URI must percent-encode it
JOB_YAML = """\
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: ops}
spec:
  template:
    spec:
      containers:
        - {name: run, image: "busybox:1", securityContext: {privileged: true}}
"""

BROKEN_YAML = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n"
CHART_YAML = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n"

YAML_ERROR = "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"
HELM_SKIP = "Helm template (render it first: helm template … | hardhull scan -)"


def only(codes: frozenset[str], **kwargs: Any) -> ScanOptions:
    """Scan options with every rule but ``codes`` disabled, single process."""
    disabled = frozenset(all_rules()) - codes
    return ScanOptions(jobs=1, disabled=disabled, **kwargs)


def write_tree(root: Path) -> None:
    (root / "my app").mkdir()
    (root / "pod.yaml").write_text(POD_YAML, encoding="utf-8")
    (root / "my app" / "job.yaml").write_text(JOB_YAML, encoding="utf-8")
    (root / "broken.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    (root / "chart.yaml").write_text(CHART_YAML, encoding="utf-8")


def scan_tree(root: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> ScanResult:
    """Write the tree under ``root``, make it the working directory and scan ``.``."""
    write_tree(root)
    monkeypatch.chdir(root)
    return scan(["."], only(RULES_ON, **kwargs))


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
