"""Signing, verifying and attesting an image in a registry, as cosign does (docs/supply-chain.md).

- :func:`sign_image` ``(ref, key, annotations, *, store, insecure) -> Done``: resolves ``ref``
  to the digest of the manifest (or index) it names and signs that digest: ``store="bundle"``
  (cosign 3's default) attaches a Sigstore bundle of a DSSE envelope of cosign's signature
  statement (``https://sigstore.dev/cosign/sign/v1``, the annotations in its subject) as a
  referrer; ``"tag"`` appends a simple-signing payload and its signature to the
  ``sha256-<hex>.sig`` manifest; ``"both"``.
- :func:`verify_image` ``(ref, keys, annotations, *, insecure) -> Report``: every signature
  stored either way is checked with each key: the signature, the digest it names, the required
  annotations. ``Report.verified`` lists what held (``payload``: the statement or the
  simple-signing payload, JSON bytes); when nothing did, ``Report.reason`` says precisely why.
- :func:`attest_image` ``(ref, key, type_name, predicate, *, store, insecure) -> Done``: an
  in-toto statement of ``cosign attest --type type_name`` in a DSSE envelope, as a bundle
  referrer or in the ``sha256-<hex>.att`` manifest.
- :func:`verify_attestations` ``(ref, keys, type_name, *, insecure) -> Report``: the
  attestations that verify with a key and name the image's digest (and the type, when given);
  ``Verified.envelope`` is the DSSE envelope as cosign prints it.

Registry problems raise :class:`~hardhull.oci.model.ImageError`; keys, payloads and bundles
that cannot be used raise :class:`~hardhull.sign.SignError`. Nothing here checks a
transparency log or a certificate chain (offline; see :mod:`hardhull.sign.bundle`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hardhull.oci.model import ImageError
from hardhull.oci.reference import ReferenceError, parse_reference
from hardhull.oci.registry import RegistryClient
from hardhull.sign import SignError
from hardhull.sign.bundle import dsse_bundle, signature_statement, verify_bundle
from hardhull.sign.crypto import PrivateKey, PublicKey, key_id, sign, verify
from hardhull.sign.dsse import (
    COSIGN_SIGN_PREDICATE_TYPE,
    INTOTO_PAYLOAD_TYPE,
    PREDICATE_TYPES,
    check_statement,
    make_statement,
    parse_statement,
    sign_envelope,
    verify_envelope,
)
from hardhull.sign.simplesign import check_payload, make_payload, parse_payload
from hardhull.signatures.storage import (
    ATT,
    DSSE_ENVELOPE,
    SIG,
    SIGNATURE_ANNOTATION,
    SIMPLE_SIGNING,
    Target,
    add_bundle,
    add_tag_layer,
    read_bundles,
    read_tag_layers,
    resolve,
    tag_of,
)

BUNDLE, TAG, BOTH = "bundle", "tag", "both"
_LOCAL = ("docker-archive:", "oci:", "oci-archive:", "dir:", "docker-daemon:")


@dataclass(frozen=True)
class Done:
    """What :func:`sign_image` or :func:`attest_image` did."""

    #: ``registry/repository@digest``
    image: str
    digest: str
    #: the tag the digest was resolved from ("" when REF gave the digest)
    resolved_from: str
    #: where it was stored, in words ("as a Sigstore bundle referrer sha256:…")
    stored: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verified:
    """One signature or attestation that verified."""

    scheme: str  # "bundle" | "tag"
    #: the signed statement or simple-signing payload (JSON bytes)
    payload: bytes
    key_id: str
    #: the DSSE envelope (attestations), as cosign prints it
    envelope: Mapping[str, Any] | None = None


@dataclass
class Report:
    image: str
    digest: str
    resolved_from: str
    verified: list[Verified] = field(default_factory=list)
    #: why nothing verified ("" when something did)
    reason: str = ""


def _target(ref: str, insecure: bool) -> tuple[Target, str]:
    if ref.startswith(_LOCAL) or ref.endswith(".tar"):
        raise ImageError(
            f"{ref}: signatures are kept in a registry, beside the image: push the image "
            "(e.g. skopeo copy) and name it there"
        )
    try:
        reference = parse_reference(ref)
    except ReferenceError as exc:
        raise ImageError(str(exc)) from None
    client = RegistryClient(reference.registry, insecure=insecure, context=ref)
    target = resolve(client, reference.repository, reference.selector or "latest")
    return target, reference.name


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _bundle_annotations(predicate_type: str) -> dict[str, str]:
    return {
        "dev.sigstore.bundle.content": "dsse-envelope",
        "dev.sigstore.bundle.predicateType": predicate_type,
        "org.opencontainers.image.created": _now(),
    }


def sign_image(
    ref: str,
    key: PrivateKey,
    annotations: Mapping[str, str],
    *,
    store: str = BUNDLE,
    insecure: bool = False,
) -> Done:
    target, name = _target(ref, insecure)
    done = Done(f"{name}@{target.digest}", target.digest, target.tag)
    public = key.public_key()
    if store in (BUNDLE, BOTH):
        statement = signature_statement(target.digest, annotations)
        envelope = sign_envelope(key, INTOTO_PAYLOAD_TYPE, statement)
        bundle = json.dumps(dsse_bundle(envelope, public), separators=(",", ":")).encode()
        where = add_bundle(target, bundle, _bundle_annotations(COSIGN_SIGN_PREDICATE_TYPE))
        done.stored.append(f"as a Sigstore bundle referrer ({where})")
    if store in (TAG, BOTH):
        payload = make_payload(name, target.digest, dict(annotations) or None)
        signature = base64.b64encode(sign(key, payload)).decode("ascii")
        add_tag_layer(target, SIG, SIMPLE_SIGNING, payload, {SIGNATURE_ANNOTATION: signature})
        done.stored.append(f"under the tag {tag_of(target.digest, SIG)}")
    return done


def attest_image(
    ref: str,
    key: PrivateKey,
    type_name: str,
    predicate: bytes,
    *,
    store: str = BUNDLE,
    insecure: bool = False,
) -> Done:
    target, name = _target(ref, insecure)
    done = Done(f"{name}@{target.digest}", target.digest, target.tag)
    statement = make_statement(name, target.digest, type_name, predicate)
    predicate_type = parse_statement(statement).predicate_type
    envelope = sign_envelope(key, INTOTO_PAYLOAD_TYPE, statement)
    if store in (BUNDLE, BOTH):
        bundle = dsse_bundle(envelope, key.public_key())
        body = json.dumps(bundle, separators=(",", ":")).encode()
        where = add_bundle(target, body, _bundle_annotations(predicate_type))
        done.stored.append(f"as a Sigstore bundle referrer ({where})")
    if store in (TAG, BOTH):
        body = json.dumps(envelope, separators=(",", ":")).encode()
        add_tag_layer(target, ATT, DSSE_ENVELOPE, body, {"predicateType": predicate_type})
        done.stored.append(f"under the tag {tag_of(target.digest, ATT)}")
    return done


# --------------------------------------------------------------------------- verifying


def _subject_annotations(statement: bytes) -> dict[str, Any]:
    doc = json.loads(statement)
    out: dict[str, Any] = {}
    for subject in doc.get("subject") or []:
        ann = subject.get("annotations") if isinstance(subject, dict) else None
        if isinstance(ann, dict):
            out.update(ann)
    return out


def _check_annotations(found: Mapping[str, Any], required: Mapping[str, str]) -> None:
    for k, v in required.items():
        if k not in found:
            raise SignError(f"annotation mismatch: {k}={v} required, the signature has no {k}")
        if found[k] != v:
            raise SignError(
                f"annotation mismatch: {k}={v} required, the signature has {k}={found[k]}"
            )


def _bundle_docs(target: Target) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for raw in read_bundles(target):
        try:
            doc = json.loads(raw)
        except ValueError:
            continue  # not JSON: not a bundle this reads (counted by nobody)
        if isinstance(doc, dict):
            out.append(doc)
    return out


def _statement_type(bundle: Mapping[str, Any]) -> str:
    """The predicate type of a bundle's DSSE statement ("" for a message signature)."""
    env = bundle.get("dsseEnvelope")
    if not isinstance(env, dict):
        return ""
    try:
        doc = json.loads(base64.b64decode(str(env.get("payload", "")), validate=True))
    except (ValueError, TypeError):
        return ""
    return str(doc.get("predicateType", "")) if isinstance(doc, dict) else ""


