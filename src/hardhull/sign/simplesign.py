"""The "simple signing" payload cosign signs for a container image.

Public API:

- :func:`make_payload` ``(docker_reference, manifest_digest, annotations) -> bytes``: the
  payload, byte for byte as cosign writes it.
- :func:`parse_payload` ``(data) -> Payload``: a payload read back, its structure checked.
- :func:`check_payload` ``(payload, manifest_digest, required)``: the payload is for that
  manifest digest and has the required annotations; otherwise a
  :class:`~hardhull.sign.SignError` naming both sides.
- :class:`Payload`: ``docker_reference``, ``manifest_digest``, ``type``, ``annotations``
  (a dict; values are normally strings, but other JSON values from other signers are kept),
  ``raw`` (the exact bytes, which are what the signature covers).

The payload (``application/vnd.dev.cosign.simplesigning.v1+json``) is::

    {"critical":{"identity":{"docker-reference":REF},"image":{"docker-manifest-digest":DIGEST},
    "type":"cosign container image signature"},"optional":ANNOTATIONS-OR-null}

on one line, without spaces: cosign marshals it with Go's ``encoding/json``, so fields are in
that order, ``optional`` is ``null`` when no ``-a key=value`` was given, map keys are sorted, and
strings are escaped as Go escapes them (``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\uXXXX``,
other control characters as ``\\n``, ``\\t``, ``\\b``, ``\\f``, ``\\r`` or ``\\u00xx``, the rest
as UTF-8). cosign puts the image's repository (``registry/path``, without tag or digest) in
``docker-reference``; which reference to claim is the caller's choice.

Reading is stricter than cosign's Go decoder where leniency could mislead: a duplicated key,
an unknown field inside ``critical``, or a ``type`` other than ``cosign container image
signature`` (e.g. the ``atomic container signature`` of containers/image) is refused. Unknown
top-level fields are ignored, as cosign does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from hardhull.sign import SignError

#: ``critical.type`` of a cosign image signature
COSIGN_TYPE = "cosign container image signature"
#: the media type of the payload layer in a ``.sig`` manifest
MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
#: a payload larger than this is not a simple-signing payload
MAX_PAYLOAD = 1024 * 1024

_DIGEST = re.compile(r"(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})")
_GO_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@dataclass(frozen=True)
class Payload:
    """A simple-signing payload as read by :func:`parse_payload`."""

    docker_reference: str
    manifest_digest: str
    type: str
    annotations: dict[str, object] = field(default_factory=dict)
    raw: bytes = b""


def _go_string(s: str) -> str:
    """``s`` as Go's ``json.Marshal`` writes a string (HTML-safe escaping, Go >= 1.22)."""
    out = ['"']
    for ch in s:
        esc = _GO_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            out.append("\\ufffd")  # Go writes invalid UTF-8 as U+FFFD
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _check_digest(digest: object, what: str) -> str:
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        shown = digest if isinstance(digest, str) and len(digest) <= 140 else type(digest).__name__
        raise SignError(
            f"{what} {shown!r} is not a manifest digest (sha256: and 64 lowercase hex digits)"
        )
    return digest


def make_payload(
    docker_reference: str, manifest_digest: str, annotations: Mapping[str, str] | None
) -> bytes:
    """The payload cosign signs for the image ``manifest_digest`` (see the module docstring);
    no annotations (``None`` or empty) give ``"optional":null``, as ``cosign sign`` without
    ``-a``."""
    if not isinstance(docker_reference, str):
        raise SignError("the docker reference must be a string")
    _check_digest(manifest_digest, "the manifest digest")
    if annotations:
        for k, v in annotations.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise SignError("annotations must map strings to strings")
        # Go sorts map keys by their UTF-8 bytes, which is code point order
        optional = (
            "{"
            + ",".join(f"{_go_string(k)}:{_go_string(annotations[k])}" for k in sorted(annotations))
            + "}"
        )
    else:
        optional = "null"
    text = (
        '{"critical":{"identity":{"docker-reference":'
        + _go_string(docker_reference)
        + '},"image":{"docker-manifest-digest":'
        + _go_string(manifest_digest)
        + '},"type":'
        + _go_string(COSIGN_TYPE)
        + '},"optional":'
        + optional
        + "}"
    )
    return text.encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in pairs:
        if k in out:
            raise SignError(f"not a simple-signing payload: the key {k!r} appears twice")
        out[k] = v
    return out


