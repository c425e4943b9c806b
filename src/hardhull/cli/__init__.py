"""Command-line front end. Thin: parse flags, call the library, pick a reporter, set the exit.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or input
errors (a bad flag, or nothing could be scanned).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from hardhull import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON = ("info", "low", "medium", "high", "critical", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hardhull: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _add_report_options(p: argparse.ArgumentParser) -> None:
    from hardhull.report import FORMATS

    p.add_argument("--format", "-f", choices=FORMATS, default=None, help="report format")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="exit 1 when a finding is at or above this severity (default: high)",
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


#: subcommands living in their own packages: name → (help, module, add-parser function,
#: command function, whether the add-parser function takes the report options)
LAZY_COMMANDS: dict[str, tuple[str, str, str, str, bool]] = {
    "pss": (
        "evaluate Pod Security Standards (upstream's exact checks) on files or stdin (-)",
        "hardhull.cli.pss",
        "add_pss_parser",
        "cmd_pss",
        True,
    ),
    "rbac": (
        "who can do what: the RBAC permission graph of manifests, offline",
        "hardhull.cli.rbac",
        "add_rbac_parser",
        "cmd_rbac",
        True,
    ),
    "netpol": (
        "NetworkPolicy analysis: which workloads may connect to which",
        "hardhull.cli.netpol",
        "add_netpol_parser",
        "cmd_netpol",
        True,
    ),
    "admission": (
        "the validating and mutating admission webhook (serve, certs, manifests)",
        "hardhull.cli.admission",
        "add_admission_parser",
        "cmd_admission",
        False,
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``command`` is the subcommand about to run (None: all of them)."""
    parser = _Parser(
        prog="hardhull",
        description="Harden containers and Kubernetes: one rule set from CI to admission.",
    )
    parser.add_argument("--version", action="version", version=f"hardhull {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("scan", help="scan files, directories or stdin (-)")
    s.add_argument("paths", nargs="*", metavar="PATH")
    _add_report_options(s)
    s.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    s.add_argument("--config", metavar="FILE", help="configuration file (default: .hardhull.yaml)")
    s.add_argument("--disable", action="append", default=[], metavar="CODE[,CODE]")
    s.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="PREFIX[,PREFIX]",
        help="run only rules whose code starts with a PREFIX (e.g. K, D0, R001)",
    )
    s.add_argument("--max-file-size", type=int, metavar="BYTES")
    s.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE")
    s.add_argument("--write-baseline", metavar="FILE", help="write all findings' fingerprints")
    s.add_argument("--pss-level", choices=("privileged", "baseline", "restricted"), default=None)
    s.add_argument("--pss-version", default=None, metavar="v1.N|latest")
    s.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0: auto)")
    s.add_argument(
        "--daemon-config",
        action="append",
        default=[],
        metavar="FILE",
        help="audit FILE as a Docker daemon.json (files named daemon.json are found anyway)",
    )
    s.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="judge end-of-life dates as of this day (default: today)",
    )

    r = sub.add_parser("rules", help="list rules, or explain one")
    r.add_argument("code", nargs="?")
    r.add_argument("--write-docs", metavar="DIR", help="write one Markdown page per rule")
    r.add_argument("--json", action="store_true", help="machine-readable list")

    for name, (help_text, module, adder, _, with_report) in LAZY_COMMANDS.items():
        if command != name:
            # only the command being run imports its module (and what it needs)
            sub.add_parser(name, help=help_text)
            continue
        add = getattr(importlib.import_module(module), adder)
        if with_report:
            add(sub, _add_report_options)
        else:
            add(sub)
    return parser


def _color(choice: str, stream_is_tty: bool) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream_is_tty


