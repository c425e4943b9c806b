"""``hardhull pss``: exact findings on small files, formats, exit codes, stdin."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardhull.cli.common import add_report_options
from hardhull.cli.pss import add_pss_parser, cmd_pss
from hardhull.registry import RULES
from hardhull.rules import all_rules, checks
from tests.conftest import ROOT

EXAMPLE_POD = str(ROOT / "examples" / "insecure" / "shop.yaml")
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: ["ALL"]
        runAsUser: 0
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
"""

GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ok
  namespace: shop
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: nginx
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
"""

PRIVILEGED = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  template:
    spec:
      hostPID: true
      containers:
        - name: agent
          image: agent
          securityContext:
            privileged: true
"""


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hardhull")
    sub = parser.add_subparsers(dest="command")
    add_pss_parser(sub, add_report_options)
    return parser.parse_args(["pss", *argv])


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_text_report_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    all_rules()
    path = write(tmp_path, "pod.yaml", POD)
    assert cmd_pss(parse(path, "--version", "v1.23", "--color", "never")) == 1
    out = capsys.readouterr().out
    assert out == (
        f"{path}\n"
        '       9:7  medium   P015 runAsNonRoot != true (pod or container "app" must set '
        "securityContext.runAsNonRoot=true)  [Pod/web]\n"
        "            | securityContext:\n"
        '       9:7  medium   P017 seccompProfile (pod or container "app" must set '
        'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")  [Pod/web]\n'
        "            | securityContext:\n"
        '      13:9  medium   P016 runAsUser=0 (container "app" must not set runAsUser=0)  '
        "[Pod/web]\n"
        "            | runAsUser: 0\n"
        "\n"
        "  rule   severity  count  title\n"
        "  P015   medium        1  {p15}\n"
        "  P016   medium        1  {p16}\n"
        "  P017   medium        1  {p17}\n"
        "\n"
        "3 finding(s): 0 critical, 0 high, 3 medium, 0 low, 0 info\n"
        "1 file(s) read, 1 object(s) checked, 1 other document(s) ignored, "
        "0 skipped, 0 input error(s), 0 suppressed\n"
    ).replace("{p15}", RULES["P015"].title).replace("{p16}", RULES["P016"].title).replace(
        "{p17}", RULES["P017"].title
    )


def test_version_changes_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pod.yaml", POD)
    assert cmd_pss(parse(path, "--version", "v1.22", "-f", "json")) == 1
    codes = [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert codes == ["P015", "P017"]  # runAsUser=0 is only forbidden from v1.23
    assert cmd_pss(parse(path, "--level", "baseline")) == 0


def test_json_report_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "ds.yaml", PRIVILEGED)
    assert cmd_pss(parse(path, "--level", "baseline", "--format", "json")) == 1
    doc = json.loads(capsys.readouterr().out)
    got = [
        (f["code"], f["slug"], f["severity"], f["message"], f["pointer"], f["location"]["line"],
         f["location"]["column"], f["resource"]["kind"], f["resource"]["namespace"])
        for f in doc["findings"]
    ]  # fmt: skip
    assert got == [
        ("P001", "pss-host-namespaces", "high", "host namespaces (hostPID)",
         "/spec/template/spec/hostPID", 9, 7, "DaemonSet", "kube-system"),
        ("P002", "pss-privileged", "critical",
         'privileged (container "agent" must not set securityContext.privileged=true)',
         "/spec/template/spec/containers/0/securityContext/privileged", 14, 13, "DaemonSet",
         "kube-system"),
    ]  # fmt: skip
    assert all(len(f["fingerprint"]) == 32 for f in doc["findings"])
    assert doc["summary"]["objects"] == 1 and doc["summary"]["files"] == 1


def test_clean_input_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "ok.yaml", GOOD)
    assert cmd_pss(parse(str(tmp_path))) == 0
    assert capsys.readouterr().out.startswith("0 finding(s)")


def test_fail_on_and_exclude(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "ok.yaml", GOOD)
    write(tmp_path, "pod.yaml", POD)
    assert cmd_pss(parse(str(tmp_path), "--fail-on", "never")) == 0
    assert cmd_pss(parse(str(tmp_path), "--fail-on", "high")) == 0  # medium findings only
    assert cmd_pss(parse(str(tmp_path), "--fail-on", "medium")) == 1
    assert cmd_pss(parse(str(tmp_path), "--exclude", "pod.yaml")) == 0
    capsys.readouterr()


