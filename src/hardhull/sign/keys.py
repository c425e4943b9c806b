"""cosign's key files, read and written.

Public API:

- :func:`load_private_key` ``(data, password, *, source) -> PrivateKey``: a private key file.
- :func:`encrypt_private_key` ``(key, password) -> bytes``: a ``cosign.key`` PEM that cosign
  reads (``cosign sign --key``), in the layout cosign writes today.
- :func:`generate_key_pair` ``(password) -> (cosign.key PEM, cosign.pub PEM)``: a new ECDSA
  P-256 key pair, as ``cosign generate-key-pair`` makes it.
- :func:`load_public_key` ``(data, *, source) -> PublicKey``: a public key file.
- :func:`needs_password` ``(data) -> bool``: whether a private key file is encrypted.

Every failure is a :class:`~hardhull.sign.SignError` whose message starts with ``source`` (the
file name as the user gave it) and says what was expected; it never contains the password nor
any key bytes.

Private key files accepted (the first PEM block whose label ends in ``PRIVATE KEY``):

- ``ENCRYPTED SIGSTORE PRIVATE KEY`` (what ``cosign generate-key-pair`` writes since cosign
  2.0) and ``ENCRYPTED COSIGN PRIVATE KEY`` (older cosign, and skopeo's
  ``generate-sigstore-key``, which writes the same format under the older label): the body is
  JSON ``{"kdf":{"name":"scrypt","params":{"N":…,"r":…,"p":…},"salt":…},
  "cipher":{"name":"nacl/secretbox","nonce":…},"ciphertext":…}`` (byte strings in standard
  base64). The secretbox key is scrypt(password, salt, N, r, p, 32 bytes); the plaintext is a
  PKCS#8 DER private key. Only the scrypt parameters cosign's library
  (go-securesystemslib ``encrypted``) writes and accepts are accepted: N = 2^15, 2^16 or 2^17
  with r = 8, p = 1 (at most 128 MiB of scrypt memory), so a hostile key file cannot make
  hardhull allocate more. An empty password is a password (cosign writes such keys when
  ``COSIGN_PASSWORD`` is empty); ``None`` for an encrypted key is an error. A SEC 1 EC key
  inside the envelope instead of PKCS#8 (found in cosign's own test data; cosign refuses it)
  is read.
- Unencrypted ``PRIVATE KEY`` (PKCS#8), ``EC PRIVATE KEY`` (SEC 1) and ``RSA PRIVATE KEY``
  (PKCS#1), as ``cosign import-key-pair`` takes them; the password is not used.
- ``ENCRYPTED PRIVATE KEY`` (PKCS#8 with PBES2) and legacy OpenSSL ``Proc-Type: 4,ENCRYPTED``
  PEMs, which sigstore's key loader also reads, decrypted with the password.

Text around the PEM block, CRLF line ends and indented blocks (a key pasted into YAML) are
accepted.

Key types: ECDSA P-256, P-384, P-521, Ed25519 and RSA of at least 2048 bits (what
:func:`hardhull.sign.crypto.check_key` takes); others (DSA, secp256k1, X25519, …) are refused
with their name.

Public key files accepted (the first PEM block): ``PUBLIC KEY`` (PKIX SubjectPublicKeyInfo, what
``cosign.pub`` holds), ``RSA PUBLIC KEY`` (PKCS#1; sigstore's ``UnmarshalPEMToPublicKey`` reads
it too) and ``CERTIFICATE`` (an X.509 certificate's public key, e.g. a signing certificate a
signature carries; the certificate itself is not validated: no chain, no expiry, no identity).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets

import nacl.exceptions
import nacl.secret
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign import SignError
from hardhull.sign.crypto import PrivateKey, PublicKey, check_key, public_pem

#: the labels of cosign's encrypted private keys, newest first
SIGSTORE_LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY"
COSIGN_LABEL = "ENCRYPTED COSIGN PRIVATE KEY"
#: (N, r, p) scrypt parameters accepted: go-securesystemslib's Legacy, Standard and OWASP sets,
#: the only ones cosign decrypts
SCRYPT_PARAMS = ((32768, 8, 1), (65536, 8, 1), (131072, 8, 1))
#: what cosign writes today (go-securesystemslib ``encrypted.Encrypt``: its Standard set)
WRITE_PARAMS = (65536, 8, 1)
SALT_SIZE = 32
NONCE_SIZE = 24
#: a key file larger than this is not a key (an RSA 4096 cosign.key is under 5 KiB)
MAX_KEY_FILE = 256 * 1024

_EXPECTED_PRIVATE = (
    "a cosign.key (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----) or an unencrypted "
    "PKCS#8, EC or RSA private key PEM"
)
_EXPECTED_PUBLIC = (
    "a cosign.pub (-----BEGIN PUBLIC KEY-----), an RSA PUBLIC KEY or a CERTIFICATE PEM"
)
_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n(.*?)-----END \1-----",
    re.DOTALL,
)
_UNENCRYPTED = {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"}


def _pem_blocks(data: bytes) -> list[tuple[str, bytes, bytes]]:
    """(label, body, whole block) of each PEM block, in order."""
    return [(m.group(1).decode("ascii"), m.group(2), m.group(0)) for m in _PEM_BLOCK.finditer(data)]


def _b64(body: bytes) -> bytes:
    """A PEM body's bytes (line breaks and spaces ignored); ValueError if not base64."""
    return base64.b64decode(b"".join(body.split()), validate=True)


