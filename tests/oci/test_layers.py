"""Untrusted layers: every hostile case is an ImageError naming the layer digest; the whiteout
index; nothing is ever written to disk."""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.oci.index import FileIndex
from hardhull.oci.layers import DEFAULT_LIMITS, Limits, iter_members
from hardhull.oci.model import ImageError, LayerRef, MemberKind
from tests.oci.builder import Spec, compress, layer
from tests.oci.conftest import layered

REF = LayerRef("sha256:feed", "", "", -1)


def members(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, MemberKind, bytes]]:
    return [(m.path, m.kind, r.read()) for m, r in iter_members(io.BytesIO(data), REF, limits)]


@pytest.mark.parametrize("how", ["gzip", "zstd", "tar"])
def test_compressions_by_magic(how: str) -> None:
    tar = layer([Spec("/abs/x", data=b"hi"), Spec("./a/../b", data=b"b"), Spec("dev/zero", "char")])
    assert members(compress(tar, how)) == [
        ("abs/x", MemberKind.FILE, b"hi"),
        ("b", MemberKind.FILE, b"b"),
        ("dev/zero", MemberKind.CHAR, b""),
    ]


def test_long_names_pax_and_gnu() -> None:
    name = "d/" + "x" * 300
    for fmt in (tarfile.PAX_FORMAT, tarfile.GNU_FORMAT):
        got = members(
            layer([Spec(name, data=b"1"), Spec("l", "symlink", linkname="/" + name)], fmt=fmt)
        )
        assert got[0][0] == name and got[1] == ("l", MemberKind.SYMLINK, b"")


def _err(data: bytes, match: str, limits: Limits = DEFAULT_LIMITS) -> None:
    with pytest.raises(ImageError, match=match) as exc:
        members(data, limits)
    assert "sha256:feed" in str(exc.value)


def test_traps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _err(layer([Spec("../../evil", data=b"x")]), r"'\.\./\.\./evil' escapes the image root")
    _err(layer([Spec("a", "hardlink", linkname="../../etc/passwd")]), "escapes the image root")
    _err(layer([Spec("a", "hardlink", linkname="etc/shadow")]), "not in this layer or below")
    # symlinks out are recorded, never followed
    assert (
        members(layer([Spec("s", "symlink", linkname="../../../etc/shadow")]))[0][1]
        is MemberKind.SYMLINK
    )
    zeros = compress(layer([Spec("z", data=bytes(8 << 20))]), "gzip")
    _err(zeros, "decompression bomb", Limits(ratio_after=1 << 20, max_ratio=100))
    _err(zeros, "declares 8388608 bytes", Limits(max_layer_bytes=1 << 20))
    many = layer([Spec(f"f{i}") for i in range(50)])
    _err(many, "more than 10 tar entries", Limits(max_members=10))
    _err(layer([Spec("x" * 300)]), "longer than 200", Limits(max_name=200))
    _err(layer([Spec("x" * 3000)]), "extended header of", Limits(max_meta=1024))
    full = layer([Spec("f", data=os.urandom(5000))])
    _err(full[:3000], "truncated")
    _err(full[:700], "truncated")
    _err(compress(full, "gzip")[:2600], "truncated")
    _err(compress(full, "zstd")[:2000], "truncated")
    _err(b"\xfd7zXZ\x00" + bytes(600), "xz-compressed layers are not supported")
    _err(b"not a tar at all" * 64, "not a tar archive or corrupt")
    assert os.listdir(tmp_path) == []


def test_read_cap_and_pieces() -> None:
    data = layer([Spec("big", data=b"y" * 5000), Spec("next", data=b"n")])
    it = iter_members(io.BytesIO(data), REF, Limits(max_read=1000))
    m, r = next(it)
    with pytest.raises(ImageError, match="read cap"):
        r.read()
    assert r.read(10) == b"y" * 10  # pieces still work; the rest is skipped
    m, r = next(it)
    assert (m.path, r.read()) == ("next", b"n")


def test_whiteouts_and_shadowed() -> None:
    built = layered()
    index = FileIndex()
    for i, tar in enumerate(built.tars):
        index.apply(i, [m for m, _ in iter_members(io.BytesIO(tar), REF)])
    assert "etc/secret.env" not in index
    assert not any(p.startswith("opt/app/sub") for p in index)
    assert index.get("opt/app/c.txt").layer == 2  # type: ignore[union-attr]
    assert "usr/bin/env" not in index and "usr/bin/su" not in index  # opaque usr/bin
    assert index.get("usr/bin/tool").mode == 0o755  # type: ignore[union-attr]
    assert index.get("usr/bin").layer == 0  # type: ignore[union-attr]
    assert index.get("etc/passwd").layer == 2  # type: ignore[union-attr]
    assert index.get("tmp").mode == 0o1777  # type: ignore[union-attr]
    shadow = {(s.path, s.by, s.deleted) for s in index.shadowed(0)}
    assert ("etc/secret.env", 1, True) in shadow
    assert ("opt/app/sub/b.txt", 1, True) in shadow
    assert ("usr/bin/su", 1, True) in shadow
    assert ("etc/passwd", 2, False) in shadow
    assert index.shadowed(2) == []


_SEED = compress(layered().tars[0], "tar")[:40000]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(_SEED) - 1), st.integers(0, 255)), max_size=8),
    st.sampled_from(["tar", "gzip"]),
    st.integers(0, len(_SEED)),
)
def test_fuzz_only_image_errors(edits: list[tuple[int, int]], how: str, cut: int) -> None:
    data = bytearray(_SEED)
    for pos, val in edits:
        data[pos] = val
    blob = compress(bytes(data[:cut]), how) if how == "gzip" else bytes(data[:cut])
    with contextlib.suppress(ImageError):
        members(blob, Limits(max_read=1 << 20))
