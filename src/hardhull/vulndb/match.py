"""Matching installed packages against the advisory index with OSV's semantics.

Public API::

    report = match_packages(db, packages, distro)     # MatchReport
    report.vulnerabilities   # list[Vulnerability]: one per (package, advisory), aliases merged
    report.not_compared      # list[NotCompared]: ranges no comparator could evaluate
    report.not_looked_up     # list[NotLookedUp]: OS packages whose release is unknown

What is matched (https://ossf.github.io/osv-schema/#evaluation):

- a package is looked up by ecosystem and name: PyPI names per PEP 503, npm and Go names as
  written (Go: module path, ``stdlib`` for the standard library; a ``v`` or ``go`` prefix of
  the installed version dropped, as OSV's Go records write versions), Maven ``group:artifact``
  (from the purl when the name has no group). Debian, Ubuntu, Alpine, Rocky Linux and
  AlmaLinux packages by their source package (``Package.source_name``, else the name) and
  source version, under the release of the image's :class:`Distro` (``Debian:12``,
  ``Ubuntu:22.04`` and ``Ubuntu:22.04:LTS``, ``Alpine:v3.19``, ``Rocky Linux:9``);
- an affected entry matches when the installed version is in its ``versions`` list (exact
  text; or equal under the ecosystem's ordering when no range of the entry could be
  evaluated), or inside one of its ranges of type
  ``ECOSYSTEM`` or ``SEMVER``: events ``introduced`` / ``fixed`` / ``last_affected`` sorted by
  version and walked in order, and below a ``limit`` when one is given. ``GIT`` ranges are
  not evaluated; withdrawn records are never returned by the index;
- ranges whose ecosystem :func:`hardhull.vulndb.versions.supported` does not know, or whose
  versions the comparator refuses, are counted in :attr:`MatchReport.not_compared` (the
  ``versions`` list is still matched);
- advisories of one package that are aliases of each other (a PYSEC record and its GHSA,
  a DSA and the CVE record) are merged into one :class:`Vulnerability`: the ID with a CVSS
  score first (else the first in ID order), the others among its aliases, fixed versions
  united.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.model import Severity
from hardhull.models.packages import Distro, Package
from hardhull.vulndb import versions
from hardhull.vulndb.ecosystems import (
    DISTRO_ECOSYSTEMS,
    base_ecosystem,
    canonical_ecosystem,
    release_ecosystems,
)
from hardhull.vulndb.severity import severity_of
from hardhull.vulndb.store import VulnDB

#: the comparator name for SEMVER ranges, when the versions package has one of its own
SEMVER = "SemVer"


@dataclass(frozen=True)
class Vulnerability:
    """One advisory affecting one installed package."""

    id: str
    #: other IDs of the same vulnerability (CVE, GHSA, PYSEC, merged records' IDs)
    aliases: tuple[str, ...]
    summary: str
    #: None when the advisory gives no rating hardhull reads
    severity: Severity | None
    #: CVSS base score and vector, when the rating comes from one
    score: float | None
    vector: str | None
    #: the installed version (``Package.version``)
    installed: str
    #: versions that fix it (above the installed one when comparable); empty: no fix known
    fixed: tuple[str, ...]
    package: Package
    #: the OSV ecosystem it was found under ("PyPI", "Debian:12")
    ecosystem: str
    modified: str = ""
    #: the advisories this one is derived from (OSV ``upstream``: the CVE of a Debian or
    #: Ubuntu record, whose ``aliases`` are often empty); not merged on
    upstream: tuple[str, ...] = ()

    @property
    def layer(self) -> str | None:
        """Digest of the layer that brought the package in."""
        return self.package.layer


@dataclass(frozen=True)
class NotCompared:
    """An advisory naming the package whose ranges could not be evaluated."""

    package: Package
    advisory: str
    reason: str


@dataclass(frozen=True)
class NotLookedUp:
    """A package that was not looked up (its release is unknown)."""

    package: Package
    reason: str


@dataclass
class MatchReport:
    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    not_compared: list[NotCompared] = field(default_factory=list)
    not_looked_up: list[NotLookedUp] = field(default_factory=list)


Compare = Callable[[str, str], int]


class _Uncomparable(Exception):
    """A range that cannot be evaluated here (the message says why)."""


def _comparator(range_type: str, ecosystem: str) -> tuple[str, Compare] | None:
    """The name and function that order the versions of a range, or None."""
    names = (SEMVER, ecosystem) if range_type == "SEMVER" else (ecosystem,)
    for name in names:
        if versions.supported(name):
            return name, functools.partial(versions.compare, name)
    return None


def _sorted_events(events: Sequence[Sequence[str]], cmp: Compare) -> list[tuple[str, str]]:
    order = {"introduced": 0, "fixed": 1, "last_affected": 1}

    def key_cmp(a: tuple[str, str], b: tuple[str, str]) -> int:
        za = a[0] == "introduced" and a[1] == "0"
        zb = b[0] == "introduced" and b[1] == "0"
        if za or zb:
            return (zb - za) if za != zb else 0
        c = cmp(a[1], b[1])
        return c if c else order[a[0]] - order[b[0]]

    pairs = [(str(k), str(v)) for k, v in events if k != "limit"]
    return sorted(pairs, key=functools.cmp_to_key(key_cmp))


def in_range(version: str, events: Sequence[Sequence[str]], cmp: Compare) -> bool:
    """Whether ``version`` is inside one OSV range (ECOSYSTEM or SEMVER), events in any
    order; ``cmp`` orders two versions. Raises the comparator's errors."""
    limits = [v for k, v in events if k == "limit"]
    if limits and "*" not in limits and not any(cmp(version, lim) < 0 for lim in limits):
        return False
    affected = False
    for kind, ev in _sorted_events(events, cmp):
        if kind == "introduced":
            if ev == "0" or cmp(version, ev) >= 0:
                affected = True
        elif kind == "fixed":
            if cmp(version, ev) >= 0:
                affected = False
        elif kind == "last_affected" and cmp(version, ev) > 0:
            affected = False
    return affected


