"""``hardhull.sign.simplesign``: the payload bytes as cosign's Go JSON writes them, the
structure checked on reading, and the digest and annotation checks naming both sides."""

from __future__ import annotations

import json

import pytest

from hardhull.sign import SignError
from hardhull.sign.simplesign import Payload, check_payload, make_payload, parse_payload

D = "sha256:" + "ab" * 32
E = "sha256:" + "cd" * 32


def test_payload_bytes_without_annotations() -> None:
    assert make_payload("registry.example/app", D, None) == (
        b'{"critical":{"identity":{"docker-reference":"registry.example/app"},'
        b'"image":{"docker-manifest-digest":"' + D.encode() + b'"},'
        b'"type":"cosign container image signature"},"optional":null}'
    )
    assert make_payload("registry.example/app", D, {}) == make_payload(
        "registry.example/app", D, None
    )


def test_payload_annotations_sorted_and_escaped_as_go() -> None:
    payload = make_payload("r/a", D, {"z": "1", "a": "<x&y>", "é": 'q"\\\n\t\x01\u2028é'})
    assert payload.endswith(
        b'"optional":{"a":"\\u003cx\\u0026y\\u003e","z":"1",'
        b'"\xc3\xa9":"q\\"\\\\\\n\\t\\u0001\\u2028\xc3\xa9"}}'
    )
    parsed = parse_payload(payload)
    assert parsed.annotations == {"z": "1", "a": "<x&y>", "é": 'q"\\\n\t\x01\u2028é'}
    # what Python's json would write differs (spaces, no HTML escaping): we must not use it
    assert json.loads(payload) == json.loads(payload.decode())


def test_make_payload_refuses_a_non_digest() -> None:
    for bad in ("latest", "sha256:" + "AB" * 32, "sha256:abc", "md5:" + "a" * 32):
        with pytest.raises(SignError, match="is not a manifest digest"):
            make_payload("r/a", bad, None)
    with pytest.raises(SignError, match="annotations must map strings to strings"):
        make_payload("r/a", D, {"a": 1})  # type: ignore[dict-item]


def test_parse_round_trip() -> None:
    raw = make_payload("r/a", D, {"env": "prod"})
    p = parse_payload(raw)
    assert p == Payload("r/a", D, "cosign container image signature", {"env": "prod"}, raw)
    check_payload(p, D, {"env": "prod"})
    check_payload(p, D, {})


def test_check_payload_messages() -> None:
    p = parse_payload(make_payload("r/a", D, {"env": "dev", "team": "a"}))
    with pytest.raises(SignError) as err:
        check_payload(p, E, {})
    assert str(err.value) == f"the signature is for another image: {D} (wanted {E})"
    with pytest.raises(SignError) as err:
        check_payload(p, D, {"env": "prod", "team": "a", "zone": "eu"})
    assert str(err.value) == (
        "annotation mismatch: env=prod required, the signature has env=dev; "
        "zone=eu required, the signature has no zone"
    )


def _doc(**changes: object) -> bytes:
    doc: dict[str, object] = json.loads(make_payload("r/a", D, None))
    critical = doc["critical"]
    assert isinstance(critical, dict)
    for k, v in changes.items():
        if k == "top":
            doc = v  # type: ignore[assignment]
        elif k in ("optional", "extra"):
            doc[k] = v
        elif v is None:
            del critical[k]
        else:
            critical[k] = v
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a simple-signing payload: not UTF-8 JSON"),
        (b"\xff", "not a simple-signing payload: not UTF-8 JSON"),
        (b"[]", "not a simple-signing payload: not a JSON object"),
        (b"{}", "not a simple-signing payload: no 'critical' object"),
        (
            _doc(type="atomic container signature"),
            "not a cosign image signature: critical.type is 'atomic container signature' "
            "(wanted 'cosign container image signature')",
        ),
        (_doc(type=None), "not a simple-signing payload: no critical.'type'"),
        (_doc(image=None), "not a simple-signing payload: no critical.'image' object"),
        (
            _doc(image={"docker-manifest-digest": "latest"}),
            "critical.image.docker-manifest-digest 'latest' is not a manifest digest",
        ),
        (
            _doc(image={"docker-manifest-digest": 5}),
            "not a simple-signing payload: a non-string critical.image.'docker-manifest-digest'",
        ),
        (
            _doc(identity={}),
            "not a simple-signing payload: no critical.identity.'docker-reference'",
        ),
        (
            _doc(identity={"docker-reference": "r", "x": 1}),
            "not a simple-signing payload: unknown field critical.identity.'x'",
        ),
        (_doc(more=1), "not a simple-signing payload: unknown field critical.'more'"),
        (
            _doc(optional=[1]),
            "not a simple-signing payload: 'optional' is neither an object nor null",
        ),
        (
            b'{"critical":{},"critical":{}}',
            "not a simple-signing payload: the key 'critical' appears twice",
        ),
        (b'{"critical":NaN}', "not a simple-signing payload: NaN is not JSON"),
        (b"[" * 100000 + b"]" * 100000, "not a simple-signing payload: not UTF-8 JSON"),
    ],
)
def test_not_a_payload(data: bytes, message: str) -> None:
    with pytest.raises(SignError) as err:
        parse_payload(data)
    assert str(err.value).startswith(message)


def test_unknown_top_level_fields_are_ignored_as_cosign_does() -> None:
    p = parse_payload(_doc(extra={"x": 1}))
    assert p.manifest_digest == D and p.annotations == {}


def test_lone_surrogates_are_written_as_go_writes_invalid_utf8() -> None:
    raw = make_payload("r/\ud800", D, {"k\udfff": "v"})
    assert b'"docker-reference":"r/\\ufffd"' in raw
    assert parse_payload(raw).annotations == {"k\ufffd": "v"}
