"""S005: format-recognised credentials in any file read, not reported twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan

# built at run time so that this repository holds no string that trips secret scanners
TOKEN = "ghp_" + "Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
PEM = (
    "-----BEGIN "
    + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA"
    + "x" * 40
    + "\n-----END RSA PRIVATE KEY-----"
)


def findings(tmp_path: Path, name: str, text: str) -> list[tuple[str, int, int, str, str]]:
    f = tmp_path / name
    f.write_text(text)
    result = scan([str(f)], ScanOptions(jobs=1))
    assert result.errors == []
    return [
        (x.rule.code, x.location.line, x.location.column, x.severity.label, x.message)
        for x in result.findings
        if x.rule.code[0] == "S" or x.rule.code in ("D005", "C021")
    ]


def test_token_in_helm_values_is_found(tmp_path: Path) -> None:
    got = findings(tmp_path, "values.yaml", f"image: app\ngithub:\n  token: {TOKEN}\n")
    assert got == [("S005", 3, 10, "high", "GitHub token in the file (ghp_…(40 chars))")]


def test_private_key_in_ci_config(tmp_path: Path) -> None:
    text = "deploy:\n  key: |\n" + "".join(f"    {line}\n" for line in PEM.splitlines())
    got = findings(tmp_path, "ci.yml", text)
    assert [(c, line, col, sev) for c, line, col, sev, _ in got] == [("S005", 3, 5, "high")]


def test_not_reported_twice_next_to_s002(tmp_path: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n"
        "  containers:\n    - name: a\n      image: a:1\n      env:\n"
        f"        - name: GH_TOKEN\n          value: {TOKEN}\n"
    )
    got = findings(tmp_path, "pod.yaml", pod)
    assert [(c, line) for c, line, *_ in got] == [("S002", 10)]


def test_not_reported_twice_next_to_d005(tmp_path: Path) -> None:
    got = findings(tmp_path, "Dockerfile", f"FROM alpine:3.20\nENV GH_TOKEN={TOKEN}\n")
    assert [(c, line) for c, line, *_ in got] == [("D005", 2)]


def test_clean_file_and_disable(tmp_path: Path) -> None:
    assert findings(tmp_path, "values.yaml", "token: ${GH_TOKEN}\nkey: /run/secrets/key\n") == []
    f = tmp_path / "v.yaml"
    f.write_text(f"token: {TOKEN}\n")
    result = scan([str(f)], ScanOptions(jobs=1, disabled=frozenset({"S005"})))
    assert result.findings == []


@pytest.mark.parametrize("name", ["notes.yaml", "config.json"])
def test_comment_suppression(tmp_path: Path, name: str) -> None:
    text = f"# hardhull: ignore[S005] test fixture\nvalue: {TOKEN}\n"
    if name.endswith(".json"):
        text = f'{{"value": "{TOKEN}"}}\n'
        assert [c for c, *_ in findings(tmp_path, name, text)] == ["S005"]
    else:
        assert findings(tmp_path, name, text) == []
