"""The local advisory index: OSV records in one SQLite file, keyed by (ecosystem, normalised
package name), so that looking a package up is one indexed query.

Public API::

    path = default_db_path()   # $HARDHULL_DB, else <user cache dir>/hardhull/vulndb.sqlite
    with VulnDB.open(path, create=True) as db:
        stats = db.import_paths(["all.zip", "advisories/"])   # ImportStats
        info = db.info()                                       # DBInfo
        records = db.lookup("PyPI", "jinja2")                  # list[dict]: the trimmed records

- Importing is idempotent: a record whose ``modified`` is not newer than the stored one's
  changes nothing; a newer one replaces it. Withdrawn records are kept (so that a later,
  older copy does not bring them back) but :meth:`VulnDB.lookup` leaves them out.
- Bad records are counted and described (:class:`BadRecord`: origin, i.e. file and zip
  member, and reason) and the import goes on; a path that cannot be read at all is listed in
  :attr:`ImportStats.unreadable`.
- :class:`DBError` is raised for a file that is not a hardhull advisory database, or one that
  cannot be opened or written.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from hardhull.paths import user_cache_dir
from hardhull.vulndb.ecosystems import canonical_ecosystem, normalise_name
from hardhull.vulndb.records import Record, RecordError, SourceError, iter_sources, parse_records

#: environment variable naming the database file
DB_ENV = "HARDHULL_DB"
#: the schema this code writes; a database of another version is refused (re-import it)
SCHEMA_VERSION = "1"
#: bad records kept with their reasons (all are counted)
MAX_BAD_KEPT = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    withdrawn TEXT,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    record_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affected_record ON affected (record_id);
"""


class DBError(Exception):
    """The database cannot be opened, read or written (the message names the file)."""


def default_db_path() -> str:
    """``$HARDHULL_DB`` when set, else ``<user cache dir>/hardhull/vulndb.sqlite``."""
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return env
    return os.path.join(user_cache_dir(), "hardhull", "vulndb.sqlite")


