"""What the subcommands share: the report options and writing the report, the colour decision,
the exit for ``--fail-on``, and reading Kubernetes manifests with their input errors.

Imported at start-up by :mod:`hardhull.cli`: the standard library only at module level; the
front ends are imported when manifests are read.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable, Sequence

from hardhull.exitcodes import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

#: not ``typing.TYPE_CHECKING``: importing ``typing`` would slow every start-up (mypy treats
#: any name TYPE_CHECKING as true)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from hardhull.cli.config import Config
    from hardhull.frontends.kubernetes import K8sObject
    from hardhull.model import InputError, Skipped

FAIL_ON = ("info", "low", "medium", "high", "critical", "never")
#: the ``--fail-on`` of ``scan`` when neither the flag nor the configuration sets it
SCAN_FAIL_ON = "high"


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number, 0 or more (``--jobs -3`` is refused)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: use 0 or more")
    return value


def non_negative_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds, 0 or more")
    return value


def add_report_options(
    p: argparse.ArgumentParser,
    fail_on_default: str = SCAN_FAIL_ON,
    fail_on_help: str | None = None,
) -> None:
    """``--format``, ``--output``, ``--fail-on`` and ``--color``; ``fail_on_default`` is the
    value the command uses when ``--fail-on`` is not given (the help says it), unless
    ``fail_on_help`` says what decides instead."""
    from hardhull.report import FORMATS  # start-up time: only for the command being run

    p.add_argument("--format", "-f", choices=FORMATS, default=None, help="report format")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help=fail_on_help
        or f"exit 1 when a finding is at or above this severity (default: {fail_on_default})",
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def use_color(choice: str, stream_is_tty: bool) -> bool:
    """Whether to colour, first rule that applies: ``--color always|never``; ``NO_COLOR``
    (non-empty: never); ``FORCE_COLOR`` (non-empty: always, even into a pipe); ``TERM=dumb``
    (never); else colour only a terminal."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return stream_is_tty


def stdin_hint(paths: Sequence[str]) -> None:
    """When ``-`` is to be read from a terminal, say so on stderr instead of waiting silently."""
    try:
        tty = "-" in paths and sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        tty = False
    if tty:
        sys.stderr.write("hardhull: reading from stdin; press Ctrl-D to end, or pass paths\n")
        sys.stderr.flush()


def write_report(text: str | Iterable[str], output: str | None) -> int:
    """Write ``text`` (a string, or a report's pieces as they are made) to ``output``
    (creating its folder) or stdout; EXIT_ERROR if it fails."""
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
            discard_stdout()
    return EXIT_OK


def discard_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def threshold_exit(severities: Sequence[int], fail_on: str) -> int:
    """EXIT_FINDINGS when a severity is at or above ``fail_on`` ("never": EXIT_OK)."""
    from hardhull.model import Severity  # start-up time: only for the command being run

    if fail_on == "never":
        return EXIT_OK
    limit = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(s >= limit for s in severities) else EXIT_OK


def report_input_errors(errors: Iterable[InputError]) -> None:
    """One ``hardhull: input error: …`` line on stderr per error."""
    from hardhull.paths import printable_path  # start-up time: only for the command being run

    for e in errors:
        sys.stderr.write(f"hardhull: input error: {printable_path(str(e))}\n")


def report_warnings(warnings: Iterable[InputError]) -> None:
    """One ``hardhull: warning: …`` line on stderr per warning (whatever the report format)."""
    from hardhull.paths import printable_path  # start-up time: only for the command being run

    for w in warnings:
        sys.stderr.write(f"hardhull: warning: {printable_path(str(w))}\n")


class Manifests:
    """The Kubernetes objects of the inputs, and what could not be read."""

    __slots__ = ("clean_files", "errors", "files", "ignored", "objects", "scanned", "skipped")

    def __init__(self) -> None:
        self.objects: list[K8sObject] = []
        #: collection errors, then each file's parse errors, in input order
        self.errors: list[InputError] = []
        #: inputs skipped by collection, then documents skipped by the parser
        self.skipped: list[Skipped] = []
        #: inputs read
        self.files = 0
        #: inputs parsed without an error
        self.clean_files = 0
        #: inputs that gave objects or parsed without an error
        self.scanned = 0
        #: documents that are no Kubernetes object
        self.ignored = 0


def nothing_checked(files: int, skipped: int, ignored: int) -> str:
    """The error of a command that read its inputs and found no Kubernetes object in them (an
    empty folder, Helm templates only, other tools' files): the same rule as ``scan``
    (docs/inputs.md)."""
    return (
        f"hardhull: error: nothing was checked: {files} file(s) read, {skipped} skipped, "
        f"{ignored} other document(s) ignored; no Kubernetes object\n"
    )


