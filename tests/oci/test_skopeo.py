"""Inputs written by an independent tool: Debian's skopeo converts the tests' OCI layout to a
docker-archive and an oci-archive, and hardhull reads the same image back from each."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hardhull.oci import open_image
from hardhull.oci.model import MemberKind
from hardhull.oci.walk import walk
from tests.oci.builder import Built, write_oci
from tests.oci.conftest import layered

SKOPEO = shutil.which("skopeo")
pytestmark = pytest.mark.skipif(
    SKOPEO is None, reason="skopeo is not installed (make test installs it)"
)


def _copy(src: str, dst: str) -> None:
    subprocess.run(
        [SKOPEO or "skopeo", "--insecure-policy", "copy", "-q", src, dst],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _summary(
    ref: str,
) -> tuple[dict[str, object], list[str], list[tuple[str, object]], dict[str, bytes]]:
    image = open_image(ref)
    files: dict[str, bytes] = {}
    try:
        index = walk(
            image,
            lambda i, lay, m, r: files.__setitem__(f"{i}:{m.path}", r.read()),
            want=lambda m: m.kind is MemberKind.FILE,
        )
    finally:
        image.close()
    return image.config, [lay.diff_id for lay in image.layers], sorted(index.items()), files


def test_skopeo_outputs_read_the_same(tmp_path: Path) -> None:
    # skopeo 1.9 cannot convert zstd layers to docker-archive: gzip and plain here
    built: Built = layered(["gzip", "tar", "gzip"])
    write_oci(tmp_path / "layout", {"v1": built})
    src = f"oci:{tmp_path / 'layout'}:v1"
    _copy(src, f"docker-archive:{tmp_path / 'd.tar'}:app:v1")
    _copy(src, f"oci-archive:{tmp_path / 'o.tar'}:v1")
    _copy(src, f"oci:{tmp_path / 'copy'}:v1")
    want = _summary(src)
    assert want[0] == built.config and want[1] == built.diff_ids
    for ref in (
        f"docker-archive:{tmp_path / 'd.tar'}",
        f"docker-archive:{tmp_path / 'd.tar'}:app:v1",
        str(tmp_path / "d.tar"),
        f"oci-archive:{tmp_path / 'o.tar'}",
        f"oci-archive:{tmp_path / 'o.tar'}:v1",
        f"oci:{tmp_path / 'copy'}:v1",
    ):
        assert _summary(ref) == want, ref
