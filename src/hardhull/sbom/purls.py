"""Package URLs (https://github.com/package-url/purl-spec) built with packageurl-python."""

from __future__ import annotations

from packageurl import PackageURL

from hardhull.models.packages import Distro


def purl(
    type_: str,
    name: str,
    version: str | None,
    namespace: str | None = None,
    qualifiers: dict[str, str] | None = None,
) -> str:
    q = {k: v for k, v in (qualifiers or {}).items() if v}
    return str(
        PackageURL(
            type=type_, namespace=namespace, name=name, version=version or None, qualifiers=q
        ).to_string()
    )


def distro_qualifier(distro: Distro | None) -> str:
    """``debian-12``, ``alpine-3.19.1``: the ``distro`` qualifier of OS package purls."""
    if distro is None:
        return ""
    return f"{distro.id}-{distro.version_id}" if distro.version_id else distro.id


#: os-release ID → the purl namespace of rpm packages (purl-spec's examples: fedora, centos,
#: opensuse; Red Hat is "redhat")
RPM_NAMESPACES = {"rhel": "redhat"}

#: os-release ID → OSV ecosystem (without the release suffix)
OS_ECOSYSTEMS = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "alpine": "Alpine",
    "wolfi": "Wolfi",
    "chainguard": "Chainguard",
    "rhel": "Red Hat",
    "rocky": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "opensuse-leap": "openSUSE",
    "opensuse-tumbleweed": "openSUSE",
    "opensuse": "openSUSE",
    "sles": "SUSE",
    "mageia": "Mageia",
    "photon": "Photon OS",
    "azurelinux": "Azure Linux",
    "mariner": "Azure Linux",
}

#: purl type → the ecosystem an OS package gets when the distro is unknown
DEFAULT_OS_ECOSYSTEM = {"deb": "Debian", "apk": "Alpine", "rpm": "Red Hat"}
