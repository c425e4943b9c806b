"""bashlex is imported with cached parse tables (hardhull.formats.dockerfile.bashlex_loader).

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

from hardhull.formats.dockerfile import bashlex_loader

PROBE = """
import json
from hardhull.formats.dockerfile import bashlex_loader
bashlex = bashlex_loader.load_bashlex()
trees = bashlex.parse("a && b $(c | d) || (e; f)")
print(json.dumps({"source": bashlex_loader.last_source, "tree": [t.dump() for t in trees]}))
"""


def _probe(cache: Path) -> dict[str, str]:
    env = {**os.environ, "HARDHULL_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    data: dict[str, str] = json.loads(out.stdout)
    return data


def test_builds_once_then_uses_the_cache(tmp_path: Path) -> None:
    first = _probe(tmp_path / "cache")
    assert first["source"] == "built"
    files = list((tmp_path / "cache").iterdir())
    assert [f.name.startswith("bashlex-tables-") for f in files] == [True]
    second = _probe(tmp_path / "cache")
    assert second["source"] == "cache"
    assert first["tree"] == second["tree"]  # the same parse whichever way the tables came


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    _probe(tmp_path / "cache")
    (cache,) = (tmp_path / "cache").iterdir()
    cache.write_bytes(b"not marshal data")
    assert _probe(tmp_path / "cache")["source"] == "built"


def test_unwritable_cache_still_parses(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    got = _probe(blocker / "cache")  # the cache directory cannot be created
    assert got["source"] == "built"
    assert got["tree"] == _probe(tmp_path / "ok")["tree"]


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARDHULL_CACHE_DIR", str(tmp_path / "c"))
    assert bashlex_loader.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("HARDHULL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert bashlex_loader.cache_dir() == tmp_path / "x" / "hardhull"