def _clean(block: bytes) -> bytes:
    """A PEM block with each line stripped (CRLF line ends, indentation from YAML or a here
    document) and a final newline, as OpenSSL's reader wants it."""
    return b"".join(line.strip() + b"\n" for line in block.splitlines())


def _check_size(data: bytes, source: str, what: str) -> None:
    if not isinstance(data, bytes | bytearray):
        raise SignError(f"{source}: {what} must be bytes")
    if len(data) > MAX_KEY_FILE:
        raise SignError(f"{source}: {len(data)} bytes is too large for {what} file")


def _accepted(key: object, source: str) -> None:
    if not isinstance(
        key,
        ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | rsa.RSAPrivateKey
        | ec.EllipticCurvePublicKey
        | ed25519.Ed25519PublicKey
        | rsa.RSAPublicKey,
    ):
        raise SignError(
            f"{source}: unsupported key type {type(key).__name__.lstrip('_')} "
            "(ECDSA P-256/P-384/P-521, Ed25519 or RSA)"
        )
    try:
        check_key(key)
    except SignError as e:
        raise SignError(f"{source}: {e}") from None


# --- private keys ----------------------------------------------------------------------------


def needs_password(data: bytes) -> bool:
    """Whether the private key file ``data`` is encrypted (cosign's format, PKCS#8
    ``ENCRYPTED PRIVATE KEY``, a legacy OpenSSL ``Proc-Type: 4,ENCRYPTED`` block): a caller asks
    for the password only then."""
    for label, _, block in _pem_blocks(bytes(data[:MAX_KEY_FILE])):
        if label.endswith("PRIVATE KEY"):
            encrypted = (SIGSTORE_LABEL, COSIGN_LABEL, "ENCRYPTED PRIVATE KEY")
            return label in encrypted or b"Proc-Type: 4,ENCRYPTED" in block
    return False


