"""``pss``, ``rbac`` and ``netpol`` follow scan's rule (docs/inputs.md): inputs with no
Kubernetes object in them (Helm templates only, other tools' files) are exit 2 with a message
that says so, never a silent pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [["pss"], ["rbac", "who-can", "get", "pods"], ["netpol", "reach"]]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardhull", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_helm_templates_only(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: x\nversion: 1.0.0\n")
    (tmp_path / "templates" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n"
    )
    proc = run(*command, str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(
        "nothing was checked: 2 file(s) read, 1 skipped, 1 other document(s) ignored; "
        "no Kubernetes object"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_other_tools_files_only(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nUSER 10001\n")
    (tmp_path / "settings.yaml").write_text("debug: true\n")
    proc = run(*command, str(tmp_path))
    assert proc.returncode == 2
    assert "nothing was checked" in proc.stderr
    assert "Traceback" not in proc.stderr
