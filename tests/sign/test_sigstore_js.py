"""The official Sigstore JavaScript libraries accept the bundles hardhull writes.

`make test` installs `@sigstore/verify` and `@sigstore/bundle` (pinned in the Makefile) into
`.cache/npm`; `tests/sign/js/verify_bundle.js` parses a bundle with `@sigstore/bundle`
(`bundleFromJSON`: its v0.3 validation), looks the key up by the bundle's hint in trust
material holding only that key, and verifies the signature with `@sigstore/verify`'s
`Verifier` told to require no transparency-log entry, SCT or timestamp (an offline keyed
bundle has none). What this proves: hardhull's bundles are valid v0.3 bundles for the
reference implementation, its key hint is the one the library looks keys up by, and the
signatures (over the DSSE PAE, or over the artifact) verify with the library's crypto. Not
proven: anything about Rekor or Fulcio (none is involved). Without node, or without the
packages, the tests skip and say why.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign.bundle import dsse_bundle, message_bundle, signature_statement
from hardhull.sign.crypto import PrivateKey, PublicKey, public_pem, sign
from hardhull.sign.dsse import INTOTO_PAYLOAD_TYPE, make_statement, sign_envelope
from tests.conftest import ROOT

MODULES = ROOT / ".cache" / "npm" / "node_modules"
SCRIPT = Path(__file__).parent / "js" / "verify_bundle.js"
DIGEST = "sha256:" + "3c" * 32
KEY = ec.generate_private_key(ec.SECP256R1())


def js_verify(
    tmp_path: Path, bundle: dict[str, Any], key: PublicKey, artifact: bytes | None = None
) -> tuple[bool, str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Sigstore JS verifier cannot run")
    if not (MODULES / "@sigstore" / "verify" / "package.json").is_file():
        pytest.skip(
            f"@sigstore/verify is not installed in {MODULES} (`make test` installs it with "
            "npm: node and npm are needed, and the network the first time)"
        )
    (tmp_path / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    (tmp_path / "key.pem").write_bytes(public_pem(key))
    args = [
        node,
        str(SCRIPT),
        str(MODULES),
        str(tmp_path / "bundle.json"),
        str(tmp_path / "key.pem"),
    ]
    if artifact is not None:
        (tmp_path / "artifact").write_bytes(artifact)
        args.append(str(tmp_path / "artifact"))
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return proc.returncode == 0, proc.stdout.strip()


KEYS: list[PrivateKey] = [
    KEY,
    ec.generate_private_key(ec.SECP384R1()),
    ed25519.Ed25519PrivateKey.generate(),
    rsa.generate_private_key(public_exponent=65537, key_size=2048),
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: type(k).__name__)
def test_js_accepts_a_dsse_bundle_of_cosign3_signature_statement(
    tmp_path: Path, key: PrivateKey
) -> None:
    env = sign_envelope(key, INTOTO_PAYLOAD_TYPE, signature_statement(DIGEST, {"team": "a"}))
    ok, out = js_verify(tmp_path, dsse_bundle(env, key.public_key()), key.public_key())
    assert ok, out
    assert out == "OK dsseEnvelope"


def test_js_accepts_an_attestation_bundle(tmp_path: Path) -> None:
    bom = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5"}).encode()
    statement = make_statement("127.0.0.1:5000/app", DIGEST, "cyclonedx", bom)
    env = sign_envelope(KEY, INTOTO_PAYLOAD_TYPE, statement)
    ok, out = js_verify(tmp_path, dsse_bundle(env, KEY.public_key()), KEY.public_key())
    assert ok, out


@pytest.mark.parametrize("key", KEYS[:2] + KEYS[3:], ids=lambda k: type(k).__name__)
def test_js_accepts_a_message_signature_bundle(tmp_path: Path, key: PrivateKey) -> None:
    artifact = b"an artifact's bytes\n"
    bundle = message_bundle(artifact, sign(key, artifact), key.public_key())
    ok, out = js_verify(tmp_path, bundle, key.public_key(), artifact)
    assert ok, out
    assert out == "OK messageSignature"


def test_js_cannot_verify_ed25519_message_signatures(tmp_path: Path) -> None:
    """A limit of @sigstore/verify 3.1.1, measured: for a message signature it hands node's
    crypto.verify the digest name ('sha256'), which pure Ed25519 refuses, so no Ed25519 message
    signature verifies there (DSSE ones do, above). hardhull's own verifier accepts them; cosign
    3 signs images with DSSE, so this limits only message-signature bundles with Ed25519 keys."""
    key = KEYS[2]
    artifact = b"an artifact's bytes\n"
    bundle = message_bundle(artifact, sign(key, artifact), key.public_key())
    ok, out = js_verify(tmp_path, bundle, key.public_key(), artifact)
    assert not ok
    assert out == "FAILED VerificationError: SIGNATURE_ERROR signature verification failed"


def test_js_rejects_tampered_bundles_and_another_key(tmp_path: Path) -> None:
    env = sign_envelope(KEY, INTOTO_PAYLOAD_TYPE, signature_statement(DIGEST))
    good = dsse_bundle(env, KEY.public_key())
    # the payload names another image: the library's signature check fails
    tampered = json.loads(json.dumps(good))
    other = signature_statement("sha256:" + "4d" * 32)
    tampered["dsseEnvelope"]["payload"] = base64.b64encode(other).decode()
    ok, out = js_verify(tmp_path, tampered, KEY.public_key())
    assert not ok
    assert "SIGNATURE_ERROR" in out, out
    # another key: the library finds no key for the bundle's hint
    another = ec.generate_private_key(ec.SECP256R1()).public_key()
    ok, out = js_verify(tmp_path, good, another)
    assert not ok
    assert "PUBLIC_KEY_ERROR" in out and "key not found" in out, out
    # a message signature over other bytes: the library's signature check fails
    artifact = b"artifact"
    bundle = message_bundle(artifact, sign(KEY, artifact), KEY.public_key())
    sig = base64.b64encode(sign(KEY, b"other")).decode()
    bundle["messageSignature"]["signature"] = sig
    ok, out = js_verify(tmp_path, bundle, KEY.public_key(), artifact)
    assert not ok
    assert "SIGNATURE_ERROR" in out, out
    # not a valid bundle for the library: two signatures in the envelope
    broken = json.loads(json.dumps(good))
    broken["dsseEnvelope"]["signatures"] *= 2
    ok, out = js_verify(tmp_path, broken, KEY.public_key())
    assert not ok
    assert out == "FAILED ValidationError:  invalid bundle (content.dsseEnvelope.signatures)"
