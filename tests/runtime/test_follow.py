"""``hardhull runtime --input FILE --follow`` (issue #12 §2): a real process follows a real
file that the test appends to, rotates (rename, then a new file) and truncates, as log writers
and logrotate do. Waits are for output to appear (with a generous deadline), never for time to
pass; the alerts must be exactly those of the same lines read from a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.helpers.auditlog import attacks, benign, jsonl
from tests.helpers.live import Live, file_alerts


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_follow_reads_appended_lines_through_rotation_and_truncation(
    rules: str, tmp_path: Path
) -> None:
    a = attacks()
    log = tmp_path / "audit.log"
    written: list[str] = []  # every line hardhull must read, in order

    def write(path: Path, text: str) -> None:
        _append(path, text)
        written.append(text)

    follower = Live(tmp_path, "-r", rules, "--input", str(log), "--follow")
    try:
        # the file does not exist yet: waited for, as tail -F does
        follower.wait_stderr(r"audit\.log: No such file or directory; waiting for it")
        write(log, jsonl(list(benign(50)) + a["privileged pod"]))
        follower.wait_for("the first alerts", lambda: len(follower.lines()) >= 1)

        # a line written in two parts is read once, whole
        (host_pid,) = a["hostPID pod"]
        line = json.dumps(host_pid)
        _append(log, line[:100])
        n = len(follower.lines())
        _append(log, line[100:] + "\n")
        written.append(line + "\n")
        follower.wait_for("the hostPID alert", lambda: _fired(follower, "Create HostPid Pod"))
        assert len(follower.lines()) > n

        # rename rotation: the writer adds to the old file, then a new one appears at the path
        os.rename(log, tmp_path / "audit.log.1")
        write(tmp_path / "audit.log.1", jsonl(a["hostNetwork pod"]))
        write(log, jsonl(a["hostIPC pod"]))
        follower.wait_stderr(r"audit\.log: rotated; reading the new file")
        follower.wait_for("the hostIPC alert", lambda: _fired(follower, "Create HostIPC Pod"))
        assert _fired(follower, "Create HostNetwork Pod")

        # truncation (copytruncate): read again from the start
        with open(log, "r+") as f:
            f.truncate(0)
        follower.wait_stderr(r"audit\.log: truncated; reading it from the start")
        write(log, jsonl(a["cluster-admin binding"]) + "{not json\n")
        follower.wait_stderr(r"audit\.log:2: not JSON")
        follower.wait_for(
            "the cluster-admin alert", lambda: _fired(follower, "Attach to cluster-admin Role")
        )
    finally:
        rc = follower.stop(signal.SIGINT)
    assert rc == 0, follower.stderr()
    got = follower.alerts()
    assert got == file_alerts(rules, tmp_path, "".join(written))
    err = follower.stderr()
    events = sum(t.count("\n") for t in written) - 1
    assert "Traceback" not in err
    assert err.endswith(f"hardhull: {events} event(s), {len(got)} alert(s), 1 line(s) skipped\n")


def _fired(live: Live, rule: str) -> bool:
    return any(json.loads(line)["rule"] == rule for line in live.lines())


def test_follow_stops_on_sigterm_with_the_summary(rules: str, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    log.write_text(jsonl(attacks()["privileged pod"]))
    follower = Live(tmp_path, "-r", rules, "--input", str(log), "--follow", "--format", "text")
    try:
        follower.wait_for(
            "the alert", lambda: any("privileged container" in x for x in follower.lines())
        )
    finally:
        rc = follower.stop(signal.SIGTERM)
    assert rc == 0
    assert not any(x.startswith("{") for x in follower.lines())  # text lines, not JSON
    assert follower.stderr().endswith(
        f"hardhull: 1 event(s), {len(follower.lines())} alert(s), 0 line(s) skipped\n"
    )


def test_an_unfinished_last_line_is_kept_and_reported_at_the_stop(tmp_path: Path) -> None:
    from hardhull.runtime.follow import Follower

    log = tmp_path / "a.log"
    log.write_text('one\ntwo\n{"kind": "Event"')
    stop = threading.Event()
    notes: list[str] = []
    read: list[str] = []
    for lines in Follower(str(log), stop, notes.append).files():
        for line in lines:
            read.append(line)
            if line == "two":
                stop.set()
    assert read == ["one", "two"]
    assert notes == [
        f"warning: {log}: stopped before the end of its last line (16 byte(s) without a newline)"
    ]


def test_a_rotated_file_is_read_to_its_end_and_its_last_line_given_whole(
    tmp_path: Path,
) -> None:
    from hardhull.runtime.follow import Follower

    log = tmp_path / "a.log"
    log.write_text("one\ntwo")  # the writer was stopped mid-line, then the log rotated
    stop = threading.Event()
    notes: list[str] = []
    read: list[list[str]] = []
    follower = Follower(str(log), stop, notes.append)
    for lines in follower.files():
        read.append([])
        for line in lines:
            read[-1].append(line)
            if line == "one":
                os.rename(log, tmp_path / "a.log.1")
                log.write_text("three\n")
            elif line == "three":
                stop.set()
    assert read == [["one", "two"], ["three"]]  # one iterator per file: lines count from 1
    assert notes == [f"{log}: rotated; reading the new file"]
    assert (follower.rotations, follower.truncations) == (1, 0)


def test_follow_usage_errors(rules: str, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hardhull", "runtime", "-r", rules, *args],
                              capture_output=True, text=True, timeout=120, check=False)  # fmt: skip

    for args in (("--follow",), ("--follow", "--input", "-"),
                 ("--follow", "--input", "a", "--input", "b")):  # fmt: skip
        proc = run(*args)
        assert proc.returncode == 2, args
        assert "--follow follows one file: give one --input FILE" in proc.stderr
