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

Live sources, until SIGINT/SIGTERM (then the summary line): ``--input FILE --follow`` reads
the lines appended to a log, through rotation and truncation (``hardhull.runtime.follow``);
``--listen ADDR:PORT --tls-cert FILE --tls-key FILE [--client-ca FILE]`` serves the API
server's audit webhook (``hardhull.runtime.listen``).

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
    _add_live_arguments(p)
    return p


def _add_live_arguments(p: argparse.ArgumentParser) -> None:
    """--follow and --listen (issue #12 §2): events as they happen."""
    p.add_argument(
        "--follow",
        action="store_true",
        help="with one --input FILE: keep reading lines appended to it, through rotation and "
        "truncation, like tail -F (stop with SIGINT/SIGTERM)",
    )
    p.add_argument(
        "--listen",
        metavar="ADDR:PORT",
        help="serve the API server's audit webhook: POSTed EventList batches are the events "
        "(TLS required unless ADDR is loopback; stop with SIGINT/SIGTERM)",
    )
    p.add_argument("--tls-cert", metavar="FILE", help="--listen: the serving certificate (PEM)")
    p.add_argument("--tls-key", metavar="FILE", help="--listen: its private key (PEM)")
    p.add_argument(
        "--client-ca",
        metavar="FILE",
        help="--listen: require a client certificate signed by these CA certificates (the "
        "one in the API server's webhook kubeconfig)",
    )
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=None,
        metavar="N",
        help="--listen: larger bodies are refused with 413 (default 32 MiB)",
    )
    p.add_argument(
        "--cert-check-seconds",
        type=float,
        default=10.0,
        metavar="S",
        help="--listen: how often the certificate files are checked for renewal (default 10)",
    )


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
    problem = _live_problem(args)
    if problem:
        sys.stderr.write(f"hardhull: error: {problem}\n")
        return EXIT_ERROR
    metrics = start_metrics(args, runtime, ruleset, sink)
    if isinstance(metrics, int):
        return metrics
    bad = 0
    try:
        live = bool(args.listen or args.follow)
        if live:  # until SIGINT/SIGTERM
            bad = _run_live(args, runtime, out, fmt, sink, metrics)
            if bad < 0:
                return EXIT_ERROR
        for name in [] if live else args.input or ["-"]:
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
                        out.flush()  # seen when it fires, through a pipe too (alerts are rare)
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


def _live_problem(args: argparse.Namespace) -> str | None:
    """A usage error of --follow/--listen and their options, or None."""
    if args.listen:
        from hardhull.runtime.listen import is_loopback, parse_listen

        if args.input or args.follow:
            return "--listen takes no --input or --follow: its events are the POSTed batches"
        if args.source not in (None, "k8s_audit"):
            return "--listen serves the k8s_audit source (the API server's audit webhook)"
        try:
            host, _ = parse_listen(args.listen)
        except ValueError as exc:
            return f"--listen {exc}"
        if bool(args.tls_cert) != bool(args.tls_key):
            return "--tls-cert and --tls-key go together"
        if not args.tls_cert and not is_loopback(host):
            return (
                f"--listen {args.listen}: serving audit events without TLS is allowed on a "
                "loopback address only: give --tls-cert and --tls-key"
            )
        if args.client_ca and not args.tls_cert:
            return "--client-ca needs --tls-cert and --tls-key"
        if args.max_body_bytes is not None and args.max_body_bytes < 1:
            return "--max-body-bytes must be at least 1"
        return None
    if any((args.tls_cert, args.tls_key, args.client_ca, args.max_body_bytes)):
        return "--tls-cert, --tls-key, --client-ca and --max-body-bytes go with --listen"
    if args.follow and (len(args.input) != 1 or args.input[0] == "-"):
        return (
            "--follow follows one file: give one --input FILE (standard input is read to its end)"
        )
    return None


def _run_live(
    args: argparse.Namespace, runtime: Any, out: IO[str], fmt: str, sink: Any, metrics: Any
) -> int:
    """--listen or --follow until SIGINT/SIGTERM: the lines skipped, or -1 on an error
    (reported)."""
    import signal
    import threading

    from hardhull.runtime.alerts import falco_json, falco_text
    from hardhull.runtime.engine import BadLine, Event, read_events, read_syscall_events

    def note(message: str) -> None:
        sys.stderr.write(f"hardhull: {message}\n")
        sys.stderr.flush()

    def process(event: Event) -> None:
        for alert in runtime.process(event):
            line = falco_json(alert, runtime.hostname) if fmt == "json" else falco_text(alert)
            out.write(line + "\n")
            if sink is not None:
                sink.put(alert)

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        if args.listen:
            on_skip = None
            if metrics is not None:

                def on_skip(n: int) -> None:
                    for _ in range(n):
                        metrics.bad_line()

            return _serve(args, process, out.flush, note, stop, on_skip)
        from hardhull.runtime.follow import Follower

        bad = 0
        name = args.input[0]
        read = read_syscall_events if args.source == "syscall" else read_events
        for lines in Follower(name, stop, note).files():
            for item in read(lines, name):
                if isinstance(item, BadLine):
                    bad += 1
                    note(f"warning: {item.where}: {item.why}")
                    if metrics is not None:
                        metrics.bad_line()
                else:
                    process(item)
                    out.flush()
        return bad
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(
    args: argparse.Namespace, process: Any, flush: Any, note: Any, stop: Any, on_skip: Any
) -> int:
    from hardhull.runtime.listen import MAX_BODY, AuditWebhook, parse_listen, reloading_tls
    from hardhull.tlsreload import TLSError

    host, port = parse_listen(args.listen)
    tls = None
    if args.tls_cert:
        try:
            tls = reloading_tls(args.tls_cert, args.tls_key, args.client_ca, note)
        except TLSError as exc:
            sys.stderr.write(f"hardhull: TLS error: {exc}\n")
            return -1
    try:
        hook = AuditWebhook(
            host,
            port,
            process=process,
            flush=flush,
            warn=note,
            tls=tls,
            max_body=args.max_body_bytes or MAX_BODY,
            cert_check_seconds=args.cert_check_seconds,
            on_skip=on_skip,
        )
    except OSError as exc:
        sys.stderr.write(
            f"hardhull: error: cannot listen on {args.listen}: {exc.strerror or exc}\n"
        )
        return -1
    note(f"listening on {hook.url} for the API server's audit webhook")
    hook.serve(stop)
    return hook.skipped
