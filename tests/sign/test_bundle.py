"""``hardhull.sign.bundle``: v0.3 bundles of a message signature or a DSSE envelope, written
with the key hint cosign writes and verified step by step with precise refusals."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign import SignError
from hardhull.sign.bundle import (
    BUNDLE_MEDIA_TYPE,
    Verified,
    dsse_bundle,
    key_hint,
    message_bundle,
    signature_statement,
    verify_bundle,
)
from hardhull.sign.crypto import PrivateKey, key_id, sign
from hardhull.sign.dsse import (
    COSIGN_SIGN_PREDICATE_TYPE,
    INTOTO_PAYLOAD_TYPE,
    check_statement,
    parse_statement,
    sign_envelope,
)

KEY = ec.generate_private_key(ec.SECP256R1())
PUB = KEY.public_key()
OTHER = ec.generate_private_key(ec.SECP256R1())
DIGEST = "sha256:" + "0f" * 32
MESSAGE = b"the signed bytes"


def _message_bundle(key: PrivateKey = KEY) -> dict[str, Any]:
    return message_bundle(MESSAGE, sign(key, MESSAGE), key.public_key())


def _dsse_bundle(key: PrivateKey = KEY) -> dict[str, Any]:
    env = sign_envelope(key, INTOTO_PAYLOAD_TYPE, signature_statement(DIGEST, {"env": "prod"}))
    return dsse_bundle(env, key.public_key())


def test_message_bundle_shape_and_verification() -> None:
    bundle = _message_bundle()
    der = PUB.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert (
        bundle["mediaType"] == BUNDLE_MEDIA_TYPE == "application/vnd.dev.sigstore.bundle.v0.3+json"
    )
    assert bundle["verificationMaterial"] == {
        "publicKey": {"hint": base64.b64encode(hashlib.sha256(der).digest()).decode()},
        "tlogEntries": [],
    }
    assert bundle["messageSignature"]["messageDigest"] == {
        "algorithm": "SHA2_256",
        "digest": base64.b64encode(hashlib.sha256(MESSAGE).digest()).decode(),
    }
    # the JSON as stored round-trips
    bundle = json.loads(json.dumps(bundle))
    assert verify_bundle(bundle, PUB, message=MESSAGE) == Verified(
        kind="message", payload=None, key_id=key_id(PUB)
    )


@pytest.mark.parametrize(
    "key",
    [
        KEY,
        ec.generate_private_key(ec.SECP384R1()),
        ed25519.Ed25519PrivateKey.generate(),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    ],
    ids=lambda k: type(k).__name__,
)
def test_dsse_bundle_of_cosign3_signature_statement(key: PrivateKey) -> None:
    verified = verify_bundle(_dsse_bundle(key), key.public_key())
    assert verified.kind == "dsse"
    assert verified.payload_type == INTOTO_PAYLOAD_TYPE
    assert verified.payload is not None
    stmt = parse_statement(verified.payload)
    assert stmt.type == "https://in-toto.io/Statement/v1"
    assert stmt.subjects == [("", {"sha256": "0f" * 32})]
    check_statement(stmt, DIGEST, COSIGN_SIGN_PREDICATE_TYPE)
    assert json.loads(verified.payload)["subject"][0]["annotations"] == {"env": "prod"}


def test_dsse_bundle_keeps_the_signature_of_the_key() -> None:
    env = sign_envelope(OTHER, "t", b"x", keyid="other")
    env["signatures"] += sign_envelope(KEY, "t", b"x", keyid="mine")["signatures"]
    bundle = dsse_bundle(env, PUB)
    assert [s["keyid"] for s in bundle["dsseEnvelope"]["signatures"]] == ["mine"]
    third = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(SignError, match="no signature of the DSSE envelope verifies"):
        dsse_bundle(env, third)
    with pytest.raises(SignError, match="does not verify"):
        message_bundle(MESSAGE, sign(OTHER, MESSAGE), PUB)


def _tamper(bundle: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    out = copy.deepcopy(bundle)
    node = out
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return out


def test_refusals_are_precise() -> None:
    mb, db = _message_bundle(), _dsse_bundle()
    other_payload = base64.b64encode(signature_statement("sha256:" + "1f" * 32)).decode()
    cases: list[tuple[object, str]] = [
        ([], r"^not a Sigstore bundle: a JSON object"),
        ({}, r"^not a Sigstore bundle: no mediaType$"),
        (_tamper(mb, "mediaType", "application/json"), r"^not a Sigstore bundle: media type"),
        (
            _tamper(mb, "mediaType", "application/vnd.dev.sigstore.bundle.v0.4+json"),
            r"^unsupported Sigstore bundle media type .*v0\.4\+json \(version 0\.4; hardhull",
        ),
        (_tamper(mb, "verificationMaterial", None), "no verificationMaterial"),
        (
            _tamper(mb, "verificationMaterial.publicKey.hint", key_hint(OTHER.public_key())),
            r"^the bundle's key hint names another key \(hint ",
        ),
        (
            _tamper(mb, "verificationMaterial.publicKey.hint", key_id(OTHER.public_key())),
            r"^the bundle's key hint names another key",
        ),
        (
            _tamper(
                mb, "messageSignature.messageDigest.digest", base64.b64encode(b"x" * 32).decode()
            ),
            r"^the bundle's message digest does not match the message \(sha256 7878",
        ),
        (
            _tamper(mb, "messageSignature.signature", base64.b64encode(b"0" * 70).decode()),
            r"^the bundle's signature does not verify with this key$",
        ),
        (_tamper(db, "dsseEnvelope.payload", other_payload), r"^the bundle's signature does not"),
        (
            _tamper(db, "dsseEnvelope.signatures", db["dsseEnvelope"]["signatures"] * 2),
            "its DSSE envelope has 2 signatures",
        ),
        (_tamper(db, "dsseEnvelope", None), "neither messageSignature nor dsseEnvelope"),
    ]
    for bundle, message in cases:
        with pytest.raises(SignError, match=message):
            verify_bundle(bundle, PUB, message=MESSAGE)  # type: ignore[arg-type]
    with pytest.raises(SignError, match="needs the signed message"):
        verify_bundle(mb, PUB)
    with pytest.raises(SignError, match=r"^the bundle's message digest does not match"):
        verify_bundle(mb, PUB, message=b"other bytes")


def test_a_signature_by_another_key_under_a_free_form_hint() -> None:
    # a hint that is not a SHA-256 key identifier names nothing checkable: the signature decides
    bundle = _tamper(_dsse_bundle(OTHER), "verificationMaterial.publicKey.hint", "my-release-key")
    with pytest.raises(SignError, match=r"^the bundle's signature does not verify with this key$"):
        verify_bundle(bundle, PUB)
    assert verify_bundle(bundle, OTHER.public_key()).kind == "dsse"


def test_older_media_types_and_proto_field_names_are_read() -> None:
    mb = _message_bundle()
    for media_type in (
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
    ):
        assert verify_bundle({**mb, "mediaType": media_type}, PUB, message=MESSAGE)
    snake = {
        "media_type": mb["mediaType"],
        "verification_material": {"public_key": mb["verificationMaterial"]["publicKey"]},
        "message_signature": {
            "message_digest": mb["messageSignature"]["messageDigest"],
            "signature": mb["messageSignature"]["signature"],
        },
    }
    assert verify_bundle(snake, PUB, message=MESSAGE).kind == "message"
