"""Kustomize patches are fragments: reported as skipped with the reason, not judged as objects."""

from __future__ import annotations

from pathlib import Path

from hardhull.engine import ScanOptions, scan

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
"""
PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
"""


def test_patches_are_skipped_and_resources_scanned(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "deployment.yaml").write_text(BASE)
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    prod = tmp_path / "overlays" / "prod"
    prod.mkdir(parents=True)
    (prod / "replicas.yaml").write_text(PATCH)
    (prod / "json.yaml").write_text("- op: replace\n  path: /spec/replicas\n  value: 3\n")
    (prod / "kustomization.yaml").write_text(
        "resources: [../../base]\n"
        "patches:\n  - path: replicas.yaml\n  - path: json.yaml\n    target: {kind: Deployment}\n"
        "  - patch: |-\n      - op: add\n        path: /x\n        value: 1\n"
    )
    result = scan([str(tmp_path)], ScanOptions(jobs=1, disabled=frozenset({"K100"})))
    assert sorted((s.path[len(str(tmp_path)) :], s.reason) for s in result.skipped) == [
        (
            f"/overlays/prod/{name}",
            f"kustomize patch listed in {prod}/kustomization.yaml: a fragment, not an object "
            "(scan the output of `kustomize build` instead)",
        )
        for name in ("json.yaml", "replicas.yaml")
    ]
    paths = {f.location.path for f in result.findings}
    assert paths == {str(tmp_path / "base" / "deployment.yaml")}
    assert result.errors == []


def test_legacy_patches_strategic_merge(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PATCH)
    (tmp_path / "kustomization.yaml").write_text("patchesStrategicMerge:\n  - p.yaml\n")
    result = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert [s.path for s in result.skipped] == [str(tmp_path / "p.yaml")]
    assert result.findings == []
