"""The local transports: one image written in every layout reads the same from each."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from hardhull.oci import open_image
from hardhull.oci.index import FileIndex
from hardhull.oci.manifest import parse_platform
from hardhull.oci.model import Image, ImageError, MemberKind, Platform
from hardhull.oci.walk import walk
from tests.oci.builder import (
    Built,
    write_docker25,
    write_docker_archive,
    write_oci,
    write_oci_archive,
)
from tests.oci.conftest import layered


def _read(ref: str, **kw: object) -> tuple[Image, FileIndex, dict[str, bytes]]:
    image = open_image(ref, **kw)  # type: ignore[arg-type]
    contents: dict[str, bytes] = {}
    try:

        def visit(i: int, layer: object, member: object, reader: object) -> None:
            contents[f"{i}:{member.path}"] = reader.read()  # type: ignore[attr-defined]

        index = walk(image, visit, want=lambda m: m.kind is MemberKind.FILE)
    finally:
        image.close()
    return image, index, contents


def _refs(tmp: Path, built: Built) -> dict[str, str]:
    write_oci(tmp / "layout", {"1.0": built})
    write_oci_archive(tmp, {"1.0": built}, tmp / "oci.tar")
    write_docker_archive(tmp, {"app:1.0": built}, tmp / "classic.tar")
    write_docker25(tmp, {"app:1.0": built}, tmp / "d25.tar")
    return {
        "oci": f"oci:{tmp / 'layout'}:1.0",
        "oci-untagged": f"oci:{tmp / 'layout'}",
        "oci-archive": f"oci-archive:{tmp / 'oci.tar'}",
        "docker-archive": f"docker-archive:{tmp / 'classic.tar'}",
        "docker-archive-named": f"docker-archive:{tmp / 'classic.tar'}:app:1.0",
        "bare": str(tmp / "classic.tar"),
        "docker25": f"docker-archive:{tmp / 'd25.tar'}",
        "docker25-named": f"docker-archive:{tmp / 'd25.tar'}:docker.io/library/app:1.0",
    }


def test_every_layout_reads_the_same(tmp: Path, built: Built) -> None:
    results = {name: _read(ref) for name, ref in _refs(tmp, built).items()}
    first_index = None
    for name, (image, index, contents) in results.items():
        assert image.config == built.config, name
        assert [lay.diff_id for lay in image.layers] == built.diff_ids, name
        assert [lay.created_by for lay in image.layers] == [
            "RUN step 0",
            "RUN step 1",
            "RUN step 2",
        ]
        assert image.platform == Platform("linux", "amd64"), name
        assert contents["0:usr/bin/env"] == Path("/usr/bin/env").read_bytes(), name
        assert contents["2:etc/passwd"].startswith(b"root:x:0:0"), name
        items = sorted(index.items())
        if first_index is None:
            first_index = items
        assert items == first_index, name
    oci_image = results["oci"][0]
    assert oci_image.transport == "oci" and oci_image.names == ["1.0"]
    assert oci_image.manifest_digest.startswith("sha256:")
    # stored layers as built: gzip, zstd, plain; docker archives store them uncompressed
    assert [lay.digest for lay in oci_image.layers][2] == built.diff_ids[2]
    classic = results["docker-archive"][0]
    assert classic.transport == "docker-archive" and classic.names == ["app:1.0"]
    assert [lay.digest for lay in classic.layers] == built.diff_ids
    assert [lay.digest for lay in results["docker25"][0].layers] == built.diff_ids


def test_config_digest_is_the_configs_sha256(tmp: Path, built: Built) -> None:
    import hashlib

    want = "sha256:" + hashlib.sha256(built.config_bytes).hexdigest()
    for ref in _refs(tmp, built).values():
        image = open_image(ref)
        image.close()
        assert image.config_digest == want, ref


def test_multi_arch_index_selects_the_platform(tmp: Path) -> None:
    amd = layered(arch="amd64")
    arm = layered(arch="arm64", variant="v8")
    write_oci(tmp / "multi", {"latest": [amd, arm]})
    write_oci_archive(tmp, {"latest": [amd, arm]}, tmp / "multi.tar")
    for base in (f"oci:{tmp / 'multi'}", f"oci-archive:{tmp / 'multi.tar'}"):
        image = open_image(base + ":latest", platform=parse_platform("linux/arm64"))
        image.close()
        assert image.config["architecture"] == "arm64"
        assert image.platform == Platform("linux", "arm64", "v8")
        assert image.other_platforms == [Platform("linux", "amd64")]
        image = open_image(base)
        image.close()
        assert image.config["architecture"] == "amd64"
        assert image.other_platforms == [Platform("linux", "arm64", "v8")]
        with pytest.raises(ImageError, match=r"no image for platform linux/s390x"):
            open_image(base, platform=parse_platform("linux/s390x"))


def test_top_level_index_with_platforms(tmp: Path) -> None:
    """A layout whose index.json itself lists one manifest per platform (no ref names)."""
    amd = layered(arch="amd64")
    arm = layered(arch="arm64", variant="v8")
    root = write_oci(tmp / "flat", {"x": [amd, arm]})
    top = json.loads((root / "index.json").read_text())
    nested = json.loads(
        (root / "blobs" / "sha256" / top["manifests"][0]["digest"].split(":")[1]).read_text()
    )
    (root / "index.json").write_text(json.dumps(nested))
    image = open_image(f"oci:{root}", platform=Platform("linux", "arm64"))
    image.close()
    assert image.config["architecture"] == "arm64"


def test_several_images_need_a_choice(tmp: Path) -> None:
    one, two = layered(), layered(["tar", "tar", "tar"], arch="arm64")
    write_docker_archive(tmp, {"one:1": one, "two:2": two}, tmp / "two.tar")
    write_docker25(tmp, {"one:1": one, "two:2": two}, tmp / "two25.tar")
    write_oci(tmp / "two", {"one": one, "two": two})
    with pytest.raises(
        ImageError, match=r"holds 2 images: choose one with :NAME:TAG .*one:1, two:2"
    ):
        open_image(f"docker-archive:{tmp / 'two.tar'}")
    with pytest.raises(ImageError, match=r"holds 2 images: choose one with :TAG \(one, two\)"):
        open_image(f"oci:{tmp / 'two'}")
    for ref in (
        f"docker-archive:{tmp / 'two.tar'}:two:2",
        f"docker-archive:{tmp / 'two.tar'}:docker.io/library/two:2",
        f"docker-archive:{tmp / 'two.tar'}:@1",
        f"docker-archive:{tmp / 'two25.tar'}:two:2",
        f"oci:{tmp / 'two'}:two",
    ):
        image = open_image(ref)
        image.close()
        assert image.config["architecture"] == "arm64", ref
    with pytest.raises(ImageError, match=r"no image named 'three:3'"):
        open_image(f"docker-archive:{tmp / 'two.tar'}:three:3")
    with pytest.raises(
        ImageError, match=r"no image tagged 'three' in the layout \(tags: one, two\)"
    ):
        open_image(f"oci:{tmp / 'two'}:three")
    with pytest.raises(ImageError, match=r"no image @5"):
        open_image(f"docker-archive:{tmp / 'two.tar'}:@5")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("docker-archive:/nonexistent/x.tar", "cannot open"),
        ("/nonexistent/x.tar", "cannot open"),
        ("oci:/nonexistent/dir", "no such directory"),
        ("oci-archive:/nonexistent/x.tar", "cannot open"),
        ("docker-archive:", "no path given"),
    ],
)
def test_missing_inputs(ref: str, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        open_image(ref)


def test_not_an_archive(tmp: Path) -> None:
    (tmp / "junk.tar").write_bytes(b"hello" * 300)
    with pytest.raises(ImageError, match="not a tar archive or corrupt"):
        open_image(str(tmp / "junk.tar"))
    write_oci(tmp / "l", {"x": layered()})
    (tmp / "l" / "index.json").write_text("{not json")
    with pytest.raises(ImageError, match=r"index\.json is not valid JSON"):
        open_image(f"oci:{tmp / 'l'}")


def test_tampered_manifest_and_missing_layer(tmp: Path) -> None:
    root = write_oci(tmp / "l", {"x": layered()})
    index = json.loads((root / "index.json").read_text())
    mpath = root / "blobs" / "sha256" / index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads(mpath.read_text())
    (root / "blobs" / "sha256" / manifest["layers"][1]["digest"].split(":")[1]).unlink()
    with pytest.raises(ImageError, match=r"layer sha256:\w+ is missing from the layout"):
        open_image(f"oci:{root}")
    mpath.write_text(mpath.read_text() + " ")
    with pytest.raises(ImageError, match="does not match its digest"):
        open_image(f"oci:{root}")


def test_digest_cannot_name_a_path(tmp: Path) -> None:
    root = write_oci(tmp / "l", {"x": layered()})
    index = json.loads((root / "index.json").read_text())
    index["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
    (root / "index.json").write_text(json.dumps(index))
    with pytest.raises(ImageError, match="invalid digest"):
        open_image(f"oci:{root}")


def test_registry_reference_without_the_registry_transport() -> None:
    if importlib.util.find_spec("hardhull.oci.registry") is not None:
        pytest.skip("the registry transport is present: its own tests cover it")
    for ref in ("docker://localhost:5000/app:1", "localhost:5000/app:1", "alpine"):
        with pytest.raises(ImageError, match="registry is not available"):
            open_image(ref)
