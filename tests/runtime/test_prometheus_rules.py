"""examples/prometheus (issue #12 §3): the PrometheusRule and the plain rule file are the same
groups; promtool checks them and runs their unit tests (every alert fires on its series and not
on its neighbours); every metric they use exists (hardhull's as ``hardhull runtime`` exposes
them, the API server's and Prometheus' own by name); the rule-name selectors pick exactly the
intended upstream Falco rules; and a real Prometheus on 127.0.0.1 scrapes a running
``hardhull runtime --metrics-port`` and fires PrivilegedContainerDetected when a privileged pod
is created."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from hardhull.runtime.metrics import RuntimeMetrics
from tests.conftest import ROOT, SHARED
from tests.helpers.auditlog import attacks, jsonl
from tests.helpers.runtimeproc import TIMEOUT, RuntimeProcess
from tests.runtime.test_upstream_rules import RULES

EXAMPLES = ROOT / "examples" / "prometheus"
OPERATOR = EXAMPLES / "hardhull-runtime-rules.yaml"
PLAIN = EXAMPLES / "hardhull-runtime.rules.yml"
UNIT_TESTS = EXAMPLES / "hardhull-runtime-rules.test.yml"
#: metrics the rules use that other exporters expose (their documentation names them)
FOREIGN = {
    "up": "Prometheus, for every scrape target",
    "authorization_attempts_total": "kube-apiserver (Kubernetes metrics reference, ALPHA, 1.28+)",
    "authentication_attempts": "kube-apiserver (Kubernetes metrics reference, ALPHA)",
}
PROMQL_WORDS = {
    "sum", "max", "by", "rate", "increase", "absent", "without", "and", "or", "unless",
    "on", "ignoring", "group_left", "group_right",
}  # fmt: skip


def _groups() -> dict[str, Any]:
    doc = yaml.safe_load(OPERATOR.read_text())
    assert (doc["apiVersion"], doc["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    return dict(doc["spec"])


def _rules() -> list[dict[str, Any]]:
    return [r for g in _groups()["groups"] for r in g["rules"]]


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool not installed (Debian's prometheus package: make test installs it)")
    return path


def test_the_prometheusrule_spec_is_the_plain_rule_file() -> None:
    assert _groups() == yaml.safe_load(PLAIN.read_text())
    names = [r["alert"] for r in _rules()]
    assert len(names) == len(set(names))
    assert {"PrivilegedContainerDetected", "UnauthorizedAPIAccessDetected"} <= set(names)


def test_promtool_checks_the_extracted_rules_and_runs_their_unit_tests(tmp_path: Path) -> None:
    promtool = _promtool()
    extracted = tmp_path / PLAIN.name  # the name the unit tests load
    extracted.write_text(yaml.safe_dump(_groups(), sort_keys=False))
    check = subprocess.run([promtool, "check", "rules", str(extracted)], capture_output=True,
                           text=True, timeout=TIMEOUT, check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in check.stdout
    shutil.copy(UNIT_TESTS, tmp_path / UNIT_TESTS.name)
    unit = subprocess.run([promtool, "test", "rules", UNIT_TESTS.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)  # fmt: skip
    assert unit.returncode == 0, unit.stdout + unit.stderr
    assert "SUCCESS" in unit.stdout


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    fired: set[str] = set()
    quiet: set[str] = set()
    for case in yaml.safe_load(UNIT_TESTS.read_text())["tests"]:
        for t in case["alert_rule_test"]:
            (fired if t["exp_alerts"] else quiet).add(t["alertname"])
    alerts = {r["alert"] for r in _rules()}
    assert fired == alerts
    assert quiet == alerts


def _metric_names(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {w for w in words if w not in PROMQL_WORDS}


def test_every_metric_the_rules_use_exists() -> None:
    from hardhull.runtime.alerts import HttpSink

    metrics = RuntimeMetrics()
    sink = HttpSink("http://127.0.0.1:9/", hostname="h")  # never sent to
    metrics.watch_http_output(sink)
    metrics.evaluated("k8s_audit", 0.00002, [])
    metrics.suppressed_alert("r")
    metrics.bad_line()
    metrics.rules.labels("k8s_audit").set(1)
    metrics.alerts.labels("r", "Warning").inc()
    exposed = {
        line.split("{")[0].split(" ")[0]
        for line in metrics.render().decode().splitlines()
        if line and not line.startswith("#")
    }
    sink.close(deadline=0.1)
    used: set[str] = set()
    for rule in _rules():
        used |= _metric_names(rule["expr"])
    ours = {n for n in used if n.startswith("hardhull_runtime_")}
    assert ours <= exposed, ours - exposed
    assert used - ours == set(FOREIGN)


def _falco_rule_names() -> list[str]:
    folder = SHARED / "falco-rules"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found (CI has ../shared beside the checkout)")
    from hardhull.runtime.defaults import default_rules

    names = []
    for path in [*sorted(folder.glob("*.yaml")), default_rules()]:
        for item in yaml.safe_load(path.read_text()) or []:
            if isinstance(item, dict) and "rule" in item and "condition" in item:
                names.append(str(item["rule"]))
    return names


def _selected(alert: str) -> set[str]:
    (rule,) = [r for r in _rules() if r["alert"] == alert]
    (pattern,) = re.findall(r'rule=~"([^"]+)"', rule["expr"])
    # Prometheus anchors its regular expressions; RE2 and Python agree on these
    return {n for n in _falco_rule_names() if re.fullmatch(pattern, n)}


def test_the_rule_name_selectors_pick_the_intended_upstream_rules() -> None:
    # Falco's rule files and hardhull's default rules
    assert _selected("PrivilegedContainerDetected") == {
        "Privileged Pod Created [K001]",
        "Create Privileged Pod",
        "Launch Privileged Container",
        "Privileged Container Device Access",
        "Mount Launched in Privileged Container",
        "Debugfs Launched in Privileged Container",
    }
    assert _selected("UnauthorizedAPIAccessDetected") == {
        "Anonymous Request Allowed [R011]",
        "Unauthorized API Request",
        "Anonymous Request Allowed",
        "K8s Secret Get Unsuccessfully Tried",
        "Untrusted Node Unsuccessfully Tried to Join the Cluster",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api(port: int, path: str, **params: str) -> Any:
    url = f"http://127.0.0.1:{port}/api/v1/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as resp:
        doc = json.loads(resp.read())
    assert doc["status"] == "success", doc
    return doc["data"]


def _poll(what: str, probe: Any) -> Any:
    end = time.monotonic() + TIMEOUT
    last: Any = None
    while time.monotonic() < end:
        try:
            last = probe()
        except OSError as exc:  # Prometheus still starting
            last = exc
        else:
            if last:
                return last
        time.sleep(0.25)
    raise AssertionError(f"{what}: never true; last: {last}")


def test_a_real_prometheus_scrapes_the_runtime_and_fires_the_alert(tmp_path: Path) -> None:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("prometheus not installed (Debian's prometheus package: make test installs it)")
    if not RULES.is_file():
        pytest.skip(f"{RULES} not found (CI has ../shared beside the checkout)")
    runtime = RuntimeProcess(tmp_path, "-r", str(RULES), stdin=True)
    rules = tmp_path / "hardhull-runtime.rules.yml"
    rules.write_text(yaml.safe_dump(_groups(), sort_keys=False))
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": [{"job_name": "hardhull-runtime",
                            "static_configs": [{"targets": [f"127.0.0.1:{runtime.port}"]}]}],
    }))  # fmt: skip
    port = _free_port()
    log = (tmp_path / "prometheus.log").open("w")
    server = subprocess.Popen(
        [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        query = 'hardhull_runtime_alerts_total{job="hardhull-runtime",rule="Create Privileged Pod"}'
        # the series is scraped at 0 before the pod is created, so increase() sees it change
        zero = _poll("the alert series scraped at 0",
                     lambda: _api(port, "query", query=query)["result"])  # fmt: skip
        assert zero[0]["value"][1] == "0"
        loaded = _api(port, "query", query="hardhull_runtime_rules_loaded")["result"]
        # Falco's 48 rules and hardhull's default ones (14 k8s_audit, 2 syscall)
        assert sorted((r["metric"]["source"], r["value"][1]) for r in loaded) == [
            ("k8s_audit", "62"),
            ("syscall", "2"),
        ]
        runtime.stdin.write(jsonl(attacks()["privileged pod"]))
        runtime.stdin.flush()

        def firing() -> list[dict[str, Any]]:
            return [
                a
                for a in _api(port, "alerts")["alerts"]
                if a["labels"]["alertname"] == "PrivilegedContainerDetected"
                and a["state"] == "firing"
            ]

        # Falco's rule and hardhull's default one, each its own alert
        alerts = _poll("PrivilegedContainerDetected firing",
                       lambda: firing() if len(firing()) == 2 else [])  # fmt: skip
        assert sorted(a["labels"]["rule"] for a in alerts) == [
            "Create Privileged Pod",
            "Privileged Pod Created [K001]",
        ]
        assert {a["labels"]["severity"] for a in alerts} == {"critical"}
        events = _api(port, "query", query="hardhull_runtime_events_total")["result"]
        assert sorted(r["value"][1] for r in events) == ["0", "1"]  # syscall, k8s_audit
        others = {a["labels"]["alertname"] for a in _api(port, "alerts")["alerts"]}
        assert "HardhullRuntimeDown" not in others and "UnauthorizedAPIAccessDetected" not in others
    finally:
        server.terminate()
        try:
            server.wait(timeout=TIMEOUT)
        finally:
            log.close()
            runtime.stdin.close()
            runtime.close()
