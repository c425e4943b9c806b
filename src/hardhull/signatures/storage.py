"""Where cosign keeps signatures and attestations in an OCI registry, read and written.

Two schemes, both cosign's (docs/supply-chain.md):

- **Tags** (cosign's SIGNATURE_SPEC and ATTESTATION_SPEC): an image manifest tagged
  ``sha256-<hex>.sig`` (signatures) or ``sha256-<hex>.att`` (attestations) in the image's
  repository. Each signature is a layer: the simple-signing payload as a blob
  (``application/vnd.dev.cosign.simplesigning.v1+json``) with the base64 signature in the
  ``dev.cosignproject.cosign/signature`` annotation; each attestation a DSSE envelope blob
  (``application/vnd.dsse.envelope.v1+json``, ``predicateType`` annotation). A new signature
  is appended to the existing manifest.
- **Referrers** (cosign's BUNDLE_SPEC, cosign 3's default): a Sigstore bundle blob in an
  artifact manifest (``artifactType`` the bundle media type, the empty config, ``subject``
  the signed manifest), found through the referrers API, or where the registry has none
  (``404``), through the index tagged ``sha256-<hex>`` that the writer keeps up to date.

API (``target`` is a :class:`Target`, the signed manifest in its repository):

- :func:`resolve` ``(client, repository, selector) -> Target`` (a tag is resolved to the
  digest of the manifest or index it names now);
- :func:`read_tag_layers` ``(target, suffix) -> list[TagLayer]``; :func:`add_tag_layer`
  ``(target, suffix, media_type, blob, annotations)``;
- :func:`read_bundles` ``(target) -> list[bytes]``; :func:`add_bundle` ``(target, bundle,
  annotations)``.

Reads are bounded (a signature blob above :data:`MAX_SIGNATURE_BYTES` is an error, at most
:data:`MAX_ENTRIES` entries are looked at) and every blob is checked against its digest by
the registry client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hardhull.oci.manifest import OCI_INDEX, OCI_MANIFEST
from hardhull.oci.model import ImageError
from hardhull.oci.registry import RegistryClient, digest_of, fallback_tag

SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
EMPTY_JSON = b"{}"
#: the most signatures, attestations or bundles looked at for one image
MAX_ENTRIES = 64
MAX_SIGNATURE_BYTES = 4 * 1024 * 1024
SIG, ATT = ".sig", ".att"


@dataclass(frozen=True)
class Target:
    """The manifest (or index) signed, in its repository."""

    client: RegistryClient
    repository: str
    digest: str
    media_type: str
    size: int
    #: the tag it was resolved from ("" when given by digest)
    tag: str = ""

    @property
    def descriptor(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


@dataclass(frozen=True)
class TagLayer:
    """One signature or attestation of the tag scheme: its blob and its annotations."""

    media_type: str
    digest: str
    blob: bytes
    annotations: Mapping[str, str]


def resolve(client: RegistryClient, repository: str, selector: str) -> Target:
    """The manifest ``selector`` (a tag or a digest) names now."""
    m = client.get_manifest(repository, selector)
    return Target(
        client,
        repository,
        m.digest,
        m.media_type or (OCI_INDEX if m.is_index else OCI_MANIFEST),
        len(m.body),
        "" if ":" in selector else selector,
    )


def tag_of(digest: str, suffix: str) -> str:
    """``sha256-<hex>.sig`` / ``.att`` for ``digest``."""
    return fallback_tag(digest) + suffix


def _missing(exc: ImageError) -> bool:
    return ": not found" in str(exc)


def _manifest_or_none(target: Target, tag: str) -> dict[str, Any] | None:
    try:
        return target.client.get_manifest(target.repository, tag).doc
    except ImageError as exc:
        if _missing(exc):
            return None
        raise


def _layers(doc: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    layers = doc.get("layers") if doc is not None else None
    return [d for d in layers or [] if isinstance(d, dict)]


def read_tag_layers(target: Target, suffix: str) -> list[TagLayer]:
    """The signatures (``.sig``) or attestations (``.att``) stored under the image's tag."""
    doc = _manifest_or_none(target, tag_of(target.digest, suffix))
    out = []
    for desc in _layers(doc)[:MAX_ENTRIES]:
        digest = desc.get("digest")
        if not isinstance(digest, str):
            continue
        size = desc.get("size")
        if isinstance(size, int) and size > MAX_SIGNATURE_BYTES:
            raise ImageError(f"{target.repository}: signature blob {digest} is {size} bytes")
        blob = target.client.get_blob(target.repository, digest, max_bytes=MAX_SIGNATURE_BYTES)
        ann = desc.get("annotations")
        annotations = (
            {str(k): str(v) for k, v in ann.items() if isinstance(v, str)}
            if isinstance(ann, dict)
            else {}
        )
        media = desc.get("mediaType")
        out.append(TagLayer(media if isinstance(media, str) else "", digest, blob, annotations))
    return out


