"""apk: the ``lib/apk/db/installed`` of Alpine's 3.14.0 minirootfs (data/SOURCES.md)."""

from __future__ import annotations

import pytest

from hardhull import sbom
from hardhull.sbom import apk

from .conftest import DATA, by_name

INSTALLED = (DATA / "alpine-3.14/installed").read_bytes()
OS_RELEASE = (DATA / "alpine-3.14/os-release").read_bytes()


def test_minirootfs_packages() -> None:
    r = sbom.catalog_file("lib/apk/db/installed", INSTALLED)
    distro = sbom.detect_distro({"etc/os-release": OS_RELEASE})
    assert distro == sbom.detect_distro({"/etc/os-release": OS_RELEASE})
    assert distro is not None and (distro.id, distro.version_id) == ("alpine", "3.14.0")
    packages = by_name(sbom.assemble({"lib/apk/db/installed": r}, distro, {}))
    # the 14 packages of the minirootfs, as `apk info` lists them
    assert sorted(packages) == sorted(
        [
            "musl",
            "busybox",
            "alpine-baselayout",
            "alpine-keys",
            "libcrypto1.1",
            "libssl1.1",
            "ca-certificates-bundle",
            "libretls",
            "ssl_client",
            "zlib",
            "apk-tools",
            "scanelf",
            "musl-utils",
            "libc-utils",
        ]
    )
    ssl = packages["libssl1.1"]
    assert (ssl.version, ssl.arch, ssl.source_name, ssl.ecosystem) == (
        "1.1.1k-r0",
        "armv7",
        "openssl",
        "Alpine",
    )
    assert ssl.purl == (
        "pkg:apk/alpine/libssl1.1@1.1.1k-r0?arch=armv7&distro=alpine-3.14.0&upstream=openssl"
    )
    assert ssl.files == ("lib/libssl.so.1.1", "usr/lib/libssl.so.1.1")
    assert packages["busybox"].licenses == ("GPL-2.0-only",)
    assert "bin/busybox" in packages["busybox"].files


def test_alpine_release_fallback() -> None:
    d = sbom.detect_distro({"etc/alpine-release": b"3.19.1\n"})
    assert d is not None and (d.id, d.version_id) == ("alpine", "3.19.1")


def test_garbage_is_a_catalog_error_naming_the_line_not_its_text() -> None:
    with pytest.raises(sbom.CatalogError, match="line 2") as e:
        apk.parse_installed(b"P:x\npassword=hunter2\n", "lib/apk/db/installed")
    assert "hunter2" not in str(e.value)
    r = sbom.catalog_file("lib/apk/db/installed", b"P:x\npassword=hunter2\n")
    assert r.errors == ("lib/apk/db/installed: line 2: not a 'X:value' line of an apk database",)
