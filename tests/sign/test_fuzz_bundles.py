"""Garbage in, SignError out: ``verify_envelope``, ``parse_statement`` and ``verify_bundle``
raise nothing else on arbitrary JSON values, on mutations of real envelopes and bundles, and
on arbitrary bytes."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.sign import SignError
from hardhull.sign.bundle import dsse_bundle, message_bundle, signature_statement, verify_bundle
from hardhull.sign.crypto import sign
from hardhull.sign.dsse import INTOTO_PAYLOAD_TYPE, parse_statement, sign_envelope, verify_envelope

KEY = ec.generate_private_key(ec.SECP256R1())
PUB = KEY.public_key()
STATEMENT = signature_statement("sha256:" + "ab" * 32, {"a": "b"})
ENVELOPE = sign_envelope(KEY, INTOTO_PAYLOAD_TYPE, STATEMENT)
DSSE_BUNDLE = dsse_bundle(ENVELOPE, PUB)
MESSAGE_BUNDLE = message_bundle(b"m", sign(KEY, b"m"), PUB)

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=20,
)
#: keys and values that reach deeper code than random text
field_names = st.sampled_from(
    [
        "payloadType",
        "payload",
        "signatures",
        "sig",
        "keyid",
        "mediaType",
        "verificationMaterial",
        "publicKey",
        "hint",
        "certificate",
        "x509CertificateChain",
        "certificates",
        "rawBytes",
        "messageSignature",
        "messageDigest",
        "algorithm",
        "digest",
        "signature",
        "dsseEnvelope",
        "tlogEntries",
        "_type",
        "predicateType",
        "subject",
        "name",
        "predicate",
    ]
)
field_values = json_values | st.sampled_from(
    [
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.9",
        "SHA2_256",
        "SHA3_384",
        "https://in-toto.io/Statement/v1",
        "AAAA",
        "%%%",
        "\ud800",
        {"\udfff": "\ud800"},
        "A" * 43 + "=",
        "ab" * 32,
        base64.b64encode(b"\x30\x03\x02\x01\x01").decode(),
        [],
        [{}],
        [{"sig": ""}],
    ]
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            doc = copy.deepcopy(draw(field_values))
            continue
        node = doc
        for p in path[:-1]:
            node = node[p]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(node, dict):
            node.pop(path[-1], None)
        elif action == "add" and isinstance(node, dict):
            node[draw(field_names)] = copy.deepcopy(draw(field_values))
        else:
            node[path[-1]] = copy.deepcopy(draw(field_values))
        if not isinstance(doc, (dict, list)):
            break
    return doc


def _envelope(payload: Any) -> dict[str, Any]:
    return {
        "payloadType": INTOTO_PAYLOAD_TYPE,
        "payload": base64.b64encode(json.dumps(payload).encode()).decode(),
        "signatures": [],
    }


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(SignError):
        fn(*args, **kwargs)


@settings(max_examples=300, deadline=None)
@given(json_values | mutated(ENVELOPE) | mutated(DSSE_BUNDLE["dsseEnvelope"]))
def test_verify_envelope_raises_only_sign_error(envelope: Any) -> None:
    _quiet(verify_envelope, envelope, PUB)


@settings(max_examples=300, deadline=None)
@given(json_values | mutated(json.loads(STATEMENT)) | st.binary(max_size=200))
def test_parse_statement_raises_only_sign_error(value: Any) -> None:
    payload = value if isinstance(value, bytes) else json.dumps(value).encode()
    _quiet(parse_statement, payload)


@settings(max_examples=400, deadline=None)
@given(
    json_values | mutated(DSSE_BUNDLE) | mutated(MESSAGE_BUNDLE), st.none() | st.binary(max_size=8)
)
def test_verify_bundle_raises_only_sign_error(bundle: Any, message: bytes | None) -> None:
    _quiet(verify_bundle, bundle, PUB, message=message)


def test_deep_nesting_is_a_sign_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    _quiet(parse_statement, deep)
    _quiet(verify_bundle, {"mediaType": "x", "nested": json.loads(b"[" * 500 + b"]" * 500)}, PUB)
    _quiet(verify_envelope, _envelope({"x": 1}), PUB)