def test_unreadable_input_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_pss(parse(str(tmp_path / "missing.yaml"))) == 2
    assert "nothing could be read" in capsys.readouterr().err
    broken = write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\na: [unclosed\n")
    assert cmd_pss(parse(broken, "-f", "json")) == 2
    err = capsys.readouterr().err
    assert f"hardhull: input error: {broken}:" in err


def test_bad_flags_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["x.yaml", "--version", "v2.0"], ["x.yaml", "--level", "privileged"], []):
        with pytest.raises(SystemExit) as exc:
            parse(*argv)
        assert exc.value.code == 2
    capsys.readouterr()
    ns = argparse.Namespace(paths=["x"], level="restricted", version="v9", format=None)
    assert cmd_pss(ns) == 2
    assert "invalid Pod Security version 'v9'" in capsys.readouterr().err


def test_versions_accepted() -> None:
    assert parse("f", "--version", "1.25").version == "v1.25"
    assert parse("f").version == "latest" and parse("f").level == "restricted"
    assert parse("f", "--version", "v1.0").version == "v1.0"


def test_stdin_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    ns = parse("-", "--level", "baseline", "-f", "json")
    ns.stdin_text = PRIVILEGED
    assert cmd_pss(ns) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["location"]["path"]) for f in doc["findings"]] == [
        ("P001", "<stdin>"),
        ("P002", "<stdin>"),
    ]


def test_stdin_through_a_real_pipe() -> None:
    code = (
        "import argparse, sys\n"
        "from hardhull.cli.common import add_report_options\n"
        "from hardhull.cli.pss import add_pss_parser, cmd_pss\n"
        "p = argparse.ArgumentParser(); s = p.add_subparsers()\n"
        "add_pss_parser(s, add_report_options)\n"
        "sys.exit(cmd_pss(p.parse_args(sys.argv[1:])))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "pss", "-", "--format", "json"],
        input=GOOD,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["objects"] == 1


def test_rules_explain_p_codes() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "rules", "P003"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# P003 pss-capabilities-baseline\n")
    assert "category: pod-security-standards" in proc.stdout
    assert "https://kubernetes.io/docs/concepts/security/pod-security-standards/" in proc.stdout


def test_p_rules_registered_but_not_workload_checks() -> None:
    from hardhull.registry import RULES, Target

    all_rules()
    codes = sorted(c for c in RULES if c.startswith("P"))
    assert codes == [f"P{n:03d}" for n in range(1, 20)]
    assert all(RULES[c].category == "pod-security-standards" for c in codes)
    assert not any(rule.code.startswith("P") for rule in (c.rule for c in checks(Target.WORKLOAD)))


@pytest.mark.parametrize("version", ["v1.99", "v1.1000", "latest"])
def test_pss_version_newer_than_known_evaluates_as_latest_like_scan(
    version: str, tmp_path: Path
) -> None:
    """Pod Security Admission evaluates a version newer than it knows as latest; scan
    --pss-version already did, and pss now reads the flag the same way."""
    from hardhull.cli import main

    out = tmp_path / "a.json"
    assert main(["pss", EXAMPLE_POD, "--version", version, "-f", "json", "-o", str(out)]) == 1
    latest = tmp_path / "b.json"
    assert main(["pss", EXAMPLE_POD, "--version", "latest", "-f", "json", "-o", str(latest)]) == 1
    assert out.read_text(encoding="utf-8") == latest.read_text(encoding="utf-8")


@pytest.mark.parametrize("version", ["v1.x", "v2.0", "1.2.3", "vlatest", "v1."])
def test_malformed_pss_version_is_a_usage_error_in_pss_and_scan(
    version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from hardhull.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["pss", EXAMPLE_POD, "--version", version])
    assert exc.value.code == 2
    assert main(["scan", EXAMPLE_POD, "--pss-version", version]) == 2
    err = capsys.readouterr().err
    assert err.count(f"invalid Pod Security version {version!r}") == 2


def test_pss_selects_inputs_as_scan_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue #9: a Dockerfile and a compose file are not read as YAML (no syntax error)
    root = Path(__file__).resolve().parents[2]
    code = cmd_pss(parse(str(root / "examples/hardened"), "-f", "json"))
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == [] and report["skipped"] == []
    assert code == 0