def _summary(found: int, reasons: list[str], digest: str, what: str) -> str:
    if not found:
        return f"no {what} found for {digest}"
    unique = list(dict.fromkeys(reasons))
    return f"{found} {what}(s) found for {digest}, none verifies: " + "; ".join(unique)


def verify_image(
    ref: str,
    keys: Sequence[PublicKey],
    annotations: Mapping[str, str],
    *,
    insecure: bool = False,
    first: bool = False,
) -> Report:
    """See the module docstring; ``first``: stop at the first signature that verifies (the
    admission webhook needs one; ``hardhull verify`` lists them all)."""
    target, name = _target(ref, insecure)
    report = Report(f"{name}@{target.digest}", target.digest, target.tag)
    reasons: list[str] = []
    found = 0
    for bundle in _bundle_docs(target):
        if _statement_type(bundle) not in ("", COSIGN_SIGN_PREDICATE_TYPE):
            continue  # an attestation, not a signature
        if "messageSignature" in bundle:
            continue  # cosign signs images as DSSE statements; a bare message names no image
        found += 1
        for key in keys:
            try:
                got = verify_bundle(bundle, key)
                assert got.payload is not None
                stmt = parse_statement(got.payload)
                check_statement(stmt, target.digest, COSIGN_SIGN_PREDICATE_TYPE)
                _check_annotations(_subject_annotations(got.payload), annotations)
            except SignError as exc:
                reasons.append(str(exc))
                continue
            report.verified.append(Verified(BUNDLE, got.payload, got.key_id))
            break
        if first and report.verified:
            return report
    for layer in read_tag_layers(target, SIG):
        if layer.media_type != SIMPLE_SIGNING:
            continue
        found += 1
        sig_b64 = layer.annotations.get(SIGNATURE_ANNOTATION, "")
        try:
            signature = base64.b64decode(sig_b64, validate=True)
            payload = parse_payload(layer.blob)
        except (ValueError, SignError) as exc:
            reasons.append(f"a damaged signature ({exc})" if isinstance(exc, SignError)
                           else "a signature that is not base64")  # fmt: skip
            continue
        for key in keys:
            try:
                verify(key, signature, layer.blob)
                check_payload(payload, target.digest, annotations)
            except SignError as exc:
                reasons.append(str(exc))
                continue
            report.verified.append(Verified(TAG, layer.blob, key_id(key)))
            break
    if not report.verified:
        report.reason = _summary(found, reasons, target.digest, "signature")
    return report


