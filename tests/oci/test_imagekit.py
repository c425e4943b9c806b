"""The test-image builder writes what an independent tool (skopeo) reads as an image: the
images the image tests read are well-formed by someone else's measure, not only ours."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.imagekit import (
    Entry,
    Layer,
    config_json,
    write_docker_archive,
    write_layer,
    write_oci_layout,
)

SKOPEO = shutil.which("skopeo")


def _image(tmp_path: Path) -> tuple[list, bytes]:  # type: ignore[type-arg]
    layers = [
        Layer(
            "ADD rootfs /",
            [
                Entry("etc", kind="dir", mode=0o755),
                Entry("etc/os-release", b'ID=debian\nVERSION_ID="12"\n'),
            ],
            host=[("/etc/ssl/certs", "etc/ssl/certs")],
        ),
        Layer("RUN rm /etc/os-release", [Entry("etc/os-release", kind="whiteout")]),
    ]
    built = [write_layer(layer, tmp_path, f"l{i}") for i, layer in enumerate(layers)]
    config = config_json(
        built, {"User": "", "ExposedPorts": {"22/tcp": {}}}, empty_history=[(1, "USER root")]
    )
    return built, config


@pytest.mark.skipif(SKOPEO is None, reason="skopeo is not installed (make test installs Debian's)")
def test_skopeo_reads_both_layouts(tmp_path: Path) -> None:
    built, config = _image(tmp_path)
    archive = write_docker_archive(tmp_path / "app.tar", built, config, ["app:1"])
    write_oci_layout(tmp_path / "oci", built, config, "1")
    for ref in (f"docker-archive:{archive}", f"oci:{tmp_path / 'oci'}:1"):
        out = subprocess.run(
            [str(SKOPEO), "inspect", "--config", ref], capture_output=True, text=True, check=True
        )
        cfg = json.loads(out.stdout)
        assert cfg["config"]["ExposedPorts"] == {"22/tcp": {}}
        assert cfg["rootfs"]["diff_ids"] == [b.diff_id for b in built]
        assert [h.get("empty_layer", False) for h in cfg["history"]] == [False, True, False]
    # skopeo copies between them and keeps the layers (it verifies every digest on the way)
    subprocess.run(
        [
            str(SKOPEO),
            "copy",
            "-q",
            f"oci:{tmp_path / 'oci'}:1",
            f"docker-archive:{tmp_path / 'copy.tar'}:app:1",
        ],
        check=True,
        capture_output=True,
    )
