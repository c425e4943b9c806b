"""``hardhull runtime`` as users run it: Falco's k8s_audit_rules.yaml over the generated audit
log (event lines and EventList batches), alerts in Falco's JSON, --validate, --list, bad lines
reported with file and line, the rate limit's summary, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.auditlog import attacks, benign, jsonl
from tests.runtime.test_upstream_rules import EXPECTED


def hardhull(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hardhull", "runtime", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_alerts_from_event_lines_and_eventlist_batches(rules: str, tmp_path: Path) -> None:
    events = [e for evs in attacks().values() for e in evs]
    log = tmp_path / "audit.log"
    log.write_text(jsonl(benign(300)) + jsonl(events[:10]))
    batch = json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
                        "items": events[10:]})  # fmt: skip
    proc = hardhull("-r", rules, "--input", str(log), "--input", "-", "--hostname", "n1",
                    stdin=batch + "\n")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    alerts = [json.loads(line) for line in proc.stdout.splitlines()]
    fired = {a["rule"] for a in alerts}
    assert set(EXPECTED.values()) <= fired
    for a in alerts:
        assert list(a) == ["hostname", "output", "priority", "rule", "source", "tags", "time",
                           "output_fields"]  # fmt: skip
        assert a["hostname"] == "n1" and a["source"] == "k8s_audit"
    assert proc.stderr.endswith(
        f"hardhull: {300 + len(events)} event(s), {len(alerts)} alert(s), 0 line(s) skipped\n"
    )


def test_validate_and_list(rules: str, tmp_path: Path) -> None:
    ok = hardhull("--no-default-rules", "-r", rules, "--validate")
    assert (ok.returncode, ok.stdout) == (0, "48 rule(s) loaded, 0 skipped, 0 error(s)\n")
    both = hardhull("-r", rules, "--validate")  # the default rules, then the file
    assert (both.returncode, both.stdout) == (0, "64 rule(s) loaded, 0 skipped, 0 error(s)\n")
    listed = hardhull("-r", rules, "--list")
    assert listed.returncode == 0
    assert "Create Privileged Pod\tk8s_audit\tWarning\n" in listed.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("- rule: r\n  desc: d\n  condition: ka.verb = \n  output: o\n"
                      "  priority: WARNING\n  source: k8s_audit\n")  # fmt: skip
    bad = hardhull("-r", str(broken), "--validate")
    assert bad.returncode == 1
    assert "broken.yaml" in bad.stderr and "Traceback" not in bad.stderr
    assert hardhull("-r", str(broken), "--input", "-").returncode == 2


def test_bad_lines_rate_limit_and_errors(rules: str, tmp_path: Path) -> None:
    (priv,) = attacks()["privileged pod"]
    log = tmp_path / "a.log"
    log.write_text(jsonl([priv] * 5) + "{oops\n" + '{"kind": "Pod"}\n')
    proc = hardhull("-r", rules, "--input", str(log), "--rate-limit", "0.001", "--burst", "1")
    assert proc.returncode == 0
    fired = [json.loads(line)["rule"] for line in proc.stdout.splitlines()]
    assert fired.count("Create Privileged Pod") == 1  # the other four held back
    assert f"{log}:6: not JSON" in proc.stderr
    assert f"{log}:7: not a Kubernetes audit Event (kind 'Pod')" in proc.stderr
    assert "Create Privileged Pod: suppressed 4 similar alert(s)" in proc.stderr
    assert hardhull("--no-default-rules", "--input", str(log)).returncode == 2
    missing = hardhull("-r", rules, "--input", str(tmp_path / "nope.log"))
    assert missing.returncode == 2 and "nope.log: No such file or directory" in missing.stderr
    out = tmp_path / "alerts.jsonl"
    assert hardhull("-r", rules, "--input", str(log), "-o", str(out)).returncode == 0
    assert len(out.read_text().splitlines()) >= 5


def test_http_output_posts_falco_json(rules: str, tmp_path: Path) -> None:
    from tests.runtime.test_alerts import _Receiver

    receiver = _Receiver()
    try:
        log = tmp_path / "a.log"
        log.write_text(jsonl(attacks()["privileged pod"] + attacks()["hostPID pod"]))
        url = f"http://127.0.0.1:{receiver.port}/falco"
        proc = hardhull("-r", rules, "--input", str(log), "--http-output", url)
        assert proc.returncode == 0, proc.stderr
        posted = sorted(b["rule"] for b in receiver.bodies)
        printed = sorted(json.loads(line)["rule"] for line in proc.stdout.splitlines())
        assert posted == printed and "Create Privileged Pod" in posted
        assert f"{url}: {len(posted)} alert(s) sent, 0 failed, 0 dropped" in proc.stderr
    finally:
        receiver.stop()
    bad = hardhull("-r", rules, "--input", str(log), "--http-output", "ftp://x/")
    assert bad.returncode == 2 and "--http-output: not an http(s) URL" in bad.stderr


def test_an_alert_reaches_a_pipe_while_the_input_is_still_open() -> None:
    # `tail -F audit.log | hardhull runtime | consumer`: each alert is flushed as it fires
    import select

    proc = subprocess.Popen([sys.executable, "-m", "hardhull", "runtime"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(jsonl(attacks()["privileged pod"]))
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no alert while the input stays open"
        assert json.loads(proc.stdout.readline())["rule"] == "Privileged Pod Created [K001]"
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
