"""``hardhull pss``: evaluate manifests against one Pod Security Standards level and version.

One finding per failing control per object, with upstream's reason and detail. Exit codes:
0 every pod-bearing object passes; 1 at least one fails (the default, ``--fail-on info``;
with ``--fail-on SEVERITY``: one fails a control whose rule is at or above SEVERITY;
``--fail-on never``: always 0); 2 bad flags, or nothing could be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hardhull.cli.common import (
    FAIL_ON,
    load_manifests,
    nothing_checked,
    report_input_errors,
    threshold_exit,
    use_color,
    write_report,
)
from hardhull.exitcodes import EXIT_ERROR
from hardhull.pss.levels import LATEST_MINOR

if TYPE_CHECKING:
    from hardhull.model import ScanResult

#: without --fail-on, any failing control fails the run (info is the lowest severity)
PSS_FAIL_ON = "info"


def _version(text: str) -> str:
    """v1.N or latest, as ``scan --pss-version`` reads it: a version newer than this release
    knows evaluates as latest (as Pod Security Admission does); anything else is refused."""
    from hardhull.pss.levels import LevelError, parse_version

    t = text.strip()
    if t == "latest":
        return t
    try:
        return f"v1.{parse_version(t)}"
    except LevelError:
        raise argparse.ArgumentTypeError(
            f"invalid Pod Security version {text!r}: use v1.N (v1.0 … v1.{LATEST_MINOR}, newer "
            "evaluates as latest) or latest"
        ) from None


def add_pss_parser(sub: Any, add_report_options: Callable[..., None]) -> argparse.ArgumentParser:
    """Register the ``pss`` subcommand on ``sub`` (an argparse subparsers action)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "pss",
        help="evaluate Pod Security Standards (upstream's exact checks) on files or stdin (-)",
        description="Evaluate every pod and pod template against a Pod Security Standards "
        "level and policy version, with the checks and messages of Pod Security Admission.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - (stdin)")
    p.add_argument(
        "--level",
        choices=("baseline", "restricted"),
        default="restricted",
        help="default: %(default)s",
    )
    p.add_argument(
        "--version",
        dest="version",
        type=_version,
        default="latest",
        metavar="v1.N|latest",
        help=f"policy version v1.0 … v1.{LATEST_MINOR} or latest (default: latest)",
    )
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    add_report_options(p, fail_on_default=PSS_FAIL_ON)
    return p


def run_pss(
    paths: list[str], level: str, version: str, excludes: list[str], stdin_text: str | None = None
) -> ScanResult:
    """Collect, parse and evaluate every pod-bearing object; pure but for reading the inputs."""
    # start-up time: the evaluator and its inputs only when pss runs
    from hardhull.engine.locate import excerpt
    from hardhull.model import Finding, InputError, Location, ScanResult, fingerprint
    from hardhull.models.workload import Workload
    from hardhull.paths import printable_path
    from hardhull.pss.evaluate import evaluate_pss
    from hardhull.pss.levels import parse_level_version
    from hardhull.rules.pss.catalog import BY_CODE

    lv = parse_level_version(level, version)
    m = load_manifests(paths, excludes, stdin_text)
    result = ScanResult(errors=m.errors, skipped=m.skipped)
    result.files, result.scanned, result.ignored = m.files, m.scanned, m.ignored
    for obj in m.objects:
        if Workload.of(obj.data) is None:
            result.ignored += 1
            continue
        result.objects += 1
        try:
            failures = evaluate_pss(obj.data, lv)
        except Exception as exc:  # never a traceback for one bad object
            result.errors.append(
                InputError(obj.path, f"internal error checking {obj.resource}: {exc!r}", obj.line)
            )
            continue
        resource = obj.resource
        for f in failures:
            rule = BY_CODE[f.code]
            pointer = f.pointers[0]
            line, col = obj.position(pointer)
            snippet, start, end = "", 0, 0
            if obj.lines is not None and 0 < line <= len(obj.lines):
                snippet, start, end = excerpt(obj.lines[line - 1], col)
            message = f"{f.reason} ({f.detail})" if f.detail else f.reason
            result.findings.append(
                Finding(
                    rule=rule,
                    severity=rule.severity,
                    message=message,
                    resource=resource,
                    pointer=pointer,
                    location=Location(obj.path, line, col),
                    snippet=snippet,
                    snippet_start=start,
                    snippet_end=end,
                    fingerprint=fingerprint(f.code, printable_path(obj.path), resource, pointer),
                )
            )
    result.findings.sort(
        key=lambda f: (f.location.path, f.location.line, f.location.column, f.rule.code)
    )
    result.errors.sort(key=lambda e: (e.path, e.line))
    return result


def cmd_pss(args: argparse.Namespace) -> int:
    # start-up time: the reporters only when pss runs
    from hardhull.report import FORMATS, render

    fmt = getattr(args, "format", None) or "text"
    if fmt not in FORMATS:
        sys.stderr.write(f"hardhull: error: format must be one of {', '.join(FORMATS)}\n")
        return EXIT_ERROR
    fail_on = getattr(args, "fail_on", None) or PSS_FAIL_ON
    if fail_on not in FAIL_ON:
        sys.stderr.write(f"hardhull: error: fail-on must be one of {', '.join(FAIL_ON)}\n")
        return EXIT_ERROR
    try:
        version = _version(getattr(args, "version", None) or "latest")
    except argparse.ArgumentTypeError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    level = getattr(args, "level", None) or "restricted"
    if level not in ("baseline", "restricted"):
        sys.stderr.write("hardhull: error: level must be baseline or restricted\n")
        return EXIT_ERROR
    output = getattr(args, "output", None)
    excludes = list(getattr(args, "exclude", None) or [])
    stdin_text = getattr(args, "stdin_text", None)
    result = run_pss(list(args.paths), level, version, excludes, stdin_text)
    to_tty = not output and sys.stdout.isatty()
    color = use_color(getattr(args, "color", "auto"), to_tty)
    code = write_report(render(fmt, result, color), output)
    if code:
        return code
    if result.errors and (output or fmt != "text"):
        report_input_errors(result.errors)
    if not result.scanned_anything:
        sys.stderr.write("hardhull: error: nothing could be read\n")
        return EXIT_ERROR
    if not result.objects:
        sys.stderr.write(nothing_checked(result.files, len(result.skipped), result.ignored))
        return EXIT_ERROR
    return threshold_exit([f.severity for f in result.findings], fail_on)
