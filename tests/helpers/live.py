"""A running ``hardhull runtime`` process (``--listen`` or ``--follow``) for the live-source
tests: its alerts (standard output, to a file) and messages (standard error, to a file) read
while it runs, waits with a generous deadline (never a timed assertion), and a clean stop by
signal with its exit code and summary line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: how long a wait may last before the test fails (a loaded machine is slow, never this slow)
PATIENCE = 60.0


class Live:
    def __init__(self, tmp: Path, *args: str) -> None:
        self.dir = tmp
        self.out = open(tmp / "alerts.jsonl", "w+b")  # noqa: SIM115
        self.err = open(tmp / "stderr.log", "w+b")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hardhull", "runtime", "--hostname", "n1", *args],
            stdout=self.out,
            stderr=self.err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stderr(self) -> str:
        return (self.dir / "stderr.log").read_text(errors="replace")

    def lines(self) -> list[str]:
        return (self.dir / "alerts.jsonl").read_text().splitlines()

    def alerts(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines()]

    def wait_for(self, what: str, ok: Callable[[], bool]) -> None:
        deadline = time.monotonic() + PATIENCE
        while not ok():
            if self.proc.poll() is not None:
                raise AssertionError(f"hardhull exited waiting for {what}:\n{self.stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {PATIENCE:.0f} s:\n{self.stderr()}")
            time.sleep(0.05)

    def wait_stderr(self, pattern: str) -> re.Match[str]:
        found: list[re.Match[str]] = []

        def seen() -> bool:
            m = re.search(pattern, self.stderr())
            if m:
                found.append(m)
            return m is not None

        self.wait_for(repr(pattern), seen)
        return found[0]

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(PATIENCE)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                raise AssertionError(
                    f"hardhull did not stop on {sig!r}:\n{self.stderr()}"
                ) from None
        self.out.close()
        self.err.close()
        return self.proc.returncode


def file_alerts(rules: str, tmp: Path, text: str) -> list[dict[str, Any]]:
    """The alerts of ``hardhull runtime --input`` over the same lines: what a live source
    must give."""
    path = tmp / "reference.log"
    path.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "runtime", "--hostname", "n1", "-r", rules,
         "--input", str(path)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [json.loads(line) for line in proc.stdout.splitlines()]
