"""Configuration discovery (issue #9): the nearest `.hardhull.yaml` / `.hardhull.yml` /
pyproject.toml `[tool.hardhull]` from the working directory up to the repository root, which
one wins in a directory, and `scan --show-config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.cli import main
from hardhull.cli.config import find_config

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
    - name: app
      image: nginx
      ports: [{containerPort: 80, hostPort: 80}]
"""

NONE = (
    "config: none (no .hardhull.yaml, .hardhull.yml or pyproject.toml [tool.hardhull] from "
    "here up to the repository root)"
)


def show(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["scan", "--show-config", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def settings(**changed: str) -> list[str]:
    base = {
        "fail-on": "none (the admission policy decides)",
        "format": "text",
        "exclude": "[]",
        "disable": "[]",
        "select": "[]",
        "severity": "{}",
        "pss-level": "restricted",
        "max-file-size": "10485760",
        "baseline": "none",
        "as-of": "today",
    }
    base.update({k.replace("_", "-"): v for k, v in changed.items()})
    return [f"{k}: {v}" for k, v in base.items()]


def without_version(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("pss-version: ")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """tmp/outer/repo (a repository: it holds .git) with sub/deep inside."""
    root = tmp_path / "outer" / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "sub" / "deep").mkdir(parents=True)
    return root


def test_found_in_a_parent_directory_up_to_the_repository_root(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".hardhull.yaml").write_text("fail-on: low\ndisable: [K029]\nbaseline: b.json\n")
    monkeypatch.chdir(repo / "sub" / "deep")
    code, lines, err = show(capsys)
    assert code == 0 and err == ""
    assert lines[0] == "config: ../../.hardhull.yaml"
    assert without_version(lines[1:]) == settings(
        fail_on="low", disable='["K029"]', baseline="../../b.json"
    )
    # and a scan from there uses it (fail-on low: the K020 host port fails the run), with
    # the baseline next to the configuration file
    (repo / "b.json").write_text('{"fingerprints": []}')
    (repo / "sub" / "deep" / "p.yaml").write_text(POD)
    assert main(["scan", "p.yaml", "--select", "K020"]) == 1
    capsys.readouterr()


def test_the_nearest_directory_wins(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".hardhull.yaml").write_text("fail-on: low\n")
    (repo / "sub" / "pyproject.toml").write_text('[tool.hardhull]\nfail-on = "medium"\n')
    monkeypatch.chdir(repo / "sub" / "deep")
    assert find_config() == ("../pyproject.toml [tool.hardhull]", [])
    # a pyproject.toml without [tool.hardhull] is no configuration: the search goes on
    (repo / "sub" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config() == ("../../.hardhull.yaml", [])
    monkeypatch.chdir(repo)
    assert find_config() == ("./.hardhull.yaml", [])


def test_the_search_stops_at_the_repository_root(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.parent / ".hardhull.yaml").write_text("fail-on: low\n")  # outside the repository
    monkeypatch.chdir(repo / "sub")
    assert find_config() == (None, [])
    code, lines, _ = show(capsys)
    assert code == 0 and lines[0] == NONE
    # a .git file (a worktree, a submodule) marks a root too
    (repo / ".git").rmdir()
    (repo / ".git").write_text("gitdir: /elsewhere\n")
    assert find_config() == (None, [])
    # outside any repository the search goes up to the filesystem root
    (repo / ".git").unlink()
    assert find_config() == ("../../.hardhull.yaml", [])


def test_both_in_one_directory_hardhull_yaml_wins_with_a_warning(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".hardhull.yaml").write_text("fail-on: low\n")
    (repo / ".hardhull.yml").write_text("fail-on: critical\n")
    (repo / "pyproject.toml").write_text('[tool.hardhull]\nfail-on = "medium"\n')
    monkeypatch.chdir(repo)
    code, lines, err = show(capsys)
    assert code == 0
    assert lines[:2] == ["config: ./.hardhull.yaml", "fail-on: low"]
    assert err.splitlines() == [
        f"hardhull: warning: ./{other} is ignored: ./.hardhull.yaml in the same directory "
        "configures hardhull (.hardhull.yaml wins over .hardhull.yml, both over pyproject.toml)"
        for other in (".hardhull.yml", "pyproject.toml [tool.hardhull]")
    ]


def test_flags_and_explicit_config_in_show_config(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".hardhull.yaml").write_text("fail-on: low\nseverity: {K020: info}\n")
    (repo / "sub" / "other.yaml").write_text("exclude: ['x/*']\nbaseline: base.json\n")
    monkeypatch.chdir(repo)
    code, lines, err = show(capsys, "--fail-on", "never", "--disable", "K001", "-f", "json")
    assert code == 0 and err == ""
    assert without_version(lines) == [
        "config: ./.hardhull.yaml",
        *settings(fail_on="never", format="json", disable='["K001"]', severity='{"K020": "info"}'),
    ]
    code, lines, err = show(capsys, "--config", "sub/other.yaml", "--pss-version", "v1.30")
    assert code == 0 and err == ""
    assert lines == [
        "config: sub/other.yaml",
        *settings(exclude='["x/*"]', baseline="sub/base.json")[:7],
        "pss-version: v1.30",
        *settings(exclude='["x/*"]', baseline="sub/base.json")[7:],
    ]


def test_a_broken_configuration_is_still_an_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text("[tool.hardhull\n")
    monkeypatch.chdir(repo / "sub")
    code, lines, err = show(capsys)
    assert code == 2 and lines == []
    assert err.startswith("hardhull: configuration error: ../pyproject.toml: ")
