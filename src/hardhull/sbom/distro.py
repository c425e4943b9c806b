"""The operating system of an image from ``etc/os-release`` / ``usr/lib/os-release`` (in
Debian and Ubuntu ``etc/os-release`` is a symlink to the latter), else ``etc/alpine-release``
or ``etc/debian_version``."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from hardhull.models.packages import Distro
from hardhull.sbom.paths import norm

OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
ALPINE_RELEASE = "etc/alpine-release"
DEBIAN_VERSION = "etc/debian_version"
FILES = (*OS_RELEASE, ALPINE_RELEASE, DEBIAN_VERSION)


def parse_os_release(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value.strip("\"'")]
        out[key.strip()] = " ".join(words)
    return out


def detect_distro(files: Mapping[str, bytes]) -> Distro | None:
    """The distro from the release files among ``files`` (image paths, with or without a
    leading "/"); None when none of them is there or says nothing."""
    by_path = {norm(k): v for k, v in files.items()}
    for name in OS_RELEASE:
        if name in by_path:
            f = parse_os_release(by_path[name])
            if f.get("ID"):
                return Distro(
                    id=f["ID"].lower(),
                    version_id=f.get("VERSION_ID", ""),
                    codename=f.get("VERSION_CODENAME", ""),
                    pretty_name=f.get("PRETTY_NAME", ""),
                )
    if ALPINE_RELEASE in by_path:
        v = by_path[ALPINE_RELEASE].decode("utf-8", errors="replace").strip()
        return Distro(id="alpine", version_id=v, pretty_name=f"Alpine Linux v{v}" if v else "")
    if DEBIAN_VERSION in by_path:
        v = by_path[DEBIAN_VERSION].decode("utf-8", errors="replace").strip()
        major = v.split(".")[0]
        return Distro(id="debian", version_id=major if major.isdigit() else "", codename="")
    return None
