"""Sigstore bundles (v0.3, protobuf-specs JSON mapping) written and verified with a public key.

Public API:

- :data:`BUNDLE_MEDIA_TYPE` ``application/vnd.dev.sigstore.bundle.v0.3+json``.
- :func:`message_bundle` ``(message, signature, key) -> dict``: a bundle of a message signature
  (``messageSignature {messageDigest {algorithm: SHA2_256, digest}, signature}``) made by
  ``key`` over ``message``.
- :func:`dsse_bundle` ``(envelope, key) -> dict``: a bundle of a DSSE envelope (one signature:
  the envelope's first that verifies with ``key``).
- :func:`signature_statement` ``(digest, annotations=None) -> bytes``: the in-toto statement
  cosign 3 signs for an image (below); sign it with
  :func:`hardhull.sign.dsse.sign_envelope` and wrap it with :func:`dsse_bundle`.
- :func:`verify_bundle` ``(bundle, key, *, message=None) -> Verified``: checks a bundle and
  returns :class:`Verified` (``kind`` ``"message"`` | ``"dsse"``, ``payload`` (the DSSE
  payload; None for a message signature), ``payload_type``, ``key_id`` (hex SHA-256 of the
  key, :func:`hardhull.sign.crypto.key_id`), ``certificate`` (the leaf's DER, when the bundle
  carries one)), or raises :class:`~hardhull.sign.SignError` saying why: "not a Sigstore
  bundle: …", "unsupported Sigstore bundle media type …", "the bundle's key hint names another
  key …", "the bundle's certificate holds another key", "the bundle's message digest does not
  match the message …", "the bundle's signature does not verify with this key", "a message
  signature bundle needs the signed message to verify".

Every bundle written has ``verificationMaterial.publicKey.hint`` = base64 of the SHA-256 of
the key's DER SubjectPublicKeyInfo, as cosign 3 writes it (``internal/key/svkeypair.go``), and
no ``tlogEntries`` (offline: nothing is uploaded to Rekor).

What cosign 3 stores for ``cosign sign --key`` with its default new bundle format (read in
sigstore/cosign at d6d86c2: ``cmd/cosign/cli/sign/sign.go`` ``signDigestBundle``,
``cmd/cosign/cli/signcommon/common.go`` ``NewAttestationBundle``,
``pkg/oci/remote/write.go`` ``WriteAttestationNewBundleFormat`` / ``WriteReferrer``): not a
message signature but a **DSSE envelope** (payloadType ``application/vnd.in-toto+json``) of an
in-toto **v1** statement ``{"_type": "https://in-toto.io/Statement/v1", "subject": [{"digest":
{"sha256": "<manifest hex>"}, "annotations": {<-a key=value>}}], "predicateType":
"https://sigstore.dev/cosign/sign/v1", "predicate": {}}`` (no subject name). The bundle is
the single layer (media type = :data:`BUNDLE_MEDIA_TYPE`) of an OCI referrer manifest whose
``artifactType`` is :data:`BUNDLE_MEDIA_TYPE`, config ``application/vnd.oci.empty.v1+json``
(``{}``), ``subject`` the image manifest, annotations ``dev.sigstore.bundle.content:
dsse-envelope``, ``dev.sigstore.bundle.predicateType: <predicate type>`` and
``org.opencontainers.image.created``. ``cosign attest`` in that format stores its attestation
statement the same way (predicateType annotation = the attestation's).

What :func:`verify_bundle` checks, as separate steps (so others can be added beside them):

1. the media type (v0.1 to v0.3);
2. the verification material against the given key: a public-key hint that is a SHA-256 key
   identifier (base64 or hex) must be this key's; a certificate (keyless) must hold this key
   — its chain to Fulcio, its identity and its validity period are **not** checked;
3. the content: the message digest against ``message`` and the signature over ``message``;
   or the DSSE envelope's signature over its PAE.

Not checked (they need the network or a trusted root; a later step would take the bundle and
a ``TrustedRoot``): transparency-log entries (Rekor inclusion proofs, signed entry
timestamps, that the entry's body matches the signature), RFC 3161 timestamps, and Fulcio
certificate chains and identities. Bundles with tlog entries are accepted on the signature
alone. Callers check what the payload says (:func:`hardhull.sign.dsse.parse_statement` and
``check_statement`` for the image digest).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from hardhull.sign import SignError
from hardhull.sign.crypto import PublicKey, check_key, key_id, public_der, verify
from hardhull.sign.dsse import (
    COSIGN_SIGN_PREDICATE_TYPE,
    INTOTO_PAYLOAD_TYPE,
    STATEMENT_V1,
    b64decode,
    envelope_parts,
    pae,
    split_digest,
)

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
_MEDIA_TYPE = re.compile(
    r"application/vnd\.dev\.sigstore\.bundle(?:\.v(?P<v1>\d+\.\d+)\+json"
    r"|\+json;version=(?P<v2>\d+\.\d+))"
)
SUPPORTED_VERSIONS = ("0.1", "0.2", "0.3")
BAD_SIGNATURE = "the bundle's signature does not verify with this key"
#: protobuf-specs HashAlgorithm (JSON names and numbers) → hashlib name
_HASHES: dict[object, str] = {
    "SHA2_256": "sha256",
    1: "sha256",
    "SHA2_384": "sha384",
    2: "sha384",
    "SHA2_512": "sha512",
    3: "sha512",
    "SHA3_256": "sha3_256",
    4: "sha3_256",
    "SHA3_384": "sha3_384",
    5: "sha3_384",
}


@dataclass(frozen=True)
class Verified:
    """What a bundle proved: its ``kind``, the DSSE ``payload`` and ``payload_type`` (None for
    a message signature), the ``key_id`` it verified with, the leaf ``certificate`` (DER) when
    the bundle is keyless (its chain and identity unchecked)."""

    kind: Literal["message", "dsse"]
    payload: bytes | None
    key_id: str
    payload_type: str | None = None
    certificate: bytes | None = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_hint(key: PublicKey) -> str:
    """The public-key hint cosign writes: base64 of the SHA-256 of the key's DER SPKI."""
    return _b64(hashlib.sha256(public_der(key)).digest())


