"""``hardhull.sign.crypto``: every accepted key type signs and verifies; a signature by
another key, of other data, or damaged, fails with the one message; unsupported keys are
named."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign import SignError
from hardhull.sign.crypto import PrivateKey, key_id, public_pem, sign, verify

KEYS: list[PrivateKey] = [
    ec.generate_private_key(ec.SECP256R1()),
    ec.generate_private_key(ec.SECP384R1()),
    ec.generate_private_key(ec.SECP521R1()),
    ed25519.Ed25519PrivateKey.generate(),
    rsa.generate_private_key(public_exponent=65537, key_size=2048),
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: type(k).__name__)
def test_sign_then_verify(key: PrivateKey) -> None:
    sig = sign(key, b"payload")
    verify(key.public_key(), sig, b"payload")
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    for pub, data, s in (
        (key.public_key(), b"other payload", sig),
        (other, b"payload", sig),
        (key.public_key(), b"payload", sig[:-2] + bytes([sig[-2] ^ 1, sig[-1]])),
    ):
        with pytest.raises(SignError, match=r"^the signature does not verify with this key$"):
            verify(pub, s, data)
    assert public_pem(key.public_key()).startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert len(key_id(key.public_key())) == 64


def test_unsupported_keys_are_named() -> None:
    with pytest.raises(SignError, match="curve secp256k1 is not supported"):
        sign(ec.generate_private_key(ec.SECP256K1()), b"x")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(SignError, match="RSA key of 1024 bits"):
        sign(small, b"x")
    with pytest.raises(SignError, match="unsupported key type str"):
        verify("not a key", b"", b"")  # type: ignore[arg-type]


def test_ecdsa_signs_over_sha256_and_accepts_the_curves_own_hash() -> None:
    from cryptography.hazmat.primitives import hashes

    for curve, own in ((ec.SECP384R1(), hashes.SHA384()), (ec.SECP521R1(), hashes.SHA512())):
        key = ec.generate_private_key(curve)
        # what cosign 1-2 and the Sigstore JS verifier expect: SHA-256 whatever the curve
        key.public_key().verify(sign(key, b"m"), b"m", ec.ECDSA(hashes.SHA256()))
        # what sigstore's newest default key details make: the curve's hash
        verify(key.public_key(), key.sign(b"m", ec.ECDSA(own)), b"m")
