"""Shared images for the oci tests, built from real files of this machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.oci.builder import Built, Spec, image, layer, real

#: small real files present on any Debian-like machine (and on CI's)
REAL_FILES = ["/etc/passwd", "/etc/group", "/usr/bin/env", "/usr/bin/id"]


def base_specs() -> list[Spec]:
    specs = [
        Spec("etc", "dir", mode=0o755),
        Spec("usr", "dir", mode=0o755),
        Spec("usr/bin", "dir", mode=0o755),
        Spec("tmp", "dir", mode=0o1777),
    ]
    specs += [real(p) for p in REAL_FILES if os.path.isfile(p)]
    specs += [
        Spec("usr/bin/su", data=b"\x7fELF fake su", mode=0o4755),
        Spec("etc/secret.env", data=b"AWS_SECRET=xyz\n", mode=0o600),
        Spec("opt/app/a.txt", data=b"a" * 1000),
        Spec("opt/app/sub/b.txt", data=b"b"),
        Spec("bin", "symlink", linkname="usr/bin"),
        Spec("usr/bin/id2", "hardlink", linkname="usr/bin/id"),
        Spec("dev/null", "char", mode=0o666),
    ]
    return specs


def layered(
    compressions: list[str] | None = None, *, arch: str = "amd64", variant: str = ""
) -> Built:
    """Three layers: a base of real files; one that deletes a secret, a directory and empties
    another (opaque); one that adds and overwrites."""
    l1 = layer(base_specs())
    l2 = layer(
        [
            Spec("etc/.wh.secret.env"),
            Spec("opt/.wh.app"),
            Spec("usr/bin/.wh..wh..opq"),
            Spec("usr/bin/tool", data=b"#!/bin/sh\necho new\n", mode=0o755),
        ]
    )
    l3 = layer(
        [
            Spec("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"),
            Spec("opt/app/c.txt", data=b"c"),
        ]
    )
    return image([l1, l2, l3], compressions or ["gzip", "zstd", "tar"], arch=arch, variant=variant)


@pytest.fixture
def built() -> Built:
    return layered()


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path
