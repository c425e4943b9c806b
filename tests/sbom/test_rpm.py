"""rpm: a real sqlite database written by rpm itself (Debian's rpm package): a package built
with rpmbuild and installed with ``rpm -i --justdb``, read back and compared with ``rpm -q``."""

from __future__ import annotations

import lzma
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardhull import sbom
from hardhull.models.packages import Distro
from hardhull.sbom import rpm

from .conftest import DATA, need

SPEC = """\
Name: hardhull-probe
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: probe
License: Apache-2.0 AND MIT
BuildArch: noarch
%description
probe
%install
mkdir -p %{buildroot}/usr/share/hardhull-probe %{buildroot}/etc
echo a > %{buildroot}/usr/share/hardhull-probe/README
echo b > %{buildroot}/etc/hardhull-probe.conf
%files
/usr/share/hardhull-probe/README
/etc/hardhull-probe.conf
"""


def _rpmbuild(top: Path, name: str, spec_text: str) -> Path:
    """Build a noarch rpm from a spec with Debian's rpmbuild; its path."""
    rpmbuild = need("rpmbuild")
    (top / "SPECS").mkdir(parents=True, exist_ok=True)
    spec = top / "SPECS" / f"{name}.spec"
    spec.write_text(spec_text)
    build = subprocess.run(
        [rpmbuild, "--define", f"_topdir {top}", "-bb", str(spec)], capture_output=True, text=True
    )
    if build.returncode != 0:
        pytest.skip(f"rpmbuild failed: {build.stderr[-300:]}")
    return max((top / "RPMS/noarch").glob(f"{name}-*.rpm"), key=lambda p: p.stat().st_mtime)


def _new_rpmdb(db: Path) -> list[str]:
    """An empty sqlite rpm database in ``db``; the rpm command line that works on it."""
    db.mkdir()
    common = [need("rpm"), "--define", "_db_backend sqlite", "--dbpath", str(db)]
    subprocess.run([*common, "--initdb"], check=True, capture_output=True)
    return common