def load_private_key(data: bytes, password: bytes | None, *, source: str) -> PrivateKey:
    """The private key in ``data`` (see the module docstring for the files accepted)."""
    _check_size(data, source, "a private key")
    if password is not None and not isinstance(password, bytes | bytearray):
        raise SignError(f"{source}: the password must be bytes")
    blocks = [b for b in _pem_blocks(bytes(data)) if b[0].endswith("PRIVATE KEY")]
    if not blocks:
        found = [label for label, _, _ in _pem_blocks(bytes(data))]
        if found:
            raise SignError(
                f"{source}: a PEM {found[0]} block, not a private key "
                f"(expected {_EXPECTED_PRIVATE})"
            )
        raise SignError(f"{source}: not a PEM private key (expected {_EXPECTED_PRIVATE})")
    label, body, block = blocks[0]
    key: object
    if label in (SIGSTORE_LABEL, COSIGN_LABEL):
        der = _decrypt_cosign(body, password, source)
        try:
            key = serialization.load_der_private_key(der, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise SignError(
                f"{source}: the decrypted key is not a PKCS#8 private key "
                "(cosign cannot read it either)"
            ) from None
    elif label in _UNENCRYPTED or label == "ENCRYPTED PRIVATE KEY":
        key = _load_openssl_pem(label, block, password, source)
    else:
        raise SignError(f"{source}: unsupported PEM {label} (expected {_EXPECTED_PRIVATE})")
    _accepted(key, source)
    assert isinstance(
        key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
    )
    return key


def _load_openssl_pem(label: str, block: bytes, password: bytes | None, source: str) -> object:
    encrypted = label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in block
    if encrypted and password is None:
        raise SignError(f"{source}: the key is encrypted: a password is needed")
    try:
        return serialization.load_pem_private_key(
            _clean(block), password=password if encrypted else None
        )
    except UnsupportedAlgorithm:
        raise SignError(f"{source}: {label}: unsupported key type or encryption") from None
    except (ValueError, TypeError):
        if encrypted:
            raise SignError(f"{source}: wrong password (or a damaged key)") from None
        raise SignError(f"{source}: damaged {label}: not a valid key") from None


def _field(obj: object, name: str, kind: type, source: str) -> object:
    if not isinstance(obj, dict) or name not in obj:
        raise SignError(f"{source}: damaged cosign key: no {name!r} field")
    value = obj[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        what = {int: "an integer", str: "a string", dict: "an object"}.get(kind, kind.__name__)
        raise SignError(f"{source}: damaged cosign key: {name!r} is not {what}")
    return value


def _bytes_field(obj: object, name: str, source: str) -> bytes:
    text = _field(obj, name, str, source)
    assert isinstance(text, str)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignError(f"{source}: damaged cosign key: {name!r} is not base64") from None


def _decrypt_cosign(body: bytes, password: bytes | None, source: str) -> bytes:
    try:
        doc = json.loads(_b64(body))
    except (ValueError, RecursionError):
        raise SignError(f"{source}: damaged cosign key: the PEM body is not base64 JSON") from None
    if not isinstance(doc, dict):
        raise SignError(f"{source}: damaged cosign key: the PEM body is not a JSON object")
    kdf = _field(doc, "kdf", dict, source)
    cipher = _field(doc, "cipher", dict, source)
    kdf_name = _field(kdf, "name", str, source)
    if kdf_name != "scrypt":
        raise SignError(f"{source}: unsupported key derivation {kdf_name!r} (cosign uses scrypt)")
    cipher_name = _field(cipher, "name", str, source)
    if cipher_name != "nacl/secretbox":
        raise SignError(
            f"{source}: unsupported cipher {cipher_name!r} (cosign uses nacl/secretbox)"
        )
    params = _field(kdf, "params", dict, source)
    n, r, p = (_field(params, k, int, source) for k in ("N", "r", "p"))
    assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
    if (n, r, p) not in SCRYPT_PARAMS:
        raise SignError(
            f"{source}: scrypt parameters N={n}, r={r}, p={p} refused: cosign writes and reads "
            "only N=32768, 65536 or 131072 with r=8, p=1"
        )
    salt = _bytes_field(kdf, "salt", source)
    nonce = _bytes_field(cipher, "nonce", source)
    ciphertext = _bytes_field(doc, "ciphertext", source)
    if len(nonce) != NONCE_SIZE:
        raise SignError(f"{source}: damaged cosign key: the nonce is not {NONCE_SIZE} bytes")
    if not 0 < len(salt) <= 1024:
        raise SignError(f"{source}: damaged cosign key: a salt of {len(salt)} bytes")
    if password is None:
        raise SignError(f"{source}: the key is encrypted: a password is needed")
    box_key = _scrypt(bytes(password), salt, n, r, p)
    try:
        return bytes(nacl.secret.SecretBox(box_key).decrypt(ciphertext, nonce))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise SignError(f"{source}: wrong password (or a damaged key)") from None


def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL's own bound (V and B arrays) plus slack; the parameters are from SCRYPT_PARAMS
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=32)


# --- writing ---------------------------------------------------------------------------------


def _pem(label: str, der: bytes) -> bytes:
    """PEM as Go's ``pem.EncodeToMemory`` writes it: 64-character lines, a final newline."""
    text = base64.b64encode(der)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    head = f"-----BEGIN {label}-----\n".encode()
    tail = f"-----END {label}-----\n".encode()
    return head + b"".join(line + b"\n" for line in lines) + tail


def encrypt_private_key(key: PrivateKey, password: bytes) -> bytes:
    """``key`` as a ``cosign.key``: ``ENCRYPTED SIGSTORE PRIVATE KEY`` PEM, scrypt N=65536
    r=8 p=1 with a 32-byte random salt, NaCl secretbox with a 24-byte random nonce, the JSON
    in the field order and compact form of Go's ``encoding/json`` (as cosign writes it)."""
    check_key(key)
    if not isinstance(password, bytes | bytearray):
        raise SignError("the password must be bytes")
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    n, r, p = WRITE_PARAMS
    salt = secrets.token_bytes(SALT_SIZE)
    nonce = secrets.token_bytes(NONCE_SIZE)
    box = nacl.secret.SecretBox(_scrypt(bytes(password), salt, n, r, p))
    sealed = box.encrypt(der, nonce).ciphertext  # tag || ciphertext, as Go's secretbox.Seal

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    body = (
        f'{{"kdf":{{"name":"scrypt","params":{{"N":{n},"r":{r},"p":{p}}},"salt":"{b64(salt)}"}},'
        f'"cipher":{{"name":"nacl/secretbox","nonce":"{b64(nonce)}"}},'
        f'"ciphertext":"{b64(sealed)}"}}'
    )
    return _pem(SIGSTORE_LABEL, body.encode("ascii"))


def generate_key_pair(password: bytes) -> tuple[bytes, bytes]:
    """A new ECDSA P-256 key pair: (``cosign.key`` PEM, ``cosign.pub`` PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return encrypt_private_key(key, password), public_pem(key.public_key())


# --- public keys -----------------------------------------------------------------------------


def load_public_key(data: bytes, *, source: str) -> PublicKey:
    """The public key in ``data`` (see the module docstring for the files accepted)."""
    _check_size(data, source, "a public key")
    blocks = _pem_blocks(bytes(data))
    if not blocks:
        raise SignError(f"{source}: not a PEM public key (expected {_EXPECTED_PUBLIC})")
    label, body, block = blocks[0]
    key: object
    try:
        if label == "PUBLIC KEY":
            key = serialization.load_der_public_key(_b64(body))
        elif label == "RSA PUBLIC KEY":
            key = serialization.load_pem_public_key(_clean(block))
        elif label == "CERTIFICATE":
            key = x509.load_der_x509_certificate(_b64(body)).public_key()
        elif label.endswith("PRIVATE KEY"):
            raise SignError(
                f"{source}: a private key, not a public key: give the public key (cosign.pub)"
            )
        else:
            raise SignError(
                f"{source}: a PEM {label} block, not a public key (expected {_EXPECTED_PUBLIC})"
            )
    except (ValueError, TypeError):
        raise SignError(f"{source}: damaged {label}: not a valid public key") from None
    except UnsupportedAlgorithm:
        raise SignError(f"{source}: {label}: unsupported key type") from None
    _accepted(key, source)
    assert isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey)
    return key


__all__ = [
    "COSIGN_LABEL",
    "MAX_KEY_FILE",
    "SCRYPT_PARAMS",
    "SIGSTORE_LABEL",
    "WRITE_PARAMS",
    "encrypt_private_key",
    "generate_key_pair",
    "load_private_key",
    "load_public_key",
]