@dataclass(frozen=True)
class BadRecord:
    """A record that was not imported: where it was (file, and zip member as
    ``FILE:MEMBER``) and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class ImportStats:
    """What one import did."""

    #: record files read (zip members included)
    files: int = 0
    added: int = 0
    #: replaced by a newer ``modified``
    updated: int = 0
    #: already there with the same ``modified``
    unchanged: int = 0
    #: older than the stored copy: left out
    older: int = 0
    #: every bad record is counted; the first :data:`MAX_BAD_KEPT` are kept with their reason
    bad_count: int = 0
    bad: list[BadRecord] = field(default_factory=list)
    #: paths that could not be read at all (missing, unreadable, a broken zip), with the reason
    unreadable: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        """Good records read."""
        return self.added + self.updated + self.unchanged + self.older


@dataclass(frozen=True)
class EcosystemInfo:
    ecosystem: str
    #: records with at least one package of this ecosystem (withdrawn ones included)
    records: int
    #: distinct package names
    packages: int


@dataclass(frozen=True)
class DBInfo:
    path: str
    size: int
    records: int
    withdrawn: int
    #: the newest ``modified`` of any record (None when empty)
    newest_modified: str | None
    ecosystems: tuple[EcosystemInfo, ...]


class VulnDB:
    """An open advisory database; use as a context manager or call :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str, *, create: bool = False) -> VulnDB:
        """Open ``path``; with ``create``, make it (and its directory) when missing. Raises
        :class:`DBError` when it is missing (without ``create``), not a database, or of
        another schema version."""
        exists = os.path.exists(path)
        if not exists and not create:
            raise DBError(
                f"no vulnerability database at {path}: import advisories first "
                "(hardhull db import PATH)"
            )
        if os.path.isdir(path):
            raise DBError(f"{path}: is a directory, not a database file")
        try:
            if not exists:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DBError(f"cannot open {path}: {_reason(exc)}") from None
        db = cls(conn, path)
        try:
            db._prepare(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise DBError(f"{path}: not a hardhull vulnerability database ({exc})") from None
        except DBError:
            conn.close()
            raise
        return db

    def _prepare(self, create: bool) -> None:
        conn = self._conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                found = row[0] if row else "none"
                raise DBError(
                    f"{self.path}: database schema {found}, this hardhull reads "
                    f"{SCHEMA_VERSION}: delete the file and import the advisories again"
                )
            return
        if tables:
            raise DBError(f"{self.path}: not a hardhull vulnerability database")
        if not create:
            raise DBError(
                f"{self.path}: an empty database: import advisories first (hardhull db import)"
            )
        try:
            conn.executescript(_SCHEMA)
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )
        except sqlite3.Error as exc:
            raise DBError(f"cannot write {self.path}: {_reason(exc)}") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> VulnDB:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- import ----------------------------------------------------------------------------

    def import_paths(
        self, paths: Iterable[str], on_bad: Callable[[BadRecord], None] | None = None
    ) -> ImportStats:
        """Import every record under ``paths`` (zip files, directories, JSON/YAML files) in
        one transaction. ``on_bad`` is called for each bad record as it is met."""
        stats = ImportStats()

        def bad(origin: str, exc: RecordError) -> None:
            stats.bad_count += 1
            item = BadRecord(origin, str(exc))
            if len(stats.bad) < MAX_BAD_KEPT:
                stats.bad.append(item)
            if on_bad is not None:
                on_bad(item)

        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            for path in paths:
                try:
                    for origin, text in iter_sources(path):
                        stats.files += 1
                        if isinstance(text, RecordError):
                            bad(origin, text)
                            continue
                        for rec in parse_records(text, origin):
                            if isinstance(rec, RecordError):
                                bad(origin, rec)
                            else:
                                self._store(rec, stats)
                except SourceError as exc:
                    stats.unreadable.append(str(exc))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DBError(f"cannot write {self.path}: {_reason(exc)}") from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return stats

    def _store(self, rec: Record, stats: ImportStats) -> None:
        conn = self._conn
        row = conn.execute("SELECT modified FROM records WHERE id = ?", (rec.id,)).fetchone()
        if row is not None:
            if rec.modified == row[0]:
                stats.unchanged += 1
                return
            if rec.modified < row[0]:
                stats.older += 1
                return
            conn.execute("DELETE FROM affected WHERE record_id = ?", (rec.id,))
            stats.updated += 1
        else:
            stats.added += 1
        data = json.dumps(rec.data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        conn.execute(
            "INSERT OR REPLACE INTO records (id, modified, withdrawn, data) VALUES (?, ?, ?, ?)",
            (rec.id, rec.modified, rec.withdrawn, data),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO affected (record_id, ecosystem, name) VALUES (?, ?, ?)",
            [(rec.id, eco, name) for eco, name in rec.keys],
        )

    # -- reading ---------------------------------------------------------------------------

    def lookup(self, ecosystem: str, name: str) -> list[dict[str, Any]]:
        """The records (trimmed OSV, as :mod:`hardhull.vulndb.records` keeps them) naming
        package ``name`` of ``ecosystem`` (release-qualified, e.g. ``Debian:12``), withdrawn
        ones left out, in ID order."""
        eco = canonical_ecosystem(ecosystem)
        try:
            rows = self._conn.execute(
                "SELECT r.data FROM affected a JOIN records r ON r.id = a.record_id "
                "WHERE a.ecosystem = ? AND a.name = ? AND r.withdrawn IS NULL ORDER BY r.id",
                (eco, normalise_name(eco, name)),
            ).fetchall()
        except sqlite3.Error as exc:
            raise DBError(f"cannot read {self.path}: {_reason(exc)}") from None
        out: list[dict[str, Any]] = []
        for (data,) in rows:
            try:
                doc = json.loads(data)
            except ValueError:
                continue  # written by this module as JSON; a damaged row is left out
            if isinstance(doc, dict):
                out.append(doc)
        return out

    def info(self) -> DBInfo:
        """What is loaded: record counts, the newest ``modified``, counts per ecosystem."""
        conn = self._conn
        try:
            records, withdrawn, newest = conn.execute(
                "SELECT COUNT(*), COUNT(withdrawn), MAX(modified) FROM records"
            ).fetchone()
            ecos = conn.execute(
                "SELECT ecosystem, COUNT(DISTINCT record_id), COUNT(DISTINCT name) "
                "FROM affected GROUP BY ecosystem ORDER BY ecosystem"
            ).fetchall()
        except sqlite3.Error as exc:
            raise DBError(f"cannot read {self.path}: {_reason(exc)}") from None
        try:
            size = os.path.getsize(self.path)
        except OSError:
            size = 0
        return DBInfo(
            path=self.path,
            size=size,
            records=records,
            withdrawn=withdrawn,
            newest_modified=newest,
            ecosystems=tuple(EcosystemInfo(e, r, p) for e, r, p in ecos),
        )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
