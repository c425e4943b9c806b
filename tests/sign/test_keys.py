"""``hardhull.sign.keys``: cosign's key files written in cosign's layout and read back; the
other PEM key files cosign and sigstore read; every bad file a SignError naming the file and
what was expected, never the password; hostile scrypt parameters refused before any work."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import secrets

import nacl.secret
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519
from cryptography.x509.oid import NameOID

from hardhull.sign import SignError
from hardhull.sign.crypto import PrivateKey, key_id, public_pem, sign, verify
from hardhull.sign.keys import (
    encrypt_private_key,
    generate_key_pair,
    load_private_key,
    load_public_key,
)

RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEYS: list[PrivateKey] = [
    ec.generate_private_key(ec.SECP256R1()),
    ec.generate_private_key(ec.SECP384R1()),
    ec.generate_private_key(ec.SECP521R1()),
    ed25519.Ed25519PrivateKey.generate(),
    RSA,
]
PASSWORD = b"s3cret-Pa55"


def _body(pem: bytes) -> dict[str, object]:
    lines = pem.decode().splitlines()
    return json.loads(base64.b64decode("".join(lines[1:-1])))  # type: ignore[no-any-return]


def _repem(doc: object, label: str = "ENCRYPTED SIGSTORE PRIVATE KEY") -> bytes:
    text = base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()
    return f"-----BEGIN {label}-----\n{text}\n-----END {label}-----\n".encode()


def test_generate_key_pair_writes_cosigns_layout() -> None:
    private, public = generate_key_pair(PASSWORD)
    lines = private.decode().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert lines[-1] == "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert private.endswith(b"-----\n")
    assert all(len(line) == 64 for line in lines[1:-2]) and 0 < len(lines[-2]) <= 64
    raw = base64.b64decode("".join(lines[1:-1]))
    # Go's encoding/json: struct field order, no spaces
    assert re.fullmatch(
        rb'\{"kdf":\{"name":"scrypt","params":\{"N":65536,"r":8,"p":1\},"salt":"[A-Za-z0-9+/=]{44}"\},'
        rb'"cipher":\{"name":"nacl/secretbox","nonce":"[A-Za-z0-9+/=]{32}"\},'
        rb'"ciphertext":"[A-Za-z0-9+/=]+"\}',
        raw,
    )
    doc = json.loads(raw)
    assert len(base64.b64decode(doc["kdf"]["salt"])) == 32
    assert len(base64.b64decode(doc["cipher"]["nonce"])) == 24
    # P-256 PKCS#8 (138 bytes) + the 16-byte secretbox tag
    assert len(base64.b64decode(doc["ciphertext"])) == 138 + 16
    key = load_private_key(private, PASSWORD, source="cosign.key")
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    pub = load_public_key(public, source="cosign.pub")
    assert public.startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert key_id(pub) == key_id(key.public_key())
    verify(pub, sign(key, b"x"), b"x")
    # two keys never share salt or nonce
    assert _body(generate_key_pair(PASSWORD)[0])["kdf"] != doc["kdf"]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: type(k).__name__)
def test_encrypt_round_trips_every_key_type(key: PrivateKey) -> None:
    pem = encrypt_private_key(key, PASSWORD)
    back = load_private_key(pem, PASSWORD, source="k")
    assert key_id(back.public_key()) == key_id(key.public_key())
    with pytest.raises(SignError, match=r"^k: wrong password \(or a damaged key\)$"):
        load_private_key(pem, b"other", source="k")


def test_empty_password_is_a_password() -> None:
    pem = encrypt_private_key(KEYS[0], b"")
    load_private_key(pem, b"", source="k")
    with pytest.raises(SignError, match=r"^k: the key is encrypted: a password is needed$"):
        load_private_key(pem, None, source="k")
    with pytest.raises(SignError, match="wrong password"):
        load_private_key(pem, b" ", source="k")


def test_older_cosign_label() -> None:
    pem = encrypt_private_key(KEYS[0], PASSWORD).replace(b"SIGSTORE", b"COSIGN")
    load_private_key(pem, PASSWORD, source="k")


@pytest.mark.parametrize(
    "fmt",
    [
        serialization.PrivateFormat.PKCS8,
        serialization.PrivateFormat.TraditionalOpenSSL,
    ],
)
@pytest.mark.parametrize("key", [KEYS[0], RSA], ids=["ec", "rsa"])
def test_unencrypted_pems(key: PrivateKey, fmt: serialization.PrivateFormat) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    label = pem.splitlines()[0].decode()
    assert label in (
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN EC PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----",
    )
    for password in (None, b"", PASSWORD):  # not used
        back = load_private_key(b"leading text\n" + pem, password, source="k.pem")
        assert key_id(back.public_key()) == key_id(key.public_key())


def test_pkcs8_encrypted_pem() -> None:
    pem = KEYS[0].private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD),
    )
    assert b"ENCRYPTED PRIVATE KEY" in pem
    load_private_key(pem, PASSWORD, source="k")
    with pytest.raises(SignError, match=r"^k: wrong password \(or a damaged key\)$"):
        load_private_key(pem, b"nope", source="k")
    with pytest.raises(SignError, match=r"^k: the key is encrypted: a password is needed$"):
        load_private_key(pem, None, source="k")


def _cert(key: PrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "t")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_public_key_files() -> None:
    key = KEYS[0]
    assert key_id(load_public_key(public_pem(key.public_key()), source="p")) == key_id(
        key.public_key()
    )
    pkcs1 = RSA.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    assert pkcs1.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    assert key_id(load_public_key(pkcs1, source="p")) == key_id(RSA.public_key())
    assert key_id(load_public_key(_cert(key), source="c")) == key_id(key.public_key())


BAD_PRIVATE = [
    (b"", "k: not a PEM private key (expected a cosign.key"),
    (b"hello world", "k: not a PEM private key (expected a cosign.key"),
    (public_pem(KEYS[0].public_key()), "k: a PEM PUBLIC KEY block, not a private key"),
    (
        b"-----BEGIN PGP PRIVATE KEY-----\nAAAA\n-----END PGP PRIVATE KEY-----\n",
        "k: unsupported PEM PGP PRIVATE KEY (expected a cosign.key",
    ),
    (
        b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGEga2V5\n"
        b"-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
        "k: damaged cosign key: the PEM body is not base64 JSON",
    ),
    (
        b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
        "k: damaged EC PRIVATE KEY: not a valid key",
    ),
    (
        b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        "k: damaged PRIVATE KEY: not a valid key",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_PRIVATE)
def test_bad_private_key_files(data: bytes, message: str) -> None:
    with pytest.raises(SignError) as err:
        load_private_key(data, PASSWORD, source="k")
    assert str(err.value).startswith(message)
    assert PASSWORD.decode() not in str(err.value)


def _mutated(change: str) -> bytes:
    doc = _body(encrypt_private_key(KEYS[0], PASSWORD))
    kdf, cipher = doc["kdf"], doc["cipher"]
    assert isinstance(kdf, dict) and isinstance(cipher, dict)
    if change == "huge-N":
        kdf["params"] = {"N": 2**30, "r": 8, "p": 1}
    elif change == "huge-r":
        kdf["params"] = {"N": 65536, "r": 1024, "p": 1}
    elif change == "huge-p":
        kdf["params"] = {"N": 65536, "r": 8, "p": 64}
    elif change == "small-N":
        kdf["params"] = {"N": 2, "r": 1, "p": 1}
    elif change == "float-N":
        kdf["params"] = {"N": 65536.0, "r": 8, "p": 1}
    elif change == "kdf":
        kdf["name"] = "pbkdf2"
    elif change == "cipher":
        cipher["name"] = "aes-gcm"
    elif change == "nonce":
        cipher["nonce"] = base64.b64encode(b"x" * 12).decode()
    elif change == "no-salt":
        del kdf["salt"]
    elif change == "ciphertext":
        doc["ciphertext"] = "%%%"
    elif change == "list":
        return _repem([1, 2])
    return _repem(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            "huge-N",
            "k: scrypt parameters N=1073741824, r=8, p=1 refused: cosign writes and "
            "reads only N=32768, 65536 or 131072 with r=8, p=1",
        ),
        ("huge-r", "k: scrypt parameters N=65536, r=1024, p=1 refused"),
        ("huge-p", "k: scrypt parameters N=65536, r=8, p=64 refused"),
        ("small-N", "k: scrypt parameters N=2, r=1, p=1 refused"),
        ("float-N", "k: damaged cosign key: 'N' is not an integer"),
        ("kdf", "k: unsupported key derivation 'pbkdf2' (cosign uses scrypt)"),
        ("cipher", "k: unsupported cipher 'aes-gcm' (cosign uses nacl/secretbox)"),
        ("nonce", "k: damaged cosign key: the nonce is not 24 bytes"),
        ("no-salt", "k: damaged cosign key: no 'salt' field"),
        ("ciphertext", "k: damaged cosign key: 'ciphertext' is not base64"),
        ("list", "k: damaged cosign key: the PEM body is not a JSON object"),
    ],
)
def test_damaged_or_hostile_cosign_keys(change: str, message: str) -> None:
    with pytest.raises(SignError) as err:
        load_private_key(_mutated(change), PASSWORD, source="k")
    assert str(err.value).startswith(message)


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_unsupported_key_types_are_named() -> None:
    k1 = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(SignError, match=r"^k: ECDSA curve secp256k1 is not supported"):
        load_private_key(_envelope(_pkcs8(k1)), PASSWORD, source="k")
    pem = x25519.X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(SignError, match=r"^k: unsupported key type X25519PrivateKey"):
        load_private_key(pem, None, source="k")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(SignError, match=r"^p: RSA key of 1024 bits: at least 2048"):
        load_public_key(public_pem(small.public_key()), source="p")


def _envelope(plaintext: bytes) -> bytes:
    """A cosign envelope around any bytes (encrypt_private_key only takes supported keys)."""
    salt, nonce = secrets.token_bytes(32), secrets.token_bytes(24)
    box_key = hashlib.scrypt(PASSWORD, salt=salt, n=32768, r=8, p=1, maxmem=64 << 20, dklen=32)
    sealed = nacl.secret.SecretBox(box_key).encrypt(plaintext, nonce).ciphertext
    doc = {
        "kdf": {
            "name": "scrypt",
            "params": {"N": 32768, "r": 8, "p": 1},
            "salt": base64.b64encode(salt).decode(),
        },
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    return _repem(doc)


def test_garbage_inside_a_valid_envelope() -> None:
    """The right password opens the box, but what is inside is not a key."""
    with pytest.raises(SignError, match=r"^k: the decrypted key is not a PKCS#8 private key"):
        load_private_key(_envelope(b"not a key"), PASSWORD, source="k")


BAD_PUBLIC = [
    (b"", "p: not a PEM public key (expected a cosign.pub"),
    (
        KEYS[0].private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "p: a private key, not a public key: give the public key (cosign.pub)",
    ),
    (
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "p: damaged PUBLIC KEY: not a valid public key",
    ),
    (
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "p: damaged CERTIFICATE: not a valid public key",
    ),
    (
        b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
        "p: a PEM X509 CRL block, not a public key",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_PUBLIC)
def test_bad_public_key_files(data: bytes, message: str) -> None:
    with pytest.raises(SignError) as err:
        load_public_key(data, source="p")
    assert str(err.value).startswith(message)
    assert "MIG" not in str(err.value)  # no key bytes echoed


@pytest.mark.parametrize(
    "key_pem",
    [
        encrypt_private_key(KEYS[0], PASSWORD),
        KEYS[0].private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.BestAvailableEncryption(PASSWORD),
        ),
        RSA.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
    ],
    ids=["cosign", "legacy-encrypted", "rsa"],
)
def test_crlf_and_indented_pems(key_pem: bytes) -> None:
    """A key pasted into YAML (indented) or saved on Windows (CRLF) still reads."""
    expected = key_id(load_private_key(key_pem, PASSWORD, source="k").public_key())
    crlf = key_pem.replace(b"\n", b"\r\n")
    indented = b"key: |\n" + b"".join(b"    " + line + b"\n" for line in key_pem.splitlines())
    for variant in (crlf, indented):
        assert key_id(load_private_key(variant, PASSWORD, source="k").public_key()) == expected
    pub = public_pem(load_private_key(key_pem, PASSWORD, source="k").public_key())
    assert key_id(load_public_key(pub.replace(b"\n", b"\r\n"), source="p")) == expected


def test_password_must_be_bytes() -> None:
    with pytest.raises(SignError, match=r"^k: the password must be bytes$"):
        load_private_key(encrypt_private_key(KEYS[0], b"x"), "x", source="k")  # type: ignore[arg-type]
