"""The advisory index: importing OSV records from directories, files and all.zip, idempotence,
newer ``modified`` wins, withdrawn records, bad records reported and skipped."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from hardhull.vulndb.store import DBError, VulnDB, default_db_path
from tests.vulndb.helpers import db_with, record, write

ROOT = Path(__file__).resolve().parents[2]
PYPA = ROOT.parent / "shared" / "advisories" / "pypa"


@pytest.fixture(scope="module")
def pypa_db(tmp_path_factory: pytest.TempPathFactory) -> VulnDB:
    if not (PYPA / "vulns").is_dir():
        pytest.skip(f"the PyPA advisory database is not at {PYPA} (../shared/advisories/pypa)")
    path = tmp_path_factory.mktemp("pypa") / "db.sqlite"
    db = VulnDB.open(str(path), create=True)
    stats = db.import_paths([str(PYPA)])
    assert stats.bad == [] and stats.unreadable == []
    return db


def _dump(path: Path) -> list[object]:
    conn = sqlite3.connect(path)
    try:
        return [
            *conn.execute("SELECT * FROM records ORDER BY id"),
            *conn.execute("SELECT * FROM affected ORDER BY ecosystem, name, record_id"),
        ]
    finally:
        conn.close()


def test_pypa_imports_every_record(pypa_db: VulnDB) -> None:
    files = sorted((PYPA / "vulns").rglob("*.yaml"))
    info = pypa_db.info()
    assert info.records == len(files) > 2600
    assert [e.ecosystem for e in info.ecosystems] == ["PyPI"]
    assert info.ecosystems[0].records == len(files)
    # the records with a `withdrawn` date are kept, and counted
    withdrawn = [f for f in files if "\nwithdrawn:" in f.read_text(encoding="utf-8")]
    assert info.withdrawn == len(withdrawn) > 0
    assert info.newest_modified is not None and info.newest_modified.startswith("20")


def test_pypa_lookup_by_normalised_name(pypa_db: VulnDB) -> None:
    ids = [r["id"] for r in pypa_db.lookup("PyPI", "PyYAML")]
    assert ids == ["PYSEC-2018-49", "PYSEC-2020-176", "PYSEC-2020-96", "PYSEC-2021-142"]
    assert [r["id"] for r in pypa_db.lookup("pypi", "pyyaml")] == ids
    assert [r["id"] for r in pypa_db.lookup("PyPI", "Zope.Interface")] == [
        r["id"] for r in pypa_db.lookup("PyPI", "zope-interface")
    ]


def test_pypa_withdrawn_records_are_not_looked_up(pypa_db: VulnDB) -> None:
    text = (PYPA / "vulns" / "redis" / "PYSEC-2023-73.yaml").read_text(encoding="utf-8")
    assert "\nwithdrawn:" in text
    assert "PYSEC-2023-73" not in [r["id"] for r in pypa_db.lookup("PyPI", "redis")]


def test_importing_twice_changes_nothing(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        record("PYSEC-1", events=[{"introduced": "0"}, {"fixed": "1.0"}]),
        record("PYSEC-2", name="other", versions=["0.1"]),
    )
    path = tmp_path / "db.sqlite"
    with VulnDB.open(str(path), create=True) as db:
        first = db.import_paths([str(src)])
    before = _dump(path)
    with VulnDB.open(str(path)) as db:
        second = db.import_paths([str(src), str(src)])
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.added, second.updated, second.unchanged, second.older) == (0, 0, 4, 0)
    assert _dump(path) == before


def test_newer_modified_replaces_older_is_ignored(tmp_path: Path) -> None:
    old = record(
        "GHSA-x", events=[{"introduced": "0"}, {"fixed": "1.0"}], modified="2021-01-01T00:00:00Z"
    )
    new = record(
        "GHSA-x",
        name="renamed",
        events=[{"introduced": "0"}, {"fixed": "2.0"}],
        modified="2022-01-01T00:00:00+02:00",
    )
    db = db_with(tmp_path, old)
    with db:
        stats = db.import_paths([str(write(tmp_path / "new", new))])
        assert (stats.added, stats.updated) == (0, 1)
        assert db.lookup("PyPI", "demo") == []  # the affected package moved with the update
        (rec,) = db.lookup("PyPI", "renamed")
        assert rec["affected"][0]["ranges"][0]["events"][1] == ["fixed", "2.0"]
        assert rec["modified"] == "2021-12-31T22:00:00.000000Z"  # normalised to UTC
        stats = db.import_paths([str(write(tmp_path / "old", old))])
        assert (stats.added, stats.updated, stats.older) == (0, 0, 1)
        assert [r["id"] for r in db.lookup("PyPI", "renamed")] == ["GHSA-x"]


def test_withdrawn_kept_out_and_a_newer_copy_brings_it_back(tmp_path: Path) -> None:
    gone = record(
        "PYSEC-w",
        versions=["1.0"],
        withdrawn="2023-02-01T00:00:00Z",
        modified="2023-02-01T00:00:00Z",
    )
    db = db_with(tmp_path, gone)
    with db:
        assert db.lookup("PyPI", "demo") == []
        assert (db.info().records, db.info().withdrawn) == (1, 1)
        # an older, not withdrawn copy does not bring it back
        older = record("PYSEC-w", versions=["1.0"], modified="2022-01-01T00:00:00Z")
        db.import_paths([str(write(tmp_path / "a", older))])
        assert db.lookup("PyPI", "demo") == []
        # a newer one that is not withdrawn does
        newer = record("PYSEC-w", versions=["1.0"], modified="2024-01-01T00:00:00Z")
        db.import_paths([str(write(tmp_path / "b", newer))])
        assert [r["id"] for r in db.lookup("PyPI", "demo")] == ["PYSEC-w"]


def test_yaml_versions_stay_text(tmp_path: Path) -> None:
    """Unquoted YAML scalars: 2.10 is the version 2.10, not the number 2.1; an unquoted
    timestamp is read as text too."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "PYSEC-y.yaml").write_text(
        "id: PYSEC-y\nmodified: 2021-11-22T04:57:52Z\naffected:\n"
        "- package: {name: Demo, ecosystem: PyPI}\n"
        "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 2.10\n"
        "  versions: [2.0, 2.9, 1.10]\n",
        encoding="utf-8",
    )
    with VulnDB.open(str(tmp_path / "db.sqlite"), create=True) as db:
        stats = db.import_paths([str(tmp_path / "src")])
        assert stats.bad == []
        (rec,) = db.lookup("PyPI", "demo")
    assert rec["affected"][0]["ranges"][0]["events"] == [["introduced", "0"], ["fixed", "2.10"]]
    assert rec["affected"][0]["versions"] == ["2.0", "2.9", "1.10"]


