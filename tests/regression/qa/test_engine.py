"""QA of the engine through the CLI: suppressions and baselines on Dockerfiles behave as they
do on manifests (a credential accepted once stays accepted; a baseline does not depend on how
the path was spelled)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardhull.cli import main

TOKEN = "ghp_R8x2Lq9ZkT4vB7nW1cY5mP3sD6fH0jA2gE8u"
DOCKERFILE = f"FROM alpine:3.20\nARG GITHUB_TOKEN={TOKEN}\nUSER 1000\n"


def _findings(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[tuple[Any, ...]], dict[str, int]]:
    code = main(["scan", *argv, "-f", "json", "--as-of", "2026-05-01"])
    report = json.loads(capsys.readouterr().out)
    return (
        code,
        [
            (f["code"], f["location"]["path"], f["location"]["line"], f["location"]["column"])
            for f in report["findings"]
        ],
        report["summary"]["suppressed"],
    )


def test_token_in_dockerfile_is_reported_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(tmp_path)
    code, found, suppressed = _findings(capsys, "Dockerfile", "--select", "D005,S")
    assert (code, found, suppressed) == (1, [("D005", "Dockerfile", 2, 5)], {})
    # the file-wide secret rule (S005) would find the token too: reported once, as D005


def test_ignored_credential_does_not_come_back_as_s005(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text(
        f"FROM alpine:3.20\n# hardhull: ignore[D005]\nARG GITHUB_TOKEN={TOKEN}\nUSER 1000\n"
    )
    monkeypatch.chdir(tmp_path)
    code, found, suppressed = _findings(capsys, "Dockerfile", "--select", "D005,S")
    assert (code, found, suppressed) == (0, [], {"comment": 1})


def test_baselined_credential_does_not_come_back_as_s005(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "Dockerfile", "--write-baseline", "base.json", "-o", "r.txt"]) == 1
    code, found, suppressed = _findings(
        capsys, "Dockerfile", "--select", "D005,S", "--baseline", "base.json"
    )
    assert (code, found, suppressed) == (0, [], {"baseline": 1})


@pytest.mark.parametrize("spelling", ["./repo/", "repo/Dockerfile", "{abs}/repo"])
def test_dockerfile_baseline_survives_path_spelling(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo/Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(tmp_path)
    write = ["--write-baseline", "base.json", "-o", "r.txt", "--as-of", "2026-05-01"]
    assert main(["scan", "repo", *write]) == 1
    baselined = len(json.loads((tmp_path / "base.json").read_text())["fingerprints"])
    assert baselined == 4  # D001 (end of life since 2026-04-01) D003 D005 D020
    code, found, suppressed = _findings(
        capsys, spelling.format(abs=tmp_path), "--baseline", "base.json"
    )
    assert (code, found, suppressed) == (0, [], {"baseline": 4})


def test_dockerfile_resource_is_named_by_the_normalised_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hardhull.engine import ScanOptions, scan

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").write_text("FROM alpine:3.20\n")
    monkeypatch.chdir(tmp_path)
    names = {
        str(f.resource)
        for arg in ("./repo/", "repo", "repo/Dockerfile")
        for f in scan([arg], ScanOptions(jobs=1)).findings
    }
    assert names == {"Dockerfile/repo/Dockerfile"}
