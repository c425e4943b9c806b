"""QA of the command line as CI uses it: odd file names, report files, configuration errors,
a reader that goes away. The real CLI (``hardhull.cli.main``) on real files in tmp_path;
exact output and exit codes, never a traceback."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from hardhull.cli import main

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
    - name: app
      image: nginx:1.25
      securityContext:
        privileged: true
"""
#: a file name that is not valid UTF-8 (Latin-1 "é"), as os.listdir returns it
BAD_NAME = os.fsdecode(b"caf\xe9.yaml")


def denied(path: str, codes: str = "K001") -> str:
    """What the scan says on stderr when the admission policy denies the test pod."""
    return (
        "hardhull: the built-in admission policy denies 1 object(s):\n"
        f"  {path}: Pod/prod/web: {codes}\n"
    )


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bad_name_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if sys.platform == "darwin":  # pragma: no cover - APFS refuses such names
        pytest.skip("the file system refuses non-UTF-8 names")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.yaml"), "wb") as fh:
        fh.write(POD.encode())
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- file names that are not UTF-8 ----------------------------------------------------------


def test_non_utf8_file_name_text(capsys: pytest.CaptureFixture[str], bad_name_dir: Path) -> None:
    code, out, err = _run(capsys, "scan", ".", "--select", "K001")
    assert (code, err) == (1, denied("./caf\\xe9.yaml"))
    assert out.splitlines()[:3] == [
        "./caf\\xe9.yaml",
        '      11:9  critical K001 container "app" runs privileged  [Pod/prod/web]',
        "            | privileged: true",
    ]


def test_non_utf8_file_name_json_sarif_junit(
    capsys: pytest.CaptureFixture[str], bad_name_dir: Path
) -> None:
    code, out, err = _run(capsys, "scan", BAD_NAME, "--select", "K001", "-f", "json")
    assert (code, err) == (1, denied("caf\\xe9.yaml"))
    finding = json.loads(out)["findings"][0]
    assert finding["location"] == {"path": "caf\\xe9.yaml", "line": 11, "column": 9}
    code, out, err = _run(capsys, "scan", BAD_NAME, "--select", "K001", "-f", "sarif")
    assert (code, err) == (1, denied("caf\\xe9.yaml"))
    result = json.loads(out)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "caf%E9.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    code, out, err = _run(capsys, "scan", BAD_NAME, "--select", "K001", "-f", "junit")
    assert (code, err) == (1, denied("caf\\xe9.yaml"))
    assert (
        '<testcase classname="caf\\xe9.yaml" name="Pod/prod/web: K001 privileged-container">' in out
    )


def test_non_utf8_file_name_pss(capsys: pytest.CaptureFixture[str], bad_name_dir: Path) -> None:
    code, out, err = _run(capsys, "pss", BAD_NAME, "--level", "baseline", "-f", "json")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert [(f["code"], f["location"]) for f in report["findings"]] == [
        ("P002", {"path": "caf\\xe9.yaml", "line": 11, "column": 9})
    ]


def test_non_utf8_file_name_in_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.yaml"), "wb") as fh:
        fh.write(b"apiVersion: v1\nkind: Pod\na: [\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", os.fsdecode(b"bad\xff.yaml"), "-f", "json")
    assert code == 2
    assert err == (
        "hardhull: input error: bad\\xff.yaml:4:1: YAML syntax error: did not find expected "
        "node content (while parsing a flow node)\n"
        "hardhull: error: nothing could be scanned\n"
    )
    assert json.loads(out)["errors"][0]["path"] == "bad\\xff.yaml"


# --- --output -------------------------------------------------------------------------------


def test_output_into_missing_directory_creates_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(
        capsys, "scan", "pod.yaml", "--select", "K001", "-f", "sarif", "-o", "reports/ci/h.sarif"
    )
    assert (code, out, err) == (1, "", denied("pod.yaml"))
    sarif = json.loads((tmp_path / "reports/ci/h.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["K001"]


def test_output_below_a_file_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "reports").write_text("")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", "pod.yaml", "-o", "reports/h.json")
    assert (code, out) == (2, "")
    assert err == "hardhull: cannot write reports/h.json: reports is not a directory\n"


# --- configuration errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "format: xml\n",
            "./.hardhull.yaml: 'format' must be one of text, json, sarif, junit, not 'xml'",
        ),
        (
            "fail-on: medum\n",
            "./.hardhull.yaml: 'fail-on' must be one of info, low, medium, high, critical, "
            "never, not 'medum'",
        ),
        (
            "pss-level: strict\n",
            "./.hardhull.yaml: 'pss-level' must be one of privileged, baseline, restricted, "
            "not 'strict'",
        ),
        ("as-of: 2026-13-01\n", "./.hardhull.yaml: invalid value: month must be in 1..12"),
        (
            "fail-on: high\nexclude: [a\n",
            "./.hardhull.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'",
        ),
    ],
)
def test_configuration_errors(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    message: str,
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / ".hardhull.yaml").write_text(config)
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", "pod.yaml")
    assert (code, out) == (2, "")
    assert err == f"hardhull: configuration error: {message}\n"


def test_missing_config_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", "pod.yaml", "--config", "nope.yaml")
    assert (code, out) == (2, "")
    assert (
        err == "hardhull: configuration error: nope.yaml: cannot read: No such file or directory\n"
    )


def test_non_utf8_config_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / ".hardhull.yaml").write_bytes(b"fail-on: high\n# caf\xe9\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", "pod.yaml")
    assert (code, out) == (2, "")
    assert err == (
        "hardhull: configuration error: ./.hardhull.yaml: not valid UTF-8 (byte 19): "
        "save it as UTF-8\n"
    )


# --- the reader goes away (`hardhull scan . | head`) ----------------------------------------


class _ClosedPipe(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_keeps_exit_code_and_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\na: [\n")
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    monkeypatch.setattr(sys, "stderr", err)
    # findings at or above --fail-on: still exit 1, and input errors still reach stderr
    assert main(["scan", ".", "-f", "json"]) == 1
    assert err.getvalue() == (
        "hardhull: input error: ./bad.yaml:4:1: YAML syntax error: did not find expected node "
        "content (while parsing a flow node)\n" + denied("./pod.yaml", "K001, K100")
    )
    assert main(["scan", "pod.yaml", "--fail-on", "never"]) == 0
    assert main(["rules"]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "examples", "--jobs", "-3"], "argument --jobs/-j: -3 is negative: use 0 or more"),
        (
            [
                "admission",
                "serve",
                "--tls-cert",
                "c",
                "--tls-key",
                "k",
                "--cert-check-seconds",
                "-5",
            ],
            "argument --cert-check-seconds: -5 is not a number of seconds, 0 or more",
        ),
        (
            [
                "admission",
                "serve",
                "--tls-cert",
                "c",
                "--tls-key",
                "k",
                "--cert-check-seconds",
                "nan",
            ],
            "argument --cert-check-seconds: nan is not a number of seconds, 0 or more",
        ),
    ],
)
def test_negative_counts_and_durations_are_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.rstrip().endswith(f"hardhull: error: {message}")
