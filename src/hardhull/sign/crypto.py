"""Signing and verifying bytes with the key types cosign uses, key-type agnostic.

- :func:`sign` ``(private_key, data) -> signature``: ECDSA with a DER signature over SHA-256
  whatever the curve, as cosign 1 and 2 and the Sigstore JavaScript verifier (which checks
  every ECDSA signature over SHA-256) do; Ed25519 (pure; cosign's Ed25519ph variant is not
  made: ``cryptography`` has no pre-hashed Ed25519); RSA PKCS#1 v1.5 over SHA-256.
- :func:`verify` ``(public_key, signature, data)``: raises :class:`~hardhull.sign.SignError`
  ("the signature does not verify with this key") when it does not hold. A P-384 or P-521
  signature over the curve's own hash (SHA-384, SHA-512: what sigstore's newest default key
  details make) is accepted too.

For P-256, cosign's default and what ``hardhull keygen`` makes, every implementation agrees;
the two conventions above differ only for P-384 and P-521 keys (docs/supply-chain.md).
- :func:`public_pem` (PKIX ``PUBLIC KEY`` PEM), :func:`key_id` (hex SHA-256 of the key's DER
  SubjectPublicKeyInfo: how hardhull names a key in messages and Sigstore bundles' key hints).

Keys are ``cryptography`` objects (``PrivateKey`` / ``PublicKey`` below).
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from hardhull.sign import SignError

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey
#: the curves accepted (cosign generates P-256; the others are read)
CURVES = ("secp256r1", "secp384r1", "secp521r1")


def check_key(key: object) -> None:
    """Raise :class:`SignError` unless ``key`` is a key type :func:`sign`/:func:`verify` take."""
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if key.curve.name not in CURVES:
            raise SignError(f"ECDSA curve {key.curve.name} is not supported (P-256, P-384, P-521)")
        return
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise SignError(f"RSA key of {key.key_size} bits: at least 2048 are required")
        return
    raise SignError(f"unsupported key type {type(key).__name__} (ECDSA, Ed25519 or RSA)")


_CURVE_HASH: dict[str, type[hashes.HashAlgorithm]] = {
    "secp256r1": hashes.SHA256,
    "secp384r1": hashes.SHA384,
    "secp521r1": hashes.SHA512,
}


def sign(key: PrivateKey, data: bytes) -> bytes:
    """The signature of ``data`` with ``key`` (see the module docstring for the schemes)."""
    check_key(key)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify(key: PublicKey, signature: bytes, data: bytes) -> None:
    """Return if ``signature`` is ``key``'s signature of ``data``; raise :class:`SignError`."""
    check_key(key)
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            try:
                key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                own = _CURVE_HASH[key.curve.name]
                if own is hashes.SHA256:
                    raise
                key.verify(signature, data, ec.ECDSA(own()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise SignError("the signature does not verify with this key") from None


def public_der(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_pem(key: PublicKey) -> bytes:
    """The key as a PKIX ``-----BEGIN PUBLIC KEY-----`` PEM (what ``cosign.pub`` holds)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: PublicKey) -> str:
    """Hex SHA-256 of the key's DER SubjectPublicKeyInfo."""
    return hashlib.sha256(public_der(key)).hexdigest()


__all__ = [
    "CURVES",
    "PrivateKey",
    "PublicKey",
    "check_key",
    "key_id",
    "public_der",
    "public_pem",
    "sign",
    "verify",
]
