"""Command-line front end. Thin: parse flags, call the library, pick a reporter, set the exit.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or input
errors (a bad flag, a missing path, nothing could be scanned, nothing was checked:
docs/inputs.md).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from hardhull import __version__
from hardhull.cli.common import (
    FAIL_ON,
    add_report_options,
    discard_stdout,
    discover_config,
    non_negative_int,
    report_input_errors,
    report_warnings,
    resolve_rules,
    stdin_hint,
    threshold_exit,
    use_color,
    write_report,
)
from hardhull.exitcodes import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK

# start-up time: `json` and `datetime` are imported by the functions that use them, and
# `typing.TYPE_CHECKING` is not imported (mypy treats any name TYPE_CHECKING as true)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date
    from typing import Any

    from hardhull.admission.policy import Policy
    from hardhull.cli.config import Config
    from hardhull.model import ScanResult


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hardhull: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _iso_date(text: str) -> date:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


class LazyCommand:
    """A subcommand living in its own module, imported only when it is the one run.

    A plain class rather than a dataclass: ``dataclasses`` would add its import (and
    ``inspect``'s) to every start-up.
    """

    __slots__ = ("add_parser", "help", "module", "report_options", "run")

    def __init__(
        self, help: str, module: str, add_parser: str, run: str, report_options: bool
    ) -> None:
        self.help = help
        #: the module, and the names in it of the function adding the subcommand's parser and
        #: of the function running it
        self.module = module
        self.add_parser = add_parser
        self.run = run
        #: the add-parser function takes :func:`add_report_options` as its second argument
        self.report_options = report_options


LAZY_COMMANDS: dict[str, LazyCommand] = {
    "pss": LazyCommand(
        help="evaluate Pod Security Standards (upstream's exact checks) on files or stdin (-)",
        module="hardhull.cli.pss",
        add_parser="add_pss_parser",
        run="cmd_pss",
        report_options=True,
    ),
    "rbac": LazyCommand(
        help="who can do what: the RBAC permission graph of manifests, offline",
        module="hardhull.cli.rbac",
        add_parser="add_rbac_parser",
        run="cmd_rbac",
        report_options=True,
    ),
    "netpol": LazyCommand(
        help="NetworkPolicy analysis: which workloads may connect to which",
        module="hardhull.cli.netpol",
        add_parser="add_netpol_parser",
        run="cmd_netpol",
        report_options=True,
    ),
    "image": LazyCommand(
        help="analyse container images offline: config, layers, secrets, SBOM, vulnerabilities",
        module="hardhull.cli.image",
        add_parser="add_image_parser",
        run="cmd_image",
        report_options=False,
    ),
    "sbom": LazyCommand(
        help="SBOMs from any tool: match their packages against the advisories",
        module="hardhull.cli.image",
        add_parser="add_sbom_parser",
        run="cmd_sbom",
        report_options=False,
    ),
    "db": LazyCommand(
        help="the local vulnerability database: import OSV advisories, show what is loaded",
        module="hardhull.cli.db",
        add_parser="add_db_parser",
        run="cmd_db",
        report_options=False,
    ),
    "keygen": LazyCommand(
        help="write a cosign key pair (cosign.key, encrypted; cosign.pub)",
        module="hardhull.cli.sign",
        add_parser="add_keygen_parser",
        run="cmd_keygen",
        report_options=False,
    ),
    "sign": LazyCommand(
        help="sign an image in a registry with a cosign key",
        module="hardhull.cli.sign",
        add_parser="add_sign_parser",
        run="cmd_sign",
        report_options=False,
    ),
    "verify": LazyCommand(
        help="verify an image's cosign signatures with a public key",
        module="hardhull.cli.sign",
        add_parser="add_verify_parser",
        run="cmd_verify",
        report_options=False,
    ),
    "attest": LazyCommand(
        help="attach a signed in-toto attestation (SBOM, vulnerabilities, …) to an image",
        module="hardhull.cli.sign",
        add_parser="add_attest_parser",
        run="cmd_attest",
        report_options=False,
    ),
    "verify-attestation": LazyCommand(
        help="verify an image's attestations with a public key",
        module="hardhull.cli.sign",
        add_parser="add_verify_attestation_parser",
        run="cmd_verify_attestation",
        report_options=False,
    ),
    "runtime": LazyCommand(
        help="run Falco rule files over Kubernetes audit events; Falco-format alerts",
        module="hardhull.cli.runtime",
        add_parser="add_runtime_parser",
        run="cmd_runtime",
        report_options=False,
    ),
    "admission": LazyCommand(
        help="the validating and mutating admission webhook (serve, certs, manifests)",
        module="hardhull.cli.admission",
        add_parser="add_admission_parser",
        run="cmd_admission",
        report_options=False,
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
    add_report_options(
        s,
        fail_on_help="exit 1 when a finding is at or above this severity, whatever the "
        "admission policy decides (default: the policy's decision)",
    )
    s.add_argument(
        "--policy",
        metavar="FILE",
        help="exit 1 when the admission webhook with this policy file would deny an object "
        "(default: the webhook's built-in policy)",
    )
    s.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    s.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: the nearest .hardhull.yaml or pyproject.toml "
        "[tool.hardhull] from here up to the repository root)",
    )
    s.add_argument(
        "--show-config",
        action="store_true",
        help="print which configuration file applies and the effective settings, then exit",
    )
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
    s.add_argument(
        "--jobs", "-j", type=non_negative_int, default=0, help="worker processes (0: auto)"
    )
    s.add_argument(
        "--daemon-config",
        action="append",
        default=[],
        metavar="FILE",
        help="audit FILE (- for stdin) as a Docker daemon.json (files named daemon.json are "
        "found anyway)",
    )
    s.add_argument(
        "--pre-commit",
        action="store_true",
        help="the pre-commit hook's mode: the rest of the git repository is read for the "
        "checks over the whole set (findings only in the PATHs given)",
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

    for name, lazy in LAZY_COMMANDS.items():
        if command != name:
            # only the command being run imports its module (and what it needs)
            sub.add_parser(name, help=lazy.help)
            continue
        add = getattr(importlib.import_module(lazy.module), lazy.add_parser)
        if lazy.report_options:
            add(sub, add_report_options)
        else:
            add(sub)
    return parser


def cmd_scan(args: argparse.Namespace) -> int:
    # start-up time: what a command needs is imported when it runs
    from hardhull.engine import ScanOptions, scan
    from hardhull.report import render_pieces

    if not args.paths and not args.daemon_config and not args.show_config:
        sys.stderr.write("hardhull: error: scan needs at least one PATH (or - for stdin)\n")
        return EXIT_ERROR
    cfg = discover_config(args.config)
    if isinstance(cfg, int):
        return cfg
    gate = _gate(args, cfg)
    if isinstance(gate, int):
        return gate
    fail_on, policy = gate
    picked = resolve_rules(args.disable, args.select, cfg, policy.off_codes if policy else ())
    if isinstance(picked, int):
        return picked
    disabled, named_off, selected = picked
    fmt = args.format or cfg.format or "text"
    baseline_path = args.baseline or cfg.baseline
    max_bytes = args.max_file_size if args.max_file_size is not None else cfg.max_file_size
    if max_bytes is not None and max_bytes <= 0:
        sys.stderr.write("hardhull: error: --max-file-size must be positive\n")
        return EXIT_ERROR
    # start-up time: what a command needs is imported when it runs
    from hardhull.pss.levels import LevelError, parse_level_version

    try:
        pss = parse_level_version(
            args.pss_level or cfg.pss_level or "restricted", args.pss_version or cfg.pss_version
        )
    except LevelError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    if args.show_config:
        return show_config(
            cfg.path,
            {
                "fail-on": fail_on or "none (the admission policy decides)",
                "format": fmt,
                "exclude": [*cfg.exclude, *args.exclude],
                "disable": sorted(named_off),
                "select": selected,
                "severity": {c: s.label for c, s in sorted(cfg.severity.items())},
                "pss-level": pss.level,
                "pss-version": pss.version,
                "max-file-size": max_bytes,
                "baseline": baseline_path,
                "as-of": (args.as_of or cfg.as_of),
            },
        )
    baseline: frozenset[str] = frozenset()
    if baseline_path:
        try:
            baseline = read_baseline(baseline_path)
        except ValueError as exc:
            sys.stderr.write(f"hardhull: error: {exc}\n")
            return EXIT_ERROR
    pss_origin = (
        "--pss-level"
        if args.pss_level or args.pss_version
        else ("the configuration" if cfg.pss_level or cfg.pss_version else "")
    )
    severity = cfg.severity
    if policy is not None and not policy.is_default:
        pss, pss_origin = policy.pss, (PSS_ORIGIN if policy.pss_set else "")
        severity = {**cfg.severity, **policy.severity}
    opts = ScanOptions(
        excludes=[*cfg.exclude, *args.exclude],
        disabled=frozenset(disabled),
        severity=severity,
        baseline=baseline,
        jobs=max(args.jobs, 0),
        pss_default=pss,
        pss_origin=pss_origin,
        pss_floor=policy is not None,
        as_of=args.as_of or cfg.as_of,
        # '-' is standard input, whose input is named <stdin>
        forced_kinds={("<stdin>" if p == "-" else p): "daemon" for p in args.daemon_config},
    )
    if args.pre_commit:
        from hardhull.cli.hook import repository_files  # start-up time: only for the hook

        opts.context = repository_files(opts.excludes)
    if max_bytes is not None:
        opts.max_bytes = max_bytes
    for target in (args.output, args.write_baseline):
        if target and _is_scanned_input(target, [*args.paths, *args.daemon_config], opts.excludes):
            sys.stderr.write(
                f"hardhull: error: refusing to write {target}: it is one of the scanned inputs\n"
            )
            return EXIT_ERROR
    progress = _progress_bar() if sys.stderr.isatty() else None
    stdin_hint(args.paths)
    result = scan([*args.paths, *args.daemon_config], opts, progress)
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    if args.write_baseline:
        code = write_baseline(args.write_baseline, [f.fingerprint for f in result.findings])
        if code:
            return code
    to_tty = not args.output and sys.stdout.isatty()
    code = write_report(render_pieces(fmt, result, use_color(args.color, to_tty)), args.output)
    if code:
        return code
    if (result.errors and args.output) or (result.errors and fmt != "text"):
        report_input_errors(result.errors)
    report_warnings(result.warnings)
    missing = [e.path for e in result.errors if e.message == "no such file or directory"]
    if missing:
        # a path named on the command line that does not exist: a mistake in the command
        from hardhull.paths import printable_path  # start-up time: only when needed

        named = ", ".join(printable_path(p) for p in missing)
        sys.stderr.write(f"hardhull: error: no such file or directory: {named}\n")
        return EXIT_ERROR
    if args.pre_commit and not result.errors and not result.objects:
        pass  # the hook was given only files to skip or ignore: nothing to refuse
    elif result.errors and not result.scanned_anything:
        # something was asked for and none of it could be read
        sys.stderr.write("hardhull: error: nothing could be scanned\n")
        return EXIT_ERROR
    elif not result.objects and not result.findings:
        # an empty folder, only Helm templates, binaries or other tools' files: say so
        sys.stderr.write(
            f"hardhull: error: nothing was checked: {result.files} file(s) read, "
            f"{len(result.skipped)} skipped, {result.ignored} other document(s) ignored; "
            "no Kubernetes object, Dockerfile, compose service or daemon.json\n"
        )
        return EXIT_ERROR
    if policy is None:
        return threshold_exit([f.severity for f in result.findings], fail_on)
    return _policy_exit(result, policy)


#: what K100 says set the level when a policy file names it (as the webhook says it)
PSS_ORIGIN = "the policy"
#: denied objects named on stderr, at most
MAX_DENIED_SHOWN = 10


def _gate(args: argparse.Namespace, cfg: Config) -> tuple[str, Policy | None] | int:
    """What the exit code is decided by: ``(fail_on, None)`` for a severity threshold
    (``--fail-on``), ``("", policy)`` for an admission policy (``--policy``, else the
    webhook's built-in policy); an exit code for a usage error."""
    # start-up time: the policy module (no rule) only for a scan
    from hardhull.admission.policy import PolicyError, default_policy, load_policy

    if args.policy and args.fail_on:
        sys.stderr.write(
            "hardhull: error: --policy and --fail-on both given: the exit code follows one "
            "(--policy: the webhook's decision; --fail-on: a severity threshold)\n"
        )
        return EXIT_ERROR
    if not args.policy and not args.fail_on and cfg.policy and cfg.fail_on:
        sys.stderr.write(
            f"hardhull: configuration error: {cfg.path}: 'policy' and 'fail-on' both given: "
            "keep one\n"
        )
        return EXIT_ERROR
    fail_on = args.fail_on or ("" if args.policy else cfg.fail_on)
    if fail_on:
        if fail_on not in FAIL_ON:
            sys.stderr.write(f"hardhull: error: fail-on must be one of {', '.join(FAIL_ON)}\n")
            return EXIT_ERROR
        return fail_on, None
    path = args.policy or cfg.policy
    if not path:
        return "", default_policy()
    if args.pss_level or args.pss_version:
        sys.stderr.write(
            "hardhull: error: --pss-level and --pss-version do not go with --policy: the "
            "policy's pss-level and pss-version decide, as in the webhook\n"
        )
        return EXIT_ERROR
    try:
        # the scan verifies no signature (that needs the registry): verify-images is checked
        # for form, its key files are not read (they exist in the webhook's pod)
        return "", load_policy(path, load_keys=False)
    except PolicyError as exc:
        sys.stderr.write(f"hardhull: policy error: {exc}\n")
        return EXIT_ERROR


def _policy_exit(result: ScanResult, policy: Policy) -> int:
    """EXIT_FINDINGS when the webhook with ``policy`` would deny an object of the scan; the
    denied objects and the suppressions it does not honour are named on stderr."""
    from hardhull.admission.verdict import judge_scan  # start-up time
    from hardhull.paths import printable_path

    verdict = judge_scan(result, policy)
    for note in verdict.notes:
        sys.stderr.write(f"hardhull: note: {note}\n")
    if verdict.allowed:
        return EXIT_OK
    which = "the built-in admission policy" if policy.is_default else f"the policy {policy.source}"
    sys.stderr.write(f"hardhull: {which} denies {len(verdict.denied)} object(s):\n")
    for n, ((path, *_), found) in enumerate(verdict.denied.items()):
        if n == MAX_DENIED_SHOWN:
            sys.stderr.write(f"  ... and {len(verdict.denied) - n} more\n")
            break
        codes = ", ".join(dict.fromkeys(f.code for f in found))
        where = printable_path(path) if path else "<stdin>"
        sys.stderr.write(f"  {where}: {found[0].resource}: {codes}\n")
    return EXIT_FINDINGS


def show_config(path: str, settings: dict[str, Any]) -> int:
    """``scan --show-config``: the configuration file that applies and the settings a scan
    would use (configuration, flags and defaults merged), one ``key: value`` line each."""
    import json

    from hardhull.frontends.files import DEFAULT_MAX_BYTES

    defaults = {"max-file-size": DEFAULT_MAX_BYTES, "baseline": "none", "as-of": "today"}
    where = path or (
        "none (no .hardhull.yaml, .hardhull.yml or pyproject.toml [tool.hardhull] from here "
        "up to the repository root)"
    )
    lines = [f"config: {where}"]
    for key, value in settings.items():
        if value is None:
            value = defaults.get(key, "none")
        if isinstance(value, list | dict):
            value = json.dumps(value)
        lines.append(f"{key}: {value}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _is_scanned_input(target: str, paths: Sequence[str], excludes: Sequence[str]) -> bool:
    """Would the scan read the existing file ``target`` as an input (and is it not a report
    or baseline hardhull wrote, which the scan leaves alone)?"""
    from hardhull.frontends.files import own_output, walk_selects  # start-up time

    if not os.path.isfile(target):
        return False
    key = os.path.realpath(target)
    read = False
    for given in paths:
        if given == "-":
            continue
        if os.path.isdir(given):
            rel = os.path.relpath(key, os.path.realpath(given))
            read = read or (not rel.startswith("..") and walk_selects(rel, excludes))
        else:
            read = read or os.path.realpath(given) == key
    if not read:
        return False
    try:
        with open(target, encoding="utf-8", errors="replace") as fh:
            return own_output(fh.read(4096)) is None
    except OSError:
        return True


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
    import json

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
    import json

    doc = {"schema": "hardhull/baseline", "version": 1, "fingerprints": sorted(set(fingerprints))}
    return write_report(json.dumps(doc, indent=2) + "\n", path)


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    # start-up time: what a command needs is imported when it runs
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
        key = args.code.strip().upper()
        rule = rules.get(key) or next((r for r in rules.values() if r.slug == args.code), None)
        if rule is not None:
            sys.stdout.write(rule_page(rule))
            return EXIT_OK
        # a family or a code prefix, as `ruff rule`/`ruff linter` users expect: D, K03, rbac
        name = args.code.strip().lower()
        rules = {
            c: r
            for c, r in rules.items()
            if c.startswith(key) or (name and _family_matches(r.family, name))
        }
        if not key or not rules:
            sys.stderr.write(f"hardhull: unknown rule {args.code!r} (see: hardhull rules)\n")
            return EXIT_ERROR
    if args.json:
        out = [
            {"code": r.code, "slug": r.slug, "severity": r.severity.label, "title": r.title}
            for r in rules.values()
        ]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return EXIT_OK
    rows = [(r.code, r.severity.label, r.slug, r.title) for r in rules.values()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [f"{cell:<{w}}" for cell, w in zip(row, widths, strict=False)]
        sys.stdout.write("  ".join([*cells, row[3]]) + "\n")
    return EXIT_OK


def _family_matches(family: str, name: str) -> bool:
    """``rbac`` names kubernetes-rbac, ``kubernetes`` every kubernetes-* family."""
    return family == name or family.startswith(f"{name}-") or family.endswith(f"-{name}")


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
                importlib.import_module(lazy.module), lazy.run
            )
            return run(args)
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("hardhull: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (e.g. `| head`) while a command wrote on its own: not an error
        discard_stdout()
        return EXIT_OK