@dataclass
class _Hit:
    record: dict[str, Any]
    ecosystem: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)


def _evaluate(entry: dict[str, Any], version: str) -> tuple[bool, list[str], str | None]:
    """``(affected, fixed versions, why a range was not evaluated)`` for one affected entry."""
    eco = str(entry.get("ecosystem", ""))
    listed = [str(v) for v in entry.get("versions") or ()]
    hit = version in listed
    why: str | None = None
    evaluated = False
    fixed: list[str] = []
    for rng in entry.get("ranges") or ():
        rtype = str(rng.get("type", "")).upper()
        events = [tuple(e) for e in rng.get("events") or () if len(e) == 2]
        fixed += [str(v) for k, v in events if k == "fixed"]
        if hit or rtype not in ("ECOSYSTEM", "SEMVER"):
            continue
        found = _comparator(rtype, eco)
        if found is None:
            why = f"no version comparison for {eco if rtype == 'ECOSYSTEM' else 'SEMVER'} yet"
            continue
        name, cmp = found
        try:
            hit = in_range(version, events, cmp)
            evaluated = True
        except versions.InvalidVersion as exc:
            why = f"not a {name} version here: {exc}"
        except versions.UnsupportedEcosystem:
            why = f"no version comparison for {name} yet"
    # the same version written otherwise (1.0.0 for 1.0), when no range decided: comparing
    # with every listed version is what a long list costs, so only then
    if not hit and not evaluated and listed and versions.supported(eco):
        for v in listed:
            try:
                if versions.compare(eco, version, v) == 0:
                    hit = True
                    break
            except versions.InvalidVersion:
                continue
    if hit:
        why = None
        fixed = _above(fixed, version, eco)
    return hit, fixed, why


def _above(fixed: list[str], version: str, eco: str) -> list[str]:
    """The fixed versions above the installed one (all of them when they cannot be
    compared), without repeats."""
    out = list(dict.fromkeys(fixed))
    if not versions.supported(eco):
        return out
    keep = []
    for v in out:
        try:
            if versions.compare(eco, v, version) > 0:
                keep.append(v)
        except (versions.InvalidVersion, versions.UnsupportedEcosystem):
            keep.append(v)
    return keep