def write_report(text: str | Iterable[str], output: str | None) -> int:
    """Write a report (a string, or its pieces as they are made) to ``output`` or stdout."""
    pieces = [text] if isinstance(text, str) else text
    if output:
        try:
            # `-o reports/hardhull.sarif` in a fresh CI checkout: create the folder
            parent = os.path.dirname(output)
            if parent and not os.path.isdir(parent):
                if os.path.lexists(parent):
                    raise NotADirectoryError(errno.ENOTDIR, f"{parent} is not a directory")
                os.makedirs(parent, exist_ok=True)
            with open(output, "w", encoding="utf-8", errors="backslashreplace") as fh:
                for piece in pieces:
                    fh.write(piece)
        except OSError as exc:
            sys.stderr.write(f"hardhull: cannot write {output}: {exc.strerror or exc}\n")
            return EXIT_ERROR
    else:
        # file names need not be valid UTF-8: never die on them
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        try:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
        except BrokenPipeError:
            # the reader went away (`| head`): the rest of the report is not wanted, but the
            # exit code (findings at or above --fail-on) and the diagnostics on stderr still are
            _discard_stdout()
    return EXIT_OK


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def threshold_exit(severities: Sequence[int], fail_on: str) -> int:
    from hardhull.model import Severity

    if fail_on == "never":
        return EXIT_OK
    limit = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(s >= limit for s in severities) else EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    from hardhull.cli.config import ConfigError, load_config
    from hardhull.engine import ScanOptions, scan
    from hardhull.report import printable_path, render_pieces

    if not args.paths and not args.daemon_config:
        sys.stderr.write("hardhull: error: scan needs at least one PATH (or - for stdin)\n")
        return EXIT_ERROR
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        sys.stderr.write(f"hardhull: configuration error: {exc}\n")
        return EXIT_ERROR
    disabled = set(cfg.disable)
    for item in args.disable:
        disabled |= {c.strip().upper() for c in item.split(",") if c.strip()}
    from hardhull.rules import all_rules

    rules = all_rules()
    unknown = sorted(c for c in disabled | set(cfg.severity) if c not in rules)
    if unknown:
        sys.stderr.write(f"hardhull: error: unknown rule code(s): {', '.join(unknown)}\n")
        return EXIT_ERROR
    selected = [p.strip().upper() for item in args.select for p in item.split(",") if p.strip()]
    selected = selected or cfg.select
    if selected:
        matched = {c for c in rules if c.startswith(tuple(selected))}
        nomatch = sorted(p for p in selected if not any(c.startswith(p) for c in rules))
        if nomatch:
            sys.stderr.write(f"hardhull: error: --select matches no rule: {', '.join(nomatch)}\n")
            return EXIT_ERROR
        disabled |= set(rules) - matched
    fmt = args.format or cfg.format or "text"
    fail_on = args.fail_on or cfg.fail_on or "high"
    if fail_on not in FAIL_ON:
        sys.stderr.write(f"hardhull: error: fail-on must be one of {', '.join(FAIL_ON)}\n")
        return EXIT_ERROR
    baseline: frozenset[str] = frozenset()
    baseline_path = args.baseline or cfg.baseline
    if baseline_path:
        try:
            baseline = read_baseline(baseline_path)
        except ValueError as exc:
            sys.stderr.write(f"hardhull: error: {exc}\n")
            return EXIT_ERROR
    max_bytes = args.max_file_size if args.max_file_size is not None else cfg.max_file_size
    if max_bytes is not None and max_bytes <= 0:
        sys.stderr.write("hardhull: error: --max-file-size must be positive\n")
        return EXIT_ERROR
    from hardhull.pss.levels import LevelError, parse_level_version

    try:
        pss = parse_level_version(
            args.pss_level or cfg.pss_level or "restricted", args.pss_version or cfg.pss_version
        )
    except LevelError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    opts = ScanOptions(
        excludes=[*cfg.exclude, *args.exclude],
        disabled=frozenset(disabled),
        severity=cfg.severity,
        baseline=baseline,
        jobs=max(args.jobs, 0),
        pss_default=pss,
        as_of=args.as_of or cfg.as_of,
        forced_kinds={p: "daemon" for p in args.daemon_config},
    )
    if max_bytes is not None:
        opts.max_bytes = max_bytes
    progress = _progress_bar() if sys.stderr.isatty() else None
    result = scan([*args.paths, *args.daemon_config], opts, progress)
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    if args.write_baseline:
        code = write_baseline(args.write_baseline, [f.fingerprint for f in result.findings])
        if code:
            return code
    to_tty = not args.output and sys.stdout.isatty()
    code = write_report(render_pieces(fmt, result, _color(args.color, to_tty)), args.output)
    if code:
        return code
    if (result.errors and args.output) or (result.errors and fmt != "text"):
        for e in result.errors:
            sys.stderr.write(f"hardhull: input error: {printable_path(str(e))}\n")
    if (result.errors or result.skipped) and not result.scanned_anything:
        # something was asked for and none of it could be read (an empty folder is fine)
        sys.stderr.write("hardhull: error: nothing could be scanned\n")
        return EXIT_ERROR
    return threshold_exit([f.severity for f in result.findings], fail_on)


