"""Bundles and attestations written by others (tests/data/sigstore/SOURCES.md): hardhull
verifies them with the key they were made with and refuses them with another key."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hardhull.sign import SignError
from hardhull.sign.bundle import verify_bundle
from hardhull.sign.crypto import PublicKey, key_id
from hardhull.sign.dsse import (
    INTOTO_PAYLOAD_TYPE,
    check_statement,
    make_statement,
    parse_statement,
    verify_envelope,
)
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "sigstore"
COSIGN_DIGEST = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
OTHER = ec.generate_private_key(ec.SECP256R1()).public_key()


def _json(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return doc


def _pem(name: str) -> PublicKey:
    key = serialization.load_pem_public_key((DATA / name).read_bytes())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def _leaf_key(bundle: dict[str, Any]) -> PublicKey:
    der = base64.b64decode(bundle["verificationMaterial"]["certificate"]["rawBytes"])
    key = x509.load_der_x509_certificate(der).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def test_cosign_attestation_bundle_verifies_with_its_certificate_key() -> None:
    bundle = _json("cosign-oci-attestation.sigstore.json")
    key = _leaf_key(bundle)
    verified = verify_bundle(bundle, key)
    assert verified.kind == "dsse"
    assert verified.payload_type == INTOTO_PAYLOAD_TYPE
    assert verified.key_id == key_id(key)
    assert verified.certificate == base64.b64decode(
        bundle["verificationMaterial"]["certificate"]["rawBytes"]
    )
    assert verified.payload is not None
    stmt = parse_statement(verified.payload)
    check_statement(stmt, COSIGN_DIGEST, "custom")
    assert stmt.subjects == [("127.0.0.1:60943/repo", {"sha256": COSIGN_DIGEST[7:]})]
    # the same DSSE envelope, verified on its own
    assert verify_envelope(bundle["dsseEnvelope"], key) == verified.payload


def test_make_statement_writes_what_cosign_wrote() -> None:
    bundle = _json("cosign-oci-attestation.sigstore.json")
    theirs = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    ours = json.loads(
        make_statement(
            "127.0.0.1:60943/repo",
            COSIGN_DIGEST,
            "custom",
            b'{"foo": "bar"}\n',
            now=datetime(2025, 2, 28, 19, 18, 11, tzinfo=UTC),
        )
    )
    assert ours == theirs


def test_cosign_attestation_bundle_is_refused_for_another_key_or_image() -> None:
    bundle = _json("cosign-oci-attestation.sigstore.json")
    with pytest.raises(SignError, match=r"^the bundle's certificate holds another key$"):
        verify_bundle(bundle, OTHER)
    with pytest.raises(SignError, match=r"^the DSSE envelope's signature does not verify"):
        verify_envelope(bundle["dsseEnvelope"], OTHER)
    verified = verify_bundle(bundle, _leaf_key(bundle))
    assert verified.payload is not None
    with pytest.raises(SignError, match="the attestation is for another image"):
        check_statement(parse_statement(verified.payload), "sha256:" + "0" * 64, None)
    with pytest.raises(SignError, match=r"predicate type .*, wanted https://cyclonedx\.org/bom"):
        check_statement(parse_statement(verified.payload), COSIGN_DIGEST, "cyclonedx")


def test_keyed_conformance_bundle_verifies_with_its_key() -> None:
    bundle = _json("conformance-managed-key.sigstore.json")
    artifact = (DATA / "conformance-a.txt").read_bytes()
    key = _pem("conformance-managed-key.pub")
    verified = verify_bundle(bundle, key, message=artifact)
    assert (verified.kind, verified.payload, verified.key_id) == ("message", None, key_id(key))
    with pytest.raises(SignError, match=r"^the bundle's key hint names another key"):
        verify_bundle(bundle, OTHER, message=artifact)
    with pytest.raises(SignError, match="message digest does not match"):
        verify_bundle(bundle, key, message=artifact + b"\n")