def load_manifests(
    paths: Sequence[str], excludes: Sequence[str] = (), stdin_text: str | None = None
) -> Manifests:
    """Collect the inputs (files, directories, ``-``) and parse them as Kubernetes manifests."""
    # start-up time: the front ends only for the command that reads manifests
    from hardhull.frontends import kinds
    from hardhull.frontends.files import collect
    from hardhull.frontends.kubernetes import parse_text

    if stdin_text is None:
        stdin_hint(paths)
    collected = collect(paths, excludes=excludes, stdin_text=stdin_text)
    m = Manifests()
    m.errors.extend(collected.errors)
    m.skipped.extend(collected.skipped)
    for item in collected.inputs:
        m.files += 1
        if kinds.input_kind(item.path, item.text) != kinds.KUBERNETES:
            # selected as scan selects: a Dockerfile, compose file or daemon.json holds no
            # Kubernetes object (read, counted as ignored)
            m.scanned += 1
            m.clean_files += 1
            m.ignored += 1
            continue
        parsed = parse_text(item.path, item.text)
        if not parsed.errors:
            m.clean_files += 1
        if parsed.objects or not parsed.errors:
            m.scanned += 1
        m.errors.extend(parsed.errors)
        m.skipped.extend(parsed.skipped)
        m.ignored += parsed.ignored
        m.objects.extend(parsed.objects)
    return m


def discover_config(explicit: str | None) -> Config | int:
    """The configuration (``--config FILE``, else the nearest one found), its search warnings
    said on stderr; EXIT_ERROR after saying why when it cannot be read."""
    from hardhull.cli.config import ConfigError, discover

    try:
        cfg, passed_over = discover(explicit)
    except ConfigError as exc:
        sys.stderr.write(f"hardhull: configuration error: {exc}\n")
        return EXIT_ERROR
    for warning in passed_over:
        sys.stderr.write(f"hardhull: warning: {warning}\n")
    return cfg


def resolve_rules(
    disable_args: Sequence[str],
    select_args: Sequence[str],
    cfg: Config,
    policy_off: Iterable[str] = (),
) -> tuple[set[str], set[str], list[str]] | int:
    """The rules a run leaves out, from ``--disable``/``--select`` (comma lists, repeatable),
    the configuration's ``disable``/``select`` and a policy's codes switched off:
    (every code left out, the codes named off, the selection), or EXIT_ERROR after saying
    why (an unknown code on the command line, a selection matching nothing). Unknown codes in
    the configuration are warnings naming the file and line."""
    disabled: set[str] = set(policy_off)
    for item in disable_args:
        disabled |= {c.strip().upper() for c in item.split(",") if c.strip()}
    selected = [p.strip().upper() for item in select_args for p in item.split(",") if p.strip()]
    from_config = not selected
    selected = selected or cfg.select
    named_off = set(disabled)  # the rules named off (not those a selection leaves out)
    if disabled or cfg.disable or cfg.severity or selected:
        # start-up time: every rule is loaded only to check the codes the user named
        from hardhull.rules import all_rules

        rules = all_rules()
        unknown = sorted(c for c in disabled if c not in rules)
        if unknown:
            sys.stderr.write(f"hardhull: error: unknown rule code(s): {', '.join(unknown)}\n")
            return EXIT_ERROR
        # a configuration file naming a rule that does not exist (a typo, a renamed rule):
        # a warning naming the file and line, and the run goes on
        for key, codes, effect in (
            ("disable", cfg.disable, "disables"),
            ("severity", set(cfg.severity), "changes"),
        ):
            for name in sorted(c for c in codes if c not in rules):
                sys.stderr.write(
                    f"hardhull: warning: {cfg.where(key, name)}: unknown rule code {name} in "
                    f"'{key}': it {effect} nothing (see: hardhull rules)\n"
                )
        disabled |= {c for c in cfg.disable if c in rules}
        named_off = set(disabled)
        if selected:
            matched = {c for c in rules if c.startswith(tuple(selected))}
            nomatch = sorted(p for p in selected if not any(c.startswith(p) for c in rules))
            if nomatch and (not from_config or not matched):
                flag = f"{cfg.path}: 'select'" if from_config else "--select"
                sys.stderr.write(f"hardhull: error: {flag} matches no rule: {', '.join(nomatch)}\n")
                return EXIT_ERROR
            for prefix in nomatch:
                sys.stderr.write(
                    f"hardhull: warning: {cfg.where('select', prefix)}: 'select' entry {prefix} "
                    "matches no rule (see: hardhull rules)\n"
                )
            disabled |= set(rules) - matched
    return disabled, named_off, selected
