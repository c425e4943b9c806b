"""`hardhull scan` end to end: exit codes, --fail-on, config, suppressions, baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DIGEST = "sha256:" + "0123456789abcdef" * 4
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example.com/app:1.0@{digest}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
{extra}      resources:
        requests: {{cpu: 10m, memory: 16Mi}}
        limits: {{cpu: 100m, memory: 64Mi}}
      livenessProbe: {{httpGet: {{path: /, port: 8080}}}}
      readinessProbe: {{httpGet: {{path: /, port: 8080}}}}
"""


def pod(extra: str = "") -> str:
    return POD.format(extra=extra, digest=DIGEST)


def run(
    *args: str, cwd: Path, stdin: str | None = None, k100: bool = False, select: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run hardhull; `scan` runs only the K0xx workload rules (plus K100 when asked): the
    mechanisms tested here do not depend on which rules exist. ``select=False`` leaves the
    selection to the configuration file."""
    extra = ["--select", "K0" + (",K100" if k100 else "")] if args[0] == "scan" else []
    extra = extra if select else []
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", *args, *extra],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr
    return proc


def codes(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int]]:
    doc = json.loads(proc.stdout)
    return [(f["code"], f["location"]["line"]) for f in doc["findings"]]


def test_clean_pod_exits_0(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod())
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert codes(proc) == []


def test_fail_on_thresholds(tmp_path: Path) -> None:
    # a hostPort (K020, medium) and nothing else
    (tmp_path / "p.yaml").write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    assert run("scan", "p.yaml", "-f", "json", cwd=tmp_path).returncode == 0  # default high
    proc = run("scan", "p.yaml", "-f", "json", "--fail-on", "medium", cwd=tmp_path)
    assert proc.returncode == 1
    assert codes(proc) == [("K020", 21)]
    assert run("scan", "p.yaml", "--fail-on", "critical", cwd=tmp_path).returncode == 0
    assert run("scan", "p.yaml", "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_bad_flag_exits_2(tmp_path: Path) -> None:
    proc = run("scan", "x.yaml", "--fail-on", "bogus", cwd=tmp_path)
    assert proc.returncode == 2
    assert "invalid choice: 'bogus'" in proc.stderr
    proc = run("scan", "x.yaml", "--disable", "K999", cwd=tmp_path, k100=True)
    assert proc.returncode == 2
    assert "unknown rule code(s): K999" in proc.stderr
    proc = run("scan", "x.yaml", "--select", "Q", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--select matches no rule: Q" in proc.stderr


def test_missing_path_only_exits_2(tmp_path: Path) -> None:
    proc = run("scan", "nope.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nope.yaml: no such file or directory" in proc.stdout


def test_line_comment_suppression(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        pod("      ports: [{containerPort: 80, hostPort: 80}]  # hardhull: ignore[K020]\n")
    )
    proc = run("scan", "p.yaml", "-f", "json", "--fail-on", "low", cwd=tmp_path)
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["findings"] == []
    assert doc["summary"]["suppressed"] == {"comment": 1}


def test_comment_on_previous_line_and_other_code(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        pod("      # hardhull: ignore[K001]\n      ports: [{containerPort: 80, hostPort: 80}]\n")
    )
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert codes(proc) == [("K020", 22)]  # K001 named: K020 still reported
    (tmp_path / "p.yaml").write_text(
        pod("      # hardhull: ignore[K020]\n      ports: [{containerPort: 80, hostPort: 80}]\n")
    )
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert codes(proc) == []


def test_annotation_suppression_with_reason(tmp_path: Path) -> None:
    text = pod("      ports: [{containerPort: 80, hostPort: 80}]\n").replace(
        "  namespace: shop\n",
        '  namespace: shop\n  annotations:\n    hardhull.dev/ignore: "K020: legacy LB"\n',
    )
    (tmp_path / "p.yaml").write_text(text)
    doc = json.loads(run("scan", "p.yaml", "-f", "json", cwd=tmp_path).stdout)
    assert doc["findings"] == []
    assert doc["summary"]["suppressed"] == {"annotation": 1}


def test_baseline_reports_only_new_findings_and_survives_moves(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    proc = run("scan", "p.yaml", "--write-baseline", "base.json", "-f", "json", cwd=tmp_path)
    assert codes(proc) == [("K020", 21)]
    base = json.loads((tmp_path / "base.json").read_text())
    assert base["schema"] == "hardhull/baseline" and len(base["fingerprints"]) == 1
    # move every line down by two, and add a new problem
    f.write_text(
        "# moved\n# down\n"
        + pod("      ports: [{containerPort: 80, hostPort: 80}]\n").replace(
            "      securityContext:\n        allowPrivilegeEscalation: false\n",
            "      securityContext:\n        privileged: true\n"
            "        allowPrivilegeEscalation: false\n",
        )
    )
    proc = run("scan", "p.yaml", "--baseline", "base.json", "-f", "json", cwd=tmp_path)
    assert codes(proc) == [("K001", 19)]
    assert json.loads(proc.stdout)["summary"]["suppressed"] == {"baseline": 1}
    assert proc.returncode == 1


def test_bad_baseline_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod())
    (tmp_path / "b.json").write_text("{\n  nope")
    proc = run("scan", "p.yaml", "--baseline", "b.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "b.json:2:3: invalid baseline JSON" in proc.stderr


def test_config_file_disable_severity_fail_on(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    (tmp_path / ".hardhull.yaml").write_text("fail-on: low\nseverity:\n  K020: critical\n")
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["findings"][0]["severity"] == "critical"
    (tmp_path / ".hardhull.yaml").write_text("fail-on: low\ndisable: [K020]\n")
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0 and codes(proc) == []


def test_pyproject_config(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    (tmp_path / "pyproject.toml").write_text('[tool.hardhull]\nfail-on = "medium"\n')
    assert run("scan", "p.yaml", cwd=tmp_path).returncode == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("fail-on: [x]\n", ".hardhull.yaml: 'fail-on' must be a string"),
        ("bogus: 1\n", ".hardhull.yaml: unknown key(s) bogus"),
        (
            "verify-images: []\n",
            "select, severity; verify-images belongs in the admission policy file (the file "
            "`policy:` names), which the webhook verifies images with",
        ),
        ("severity: {K001: huge}\n", "severity of K001: unknown severity 'huge'"),
        ("a: [\n", ".hardhull.yaml:2: invalid YAML"),
    ],
)
def test_bad_config_is_exit_2(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "p.yaml").write_text(pod())
    (tmp_path / ".hardhull.yaml").write_text(content)
    proc = run("scan", "p.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_output_file_and_text_report(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    proc = run("scan", "p.yaml", "-o", "r.txt", cwd=tmp_path)
    assert proc.stdout == ""
    text = (tmp_path / "r.txt").read_text()
    assert "p.yaml\n" in text
    assert 'K020 container "app" binds host port 80  [Pod/shop/web]' in text
    assert "| ports: [{containerPort: 80, hostPort: 80}]" in text
    assert "1 finding(s): 0 critical, 0 high, 1 medium, 0 low, 0 info" in text
    assert "\x1b[" not in text


def test_stdin(tmp_path: Path) -> None:
    proc = run("scan", "-", "-f", "json", cwd=tmp_path, stdin=pod("      ports: [{hostPort: 8}]\n"))
    doc = json.loads(proc.stdout)
    assert [(f["code"], f["location"]["path"]) for f in doc["findings"]] == [("K020", "<stdin>")]


def test_rules_command(tmp_path: Path) -> None:
    proc = run("rules", cwd=tmp_path)
    assert proc.returncode == 0
    assert "K001  critical  privileged-container" in proc.stdout
    page = run("rules", "K019", cwd=tmp_path).stdout
    assert page.startswith("# K019 container-runtime-socket\n")
    for part in (
        "## What it does",
        "## Why is this bad?",
        "## How to fix",
        "kube-linter: docker-sock",
    ):
        assert part in page
    assert run("rules", "privileged-container", cwd=tmp_path).stdout.startswith("# K001")
    bad = run("rules", "K999", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown rule 'K999'" in bad.stderr


NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: {level}
    pod-security.kubernetes.io/enforce-version: v1.30
---
"""


def test_k100_follows_namespace_enforce_label(tmp_path: Path) -> None:
    host_port = pod("      ports: [{containerPort: 80, hostPort: 80}]\n")
    (tmp_path / "p.yaml").write_text(NAMESPACE.format(level="baseline") + host_port)
    # the severity gate (--fail-on): K100 predicts Pod Security Admission, by the label
    proc = run("scan", "p.yaml", "-f", "json", "--fail-on", "high", cwd=tmp_path, k100=True)
    doc = json.loads(proc.stdout)
    k100 = [f for f in doc["findings"] if f["code"] == "K100"]
    assert [(f["severity"], f["location"]["line"], f["message"]) for f in k100] == [
        (
            "high",
            29,
            "fails Pod Security baseline:v1.30 (namespace 'shop' enforces baseline:v1.30: "
            "pods will be rejected): hostPort",
        )
    ]
    # privileged namespace: admitted, no K100
    (tmp_path / "p.yaml").write_text(NAMESPACE.format(level="privileged") + host_port)
    proc = run("scan", "p.yaml", "-f", "json", "--fail-on", "high", cwd=tmp_path, k100=True)
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["K020"]
    # the admission policy's gate (the default): the webhook enforces its level (restricted)
    # in every namespace, and a laxer label does not lower it
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path, k100=True)
    assert proc.returncode == 1
    assert [(f["code"], f["severity"], f["message"]) for f in json.loads(proc.stdout)["findings"]][
        1:
    ] == [
        (
            "K100",
            "medium",
            "fails Pod Security restricted:v1.37 (the default level): hostPort",
        )
    ]


