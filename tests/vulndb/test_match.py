"""Matching packages against the index with OSV's semantics, on the real PyPA database and on
records built here for the cases it does not hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.model import Severity
from hardhull.models.packages import Distro, Package
from hardhull.vulndb import versions
from hardhull.vulndb.ecosystems import release_ecosystems
from hardhull.vulndb.match import in_range, lookup_key, match_packages
from hardhull.vulndb.store import VulnDB
from tests.vulndb.helpers import db_with, record

ROOT = Path(__file__).resolve().parents[2]
PYPA = ROOT.parent / "shared" / "advisories" / "pypa"


def pypi(name: str, version: str, layer: str | None = None) -> Package:
    return Package(name, version, "PyPI", f"pkg:pypi/{name.lower()}@{version}", layer=layer)


def ids(db: VulnDB, *packages: Package) -> list[str]:
    return [v.id for v in match_packages(db, packages).vulnerabilities]


def need(ecosystem: str) -> None:
    if not versions.supported(ecosystem):
        pytest.skip(f"no version comparison for {ecosystem} yet (hardhull.vulndb.versions)")


@pytest.fixture(scope="module")
def pypa_db(tmp_path_factory: pytest.TempPathFactory) -> VulnDB:
    if not (PYPA / "vulns").is_dir():
        pytest.skip(f"the PyPA advisory database is not at {PYPA} (../shared/advisories/pypa)")
    db = VulnDB.open(str(tmp_path_factory.mktemp("pypa") / "db.sqlite"), create=True)
    db.import_paths([str(PYPA)])
    return db


def rows(report: object) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [
        (v.package.name, v.installed, v.id, v.fixed)
        for v in report.vulnerabilities  # type: ignore[attr-defined]
    ]


# -- the real PyPA advisories ---------------------------------------------------------------


def test_old_jinja2_and_pyyaml_match_their_real_advisories(pypa_db: VulnDB) -> None:
    layer = "sha256:" + "ab" * 32
    report = match_packages(pypa_db, [pypi("Jinja2", "2.10", layer), pypi("PyYAML", "5.3")])
    assert rows(report) == [
        ("Jinja2", "2.10", "PYSEC-2019-217", ("2.10.1",)),
        ("Jinja2", "2.10", "PYSEC-2021-66", ("2.11.3",)),
        ("PyYAML", "5.3", "PYSEC-2020-96", ("5.3.1",)),
        ("PyYAML", "5.3", "PYSEC-2021-142", ("5.4",)),
    ]
    jinja = report.vulnerabilities[0]
    assert jinja.aliases == ("CVE-2019-10906", "GHSA-462w-v97r-4m45")
    assert (
        jinja.summary == "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape."
    )
    assert jinja.layer == layer and jinja.package.layer == layer
    assert jinja.ecosystem == "PyPI"
    assert report.vulnerabilities[3].aliases == ("CVE-2020-14343", "GHSA-8q59-q68h-6hv4")
    assert report.not_compared == [] and report.not_looked_up == []


def test_fixed_versions_are_not_reported(pypa_db: VulnDB) -> None:
    report = match_packages(pypa_db, [pypi("jinja2", "2.11.3"), pypi("pyyaml", "5.4")])
    assert rows(report) == []


def test_pypa_name_normalisation_and_prereleases(pypa_db: VulnDB) -> None:
    # PEP 503: PyYAML and pyYAML are one project (py-yaml another); 5.1b1 < 5.1 (fixed)
    report = match_packages(pypa_db, [pypi("pyYAML", "5.1b1"), pypi("py_yaml", "5.1b1")])
    assert [(v.package.name, v.id) for v in report.vulnerabilities] == [
        ("pyYAML", "PYSEC-2018-49"),
        ("pyYAML", "PYSEC-2021-142"),
    ]


def test_cvss_vector_gives_the_severity(pypa_db: VulnDB) -> None:
    report = match_packages(pypa_db, [pypi("Werkzeug", "3.0.0"), pypi("werkzeug", "2.3.7")])
    hits = {(v.installed, v.id): v for v in report.vulnerabilities}
    new = hits[("3.0.0", "PYSEC-2023-221")]
    assert new.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
    assert (new.score, new.severity) == (7.5, Severity.HIGH)
    assert new.fixed == ("3.0.1",)
    # two ranges (introduced 0 fixed 2.3.8; introduced 3.0.0 fixed 3.0.1)
    assert hits[("2.3.7", "PYSEC-2023-221")].fixed == ("2.3.8", "3.0.1")


def test_last_affected_in_real_record(pypa_db: VulnDB) -> None:
    # PYSEC-2022-42969 (py): introduced 0, last_affected 1.11.0
    assert "PYSEC-2022-42969" in ids(pypa_db, pypi("py", "1.11.0"))
    assert "PYSEC-2022-42969" not in ids(pypa_db, pypi("py", "1.11.1"))


# -- OSV range semantics --------------------------------------------------------------------


def _cmp(a: str, b: str) -> int:
    return versions.compare("PyPI", a, b)


@pytest.mark.parametrize(
    ("version", "events", "expected"),
    [
        ("1.0", [["introduced", "0"], ["fixed", "1.0"]], False),
        ("0.9", [["introduced", "0"], ["fixed", "1.0"]], True),
        ("1.5", [["introduced", "1.2"], ["fixed", "2.0"]], True),
        ("1.1", [["introduced", "1.2"], ["fixed", "2.0"]], False),
        # events in any order are sorted by version first
        (
            "2.5",
            [["fixed", "3.0"], ["introduced", "2.0"], ["fixed", "1.5"], ["introduced", "0"]],
            True,
        ),
        (
            "1.7",
            [["fixed", "3.0"], ["introduced", "2.0"], ["fixed", "1.5"], ["introduced", "0"]],
            False,
        ),
        ("1.0", [["introduced", "0"], ["last_affected", "1.0"]], True),
        ("1.0.1", [["introduced", "0"], ["last_affected", "1.0"]], False),
        ("5.0", [["introduced", "1.0"]], True),
        # limit: nothing at or above it is inside the range
        ("1.5", [["introduced", "1.0"], ["limit", "2.0"]], True),
        ("2.0", [["introduced", "1.0"], ["limit", "2.0"]], False),
        ("3.0", [["introduced", "1.0"], ["limit", "*"]], True),
        ("1.0", [["introduced", "1.0"], ["fixed", "1.0"]], False),
        ("1.0rc1", [["introduced", "0"], ["fixed", "1.0"]], True),
    ],
)
def test_in_range(version: str, events: list[list[str]], expected: bool) -> None:
    assert in_range(version, events, _cmp) is expected


def test_limit_and_last_affected_through_the_index(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record("T-limit", events=[{"introduced": "1.0"}, {"limit": "2.0"}]),
        record("T-last", events=[{"introduced": "0"}, {"last_affected": "1.4"}]),
        record("T-git", events=[{"introduced": "0"}, {"fixed": "abc"}], range_type="GIT"),
    )
    with db:
        assert ids(db, pypi("demo", "1.4")) == ["T-last", "T-limit"]
        assert ids(db, pypi("demo", "1.5")) == ["T-limit"]
        assert ids(db, pypi("demo", "2.0")) == []
        assert ids(db, pypi("demo", "0.5")) == ["T-last"]


def test_versions_list_matches_exactly_and_by_ordering(tmp_path: Path) -> None:
    db = db_with(tmp_path, record("T-v", versions=["1.0", "2.0.post1"]))
    with db:
        assert ids(db, pypi("demo", "1.0")) == ["T-v"]
        assert ids(db, pypi("demo", "1.0.0")) == ["T-v"]  # the same PEP 440 version
        assert ids(db, pypi("demo", "2.0.post1")) == ["T-v"]
        assert ids(db, pypi("demo", "1.1")) == []


def test_withdrawn_record_is_never_matched(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record("T-w", versions=["1.0"], withdrawn="2024-01-02T00:00:00Z"),
        record("T-ok", versions=["1.0"]),
    )
    with db:
        assert [v.id for v in match_packages(db, [pypi("demo", "1.0")]).vulnerabilities] == ["T-ok"]


def test_aliases_of_each_other_are_one_finding(tmp_path: Path) -> None:
    ghsa = record(
        "GHSA-aaaa-bbbb-cccc",
        events=[{"introduced": "0"}, {"fixed": "1.1"}],
        aliases=["CVE-2024-1"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        summary="GHSA summary",
    )
    pysec = record(
        "PYSEC-2024-1",
        events=[{"introduced": "0"}, {"fixed": "1.0.1"}],
        aliases=["CVE-2024-1", "GHSA-aaaa-bbbb-cccc"],
    )
    other = record("PYSEC-2024-2", versions=["1.0"])
    db = db_with(tmp_path, ghsa, pysec, other)
    with db:
        report = match_packages(db, [pypi("demo", "1.0")])
    first, second = report.vulnerabilities
    assert first.id == "GHSA-aaaa-bbbb-cccc"  # the one with a CVSS score
    assert first.aliases == ("CVE-2024-1", "PYSEC-2024-1")
    assert first.fixed == ("1.1", "1.0.1")
    assert (first.severity, first.score, first.summary) == (Severity.CRITICAL, 9.8, "GHSA summary")
    assert second.id == "PYSEC-2024-2" and second.severity is None


def test_database_specific_severity_when_no_vector(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record("GHSA-m", versions=["1.0"], database_specific={"severity": "MODERATE"}),
        record(
            "GHSA-v2",
            name="two",
            versions=["1.0"],
            severity=[{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}],
        ),
        record(
            "UBUNTU-x",
            name="three",
            versions=["1.0"],
            severity=[{"type": "Ubuntu", "score": "medium"}],
        ),
        record(
            "GHSA-bad",
            name="four",
            versions=["1.0"],
            severity=[{"type": "CVSS_V3", "score": "nonsense"}],
        ),
    )
    with db:
        report = match_packages(
            db, [pypi("demo", "1.0"), pypi("two", "1.0"), pypi("three", "1.0"), pypi("four", "1.0")]
        )
    got = {v.id: (v.severity, v.score) for v in report.vulnerabilities}
    assert got == {
        "GHSA-m": (Severity.MEDIUM, None),
        "GHSA-v2": (Severity.HIGH, 7.5),
        "UBUNTU-x": (Severity.MEDIUM, None),
        "GHSA-bad": (None, None),
    }


def test_unsupported_ecosystem_matches_versions_lists_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    eco = "Hackage"
    if versions.supported(eco):
        pytest.skip("Hackage versions are compared now: this test needs an ecosystem without")
    db = db_with(
        tmp_path,
        record("H-list", ecosystem=eco, name="aeson", versions=["2.0.1.0"]),
        record(
            "H-range", ecosystem=eco, name="aeson", events=[{"introduced": "0"}, {"fixed": "3"}]
        ),
    )
    pkg = Package("aeson", "2.0.1.0", eco, "pkg:hackage/aeson@2.0.1.0")
    with db:
        report = match_packages(db, [pkg])
    assert [v.id for v in report.vulnerabilities] == ["H-list"]
    assert [(n.advisory, n.reason) for n in report.not_compared] == [
        ("H-range", "no version comparison for Hackage yet")
    ]


def test_invalid_installed_version_is_not_compared(tmp_path: Path) -> None:
    db = db_with(tmp_path, record("T-r", events=[{"introduced": "0"}, {"fixed": "2"}]))
    with db:
        report = match_packages(db, [pypi("demo", "not a version!")])
    assert report.vulnerabilities == []
    assert [n.advisory for n in report.not_compared] == ["T-r"]
    assert report.not_compared[0].reason.startswith("not a PyPI version here")


# -- distributions: source package and release ---------------------------------------------


def deb(name: str, version: str, source: str | None = None, eco: str = "Debian") -> Package:
    return Package(
        name, version, eco, f"pkg:deb/{eco.lower()}/{name}@{version}", source_name=source
    )


def test_debian_by_source_package_and_release(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record("DSA-1", ecosystem="Debian:12", name="openssl", versions=["3.0.11-1~deb12u1"]),
        record("DSA-2", ecosystem="Debian:11", name="openssl", versions=["3.0.11-1~deb12u1"]),
    )
    pkg = deb("libssl3", "3.0.11-1~deb12u1", source="openssl")
    with db:
        found = match_packages(db, [pkg], Distro("debian", "12", "bookworm"))
        by_codename = match_packages(db, [pkg], Distro("debian", "", "bookworm"))
        unknown = match_packages(db, [pkg], Distro("debian", "", "sid"))
    assert [(v.id, v.package.name, v.ecosystem) for v in found.vulnerabilities] == [
        ("DSA-1", "libssl3", "Debian:12")
    ]
    assert [v.id for v in by_codename.vulnerabilities] == ["DSA-1"]
    assert unknown.vulnerabilities == []
    assert [n.reason for n in unknown.not_looked_up] == [
        "the Debian release of the image is unknown"
    ]


def test_debian_ranges(tmp_path: Path) -> None:
    need("Debian")
    db = db_with(
        tmp_path,
        record(
            "DSA-r",
            ecosystem="Debian:12",
            name="openssl",
            events=[{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}],
        ),
    )
    with db:
        old = match_packages(
            db, [deb("libssl3", "3.0.11-1~deb12u1", "openssl")], Distro("debian", "12")
        )
        new = match_packages(
            db, [deb("libssl3", "3.0.11-1~deb12u2", "openssl")], Distro("debian", "12")
        )
    assert [(v.id, v.fixed) for v in old.vulnerabilities] == [("DSA-r", ("3.0.11-1~deb12u2",))]
    assert new.vulnerabilities == []


def test_upstream_ids_are_carried(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record(
            "UBUNTU-CVE-2025-6491",
            ecosystem="Ubuntu:24.04:LTS",
            name="php8.3",
            versions=["8.3.6-0ubuntu0.24.04.4"],
            upstream=["CVE-2025-6491"],
        ),
    )
    pkg = deb("php8.3-cli", "8.3.6-0ubuntu0.24.04.4", "php8.3", "Ubuntu")
    with db:
        (vuln,) = match_packages(db, [pkg], Distro("ubuntu", "24.04")).vulnerabilities
    assert (vuln.id, vuln.aliases, vuln.upstream) == (
        "UBUNTU-CVE-2025-6491",
        (),
        ("CVE-2025-6491",),
    )


def test_ubuntu_lts_and_alpine_branch(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record("USN-1", ecosystem="Ubuntu:22.04:LTS", name="curl", versions=["7.81.0-1ubuntu1.13"]),
        record("ALPINE-1", ecosystem="Alpine:v3.19", name="openssl", versions=["3.1.4-r0"]),
    )
    with db:
        ubuntu = match_packages(
            db, [deb("libcurl4", "7.81.0-1ubuntu1.13", "curl", "Ubuntu")], Distro("ubuntu", "22.04")
        )
        alpine = match_packages(
            db,
            [
                Package(
                    "libcrypto3",
                    "3.1.4-r0",
                    "Alpine",
                    "pkg:apk/alpine/libcrypto3",
                    source_name="openssl",
                )
            ],
            Distro("alpine", "3.19.1"),
        )
    assert [(v.id, v.ecosystem) for v in ubuntu.vulnerabilities] == [("USN-1", "Ubuntu:22.04:LTS")]
    assert [(v.id, v.ecosystem) for v in alpine.vulnerabilities] == [("ALPINE-1", "Alpine:v3.19")]


def test_release_ecosystems() -> None:
    assert release_ecosystems("PyPI", None) == ("PyPI",)
    assert release_ecosystems("Debian", Distro("debian", "12")) == ("Debian:12",)
    assert release_ecosystems("Debian", Distro("debian", "12.5")) == ("Debian:12",)
    assert release_ecosystems("Debian", None) == ()
    assert release_ecosystems("Ubuntu", Distro("ubuntu", "24.04")) == (
        "Ubuntu:24.04",
        "Ubuntu:24.04:LTS",
    )
    assert release_ecosystems("Alpine", Distro("alpine", "3.19.1")) == ("Alpine:v3.19",)
    assert release_ecosystems("Alpine", Distro("alpine", "3")) == ()
    assert release_ecosystems("Rocky Linux", Distro("rocky", "9.3")) == ("Rocky Linux:9",)
    assert release_ecosystems("AlmaLinux", Distro("almalinux", "8.9")) == ("AlmaLinux:8",)
    assert release_ecosystems("Debian:11", Distro("debian", "12")) == ("Debian:11",)


# -- language ecosystems --------------------------------------------------------------------


def test_go_module_and_stdlib_versions_lists(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record("GO-1", ecosystem="Go", name="stdlib", versions=["1.21.3"]),
        record("GO-2", ecosystem="Go", name="golang.org/x/net", versions=["0.17.0"]),
    )
    pkgs = [
        Package("stdlib", "go1.21.3", "Go", "pkg:golang/stdlib@go1.21.3"),
        Package("golang.org/x/net", "v0.17.0", "Go", "pkg:golang/golang.org/x/net@v0.17.0"),
    ]
    with db:
        report = match_packages(db, pkgs)
    assert [(v.id, v.installed) for v in report.vulnerabilities] == [
        ("GO-1", "go1.21.3"),
        ("GO-2", "v0.17.0"),
    ]


def test_go_semver_ranges(tmp_path: Path) -> None:
    need("Go")
    db = db_with(
        tmp_path,
        record(
            "GO-r",
            ecosystem="Go",
            name="golang.org/x/net",
            range_type="SEMVER",
            events=[{"introduced": "0"}, {"fixed": "0.17.0"}],
        ),
    )
    with db:
        old = match_packages(db, [Package("golang.org/x/net", "v0.16.0", "Go", "")])
        new = match_packages(db, [Package("golang.org/x/net", "v0.17.0", "Go", "")])
    assert [(v.id, v.fixed) for v in old.vulnerabilities] == [("GO-r", ("0.17.0",))]
    assert new.vulnerabilities == []


def npm(version: str) -> Package:
    return Package("@scope/pkg", version, "npm", f"pkg:npm/%40scope/pkg@{version}")


def test_npm_semver_ranges(tmp_path: Path) -> None:
    need("npm")
    db = db_with(
        tmp_path,
        record(
            "GHSA-n",
            ecosystem="npm",
            name="@scope/pkg",
            range_type="SEMVER",
            events=[{"introduced": "1.0.0"}, {"fixed": "1.2.0"}],
        ),
    )
    with db:
        assert ids(db, npm("1.1.9")) == ["GHSA-n"]
        assert ids(db, npm("1.2.0-rc.1")) == ["GHSA-n"]
        assert ids(db, npm("1.2.0")) == []


def test_maven_group_artifact(tmp_path: Path) -> None:
    db = db_with(
        tmp_path,
        record(
            "GHSA-l4j",
            ecosystem="Maven",
            name="org.apache.logging.log4j:log4j-core",
            versions=["2.14.1"],
        ),
    )
    from_purl = Package(
        "log4j-core", "2.14.1", "Maven", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    )
    named = Package("org.apache.logging.log4j:log4j-core", "2.14.1", "Maven", "")
    assert lookup_key(from_purl)[1] == "org.apache.logging.log4j:log4j-core"
    with db:
        report = match_packages(db, [from_purl, named])
    assert [v.id for v in report.vulnerabilities] == ["GHSA-l4j", "GHSA-l4j"]


def test_maven_ranges(tmp_path: Path) -> None:
    need("Maven")
    db = db_with(
        tmp_path,
        record(
            "GHSA-l4j",
            ecosystem="Maven",
            name="org.apache.logging.log4j:log4j-core",
            events=[{"introduced": "2.0-beta9"}, {"fixed": "2.15.0"}],
        ),
    )
    name = "org.apache.logging.log4j:log4j-core"
    with db:
        assert ids(db, Package(name, "2.14.1", "Maven", "")) == ["GHSA-l4j"]
        assert ids(db, Package(name, "2.15.0", "Maven", "")) == []


def test_binnmu_is_compared_by_its_source_version(tmp_path: Path) -> None:
    db = db_with(
        tmp_path, record("DSA-b", ecosystem="Debian:12", name="zlib", versions=["1:1.2.13.dfsg-1"])
    )
    pkg = Package(
        "zlib1g",
        "1:1.2.13.dfsg-1+b1",
        "Debian",
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1+b1",
        source_name="zlib",
        source_version="1:1.2.13.dfsg-1",
    )
    with db:
        (vuln,) = match_packages(db, [pkg], Distro("debian", "12")).vulnerabilities
    assert (vuln.id, vuln.installed, vuln.package.name) == ("DSA-b", "1:1.2.13.dfsg-1+b1", "zlib1g")


def test_without_the_cvss_library_the_database_rating_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "cvss", None)  # import cvss raises ImportError
    vector = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    db = db_with(
        tmp_path,
        record("GHSA-1", versions=["1.0"], severity=vector, database_specific={"severity": "LOW"}),
        record("GHSA-2", name="two", versions=["1.0"], severity=vector),
    )
    with db:
        report = match_packages(db, [pypi("demo", "1.0"), pypi("two", "1.0")])
    assert [(v.id, v.severity, v.score) for v in report.vulnerabilities] == [
        ("GHSA-1", Severity.LOW, None),
        ("GHSA-2", None, None),
    ]
