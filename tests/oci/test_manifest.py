"""Platform selection and layer listing shared by the image transports."""

from __future__ import annotations

import pytest

from hardhull.oci.manifest import layer_refs, parse_platform, select_platform
from hardhull.oci.model import ImageError, LayerRef, Platform

INDEX = {
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        {"digest": "sha256:a", "platform": {"os": "linux", "architecture": "amd64"}},
        {"digest": "sha256:b", "platform": {"os": "linux", "architecture": "arm64"}},
        {"digest": "sha256:c", "platform": {"os": "linux", "architecture": "arm", "variant": "v6"}},
        {"digest": "sha256:d", "platform": {"os": "unknown", "architecture": "unknown"}},
    ],
}


def test_default_and_variant_normalisation() -> None:
    desc, others = select_platform(INDEX, Platform("linux", "amd64"))
    assert desc["digest"] == "sha256:a"
    assert others == [Platform("linux", "arm64"), Platform("linux", "arm", "v6")]
    assert select_platform(INDEX, parse_platform("linux/arm64/v8"))[0]["digest"] == "sha256:b"


def test_no_match_names_what_there_is() -> None:
    with pytest.raises(ImageError, match=r"platform linux/arm \(the index offers: linux/amd64"):
        select_platform(INDEX, parse_platform("linux/arm"), ref="x")


@pytest.mark.parametrize("bad", ["linux", "linux/", "a/b/c/d", ""])
def test_bad_platform(bad: str) -> None:
    with pytest.raises(ValueError, match="os/arch"):
        parse_platform(bad)


def test_layers_get_diff_ids_and_history_skipping_empty_layers() -> None:
    manifest = {"layers": [{"digest": "sha256:l1", "size": 3}, {"digest": "sha256:l2", "size": 4}]}
    config = {
        "rootfs": {"diff_ids": ["sha256:d1", "sha256:d2"]},
        "history": [
            {"created_by": "ADD rootfs.tar /"},
            {"created_by": "ENV A=1", "empty_layer": True},
            {"created_by": "RUN apt-get install -y curl"},
        ],
    }
    assert layer_refs(manifest, config) == [
        LayerRef("sha256:l1", "sha256:d1", "", 3, "ADD rootfs.tar /"),
        LayerRef("sha256:l2", "sha256:d2", "", 4, "RUN apt-get install -y curl"),
    ]