def _progress_bar() -> Callable[[int, int], None]:
    """A one-line progress bar on stderr, shown only for scans of many files."""

    def show(done: int, total: int) -> None:
        if total < 200:
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        sys.stderr.flush()

    return show


def read_baseline(path: str) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ValueError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}:{exc.lineno}:{exc.colno}: invalid baseline JSON: {exc.msg}"
        ) from None
    fps = data.get("fingerprints") if isinstance(data, dict) else None
    if not isinstance(fps, list) or not all(isinstance(x, str) for x in fps):
        raise ValueError(f"{path}: not a hardhull baseline (no 'fingerprints' list)")
    return frozenset(fps)


def write_baseline(path: str, fingerprints: Sequence[str]) -> int:
    doc = {"schema": "hardhull/baseline", "version": 1, "fingerprints": sorted(set(fingerprints))}
    return write_report(json.dumps(doc, indent=2) + "\n", path)


def cmd_rules(args: argparse.Namespace) -> int:
    from hardhull.ruledocs import code_links, index_page, rule_page
    from hardhull.rules import all_rules

    rules = dict(sorted(all_rules().items()))
    if args.write_docs:
        os.makedirs(args.write_docs, exist_ok=True)
        links = code_links()
        for r in rules.values():
            with open(os.path.join(args.write_docs, f"{r.code}.md"), "w", encoding="utf-8") as fh:
                fh.write(rule_page(r, links.get(r.code)))
        with open(os.path.join(args.write_docs, "README.md"), "w", encoding="utf-8") as fh:
            fh.write(index_page(list(rules.values())))
        sys.stdout.write(f"wrote {len(rules)} rule pages to {args.write_docs}\n")
        return EXIT_OK
    if args.code:
        key = args.code.upper()
        rule = rules.get(key) or next((r for r in rules.values() if r.slug == args.code), None)
        if rule is None:
            sys.stderr.write(f"hardhull: unknown rule {args.code!r} (see: hardhull rules)\n")
            return EXIT_ERROR
        sys.stdout.write(rule_page(rule))
        return EXIT_OK
    if args.json:
        out = [
            {"code": r.code, "slug": r.slug, "severity": r.severity.label, "title": r.title}
            for r in rules.values()
        ]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return EXIT_OK
    for r in rules.values():
        sys.stdout.write(f"{r.code}  {r.severity.label:<8}  {r.slug:<34} {r.title}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command)
    args, extra = parser.parse_known_args(words)
    if extra:
        # name the subcommand's usage, not the top-level one, for a flag it does not know
        subparsers = next(
            (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        target = subparsers.choices.get(args.command) if subparsers and args.command else None
        (target or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "rules":
            return cmd_rules(args)
        lazy = LAZY_COMMANDS.get(args.command or "")
        if lazy is not None:
            run: Callable[[argparse.Namespace], int] = getattr(
                importlib.import_module(lazy[1]), lazy[3]
            )
            return run(args)
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("hardhull: interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`) while a command wrote on its own: not an error
        _discard_stdout()
        return EXIT_OK