def verify_attestations(
    ref: str,
    keys: Sequence[PublicKey],
    type_name: str | None,
    *,
    insecure: bool = False,
) -> Report:
    target, name = _target(ref, insecure)
    report = Report(f"{name}@{target.digest}", target.digest, target.tag)
    if type_name is not None and "://" not in type_name and type_name not in PREDICATE_TYPES:
        raise SignError(
            f"unknown attestation type {type_name!r}: one of {', '.join(sorted(PREDICATE_TYPES))}"
            " or a predicate type URI"
        )
    reasons: list[str] = []
    found = 0
    envelopes: list[tuple[str, Mapping[str, Any], Mapping[str, Any] | None]] = []
    for bundle in _bundle_docs(target):
        ptype = _statement_type(bundle)
        if ptype in ("", COSIGN_SIGN_PREDICATE_TYPE):
            continue  # a signature, not an attestation
        env = bundle.get("dsseEnvelope")
        if isinstance(env, dict):
            envelopes.append((BUNDLE, env, bundle))
    for layer in read_tag_layers(target, ATT):
        try:
            doc = json.loads(layer.blob)
        except ValueError:
            reasons.append("an attestation that is not JSON")
            found += 1
            continue
        if isinstance(doc, dict):
            envelopes.append((TAG, doc, None))
    for scheme, env, from_bundle in envelopes:
        found += 1
        for key in keys:
            try:
                if from_bundle is not None:
                    got = verify_bundle(from_bundle, key)
                    assert got.payload is not None
                    payload, kid = got.payload, got.key_id
                else:
                    payload, kid = verify_envelope(env, key), key_id(key)
                stmt = parse_statement(payload)
                check_statement(stmt, target.digest, type_name)
            except SignError as exc:
                reasons.append(str(exc))
                continue
            report.verified.append(Verified(scheme, payload, kid, env))
            break
    if not report.verified:
        report.reason = _summary(found, reasons, target.digest, "attestation")
    return report


__all__ = [
    "BOTH",
    "BUNDLE",
    "TAG",
    "Done",
    "Report",
    "Verified",
    "attest_image",
    "sign_image",
    "verify_attestations",
    "verify_image",
]
