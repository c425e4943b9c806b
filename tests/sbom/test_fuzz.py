"""Arbitrary bytes into every parser: a CatalogError or a result, never another exception."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull import sbom
from hardhull.sbom import apk, dpkg, gobin, java, npm, python, rpm

from .conftest import DATA

PARSERS = [
    dpkg.parse_status,
    apk.parse_installed,
    rpm.parse_sqlite,
    rpm.parse_ndb,
    rpm.parse_bdb,
    python.parse_metadata,
    npm.parse_package_json,
    java.parse_archive,
    gobin.parse_go_binary,
]


@pytest.mark.parametrize("parse", PARSERS, ids=lambda f: f"{f.__module__}.{f.__name__}")
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2048))
def test_parsers_raise_only_catalog_error(parse: object, data: bytes) -> None:
    with contextlib.suppress(sbom.CatalogError):
        parse(data, "x")  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.integers(0, 2**31 - 1), st.integers(0, 9), st.integers(0, 300), st.integers(0, 300)
        ),
        max_size=12,
    ),
    store=st.binary(max_size=300),
)
def test_rpm_header_blobs(entries: list[tuple[int, int, int, int]], store: bytes) -> None:
    tags = [1000, 1001, 1002, 1003, 1014, 1022, 1027, 1044, 1116, 1117, 1118]
    blob = struct.pack(">II", len(entries), len(store))
    for tag, typ, offset, count in entries:
        blob += struct.pack(">iIiI", tags[tag % len(tags)], typ, offset, count)
    blob += store
    try:
        h = rpm.parse_header(blob)
        rpm.package_from_header(h, "x")
    except sbom.CatalogError:
        pass


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(0, 5000), flip=st.integers(0, 5000), byte=st.integers(0, 255))
def test_mutated_apk_database(cut: int, flip: int, byte: int) -> None:
    data = bytearray((DATA / "alpine-3.14/installed").read_bytes())[: 5000 - cut + 100]
    if flip < len(data):
        data[flip] = byte
    r = sbom.catalog_file("lib/apk/db/installed", bytes(data))
    assert r.packages or r.errors or not data.strip()


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=512),
    path=st.sampled_from(
        [
            "var/lib/dpkg/status",
            "var/lib/dpkg/info/x.list",
            "var/lib/dpkg/status.d/x.md5sums",
            "lib/apk/db/installed",
            "var/lib/rpm/rpmdb.sqlite",
            "var/lib/rpm/Packages.db",
            "var/lib/rpm/Packages",
            "a/b.dist-info/METADATA",
            "a/b.dist-info/RECORD",
            "a/node_modules/b/package.json",
            "a/b.jar",
            "usr/bin/x",
        ]
    ),
)
def test_catalog_file_never_raises(data: bytes, path: str) -> None:
    r = sbom.catalog_file(path, b"\x7fELF" + data if path == "usr/bin/x" else data)
    assert isinstance(r, sbom.FileResult)
