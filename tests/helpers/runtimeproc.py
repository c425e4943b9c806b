"""``hardhull runtime`` as a real process with ``--metrics-port`` on 127.0.0.1, for the metrics
tests: its stderr goes to a file the test polls (no pipe to fill), ``/metrics`` is scraped
over HTTP and parsed with prometheus_client's own parser."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from prometheus_client.parser import text_string_to_metric_families

#: generous: the machine is shared; every wait polls and returns as soon as it can
TIMEOUT = 120.0

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class RuntimeProcess:
    """``hardhull runtime ARGS --metrics-port 0``; ``stdin=True`` keeps its standard input
    open for the test to write events to."""

    def __init__(self, tmp: Path, *args: str, stdin: bool = False) -> None:
        self.err_path = tmp / "runtime.stderr"
        self.out_path = tmp / "runtime.stdout"
        self._err = self.err_path.open("w")
        self._out = self.out_path.open("w")
        argv = [sys.executable, "-m", "hardhull", "runtime", *args]
        if "--metrics-port" not in args:
            argv += ["--metrics-port", "0"]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            text=True,
        )
        match = self.wait_for(r"serving metrics on (http://127\.0\.0\.1:(\d+)/metrics)")
        self.url = match.group(1)
        self.port = int(match.group(2))

    @property
    def stdin(self) -> IO[str]:
        assert self.proc.stdin is not None
        return self.proc.stdin

    def stderr(self) -> str:
        return self.err_path.read_text()

    def wait_for(self, pattern: str) -> re.Match[str]:
        """The first match of ``pattern`` in the process's stderr, once it is there."""
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            m = re.search(pattern, self.stderr())
            if m:
                return m
            if self.proc.poll() is not None:
                m = re.search(pattern, self.stderr())
                if m:
                    return m
                raise AssertionError(f"hardhull runtime exited: {self.stderr()}")
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not on stderr: {self.stderr()}")

    def scrape(self) -> Samples:
        with urllib.request.urlopen(self.url, timeout=10) as resp:
            assert resp.status == 200
            text = resp.read().decode()
        return parse(text)

    def wait_for_sample(self, name: str, labels: dict[str, str], value: float) -> Samples:
        end = time.monotonic() + TIMEOUT
        samples: Samples = {}
        while time.monotonic() < end:
            samples = self.scrape()
            if sample(samples, name, **labels) == value:
                return samples
            time.sleep(0.05)
        raise AssertionError(f"{name}{labels} never {value}: {sample(samples, name, **labels)}")

    def stop(self) -> int:
        """SIGTERM (what ends ``--serve-after-input``), then the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        self._err.close()
        self._out.close()


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def sample(samples: Samples, name: str, **labels: Any) -> float | None:
    return samples.get((name, frozenset((k, str(v)) for k, v in labels.items())))


__all__ = ["TIMEOUT", "RuntimeProcess", "Samples", "parse", "sample"]
