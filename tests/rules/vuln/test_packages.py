"""V001 on real advisories: the PyPA database's records for Jinja2 and PyYAML imported into a
fresh index, matched against packages as the catalogers report them."""

from __future__ import annotations

import pytest

from hardhull.context import SubjectContext
from hardhull.engine.run import run_checks
from hardhull.model import Violation
from hardhull.models.packages import Package
from hardhull.registry import Target
from hardhull.rules import all_rules, checks
from hardhull.vulndb.match import MatchReport, match_packages
from hardhull.vulndb.store import VulnDB
from tests.conftest import ROOT

PYPA = ROOT.parent / "shared" / "advisories" / "pypa" / "vulns"


def pkg(name: str, version: str, layer: str | None = None) -> Package:
    return Package(
        name,
        version,
        "PyPI",
        f"pkg:pypi/{name.lower()}@{version}",
        path=f"usr/local/lib/python3.11/site-packages/{name}-{version}.dist-info/METADATA",
        layer=layer,
    )


def rows(report: MatchReport) -> list[tuple[str, str, str, str]]:
    found, errors = run_checks(checks(Target.PACKAGES), report, SubjectContext(report))
    assert errors == []
    rules = all_rules()
    out = []
    for v in found:
        assert isinstance(v, Violation)
        sev = v.severity if v.severity is not None else rules[v.code].severity
        out.append((v.code, v.pointer, v.message, sev.label))
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> VulnDB:
    if not PYPA.is_dir():
        pytest.skip("../shared/advisories/pypa is missing (CI has it beside the checkout)")
    path = tmp_path_factory.mktemp("db") / "v.sqlite"
    database = VulnDB.open(str(path), create=True)
    database.import_paths([str(PYPA / "jinja2"), str(PYPA / "pyyaml")])
    return database


def test_old_jinja2_and_pyyaml_have_their_real_advisories(db: VulnDB) -> None:
    report = match_packages(db, [pkg("Jinja2", "2.10", "sha256:" + "b" * 64), pkg("PyYAML", "5.3")])
    got = rows(report)
    ids = sorted(r[1].rsplit("/", 1)[1] for r in got)
    # PYSEC-2019-220 (fixed in Jinja2 2.8.1) and PYSEC-2020-176 (PyYAML 5.1 to 5.2b1) do not
    # affect these versions
    assert ids == ["PYSEC-2019-217", "PYSEC-2020-96", "PYSEC-2021-142", "PYSEC-2021-66"]
    first = next(r for r in got if r[1].endswith("PYSEC-2019-217"))
    assert first[1] == "/packages/pkg:pypi~1jinja2@2.10/vulnerabilities/PYSEC-2019-217"
    assert first[2].startswith(
        "Jinja2 2.10 (PyPI) is affected by PYSEC-2019-217 (CVE-2019-10906, GHSA-462w-v97r-4m45): "
        "fixed in 2.10.1; the advisory gives no severity"
    )
    assert first[3] == "medium"
    assert (
        "[/usr/local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA, "
        "layer sha256:bbbbbbbbbbbb]" in first[2]
    )


def test_fixed_versions_have_none(db: VulnDB) -> None:
    assert rows(match_packages(db, [pkg("Jinja2", "3.1.6"), pkg("PyYAML", "6.0.2")])) == []
