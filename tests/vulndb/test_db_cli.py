"""``hardhull db import`` and ``hardhull db info`` as users run them."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hardhull.cli import main
from tests.vulndb.helpers import record, write

ROOT = Path(__file__).resolve().parents[2]
PYPA = ROOT.parent / "shared" / "advisories" / "pypa"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "db.sqlite")
    src = write(
        tmp_path / "src",
        record("PYSEC-1", versions=["1.0"], modified="2024-03-01T10:00:00Z"),
        record("GHSA-1", ecosystem="npm", name="left-pad", versions=["1.0.0"]),
        record("PYSEC-2", name="other", versions=["1"], withdrawn="2024-02-01T00:00:00Z"),
    )
    code, out, err = run(capsys, "db", "import", str(src), "--db", db)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "imported 3 record(s) from 3 file(s): 3 new, 0 updated, 0 unchanged, 0 older than the "
        "stored copy; 0 bad"
    )
    assert lines[1].startswith(f"database: {db} (3 record(s), ")
    code, out, err = run(capsys, "db", "import", str(src), "--db", db)
    assert code == 0 and "3 unchanged" in out
    code, out, err = run(capsys, "db", "info", "--db", db)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"database: {db} (")
    assert lines[1:] == [
        "records: 3 (1 withdrawn, never matched)",
        "newest modified: 2024-03-01T10:00:00.000000Z",
        "ecosystems: 2",
        "  PyPI  2 record(s)  2 package(s)",
        "  npm   1 record(s)  1 package(s)",
    ]
    code, out, err = run(capsys, "db", "info", "--db", db, "--json")
    doc = json.loads(out)
    assert doc["records"] == 3 and doc["withdrawn"] == 1 and doc["path"] == db
    assert doc["ecosystems"] == [
        {"ecosystem": "PyPI", "records": 2, "packages": 2},
        {"ecosystem": "npm", "records": 1, "packages": 1},
    ]


def test_hardhull_db_env_and_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path / "src", record("PYSEC-1", versions=["1.0"]))
    monkeypatch.delenv("HARDHULL_DB", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, _ = run(capsys, "db", "import", str(src))
    assert code == 0
    default = tmp_path / "cache" / "hardhull" / "vulndb.sqlite"
    assert default.is_file() and f"database: {default} " in out
    monkeypatch.setenv("HARDHULL_DB", str(tmp_path / "env.sqlite"))
    assert run(capsys, "db", "import", str(src))[0] == 0
    code, out, _ = run(capsys, "db", "info")
    assert code == 0 and out.startswith(f"database: {tmp_path / 'env.sqlite'} (")
    # --db wins over the environment
    code, _, err = run(capsys, "db", "info", "--db", str(tmp_path / "none.sqlite"))
    assert code == 2
    assert err == (
        f"hardhull: error: no vulnerability database at {tmp_path / 'none.sqlite'}: import "
        "advisories first (hardhull db import PATH)\n"
    )


def test_bad_records_are_warnings_naming_file_and_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("PYSEC-1.json", json.dumps(record("PYSEC-1", versions=["1.0"])))
        zf.writestr("bad\x1b[31m.json", "[1, 2")
    code, out, err = run(capsys, "db", "import", str(archive), "--db", str(tmp_path / "d.sqlite"))
    assert code == 0
    assert err == (
        f"hardhull: warning: {archive}:bad\\x1b[31m.json: bad OSV record, left out: line 1: "
        "invalid JSON: Expecting ',' delimiter\n"
    )
    assert "1 new" in out and "; 1 bad" in out


def test_many_bad_records_are_summed_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path / "src", record("PYSEC-1", versions=["1.0"]))
    for i in range(25):
        (src / f"bad{i:02}.json").write_text("{}")
    code, out, err = run(capsys, "db", "import", str(src), "--db", str(tmp_path / "d.sqlite"))
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "hardhull: warning: ... and 5 more bad record(s)"
    assert "; 25 bad" in out


def test_missing_path_and_nothing_importable_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "d.sqlite")
    src = write(tmp_path / "src", record("PYSEC-1", versions=["1.0"]))
    code, out, err = run(capsys, "db", "import", str(tmp_path / "missing"), str(src), "--db", db)
    assert code == 2
    assert err == f"hardhull: error: {tmp_path / 'missing'}: No such file or directory\n"
    assert "1 new" in out  # the rest was imported
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "db", "import", str(tmp_path / "empty"), "--db", db)
    assert code == 2
    assert err == (
        "hardhull: error: no OSV record file (.json, .yaml, .yml, or a zip of them) in "
        f"{tmp_path / 'empty'}\n"
    )
    (tmp_path / "junk.json").write_text("nope")
    code, _, err = run(capsys, "db", "import", str(tmp_path / "junk.json"), "--db", db)
    assert code == 2 and err.endswith(
        f"hardhull: error: no valid OSV record in {tmp_path / 'junk.json'}\n"
    )


def test_db_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not sqlite at all, " * 50)
    code, out, err = run(capsys, "db", "info", "--db", str(junk))
    assert code == 2 and out == ""
    assert err.startswith(f"hardhull: error: {junk}: not a hardhull vulnerability database")
    code, _, err = run(capsys, "db", "import", str(tmp_path), "--db", str(junk))
    assert code == 2 and "Traceback" not in err


def test_db_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "db")
    assert code == 2 and "import" in err and "info" in err


def test_pypa_import_from_the_command_line(tmp_path: Path) -> None:
    """The command of docs/vulnerabilities.md, in a process of its own."""
    if not (PYPA / "vulns").is_dir():
        pytest.skip(f"the PyPA advisory database is not at {PYPA} (../shared/advisories/pypa)")
    db = tmp_path / "pypa.sqlite"
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "db", "import", str(PYPA), "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    n = len(list((PYPA / "vulns").rglob("*.yaml")))
    assert proc.stdout.startswith(f"imported {n} record(s) from {n} file(s): {n} new, ")