def _material(key: PublicKey) -> dict[str, Any]:
    return {"publicKey": {"hint": key_hint(key)}, "tlogEntries": []}


def message_bundle(message: bytes, signature: bytes, key: PublicKey) -> dict[str, Any]:
    """A v0.3 bundle of ``signature`` (``key``'s, over ``message``; checked first)."""
    verify(key, signature, message)
    return {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": _material(key),
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": _b64(hashlib.sha256(message).digest()),
            },
            "signature": _b64(signature),
        },
    }


def dsse_bundle(envelope: Mapping[str, Any], key: PublicKey) -> dict[str, Any]:
    """A v0.3 bundle of ``envelope`` with its first signature that verifies with ``key``
    (a bundle holds exactly one); SignError when none does."""
    check_key(key)
    payload_type, payload, sigs = envelope_parts(envelope)
    if not sigs:
        raise SignError("the DSSE envelope has no signatures")
    message = pae(payload_type, payload)
    for i, sig in enumerate(sigs):
        try:
            verify(key, sig, message)
        except SignError:
            continue
        entry: dict[str, str] = {"sig": _b64(sig)}
        keyid = envelope["signatures"][i].get("keyid")
        if isinstance(keyid, str) and keyid:
            entry["keyid"] = keyid
        return {
            "mediaType": BUNDLE_MEDIA_TYPE,
            "verificationMaterial": _material(key),
            "dsseEnvelope": {
                "payload": _b64(payload),
                "payloadType": payload_type,
                "signatures": [entry],
            },
        }
    raise SignError("no signature of the DSSE envelope verifies with this key")


