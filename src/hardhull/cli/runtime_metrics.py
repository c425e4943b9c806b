"""``hardhull runtime --metrics-port N``: Prometheus ``/metrics`` while the runtime runs (issue #12,
section 3; docs/runtime-metrics.md).

The server runs in a background thread from before the first event is read until the run
ends, whatever the events come from (standard input, files, a tailed log, a listener): reading
standard input it serves until standard input closes. ``--serve-after-input`` keeps it up after
the input ends, until SIGINT or SIGTERM, so that a replayed file's final counts can be scraped.
``--metrics-address`` (default 127.0.0.1) is where it listens; in a pod that Prometheus scrapes,
``0.0.0.0``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from hardhull.exitcodes import EXIT_ERROR

INSTALL_HINT = "pip install 'hardhull[runtime]'"


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {n}")
    return n


def add_metrics_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--metrics-port",
        type=_port,
        default=None,
        metavar="N",
        help="serve Prometheus metrics on http://ADDRESS:N/metrics while running (0: a free "
        "port, printed on stderr); needs prometheus-client (" + INSTALL_HINT + ")",
    )
    p.add_argument(
        "--metrics-address",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address /metrics listens on (default 127.0.0.1; 0.0.0.0 in a pod)",
    )
    p.add_argument(
        "--serve-after-input",
        action="store_true",
        help="with --metrics-port: when the input ends, keep serving /metrics until SIGINT "
        "or SIGTERM (to scrape the final counts of a replayed log)",
    )


class MetricsRun:
    """The metrics of one run and their server."""

    def __init__(self, metrics: Any, server: Any, linger: bool) -> None:
        self.metrics = metrics
        self.server = server
        self.linger = linger

    def bad_line(self) -> None:
        self.metrics.bad_line()

    def finish(self) -> None:
        """With ``--serve-after-input``, serve until SIGINT or SIGTERM; then stop."""
        try:
            if self.linger:
                sys.stderr.write(
                    f"hardhull: input ended; serving {self.server.url} until SIGINT or SIGTERM\n"
                )
                sys.stderr.flush()
                _wait_for_signal()
        finally:
            self.server.close()


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def start_metrics(
    args: argparse.Namespace, runtime: Any, ruleset: Any, sink: Any
) -> MetricsRun | int | None:
    """The run's metrics and their server (None: not asked for; an int: the exit code of a
    usage error, already reported)."""
    if args.metrics_port is None:
        if args.serve_after_input:
            sys.stderr.write("hardhull: error: --serve-after-input needs --metrics-port\n")
            return EXIT_ERROR
        return None
    try:
        # the runtime's metrics need prometheus-client, loaded only when asked for
        from hardhull.runtime.metrics import RuntimeMetrics
    except ImportError:
        sys.stderr.write(
            "hardhull: error: --metrics-port needs the prometheus-client package, which is not "
            f"installed: {INSTALL_HINT}\n"
        )
        return EXIT_ERROR
    metrics = RuntimeMetrics()
    # the event series start at 0 for the source asked for, else (each input's source is
    # told from its first line) for every source the loaded rules watch
    sources = [args.source] if args.source else sorted({r.source for r in ruleset.rules})
    metrics.rules_loaded(ruleset, sources=sources)
    if sink is not None:
        metrics.watch_http_output(sink)
    try:
        server = metrics.serve(args.metrics_address, args.metrics_port)
    except OSError as exc:
        sys.stderr.write(
            f"hardhull: error: --metrics-port: cannot listen on "
            f"{args.metrics_address}:{args.metrics_port}: {exc.strerror or exc}\n"
        )
        return EXIT_ERROR
    runtime.observer = metrics
    sys.stderr.write(f"hardhull: serving metrics on {server.url}\n")
    sys.stderr.flush()
    return MetricsRun(metrics, server, args.serve_after_input)
