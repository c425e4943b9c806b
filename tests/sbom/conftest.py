"""Helpers for the SBOM tests: real directories (this machine's dpkg database, pip and npm
installs) cataloged as if they were an image's filesystem."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from hardhull import sbom
from hardhull.models.packages import Package

DATA = Path(__file__).parent / "data"


def catalog_tree(
    root: Path, under: str = "", *, only: Iterable[str] = ()
) -> dict[str, sbom.FileResult]:
    """Catalog every wanted file below ``root`` as image path ``under/<relative path>``;
    ``only``: relative directories to walk (all when empty)."""
    results: dict[str, sbom.FileResult] = {}
    starts = [root / o for o in only] or [root]
    for start in starts:
        for dirpath, _, names in os.walk(start):
            for name in names:
                p = Path(dirpath, name)
                st = p.lstat()
                image_path = "/".join(x for x in (under, str(p.relative_to(root))) if x)
                if sbom.wants(image_path, st.st_size, st.st_mode):
                    results[image_path] = sbom.catalog_file(image_path, p.read_bytes())
    return results


def by_name(packages: Iterable[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not found on PATH")
    return path
