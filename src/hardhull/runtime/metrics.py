"""Prometheus metrics of ``hardhull runtime`` (issue #12, section 3; docs/runtime-metrics.md).

:class:`RuntimeMetrics` holds the runtime's series in a registry of its own (nothing is added
to prometheus_client's default registry) and is fed by small hooks:

- it is the :class:`~hardhull.runtime.engine.Runtime`'s ``observer``: ``evaluated`` (each
  event: its source, the time its evaluation took, the alerts it let through) and
  ``suppressed_alert`` (an alert the rate limiter held back);
- :meth:`RuntimeMetrics.bad_line` for each input line that is not an audit event;
- :meth:`RuntimeMetrics.rules_loaded` sets the rule gauge and creates every loaded rule's
  alert series at 0, so that ``increase()`` sees the first alert of a rule (a counter that
  appears already at 1 shows no increase in Prometheus);
- :meth:`RuntimeMetrics.watch_http_output` reads an :class:`~hardhull.runtime.alerts.HttpSink`'s
  own counters and queue at scrape time (the sink keeps its counts; the metrics and the end of
  run summary cannot disagree).

:meth:`RuntimeMetrics.serve` exposes ``/metrics`` over HTTP from a background thread, however
the events arrive. Needs ``prometheus-client`` (``pip install 'hardhull[runtime]'``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from hardhull.runtime.alerts import Alert, HttpSink, Priority, parse_priority

if TYPE_CHECKING:  # pragma: no cover
    from wsgiref.simple_server import WSGIServer

    from hardhull.falco.loader import Ruleset

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series double the output and tell nothing here

PREFIX = "hardhull_runtime_"
#: evaluating one event through a rule file takes microseconds: 5 µs to 100 ms
LATENCY_BUCKETS = (
    0.000005,
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.1,
)

#: the buckets' ``le`` labels, as prometheus_client writes them
_LE: tuple[str, ...] = tuple(
    floatToGoString(b)  # type: ignore[no-untyped-call]
    for b in (*LATENCY_BUCKETS, float("inf"))
)


def _priority(rule_priority: str) -> str:
    try:
        return parse_priority(rule_priority or "debug").label
    except ValueError:  # as Runtime does: an unknown priority is Debug
        return Priority.DEBUG.label


class _SourceStats:
    """Events of one source and their evaluation times: one writer (the thread evaluating
    events) and no lock, so that timing an event costs a fraction of a microsecond; a scrape
    copies the bucket counts at once (under the GIL), so buckets and count always agree."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        #: observations per bucket (not cumulative); the last one is +Inf
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.sum = 0.0


class _EventsCollector(Collector):
    """``events_total`` and the ``event_evaluation_seconds`` histogram, by source."""

    def __init__(self, stats: dict[str, _SourceStats]) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Any]:
        events = CounterMetricFamily(
            PREFIX + "events",
            "Events evaluated, by event source (k8s_audit, ...).",
            labels=("source",),
        )
        latency = HistogramMetricFamily(
            PREFIX + "event_evaluation_seconds",
            "Time to evaluate one event against the loaded rules and render its alerts, "
            "by event source.",
            labels=("source",),
        )
        for source, st in list(self.stats.items()):
            counts, total = list(st.counts), st.sum
            cumulative, buckets = 0, []
            for le, n in zip(_LE, counts, strict=True):
                cumulative += n
                buckets.append((le, cumulative))
            events.add_metric([source], cumulative)
            latency.add_metric([source], buckets, total)
        yield events
        yield latency


