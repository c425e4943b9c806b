"""HTTPS through an HTTP CONNECT proxy (``https_proxy``, ``no_proxy``): a proxy of our own on
127.0.0.1 tunnels ``registry.test:443`` to a stand-in HTTPS registry on 127.0.0.1 whose
certificate names ``registry.test``; nothing leaves the machine."""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardhull.oci.model import ImageError, Platform
from hardhull.oci.registry import open_registry_image
from tests.helpers.registry import FakeRegistry, serve_fake, sha256

AMD64 = Platform("linux", "amd64")
LAYER = b"through the tunnel" * 100


class Proxy:
    """A CONNECT proxy that sends every tunnel to ``target`` and records what it was asked."""

    def __init__(self, target: int, password: str = "") -> None:
        self.target, self.password = target, password
        self.asked: list[tuple[str, str]] = []  # (CONNECT target, Proxy-Authorization)
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode().split()
                auth = ""
                while (h := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = h.decode().partition(":")
                    if name.lower() == "proxy-authorization":
                        auth = value.strip()
                proxy.asked.append((line[1], auth))
                want = "Basic " + base64.b64encode(f"u:{proxy.password}".encode()).decode()
                if proxy.password and auth != want:
                    self.wfile.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                    return
                upstream = socket.create_connection(("127.0.0.1", proxy.target))
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()

                def pump(src: socket.socket, dst: socket.socket) -> None:
                    try:
                        while data := src.recv(65536):
                            dst.sendall(data)
                    except OSError:
                        pass
                    finally:
                        dst.close()

                back = threading.Thread(target=pump, args=(upstream, self.connection))
                back.start()
                pump(self.connection, upstream)
                back.join()

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRegistry]:
    from hardhull.admission.certs import generate

    bundle = generate(["registry.test"])
    (tmp_path / "ca.pem").write_bytes(bundle.ca_pem)
    (tmp_path / "tls.crt").write_bytes(bundle.cert_pem)
    (tmp_path / "tls.key").write_bytes(bundle.key_pem)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    for name in ("https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    config = json.dumps({"os": "linux", "architecture": "amd64"}).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "c", "digest": sha256(config), "size": len(config)},
            "layers": [{"mediaType": "l", "digest": sha256(LAYER), "size": len(LAYER)}],
        }
    ).encode()
    blobs = {sha256(config): config, sha256(LAYER): LAYER}

    def route(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        if "/manifests/" in path:
            return (200, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}, manifest)
        digest = path.rsplit("/", 1)[-1]
        return (200, {}, blobs[digest]) if digest in blobs else None

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(tmp_path / "tls.crt"), str(tmp_path / "tls.key"))
    with serve_fake(FakeRegistry(routes=[route]), context) as fake:
        yield fake


def test_https_through_the_proxy(
    tls_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = Proxy(tls_registry.port, password="p@ss word")
    try:
        monkeypatch.setenv("https_proxy", f"http://u:p%40ss%20word@127.0.0.1:{proxy.port}")
        img = open_registry_image("registry.test/app:1", platform=AMD64)
        with img.open_layer(img.layers[0]) as stream:
            assert stream.read() == LAYER
        assert {target for target, _ in proxy.asked} == {"registry.test:443"}
        assert len(proxy.asked) == 3  # manifest, config, layer
        monkeypatch.setenv("https_proxy", f"http://u:wrong@127.0.0.1:{proxy.port}")
        with pytest.raises(
            ImageError, match=r"via proxy 127\.0\.0\.1:\d+: the proxy refused the tunnel \(407"
        ) as info:
            open_registry_image("registry.test/app:1", platform=AMD64)
        assert "wrong" not in str(info.value)
    finally:
        proxy.close()


@pytest.mark.parametrize("no_proxy", ["registry.test", ".test", "*", "other.io, registry.test:443"])
def test_no_proxy_bypasses(
    tls_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    # the proxy is not there: only a bypass can succeed, and registry.test does not resolve,
    # so the error shows the proxy was passed over
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    with pytest.raises(ImageError, match=r"registry\.test") as info:
        open_registry_image("registry.test/app:1", platform=AMD64)
    assert "via proxy" not in str(info.value)


def test_no_proxy_not_matching_uses_the_proxy(
    tls_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "gistry.test, registry.test:5000, 10.0.0.0/8, ::1")
    with pytest.raises(
        ImageError, match=r"registry\.test:443 via proxy 127\.0\.0\.1:9: connection refused"
    ):
        open_registry_image("registry.test/app:1", platform=AMD64)


def test_loopback_is_never_proxied(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ImageError, match=rf"127\.0\.0\.1:{port}: connection refused") as info:
        open_registry_image(f"127.0.0.1:{port}/app:1", platform=AMD64, insecure=True)
    assert "via proxy" not in str(info.value)
