"""A package affected by a known vulnerability (V001)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.vuln import OSV, vuln_rule
from hardhull.vulndb.match import MatchReport, Vulnerability

VULNERABLE_PACKAGE = vuln_rule(
    "V001",
    "vulnerable-package",
    "Package with a known vulnerability",
    Severity.MEDIUM,
    what="An installed package (an OS package by its source package and release, or a "
    "language package: PyPI, npm, Go, Maven) is in the affected versions of an advisory of the "
    "imported database (`hardhull db import`). The finding names the advisory and its "
    "aliases (CVE, GHSA), the installed and fixed versions and the layer that brought the "
    "package in. Its severity is the advisory's: from its CVSS vector when it has one, else "
    "the database's own rating; medium when the advisory rates nothing (the message says so).",
    why="A known vulnerability has a published description and often a public exploit: it is "
    "what attackers scan for first. Images keep the versions they were built with until "
    "they are rebuilt.",
    fix="Upgrade the package to a fixed version (or rebuild on a base image that has it), then "
    "rebuild the image. Where no fix exists, judge whether the vulnerable code is reachable "
    "and record the decision as an ignore with a reason and an expiry date in "
    "`.hardhull.yaml`; `--ignore-unfixed` leaves out advisories without a fix.",
    example="""
RUN pip install --no-cache-dir 'jinja2>=3.1.6' 'pyyaml>=6.0.2'
""",
    refs=(OSV, "https://osv.dev/"),
)


def _message(v: Vulnerability) -> str:
    pkg = v.package
    aliases = [a for a in v.aliases if a != v.id]
    also = f" ({', '.join(aliases[:4])}{', …' if len(aliases) > 4 else ''})" if aliases else ""
    fixed = f"fixed in {', '.join(v.fixed)}" if v.fixed else "no fixed version"
    rating = ""
    if v.severity is None:
        rating = "; the advisory gives no severity"
    elif v.score is not None:
        rating = f"; CVSS {v.score:.1f}"
    where = [f"/{pkg.path}"] if pkg.path else []
    if pkg.layer:
        where.append(f"layer {pkg.layer[:19]}")
    summary = " ".join(v.summary.split())
    if len(summary) > 120:
        summary = summary[:117] + "…"
    text = (
        f"{pkg.name} {v.installed} ({v.ecosystem}) is affected by {v.id}{also}: {fixed}{rating}"
        + (f" [{', '.join(where)}]" if where else "")
    )
    return f"{text}: {summary}" if summary else text


# V001
@check(VULNERABLE_PACKAGE, on=Target.PACKAGES)
def vulnerable_package(report: MatchReport) -> Iterator[Violation]:
    for v in report.vulnerabilities:
        purl = v.package.purl or f"{v.ecosystem}/{v.package.name}@{v.installed}"
        yield Violation(
            "V001",
            f"/packages/{escape(purl)}/vulnerabilities/{escape(v.id)}",
            _message(v),
            None,
            v.severity,
        )