def test_bad_records_are_counted_with_file_and_line_and_the_import_goes_on(
    tmp_path: Path,
) -> None:
    src = write(tmp_path / "src", record("PYSEC-ok", versions=["1.0"]))
    (src / "broken.json").write_text('{"id": "X",\n  "modified": }\n', encoding="utf-8")
    (src / "noid.json").write_text(json.dumps({"modified": "2020-01-01T00:00:00Z"}))
    (src / "badevents.json").write_text(
        json.dumps(record("PYSEC-e", events=[{"introduced": "0", "fixed": "1"}]))
    )
    (src / "baddate.json").write_text(json.dumps(record("PYSEC-d", modified="yesterday")))
    (src / "nested").mkdir()
    (src / "nested" / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (src / "notes.txt").write_text("not a record")  # other files are not read
    seen: list[str] = []
    with VulnDB.open(str(tmp_path / "db.sqlite"), create=True) as db:
        stats = db.import_paths([str(src)], on_bad=lambda b: seen.append(str(b)))
        assert [r["id"] for r in db.lookup("PyPI", "demo")] == ["PYSEC-ok"]
    assert (stats.files, stats.added, stats.bad_count) == (6, 1, 5)
    assert seen == [str(b) for b in stats.bad]
    bad = {Path(b.origin).name: b.reason for b in stats.bad}
    assert bad["broken.json"].startswith("line 2: invalid JSON")
    assert bad["noid.json"].startswith("id: expected a non-empty string")
    assert bad["badevents.json"].startswith("affected[0].ranges[0].events[0]: expected one of")
    assert bad["baddate.json"].startswith("modified: not an RFC 3339 timestamp")
    assert bad["bad.yaml"].startswith("line 2: invalid YAML")


def test_all_zip_import_names_the_member_of_a_bad_record(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "GHSA-a.json",
            json.dumps(record("GHSA-a", ecosystem="npm", name="left-pad", versions=["1.0.0"])),
        )
        zf.writestr("PYSEC-b.json", json.dumps(record("PYSEC-b", versions=["0.1"])))
        zf.writestr("broken.json", '{"id": ')
        zf.writestr("README.txt", "ignored")
    with VulnDB.open(str(tmp_path / "db.sqlite"), create=True) as db:
        stats = db.import_paths([str(archive)])
        info = db.info()
        again = db.import_paths([str(archive)])
    assert (stats.files, stats.added, stats.bad_count) == (3, 2, 1)
    assert stats.bad[0].origin == f"{archive}:broken.json"
    assert stats.bad[0].reason.startswith("line 1: invalid JSON")
    assert [(e.ecosystem, e.records) for e in info.ecosystems] == [("PyPI", 1), ("npm", 1)]
    assert (again.added, again.unchanged) == (0, 2)


def test_unreadable_paths_are_listed_and_the_rest_imported(tmp_path: Path) -> None:
    src = write(tmp_path / "src", record("PYSEC-ok", versions=["1.0"]))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with VulnDB.open(str(tmp_path / "db.sqlite"), create=True) as db:
        stats = db.import_paths([str(tmp_path / "missing"), str(broken), str(src)])
    assert stats.added == 1
    assert len(stats.unreadable) == 2
    assert stats.unreadable[0] == f"{tmp_path / 'missing'}: No such file or directory"
    assert "not a readable zip archive" in stats.unreadable[1]


def test_a_list_of_records_and_the_api_answer_shape(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "list.json").write_text(
        json.dumps([record("A-1", versions=["1"]), {"id": 3}, record("A-2", versions=["2"])])
    )
    (tmp_path / "src" / "vulns.json").write_text(
        json.dumps({"vulns": [record("A-3", versions=["3"])]})
    )
    with VulnDB.open(str(tmp_path / "db.sqlite"), create=True) as db:
        stats = db.import_paths([str(tmp_path / "src")])
        assert [r["id"] for r in db.lookup("PyPI", "demo")] == ["A-1", "A-2", "A-3"]
    assert stats.bad_count == 1 and stats.bad[0].reason.startswith("[1]: id: expected")


def test_open_refuses_what_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DBError, match="no vulnerability database at"):
        VulnDB.open(str(tmp_path / "none.sqlite"))
    junk = tmp_path / "junk.sqlite"
    junk.write_text("hello, not sqlite" * 100)
    with pytest.raises(DBError, match="not a hardhull vulnerability database"):
        VulnDB.open(str(junk), create=True)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DBError, match="not a hardhull vulnerability database"):
        VulnDB.open(str(other), create=True)


def test_default_path_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARDHULL_DB", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_db_path() == str(tmp_path / "cache" / "hardhull" / "vulndb.sqlite")
    monkeypatch.setenv("HARDHULL_DB", str(tmp_path / "x.sqlite"))
    assert default_db_path() == str(tmp_path / "x.sqlite")