class _HttpOutputCollector(Collector):
    """The HTTP output's queue and counters, read from the sink when scraped."""

    def __init__(self, sink: HttpSink) -> None:
        self.sink = sink

    def collect(self) -> Iterator[Any]:
        s = self.sink
        yield GaugeMetricFamily(
            PREFIX + "http_output_queue_depth",
            "Alerts waiting in the HTTP output's queue (--http-output).",
            value=s.depth,
        )
        yield GaugeMetricFamily(
            PREFIX + "http_output_queue_capacity",
            "Alerts the HTTP output's queue holds before it drops new ones.",
            value=s.capacity,
        )
        for name, value, what in (
            ("sent", s.sent, "Alerts the HTTP output delivered (2xx or 3xx answer)."),
            (
                "failed",
                s.failed,
                "Alerts the HTTP output gave up on: refused with a 4xx, or still failing "
                "(no connection, 5xx) after every retry.",
            ),
            ("dropped", s.dropped, "Alerts dropped because the HTTP output's queue was full."),
        ):
            yield CounterMetricFamily(PREFIX + f"http_output_{name}", what, value=value)


@dataclass
class MetricsServer:
    """``/metrics`` served from a background thread; :meth:`close` stops it."""

    address: str
    port: int
    _server: WSGIServer

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}/metrics"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class RuntimeMetrics:
    """The runtime's Prometheus series (see the module docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._stats: dict[str, _SourceStats] = {}
        r.register(_EventsCollector(self._stats))
        self.alerts = Counter(
            PREFIX + "alerts",
            "Alerts emitted (after the rate limit), by rule and priority (Falco's: Emergency, "
            "Alert, Critical, Error, Warning, Notice, Informational, Debug).",
            ("rule", "priority"),
            registry=r,
        )
        self.suppressed = Counter(
            PREFIX + "alerts_suppressed",
            "Alerts the rate limit held back (--rate-limit), by rule.",
            ("rule",),
            registry=r,
        )
        self.bad_lines = Counter(
            PREFIX + "bad_lines",
            "Input lines skipped because they are not audit events (not JSON, not an Event "
            "or EventList).",
            registry=r,
        )
        self.rules = Gauge(
            PREFIX + "rules_loaded",
            "Rules loaded and compiled (enabled, not skipped), by event source.",
            ("source",),
            registry=r,
        )

    # --- set up ---------------------------------------------------------------------------

    def rules_loaded(self, ruleset: Ruleset, sources: Iterable[str] = ()) -> None:
        """The rule gauge, and every loaded rule's alert series (and each of ``sources``'
        event series) created at 0."""
        counts: dict[str, int] = dict.fromkeys(sources, 0)
        for rule in ruleset.rules:
            if rule.runnable:
                counts[rule.source] = counts.get(rule.source, 0) + 1
                self.alerts.labels(rule.name, _priority(rule.priority))
        for source, n in counts.items():
            self.rules.labels(source).set(n)
        for source in sources:
            self._source(source)

    def watch_http_output(self, sink: HttpSink) -> None:
        self.registry.register(_HttpOutputCollector(sink))

    # --- hooks ----------------------------------------------------------------------------

    def _source(self, source: str) -> _SourceStats:
        st = self._stats.get(source)
        if st is None:
            st = self._stats[source] = _SourceStats()
        return st

    def evaluated(self, source: str, seconds: float, alerts: Iterable[Alert]) -> None:
        """One event of ``source`` evaluated in ``seconds``, letting ``alerts`` through.
        Called from one thread (the one evaluating events)."""
        st = self._stats.get(source) or self._source(source)
        st.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        st.sum += seconds
        for alert in alerts:
            self.alerts.labels(alert.rule, alert.priority.label).inc()

    def suppressed_alert(self, rule: str) -> None:
        self.suppressed.labels(rule).inc()

    def bad_line(self) -> None:
        self.bad_lines.inc()

    # --- exposition -----------------------------------------------------------------------

    def render(self) -> bytes:
        """The text exposition format, as ``/metrics`` serves it."""
        return generate_latest(self.registry)

    def serve(self, address: str, port: int) -> MetricsServer:
        """Serve ``/metrics`` on ``address:port`` (port 0: a free one) from a daemon thread;
        OSError when it cannot listen."""
        server, _thread = start_http_server(port, addr=address, registry=self.registry)
        bound = server.server_address[1]
        return MetricsServer(address, int(bound), server)


__all__ = ["LATENCY_BUCKETS", "PREFIX", "MetricsServer", "RuntimeMetrics"]
