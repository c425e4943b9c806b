"""``hardhull.sign.dsse``: DSSE envelopes (PAE, sign, verify with precise refusals) and the
in-toto statements ``cosign attest`` writes for each ``--type``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign import SignError
from hardhull.sign.crypto import PrivateKey
from hardhull.sign.dsse import (
    INTOTO_PAYLOAD_TYPE,
    PREDICATE_TYPES,
    STATEMENT_V01,
    Statement,
    check_statement,
    make_statement,
    pae,
    parse_statement,
    sign_envelope,
    verify_envelope,
)

KEY = ec.generate_private_key(ec.SECP256R1())
OTHER = ec.generate_private_key(ec.SECP256R1())
DIGEST = "sha256:" + "ab" * 32
OTHER_DIGEST = "sha256:" + "cd" * 32


def test_pae_is_the_dsse_v1_encoding() -> None:
    # the example of the DSSE protocol document
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("", b"") == b"DSSEv1 0  0 "
    assert pae("t", "é".encode()) == b"DSSEv1 1 t 2 " + "é".encode()


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
def test_sign_then_verify_envelope(key: PrivateKey) -> None:
    env = sign_envelope(key, INTOTO_PAYLOAD_TYPE, b'{"a":1}', keyid="k1")
    assert env["payloadType"] == INTOTO_PAYLOAD_TYPE
    assert base64.b64decode(env["payload"]) == b'{"a":1}'
    assert env["signatures"][0]["keyid"] == "k1"
    assert verify_envelope(env, key.public_key()) == b'{"a":1}'
    with pytest.raises(SignError, match=r"^the DSSE envelope's signature does not verify with"):
        verify_envelope(env, OTHER.public_key())


def test_one_good_signature_among_several_suffices() -> None:
    env = sign_envelope(OTHER, "t", b"x")
    env["signatures"] += sign_envelope(KEY, "t", b"x")["signatures"]
    assert verify_envelope(env, KEY.public_key()) == b"x"
    third = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(SignError, match=r"^none of the DSSE envelope's 2 signatures verifies"):
        verify_envelope(env, third)


def test_the_signature_covers_type_and_payload() -> None:
    env = sign_envelope(KEY, "t", b"payload")
    for field, value in (
        ("payloadType", "other"),
        ("payload", base64.b64encode(b"payloaX").decode()),
    ):
        with pytest.raises(SignError, match="does not verify"):
            verify_envelope({**env, field: value}, KEY.public_key())


def test_url_safe_unpadded_base64_is_read() -> None:
    env = sign_envelope(KEY, "t", b"\xfb\xff payload?")
    urlsafe = {
        **env,
        "payload": base64.urlsafe_b64encode(b"\xfb\xff payload?").decode().rstrip("="),
    }
    assert verify_envelope(urlsafe, KEY.public_key()) == b"\xfb\xff payload?"


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        ([], r"^not a DSSE envelope"),
        ({"payload": "", "signatures": []}, r"^not a DSSE envelope: no payloadType"),
        ({"payloadType": "t", "signatures": []}, r"^not a DSSE envelope: no payload$"),
        ({"payloadType": "t", "payload": "%%", "signatures": []}, "is not valid base64"),
        ({"payloadType": "t", "payload": "", "signatures": []}, r"^the DSSE envelope has no sig"),
        ({"payloadType": "t", "payload": ""}, r"^the DSSE envelope has no signatures$"),
        ({"payloadType": "t", "payload": "", "signatures": {}}, "signatures is not a list"),
        ({"payloadType": "t", "payload": "", "signatures": [{"keyid": ""}]}, "1 has no sig"),
    ],
)
def test_refusals_are_precise(envelope: object, message: str) -> None:
    with pytest.raises(SignError, match=message):
        verify_envelope(envelope, KEY.public_key())  # type: ignore[arg-type]


# --- statements ----------------------------------------------------------------------------


def test_predicate_types_are_cosigns() -> None:
    assert PREDICATE_TYPES == {
        "slsaprovenance": "https://slsa.dev/provenance/v0.2",
        "slsaprovenance02": "https://slsa.dev/provenance/v0.2",
        "slsaprovenance1": "https://slsa.dev/provenance/v1",
        "link": "https://in-toto.io/Link/v1",
        "spdx": "https://spdx.dev/Document",
        "spdxjson": "https://spdx.dev/Document",
        "cyclonedx": "https://cyclonedx.org/bom",
        "vuln": "https://cosign.sigstore.dev/attestation/vuln/v1",
        "openvex": "https://openvex.dev/ns",
        "custom": "https://cosign.sigstore.dev/attestation/v1",
    }


def _statement(type_name: str, predicate: bytes) -> dict[str, object]:
    raw = make_statement(
        "registry.example/app",
        DIGEST,
        type_name,
        predicate,
        now=datetime(2025, 2, 28, 19, 18, 11, tzinfo=UTC),
    )
    doc: dict[str, object] = json.loads(raw)
    assert doc["_type"] == STATEMENT_V01
    assert doc["subject"] == [{"name": "registry.example/app", "digest": {"sha256": "ab" * 32}}]
    return doc


def test_custom_wraps_the_file_as_text_with_a_timestamp() -> None:
    # as cosign's own test data (tests/data/sigstore/cosign-oci-attestation.sigstore.json)
    doc = _statement("custom", b'{"foo": "bar"}\n')
    assert doc["predicateType"] == "https://cosign.sigstore.dev/attestation/v1"
    assert doc["predicate"] == {"Data": '{"foo": "bar"}\n', "Timestamp": "2025-02-28T19:18:11Z"}


def test_cyclonedx_spdxjson_openvex_embed_the_json() -> None:
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}
    for name in ("cyclonedx", "spdxjson", "openvex"):
        doc = _statement(name, json.dumps(bom).encode())
        assert doc["predicateType"] == PREDICATE_TYPES[name]
        assert doc["predicate"] == bom
    with pytest.raises(SignError, match="the cyclonedx predicate is not JSON"):
        make_statement("r", DIGEST, "cyclonedx", b"<xml/>")
    with pytest.raises(SignError, match="the cyclonedx predicate is not a JSON object"):
        make_statement("r", DIGEST, "cyclonedx", b"[]")


def test_spdx_embeds_the_file_as_a_string() -> None:
    doc = _statement("spdx", b"SPDXVersion: SPDX-2.3\n")
    assert doc["predicate"] == "SPDXVersion: SPDX-2.3\n"


def test_vuln_keeps_cosigns_fields_only() -> None:
    src = {
        "invocation": {"uri": "u", "extra": 1},
        "scanner": {"uri": "pkg:github/aquasecurity/trivy", "version": "0.50", "result": {"r": 1}},
        "metadata": {"scanStartedOn": "2024-01-01T00:00:00Z"},
        "unknown": True,
    }
    doc = _statement("vuln", json.dumps(src).encode())
    assert doc["predicateType"] == "https://cosign.sigstore.dev/attestation/vuln/v1"
    assert doc["predicate"] == {
        "invocation": {"parameters": None, "uri": "u", "event_id": "", "builder.id": ""},
        "scanner": {
            "uri": "pkg:github/aquasecurity/trivy",
            "version": "0.50",
            "db": {"uri": "", "version": ""},
            "result": {"r": 1},
        },
        "metadata": {
            "scanStartedOn": "2024-01-01T00:00:00Z",
            "scanFinishedOn": "0001-01-01T00:00:00Z",
        },
    }


def test_slsa_link_and_uri_types() -> None:
    prov = {"builder": {"id": "b"}, "buildType": "t", "junk": 1}
    assert _statement("slsaprovenance", json.dumps(prov).encode())["predicate"] == {
        "builder": {"id": "b"},
        "buildType": "t",
    }
    v1 = {"buildDefinition": {}, "runDetails": {"metadata": {"invocationID": "i"}}}
    assert _statement("slsaprovenance1", json.dumps(v1).encode())["predicate"] == {
        "buildDefinition": {},
        "runDetails": {"metadata": {"invocationId": "i"}},
    }
    with pytest.raises(SignError, match="link statement: required field _type missing"):
        make_statement("r", DIGEST, "link", b"{}")
    doc = _statement("https://example.com/mine/v1", b'{"k": "v"}')
    assert doc["predicateType"] == "https://example.com/mine/v1"
    assert doc["predicate"] == {"k": "v"}
    with pytest.raises(SignError, match="unknown predicate type 'sbom'"):
        make_statement("r", DIGEST, "sbom", b"{}")
    with pytest.raises(SignError, match="not an image digest"):
        make_statement("r", "sha256:xyz", "custom", b"")


def test_parse_and_check_a_statement() -> None:
    stmt = parse_statement(make_statement("r/app", DIGEST, "cyclonedx", b"{}"))
    assert stmt == Statement(
        type=STATEMENT_V01,
        predicate_type="https://cyclonedx.org/bom",
        subjects=[("r/app", {"sha256": "ab" * 32})],
        predicate={},
    )
    check_statement(stmt, DIGEST, "cyclonedx")
    check_statement(stmt, DIGEST, "https://cyclonedx.org/bom")
    check_statement(stmt, "AB" * 32, None)
    with pytest.raises(
        SignError, match=r"^the attestation is for another image \(subject sha256:ab"
    ):
        check_statement(stmt, OTHER_DIGEST, None)
    with pytest.raises(
        SignError,
        match=r"^predicate type https://cyclonedx.org/bom, wanted https://spdx.dev/Document$",
    ):
        check_statement(stmt, DIGEST, "spdx")


def test_cosign3_signature_statement_has_no_subject_name() -> None:
    payload = json.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"digest": {"sha256": "ab" * 32}, "annotations": {}}],
            "predicateType": "https://sigstore.dev/cosign/sign/v1",
            "predicate": {},
        }
    ).encode()
    stmt = parse_statement(payload)
    assert stmt.subjects == [("", {"sha256": "ab" * 32})]
    check_statement(stmt, DIGEST, "https://sigstore.dev/cosign/sign/v1")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"_type": "x"}', "not an in-toto statement"),
        (b'{"_type": "https://in-toto.io/Statement/v1"}', "no predicateType"),
        (b'{"_type": "https://in-toto.io/Statement/v1", "predicateType": "p"}', "no subject"),
        (
            b'{"_type": "https://in-toto.io/Statement/v1", "predicateType": "p", "subject": [1]}',
            "subject 1 of the in-toto statement is not an object",
        ),
    ],
)
def test_parse_statement_refusals(payload: bytes, message: str) -> None:
    with pytest.raises(SignError, match=message):
        parse_statement(payload)
