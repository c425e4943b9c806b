"""``hardhull runtime --metrics-port``: Prometheus metrics of a real run (issue #12 §3), scraped
over HTTP on 127.0.0.1 from the running process and compared with exact counts: events by
source, alerts by rule and priority, alerts the rate limit held back, the evaluation latency
histogram, bad input lines, rules loaded, and the HTTP output's queue and counters; served while
standard input stays open, and after a file's end with --serve-after-input; clean errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from hardhull.falco.loader import load_files
from hardhull.runtime.engine import Runtime, read_events
from hardhull.runtime.metrics import LATENCY_BUCKETS, RuntimeMetrics
from tests.helpers.auditlog import attacks, benign, jsonl
from tests.helpers.runtimeproc import TIMEOUT, RuntimeProcess, parse, sample
from tests.runtime.test_alerts import _Receiver

PRIV = "Create Privileged Pod"


@pytest.fixture
def tiny_rules(tmp_path: Path) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "- rule: Pod created\n  desc: d\n  condition: ka.verb = create and "
        "ka.target.resource = pods\n  output: pod %ka.target.name by %ka.user.name\n"
        "  priority: NOTICE\n  source: k8s_audit\n"
        "- rule: Disabled rule\n  desc: d\n  condition: ka.verb = get\n  output: o\n"
        "  priority: INFO\n  source: k8s_audit\n  enabled: false\n"
    )
    return str(path)


def _attack_events() -> list[dict[str, object]]:
    return [e for evs in attacks().values() for e in evs]


def test_metrics_fed_by_the_runtime_in_their_own_registry(rules: str) -> None:
    from prometheus_client import REGISTRY

    events = list(benign(200)) + _attack_events()
    metrics = RuntimeMetrics()
    ruleset = load_files([Path(rules)])
    metrics.rules_loaded(ruleset, sources=["k8s_audit"])
    runtime = Runtime(ruleset, hostname="h")
    runtime.observer = metrics
    emitted: Counter[tuple[str, str]] = Counter()
    for item in read_events(jsonl(events).splitlines(), "log"):
        assert not hasattr(item, "why")
        for alert in runtime.process(item):  # type: ignore[arg-type]
            emitted[(alert.rule, alert.priority.label)] += 1
    metrics.bad_line()
    s = parse(metrics.render().decode())
    assert sample(s, "hardhull_runtime_events_total", source="k8s_audit") == len(events)
    assert sample(s, "hardhull_runtime_rules_loaded", source="k8s_audit") == 48
    assert sample(s, "hardhull_runtime_bad_lines_total") == 1
    assert emitted[(PRIV, "Warning")] == 1
    alerts = {
        (dict(labels)["rule"], dict(labels)["priority"]): v
        for (name, labels), v in s.items()
        if name == "hardhull_runtime_alerts_total"
    }
    # every loaded rule's series is there from the start, at 0 for the rules that never fired
    runnable = [r for r in ruleset.rules if r.runnable]
    assert len(alerts) == len(runnable) == 48
    assert {k: v for k, v in alerts.items() if v} == dict(emitted)
    assert runtime.alerts == emitted
    # the latency histogram: one observation per event, in microsecond-scale buckets
    count = sample(s, "hardhull_runtime_event_evaluation_seconds_count", source="k8s_audit")
    assert count == len(events)
    buckets = [
        sample(s, "hardhull_runtime_event_evaluation_seconds_bucket", source="k8s_audit", le=le)
        for le in [*(str(b) for b in LATENCY_BUCKETS), "+Inf"]
    ]
    assert buckets[-1] == len(events) and buckets == sorted(buckets)
    assert LATENCY_BUCKETS[0] <= 0.00001  # microseconds: evaluation takes tens of them
    # nothing in prometheus_client's default registry, no *_created series
    assert not [n for n in REGISTRY._names_to_collectors if n.startswith("hardhull_runtime")]
    assert not [n for n, _ in s if n.endswith("_created")]


def test_scrape_a_replayed_log_with_exact_counts(rules: str, tmp_path: Path) -> None:
    (priv,) = attacks()["privileged pod"]
    events = list(benign(300)) + _attack_events() + [priv] * 5
    log = tmp_path / "audit.log"
    log.write_text(jsonl(events) + "{oops\n" + '{"kind": "Pod"}\n')
    receiver = _Receiver()
    url = f"http://127.0.0.1:{receiver.port}/falco"
    run = RuntimeProcess(tmp_path, "--no-default-rules", "-r", rules, "--input", str(log),
                         "--rate-limit", "0.001", "--burst", "1", "--http-output", url,
                         "--serve-after-input")  # fmt: skip
    try:
        run.wait_for(r"input ended; serving http://127\.0\.0\.1:\d+/metrics until SIGINT")
        s = run.scrape()
        printed = Counter(
            (a["rule"], a["priority"])
            for a in map(json.loads, run.out_path.read_text().splitlines())
        )
        assert sample(s, "hardhull_runtime_events_total", source="k8s_audit") == len(events)
        assert sample(s, "hardhull_runtime_bad_lines_total") == 2
        assert sample(s, "hardhull_runtime_rules_loaded", source="k8s_audit") == 48
        # the privileged pod was created 6 times: 1 alert, 5 held back (burst 1)
        assert sample(s, "hardhull_runtime_alerts_total", rule=PRIV, priority="Warning") == 1
        assert sample(s, "hardhull_runtime_alerts_suppressed_total", rule=PRIV) == 5
        for (rule, priority), n in printed.items():
            assert sample(s, "hardhull_runtime_alerts_total", rule=rule, priority=priority) == n
        total = sum(v for (name, _), v in s.items() if name == "hardhull_runtime_alerts_total")
        assert total == sum(printed.values())
        held = {
            dict(labels)["rule"]: v
            for (name, labels), v in s.items()
            if name == "hardhull_runtime_alerts_suppressed_total"
        }
        for rule, n in held.items():
            assert f"hardhull: {rule}: suppressed {int(n)} similar alert(s)" in run.stderr()
        count = "hardhull_runtime_event_evaluation_seconds_count"
        assert sample(s, count, source="k8s_audit") == len(events)
        # the HTTP output: every printed alert delivered, nothing queued, failed or dropped
        assert sample(s, "hardhull_runtime_http_output_sent_total") == sum(printed.values())
        assert sample(s, "hardhull_runtime_http_output_failed_total") == 0
        assert sample(s, "hardhull_runtime_http_output_dropped_total") == 0
        assert sample(s, "hardhull_runtime_http_output_queue_depth") == 0
        assert sample(s, "hardhull_runtime_http_output_queue_capacity") == 10_000
        assert len(receiver.bodies) == sum(printed.values())
        assert run.stop() == 0
    finally:
        run.close()
        receiver.stop()


def test_metrics_while_standard_input_stays_open(rules: str, tmp_path: Path) -> None:
    (priv,) = attacks()["privileged pod"]
    run = RuntimeProcess(tmp_path, "--no-default-rules", "-r", rules, stdin=True)
    try:
        s = run.scrape()  # before any event: every series at 0
        assert sample(s, "hardhull_runtime_events_total", source="k8s_audit") == 0
        assert sample(s, "hardhull_runtime_alerts_total", rule=PRIV, priority="Warning") == 0
        assert sample(s, "hardhull_runtime_http_output_sent_total") is None  # no --http-output
        run.stdin.write(jsonl([*benign(10), priv]))
        run.stdin.flush()
        labels = {"source": "k8s_audit"}
        s = run.wait_for_sample("hardhull_runtime_events_total", labels, 11)
        assert sample(s, "hardhull_runtime_alerts_total", rule=PRIV, priority="Warning") == 1
        run.stdin.write("not json\n")
        run.stdin.flush()
        run.wait_for_sample("hardhull_runtime_bad_lines_total", {}, 1)
        assert run.proc.poll() is None  # still running: its input is still open
        run.stdin.close()
        assert run.proc.wait(timeout=TIMEOUT) == 0
        assert "hardhull: 11 event(s), 2 alert(s), 1 line(s) skipped" in run.stderr()
        with pytest.raises(urllib.error.URLError):  # the server stopped with the run
            urllib.request.urlopen(run.url, timeout=5)
    finally:
        run.close()


def _hardhull(*args: str, block_prometheus: bool = False) -> subprocess.CompletedProcess[str]:
    code = "import sys\n"
    if block_prometheus:  # as if the runtime extra were not installed
        code += "sys.modules['prometheus_client'] = None\n"
    code += f"from hardhull.cli import main\nraise SystemExit(main({['runtime', *args]!r}))\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)  # fmt: skip


def test_errors_are_clean(tiny_rules: str, tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(jsonl(attacks()["privileged pod"]))
    # without prometheus-client the runtime runs, and --metrics-port says what to install
    ok = _hardhull(
        "--no-default-rules", "-r", tiny_rules, "--input", str(log), block_prometheus=True
    )
    assert ok.returncode == 0 and '"rule":"Pod created"' in ok.stdout, ok.stderr
    no = _hardhull("--no-default-rules", "-r", tiny_rules, "--input", str(log),
                   "--metrics-port", "0", block_prometheus=True)  # fmt: skip
    assert no.returncode == 2 and no.stdout == ""
    assert no.stderr == (
        "hardhull: error: --metrics-port needs the prometheus-client package, which is not "
        "installed: pip install 'hardhull[runtime]'\n"
    )
    alone = _hardhull(
        "--no-default-rules", "-r", tiny_rules, "--input", str(log), "--serve-after-input"
    )
    assert alone.returncode == 2
    assert alone.stderr == "hardhull: error: --serve-after-input needs --metrics-port\n"
    bad = _hardhull(
        "--no-default-rules", "-r", tiny_rules, "--input", str(log), "--metrics-port", "70000"
    )
    assert bad.returncode == 2 and "not a port number (0-65535): 70000" in bad.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = _hardhull(
            "--no-default-rules", "-r", tiny_rules, "--input", str(log), "--metrics-port", str(port)
        )
    assert busy.returncode == 2 and "Traceback" not in busy.stderr
    assert f"--metrics-port: cannot listen on 127.0.0.1:{port}: " in busy.stderr


def test_an_explicit_port_and_the_rules_gauge(tiny_rules: str, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "a.log"
    log.write_text(jsonl(attacks()["privileged pod"] + list(benign(20))))
    run = RuntimeProcess(tmp_path, "--no-default-rules", "-r", tiny_rules, "--input", str(log),
                         "--metrics-port", str(port), "--metrics-address", "127.0.0.1",
                         "--serve-after-input")  # fmt: skip
    try:
        assert run.port == port
        run.wait_for("input ended")
        s = run.scrape()
        assert sample(s, "hardhull_runtime_rules_loaded", source="k8s_audit") == 1  # one is off
        alerts = "hardhull_runtime_alerts_total"
        assert sample(s, alerts, rule="Pod created", priority="Notice") == 1
        assert sample(s, alerts, rule="Disabled rule", priority="Informational") is None
        assert sample(s, "hardhull_runtime_events_total", source="k8s_audit") == 21
        assert run.stop() == 0
    finally:
        run.close()


def test_the_docs_list_every_metric() -> None:
    import re

    from hardhull.runtime.alerts import HttpSink
    from tests.conftest import ROOT

    metrics = RuntimeMetrics()
    sink = HttpSink("http://127.0.0.1:9/", hostname="h")  # never sent to
    metrics.watch_http_output(sink)
    families = {
        line.split()[2]
        for line in metrics.render().decode().splitlines()
        if line.startswith("# TYPE ")
    }
    sink.close(deadline=0.1)
    page = (ROOT / "docs" / "runtime-metrics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(hardhull_runtime_\w+)` \|", page, re.MULTILINE))
    # a counter's family is named without _total in the exposition's TYPE line
    exposed = {f + "_total" if f"`{f}_total`" in page else f for f in families}
    assert documented == exposed
