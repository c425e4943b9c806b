"""Compatibility with data cosign itself wrote (``tests/data/cosign/SOURCES.md``): its
encrypted keys open with their passwords (and a wrong password fails with the one message),
its public keys load, and its image signatures verify over the exact payload bytes, whose
payload :func:`parse_payload`/:func:`check_payload` accept for the signed digest only; and
:func:`make_payload` rewrites those payloads byte for byte."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign import SignError
from hardhull.sign.crypto import PublicKey, key_id, sign, verify
from hardhull.sign.keys import load_private_key, load_public_key
from hardhull.sign.simplesign import check_payload, make_payload, parse_payload
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "cosign"
KEYS = DATA / "keys"
SIGS = DATA / "signatures"

#: file -> (password, key type, scrypt N in the file)
PRIVATE_KEYS: dict[str, tuple[bytes, type, int]] = {
    "cosign-keys_test-pemsigstorekey.key": (b"hello", ec.EllipticCurvePrivateKey, 32768),
    "cosign-keys_test-pemcosignkey.key": (b"hello", ec.EllipticCurvePrivateKey, 32768),
    "cosign-keys_test-pemcosigneckey.key": (b"hello", ec.EllipticCurvePrivateKey, 65536),
    "sigstore-rs-cosign_generated_encrypted_empty_private.key": (
        b"",
        ec.EllipticCurvePrivateKey,
        65536,
    ),
    "sigstore-rs-ecdsa_encrypted_private.key": (b"123", ec.EllipticCurvePrivateKey, 32768),
    "sigstore-rs-ed25519_encrypted_private.key": (b"123", ed25519.Ed25519PrivateKey, 32768),
    "sigstore-rs-rsa_encrypted_private.key": (b"123", rsa.RSAPrivateKey, 32768),
}


def _scrypt_n(pem: bytes) -> int:
    body = b"".join(pem.splitlines()[1:-1])
    return int(json.loads(base64.b64decode(body))["kdf"]["params"]["N"])


@pytest.mark.parametrize("name", sorted(PRIVATE_KEYS))
def test_cosign_private_keys_open_with_their_password(name: str) -> None:
    password, kind, n = PRIVATE_KEYS[name]
    data = (KEYS / name).read_bytes()
    assert _scrypt_n(data) == n
    key = load_private_key(data, password, source=name)
    assert isinstance(key, kind)
    # the key works: it signs, and its public half verifies
    verify(key.public_key(), sign(key, b"payload"), b"payload")
    for wrong in (b"wrong", password + b"x", None):
        with pytest.raises(SignError) as err:
            load_private_key(data, wrong, source=name)
        expected = (
            f"{name}: the key is encrypted: a password is needed"
            if wrong is None
            else f"{name}: wrong password (or a damaged key)"
        )
        assert str(err.value) == expected


def test_cosign_ci_key_pair() -> None:
    """cosign's CI key (password unknown): recognised as a cosign key, a wrong password is
    reported as such, and its cosign.pub loads."""
    with pytest.raises(SignError, match=r"^cosign-test\.key: wrong password \(or a damaged key\)$"):
        load_private_key(
            (KEYS / "cosign-test.key").read_bytes(), b"hello", source="cosign-test.key"
        )
    pub = load_public_key((KEYS / "cosign-test.pub").read_bytes(), source="cosign-test.pub")
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    assert pub.curve.name == "secp256r1"


def _signature(name: str) -> tuple[bytes, bytes, dict[str, str]]:
    """(payload bytes, signature bytes, annotations) of a containers/image ``dir:`` signature."""
    data = (SIGS / name).read_bytes()
    assert data.startswith(b"\x00sigstore-json\n")
    doc = json.loads(data.split(b"\n", 1)[1])
    annotations = doc["annotations"]
    payload = base64.b64decode(doc["payload"])
    signature = base64.b64decode(annotations["dev.cosignproject.cosign/signature"])
    return payload, signature, annotations


def _pub(name: str) -> PublicKey:
    return load_public_key((SIGS / name).read_bytes(), source=name)


#: signature file -> (signer: a .pub file or "certificate", manifest file or None, digest)
COSIGN_SIGNATURES = {
    "valid.signature-1": ("containers-image-cosign.pub", "valid.manifest.json"),
    "valid-2.signature-2": ("containers-image-cosign.pub", "valid.manifest.json"),
    "key-rekor-valid.signature-1": (
        "containers-image-cosign2.pub",
        "key-rekor-valid.manifest.json",
    ),
    "fulcio-rekor-valid.signature-1": ("certificate", "key-rekor-valid.manifest.json"),
    "pki-valid.signature-1": ("certificate", "pki-valid.manifest.json"),
    # containers/image's own signer: an independent writer of the same payload
    "valid-with-tag.signature-1": ("containers-image-cosign.pub", "valid.manifest.json"),
}
OTHER_DIGEST = "sha256:" + "0" * 64


@pytest.mark.parametrize("name", sorted(COSIGN_SIGNATURES))
def test_cosign_signatures_verify(name: str) -> None:
    signer, manifest = COSIGN_SIGNATURES[name]
    payload, signature, annotations = _signature(name)
    if signer == "certificate":
        pub = load_public_key(
            annotations["dev.sigstore.cosign/certificate"].encode(), source="certificate"
        )
    else:
        pub = _pub(signer)
    verify(pub, signature, payload)
    digest = "sha256:" + hashlib.sha256((SIGS / manifest).read_bytes()).hexdigest()
    parsed = parse_payload(payload)
    assert parsed.raw == payload
    assert parsed.manifest_digest == digest
    assert parsed.type == "cosign container image signature"
    check_payload(parsed, digest, {})
    with pytest.raises(SignError) as err:
        check_payload(parsed, OTHER_DIGEST, {})
    assert str(err.value) == (
        f"the signature is for another image: {digest} (wanted {OTHER_DIGEST})"
    )
    with pytest.raises(
        SignError, match=r"^annotation mismatch: env=prod required, the signature has no env$"
    ):
        check_payload(parsed, digest, {"env": "prod"})
    # one flipped byte of the payload, or the other key, and it no longer verifies
    with pytest.raises(SignError, match="does not verify"):
        verify(pub, signature, payload.replace(b'"critical"', b'"Critical"'))
    other = (
        "containers-image-cosign.pub"
        if signer != "containers-image-cosign.pub"
        else ("containers-image-cosign2.pub")
    )
    if signer != "certificate":
        assert key_id(_pub(other)) != key_id(pub)
        with pytest.raises(SignError, match="does not verify"):
            verify(_pub(other), signature, payload)
    # what cosign wrote is what make_payload writes (the string annotations only: the one
    # with a numeric timestamp is containers/image's)
    strings = {k: v for k, v in parsed.annotations.items() if isinstance(v, str)}
    if len(strings) == len(parsed.annotations):
        assert make_payload(parsed.docker_reference, digest, strings) == payload


def test_independent_payload_with_non_string_annotations() -> None:
    payload, _, _ = _signature("valid-with-tag.signature-1")
    parsed = parse_payload(payload)
    assert parsed.docker_reference == "192.168.64.2:5000/skopeo-signed:tag"
    assert parsed.annotations == {"creator": "containers/image 5.21.2-dev", "timestamp": 1657296609}
    with pytest.raises(SignError) as err:
        check_payload(parsed, parsed.manifest_digest, {"timestamp": "1657296609"})
    assert str(err.value) == (
        "annotation mismatch: timestamp=1657296609 required, the signature has "
        "timestamp=1657296609 (a JSON number, not a string)"
    )
    check_payload(parsed, parsed.manifest_digest, {"creator": "containers/image 5.21.2-dev"})
