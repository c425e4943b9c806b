"""``hardhull runtime``: Falco rule files, unmodified, over Kubernetes audit events, with alerts
in Falco's format (issue #12; docs/runtime.md).

    hardhull runtime -r k8s_audit_rules.yaml --input audit.log            # JSON alert lines
    hardhull runtime -r rules/ --validate                                  # Falco's --validate
    hardhull runtime -r k8s_audit_rules.yaml --list

Rules: hardhull's default rules (``hardhull/data/runtime_rules.yaml``, unless
``--no-default-rules``), then ``-r FILE|DIR`` (repeatable; a directory's files in name order,
as Falco), in that order, so that the users' files can override the defaults. Events:
``--input FILE|-`` (repeatable; default standard input): JSON lines, one audit ``Event`` or
``EventList`` each (``--source syscall``: Falco JSON alerts and Tetragon exported events;
without ``--source``, each input's first line tells which); a line that is neither is reported
(file and line) and skipped. Alerts:
one per line on standard output or ``--output FILE``, Falco's JSON (default when the output
is not a terminal) or its text line (``--format text``). ``--rate-limit N`` lets at most N
alerts a second through per rule (bursts of ``--burst``), the next one saying how many were
held back. ``--metrics-port N`` serves Prometheus ``/metrics`` while the run goes on
(``hardhull.cli.runtime_metrics``; docs/runtime-metrics.md).

Exit codes: 0 done (``--validate``: every file loads); 1 ``--validate`` found errors; 2 a usage
error, rule files that do not load, an input that cannot be read.
"""

from __future__ import annotations

import argparse
import itertools
import socket
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from hardhull.cli.runtime_metrics import add_metrics_arguments, start_metrics
from hardhull.exitcodes import EXIT_ERROR, EXIT_OK

SOURCES = ("k8s_audit", "syscall")


def add_runtime_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "runtime",
        help="run Falco rule files over Kubernetes audit events; Falco-format alerts",
        description="Run Falco rule files, unmodified, over Kubernetes audit events (JSON "
        "lines of Event or EventList) and write an alert per line in Falco's format.",
    )
    p.add_argument(
        "-r",
        "--rules",
        action="append",
        default=[],
        metavar="FILE|DIR",
        help="a Falco rule file or a directory of them (repeatable, in order; after the "
        "default rules)",
    )
    p.add_argument(
        "--no-default-rules",
        action="store_true",
        help="do not load hardhull's default rules (loaded first otherwise; docs/runtime.md)",
    )
    p.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="FILE|-",
        help="audit events, JSON lines (repeatable; default: stdin)",
    )
    p.add_argument(
        "--source",
        choices=SOURCES,
        default=None,
        help="the event source: k8s_audit (audit Event lines) or syscall (Falco JSON alerts, "
        "Tetragon exported events); default: told from each input's first line, k8s_audit "
        "when it is neither",
    )
    p.add_argument(
        "--format",
        choices=("json", "text"),
        default=None,
        help="alert format (default: json, text on a terminal)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write alerts to FILE")
    p.add_argument(
        "--http-output",
        metavar="URL",
        help="also POST each alert (Falco JSON) to URL, as Falco's http_output; retried, "
        "queued, dropped and counted when the receiver is down",
    )
    p.add_argument(
        "--validate", action="store_true", help="load and compile the rule files, report, and stop"
    )
    p.add_argument("--list", action="store_true", help="list the loaded rules and stop")
    p.add_argument("--hostname", default=None, help="the alerts' hostname (default: this host)")
    p.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        metavar="N",
        help="at most N alerts a second per rule (0, the default: no limit)",
    )
    p.add_argument(
        "--burst",
        type=int,
        default=10,
        metavar="N",
        help="alerts a rule may emit at once (default 10)",
    )
    add_metrics_arguments(p)
    return p


def _load(paths: list[str], defaults: bool) -> Any:
    from hardhull.falco.loader import expand_paths, load_files
    from hardhull.runtime.defaults import default_rules

    files = ([default_rules()] if defaults else []) + expand_paths(paths)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.stderr.write(f"hardhull: error: rule file {missing[0]}: not found\n")
        return None
    return load_files(files)


def _report_diagnostics(ruleset: Any) -> None:
    for d in ruleset.diagnostics:
        sys.stderr.write(f"hardhull: {d.level}: {d}\n")


