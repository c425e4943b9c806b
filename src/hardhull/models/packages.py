"""Packages found in an image or an SBOM: what the SBOM catalogers (:mod:`hardhull.sbom`)
produce and the vulnerability matcher (:mod:`hardhull.vulndb`) reads.

Ecosystem names are OSV's (https://ossf.github.io/osv-schema/#affectedpackage-field) without
the release suffix: ``Debian``, ``Ubuntu``, ``Alpine``, ``Red Hat``, ``Rocky Linux``,
``AlmaLinux``, ``PyPI``, ``npm``, ``Go``, ``Maven``; the release comes from :class:`Distro`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Distro:
    """The operating system of an image, from ``/etc/os-release`` (or ``/etc/alpine-release``,
    ``/etc/debian_version``)."""

    #: os-release ``ID``: "debian", "ubuntu", "alpine", "rhel", "rocky", "almalinux", ...
    id: str
    #: os-release ``VERSION_ID``: "12", "22.04", "3.19.1"; "" when unknown (Debian sid)
    version_id: str = ""
    #: os-release ``VERSION_CODENAME``: "bookworm", "jammy"
    codename: str = ""
    pretty_name: str = ""


@dataclass(frozen=True)
class Package:
    """One installed package."""

    name: str
    version: str
    #: OSV ecosystem without the release suffix ("Debian", "PyPI", "npm", "Maven", "Go", ...)
    ecosystem: str
    #: package URL (https://github.com/package-url/purl-spec)
    purl: str
    #: the package whose advisories apply: Debian/Ubuntu source package, Alpine origin,
    #: rpm source name; None when it is the package itself
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    licenses: tuple[str, ...] = ()
    #: the file in the image that records the package (dpkg status, METADATA, package.json, jar)
    path: str = ""
    #: digest of the layer that brought the package in (the last layer that wrote ``path``)
    layer: str | None = None
    #: files the package owns (OS packages; image paths without a leading "/")
    files: tuple[str, ...] = field(default=(), repr=False)
