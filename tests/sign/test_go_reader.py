"""hardhull's cosign keys and payloads against an independent implementation in Go.

No packaged reader of cosign's encrypted key format exists on PyPI or npm (cosign's own is Go:
go-securesystemslib's ``encrypted``, which Debian does not package), so ``go/cosignfmt.go``
implements the format on the libraries it is defined by: Go's ``encoding/json``,
``encoding/pem``, ``crypto/x509`` (``ParsePKCS8PrivateKey``, cosign's call) and
``golang.org/x/crypto``'s scrypt and nacl/secretbox (Debian's ``golang-go`` and
``golang-golang-x-crypto-dev``, which ``make test`` installs). Keys hardhull writes open
there, keys Go writes open in hardhull, and Go's ``json.Marshal`` of the payload struct gives
the bytes :func:`make_payload` writes. Without Go the tests skip with the reason."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hardhull.sign.crypto import PrivateKey, public_der
from hardhull.sign.keys import encrypt_private_key, load_private_key
from hardhull.sign.simplesign import make_payload

SOURCE = Path(__file__).parent / "go" / "cosignfmt.go"
GOPATH = "/usr/share/gocode"


@pytest.fixture(scope="module")
def cosignfmt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, int]]:
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed (make test installs Debian's golang-go)")
    if not (Path(GOPATH) / "src/golang.org/x/crypto/nacl/secretbox").is_dir():
        pytest.skip(f"golang.org/x/crypto is not under {GOPATH} (golang-golang-x-crypto-dev)")
    out = tmp_path_factory.mktemp("go")
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": GOPATH,
        "GOCACHE": str(out / "cache"),
        "GOFLAGS": "",
        "GOPROXY": "off",
    }
    subprocess.run(
        [go, "build", "-o", str(out / "cosignfmt"), str(SOURCE)],
        check=True,
        env=env,
        cwd=out,
        capture_output=True,
    )
    version = subprocess.run([go, "version"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"go(\d+)\.(\d+)", version)
    assert m, version
    return out / "cosignfmt", (int(m.group(1)), int(m.group(2)))


def _run(tool: Path, *args: str, password: bytes = b"", stdin: bytes = b"") -> bytes:
    env = {**os.environ, "COSIGNFMT_PASSWORD": password.decode()}
    proc = subprocess.run([str(tool), *args], input=stdin, env=env, capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


KEYS: list[PrivateKey] = [
    ec.generate_private_key(ec.SECP256R1()),
    ec.generate_private_key(ec.SECP384R1()),
    ed25519.Ed25519PrivateKey.generate(),
    rsa.generate_private_key(public_exponent=65537, key_size=2048),
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: type(k).__name__)
@pytest.mark.parametrize("password", [b"correct horse", b""], ids=["password", "empty"])
def test_go_reads_keys_hardhull_writes(
    cosignfmt: tuple[Path, tuple[int, int]], key: PrivateKey, password: bytes
) -> None:
    tool, _ = cosignfmt
    pem = encrypt_private_key(key, password)
    out = _run(tool, "decrypt", password=password, stdin=pem)
    assert out.strip().decode() == public_der(key.public_key()).hex()
    proc = subprocess.run(
        [str(tool), "decrypt"],
        input=pem,
        env={**os.environ, "COSIGNFMT_PASSWORD": "wrong"},
        capture_output=True,
    )
    assert proc.returncode == 1 and b"decryption failed" in proc.stderr


def test_hardhull_reads_keys_go_writes(cosignfmt: tuple[Path, tuple[int, int]]) -> None:
    tool, _ = cosignfmt
    out = _run(tool, "encrypt", password=b"from go")
    pem, pub_hex = out.rsplit(b"-----\n", 1)
    key = load_private_key(pem + b"-----\n", b"from go", source="go.key")
    assert public_der(key.public_key()).hex() == pub_hex.strip().decode()


def test_payload_bytes_match_go_json_marshal(cosignfmt: tuple[Path, tuple[int, int]]) -> None:
    tool, version = cosignfmt
    digest = "sha256:" + "7f" * 32
    tricky = 'q"\\/<>&\u2028\u2029\x01\x1f\x7f\n\r\té€😀'
    if version >= (1, 22):
        tricky += "\b\f"  # Go 1.22 writes these as \b and \f, before as \u0008 and \u000c
    cases: list[tuple[str, dict[str, str] | None]] = [
        ("registry.example/team/app", None),
        ("localhost:5000/a", {"env": "prod"}),
        (f"r/{tricky}", {"z": "1", "a": tricky, "é": "x", "B": ""}),
    ]
    for ref, wanted in cases:
        args = [ref, digest] + [f"{k}={v}" for k, v in (wanted or {}).items()]
        assert make_payload(ref, digest, wanted) == _run(tool, "payload", *args)
