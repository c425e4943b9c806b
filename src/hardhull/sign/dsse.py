"""DSSE envelopes and the in-toto statements ``cosign attest`` signs in them.

Public API:

- :func:`pae` ``(payload_type, payload) -> bytes``: DSSE's pre-authentication encoding, the
  bytes a DSSE signature covers.
- :func:`sign_envelope` ``(key, payload_type, payload, keyid="") -> dict``: a DSSE envelope
  (``payloadType``, ``payload`` base64, ``signatures[{keyid, sig}]``) with one signature.
- :func:`verify_envelope` ``(envelope, key) -> bytes``: the payload, when at least one of the
  envelope's signatures verifies with ``key``; :class:`~hardhull.sign.SignError` otherwise
  ("not a DSSE envelope: …", "the DSSE envelope has no signatures", "none of the DSSE
  envelope's N signatures verifies with this key"). It checks no payload type: the caller does
  (:data:`INTOTO_PAYLOAD_TYPE` for attestations), or :func:`parse_statement` refuses.
- :data:`INTOTO_PAYLOAD_TYPE` (``application/vnd.in-toto+json``), :data:`STATEMENT_V01`,
  :data:`STATEMENT_V1`, :data:`PREDICATE_TYPES` (``cosign attest --type`` name → predicate type
  URI), :data:`COSIGN_SIGN_PREDICATE_TYPE` (what cosign 3 signs an image with, see
  :mod:`hardhull.sign.bundle`).
- :func:`make_statement` ``(subject_name, digest, type_name, predicate_file_bytes, *, now=None)
  -> bytes``: the in-toto statement ``cosign attest --type TYPE --predicate FILE`` writes.
- :func:`parse_statement` ``(payload) -> Statement``; :func:`check_statement` ``(stmt, digest,
  predicate_type)`` raises SignError ("the attestation is for another image …", "predicate type
  X, wanted Y").
- :func:`b64decode` ``(text, what) -> bytes``: standard or URL-safe base64, padded or not
  (DSSE and protobuf JSON accept both), SignError naming ``what`` otherwise.

What cosign writes (read in sigstore/cosign at d6d86c2, ``pkg/cosign/attestation/
attestation.go`` ``GenerateStatement`` and ``cmd/cosign/cli/options/predicate.go``
``PredicateTypeMap``; ``cmd/cosign/cli/attest/attest.go`` for subject and payload type):

- ``_type`` ``https://in-toto.io/Statement/v0.1``; one subject, ``name`` the repository of the
  image (go-containerregistry's ``Repository.String()``: ``registry/path``, Docker Hub as
  ``index.docker.io/library/x``; the caller passes it) and ``digest {"sha256": hex}`` of the
  manifest; the DSSE ``payloadType`` ``application/vnd.in-toto+json``.
- predicate per ``--type``: ``custom`` (the default) wraps the file as text:
  ``{"Data": "<file>", "Timestamp": "<RFC 3339 UTC>"}``; ``vuln`` reads the file as cosign's
  vulnerability predicate and keeps only its fields (``invocation {parameters, uri, event_id,
  builder.id}``, ``scanner {uri, version, db {uri, version}, result}``, ``metadata
  {scanStartedOn, scanFinishedOn}``, zero values for what is missing); ``spdx`` embeds the
  file as one JSON string; ``spdxjson``, ``cyclonedx``, ``openvex`` and a predicate type given
  as a URI embed the file's JSON object; ``slsaprovenance``/``slsaprovenance02`` and
  ``slsaprovenance1`` keep the provenance's top-level fields of that version (cosign parses it
  with the protobuf types and drops unknown fields; v1's ``invocationID`` is renamed
  ``invocationId``); ``link`` requires the seven fields of an in-toto link.

Byte-for-byte equality with cosign's output is neither possible (Go's protojson varies its
whitespace on purpose) nor needed: what is signed is these bytes, and verifiers parse them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hardhull.sign import SignError
from hardhull.sign.crypto import PrivateKey, PublicKey, sign, verify

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_V01 = "https://in-toto.io/Statement/v0.1"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
#: cosign 3 signs an image as a DSSE-enveloped statement of this predicate type
COSIGN_SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1"
COSIGN_CUSTOM = "https://cosign.sigstore.dev/attestation/v1"
COSIGN_VULN = "https://cosign.sigstore.dev/attestation/vuln/v1"
SLSA_02 = "https://slsa.dev/provenance/v0.2"
SLSA_1 = "https://slsa.dev/provenance/v1"

#: ``cosign attest --type`` name → predicate type URI (cosign's PredicateTypeMap)
PREDICATE_TYPES: dict[str, str] = {
    "slsaprovenance": SLSA_02,
    "slsaprovenance02": SLSA_02,
    "slsaprovenance1": SLSA_1,
    "link": "https://in-toto.io/Link/v1",
    "spdx": "https://spdx.dev/Document",
    "spdxjson": "https://spdx.dev/Document",
    "cyclonedx": "https://cyclonedx.org/bom",
    "vuln": COSIGN_VULN,
    "openvex": "https://openvex.dev/ns",
    "custom": COSIGN_CUSTOM,
}

_SLSA02_FIELDS = ("builder", "buildType", "invocation", "buildConfig", "metadata", "materials")
_SLSA1_FIELDS = ("buildDefinition", "runDetails")
_LINK_FIELDS = ("_type", "name", "materials", "products", "byproducts", "command", "environment")
_HEX = re.compile(r"[0-9a-f]+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_ZERO_TIME = "0001-01-01T00:00:00Z"


def b64decode(text: object, what: str) -> bytes:
    """Standard or URL-safe base64, padding optional; :class:`SignError` naming ``what``."""
    if not isinstance(text, str):
        raise SignError(f"{what} is not a base64 string")
    s = "".join(text.split())
    if "-" in s or "_" in s:
        s = s.replace("-", "+").replace("_", "/")
    s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise SignError(f"{what} is not valid base64") from None


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: ``DSSEv1 SP len(type) SP type SP len(body) SP body``."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign_envelope(
    key: PrivateKey, payload_type: str, payload: bytes, keyid: str = ""
) -> dict[str, Any]:
    """A DSSE envelope of ``payload`` with one signature by ``key`` (as cosign writes it)."""
    sig = sign(key, pae(payload_type, payload))
    return {
        "payloadType": payload_type,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [{"keyid": keyid, "sig": base64.b64encode(sig).decode("ascii")}],
    }


def envelope_parts(envelope: object) -> tuple[str, bytes, list[bytes]]:
    """``(payload_type, payload, [signature bytes])`` of an envelope, or SignError."""
    if not isinstance(envelope, Mapping):
        raise SignError(
            "not a DSSE envelope: a JSON object with payloadType, payload and signatures"
        )
    payload_type = envelope.get("payloadType", envelope.get("payload_type"))
    if not isinstance(payload_type, str):
        raise SignError("not a DSSE envelope: no payloadType string")
    try:
        payload_type.encode("utf-8")
    except UnicodeEncodeError:
        raise SignError("not a DSSE envelope: the payloadType is not valid Unicode") from None
    if "payload" not in envelope:
        raise SignError("not a DSSE envelope: no payload")
    payload = b64decode(envelope["payload"], "the DSSE payload")
    sigs = envelope.get("signatures")
    if sigs is None:
        sigs = []
    if not isinstance(sigs, list):
        raise SignError("not a DSSE envelope: signatures is not a list")
    out = []
    for i, entry in enumerate(sigs):
        if not isinstance(entry, Mapping) or "sig" not in entry:
            raise SignError(f"not a DSSE envelope: signature {i + 1} has no sig")
        out.append(b64decode(entry["sig"], f"DSSE signature {i + 1}"))
    return payload_type, payload, out


def verify_envelope(envelope: Mapping[str, Any], key: PublicKey) -> bytes:
    """The payload, when at least one signature verifies with ``key``; SignError otherwise."""
    payload_type, payload, sigs = envelope_parts(envelope)
    if not sigs:
        raise SignError("the DSSE envelope has no signatures")
    message = pae(payload_type, payload)
    for sig in sigs:
        try:
            verify(key, sig, message)
        except SignError as exc:
            if not str(exc).startswith("the signature does not verify"):
                raise  # an unsupported key: say so rather than "no signature verifies"
            continue
        return payload
    n = len(sigs)
    which = (
        "the DSSE envelope's signature does not"
        if n == 1
        else f"none of the DSSE envelope's {n} signatures"
    )
    raise SignError(f"{which} verif{'y' if n == 1 else 'ies'} with this key")


# --- in-toto statements --------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """An in-toto statement: ``type`` (``_type``), ``predicate_type``, ``subjects`` as
    ``(name, {algorithm: hex digest})`` pairs (name ``""`` when absent, as in cosign 3's
    signature statements), ``predicate`` (any JSON value; a string for ``--type spdx``)."""

    type: str
    predicate_type: str
    subjects: list[tuple[str, dict[str, str]]]
    predicate: Any


def split_digest(digest: str) -> tuple[str, str]:
    """``sha256:hex`` (or a bare 64-hex SHA-256) as ``(algorithm, hex)``; SignError otherwise."""
    alg, sep, hexd = digest.partition(":")
    if not sep:
        alg, hexd = "sha256", digest
    hexd = hexd.lower()
    if not alg or not hexd or not _HEX.fullmatch(hexd):
        raise SignError(f"not an image digest: {digest!r} (sha256:<hex> expected)")
    if alg == "sha256" and len(hexd) != 64:
        raise SignError(f"not an image digest: {digest!r} (64 hex digits expected)")
    return alg, hexd


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SignError(f"the {what} predicate is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SignError(f"the {what} predicate is not a JSON object")
    return value


def _vuln_predicate(data: bytes) -> dict[str, Any]:
    src = _json_object(data, "vuln")

    def obj(value: object) -> Mapping[str, Any]:
        return value if isinstance(value, Mapping) else {}

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    inv, scanner, meta = (
        obj(src.get("invocation")),
        obj(src.get("scanner")),
        obj(src.get("metadata")),
    )
    db = obj(scanner.get("db"))
    return {
        "invocation": {
            "parameters": inv.get("parameters"),
            "uri": text(inv.get("uri")),
            "event_id": text(inv.get("event_id")),
            "builder.id": text(inv.get("builder.id")),
        },
        "scanner": {
            "uri": text(scanner.get("uri")),
            "version": text(scanner.get("version")),
            "db": {"uri": text(db.get("uri")), "version": text(db.get("version"))},
            "result": scanner.get("result"),
        },
        "metadata": {
            "scanStartedOn": text(meta.get("scanStartedOn")) or _ZERO_TIME,
            "scanFinishedOn": text(meta.get("scanFinishedOn")) or _ZERO_TIME,
        },
    }


def _predicate(type_name: str, data: bytes, now: datetime | None) -> tuple[str, Any]:
    if type_name == "custom":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SignError("the custom predicate is not UTF-8 text") from None
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return COSIGN_CUSTOM, {"Data": text, "Timestamp": stamp}
    if type_name == "vuln":
        return COSIGN_VULN, _vuln_predicate(data)
    if type_name == "spdx":
        try:
            return PREDICATE_TYPES["spdx"], data.decode("utf-8")
        except UnicodeDecodeError:
            raise SignError("the spdx predicate is not UTF-8 text") from None
    if type_name in ("slsaprovenance", "slsaprovenance02"):
        src = _json_object(data, type_name)
        return SLSA_02, {k: src[k] for k in _SLSA02_FIELDS if k in src}
    if type_name == "slsaprovenance1":
        src = _json_object(data, type_name)
        run = src.get("runDetails")
        if (
            isinstance(run, dict)
            and isinstance(run.get("metadata"), dict)
            and "invocationID" in run["metadata"]
        ):
            meta = dict(run["metadata"])
            meta["invocationId"] = meta.pop("invocationID")
            src = {**src, "runDetails": {**run, "metadata": meta}}
        return SLSA_1, {k: src[k] for k in _SLSA1_FIELDS if k in src}
    if type_name == "link":
        src = _json_object(data, "link")
        missing = [k for k in _LINK_FIELDS if k not in src]
        if missing:
            raise SignError(f"link statement: required field {missing[0]} missing")
        return PREDICATE_TYPES["link"], {k: src[k] for k in _LINK_FIELDS}
    if type_name in PREDICATE_TYPES:  # spdxjson, cyclonedx, openvex
        return PREDICATE_TYPES[type_name], _json_object(data, type_name)
    if _URI.fullmatch(type_name):  # cosign: any URI is a predicate type of its own
        return type_name, _json_object(data, type_name)
    names = ", ".join(PREDICATE_TYPES)
    raise SignError(f"unknown predicate type {type_name!r} ({names}, or a URI)")


def make_statement(
    subject_name: str,
    digest: str,
    type_name: str,
    predicate_file_bytes: bytes,
    *,
    now: datetime | None = None,
) -> bytes:
    """The in-toto statement (JSON bytes) ``cosign attest --type type_name`` writes for the
    image ``subject_name`` at manifest ``digest`` (``sha256:hex``); ``now`` stamps the custom
    predicate (default: the current time)."""
    alg, hexd = split_digest(digest)
    predicate_type, predicate = _predicate(type_name, predicate_file_bytes, now)
    statement = {
        "_type": STATEMENT_V01,
        "predicateType": predicate_type,
        "subject": [{"name": subject_name, "digest": {alg: hexd}}],
        "predicate": predicate,
    }
    return json.dumps(statement, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_statement(payload: bytes) -> Statement:
    """The in-toto statement in a DSSE payload (v0.1 or v1); SignError when it is not one."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SignError("the attestation payload is not JSON") from None
    if not isinstance(doc, dict):
        raise SignError("the attestation payload is not an in-toto statement (not a JSON object)")
    stype = doc.get("_type")
    if not isinstance(stype, str) or not stype.startswith("https://in-toto.io/Statement/"):
        raise SignError(f"the attestation payload is not an in-toto statement (_type {stype!r})")
    ptype = doc.get("predicateType")
    if not isinstance(ptype, str) or not ptype:
        raise SignError("the in-toto statement has no predicateType")
    raw_subjects = doc.get("subject")
    if not isinstance(raw_subjects, list) or not raw_subjects:
        raise SignError("the in-toto statement has no subject")
    subjects: list[tuple[str, dict[str, str]]] = []
    for i, subj in enumerate(raw_subjects):
        if not isinstance(subj, dict):
            raise SignError(f"subject {i + 1} of the in-toto statement is not an object")
        name = subj.get("name", "")
        digests = subj.get("digest")
        if not isinstance(name, str) or not isinstance(digests, dict):
            raise SignError(f"subject {i + 1} of the in-toto statement has no name or digest")
        if not all(isinstance(v, str) for v in digests.values()):
            raise SignError(
                f"subject {i + 1} of the in-toto statement has a digest that is not a string"
            )
        subjects.append((name, {str(k): v.lower() for k, v in digests.items()}))
    return Statement(
        type=stype, predicate_type=ptype, subjects=subjects, predicate=doc.get("predicate")
    )


