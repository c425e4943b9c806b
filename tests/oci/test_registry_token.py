"""The Bearer token flow end to end, over HTTPS: Debian's docker-registry on 127.0.0.1 with
``auth: token`` and TLS, and a token server of our own on 127.0.0.1 that issues the ES256
JWTs the registry verifies against the certificate bundle it is given. The client is not
told to skip anything: it trusts the test CA through ``SSL_CERT_FILE``, as the system trust
store would."""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hardhull.oci.model import ImageError, Platform
from hardhull.oci.registry import RegistryClient, open_registry_image
from tests.helpers.registry import (
    FakeRegistry,
    Layout,
    basic_auth,
    docker_config,
    need,
    serve_fake,
    skopeo_copy,
    start_registry,
    stop_registry,
)

AMD64 = Platform("linux", "amd64")
SERVICE, ISSUER = "hardhull-test-registry", "hardhull-test-tokens"
PASSWORD = "t0ken-pass"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """An ES256 key and the self-signed certificate the registry trusts it by."""

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hardhull test token signer")])
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM)
        self.der = self.cert.public_bytes(serialization.Encoding.DER)

    def token(self, subject: str, access: list[dict[str, Any]]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(self.der).decode()]}
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 60,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _grant(scope: str, user: str) -> list[dict[str, Any]]:
    """alice may pull and push anything; anyone may pull public/*."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if kind != "repository":
        return []
    wanted = actions.split(",")
    allowed = wanted if user == "alice" else [a for a in wanted if a == "pull"]
    if user != "alice" and not name.startswith("public/"):
        allowed = []
    return [{"type": "repository", "name": name, "actions": allowed}]


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    need("skopeo")
    need("docker-registry")
    from hardhull.admission.certs import generate

    tmp = tmp_path_factory.mktemp("token")
    bundle = generate(["localhost"], ["127.0.0.1"])
    ca, cert, key = tmp / "ca.pem", tmp / "tls.crt", tmp / "tls.key"
    ca.write_bytes(bundle.ca_pem)
    cert.write_bytes(bundle.cert_pem)
    key.write_bytes(bundle.key_pem)
    signer = Signer()
    (tmp / "signer.pem").write_bytes(signer.pem)
    asked: list[dict[str, str]] = []

    def issue(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        if method != "GET" or not path.startswith("/token"):
            return None
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        auth = headers.get("authorization", "")
        asked.append({"auth": auth, "scope": " ".join(query.get("scope", []))})
        user = ""
        if auth:
            if auth != "Basic " + basic_auth("alice", PASSWORD):
                return (401, {"Content-Type": "application/json"}, b'{"details":"bad creds"}')
            user = "alice"
        access = [g for s in query.get("scope", []) for g in _grant(s, user)]
        reply = {"token": signer.token(user, access), "expires_in": 300}
        return (200, {"Content-Type": "application/json"}, json.dumps(reply).encode())

    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(str(cert), str(key))
    tokens = FakeRegistry(routes=[issue])
    with serve_fake(tokens, server_ctx):
        auth = (
            "auth:\n  token:\n"
            f"    realm: {tokens.base}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n"
            f"    rootcertbundle: {tmp / 'signer.pem'}\n"
        )
        reg = start_registry(tmp / "reg", tls=(ca, cert, key), auth=auth)
        try:
            lay = Layout(tmp / "layout")
            desc, config, _ = lay.image([{"f": b"behind a token\n"}])
            lay.tag(desc, "1")
            creds = f"alice:{PASSWORD}"
            for repo in ("private/app", "public/app"):
                dest = f"docker://{reg.host}/{repo}:1"
                skopeo_copy(f"oci:{lay.root}:1", dest, tmp, creds=creds)
            asked.clear()
            yield {"reg": reg, "ca": ca, "asked": asked, "desc": desc, "config": config}
        finally:
            stop_registry(reg)


def test_https_needs_a_trusted_certificate(
    token_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg = token_registry["reg"]
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with pytest.raises(
        ImageError,
        match=r"of 127\.0\.0\.1 not trusted .*a private CA goes in /etc/docker/certs\.d/",
    ):
        open_registry_image(f"{reg.host}/public/app:1", platform=AMD64)


def test_a_ca_in_certs_d(
    token_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg = token_registry["reg"]
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    certs = tmp_path / "xdg" / "docker" / "certs.d" / reg.host
    certs.mkdir(parents=True)
    (certs / "ca.crt").write_bytes(token_registry["ca"].read_bytes())
    img = open_registry_image(f"{reg.host}/public/app:1", platform=AMD64)
    assert img.config == token_registry["config"]
    (certs / "ca.crt").write_text("not a certificate")
    with pytest.raises(ImageError, match=r"ca\.crt: not a PEM certificate"):
        open_registry_image(f"{reg.host}/public/app:1", platform=AMD64)


def test_insecure_against_an_https_registry_says_so(token_registry: dict[str, Any]) -> None:
    reg = token_registry["reg"]
    with pytest.raises(
        ImageError, match="HTTP 400 \\(the registry speaks HTTPS: leave out --insecure"
    ):
        open_registry_image(f"{reg.host}/public/app:1", platform=AMD64, insecure=True)


def test_anonymous_pull_token(
    token_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg, asked = token_registry["reg"], token_registry["asked"]
    monkeypatch.setenv("SSL_CERT_FILE", str(token_registry["ca"]))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    asked.clear()
    img = open_registry_image(f"{reg.host}/public/app:1", platform=AMD64)
    assert img.config == token_registry["config"]
    with img.open_layer(img.layers[0]) as stream:
        assert len(stream.read()) == img.layers[0].size
    assert asked == [{"auth": "", "scope": "repository:public/app:pull"}]
    # the anonymous token grants nothing on a private repository
    with pytest.raises(ImageError, match=r"no credentials for 127\.0\.0\.1:\d+ are configured"):
        open_registry_image(f"{reg.host}/private/app:1", platform=AMD64)


def test_token_for_credentials_from_docker_config(
    token_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg, asked = token_registry["reg"], token_registry["asked"]
    monkeypatch.setenv("SSL_CERT_FILE", str(token_registry["ca"]))
    cfg = docker_config(tmp_path, {f"https://{reg.host}": {"auth": basic_auth("alice", PASSWORD)}})
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    asked.clear()
    img = open_registry_image(f"docker://{reg.host}/private/app:1", platform=AMD64)
    assert img.manifest_digest == token_registry["desc"]["digest"]
    assert asked == [
        {"auth": "Basic " + basic_auth("alice", PASSWORD), "scope": "repository:private/app:pull"}
    ]
    # the write side asks for push, pull
    client = RegistryClient(reg.host)
    digest = client.push_blob("private/app", b"a signature")
    assert client.get_blob("private/app", digest) == b"a signature"
    assert asked[1]["scope"].split(" ")[0] == "repository:private/app:pull,push"


def test_rejected_credentials(
    token_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg = token_registry["reg"]
    monkeypatch.setenv("SSL_CERT_FILE", str(token_registry["ca"]))
    cfg = docker_config(tmp_path, {reg.host: {"username": "alice", "password": "not-it"}})
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    with pytest.raises(ImageError, match="rejected the credentials from") as info:
        open_registry_image(f"{reg.host}/private/app:1", platform=AMD64)
    assert "not-it" not in str(info.value)
