"""`hardhull scan` end to end on the rules the policy libraries showed missing (K036–K040):
they hold whatever the Pod Security flags say, and Services and PersistentVolumes reach them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_scan import pod, run


def _findings(*args: str, cwd: Path) -> list[tuple[str, str]]:
    proc = run("scan", "p.yaml", "-f", "json", *args, cwd=cwd, k100=True)
    assert proc.returncode in (0, 1), proc.stderr
    return [(f["code"], f["severity"]) for f in json.loads(proc.stdout)["findings"]]


def test_k036_whatever_the_pod_security_flags(tmp_path: Path) -> None:
    text = pod().replace(
        "livenessProbe: {httpGet: {path: /, port: 8080}}",
        "livenessProbe: {httpGet: {path: /, port: 8080, host: 169.254.169.254}}",
    )
    assert "host: 169.254.169.254" in text
    (tmp_path / "p.yaml").write_text(text)
    assert _findings(cwd=tmp_path) == [("K036", "medium"), ("K100", "medium")]
    assert _findings("--disable", "K100", cwd=tmp_path) == [("K036", "medium")]
    assert _findings("--pss-level", "privileged", cwd=tmp_path) == [("K036", "medium")]
    assert _findings("--pss-version", "v1.33", cwd=tmp_path) == [("K036", "medium")]


def test_service_and_persistent_volume_findings_set_the_exit_code(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: shop}\n"
        "spec:\n  type: NodePort\n  externalIPs: [192.0.2.1]\n  ports: [{port: 80}]\n"
        "---\n"
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
        "spec:\n  capacity: {storage: 1Gi}\n  hostPath: {path: /var/run/docker.sock}\n"
    )
    assert sorted(_findings(cwd=tmp_path)) == [
        ("K037", "critical"), ("K038", "medium"), ("K040", "low"),
    ]  # fmt: skip
    proc = run("scan", "p.yaml", cwd=tmp_path)
    assert proc.returncode == 1  # K037 critical is at or above the default --fail-on high
    proc = run("scan", "p.yaml", "--disable", "K037", cwd=tmp_path)
    assert proc.returncode == 0