def signature_statement(digest: str, annotations: Mapping[str, str] | None = None) -> bytes:
    """The statement cosign 3 signs for the image manifest ``digest`` (``sha256:hex``), with
    the ``-a key=value`` annotations in its subject."""
    alg, hexd = split_digest(digest)
    statement = {
        "_type": STATEMENT_V1,
        "subject": [{"digest": {alg: hexd}, "annotations": dict(annotations or {})}],
        "predicateType": COSIGN_SIGN_PREDICATE_TYPE,
        "predicate": {},
    }
    return json.dumps(statement, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- verification, one step a function -----------------------------------------------------


def _get(obj: Mapping[str, Any], camel: str) -> Any:
    """A protobuf JSON field by its JSON name or its proto name (both are valid input)."""
    if camel in obj:
        return obj[camel]
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    return obj.get(snake)


def check_media_type(bundle: Mapping[str, Any]) -> str:
    """Step 1: the bundle's version (``"0.3"``), or SignError."""
    media_type = _get(bundle, "mediaType")
    if not isinstance(media_type, str):
        raise SignError("not a Sigstore bundle: no mediaType")
    m = _MEDIA_TYPE.fullmatch(media_type)
    if not m:
        raise SignError(f"not a Sigstore bundle: media type {media_type!r}")
    version = m.group("v1") or m.group("v2")
    if version not in SUPPORTED_VERSIONS:
        raise SignError(
            f"unsupported Sigstore bundle media type {media_type} "
            f"(version {version}; hardhull reads {', '.join(SUPPORTED_VERSIONS)})"
        )
    return version


def _hint_digest(hint: str) -> bytes | None:
    """The SHA-256 a key hint names (base64 as cosign writes it, or hex), or None when the
    hint is a free-form name that says nothing checkable."""
    if re.fullmatch(r"[0-9a-fA-F]{64}", hint):
        return bytes.fromhex(hint)
    if re.fullmatch(r"[A-Za-z0-9+/_-]{43}=?", hint):
        try:
            raw = b64decode(hint, "the key hint")
        except SignError:
            return None
        return raw if len(raw) == 32 else None
    return None


def check_material(bundle: Mapping[str, Any], key: PublicKey) -> bytes | None:
    """Step 2: the verification material names ``key``; returns the leaf certificate's DER for
    a keyless bundle (its chain and identity unchecked), None for a public-key bundle."""
    material = _get(bundle, "verificationMaterial")
    if not isinstance(material, Mapping):
        raise SignError("not a Sigstore bundle: no verificationMaterial")
    public_key = _get(material, "publicKey")
    if isinstance(public_key, Mapping):
        hint = public_key.get("hint", "")
        if not isinstance(hint, str):
            raise SignError("not a Sigstore bundle: the public key hint is not a string")
        named = _hint_digest(hint)
        if named is not None and named != hashlib.sha256(public_der(key)).digest():
            raise SignError(
                f"the bundle's key hint names another key (hint {hint}, this key {key_hint(key)})"
            )
        return None
    leaf: object = None
    chain = _get(material, "x509CertificateChain")
    cert = _get(material, "certificate")
    if isinstance(chain, Mapping):
        certs = chain.get("certificates")
        if isinstance(certs, list) and certs:
            leaf = certs[0]
    elif isinstance(cert, Mapping):
        leaf = cert
    if not isinstance(leaf, Mapping):
        raise SignError(
            "not a Sigstore bundle: no public key or certificate in verificationMaterial"
        )
    der = b64decode(_get(leaf, "rawBytes"), "the bundle's certificate")
    try:
        cert_key = x509.load_der_x509_certificate(der).public_key()
        cert_spki = cert_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except (ValueError, UnsupportedAlgorithm):
        raise SignError("the bundle's certificate is not a valid X.509 certificate") from None
    if cert_spki != public_der(key):
        raise SignError("the bundle's certificate holds another key")
    return der


def check_content(
    bundle: Mapping[str, Any], key: PublicKey, message: bytes | None
) -> tuple[Literal["message", "dsse"], bytes | None, str | None]:
    """Step 3: the signature; ``(kind, payload, payload_type)``."""
    msg_sig = _get(bundle, "messageSignature")
    envelope = _get(bundle, "dsseEnvelope")
    if isinstance(msg_sig, Mapping):
        digest = _get(msg_sig, "messageDigest")
        if not isinstance(digest, Mapping):
            raise SignError("not a Sigstore bundle: the message signature has no messageDigest")
        algorithm = digest.get("algorithm", "SHA2_256")
        known = isinstance(algorithm, str | int) and not isinstance(algorithm, bool)
        alg = _HASHES.get(algorithm) if known else None
        if alg is None:
            raise SignError(
                f"unsupported message digest algorithm {digest.get('algorithm')!r} in the bundle"
            )
        expected = b64decode(digest.get("digest"), "the bundle's message digest")
        signature = b64decode(msg_sig.get("signature"), "the bundle's signature")
        if message is None:
            raise SignError("a message signature bundle needs the signed message to verify")
        actual = hashlib.new(alg, message).digest()
        if actual != expected:
            raise SignError(
                f"the bundle's message digest does not match the message "
                f"({alg} {expected.hex()}, the message's {actual.hex()})"
            )
        try:
            verify(key, signature, message)
        except SignError:
            raise SignError(BAD_SIGNATURE) from None
        return "message", None, None
    if isinstance(envelope, Mapping):
        payload_type, payload, sigs = envelope_parts(envelope)
        if len(sigs) != 1:
            raise SignError(
                f"not a Sigstore bundle: its DSSE envelope has {len(sigs)} signatures "
                "(one expected)"
            )
        try:
            verify(key, sigs[0], pae(payload_type, payload))
        except SignError:
            raise SignError(BAD_SIGNATURE) from None
        return "dsse", payload, payload_type
    raise SignError("not a Sigstore bundle: neither messageSignature nor dsseEnvelope")


def verify_bundle(
    bundle: Mapping[str, Any], key: PublicKey, *, message: bytes | None = None
) -> Verified:
    """Verify ``bundle`` with ``key`` (see the module docstring for what is and is not
    checked); ``message`` is the signed bytes of a message-signature bundle."""
    if not isinstance(bundle, Mapping):
        raise SignError("not a Sigstore bundle: a JSON object is expected")
    check_key(key)
    check_media_type(bundle)
    certificate = check_material(bundle, key)
    kind, payload, payload_type = check_content(bundle, key, message)
    return Verified(
        kind=kind,
        payload=payload,
        key_id=key_id(key),
        payload_type=payload_type,
        certificate=certificate,
    )


__all__ = [
    "BUNDLE_MEDIA_TYPE",
    "INTOTO_PAYLOAD_TYPE",
    "SUPPORTED_VERSIONS",
    "Verified",
    "check_content",
    "check_material",
    "check_media_type",
    "dsse_bundle",
    "key_hint",
    "message_bundle",
    "signature_statement",
    "verify_bundle",
]
