"""Alerts in Falco's format, the per-rule rate limit, and delivery to an HTTP receiver on
127.0.0.1 that is down, failing, refusing and back (a real http.server)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hardhull.runtime.alerts import (
    Alert,
    HttpSink,
    Priority,
    RateLimiter,
    falco_json,
    falco_text,
    parse_priority,
)

T = 1_765_011_605_408_091_526  # 2025-12-06T09:00:05.408091526Z


def _alert(rule: str = "Terminal shell in container", **kw: Any) -> Alert:
    base: dict[str, Any] = {
        "rule": rule,
        "priority": Priority.NOTICE,
        "source": "syscall",
        "output": "A shell was spawned in a container (user=root container=web)",
        "output_fields": {"user.name": "root", "container.name": "web", "proc.pid": 4242},
        "tags": ["container", "shell", "mitre_execution"],
        "time_ns": T,
    }
    base.update(kw)
    return Alert(**base)


def test_falco_json_and_text() -> None:
    line = falco_json(_alert(), "node-1")
    doc = json.loads(line)
    assert list(doc) == ["hostname", "output", "priority", "rule", "source", "tags", "time",
                         "output_fields"]  # fmt: skip
    assert doc["time"] == "2025-12-06T09:00:05.408091526Z"
    assert doc["output"] == (
        "09:00:05.408091526: Notice A shell was spawned in a container (user=root container=web)"
    )
    assert doc["priority"] == "Notice" and doc["hostname"] == "node-1"
    assert doc["output_fields"]["proc.pid"] == 4242
    assert "\n" not in line
    assert falco_text(_alert(suppressed=3)).endswith(" (and 3 similar suppressed)")


@pytest.mark.parametrize(
    ("text", "want"),
    [("WARNING", Priority.WARNING), ("info", Priority.INFORMATIONAL),
     ("Informational", Priority.INFORMATIONAL), ("critical", Priority.CRITICAL),
     (" Emergency ", Priority.EMERGENCY), ("DEBUG", Priority.DEBUG)],
)  # fmt: skip
def test_priorities(text: str, want: Priority) -> None:
    assert parse_priority(text) is want
    assert Priority.EMERGENCY < Priority.WARNING < Priority.DEBUG  # most severe first


def test_unknown_priority() -> None:
    with pytest.raises(ValueError, match="unknown priority 'urgent'"):
        parse_priority("urgent")


def test_rate_limit_per_rule_with_a_summary() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: now[0])
    got = [limiter.admit(_alert()) for _ in range(5)]
    assert [g is not None for g in got] == [True, True, False, False, False]
    # another rule has its own bucket
    assert limiter.admit(_alert("Other rule")) is not None
    now[0] = 1.0  # one token back: the next alert carries the three held back
    nxt = limiter.admit(_alert())
    assert nxt is not None and nxt.suppressed == 3
    assert limiter.admit(_alert()) is None
    assert limiter.summaries() == {"Terminal shell in container": 1}
    assert limiter.summaries() == {}
    unlimited = RateLimiter(rate=0, burst=1)
    assert all(unlimited.admit(_alert()) is not None for _ in range(100))


class _Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answers to give, in order (then 200)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.bodies.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver()
    try:
        yield r
    finally:
        r.stop()


def test_http_delivery_retries_5xx_and_counts_refusals(receiver: _Receiver) -> None:
    receiver.statuses = [503, 502, 200, 400]
    sink = HttpSink(f"http://127.0.0.1:{receiver.port}/alerts", hostname="node-1",
                    backoff=0.01)  # fmt: skip
    sink.put(_alert("first"))  # 503, 502, then 200
    sink.put(_alert("second"))  # 400: refused, not retried
    sink.put(_alert("third"))
    sink.close()
    assert [b["rule"] for b in receiver.bodies] == ["first", "third"]
    assert (sink.sent, sink.failed, sink.dropped) == (2, 1, 0)


def test_a_receiver_that_is_down_loses_nothing_until_it_gives_up() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = HttpSink(f"http://127.0.0.1:{port}/", hostname="h", retries=2, backoff=0.01)
    sink.put(_alert())
    sink.close()
    assert (sink.sent, sink.failed) == (0, 1)


def test_a_full_queue_drops_and_counts(receiver: _Receiver) -> None:
    gate = threading.Event()
    original = HttpSink._post

    def slow(self: HttpSink, body: bytes) -> str:
        gate.wait(10)
        return original(self, body)

    HttpSink._post = slow  # type: ignore[method-assign]
    try:
        sink = HttpSink(f"http://127.0.0.1:{receiver.port}/", hostname="h", max_queue=2)
        time.sleep(0.05)
        results = [sink.put(_alert(f"r{i}")) for i in range(6)]
        # one is being sent, two wait in the queue, the rest are dropped
        assert results.count(False) == sink.dropped >= 3
        gate.set()
        sink.close()
    finally:
        HttpSink._post = original  # type: ignore[method-assign]
    assert sink.sent == 6 - sink.dropped
    with pytest.raises(ValueError, match="not an http"):
        HttpSink("ftp://x/", hostname="h")