def _no_constant(name: str) -> object:
    raise SignError(f"not a simple-signing payload: {name} is not JSON")


def _object(obj: dict[str, object], key: str, where: str) -> dict[str, object]:
    value = obj.get(key)
    if not isinstance(value, dict):
        missing = "no" if key not in obj else "a non-object"
        raise SignError(f"not a simple-signing payload: {missing} {where}{key!r} object")
    return value


def _only(obj: dict[str, object], keys: set[str], where: str) -> None:
    extra = sorted(set(obj) - keys)
    if extra:
        raise SignError(f"not a simple-signing payload: unknown field {where}.{extra[0]!r}")


def _string(obj: dict[str, object], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        missing = "no" if key not in obj else "a non-string"
        raise SignError(f"not a simple-signing payload: {missing} {where}.{key!r}")
    return value


def parse_payload(data: bytes) -> Payload:
    """The payload in ``data``, its structure checked (see the module docstring)."""
    if not isinstance(data, bytes | bytearray):
        raise SignError("not a simple-signing payload: not bytes")
    raw = bytes(data)
    if len(raw) > MAX_PAYLOAD:
        raise SignError(f"not a simple-signing payload: {len(raw)} bytes is too large")
    try:
        doc = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except (ValueError, RecursionError):
        raise SignError("not a simple-signing payload: not UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise SignError("not a simple-signing payload: not a JSON object")
    critical = _object(doc, "critical", "")
    _only(critical, {"identity", "image", "type"}, "critical")
    identity = _object(critical, "identity", "critical.")
    _only(identity, {"docker-reference"}, "critical.identity")
    image = _object(critical, "image", "critical.")
    _only(image, {"docker-manifest-digest"}, "critical.image")
    kind = _string(critical, "type", "critical")
    if kind != COSIGN_TYPE:
        raise SignError(
            f"not a cosign image signature: critical.type is {kind[:100]!r} "
            f"(wanted {COSIGN_TYPE!r})"
        )
    reference = _string(identity, "docker-reference", "critical.identity")
    digest = _check_digest(
        _string(image, "docker-manifest-digest", "critical.image"),
        "critical.image.docker-manifest-digest",
    )
    optional = doc.get("optional")
    if optional is None:
        annotations: dict[str, object] = {}
    elif isinstance(optional, dict):
        annotations = dict(optional)
    else:
        raise SignError("not a simple-signing payload: 'optional' is neither an object nor null")
    return Payload(
        docker_reference=reference,
        manifest_digest=digest,
        type=kind,
        annotations=annotations,
        raw=raw,
    )


def _shown(value: object) -> str:
    """An annotation's value; a non-string one (from another signer) says its JSON type."""
    if isinstance(value, str):
        return value
    kind = (
        "boolean"
        if isinstance(value, bool)
        else "number"
        if isinstance(value, int | float)
        else "null"
        if value is None
        else "array"
        if isinstance(value, list)
        else "object"
    )
    text = json.dumps(value, sort_keys=True)
    return f"{text if len(text) <= 200 else text[:200] + '…'} (a JSON {kind}, not a string)"


def check_payload(payload: Payload, manifest_digest: str, required: Mapping[str, str]) -> None:
    """Return if ``payload`` is for ``manifest_digest`` and has every ``required`` annotation
    with its value; raise :class:`SignError` naming both sides otherwise (annotations are not
    secret: they are in the signed payload, readable by anyone who can pull the image)."""
    if payload.manifest_digest != manifest_digest:
        raise SignError(
            f"the signature is for another image: {payload.manifest_digest} "
            f"(wanted {manifest_digest})"
        )
    problems = []
    for key in sorted(required):
        want = required[key]
        if key not in payload.annotations:
            problems.append(f"{key}={want} required, the signature has no {key}")
        elif payload.annotations[key] != want:
            have = _shown(payload.annotations[key])
            problems.append(f"{key}={want} required, the signature has {key}={have}")
    if problems:
        raise SignError("annotation mismatch: " + "; ".join(problems))


__all__ = [
    "COSIGN_TYPE",
    "MAX_PAYLOAD",
    "MEDIA_TYPE",
    "Payload",
    "check_payload",
    "make_payload",
    "parse_payload",
]
