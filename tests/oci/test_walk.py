"""``walk``'s replay path (a per-layer cache feeding a layer's members instead of streaming
it) gives the same index as streaming, and a hard link may point at a lower layer's file."""

from __future__ import annotations

from pathlib import Path

from hardhull.oci import open_image
from hardhull.oci.index import FileIndex
from hardhull.oci.layers import iter_members
from hardhull.oci.model import LayerRef, Member
from hardhull.oci.walk import walk
from tests.oci.builder import Spec, image, layer, write_oci
from tests.oci.conftest import layered


def _entries(index: FileIndex) -> dict[str, tuple[object, ...]]:
    return {p: tuple(e) for p, e in index.items()}


def test_replayed_layers_give_the_streamed_index(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": layered()})
    img = open_image(f"oci:{root}:1")
    try:
        streamed = walk(img)
        recorded: dict[int, list[Member]] = {}
        for i, ref in enumerate(img.layers):
            with img.open_layer(ref) as fh:
                recorded[i] = [m for m, _ in iter_members(fh, ref)]
        visited: list[int] = []

        def replay(i: int, _ref: LayerRef) -> list[Member] | None:
            return recorded[i] if i != 1 else None  # layer 1 streams, the others replay

        replayed = walk(img, lambda i, *_: visited.append(i), replay=replay)
    finally:
        img.close()
    assert _entries(replayed) == _entries(streamed)
    assert set(visited) == {1}  # a replayed layer is never opened nor visited
    assert [s.path for s in replayed.shadowed()] == [s.path for s in streamed.shadowed()]


def test_hard_link_to_a_lower_layer(tmp_path: Path) -> None:
    base = layer([Spec("usr", "dir", mode=0o755), Spec("usr/a", data=b"x")])
    top = layer([Spec("usr/b", "hardlink", linkname="usr/a")])
    root = write_oci(tmp_path / "oci", {"1": image([base, top])})
    img = open_image(f"oci:{root}:1")
    try:
        index = walk(img)
    finally:
        img.close()
    b = index.get("usr/b")
    assert b is not None and b.linkname == "usr/a" and b.layer == 1


def test_hooks_see_every_streamed_member_and_layer_end(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": layered()})
    img = open_image(f"oci:{root}:1")
    try:
        members: dict[int, list[str]] = {}
        ended: list[int] = []
        walk(
            img,
            replay=lambda i, _ref: [] if i == 0 else None,  # layer 0 replayed (as empty)
            on_member=lambda i, _ref, m: members.setdefault(i, []).append(m.path),
            on_layer_end=lambda i, _ref: ended.append(i),
        )
    finally:
        img.close()
    assert ended == [1, 2]  # never for a replayed layer
    assert set(members) == {1, 2}
    # whiteout markers included, in tar order
    assert members[1][:3] == ["etc/.wh.secret.env", "opt/.wh.app", "usr/bin/.wh..wh..opq"]
    assert members[2] == ["etc/passwd", "opt/app/c.txt"]
