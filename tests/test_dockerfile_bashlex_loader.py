"""bashlex is imported with pre-built parse tables (hardhull.dockerfile.bashlex_loader).

Each case runs in a fresh interpreter (bashlex builds its tables at import time, once per
process), with ``HARDHULL_CACHE_DIR`` pointing into the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hardhull.dockerfile import bashlex_loader, bashlex_tables

PROBE = """
import json, sys
from hardhull.dockerfile import bashlex_loader, bashlex_tables
if len(sys.argv) > 1:
    bashlex_tables.SIGNATURE = sys.argv[1]  # as if the installed bashlex had changed
bashlex = bashlex_loader.load_bashlex()
trees = bashlex.parse("a && b $(c | d) || (e; f)")
print(json.dumps({"source": bashlex_loader.last_source, "tree": [t.dump() for t in trees]}))
"""


def _probe(tmp_path: Path, *args: str) -> dict[str, str]:
    env = {**os.environ, "HARDHULL_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, check=True
    )
    data: dict[str, str] = json.loads(out.stdout)
    return data


def test_shipped_tables_match_the_installed_bashlex(tmp_path: Path) -> None:
    got = _probe(tmp_path)
    assert got["source"] == "shipped"
    assert not (tmp_path / "cache").exists()  # nothing written when the shipped ones fit


def test_mismatch_builds_once_then_uses_the_cache(tmp_path: Path) -> None:
    shipped = _probe(tmp_path)
    first = _probe(tmp_path, "0" * 64)
    assert first["source"] == "built"
    files = list((tmp_path / "cache").iterdir())
    assert [f.name.startswith("bashlex-tables-") for f in files] == [True]
    second = _probe(tmp_path, "0" * 64)
    assert second["source"] == "cache"
    # the same parse whichever way the tables came
    assert shipped["tree"] == first["tree"] == second["tree"]


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    _probe(tmp_path, "0" * 64)
    (cache,) = (tmp_path / "cache").iterdir()
    cache.write_bytes(b"not marshal data")
    assert _probe(tmp_path, "0" * 64)["source"] == "built"


def test_tables_module_is_up_to_date() -> None:
    """``python -m hardhull.dockerfile.bashlex_loader`` would write the same file."""
    code = (
        "from importlib import metadata\n"
        "from hardhull.dockerfile import bashlex_loader as L\n"
        "sig, tables = L.build_tables()\n"
        "print(L._render_tables(sig, tables, metadata.version('bashlex')), end='')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == Path(bashlex_tables.__file__).read_text(encoding="utf-8")


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARDHULL_CACHE_DIR", str(tmp_path / "c"))
    assert bashlex_loader.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("HARDHULL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert bashlex_loader.cache_dir() == tmp_path / "x" / "hardhull"
