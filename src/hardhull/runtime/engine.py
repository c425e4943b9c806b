"""Events through loaded Falco rules, into alerts (issue #12).

- :func:`read_events` ``(lines, where) -> Iterator[Event | BadLine]``: JSON lines of the
  ``k8s_audit`` source: one audit ``Event`` per line, or an ``EventList`` (what the API
  server's audit webhook backend posts) whose items are the events; a line that is neither is
  a :class:`BadLine` naming the input and line, and reading goes on.
- :func:`read_syscall_events` ``(lines, where)``: the same for the ``syscall`` source (Falco
  JSON alerts and Tetragon exported events, :mod:`hardhull.runtime.syscall`).
- :class:`Runtime` ``(ruleset, hostname, rate, burst)``: :meth:`Runtime.process` gives the
  alerts of one event (every rule that fires, in load order; rate-limited per rule), with
  the rule's output rendered and its ``output_fields``; counters ``events`` and ``alerts``
  (by rule and priority) for the metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from time import perf_counter
from typing import Any, NamedTuple, Protocol

from hardhull.falco.compile import Fields
from hardhull.falco.loader import Ruleset
from hardhull.runtime import syscall
from hardhull.runtime.alerts import Alert, Priority, RateLimiter, parse_priority
from hardhull.runtime.k8saudit import event_time_ns, extractor

K8S_AUDIT = "k8s_audit"
SYSCALL = syscall.SYSCALL

try:  # orjson (the admission extra) decodes audit lines twice as fast as json
    from orjson import JSONDecodeError as _DecodeError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - the standard library's decoder
    from json import JSONDecodeError as _DecodeError  # type: ignore[assignment]
    from json import loads as _loads  # type: ignore[assignment]


class Event(NamedTuple):
    """One event of ``source`` (a tuple: made once per event, cheaper than a dataclass)."""

    source: str
    data: Mapping[str, Any]
    #: where it was read: ``file:line``
    where: str


@dataclass(frozen=True)
class BadLine:
    where: str
    why: str


def _json_objects(
    lines: Iterable[str], where: str
) -> Iterator[tuple[str, dict[str, Any]] | BadLine]:
    """Each JSON object line as (``file:line``, object); blank lines skipped; anything else
    a :class:`BadLine`. The reading every source's lines share."""
    for n, line in enumerate(lines, 1):
        try:
            doc = _loads(line)  # JSON allows the whitespace around it
        except _DecodeError as exc:
            if not line.strip():
                continue
            yield BadLine(f"{where}:{n}", f"not JSON ({exc.msg} at column {exc.colno})")
            continue
        except (ValueError, RecursionError):  # numbers too large, nesting too deep
            yield BadLine(f"{where}:{n}", "not JSON")
            continue
        if isinstance(doc, dict):
            yield f"{where}:{n}", doc
        else:
            yield BadLine(f"{where}:{n}", "not a JSON object")


def read_events(lines: Iterable[str], where: str) -> Iterator[Event | BadLine]:
    """See the module docstring."""
    for got in _json_objects(lines, where):
        if isinstance(got, BadLine):
            yield got
            continue
        at, doc = got
        kind = doc.get("kind")
        if kind == "EventList":
            items = doc.get("items")
            if not isinstance(items, list):
                yield BadLine(at, "an EventList without items")
                continue
            for item in items:
                if isinstance(item, dict) and item.get("kind", "Event") == "Event":
                    yield Event(K8S_AUDIT, item, at)
                else:
                    yield BadLine(at, "an EventList item that is not an audit Event")
        elif kind == "Event" and str(doc.get("apiVersion")).startswith("audit.k8s.io/"):
            yield Event(K8S_AUDIT, doc, at)
        else:
            yield BadLine(at, f"not a Kubernetes audit Event (kind {kind!r})")


def read_syscall_events(lines: Iterable[str], where: str) -> Iterator[Event | BadLine]:
    """JSON lines of the ``syscall`` source: Falco JSON alerts and Tetragon exported events,
    each one :class:`Event` whose ``data`` are its Falco field values
    (:func:`hardhull.runtime.syscall.falco_fields`); any other line is a :class:`BadLine`."""
    for got in _json_objects(lines, where):
        if isinstance(got, BadLine):
            yield got
            continue
        at, doc = got
        try:
            yield Event(SYSCALL, syscall.falco_fields(doc), at)
        except syscall.NotAnEvent as exc:
            yield BadLine(at, str(exc))


class RuntimeObserver(Protocol):
    """See the module docstring."""

    def evaluated(self, source: str, seconds: float, alerts: list[Alert]) -> None: ...

    def suppressed_alert(self, rule: str) -> None: ...


class Runtime:
    """See the module docstring."""

    #: told of every event and held-back alert (the metrics); None: nothing is timed
    observer: RuntimeObserver | None = None

    def __init__(
        self, ruleset: Ruleset, *, hostname: str, rate: float = 0.0, burst: int = 10
    ) -> None:
        self.ruleset = ruleset
        self.hostname = hostname
        self.limiter = RateLimiter(rate, burst)
        self.events: Counter[str] = Counter()
        self.alerts: Counter[tuple[str, str]] = Counter()
        self.suppressed: Counter[str] = Counter()
        self._seen = 0
        self._priority: dict[str, Priority] = {}
        for rule in ruleset.rules:
            try:
                self._priority[rule.name] = parse_priority(rule.priority or "debug")
            except ValueError:
                self._priority[rule.name] = Priority.DEBUG

    def process(self, event: Event) -> list[Alert]:
        if self.observer is None:
            return self._process(event)
        start = perf_counter()
        alerts = self._process(event)
        self.observer.evaluated(event.source, perf_counter() - start, alerts)
        return alerts

    def _process(self, event: Event) -> list[Alert]:
        self._seen += 1
        self.events[event.source] += 1
        evt_type = None
        if event.source == SYSCALL:
            # one Fields for the index, the rules and the output (each value read once)
            get = Fields(syscall.extractor(event.data, num=self._seen, hostname=self.hostname))
            t = get("evt.type", None)
            evt_type = t if isinstance(t, str) else None
        else:
            get = extractor(event.data, num=self._seen, hostname=self.hostname)
        out = []
        for rule in self.ruleset.match(event.source, get, evt_type):
            fields: dict[str, Any] = {}
            text = rule.name
            if rule.render is not None:
                text = rule.render.render(get)
                fields = rule.render.values(get)
            alert = Alert(
                rule=rule.name,
                priority=self._priority[rule.name],
                source=event.source,
                output=text,
                output_fields=fields,
                tags=list(rule.tags),
                time_ns=(
                    syscall.time_ns(event.data)
                    if event.source == SYSCALL
                    else event_time_ns(event.data) or 0
                ),
            )
            admitted = self.limiter.admit(alert)
            if admitted is None:
                self.suppressed[rule.name] += 1
                if self.observer is not None:
                    self.observer.suppressed_alert(rule.name)
                continue
            self.alerts[(rule.name, alert.priority.label)] += 1
            out.append(admitted)
        return out


__all__ = [
    "K8S_AUDIT",
    "SYSCALL",
    "BadLine",
    "Event",
    "Runtime",
    "RuntimeObserver",
    "read_events",
    "read_syscall_events",
]