def add_tag_layer(
    target: Target, suffix: str, media_type: str, blob: bytes, annotations: Mapping[str, str]
) -> str:
    """Append a signature or attestation to the image's ``.sig``/``.att`` manifest (created
    when missing; an identical entry is not added twice); returns the manifest's digest."""
    client, repo = target.client, target.repository
    tag = tag_of(target.digest, suffix)
    doc = _manifest_or_none(target, tag)
    layers = _layers(doc)
    digest = client.push_blob(repo, blob)
    entry = {
        "mediaType": media_type,
        "size": len(blob),
        "digest": digest,
        "annotations": dict(annotations),
    }
    if not any(
        d.get("digest") == digest and d.get("annotations") == entry["annotations"] for d in layers
    ):
        layers.append(entry)
    config = json.dumps(
        {
            "architecture": "",
            "created": "0001-01-01T00:00:00Z",
            "history": [{"created": "0001-01-01T00:00:00Z"}],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": [d.get("digest") for d in layers]},
            "config": {},
        },
        separators=(",", ":"),
    ).encode()
    config_digest = client.push_blob(repo, config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "size": len(config), "digest": config_digest},
        "layers": layers,
    }
    body = json.dumps(manifest, separators=(",", ":")).encode()
    return client.put_manifest(repo, tag, body, OCI_MANIFEST)


def read_bundles(target: Target) -> list[bytes]:
    """The Sigstore bundles attached to the image as referrers (the referrers API, else the
    ``sha256-<hex>`` index)."""
    client, repo = target.client, target.repository
    out = []
    for desc in client.referrers(repo, target.digest, artifact_type=BUNDLE_V03)[:MAX_ENTRIES]:
        digest = desc.get("digest")
        if not isinstance(digest, str):
            continue
        manifest = client.get_manifest(repo, digest).doc
        subject = manifest.get("subject")
        if not isinstance(subject, dict) or subject.get("digest") != target.digest:
            continue  # an index entry whose manifest is about something else
        for layer in _layers(manifest)[:1]:
            if layer.get("mediaType") != BUNDLE_V03 or not isinstance(layer.get("digest"), str):
                continue
            out.append(client.get_blob(repo, layer["digest"], max_bytes=MAX_SIGNATURE_BYTES))
    return out


def add_bundle(target: Target, bundle: bytes, annotations: Mapping[str, str]) -> str:
    """Attach ``bundle`` to the image as a referrer (and list it in the ``sha256-<hex>``
    index where the registry has no referrers API); returns the artifact manifest's digest."""
    client, repo = target.client, target.repository
    empty = client.push_blob(repo, EMPTY_JSON)
    blob_digest = client.push_blob(repo, bundle)
    title = blob_digest.replace(":", "-") + ".sigstore.json"
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": BUNDLE_V03,
        "config": {"mediaType": OCI_EMPTY, "digest": empty, "size": len(EMPTY_JSON)},
        "layers": [
            {
                "mediaType": BUNDLE_V03,
                "digest": blob_digest,
                "size": len(bundle),
                "annotations": {"org.opencontainers.image.title": title},
            }
        ],
        "subject": target.descriptor,
        "annotations": dict(annotations),
    }
    body = json.dumps(manifest, separators=(",", ":")).encode()
    digest = client.put_manifest(repo, digest_of(body), body, OCI_MANIFEST)
    if not client.has_referrers_api(repo, target.digest):
        _add_to_fallback_index(target, digest, len(body), annotations)
    return digest


def _add_to_fallback_index(
    target: Target, digest: str, size: int, annotations: Mapping[str, str]
) -> None:
    client, repo = target.client, target.repository
    tag = fallback_tag(target.digest)
    doc = _manifest_or_none(target, tag) or {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [],
    }
    entries = [d for d in doc.get("manifests") or [] if isinstance(d, dict)]
    if not any(d.get("digest") == digest for d in entries):
        entries.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": size,
                "artifactType": BUNDLE_V03,
                "annotations": dict(annotations),
            }
        )
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    body = json.dumps(index, separators=(",", ":")).encode()
    client.put_manifest(repo, tag, body, OCI_INDEX)


__all__ = [
    "ATT",
    "BUNDLE_V03",
    "DSSE_ENVELOPE",
    "SIG",
    "SIGNATURE_ANNOTATION",
    "SIMPLE_SIGNING",
    "TagLayer",
    "Target",
    "add_bundle",
    "add_tag_layer",
    "read_bundles",
    "read_tag_layers",
    "resolve",
    "tag_of",
]
