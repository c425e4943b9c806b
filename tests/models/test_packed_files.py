"""``PackedFiles``, the final filesystem as the image checks read it: the same mapping as the
index's entries, and ``select_files``/``search_paths`` give what a plain loop over every
file gives (hypothesis draws the files)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from hardhull.models.image_facts import (
    KINDS,
    FileInfo,
    PackedFiles,
    pack,
    search_paths,
    select_files,
)
from hardhull.oci.index import FileIndex
from hardhull.oci.model import Member, MemberKind
from hardhull.rules.image.files import _CREDENTIAL_PATHS, _CREDENTIAL_TAILS

_names = st.text(alphabet="abc.-_/\n", min_size=1, max_size=12)
_infos = st.builds(
    lambda path, kind, mode, uid, gid, size, layer: FileInfo(
        path, kind, mode, uid, gid, size, layer, "t" if kind in ("symlink", "hardlink") else ""
    ),
    _names,
    st.sampled_from(KINDS),
    st.integers(0, 0o7777),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**45),
    st.integers(0, 0xFFFF),
)


def _packed(infos: list[FileInfo]) -> tuple[PackedFiles, dict[str, FileInfo]]:
    plain = {f.path: f for f in infos}
    packed = {p: pack(f.kind, f.mode, f.uid, f.gid, f.size, f.layer) for p, f in plain.items()}
    links = {p: f.linkname for p, f in plain.items() if f.linkname}
    return PackedFiles(packed, links), plain


@given(st.lists(_infos, max_size=30))
def test_packed_files_is_the_plain_mapping(infos: list[FileInfo]) -> None:
    files, plain = _packed(infos)
    assert dict(files.items()) == plain
    assert len(files) == len(plain) and list(files) == list(plain)
    assert all(p in files for p in plain) and "missing/path" not in files


@given(
    st.lists(_infos, max_size=30),
    st.none() | st.sets(st.sampled_from(KINDS), min_size=1),
    st.sampled_from([0, 0o6000, 0o4000, 0o002, 0o1000]),
)
def test_select_is_the_plain_filter(
    infos: list[FileInfo], kinds: set[str] | None, mode_any: int
) -> None:
    files, plain = _packed(infos)
    assert list(select_files(files, kinds, mode_any)) == list(select_files(plain, kinds, mode_any))
    expected = [
        (p, f)
        for p, f in plain.items()
        if (kinds is None or f.kind in kinds) and (not mode_any or f.mode & mode_any)
    ]
    assert list(select_files(files, kinds, mode_any)) == expected


def test_the_index_hands_over_its_entries() -> None:
    index = FileIndex()
    index.apply(
        0,
        [
            Member("usr/bin/su", MemberKind.FILE, 0o4755, 0, 0, 10),
            Member("bin", MemberKind.SYMLINK, 0o777, 0, 0, 0, "usr/bin"),
            Member("tmp", MemberKind.DIR, 0o1777, 0, 0, 0),
        ],
    )
    files = index.files()
    assert dict(files.items()) == {
        p: FileInfo(p, e.kind.value, e.mode, e.uid, e.gid, e.size, e.layer, e.linkname)
        for p, e in index.items()
    }
    assert files["bin"].linkname == "usr/bin" and files["usr/bin/su"].mode == 0o4755


@given(st.from_regex(_CREDENTIAL_PATHS))
def test_every_credential_path_ends_with_a_listed_tail(path: str) -> None:
    # the tails narrow I007's search; a path the pattern matches must never be left out
    assert path.endswith(_CREDENTIAL_TAILS)


@given(st.lists(st.sampled_from([
    "root/.ssh/id_rsa", "home/a/.ssh/id_ed25519_sk", "etc/ssh/ssh_host_rsa_key",
    "root/.aws/credentials", "root/.kube/config", "root/.netrc", "root/.netrc\n",
    "a/.config/gcloud/legacy_credentials/x/adc.json", "usr/share/doc/config", "x.pgpass",
    "root/.ssh/id_rsa.pub", "etc/ssh/ssh_host_rsa_key.pub", "opt/.git-credentials",
]), unique=True))  # fmt: skip
def test_search_paths_is_the_plain_search(paths: list[str]) -> None:
    files, _ = _packed([FileInfo(p, "file", 0o600, 0, 0, 1, 0) for p in paths])
    expected = [p for p in paths if _CREDENTIAL_PATHS.search(p)]
    assert search_paths(files, _CREDENTIAL_PATHS, _CREDENTIAL_TAILS) == expected
    assert search_paths(files, _CREDENTIAL_PATHS) == expected
    assert "root/.netrc\n" not in expected  # \Z: a name with a newline is another file


def test_search_paths_without_tails_any_pattern() -> None:
    files, _ = _packed([FileInfo(p, "file", 0, 0, 0, 1, 0) for p in ("a/b", "c/d", "ab")])
    assert search_paths(files, re.compile(r"b$")) == ["a/b", "ab"]
