"""dpkg: this machine's own database, checked against dpkg-query's answers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hardhull import sbom
from hardhull.sbom import dpkg

from .conftest import catalog_tree, need

STATUS = Path("/var/lib/dpkg/status")
pytestmark = pytest.mark.skipif(not STATUS.is_file(), reason="no dpkg database on this machine")


def _dpkg_query() -> dict[str, tuple[str, str, str, str]]:
    need("dpkg-query")
    fmt = (
        "${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${Status}\n"
    )
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", fmt], capture_output=True, text=True, check=True
    ).stdout
    rows = {}
    for line in out.splitlines():
        name, version, arch, src, src_version, status = line.split("\t")
        if status.split()[-1] not in ("not-installed", "config-files"):
            rows[name] = (version, arch, src, src_version)
    return rows


@pytest.fixture(scope="module")
def machine() -> dict[str, sbom.FileResult]:
    return catalog_tree(Path("/"), only=["var/lib/dpkg"])


def test_status_matches_dpkg_query(machine: dict[str, sbom.FileResult]) -> None:
    expected = _dpkg_query()
    got = {
        p.name: (p.version, p.arch, p.source_name or p.name, p.source_version or p.version)
        for p in machine["var/lib/dpkg/status"].packages
    }
    assert got == expected


def test_owned_files_come_from_info_lists(machine: dict[str, sbom.FileResult]) -> None:
    packages = sbom.assemble(machine, None, {})
    bash = next(p for p in packages if p.name == "bash")
    assert "usr/bin/bash" in bash.files or "bin/bash" in bash.files
    assert bash.purl.startswith("pkg:deb/debian/bash@")
    listed = subprocess.run(["dpkg", "-L", "bash"], capture_output=True, text=True).stdout
    assert set(bash.files) == {line.lstrip("/") for line in listed.splitlines() if line != "/."}


def test_os_package_gets_the_distro_and_the_layer_of_its_list(
    machine: dict[str, sbom.FileResult],
) -> None:
    distro = sbom.detect_distro({"etc/os-release": Path("/etc/os-release").read_bytes()})
    assert distro is not None and distro.id == "debian"
    layer_of = {
        "var/lib/dpkg/status": "sha256:" + "2" * 64,
        "var/lib/dpkg/info/bash.list": "sha256:" + "1" * 64,
    }
    packages = {p.name: p for p in sbom.assemble(machine, distro, layer_of)}
    assert packages["bash"].layer == "sha256:" + "1" * 64
    assert packages["coreutils"].layer == "sha256:" + "2" * 64
    assert f"distro=debian-{distro.version_id}" in packages["bash"].purl
    assert packages["bash"].ecosystem == "Debian"


def test_distroless_status_d(tmp_path: Path) -> None:
    """A distroless-style database: one status paragraph per file and its md5sums, made from
    this machine's real paragraphs and md5sums files."""
    paragraphs = STATUS.read_text().split("\n\n")
    chosen = {}
    for para in paragraphs:
        name = para.split("\n", 1)[0].removeprefix("Package: ")
        md5 = Path(f"/var/lib/dpkg/info/{name}.md5sums")
        wanted = name in ("base-files", "libc6", "tzdata") or len(chosen) < 3
        if wanted and md5.exists():
            chosen[name] = para
    d = tmp_path / "var/lib/dpkg/status.d"
    d.mkdir(parents=True)
    for name, para in chosen.items():
        (d / name).write_text(para + "\n")
        (d / f"{name}.md5sums").write_bytes(Path(f"/var/lib/dpkg/info/{name}.md5sums").read_bytes())
    results = catalog_tree(tmp_path)
    packages = {p.name: p for p in sbom.assemble(results, None, {})}
    assert set(packages) == set(chosen)
    for name, pkg in packages.items():
        md5 = Path(f"/var/lib/dpkg/info/{name}.md5sums").read_text().splitlines()
        assert set(pkg.files) == {line.split(None, 1)[1] for line in md5}
        assert pkg.path == f"var/lib/dpkg/status.d/{name}"


def test_only_packages_whose_files_are_on_disk() -> None:
    text = (
        b"Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
        b"Package: here\nStatus: install ok installed\nVersion: 2:1.0-1\nSource: src (1.0-0)\n\n"
        b"Package: half\nStatus: install reinstreq half-configured\nVersion: 1\n\n"
        b"Package: never\nStatus: purge ok not-installed\nVersion: 1\n"
    )
    here, half = dpkg.parse_status(text, "var/lib/dpkg/status")
    assert half.name == "half"  # its files are on disk
    assert (here.name, here.version, here.source_name, here.source_version) == (
        "here",
        "2:1.0-1",
        "src",
        "1.0-0",
    )


def test_corrupt_status_is_an_error_not_a_traceback() -> None:
    r = sbom.catalog_file("var/lib/dpkg/status", b"\x7fELF\x00\x01garbage")
    assert r.packages == () and r.errors and "var/lib/dpkg/status" in r.errors[0]
