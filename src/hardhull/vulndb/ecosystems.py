"""OSV ecosystem names: package-name normalisation (the key of the index) and the ecosystem
strings under which a distribution's advisories are filed (``Debian:12``, ``Ubuntu:22.04:LTS``,
``Alpine:v3.19``).

Public names: :func:`canonical_ecosystem`, :func:`normalise_name`, :func:`release_ecosystems`.
"""

from __future__ import annotations

import re

from hardhull.models.packages import Distro

#: OSV's spelling of the ecosystems hardhull knows, keyed by their lower-case form
_CANONICAL = {
    e.lower(): e
    for e in (
        "AlmaLinux",
        "Alpine",
        "Debian",
        "Go",
        "Maven",
        "npm",
        "NuGet",
        "Packagist",
        "PyPI",
        "Red Hat",
        "Rocky Linux",
        "RubyGems",
        "SUSE",
        "Ubuntu",
        "crates.io",
    )
}

#: ecosystems whose advisories are filed per release (the release comes from the image's Distro)
DISTRO_ECOSYSTEMS = frozenset({"Debian", "Ubuntu", "Alpine", "Rocky Linux", "AlmaLinux"})

#: Debian code names, for images whose os-release carries no VERSION_ID number
_DEBIAN_CODENAMES = {
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
}

_PEP503 = re.compile(r"[-_.]+")


def canonical_ecosystem(ecosystem: str) -> str:
    """OSV's spelling of an ecosystem name, release suffix kept: ``pypi`` → ``PyPI``,
    ``debian:12`` → ``Debian:12``; unknown names are returned stripped and unchanged."""
    base, sep, release = ecosystem.strip().partition(":")
    return _CANONICAL.get(base.lower(), base) + sep + release


def base_ecosystem(ecosystem: str) -> str:
    """``Debian:12`` → ``Debian``."""
    return ecosystem.split(":", 1)[0]


def normalise_name(ecosystem: str, name: str) -> str:
    """The package name as the index keys it: PEP 503 for PyPI (``PyYAML`` → ``pyyaml``,
    ``zope.interface`` → ``zope-interface``), Maven ``group:artifact`` as written, the name
    stripped of surrounding space elsewhere (npm, Go, distribution packages are case-sensitive
    or lower-case already)."""
    base = base_ecosystem(canonical_ecosystem(ecosystem))
    name = name.strip()
    if base == "PyPI":
        return _PEP503.sub("-", name).lower()
    return name


def _major_minor(version_id: str) -> tuple[str, str] | None:
    m = re.match(r"(\d+)(?:\.(\d+))?", version_id.strip())
    if m is None:
        return None
    return m.group(1), m.group(2) or ""


def release_ecosystems(ecosystem: str, distro: Distro | None) -> tuple[str, ...]:
    """The OSV ecosystem strings to look a package of ``ecosystem`` up under.

    Language ecosystems: the ecosystem itself. Distributions: the release-qualified names
    OSV files their advisories under, from the image's :class:`Distro` (empty when the release
    is unknown): ``Debian:12`` (VERSION_ID, or the code name), ``Ubuntu:22.04`` and
    ``Ubuntu:22.04:LTS``, ``Alpine:v3.19`` (from VERSION_ID 3.19.x), ``Rocky Linux:9``,
    ``AlmaLinux:9``. An ecosystem already carrying a release (``Debian:12``) is kept as it is.
    """
    eco = canonical_ecosystem(ecosystem)
    if ":" in eco or eco not in DISTRO_ECOSYSTEMS:
        return (eco,)
    if distro is None:
        return ()
    version_id = distro.version_id.strip()
    if eco == "Debian":
        release = _major_minor(version_id)
        if release is not None:
            return (f"Debian:{release[0]}",)
        code = _DEBIAN_CODENAMES.get(distro.codename.strip().lower())
        return (f"Debian:{code}",) if code else ()
    release = _major_minor(version_id)
    if release is None:
        return ()
    major, minor = release
    if eco == "Ubuntu":
        if not minor:
            return ()
        v = f"{major}.{minor.zfill(2)}"
        return (f"Ubuntu:{v}", f"Ubuntu:{v}:LTS")
    if eco == "Alpine":
        return (f"Alpine:v{major}.{minor}",) if minor else ()
    return (f"{eco}:{major}",)
