"""A scan of some files with the rest of the repository as context (issue #9: the
pre-commit hook passes staged files in batches): the checks over the whole set and the
facts of the set see every file, findings are reported only in the files scanned."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from tests.helpers.netpol import DENY_ALL, deployment, docs, namespace, policy

PRIVILEGED_NS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: ops
  labels:
    pod-security.kubernetes.io/enforce: privileged
"""
HOST_PID = """\
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: ops
spec:
  hostPID: true
  containers:
    - name: c
      image: busybox:1.36
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(tmp_path: Path, paths: list[str], context: list[str]) -> list[tuple[str, str]]:
    opts = ScanOptions(jobs=1, context=[str(tmp_path / c) for c in context])
    result = scan([str(tmp_path / p) for p in paths], opts)
    assert result.errors == []
    root = str(tmp_path) + "/"
    return sorted((f.code, f.location.path.replace(root, "")) for f in result.findings)


def repo(tmp_path: Path) -> None:
    write(tmp_path / "ns/shop.yaml", docs(namespace("shop"), policy("deny", "shop", DENY_ALL)))
    write(tmp_path / "apps/web.yaml", deployment("web", "shop", "{app: web}"))
    write(tmp_path / "apps/api.yaml", deployment("api", "open", "{app: api}"))


def test_set_checks_see_the_context_and_report_only_in_the_scanned_files(
    tmp_path: Path,
) -> None:
    repo(tmp_path)
    alone = codes(tmp_path, ["apps/web.yaml"], [])
    assert ("N001", "apps/web.yaml") in alone  # a partial view: the policy is not seen
    with_context = codes(tmp_path, ["apps/web.yaml"], ["."])
    assert not [c for c in with_context if c[0].startswith("N")]
    # the namespace of api has no policy: its own file is reported, not another one
    api = codes(tmp_path, ["apps/api.yaml"], ["."])
    assert ("N001", "apps/api.yaml") in api
    assert {path for _, path in api} == {"apps/api.yaml"}
    # the same findings for a scanned file as a scan of the whole repository gives it
    whole = codes(tmp_path, ["."], [])
    assert [c for c in whole if c[1] == "apps/api.yaml"] == api
    assert [c for c in whole if c[1] == "apps/web.yaml"] == with_context


def test_facts_of_the_set_come_from_the_context(tmp_path: Path) -> None:
    write(tmp_path / "ns.yaml", PRIVILEGED_NS)
    write(tmp_path / "debug.yaml", HOST_PID)
    assert ("K100", "debug.yaml") in codes(tmp_path, ["debug.yaml"], [])
    assert ("K100", "debug.yaml") not in codes(tmp_path, ["debug.yaml"], ["."])


def test_a_kustomize_patch_in_the_context_is_no_object_of_the_set(tmp_path: Path) -> None:
    write(tmp_path / "base/kustomization.yaml", "resources: [web.yaml]\npatches:\n- path: p.yaml\n")
    write(tmp_path / "base/web.yaml", deployment("web", "shop", "{app: web}"))
    # a patch that would put a default-deny policy into shop if it were read as an object
    write(tmp_path / "base/p.yaml", policy("deny", "shop", DENY_ALL))
    assert ("N001", "base/web.yaml") in codes(tmp_path, ["base/web.yaml"], ["."])


GIT = shutil.which("git")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_pre_commit_flag_reads_the_committed_repository(tmp_path: Path) -> None:
    repo(tmp_path)
    write(tmp_path / "untracked/deny.yaml", policy("deny", "open", DENY_ALL))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "ns", "apps")
    git(tmp_path, "commit", "-q", "-m", "init")

    def run(*args: str) -> tuple[int, list[tuple[str, str]]]:
        proc = subprocess.run(
            [sys.executable, "-m", "hardhull", "scan", "-f", "json", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in proc.stderr
        report = json.loads(proc.stdout)
        return proc.returncode, [(f["code"], f["location"]["path"]) for f in report["findings"]]

    code, found = run("--pre-commit", "apps/web.yaml", "--select", "N", "--fail-on", "low")
    assert (code, found) == (0, [])
    _, found = run("apps/web.yaml")
    assert ("N001", "apps/web.yaml") in found  # without the flag: what it was given
    # an untracked file is not part of the repository the commit is judged against
    _, found = run("--pre-commit", "apps/api.yaml")
    assert ("N001", "apps/api.yaml") in found
