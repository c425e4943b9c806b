"""The TLS webhook server under test: a throw-away CA and serving certificate, a `hardhull
admission` process on a free port, its metrics, and applying a JSON-patch answer."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonpatch
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Bundle:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    serial: int


def make_bundle(name: str) -> Bundle:
    """A CA and a serving certificate for 127.0.0.1/localhost signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"test CA {name}")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"webhook {name}")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Bundle(
        ca.public_bytes(serialization.Encoding.PEM),
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        serial,
    )


def install(bundle: Bundle, directory: Path) -> None:
    """Replace tls.crt/tls.key the way a Secret volume update does: new files, then rename."""
    for name, data in (("tls.key", bundle.key_pem), ("tls.crt", bundle.cert_pem)):
        tmp = directory / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, directory / name)


def peer_serial(port: int, ca_pem: bytes) -> int:
    """The serial number of the certificate a new TLS connection to 127.0.0.1:port is served
    (verified against ``ca_pem``)."""
    ctx = ssl.create_default_context(cadata=ca_pem.decode())
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, tmp: Path, policy: str | None, workers: int = 1) -> None:
        self.dir = tmp
        self.bundle = make_bundle("A")
        install(self.bundle, tmp)
        self.port = free_port()
        args = [
            sys.executable, "-m", "hardhull", "admission", "serve",
            "--tls-cert", str(tmp / "tls.crt"), "--tls-key", str(tmp / "tls.key"),
            "--host", "127.0.0.1", "--port", str(self.port), "--namespace", "hardhull",
            "--workers", str(workers), "--cert-check-seconds", "0.1",
        ]  # fmt: skip
        if policy is not None:
            (tmp / "policy.yaml").write_text(policy)
            args += ["--config", str(tmp / "policy.yaml")]
        env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        self.log = open(tmp / "server.log", "w+b")  # noqa: SIM115
        self.proc = subprocess.Popen(
            args, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self.url = f"https://127.0.0.1:{self.port}"
        self.client = self.new_client(self.bundle.ca_pem)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{self.output()}")
            time.sleep(0.05)

    def new_client(self, ca_pem: bytes, **kw: Any) -> httpx.Client:
        ctx = ssl.create_default_context(cadata=ca_pem.decode())
        return httpx.Client(base_url=self.url, verify=ctx, timeout=10, **kw)

    def output(self) -> str:
        self.log.flush()
        return (self.dir / "server.log").read_text(errors="replace")

    def review(self, body: dict[str, Any], path: str = "/validate") -> dict[str, Any]:
        r = self.client.post(path, json=body)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/json"
        out = r.json()
        assert (out["apiVersion"], out["kind"]) == ("admission.k8s.io/v1", "AdmissionReview")
        assert out["response"]["uid"] == body["request"]["uid"]
        return out["response"]  # type: ignore[no-any-return]

    def metrics(self) -> str:
        r = self.client.get("/metrics")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/plain")
        return r.text

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample (labels matched as a subset; summed over the rest)."""
    total = 0.0
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(m.group(3))
    return total


def patched(obj: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    assert response["patchType"] == "JSONPatch"
    ops = json.loads(base64.b64decode(response["patch"]))
    return jsonpatch.JsonPatch(ops).apply(obj)  # type: ignore[no-any-return]
