"""Python: wheels installed by pip into a target folder, and Debian's python3-* packages,
which are OS packages and must not be reported as PyPI packages too."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hardhull import sbom
from hardhull.sbom import python

from .conftest import by_name, catalog_tree

SITE = "usr/local/lib/python3.11/site-packages"
DIST_PACKAGES = Path("/usr/lib/python3/dist-packages")


def test_pip_target(pip_target: Path) -> None:
    results = catalog_tree(pip_target, SITE)
    packages = by_name(sbom.assemble(results, None, {}))
    assert {n: p.version for n, p in packages.items()} == {
        "Jinja2": "2.10",
        "PyYAML": "5.3",
        "MarkupSafe": packages["MarkupSafe"].version,
    }
    jinja = packages["Jinja2"]
    assert jinja.purl == "pkg:pypi/jinja2@2.10"
    assert jinja.ecosystem == "PyPI"
    assert jinja.licenses == ("BSD",)
    assert jinja.path == f"{SITE}/Jinja2-2.10.dist-info/METADATA"
    # RECORD: the files the distribution owns
    assert f"{SITE}/jinja2/__init__.py" in jinja.files
    assert packages["PyYAML"].purl == "pkg:pypi/pyyaml@5.3"


def test_pip_agrees_with_pip_list(pip_target: Path) -> None:
    import json
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--path", str(pip_target), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = {(d["name"].lower(), d["version"]) for d in json.loads(out)}
    got = {(p.name.lower(), p.version) for p in sbom.assemble(catalog_tree(pip_target), None, {})}
    assert got == expected


@pytest.mark.skipif(
    not DIST_PACKAGES.is_dir() or not Path("/var/lib/dpkg/status").is_file(),
    reason="no Debian python3 packages on this machine",
)
def test_debian_python3_packages_are_not_pypi_packages() -> None:
    results = catalog_tree(Path("/"), only=["var/lib/dpkg", str(DIST_PACKAGES).lstrip("/")])
    raw = [p for r in results.values() for p in r.packages if p.ecosystem == "PyPI"]
    assert len(raw) >= 5, "the machine's python3-* packages have metadata"
    # dpkg itself says who owns each metadata file
    owned = subprocess.run(
        ["dpkg", "-S", *("/" + p.path for p in raw)], capture_output=True, text=True
    ).stdout
    owned_paths = {line.split(": ", 1)[1] for line in owned.splitlines() if ": " in line}
    assert owned_paths, "dpkg owns the python3-* metadata"
    packages = sbom.assemble(results, None, {})
    pypi = [p for p in packages if p.ecosystem == "PyPI"]
    assert not [p for p in pypi if "/" + p.path in owned_paths]
    # what is left is what no Debian package owns (installed by pip by hand, if any)
    assert len(pypi) == len(raw) - len(
        [
            p
            for p in raw
            if "/" + p.path in owned_paths or "/" + p.path.rsplit("/", 1)[0] in owned_paths
        ]
    )
    assert any(p.name == "python3-yaml" for p in packages)


def test_egg_info_file_and_license_classifier() -> None:
    meta = (
        b"Metadata-Version: 1.1\nName: crcmod\nVersion: 1.7\nLicense: UNKNOWN\n"
        b"Classifier: License :: OSI Approved :: MIT License\n"
    )
    r = sbom.catalog_file("usr/lib/python3/dist-packages/crcmod-1.7.egg-info", meta)
    (p,) = r.packages
    assert (p.name, p.version, p.licenses) == ("crcmod", "1.7", ("MIT License",))


def test_metadata_without_version_is_an_error() -> None:
    with pytest.raises(sbom.CatalogError):
        python.parse_metadata(b"Name: x\n", "a.dist-info/METADATA")


def test_eggs(pip_target: Path, tmp_path: Path) -> None:
    """Eggs, a zipped one and an unpacked one, made from a real dist-info's METADATA (the
    layout setuptools' bdist_egg writes: EGG-INFO/PKG-INFO)."""
    import zipfile

    meta = (pip_target / "Jinja2-2.10.dist-info/METADATA").read_bytes()
    egg = tmp_path / "Jinja2-2.10-py3.11.egg"
    with zipfile.ZipFile(egg, "w") as z:
        z.writestr("EGG-INFO/PKG-INFO", meta)
        z.writestr("jinja2/__init__.py", "")
    (tmp_path / "MarkupSafe.egg/EGG-INFO").mkdir(parents=True)
    (tmp_path / "MarkupSafe.egg/EGG-INFO/PKG-INFO").write_bytes(
        next(pip_target.glob("[Mm]arkup[Ss]afe-*.dist-info")).joinpath("METADATA").read_bytes()
    )
    packages = sbom.assemble(catalog_tree(tmp_path, SITE), None, {})
    assert sorted(p.name for p in packages) == ["Jinja2", "MarkupSafe"]
    assert sbom.catalog_file(f"{SITE}/broken.egg", b"PK\x03\x04").errors
