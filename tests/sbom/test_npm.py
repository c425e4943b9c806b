"""npm: the packages of this machine's node install (``npm root -g``), against ``npm ls``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hardhull import sbom
from hardhull.sbom import npm

from .conftest import catalog_tree, need


def test_global_node_modules_match_npm_ls() -> None:
    npm_ = need("npm")
    root = subprocess.run([npm_, "root", "-g"], capture_output=True, text=True).stdout.strip()
    if not root or not Path(root).is_dir():
        import pytest

        pytest.skip("npm has no global node_modules")
    listing = subprocess.run(
        [npm_, "ls", "-g", "--all", "--json"], capture_output=True, text=True
    ).stdout
    expected: set[tuple[str, str]] = set()

    def walk(deps: dict[str, dict[str, object]] | None) -> None:
        for name, d in (deps or {}).items():
            if isinstance(d.get("version"), str) and not d.get("missing"):
                expected.add((name, str(d["version"])))
            walk(d.get("dependencies"))  # type: ignore[arg-type]

    walk(json.loads(listing).get("dependencies"))
    results = catalog_tree(Path(root), root.lstrip("/"))
    packages = sbom.assemble(results, None, {})
    assert {(p.name, p.version) for p in packages} == expected
    assert all(p.ecosystem == "npm" for p in packages)
    scoped = [p for p in packages if p.name.startswith("@")]
    if scoped:
        ns, _, bare = scoped[0].name.partition("/")
        assert scoped[0].purl == f"pkg:npm/%40{ns[1:]}/{bare}@{scoped[0].version}"


def test_package_json_files_that_are_not_packages_are_skipped() -> None:
    wanted = [
        "usr/lib/node_modules/npm/package.json",
        "app/node_modules/@scope/pkg/package.json",
        "app/node_modules/a/node_modules/b/package.json",
    ]
    skipped = [
        "app/package.json",
        "app/node_modules/a/test/package.json",
        "app/node_modules/a/lib/esm/package.json",
        "app/node_modules/@scope/package.json",
    ]
    assert all(npm.is_package_json(p) for p in wanted)
    assert not any(npm.is_package_json(p) for p in skipped)
    assert not any(sbom.wants(p, 100, 0o644) for p in skipped)
    # a package.json without a version (a workspace root) is no package
    assert sbom.catalog_file(wanted[1], b'{"name": "@scope/pkg"}').packages == ()