def _rpm_install(common: list[str], pkg: Path, flag: str = "-i") -> None:
    subprocess.run(
        [*common, flag, "--nodeps", "--justdb", str(pkg)], check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def rpmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("rpm")
    pkg = _rpmbuild(top, "hardhull-probe", SPEC)
    _rpm_install(_new_rpmdb(top / "db"), pkg)
    return top / "db"


def test_rpmdb_sqlite(rpmdb: Path) -> None:
    data = (rpmdb / "rpmdb.sqlite").read_bytes()
    path = "var/lib/rpm/rpmdb.sqlite"
    assert sbom.wants(path, len(data), 0o644)
    r = sbom.catalog_file(path, data)
    assert r.errors == ()
    (p,) = r.packages
    q = subprocess.run(
        [
            "rpm",
            "--define",
            "_db_backend sqlite",
            "--dbpath",
            str(rpmdb),
            "-q",
            "--qf",
            "%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH} %{LICENSE} %{SOURCERPM}\\n"
            "[%{FILENAMES}\\n]",
            "hardhull-probe",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    name, version, arch, *lic, srpm = q[0].split(" ")
    assert (p.name, p.version, p.arch, p.licenses) == (name, version, arch, (" ".join(lic),))
    assert p.source_name == rpm.source_name(srpm) == "hardhull-probe"
    assert set(p.files) == {f.lstrip("/") for f in q[1:]}

    (a,) = sbom.assemble({path: r}, Distro(id="rocky", version_id="9.3"), {})
    assert a.ecosystem == "Rocky Linux"
    assert a.purl == (
        "pkg:rpm/rocky/hardhull-probe@1.2.3-4.el9?arch=noarch&distro=rocky-9.3&epoch=2"
        "&upstream=hardhull-probe-1.2.3-4.el9.src.rpm"
    )


def test_not_sqlite_is_an_error() -> None:
    r = sbom.catalog_file("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\x00" + b"\x00" * 200)
    assert r.errors and r.packages == ()
    with pytest.raises(sbom.CatalogError):
        rpm.parse_header(b"\x00\x00\x00\x05\x00\x00\x00\x10")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offset=st.integers(0, 1 << 20), value=st.binary(min_size=1, max_size=8))
def test_mutated_rpmdb_is_read_or_refused(rpmdb: Path, offset: int, value: bytes) -> None:
    data = bytearray((rpmdb / "rpmdb.sqlite").read_bytes())
    at = offset % len(data)
    data[at : at + len(value)] = value
    r = sbom.catalog_file("var/lib/rpm/rpmdb.sqlite", bytes(data))
    assert isinstance(r, sbom.FileResult)


RPM_DATA = DATA / "rpm"


def test_cbl_mariner_sqlite_agrees_with_rpm(tmp_path: Path) -> None:
    """CBL-Mariner 2.0's real rpmdb.sqlite (data/SOURCES.md), read by us and by rpm."""
    rpm_ = need("rpm")
    data = lzma.decompress((RPM_DATA / "cbl-mariner-2.0-rpmdb.sqlite.xz").read_bytes())
    (tmp_path / "rpmdb.sqlite").write_bytes(data)
    q = subprocess.run(
        [
            rpm_,
            "--define",
            "_db_backend sqlite",
            "--dbpath",
            str(tmp_path),
            "-qa",
            "--qf",
            "%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\n",
        ],
        capture_output=True,
        text=True,
    )
    if q.returncode != 0:
        pytest.skip(f"rpm cannot read the database: {q.stderr[-200:]}")
    expected = set()
    for line in q.stdout.splitlines():
        name, evr, arch, srpm, lic = line.split("\t")
        if name == "gpg-pubkey":
            continue
        evr = evr.removeprefix("(none):")
        expected.add((name, evr, arch, rpm.source_name(srpm) if srpm != "(none)" else None, lic))
    r = sbom.catalog_file("var/lib/rpm/rpmdb.sqlite", data)
    got = {(p.name, p.version, p.arch, p.source_name, p.licenses[0]) for p in r.packages}
    assert len(got) == 129
    assert got == expected
    files = subprocess.run(
        [
            rpm_,
            "--define",
            "_db_backend sqlite",
            "--dbpath",
            str(tmp_path),
            "-qa",
            "--qf",
            "[%{=NAME}\\t%{FILENAMES}\\n]",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    owned = {tuple(line.split("\t")) for line in files.splitlines() if "\t" in line}
    assert {(p.name, "/" + f) for p in r.packages for f in p.files} == owned - {
        (n, f) for n, f in owned if n == "gpg-pubkey"
    }


def test_sle15_ndb() -> None:
    """SUSE's NDB Packages.db, against the package list go-rpmdb's tests expect of it."""
    data = lzma.decompress((RPM_DATA / "sle15-bci-Packages.db.xz").read_bytes())
    path = "usr/lib/sysimage/rpm/Packages.db"
    assert sbom.wants(path, len(data), 0o644)
    r = sbom.catalog_file(path, data)
    assert r.errors == ()
    expected = set()
    for line in (RPM_DATA / "sle15-bci.expected.tsv").read_text().splitlines()[1:]:
        epoch, name, version, release, arch, srpm, lic = line.split("\t")
        evr = f"{epoch}:{version}-{release}" if epoch else f"{version}-{release}"
        expected.add((name, evr, arch, rpm.source_name(srpm), lic))
    got = {(p.name, p.version, p.arch, p.source_name, p.licenses[0]) for p in r.packages}
    assert got == expected
    (a,) = [
        p
        for p in sbom.assemble({path: r}, Distro(id="sles", version_id="15.3"), {})
        if p.name == "bash"
    ]
    assert a.ecosystem == "SUSE"
    assert a.purl.startswith("pkg:rpm/sles/bash@4.4-19.6.1?arch=x86_64&distro=sles-15.3")


@settings(max_examples=100, deadline=None)
@given(offset=st.integers(0, 1 << 20), value=st.binary(min_size=1, max_size=8))
def test_mutated_ndb_is_read_or_refused(offset: int, value: bytes) -> None:
    data = bytearray(lzma.decompress((RPM_DATA / "sle15-bci-Packages.db.xz").read_bytes()))
    at = offset % len(data)
    data[at : at + len(value)] = value
    r = sbom.catalog_file("var/lib/rpm/Packages.db", bytes(data))
    assert isinstance(r, sbom.FileResult)


def _db_load(rows: list[tuple[int, bytes]], dest: Path, lorder: str, page_size: int) -> None:
    """A Berkeley DB hash database written by Berkeley DB's own db_load, keyed by package
    number like rpm's ``Packages`` (record 0: the next number)."""
    tool = shutil.which("db5.3_load") or shutil.which("db_load")
    if tool is None:
        pytest.skip("db5.3_load not found (Debian's db5.3-util)")
    fmt = "<I" if lorder == "1234" else ">I"
    lines = [
        "VERSION=3",
        "format=bytevalue",
        "type=hash",
        f"db_lorder={lorder}",
        f"db_pagesize={page_size}",
        "HEADER=END",
        " " + struct.pack(fmt, 0).hex(),
        " " + struct.pack(fmt, max(n for n, _ in rows) + 1).hex(),
    ]
    for number, blob in rows:
        lines += [" " + struct.pack(fmt, number).hex(), " " + blob.hex()]
    lines.append("DATA=END")
    dump = dest.parent / "dump"
    dump.write_text("\n".join(lines) + "\n")
    subprocess.run([tool, "-f", str(dump), str(dest)], check=True, capture_output=True)


@pytest.mark.parametrize(("lorder", "page_size"), [("1234", 4096), ("4321", 4096), ("1234", 65536)])
def test_berkeley_db(tmp_path: Path, lorder: str, page_size: int) -> None:
    """The Mariner headers in a Berkeley DB hash file written by db_load (both byte orders;
    64 KiB pages keep headers inline, 4 KiB ones put them on overflow pages): the same
    packages as from sqlite, and what Debian's rpm (read-only bdb backend) lists."""
    data = lzma.decompress((RPM_DATA / "cbl-mariner-2.0-rpmdb.sqlite.xz").read_bytes())
    (tmp_path / "rpmdb.sqlite").write_bytes(data)
    con = sqlite3.connect(tmp_path / "rpmdb.sqlite")
    rows = con.execute("SELECT hnum, blob FROM Packages").fetchall()
    con.close()
    db = tmp_path / "bdb"
    db.mkdir()
    _db_load(rows, db / "Packages", lorder, page_size)
    path = "var/lib/rpm/Packages"
    r = sbom.catalog_file(path, (db / "Packages").read_bytes())
    assert r.errors == ()
    from_sqlite = sbom.catalog_file("var/lib/rpm/rpmdb.sqlite", data).packages
    key = sorted((p.name, p.version, p.arch, p.files) for p in from_sqlite)
    assert sorted((p.name, p.version, p.arch, p.files) for p in r.packages) == key
    if lorder == "1234" and shutil.which("rpm"):
        q = subprocess.run(
            [
                "rpm",
                "--define",
                "_db_backend bdb_ro",
                "--dbpath",
                str(db),
                "-qa",
                "--qf",
                "%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\n",
            ],
            capture_output=True,
            text=True,
        )
        if q.returncode == 0:
            listed = {
                tuple(line.replace("(none):", "").split("\t")) for line in q.stdout.splitlines()
            }
            assert {(p.name, p.version) for p in r.packages} == listed


def test_rhel8_berkeley_db() -> None:
    """RHEL 8's libuuid in a real rpm-written Berkeley DB (go-rpmdb's test data)."""
    data = lzma.decompress((RPM_DATA / "rhel8-libuuid-Packages.xz").read_bytes())
    (p,) = sbom.catalog_file("var/lib/rpm/Packages", data).packages
    assert (p.name, p.version, p.arch, p.source_name, p.licenses) == (
        "libuuid",
        "2.32.1-42.el8_8",
        "x86_64",
        "util-linux",
        ("BSD",),
    )


@settings(max_examples=100, deadline=None)
@given(offset=st.integers(0, 1 << 17), value=st.binary(min_size=1, max_size=8))
def test_mutated_berkeley_db_is_read_or_refused(offset: int, value: bytes) -> None:
    data = bytearray(lzma.decompress((RPM_DATA / "rhel8-libuuid-Packages.xz").read_bytes()))
    at = offset % len(data)
    data[at : at + len(value)] = value
    r = sbom.catalog_file("var/lib/rpm/Packages", bytes(data))
    assert isinstance(r, sbom.FileResult)


def test_layer_that_installed_each_package(tmp_path: Path) -> None:
    """Three layers written by rpm itself: the first installs the probe, the second another
    package, the third upgrades the probe. Each layer rewrote the database; the history of
    its versions gives each package the layer that brought it in at its version."""
    top = tmp_path / "build"

    def build(name: str, version: str) -> Path:
        text = SPEC.replace("hardhull-probe", name).replace("Version: 1.2.3", f"Version: {version}")
        return _rpmbuild(top, f"{name}-{version}", text)

    db = tmp_path / "db"
    common = _new_rpmdb(db)
    path = "var/lib/rpm/rpmdb.sqlite"
    history = []
    steps = [
        ("sha256:" + "1" * 64, ["-i", build("probe-a", "1.0")]),
        ("sha256:" + "2" * 64, ["-i", build("probe-b", "1.0")]),
        ("sha256:" + "3" * 64, ["-U", build("probe-a", "2.0")]),
    ]
    for digest, (flag, pkg) in steps:
        _rpm_install(common, pkg, flag)
        history.append((digest, sbom.catalog_file(path, (db / "rpmdb.sqlite").read_bytes())))
    final = history[-1][1]
    packages = sbom.assemble({path: final}, None, {path: steps[-1][0]}, {path: history})
    assert {(p.name, p.version, p.layer) for p in packages} == {
        ("probe-a", "2:2.0-4.el9", steps[2][0]),
        ("probe-b", "2:1.0-4.el9", steps[1][0]),
    }
    # without the history, the database's own layer
    assert {p.layer for p in sbom.assemble({path: final}, None, {path: steps[-1][0]})} == {
        steps[-1][0]
    }


def test_python_module_of_an_rpm_package_is_not_a_pypi_package(
    tmp_path: Path, pip_target: Path
) -> None:
    """An rpm (like Fedora's python3-jinja2) that installs a dist-info: the rpm database
    lists the METADATA file among its files, so the module is reported once, as the rpm."""
    site = "usr/lib/python3.11/site-packages"
    meta = pip_target / "Jinja2-2.10.dist-info/METADATA"
    spec = (
        "Name: python3-jinja2\nVersion: 2.10\nRelease: 1\nSummary: s\nLicense: BSD\n"
        "BuildArch: noarch\n%description\ns\n%install\n"
        f"mkdir -p %{{buildroot}}/{site}/Jinja2-2.10.dist-info\n"
        f"cp {meta} %{{buildroot}}/{site}/Jinja2-2.10.dist-info/METADATA\n"
        f"%files\n/{site}/Jinja2-2.10.dist-info/METADATA\n"
    )
    db = tmp_path / "db"
    _rpm_install(_new_rpmdb(db), _rpmbuild(tmp_path / "build", "python3-jinja2", spec))
    meta_path = f"{site}/Jinja2-2.10.dist-info/METADATA"
    results = {
        "var/lib/rpm/rpmdb.sqlite": sbom.catalog_file(
            "var/lib/rpm/rpmdb.sqlite", (db / "rpmdb.sqlite").read_bytes()
        ),
        meta_path: sbom.catalog_file(meta_path, meta.read_bytes()),
    }
    assert results[meta_path].packages  # on its own, a PyPI package
    packages = sbom.assemble(results, Distro(id="fedora", version_id="40"), {})
    assert [(p.name, p.purl.split("@")[0]) for p in packages] == [
        ("python3-jinja2", "pkg:rpm/fedora/python3-jinja2")
    ]
