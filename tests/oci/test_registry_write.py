"""The write side of the registry client (issue #11 pushes signatures with it): blobs and
manifests pushed to docker-registry on 127.0.0.1 and read back, by us and by skopeo; tags;
referrers from the referrers API (a stand-in server: docker-registry 2.8 has none) and from
the tag-schema fallback (docker-registry)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from hardhull.oci.model import ImageError, Platform
from hardhull.oci.registry import RegistryClient, fallback_tag, open_registry_image
from tests.helpers.registry import (
    OCI_INDEX,
    OCI_MANIFEST,
    FakeRegistry,
    Registry,
    need,
    serve_fake,
    sha256,
    start_registry,
    stop_registry,
)

EMPTY = b"{}"
ARTIFACT = "application/vnd.example.signature"


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    registry = start_registry(tmp_path_factory.mktemp("write") / "reg")
    try:
        yield registry
    finally:
        stop_registry(registry)


def _image(client: RegistryClient, repo: str, payload: bytes) -> tuple[str, bytes]:
    config = json.dumps(
        {"os": "linux", "architecture": "amd64", "rootfs": {"type": "layers", "diff_ids": []}}
    ).encode()
    cfg = client.push_blob(repo, config)
    layer = client.push_blob(repo, payload)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": cfg,
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer,
                    "size": len(payload),
                }
            ],
        }
    ).encode()
    return client.put_manifest(repo, "v1", manifest, OCI_MANIFEST), manifest


def test_push_blob_and_manifest_read_back(reg: Registry) -> None:
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    payload = b"not really a tar" * 10
    assert not client.blob_exists("w/app", sha256(payload))
    digest, manifest = _image(client, "w/app", payload)
    assert digest == sha256(manifest)
    assert client.blob_exists("w/app", sha256(payload))
    # pushing again is a no-op that returns the same digest
    assert client.push_blob("w/app", payload) == sha256(payload)
    assert client.get_blob("w/app", sha256(payload)) == payload
    got = client.get_manifest("w/app", "v1")
    assert (got.body, got.digest, got.media_type) == (manifest, digest, OCI_MANIFEST)
    img = open_registry_image(
        f"{reg.host}/w/app@{digest}", platform=Platform("linux", "amd64"), insecure=True
    )
    with img.open_layer(img.layers[0]) as stream:
        assert stream.read() == payload
    # an independent reader agrees
    out = subprocess.run(
        [need("skopeo"), "inspect", "--raw", "--tls-verify=false", f"docker://{reg.host}/w/app:v1"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert out.stdout == manifest


def test_put_manifest_by_wrong_digest_is_refused(reg: Registry) -> None:
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    with pytest.raises(ImageError, match="the manifest's digest is sha256:"):
        client.put_manifest("w/app", "sha256:" + "1" * 64, b"{}", OCI_MANIFEST)
    with pytest.raises(ImageError, match=r"push of manifest v2 to w/app: HTTP 400 \(MANIFEST_"):
        client.put_manifest("w/app", "v2", b'{"schemaVersion": 2, "layers": 3}', OCI_MANIFEST)


def test_list_tags(reg: Registry) -> None:
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    _, manifest = _image(client, "w/tags", b"t")
    for tag in ("b", "a", "c-1"):
        client.put_manifest("w/tags", tag, manifest, OCI_MANIFEST)
    assert sorted(client.list_tags("w/tags")) == ["a", "b", "c-1", "v1"]
    with pytest.raises(ImageError, match=r"tags of w/none: not found \(NAME_UNKNOWN"):
        client.list_tags("w/none")


def _referrer(subject: str, subject_size: int, artifact_type: str, payload: bytes) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": {
                "mediaType": "application/vnd.oci.empty.v1+json",
                "digest": sha256(EMPTY),
                "size": 2,
            },
            "layers": [
                {"mediaType": "text/plain", "digest": sha256(payload), "size": len(payload)}
            ],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": subject_size},
        }
    ).encode()


def test_referrers_by_the_fallback_tag(reg: Registry) -> None:
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    subject, manifest = _image(client, "w/signed", b"signed content")
    assert client.referrers("w/signed", subject) == []
    client.push_blob("w/signed", EMPTY)
    client.push_blob("w/signed", b"sig")
    ref = _referrer(subject, len(manifest), ARTIFACT, b"sig")
    ref_digest = client.put_manifest("w/signed", sha256(ref), ref, OCI_MANIFEST)
    desc = {
        "mediaType": OCI_MANIFEST,
        "digest": ref_digest,
        "size": len(ref),
        "artifactType": ARTIFACT,
    }
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [desc]}).encode()
    assert fallback_tag(subject) == "sha256-" + subject.split(":")[1]
    client.put_manifest("w/signed", fallback_tag(subject), index, OCI_INDEX)
    assert client.referrers("w/signed", subject) == [desc]
    assert client.referrers("w/signed", subject, artifact_type=ARTIFACT) == [desc]
    assert client.referrers("w/signed", subject, artifact_type="other/type") == []


def test_referrers_api() -> None:
    subject = "sha256:" + "a" * 64
    descs = [
        {
            "mediaType": OCI_MANIFEST,
            "digest": "sha256:" + "b" * 64,
            "size": 9,
            "artifactType": "x/a",
        },
        {
            "mediaType": OCI_MANIFEST,
            "digest": "sha256:" + "c" * 64,
            "size": 9,
            "artifactType": "x/b",
        },
    ]

    def api(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        if path.startswith(f"/v2/app/referrers/{subject}"):
            doc = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descs}
            return (200, {"Content-Type": OCI_INDEX}, json.dumps(doc).encode())
        return None

    fake = FakeRegistry(routes=[api])
    with serve_fake(fake):
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=None)
        assert client.referrers("app", subject) == descs
        # a registry that ignores the filter is filtered here
        assert client.referrers("app", subject, artifact_type="x/b") == [descs[1]]
    assert fake.paths() == [
        f"/v2/app/referrers/{subject}",
        f"/v2/app/referrers/{subject}?artifactType=x%2Fb",
    ]
    assert fake.seen[0].headers["accept"] == OCI_INDEX


def test_tag_pagination() -> None:
    pages = {
        "/v2/app/tags/list": ({"tags": ["a", "b"]}, '</v2/app/tags/list?last=b&n=2>; rel="next"'),
        "/v2/app/tags/list?last=b&n=2": ({"tags": ["c"]}, ""),
    }

    def api(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        if path in pages:
            doc, link = pages[path]
            return (200, {"Link": link} if link else {}, json.dumps(doc).encode())
        return None

    fake = FakeRegistry(routes=[api])
    with serve_fake(fake):
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=None)
        assert client.list_tags("app") == ["a", "b", "c"]


def test_chunked_upload(reg: Registry) -> None:
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    data = bytes(range(256)) * 40  # 10,240 bytes in 4 KiB chunks: three PATCHes
    digest = client.push_blob("w/chunked", data, chunk_size=4096)
    assert digest == sha256(data)
    assert client.get_blob("w/chunked", digest, max_bytes=len(data)) == data
    # a blob already there is not uploaded again
    assert client.push_blob("w/chunked", data, chunk_size=4096) == digest
    # the exact chunk size: one PATCH of all of it
    exact = b"x" * 8192
    assert client.push_blob("w/chunked", exact, chunk_size=4096) == sha256(exact)
    assert client.get_blob("w/chunked", sha256(exact), max_bytes=8192) == exact
