"""Runtime alerts as Falco writes them, rate-limited per rule, and delivered to a URL without
ever blocking the evaluation (issue #12, section 3).

- :class:`Alert` (rule, priority, source, output, output_fields, tags, time) and
  :func:`falco_json` (one JSON line in Falco's ``json_output`` format: ``hostname``,
  ``output`` (prefixed ``HH:MM:SS.nnnnnnnnn: Priority``, as Falco prefixes it), ``priority``
  (``Warning``, …), ``rule``, ``source``, ``tags``, ``time`` (RFC 3339, nanoseconds, UTC),
  ``output_fields``), :func:`falco_text` (Falco's stdout line).
- :func:`parse_priority`: a rule file's ``priority`` (any case; ``INFO`` is
  ``Informational``) as a :class:`Priority`.
- :class:`RateLimiter`: a token bucket per rule (``rate`` alerts per second, ``burst`` at
  once); an alert over the limit is counted, not emitted, and the next one that passes
  carries ``suppressed`` (and :meth:`RateLimiter.summaries` says "suppressed N similar" for
  rules still holding some).
- :class:`HttpSink`: POSTs each alert (its Falco JSON) to a URL from a background thread:
  a bounded queue (a full queue drops the alert and counts it), retries with exponential
  backoff on connection errors and 5xx (a 4xx is a refusal: counted in ``failed``, not
  retried), ``sent``/``dropped``/``failed`` counters, ``close`` waits for the queue to drain
  up to a deadline.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import json
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any


class Priority(enum.IntEnum):
    """Falco's priorities, most severe first (syslog's order)."""

    EMERGENCY = 0
    ALERT = 1
    CRITICAL = 2
    ERROR = 3
    WARNING = 4
    NOTICE = 5
    INFORMATIONAL = 6
    DEBUG = 7

    @property
    def label(self) -> str:
        """As Falco writes it in alerts: ``Warning``, ``Informational``."""
        return self.name.capitalize()


_ALIASES = {"INFO": Priority.INFORMATIONAL}


def parse_priority(text: str) -> Priority:
    """A rule's ``priority`` (case-insensitive); ValueError naming the accepted ones."""
    key = text.strip().upper()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return Priority[key]
    except KeyError:
        names = ", ".join(p.name.lower() for p in Priority)
        raise ValueError(f"unknown priority {text!r} (one of {names}, info)") from None


@dataclass(frozen=True)
class Alert:
    rule: str
    priority: Priority
    source: str
    #: the rule's output string, rendered
    output: str
    output_fields: Mapping[str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()
    #: nanoseconds since the epoch (the event's time)
    time_ns: int = 0
    #: alerts of this rule the rate limiter held back before this one
    suppressed: int = 0


def _rfc3339(ns: int) -> str:
    seconds, frac = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def _clock(ns: int) -> str:
    seconds, frac = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%H:%M:%S") + f".{frac:09d}"


def falco_text(alert: Alert) -> str:
    """Falco's stdout line: ``HH:MM:SS.nnnnnnnnn: Priority output``."""
    line = f"{_clock(alert.time_ns)}: {alert.priority.label} {alert.output}"
    if alert.suppressed:
        line += f" (and {alert.suppressed} similar suppressed)"
    return line


def falco_json(alert: Alert, hostname: str) -> str:
    """One line in Falco's ``json_output`` format (keys as Falco writes them)."""
    doc: dict[str, Any] = {
        "hostname": hostname,
        "output": falco_text(alert),
        "priority": alert.priority.label,
        "rule": alert.rule,
        "source": alert.source,
        "tags": list(alert.tags),
        "time": _rfc3339(alert.time_ns),
        "output_fields": dict(alert.output_fields),
    }
    if alert.suppressed:
        doc["suppressed"] = alert.suppressed
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str)


class RateLimiter:
    """A token bucket per rule: at most ``burst`` alerts at once, refilled at ``rate`` per
    second. ``rate <= 0`` disables the limit."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self._tokens: dict[str, tuple[float, float]] = {}
        self._held: dict[str, int] = {}

    def admit(self, alert: Alert) -> Alert | None:
        """``alert`` (carrying how many were held back before it), or None when over."""
        if self.rate <= 0:
            return alert
        now = self.clock()
        tokens, last = self._tokens.get(alert.rule, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._tokens[alert.rule] = (tokens, now)
            self._held[alert.rule] = self._held.get(alert.rule, 0) + 1
            return None
        self._tokens[alert.rule] = (tokens - 1.0, now)
        held = self._held.pop(alert.rule, 0)
        return replace(alert, suppressed=held) if held else alert

    def summaries(self) -> dict[str, int]:
        """Rules with alerts held back and not yet reported: rule → count (cleared)."""
        out, self._held = self._held, {}
        return out


class HttpSink:
    """POST alerts to ``url`` from a background thread (see the module docstring)."""

    def __init__(
        self,
        url: str,
        *,
        hostname: str,
        max_queue: int = 10_000,
        retries: int = 5,
        backoff: float = 0.2,
        timeout: float = 5.0,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.url = url
        self.hostname = hostname
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._parsed = parsed
        self._queue: queue.Queue[Alert | None] = queue.Queue(max_queue)
        self.sent = 0
        self.dropped = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="hardhull-alerts", daemon=True)
        self._thread.start()

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    @property
    def capacity(self) -> int:
        """Alerts the queue holds before :meth:`put` drops."""
        return self._queue.maxsize

    def put(self, alert: Alert) -> bool:
        """Queue ``alert``; False (and counted in ``dropped``) when the queue is full."""
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def close(self, deadline: float = 10.0) -> None:
        """Send what is queued (up to ``deadline`` seconds), then stop the thread."""
        end = time.monotonic() + deadline
        while self._queue.qsize() and time.monotonic() < end:
            time.sleep(0.01)
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=max(0.0, end - time.monotonic()))
        self._thread.join(timeout=max(0.1, end - time.monotonic()))

    def _run(self) -> None:
        while True:
            alert = self._queue.get()
            if alert is None:
                return
            body = falco_json(alert, self.hostname).encode()
            delay = self.backoff
            for attempt in range(self.retries + 1):
                outcome = self._post(body)
                if outcome == "sent":
                    self.sent += 1
                    break
                if outcome == "refused" or attempt == self.retries:
                    self.failed += 1  # a 4xx will not change by trying again
                    break
                time.sleep(delay)
                delay *= 2

    def _post(self, body: bytes) -> str:
        """``sent`` (2xx, 3xx), ``refused`` (4xx) or ``retry`` (5xx, no connection)."""
        p = self._parsed
        cls = http.client.HTTPSConnection if p.scheme == "https" else http.client.HTTPConnection
        conn = cls(p.hostname or "", p.port, timeout=self.timeout)
        path = (p.path or "/") + (f"?{p.query}" if p.query else "")
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException):
            return "retry"
        finally:
            conn.close()
        if status >= 500:
            return "retry"
        return "refused" if status >= 400 else "sent"


__all__ = [
    "Alert",
    "HttpSink",
    "Priority",
    "RateLimiter",
    "falco_json",
    "falco_text",
    "parse_priority",
]