def check_statement(stmt: Statement, digest: str, predicate_type: str | None) -> None:
    """Raise SignError unless a subject of ``stmt`` is ``digest`` (``sha256:hex``) and, when
    ``predicate_type`` is given (a URI or a ``--type`` name), the predicate type is it."""
    alg, hexd = split_digest(digest)
    if not any(d.get(alg) == hexd for _, d in stmt.subjects):
        found = (
            ", ".join(f"{a}:{h}" for _, d in stmt.subjects for a, h in sorted(d.items())) or "none"
        )
        raise SignError(
            f"the attestation is for another image (subject {found}, wanted {alg}:{hexd})"
        )
    if predicate_type is not None:
        wanted = PREDICATE_TYPES.get(predicate_type, predicate_type)
        if stmt.predicate_type != wanted:
            raise SignError(f"predicate type {stmt.predicate_type}, wanted {wanted}")


__all__ = [
    "COSIGN_SIGN_PREDICATE_TYPE",
    "INTOTO_PAYLOAD_TYPE",
    "PREDICATE_TYPES",
    "STATEMENT_V01",
    "STATEMENT_V1",
    "Statement",
    "b64decode",
    "check_statement",
    "envelope_parts",
    "make_statement",
    "pae",
    "parse_statement",
    "sign_envelope",
    "split_digest",
    "verify_envelope",
]