def test_k100_default_level_and_flags(tmp_path: Path) -> None:
    # runAsUser 10001 makes the container non-root (no K003), but restricted still wants
    # runAsNonRoot: true, so Pod Security would reject the pod
    (tmp_path / "p.yaml").write_text(pod().replace("runAsNonRoot: true", "runAsNonRoot: false"))
    doc = json.loads(run("scan", "p.yaml", "-f", "json", cwd=tmp_path, k100=True).stdout)
    assert [(f["code"], f["severity"], f["message"]) for f in doc["findings"]] == [
        (
            "K100",
            "medium",
            "fails Pod Security restricted:v1.37 (the default level): runAsNonRoot != true",
        ),
    ]
    proc = run("scan", "p.yaml", "-f", "json", "--pss-level", "baseline", cwd=tmp_path, k100=True)
    assert "K100" not in [f["code"] for f in json.loads(proc.stdout)["findings"]]
    # a level the user names is not "the default level" (issue #9, section 5)
    proc = run("scan", "p.yaml", "-f", "json", "--pss-level", "restricted", cwd=tmp_path, k100=True)
    assert [f["message"] for f in json.loads(proc.stdout)["findings"]] == [
        "fails Pod Security restricted:v1.37 (the level set by --pss-level): runAsNonRoot != true"
    ]
    (tmp_path / ".hardhull.yaml").write_text("pss-version: v1.30\n")
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path, k100=True)
    assert [f["message"] for f in json.loads(proc.stdout)["findings"]] == [
        "fails Pod Security restricted:v1.30 (the level set by the configuration): "
        "runAsNonRoot != true"
    ]
    (tmp_path / "policy.yaml").write_text("pss-level: restricted\n")
    proc = run("scan", "p.yaml", "-f", "json", "--policy", "policy.yaml", cwd=tmp_path, k100=True)
    assert [f["message"] for f in json.loads(proc.stdout)["findings"]] == [
        "fails Pod Security restricted:v1.37 (the level set by the policy): runAsNonRoot != true"
    ]
    bad = run("scan", "p.yaml", "--pss-version", "2.0", cwd=tmp_path, k100=True)
    assert bad.returncode == 2
    assert "invalid Pod Security version '2.0'" in bad.stderr