def lookup_key(pkg: Package) -> tuple[str, str, str]:
    """``(ecosystem, name, version)`` a package is looked up and compared by: the source
    package and version for distributions, Go versions without ``v``/``go``, Maven
    ``group:artifact`` from the purl when the name lacks the group."""
    eco = canonical_ecosystem(pkg.ecosystem)
    base = base_ecosystem(eco)
    name, version = pkg.name.strip(), pkg.version.strip()
    if base in DISTRO_ECOSYSTEMS:
        name = (pkg.source_name or name).strip()
        version = (pkg.source_version or version).strip()
    elif base == "Go":
        if name == "stdlib" and version.startswith("go"):
            version = version[2:]
        if version[:1] == "v" and version[1:2].isdigit():
            version = version[1:]
    elif base == "Maven" and ":" not in name and pkg.purl.startswith("pkg:maven/"):
        path = pkg.purl[len("pkg:maven/") :].split("@", 1)[0].split("?", 1)[0]
        group, _, artifact = path.rpartition("/")
        if group and artifact:
            from urllib.parse import unquote  # start-up time: Maven purls only

            name = f"{unquote(group)}:{unquote(artifact)}"
    return eco, name, version


def match_packages(
    db: VulnDB, packages: Iterable[Package], distro: Distro | None = None
) -> MatchReport:
    """Match ``packages`` (from one image, whose OS is ``distro``) against ``db``."""
    report = MatchReport()
    for pkg in packages:
        eco, name, version = lookup_key(pkg)
        ecosystems = release_ecosystems(eco, distro)
        if not ecosystems:
            report.not_looked_up.append(
                NotLookedUp(pkg, f"the {eco} release of the image is unknown")
            )
            continue
        hits: dict[str, _Hit] = {}
        skipped: dict[str, str] = {}
        for release in ecosystems:
            for record in db.lookup(release, name):
                for entry in _entries(record, release, name):
                    hit, fixed, why = _evaluate(entry, version)
                    rid = str(record.get("id"))
                    if hit:
                        h = hits.setdefault(rid, _Hit(record, release))
                        h.entries.append(entry)
                        h.fixed += fixed
                    elif why is not None:
                        skipped.setdefault(rid, why)
        for rid, why in sorted(skipped.items()):
            if rid not in hits:
                report.not_compared.append(NotCompared(pkg, rid, why))
        report.vulnerabilities += _merge(pkg, hits)
    return report


def _entries(record: dict[str, Any], ecosystem: str, name: str) -> list[dict[str, Any]]:
    from hardhull.vulndb.ecosystems import normalise_name  # same module as the index's key

    key = normalise_name(ecosystem, name)
    return [
        e
        for e in record.get("affected") or ()
        if isinstance(e, dict)
        and e.get("ecosystem") == ecosystem
        and normalise_name(ecosystem, str(e.get("name", ""))) == key
    ]


def _merge(pkg: Package, hits: dict[str, _Hit]) -> list[Vulnerability]:
    """One :class:`Vulnerability` per group of advisories that name each other."""
    ids = sorted(hits)
    names = {rid: {rid, *map(str, hits[rid].record.get("aliases") or ())} for rid in ids}
    groups: list[list[str]] = []
    for rid in ids:
        joined = [g for g in groups if any(names[rid] & names[o] for o in g)]
        merged = [rid] + [o for g in joined for o in g]
        groups = [g for g in groups if g not in joined] + [sorted(merged)]
    out = []
    for group in groups:
        ratings = {rid: severity_of(hits[rid].record, hits[rid].entries) for rid in group}
        primary = next((rid for rid in group if ratings[rid].score is not None), group[0])
        rating = ratings[primary]
        if rating.severity is None:
            rating = next((ratings[r] for r in group if ratings[r].severity is not None), rating)
        record = hits[primary].record
        aliases = [a for rid in [primary, *group] for a in sorted(names[rid]) if a != primary]
        fixed = [v for rid in [primary, *group] for v in hits[rid].fixed]
        out.append(
            Vulnerability(
                id=primary,
                aliases=tuple(dict.fromkeys(aliases)),
                summary=str(record.get("summary", "")),
                severity=rating.severity,
                score=rating.score,
                vector=rating.vector,
                installed=pkg.version,
                fixed=tuple(dict.fromkeys(fixed)),
                package=pkg,
                ecosystem=hits[primary].ecosystem,
                modified=str(record.get("modified", "")),
                upstream=tuple(
                    dict.fromkeys(
                        u
                        for rid in [primary, *group]
                        for u in map(str, hits[rid].record.get("upstream") or ())
                        if u != primary and u not in aliases
                    )
                ),
            )
        )
    return sorted(out, key=lambda v: v.id)
