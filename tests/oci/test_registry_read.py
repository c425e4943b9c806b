"""Reading images from Debian's docker-registry on 127.0.0.1, pushed there by skopeo from OCI
layouts written here: config, layers, platforms of a multi-arch index, digest pinning, and
content the registry serves corrupted."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardhull.oci.model import ImageError, Platform
from hardhull.oci.registry import RegistryClient, open_registry_image
from tests.helpers.registry import (
    Layout,
    Registry,
    need,
    sha256,
    skopeo_copy,
    start_registry,
    stop_registry,
)

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64", "v8")


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    need("skopeo")
    tmp = tmp_path_factory.mktemp("registry")
    reg = start_registry(tmp / "reg")
    try:
        lay = Layout(tmp / "layout")
        single, single_cfg, single_gz = lay.image(
            [{"etc/os-release": b"ID=debian\n"}, {"app/run.sh": b"#!/bin/sh\necho hi\n"}]
        )
        lay.tag(single, "single")
        amd, amd_cfg, _ = lay.image([{"arch": b"amd64\n"}], arch="amd64")
        arm, arm_cfg, _ = lay.image([{"arch": b"arm64\n"}], arch="arm64", variant="v8")
        s390, _, _ = lay.image([{"arch": b"s390x\n"}], arch="s390x")
        idx = lay.index(
            [
                (amd, {"os": "linux", "architecture": "amd64"}),
                (arm, {"os": "linux", "architecture": "arm64", "variant": "v8"}),
                (s390, {"os": "linux", "architecture": "s390x"}),
            ]
        )
        lay.tag(idx, "multi")
        # an image of its own, whose blobs the corruption tests may spoil
        bad, bad_cfg, bad_gz = lay.image([{"x": b"to be corrupted\n" * 100}, {"y": b"short"}])
        lay.tag(bad, "bad")
        skopeo_copy(f"oci:{lay.root}:single", f"docker://{reg.host}/team/app:1", tmp)
        skopeo_copy(f"oci:{lay.root}:multi", f"docker://{reg.host}/multi:1", tmp, all_images=True)
        skopeo_copy(f"oci:{lay.root}:bad", f"docker://{reg.host}/bad:1", tmp)
        yield {
            "reg": reg,
            "tmp": tmp,
            "single": single,
            "single_cfg": single_cfg,
            "single_gz": single_gz,
            "amd": amd,
            "amd_cfg": amd_cfg,
            "arm": arm,
            "arm_cfg": arm_cfg,
            "index": idx,
            "bad": bad,
            "bad_cfg": bad_cfg,
            "bad_gz": bad_gz,
        }
    finally:
        stop_registry(reg)


def _skopeo_digest(reg: Registry, ref: str) -> str:
    out = subprocess.run(
        [need("skopeo"), "inspect", "--raw", "--tls-verify=false", f"docker://{reg.host}/{ref}"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return sha256(out.stdout)


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def test_single_image_config_and_layers(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    ref = f"{reg.host}/team/app:1"
    img = open_registry_image(ref, platform=AMD64, insecure=True)
    try:
        assert img.ref == ref and img.transport == "docker"
        assert img.names == [ref]
        assert img.config == pushed["single_cfg"]
        assert (
            img.manifest_digest == pushed["single"]["digest"] == _skopeo_digest(reg, "team/app:1")
        )
        assert img.platform == AMD64 and img.other_platforms == []
        assert [layer.digest for layer in img.layers] == [sha256(g) for g in pushed["single_gz"]]
        assert [layer.created_by for layer in img.layers] == ["COPY layer 0", "COPY layer 1"]
        assert img.layers[0].diff_id == pushed["single_cfg"]["rootfs"]["diff_ids"][0]
        blobs = []
        for layer in img.layers:
            with img.open_layer(layer) as stream:
                chunks = []
                while chunk := stream.read(7):
                    chunks.append(chunk)
                blobs.append(b"".join(chunks))
        assert blobs == pushed["single_gz"]
        assert _members(blobs[1]) == {"app/run.sh": b"#!/bin/sh\necho hi\n"}
    finally:
        img.close()


def test_docker_prefix_and_platform_of_a_single_image(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    img = open_registry_image(f"docker://{reg.host}/team/app:1", platform=ARM64, insecure=True)
    # a single-platform image is what it is: its platform comes from its config
    assert img.platform == AMD64
    assert img.manifest_digest == pushed["single"]["digest"]


def test_multi_arch_index_selects_the_platform(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    ref = f"{reg.host}/multi:1"
    img = open_registry_image(ref, platform=AMD64, insecure=True)
    assert img.manifest_digest == pushed["amd"]["digest"]
    assert img.config == pushed["amd_cfg"]
    assert img.platform == AMD64
    assert img.other_platforms == [ARM64, Platform("linux", "s390x")]
    arm = open_registry_image(ref, platform=Platform("linux", "arm64"), insecure=True)
    assert arm.config == pushed["arm_cfg"] and arm.platform == ARM64
    assert arm.other_platforms == [AMD64, Platform("linux", "s390x")]
    with arm.open_layer(arm.layers[0]) as stream:
        assert _members(stream.read()) == {"arch": b"arm64\n"}
    with pytest.raises(ImageError, match=r"no image for platform linux/ppc64le .*linux/amd64"):
        open_registry_image(ref, platform=Platform("linux", "ppc64le"), insecure=True)


def test_digest_pinning(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    index_digest = pushed["index"]["digest"]
    assert _skopeo_digest(reg, "multi:1") == index_digest
    img = open_registry_image(f"{reg.host}/multi@{index_digest}", platform=ARM64, insecure=True)
    assert img.manifest_digest == pushed["arm"]["digest"]
    both = open_registry_image(
        f"{reg.host}/multi:1@{pushed['amd']['digest']}", platform=ARM64, insecure=True
    )
    # pinned to the amd64 manifest itself: the digest wins over the tag and the platform
    assert both.config == pushed["amd_cfg"]
    unknown = "sha256:" + "0" * 64
    with pytest.raises(ImageError, match=r"manifest sha256:0+ of multi: not found"):
        open_registry_image(f"{reg.host}/multi@{unknown}", platform=AMD64, insecure=True)


def test_unknown_tag_and_repository(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    with pytest.raises(
        ImageError, match=r"manifest nope of team/app: not found \(MANIFEST_UNKNOWN"
    ):
        open_registry_image(f"{reg.host}/team/app:nope", platform=AMD64, insecure=True)
    with pytest.raises(ImageError, match=r"manifest 1 of none: not found \(MANIFEST_UNKNOWN"):
        open_registry_image(f"{reg.host}/none:1", platform=AMD64, insecure=True)


def test_malformed_reference_is_an_image_error() -> None:
    with pytest.raises(ImageError, match="invalid image reference 'Bad:ref:x'"):
        open_registry_image("Bad:ref:x", platform=AMD64)


def test_plain_http_registry_needs_insecure(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    with pytest.raises(ImageError, match=r"does not speak HTTPS .*needs --insecure"):
        open_registry_image(f"{reg.host}/team/app:1", platform=AMD64)


@pytest.mark.parametrize("host", ["registry.example.com", "10.0.0.5:5000", "[fe80::1]:5000"])
def test_insecure_refused_off_loopback(host: str) -> None:
    with pytest.raises(ImageError, match=r"--insecure \(plain HTTP\) is allowed only .*loopback"):
        open_registry_image(f"{host}/app:1", platform=AMD64, insecure=True)


def test_insecure_on_localhost_name(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    img = open_registry_image(f"localhost:{reg.port}/team/app:1", platform=AMD64, insecure=True)
    assert img.manifest_digest == pushed["single"]["digest"]


def _spoil(path: Path, *, truncate: bool = False) -> None:
    data = bytearray(path.read_bytes())
    if truncate:
        path.write_bytes(bytes(data[: len(data) // 2]))
    else:
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))


def test_corrupted_blobs_are_errors(pushed: dict[str, Any]) -> None:
    reg: Registry = pushed["reg"]
    ref = f"{reg.host}/bad:1"
    first, second = (sha256(g) for g in pushed["bad_gz"])
    img = open_registry_image(ref, platform=AMD64, insecure=True)
    _spoil(reg.blob_path(first))
    _spoil(reg.blob_path(second), truncate=True)
    stream = img.open_layer(img.layers[0])
    with pytest.raises(ImageError, match=rf"blob {first} of bad: digest mismatch"):
        stream.read()
    stream.close()
    with (
        img.open_layer(img.layers[1]) as stream,
        pytest.raises(
            ImageError, match=rf"{second} of bad: (blob is \d+ bytes|the registry closed)"
        ),
    ):
        while stream.read(1024):
            pass
    config_digest = sha256(json.dumps(pushed["bad_cfg"]).encode())
    _spoil(reg.blob_path(config_digest))
    with pytest.raises(ImageError, match=rf"blob {config_digest} of bad: digest mismatch"):
        open_registry_image(ref, platform=AMD64, insecure=True)
    # a manifest changed on disk, still valid JSON: pinned or by tag, it is refused
    manifest = pushed["bad"]["digest"]
    path = reg.blob_path(manifest)
    path.write_bytes(path.read_bytes().replace(b'"schemaVersion": 2', b'"schemaVersion":  2'))
    with pytest.raises(ImageError, match=rf"manifest {manifest} of bad: digest mismatch"):
        open_registry_image(f"{reg.host}/bad@{manifest}", platform=AMD64, insecure=True)
    with pytest.raises(ImageError, match=r"manifest 1 of bad: digest mismatch \(Docker-Content"):
        open_registry_image(ref, platform=AMD64, insecure=True)


def test_client_repr_and_blob_exists(pushed: dict[str, Any]) -> None:
    reg = pushed["reg"]
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    assert repr(client) == f"RegistryClient('{reg.host}', insecure=True)"
    assert client.blob_exists("team/app", sha256(pushed["single_gz"][0]))
    assert not client.blob_exists("team/app", "sha256:" + "1" * 64)
