"""Where signatures and attestations are kept in a registry (cosign's tag scheme and its
bundle referrers), written and read back on docker-registry 2.8 on 127.0.0.1 (a registry with
no referrers API: the ``sha256-<hex>`` index is kept by the writer), and what skopeo sees."""

from __future__ import annotations

import json
import subprocess

from hardhull.oci.registry import RegistryClient, fallback_tag
from hardhull.signatures.storage import (
    ATT,
    BUNDLE_V03,
    DSSE_ENVELOPE,
    SIG,
    SIGNATURE_ANNOTATION,
    SIMPLE_SIGNING,
    add_bundle,
    add_tag_layer,
    read_bundles,
    read_tag_layers,
    resolve,
    tag_of,
)
from tests.helpers.registry import Registry
from tests.oci.test_registry_write import _image


def _client(reg: Registry) -> RegistryClient:
    return RegistryClient(reg.host, insecure=True, credentials=None)


def test_resolve_a_tag_to_the_digest_it_names(reg: Registry) -> None:
    client = _client(reg)
    digest, body = _image(client, "s/resolve", b"layer-1")
    target = resolve(client, "s/resolve", "v1")
    assert (target.digest, target.size, target.tag) == (digest, len(body), "v1")
    assert resolve(client, "s/resolve", digest).tag == ""


def test_signatures_under_the_sig_tag_accumulate(reg: Registry) -> None:
    client = _client(reg)
    digest, _ = _image(client, "s/tags", b"layer-2")
    target = resolve(client, "s/tags", "v1")
    assert read_tag_layers(target, SIG) == []
    add_tag_layer(target, SIG, SIMPLE_SIGNING, b'{"payload":1}', {SIGNATURE_ANNOTATION: "c2ln"})
    add_tag_layer(target, SIG, SIMPLE_SIGNING, b'{"payload":2}', {SIGNATURE_ANNOTATION: "c2lnMg=="})
    # the same signature again is not a second entry
    add_tag_layer(target, SIG, SIMPLE_SIGNING, b'{"payload":1}', {SIGNATURE_ANNOTATION: "c2ln"})
    got = read_tag_layers(target, SIG)
    assert [(g.media_type, g.blob, dict(g.annotations)) for g in got] == [
        (SIMPLE_SIGNING, b'{"payload":1}', {SIGNATURE_ANNOTATION: "c2ln"}),
        (SIMPLE_SIGNING, b'{"payload":2}', {SIGNATURE_ANNOTATION: "c2lnMg=="}),
    ]
    assert tag_of(digest, SIG) == fallback_tag(digest) + ".sig"
    assert tag_of(digest, SIG) in client.list_tags("s/tags")
    add_tag_layer(target, ATT, DSSE_ENVELOPE, b'{"payloadType":"x"}', {"predicateType": "p"})
    (att,) = read_tag_layers(target, ATT)
    assert (att.media_type, att.annotations) == (DSSE_ENVELOPE, {"predicateType": "p"})


def test_bundles_as_referrers_with_the_tag_index_fallback(reg: Registry) -> None:
    client = _client(reg)
    digest, body = _image(client, "s/bundles", b"layer-3")
    target = resolve(client, "s/bundles", "v1")
    assert read_bundles(target) == []
    assert not client.has_referrers_api("s/bundles", digest)  # docker-registry 2.8
    first = add_bundle(target, b'{"mediaType":"b1"}', {"dev.sigstore.bundle.content": "m"})
    second = add_bundle(target, b'{"mediaType":"b2"}', {"dev.sigstore.bundle.content": "d"})
    assert read_bundles(target) == [b'{"mediaType":"b1"}', b'{"mediaType":"b2"}']
    index = client.get_manifest("s/bundles", fallback_tag(digest)).doc
    assert [(d["digest"], d["artifactType"], d["annotations"]) for d in index["manifests"]] == [
        (first, BUNDLE_V03, {"dev.sigstore.bundle.content": "m"}),
        (second, BUNDLE_V03, {"dev.sigstore.bundle.content": "d"}),
    ]
    artifact = client.get_manifest("s/bundles", first).doc
    assert artifact["subject"] == {"mediaType": target.media_type, "digest": digest,
                                   "size": len(body)}  # fmt: skip
    assert artifact["artifactType"] == BUNDLE_V03
    assert artifact["config"]["mediaType"] == "application/vnd.oci.empty.v1+json"


def test_skopeo_copies_the_signature_manifest(reg: Registry, tmp_path: object) -> None:
    from tests.helpers.registry import need

    skopeo = need("skopeo")
    client = _client(reg)
    digest, _ = _image(client, "s/skopeo", b"layer-4")
    target = resolve(client, "s/skopeo", "v1")
    add_tag_layer(target, SIG, SIMPLE_SIGNING, b'{"p":1}', {SIGNATURE_ANNOTATION: "c2ln"})
    proc = subprocess.run(
        [skopeo, "inspect", "--raw", "--tls-verify=false",
         f"docker://{reg.host}/s/skopeo:{tag_of(digest, SIG)}"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (layer,) = json.loads(proc.stdout)["layers"]
    assert layer["mediaType"] == SIMPLE_SIGNING
    assert layer["annotations"] == {SIGNATURE_ANNOTATION: "c2ln"}
