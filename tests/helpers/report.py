"""The scan behind the report tests: a small tree of manifests (a pod, a deployment, a job, a
broken file, a Helm template) scanned with only :data:`RULES_ON` enabled, so rules added later
do not change the reports pinned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardhull.engine import ScanOptions, ScanResult, scan
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
