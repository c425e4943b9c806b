"""Arbitrary input into the key and payload readers: a SignError or a result, never another
exception (and never a hang: hostile scrypt parameters are refused before any work)."""

from __future__ import annotations

import base64
import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.sign import SignError
from hardhull.sign.keys import load_private_key, load_public_key
from hardhull.sign.simplesign import make_payload, parse_payload

LABELS = [
    "ENCRYPTED SIGSTORE PRIVATE KEY",
    "ENCRYPTED COSIGN PRIVATE KEY",
    "PRIVATE KEY",
    "EC PRIVATE KEY",
    "RSA PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "CERTIFICATE",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
SCRYPT_SHAPED = st.fixed_dictionaries(
    {
        "kdf": st.fixed_dictionaries(
            {
                "name": st.sampled_from(["scrypt", "x"]),
                "params": st.fixed_dictionaries(
                    {
                        "N": st.integers(-5, 2**40),
                        "r": st.integers(-1, 2**20),
                        "p": st.integers(-1, 2**20),
                    }
                )
                | JSON,
                "salt": st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()) | JSON,
            }
        ),
        "cipher": st.fixed_dictionaries(
            {
                "name": st.sampled_from(["nacl/secretbox", "y"]),
                "nonce": st.binary(min_size=20, max_size=28).map(
                    lambda b: base64.b64encode(b).decode()
                ),
            }
        )
        | JSON,
        "ciphertext": st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()) | JSON,
    }
)


def _pem(label: str, body: bytes) -> bytes:
    return f"-----BEGIN {label}-----\n".encode() + body + f"\n-----END {label}-----\n".encode()


PEMS = st.builds(
    _pem,
    st.sampled_from(LABELS),
    st.binary(max_size=300)
    | st.binary(max_size=300).map(base64.b64encode)
    | SCRYPT_SHAPED.map(lambda d: base64.b64encode(json.dumps(d).encode()))
    | JSON.map(lambda d: base64.b64encode(json.dumps(d).encode())),
)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048) | PEMS, password=st.none() | st.binary(max_size=8))
def test_key_readers_raise_only_sign_error(data: bytes, password: bytes | None) -> None:
    with contextlib.suppress(SignError):
        load_private_key(data, password, source="k")
    with contextlib.suppress(SignError):
        load_public_key(data, source="p")


PAYLOADS = (
    st.binary(max_size=1024)
    | JSON.map(lambda d: json.dumps(d).encode())
    | st.builds(
        lambda ref, digest, ann, crit, opt: json.dumps(
            {
                "critical": {
                    "identity": {"docker-reference": ref},
                    "image": {"docker-manifest-digest": digest},
                    "type": "cosign container image signature",
                    **crit,
                },
                "optional": opt if opt is not None else ann,
            }
        ).encode(),
        JSON | st.text(max_size=30),
        JSON | st.sampled_from(["sha256:" + "a" * 64, "sha256:" + "A" * 64, "sha512:" + "b" * 128]),
        JSON,
        st.dictionaries(st.text(max_size=5), JSON, max_size=2),
        st.none() | JSON,
    )
)


@settings(max_examples=300, deadline=None)
@given(data=PAYLOADS)
def test_parse_payload_raises_only_sign_error(data: bytes) -> None:
    with contextlib.suppress(SignError):
        parse_payload(data)


@settings(max_examples=200, deadline=None)
@given(
    ref=st.text(max_size=40),
    annotations=st.none() | st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=4),
)
def test_make_then_parse_round_trips(ref: str, annotations: dict[str, str] | None) -> None:
    digest = "sha256:" + "e" * 64
    raw = make_payload(ref, digest, annotations)
    p = parse_payload(raw)
    assert p.raw == raw and p.manifest_digest == digest
    assert p.docker_reference == ref
    assert p.annotations == (annotations or {})
    assert json.loads(raw) == json.loads(raw.decode("utf-8"))
