"""``hardhull db …``: the local vulnerability database (OSV advisories in SQLite).

``db import PATH…`` loads OSV.dev ``all.zip`` files, directories of OSV JSON or YAML and single
record files; ``db info`` prints what is loaded. ``--db FILE`` (else ``$HARDHULL_DB``, else the
user cache dir) chooses the database.

Exit codes: 0 done (bad records are reported as warnings and left out); 2 a usage error, a
PATH that cannot be read (the others are still imported), nothing importable at all, or a
database that cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hardhull.exitcodes import EXIT_ERROR, EXIT_OK
from hardhull.paths import printable_path

#: bad records named on stderr, at most (all are counted)
MAX_BAD_SHOWN = 20


def add_db_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``db`` and its subcommands on the top-level subparsers."""
    d: argparse.ArgumentParser = sub.add_parser(
        "db",
        help="the local vulnerability database: import OSV advisories, show what is loaded",
        description="The offline vulnerability database that image and SBOM scans match "
        "packages against: OSV advisories in a local SQLite file.",
    )
    db_sub = d.add_subparsers(dest="db_command", metavar="SUBCOMMAND", parser_class=type(d))
    db_help = (
        "the database file (default: $HARDHULL_DB, else hardhull/vulndb.sqlite in the user "
        "cache directory)"
    )
    i = db_sub.add_parser(
        "import",
        help="import OSV advisories: all.zip files, directories of JSON/YAML, single files",
        description="Import OSV advisories into the database. Importing the same data twice "
        "changes nothing; a record with a newer 'modified' replaces the stored one.",
    )
    i.add_argument("paths", nargs="+", metavar="PATH", help="all.zip, directory or record file")
    i.add_argument("--db", metavar="FILE", help=db_help)
    n = db_sub.add_parser("info", help="what is loaded: ecosystems, record counts, newest date")
    n.add_argument("--db", metavar="FILE", help=db_help)
    n.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(db_parser=d)
    return d


def _db_path(args: argparse.Namespace) -> str:
    from hardhull.vulndb.store import default_db_path

    return str(args.db) if args.db else default_db_path()


def cmd_db(args: argparse.Namespace) -> int:
    if args.db_command == "import":
        return cmd_import(args)
    if args.db_command == "info":
        return cmd_info(args)
    args.db_parser.print_help(sys.stderr)
    return EXIT_ERROR


def cmd_import(args: argparse.Namespace) -> int:
    # start-up time: the database modules only for this command
    from hardhull.vulndb.store import BadRecord, DBError, VulnDB

    path = _db_path(args)
    shown = 0

    def on_bad(bad: BadRecord) -> None:
        nonlocal shown
        shown += 1
        if shown <= MAX_BAD_SHOWN:
            sys.stderr.write(
                f"hardhull: warning: {_clean(bad.origin)}: bad OSV record, left out: "
                f"{_clean(bad.reason)}\n"
            )

    try:
        with VulnDB.open(path, create=True) as db:
            stats = db.import_paths(args.paths, on_bad)
            info = db.info()
    except DBError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    if stats.bad_count > MAX_BAD_SHOWN:
        sys.stderr.write(
            f"hardhull: warning: ... and {stats.bad_count - MAX_BAD_SHOWN} more bad record(s)\n"
        )
    for reason in stats.unreadable:
        sys.stderr.write(f"hardhull: error: {_clean(reason)}\n")
    sys.stdout.write(
        f"imported {stats.records} record(s) from {stats.files} file(s): {stats.added} new, "
        f"{stats.updated} updated, {stats.unchanged} unchanged, {stats.older} older than the "
        f"stored copy; {stats.bad_count} bad\n"
        f"database: {printable_path(info.path)} ({info.records} record(s), "
        f"{_size(info.size)})\n"
    )
    if stats.unreadable:
        return EXIT_ERROR
    if not stats.records:
        what = (
            "no valid OSV record"
            if stats.files
            else "no OSV record file (.json, .yaml, .yml, or a zip of them)"
        )
        sys.stderr.write(f"hardhull: error: {what} in {', '.join(args.paths)}\n")
        return EXIT_ERROR
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from hardhull.vulndb.store import DBError, VulnDB

    try:
        with VulnDB.open(_db_path(args)) as db:
            info = db.info()
    except DBError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    if args.json:
        doc = {
            "path": info.path,
            "size": info.size,
            "records": info.records,
            "withdrawn": info.withdrawn,
            "newest_modified": info.newest_modified,
            "ecosystems": [
                {"ecosystem": e.ecosystem, "records": e.records, "packages": e.packages}
                for e in info.ecosystems
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    lines = [
        f"database: {printable_path(info.path)} ({_size(info.size)})",
        f"records: {info.records} ({info.withdrawn} withdrawn, never matched)",
        f"newest modified: {info.newest_modified or 'none'}",
        f"ecosystems: {len(info.ecosystems)}",
    ]
    if info.ecosystems:
        width = max(len(e.ecosystem) for e in info.ecosystems)
        rw = max(len(str(e.records)) for e in info.ecosystems)
        for e in info.ecosystems:
            lines.append(
                f"  {e.ecosystem:<{width}}  {e.records:>{rw}} record(s)  {e.packages} package(s)"
            )
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _clean(text: str) -> str:
    """``text`` fit for a terminal: control characters (from file or zip member names, or
    record contents) and undecodable bytes escaped."""
    text = printable_path(text)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"