def test_fingerprints_do_not_depend_on_how_the_path_is_written(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "p.yaml").write_text(pod("      ports: [{hostPort: 8}]\n"))
    prints = set()
    for arg in ("d/p.yaml", "./d/p.yaml", "d//p.yaml", str(tmp_path / "d" / "p.yaml"), "d"):
        doc = json.loads(run("scan", arg, "-f", "json", cwd=tmp_path).stdout)
        prints.add(tuple(f["fingerprint"] for f in doc["findings"]))
    assert len(prints) == 1 and len(next(iter(prints))) == 1


def test_severity_can_be_lowered_to_info(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    (tmp_path / ".hardhull.yaml").write_text("severity:\n  K020: info\n")
    doc = json.loads(run("scan", "p.yaml", "-f", "json", "--fail-on", "low", cwd=tmp_path).stdout)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("K020", "info")]
    assert doc["summary"]["by_severity"]["info"] == 1


def test_as_of_and_select_in_config(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:18.04\nUSER 10001\n")
    (tmp_path / ".hardhull.yaml").write_text("select: [D001]\nas-of: 2020-01-01\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", "Dockerfile", "-f", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(proc.stdout)["findings"] == []  # 18.04 was supported in 2020
    (tmp_path / ".hardhull.yaml").write_text("select: [D001]\nas-of: 2026-01-01\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", "Dockerfile", "-f", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["D001"]
    (tmp_path / ".hardhull.yaml").write_text("as-of: yesterday\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", "Dockerfile"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "'as-of' must be a date (YYYY-MM-DD)" in proc.stderr


def test_k030_not_reported_when_the_service_account_turns_the_token_off(tmp_path: Path) -> None:
    sa = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n"
        "automountServiceAccountToken: false\n---\n"
    )
    body = pod().replace("  automountServiceAccountToken: false\n", "  serviceAccountName: web\n")
    (tmp_path / "p.yaml").write_text(body)
    assert codes(run("scan", "p.yaml", "-f", "json", "--fail-on", "never", cwd=tmp_path)) == [
        ("K030", 6)
    ]
    (tmp_path / "p.yaml").write_text(sa + body)
    assert codes(run("scan", "p.yaml", "-f", "json", "--fail-on", "never", cwd=tmp_path)) == []
    # a pod that asks for the token gets it, whatever its ServiceAccount says
    (tmp_path / "p.yaml").write_text(
        sa
        + body.replace(
            "  serviceAccountName: web\n",
            "  serviceAccountName: web\n  automountServiceAccountToken: true\n",
        )
    )
    assert codes(run("scan", "p.yaml", "-f", "json", "--fail-on", "never", cwd=tmp_path)) == [
        ("K030", 13)
    ]


def test_workload_without_pod_spec_is_reported_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: x}\n"
        "spec:\n  schedule: '* * * * *'\n"
    )
    doc = json.loads(run("scan", "c.yaml", "-f", "json", cwd=tmp_path).stdout)
    assert doc["skipped"] == [
        {
            "path": "c.yaml",
            "reason": "CronJob/x/c: CronJob has no spec.jobTemplate: no workload check ran",
        }
    ]


def test_unknown_flag_shows_the_subcommand_usage(tmp_path: Path) -> None:
    proc = run("scan", "x.yaml", "--bogus", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: hardhull scan ")
    assert proc.stderr.endswith("hardhull: error: unrecognized arguments: --bogus\n")


# --- unknown rule codes in suppressions and configuration (issue #9) ------------------------

SEE = "it suppresses nothing (see: hardhull rules)"


def test_unknown_codes_in_suppressions_are_warnings(tmp_path: Path) -> None:
    text = pod("      ports: [{containerPort: 80, hostPort: 80}]  # hardhull: ignore[K020, K999]\n")
    text = text.replace(
        "  namespace: shop\n",
        '  namespace: shop\n  annotations:\n    hardhull.dev/ignore: "K998, Q*: legacy"\n',
    )
    (tmp_path / "p.yaml").write_text(text)
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: a:1\n    labels: [hardhull.dev/ignore=C999]\n"
    )
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n# hardhull: ignore[D001,d999]\n")
    proc = run("scan", "p.yaml", "compose.yaml", "Dockerfile", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0  # a warning, not an error: the scan goes on
    doc = json.loads(proc.stdout)
    assert doc["findings"] == []
    assert doc["summary"]["suppressed"] == {"comment": 1}  # K020, the known code, still works
    assert doc["errors"] == []
    expected = [
        ("Dockerfile", 2, 25, f"unknown rule code D999 in a suppression comment: {SEE}"),
        ("compose.yaml", 4, 34, f"unknown rule code C999 in a hardhull.dev/ignore value: {SEE}"),
        ("p.yaml", 7, 27, f"unknown rule code K998 in a hardhull.dev/ignore value: {SEE}"),
        (
            "p.yaml",
            7,
            33,
            f"rule code prefix Q* matches no rule in a hardhull.dev/ignore value: {SEE}",
        ),
        ("p.yaml", 23, 76, f"unknown rule code K999 in a suppression comment: {SEE}"),
    ]
    assert [(w["path"], w["line"], w["column"], w["message"]) for w in doc["warnings"]] == expected
    assert proc.stderr.splitlines() == [
        f"hardhull: warning: {p}:{line}:{col}: {m}" for p, line, col, m in expected
    ]
    # no suppression, no warning, no "warnings" key
    (tmp_path / "p.yaml").write_text(pod())
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert "warnings" not in json.loads(proc.stdout) and proc.stderr == ""


def test_a_prefix_wildcard_is_one_prefix(tmp_path: Path) -> None:
    # 'D0*' was read as the code D0 and '*', which suppressed every rule
    (tmp_path / "p.yaml").write_text(
        pod("      ports: [{containerPort: 80, hostPort: 80}]  # hardhull: ignore[D0*]\n")
    )
    proc = run("scan", "p.yaml", "-f", "json", cwd=tmp_path)
    assert codes(proc) == [("K020", 21)]
    assert proc.stderr == ""  # D0* matches rules: no warning
    (tmp_path / "p.yaml").write_text(
        pod("      ports: [{containerPort: 80, hostPort: 80}]  # hardhull: ignore[K0*]\n")
    )
    assert codes(run("scan", "p.yaml", "-f", "json", cwd=tmp_path)) == []


def scan_with_config(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run("scan", "p.yaml", "-f", "json", cwd=tmp_path, select=False)


def test_unknown_codes_in_the_config_file_are_warnings_with_the_line(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("      ports: [{containerPort: 80, hostPort: 80}]\n"))
    (tmp_path / ".hardhull.yaml").write_text(
        "fail-on: low\ndisable:\n  - K020\n  - k999\nseverity:\n  Z001: low\nselect: [K0, Q]\n"
    )
    proc = scan_with_config(tmp_path)
    assert proc.returncode == 0  # K020 disabled: the valid entries still apply
    assert json.loads(proc.stdout)["findings"] == []
    assert proc.stderr.splitlines() == [
        "hardhull: warning: ./.hardhull.yaml:4: unknown rule code K999 in 'disable': "
        "it disables nothing (see: hardhull rules)",
        "hardhull: warning: ./.hardhull.yaml:6: unknown rule code Z001 in 'severity': "
        "it changes nothing (see: hardhull rules)",
        "hardhull: warning: ./.hardhull.yaml:7: 'select' entry Q matches no rule "
        "(see: hardhull rules)",
    ]
    # a select that matches nothing at all would check nothing: still an error
    (tmp_path / ".hardhull.yaml").write_text("select: [Q]\n")
    proc = scan_with_config(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "hardhull: error: ./.hardhull.yaml: 'select' matches no rule: Q\n"
    # pyproject.toml: the file is named, the line is not known
    (tmp_path / ".hardhull.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.hardhull]\nfail-on = "never"\ndisable = ["K999"]\n'
    )
    proc = scan_with_config(tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == (
        "hardhull: warning: ./pyproject.toml [tool.hardhull]: unknown rule code K999 in "
        "'disable': it disables nothing (see: hardhull rules)\n"
    )


def test_daemon_config_dash_reads_stdin(tmp_path: Path) -> None:
    # issue #9: '-' was looked up as a file name, and stdin was read as YAML and ignored
    daemon = '{"icc": true, "live-restore": true}\n'
    proc = run(
        "scan", "--daemon-config", "-", "-f", "json", cwd=tmp_path, stdin=daemon, select=False
    )
    doc = json.loads(proc.stdout)
    assert doc["summary"]["objects"] == 1 and doc["summary"]["ignored_documents"] == 0
    assert ("E001", "<stdin>", 1) in [
        (f["code"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]
    ]
    (tmp_path / "daemon.json").write_text(daemon)
    by_file = run("scan", "daemon.json", "-f", "json", cwd=tmp_path, select=False)
    assert sorted(f["code"] for f in json.loads(by_file.stdout)["findings"]) == sorted(
        f["code"] for f in doc["findings"]
    )