def cmd_runtime(args: argparse.Namespace) -> int:
    if not args.rules and args.no_default_rules:
        sys.stderr.write(
            "hardhull: error: --no-default-rules leaves no rules: give -r FILE|DIR "
            "(Falco's rule files)\n"
        )
        return EXIT_ERROR
    ruleset = _load(args.rules, not args.no_default_rules)
    if ruleset is None:
        return EXIT_ERROR
    _report_diagnostics(ruleset)
    if args.validate:
        skipped = ruleset.skipped
        for rule in skipped:
            sys.stderr.write(f"hardhull: skipped rule {rule.name!r}: {rule.skipped}\n")
        n = len([r for r in ruleset.rules if r.runnable])
        sys.stdout.write(
            f"{n} rule(s) loaded, {len(skipped)} skipped, {len(ruleset.errors)} error(s)\n"
        )
        return EXIT_OK if ruleset.ok else 1
    if not ruleset.ok:
        return EXIT_ERROR
    if args.list:
        for rule in ruleset.rules:
            state = "" if rule.runnable else f"  [{rule.skipped or 'disabled'}]"
            sys.stdout.write(f"{rule.name}\t{rule.source}\t{rule.priority}{state}\n")
        return EXIT_OK
    return _run(args, ruleset)


def _peek(stream: Iterable[str]) -> tuple[str, Iterator[str]]:
    """The first non-blank line of ``stream``, and every line (that one included) again."""
    it = iter(stream)
    seen: list[str] = []
    for line in it:
        seen.append(line)
        if line.strip():
            return line, itertools.chain(seen, it)
    return "", iter(seen)


def _run(args: argparse.Namespace, ruleset: Any) -> int:
    from hardhull.runtime.alerts import falco_json, falco_text
    from hardhull.runtime.engine import BadLine, Runtime, read_events, read_syscall_events

    out: IO[str]
    try:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        sys.stderr.write(f"hardhull: error: {args.output}: {exc.strerror or exc}\n")
        return EXIT_ERROR
    fmt = args.format or ("text" if out.isatty() else "json")
    hostname = args.hostname or socket.gethostname()
    runtime = Runtime(ruleset, hostname=hostname, rate=args.rate_limit, burst=args.burst)
    sink = None
    if args.http_output:
        from hardhull.runtime.alerts import HttpSink

        try:
            sink = HttpSink(args.http_output, hostname=hostname)
        except ValueError as exc:
            sys.stderr.write(f"hardhull: error: --http-output: {exc}\n")
            return EXIT_ERROR
    metrics = start_metrics(args, runtime, ruleset, sink)
    if isinstance(metrics, int):
        return metrics
    bad = 0
    try:
        for name in args.input or ["-"]:
            try:
                stream = sys.stdin if name == "-" else open(name, encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                sys.stderr.write(f"hardhull: error: {name}: {exc.strerror or exc}\n")
                return EXIT_ERROR
            where = "<stdin>" if name == "-" else name
            try:
                lines: Iterable[str] = stream
                source = args.source
                if source is None:
                    from hardhull.runtime.syscall import detect_source

                    head, lines = _peek(stream)
                    source = detect_source(head)
                reader = read_syscall_events if source == "syscall" else read_events
                for item in reader(lines, where):
                    if isinstance(item, BadLine):
                        bad += 1
                        if metrics is not None:
                            metrics.bad_line()
                        sys.stderr.write(f"hardhull: warning: {item.where}: {item.why}\n")
                        continue
                    for alert in runtime.process(item):
                        line = falco_json(alert, hostname) if fmt == "json" else falco_text(alert)
                        out.write(line + "\n")
                        if sink is not None:
                            sink.put(alert)
            finally:
                if stream is not sys.stdin:
                    stream.close()
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    if sink is not None:
        sink.close()
        sys.stderr.write(
            f"hardhull: {args.http_output}: {sink.sent} alert(s) sent, {sink.failed} failed, "
            f"{sink.dropped} dropped (queue full)\n"
        )
    for rule, n in sorted(runtime.limiter.summaries().items()):
        sys.stderr.write(f"hardhull: {rule}: suppressed {n} similar alert(s) (--rate-limit)\n")
    total = sum(runtime.events.values())
    alerts = sum(runtime.alerts.values())
    sys.stderr.write(f"hardhull: {total} event(s), {alerts} alert(s), {bad} line(s) skipped\n")
    if metrics is not None:
        metrics.finish()
    return EXIT_OK
