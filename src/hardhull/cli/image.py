"""``hardhull image REF…``: container images analysed offline (config, layers, credentials in
deleted files too, SBOM, vulnerabilities against the imported advisories), and
``hardhull sbom scan FILE…``: the packages of a CycloneDX or SPDX SBOM against them.

REF is any transport of skopeo's that reads without an engine: ``docker-archive:PATH`` (a bare
path ending in ``.tar`` too), ``oci:DIR[:TAG]``, ``oci-archive:PATH``, ``docker://REF`` or a
bare registry reference. Findings, suppressions, reports and exit codes are those of
``hardhull scan``; ``--format cyclonedx|spdx`` writes the SBOM of one image instead.

Exit codes: 0 nothing at or above ``--fail-on`` (default high); 1 findings at or above it; 2
a usage error or an image that cannot be read (the others are still scanned).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from hardhull.cli.common import (
    FAIL_ON,
    discover_config,
    report_input_errors,
    report_warnings,
    resolve_rules,
    threshold_exit,
    use_color,
    write_report,
)
from hardhull.exitcodes import EXIT_ERROR
from hardhull.model import ImageSummary
from hardhull.paths import printable_path

IMAGE_FAIL_ON = "high"
SBOM_FORMATS = ("cyclonedx", "spdx")


def _common(p: argparse.ArgumentParser) -> None:
    from hardhull.report import FORMATS  # start-up time: only for the command being run

    p.add_argument(
        "--format", "-f", choices=(*FORMATS, *SBOM_FORMATS), default=None,
        help="report format; cyclonedx or spdx write the SBOM (one image)",
    )  # fmt: skip
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help=f"exit 1 when a finding is at or above this severity (default: {IMAGE_FAIL_ON})",
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.add_argument("--config", metavar="FILE", help="configuration file (default: discovered)")
    p.add_argument("--disable", action="append", default=[], metavar="CODES",
                   help="rule codes to switch off (comma-separated, repeatable)")  # fmt: skip
    p.add_argument("--select", action="append", default=[], metavar="PREFIXES",
                   help="run only the rules whose codes start with these")  # fmt: skip
    p.add_argument(
        "--db", metavar="FILE",
        help="advisory database (default: $HARDHULL_DB, else the user cache directory)",
    )  # fmt: skip
    p.add_argument("--ignore-unfixed", action="store_true",
                   help="leave out advisories that name no fixed version")  # fmt: skip


def add_image_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "image",
        help="analyse container images offline: config, layers, secrets, SBOM, vulnerabilities",
        description="Analyse container images without a container engine. REF: "
        "docker-archive:PATH (or PATH.tar), oci:DIR[:TAG], oci-archive:PATH, docker://REF or "
        "a registry reference.",
    )
    p.add_argument("refs", nargs="+", metavar="REF", help="image reference")
    p.add_argument(
        "--platform", metavar="OS/ARCH[/VARIANT]", default="linux/amd64",
        help="the image of a multi-arch index to read (default: linux/amd64)",
    )  # fmt: skip
    p.add_argument(
        "--insecure", action="store_true",
        help="plain HTTP to a registry on loopback (127.0.0.1, ::1, localhost)",
    )  # fmt: skip
    p.add_argument("--no-cache", action="store_true",
                   help="read every layer, without the per-layer cache")  # fmt: skip
    p.add_argument("--as-of", metavar="YYYY-MM-DD", default=None,
                   help="judge end-of-life dates at this date (default: today)")  # fmt: skip
    _common(p)
    return p


def add_sbom_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "sbom",
        help="SBOMs from any tool: match their packages against the advisories",
        description="Work with software bills of materials.",
    )
    s = p.add_subparsers(dest="sbom_command", metavar="SUBCOMMAND", parser_class=type(p))
    scan = s.add_parser(
        "scan",
        help="match the packages of CycloneDX or SPDX JSON SBOMs against the advisories",
        description="Read CycloneDX or SPDX JSON SBOMs (from hardhull, syft, trivy, …) and "
        "report the packages affected by the imported advisories (hardhull db import).",
    )
    scan.add_argument("files", nargs="+", metavar="FILE", help="SBOM file")
    _common(scan)
    p.set_defaults(sbom_parser=p)
    return p


def _settings(args: argparse.Namespace) -> Any:
    """(config, disabled codes, fail-on) or an exit code."""
    cfg = discover_config(args.config)
    if isinstance(cfg, int):
        return cfg
    picked = resolve_rules(args.disable, args.select, cfg)
    if isinstance(picked, int):
        return picked
    disabled = picked[0]
    fail_on = args.fail_on or cfg.fail_on or IMAGE_FAIL_ON
    return cfg, disabled, fail_on


def _open_db(path: str | None, *, required: bool = False) -> Any:
    """The advisory database, or None after saying once why the vulnerability scan is off
    (a note for ``hardhull image``, whose other checks still run; an error when ``required``:
    matching an SBOM is all ``hardhull sbom scan`` does)."""
    from hardhull.vulndb.store import DBError, VulnDB, default_db_path

    where = path or default_db_path()
    hint = "import advisories with: hardhull db import PATH…, or name one with --db"
    if not os.path.exists(where):
        if required:
            sys.stderr.write(
                "hardhull: error: sbom scan matches packages against an advisory database, "
                f"and there is none at {printable_path(where)} ({hint})\n"
            )
        else:
            sys.stderr.write(
                f"hardhull: note: no advisory database at {printable_path(where)}: "
                f"vulnerabilities are not checked ({hint})\n"
            )
        return None
    try:
        return VulnDB.open(where)
    except DBError as exc:
        if required:
            sys.stderr.write(f"hardhull: error: {exc}: sbom scan needs an advisory database\n")
        else:
            sys.stderr.write(f"hardhull: note: {exc}: vulnerabilities are not checked\n")
        return None


def _matches(
    db: Any, packages: Any, distro: Any, cfg: Any, ignore_unfixed: bool, today: Any
) -> Any:
    """The report of ``packages`` with the configuration's ignores and ``--ignore-unfixed``
    applied (expired ignores are said once)."""
    from hardhull.vulndb.match import match_packages

    report = match_packages(db, packages, distro)
    kept = []
    for v in report.vulnerabilities:
        if ignore_unfixed and not v.fixed:
            continue
        ids = {v.id.upper(), *(a.upper() for a in v.aliases), *(u.upper() for u in v.upstream)}
        if any(i.applies(ids, v.package.name, today) for i in cfg.ignore_vulnerabilities):
            continue
        kept.append(v)
    report.vulnerabilities = kept
    return report


def _expired(cfg: Any, today: Any) -> None:
    for i in cfg.ignore_vulnerabilities:
        if i.expires is not None and today > i.expires:
            sys.stderr.write(
                f"hardhull: warning: {cfg.path}: the ignore of {i.id} expired on "
                f"{i.expires.isoformat()}: it is reported again\n"
            )


def cmd_image(args: argparse.Namespace) -> int:
    from datetime import date

    from hardhull.engine import ScanOptions
    from hardhull.engine.image import check_images
    from hardhull.frontends.image import ImageDocument
    from hardhull.frontends.image_read import LayerCache, read_image
    from hardhull.model import InputError
    from hardhull.oci import open_image
    from hardhull.oci.manifest import parse_platform
    from hardhull.oci.model import ImageError
    from hardhull.report import render_pieces

    settings = _settings(args)
    if isinstance(settings, int):
        return settings
    cfg, disabled, fail_on = settings
    fmt = args.format or cfg.format or "text"
    if fmt in SBOM_FORMATS and len(args.refs) != 1:
        sys.stderr.write(f"hardhull: error: --format {fmt} writes the SBOM of one image\n")
        return EXIT_ERROR
    try:
        platform = parse_platform(args.platform)
    except ValueError as exc:
        sys.stderr.write(f"hardhull: error: --platform: {exc}\n")
        return EXIT_ERROR
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else (cfg.as_of or date.today())
    except ValueError:
        sys.stderr.write(f"hardhull: error: --as-of: not a date (YYYY-MM-DD): {args.as_of!r}\n")
        return EXIT_ERROR
    today = date.today()
    _expired(cfg, today)
    cache = None if args.no_cache else LayerCache()
    db = None if fmt in SBOM_FORMATS else _open_db(args.db or cfg.db)
    docs = []
    errors: list[InputError] = []
    warnings: list[InputError] = []
    summaries: list[ImageSummary] = []
    try:
        for ref in args.refs:
            try:
                image = open_image(ref, platform=platform, insecure=args.insecure)
                try:
                    read = read_image(image, cache=cache, as_of=as_of)
                finally:
                    image.close()
            except ImageError as exc:
                # the error names the reference, which the report shows already
                errors.append(InputError(ref, str(exc).removeprefix(f"{ref}: ")))
                continue
            summaries.append(_summary(ref, image, read))
            for why in read.catalog_errors:
                warnings.append(InputError(ref, f"package data not read: {why}"))
            if fmt in SBOM_FORMATS:
                return _write_sbom(fmt, read, ref, args.output)
            report = None
            if db is not None:
                report = _matches(db, read.packages, read.facts.distro, cfg,
                                  args.ignore_unfixed or cfg.ignore_unfixed, today)  # fmt: skip
            docs.append(ImageDocument(ref, read.facts, report))
    finally:
        if db is not None:
            db.close()
    opts = ScanOptions(disabled=frozenset(disabled), severity=cfg.severity, as_of=as_of)
    result = check_images(docs, opts)
    result.errors.extend(errors)
    result.warnings.extend(warnings)
    result.image_summaries = summaries
    return _finish(result, fmt, args, fail_on, render_pieces)


def _summary(ref: str, image: Any, read: Any) -> ImageSummary:
    distro = read.facts.distro
    os_name = " ".join(x for x in (distro.id, distro.version_id) if x) if distro else ""
    return ImageSummary(
        ref=ref,
        platform=str(image.platform) if image.platform is not None else "",
        other_platforms=tuple(str(p) for p in image.other_platforms),
        manifest_digest=image.manifest_digest,
        config_digest=image.config_digest,
        layers=len(image.layers),
        os=os_name,
        packages=len(read.packages),
    )


def _finish(result: Any, fmt: str, args: argparse.Namespace, fail_on: str, render: Any) -> int:
    color = use_color(args.color, sys.stdout.isatty()) and not args.output and fmt == "text"
    report_input_errors(result.errors)
    report_warnings(result.warnings)
    rc = write_report(render(fmt, result, color=color), args.output)
    if rc:
        return rc
    if result.errors:
        return EXIT_ERROR
    return threshold_exit([f.severity for f in result.findings], fail_on)


def _write_sbom(fmt: str, read: Any, ref: str, output: str | None) -> int:
    from hardhull.sbom import MissingExtra, write_cyclonedx, write_spdx

    writer = write_cyclonedx if fmt == "cyclonedx" else write_spdx
    try:
        text = writer(read.packages, read.facts.distro, name=ref)
    except MissingExtra as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    return write_report(text, output)


def cmd_sbom(args: argparse.Namespace) -> int:
    from datetime import date

    from hardhull.engine import ScanOptions
    from hardhull.engine.image import check_images
    from hardhull.frontends.image import ImageDocument
    from hardhull.model import InputError
    from hardhull.report import render_pieces
    from hardhull.sbom import SbomError, read_sbom

    if args.sbom_command != "scan":
        args.sbom_parser.print_help(sys.stderr)
        return EXIT_ERROR
    settings = _settings(args)
    if isinstance(settings, int):
        return settings
    cfg, disabled, fail_on = settings
    fmt = args.format or cfg.format or "text"
    if fmt in SBOM_FORMATS:
        sys.stderr.write(
            "hardhull: error: sbom scan reports findings: text, json, sarif or junit\n"
        )
        return EXIT_ERROR
    today = date.today()
    _expired(cfg, today)
    db = _open_db(args.db or cfg.db, required=True)
    if db is None:
        return EXIT_ERROR
    docs = []
    errors: list[InputError] = []
    with db:
        for path in args.files:
            try:
                packages, distro = read_sbom(path)
            except SbomError as exc:
                errors.append(InputError(path, str(exc)))
                continue
            report = _matches(db, packages, distro, cfg,
                              args.ignore_unfixed or cfg.ignore_unfixed, today)  # fmt: skip
            docs.append(ImageDocument(path, None, report))
    result = check_images(docs, ScanOptions(disabled=frozenset(disabled), severity=cfg.severity))
    result.files, result.images = result.images, 0  # SBOM files, not images
    result.errors.extend(errors)
    return _finish(result, fmt, args, fail_on, render_pieces)
