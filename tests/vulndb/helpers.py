"""Building OSV records and databases for the vulndb tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hardhull.vulndb.store import VulnDB


def record(
    rid: str,
    ecosystem: str = "PyPI",
    name: str = "demo",
    *,
    events: list[dict[str, str]] | None = None,
    versions: list[str] | None = None,
    range_type: str = "ECOSYSTEM",
    modified: str = "2024-01-01T00:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    """An OSV record with one affected package."""
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if events is not None:
        affected["ranges"] = [{"type": range_type, "events": events}]
    if versions is not None:
        affected["versions"] = versions
    return {"id": rid, "modified": modified, "affected": [affected], **extra}


def write(directory: Path, *records: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for rec in records:
        (directory / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    return directory


def db_with(tmp_path: Path, *records: dict[str, Any]) -> VulnDB:
    """A new database in ``tmp_path`` holding ``records``."""
    src = write(tmp_path / "records", *records)
    db = VulnDB.open(str(tmp_path / "db.sqlite"), create=True)
    stats = db.import_paths([str(src)])
    assert stats.bad == [], stats.bad
    return db
