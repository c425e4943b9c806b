"""``hardhull sbom scan`` only matches packages against advisories: without a database it
stops with an error of its own (exit 2), where ``hardhull image`` notes that vulnerabilities
are not checked and runs its other checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "components": [
        {"type": "library", "name": "jinja2", "version": "2.10", "purl": "pkg:pypi/jinja2@2.10"}
    ],
}


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "hardhull", *args], capture_output=True,
                          text=True, env=env, check=False, timeout=120)  # fmt: skip


def test_sbom_scan_without_a_database_is_an_error(tmp_path: Path) -> None:
    sbom = tmp_path / "app.cdx.json"
    sbom.write_text(json.dumps(SBOM))
    proc = _run("sbom", "scan", str(sbom), home=tmp_path / "cache")
    assert proc.returncode == 2
    where = tmp_path / "cache" / "hardhull" / "vulndb.sqlite"
    assert proc.stderr == (
        "hardhull: error: sbom scan matches packages against an advisory database, and there "
        f"is none at {where} (import advisories with: hardhull db import PATH…, or name one "
        "with --db)\n"
    )
    assert proc.stdout == ""
    missing = tmp_path / "nowhere.sqlite"
    proc = _run("sbom", "scan", str(sbom), "--db", str(missing), home=tmp_path / "cache")
    assert proc.returncode == 2 and f"there is none at {missing}" in proc.stderr


def test_a_damaged_database_is_an_error_too(tmp_path: Path) -> None:
    sbom = tmp_path / "app.cdx.json"
    sbom.write_text(json.dumps(SBOM))
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    proc = _run("sbom", "scan", str(sbom), "--db", str(bad), home=tmp_path / "cache")
    assert proc.returncode == 2
    assert proc.stderr.startswith("hardhull: error: ")
    assert proc.stderr.endswith(": sbom scan needs an advisory database\n")
    assert "Traceback" not in proc.stderr
