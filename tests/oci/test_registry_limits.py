"""What a hostile or broken registry cannot do to the client: oversized manifests, schema 1,
redirect loops, servers that never answer, garbage where JSON belongs."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from hardhull.oci.model import ImageError, Platform
from hardhull.oci.registry import MAX_MANIFEST_BYTES, RegistryClient, open_registry_image
from tests.helpers.registry import FakeRegistry, serve_fake

AMD64 = Platform("linux", "amd64")


def _serve(*routes: Any) -> Any:
    return serve_fake(FakeRegistry(routes=list(routes)))


def _manifest(body: bytes, media_type: str = "application/vnd.oci.image.manifest.v1+json") -> Any:
    def route(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        if "/manifests/" in path:
            return (200, {"Content-Type": media_type}, body)
        return None

    return route


def test_oversized_manifest() -> None:
    with (
        _serve(_manifest(b" " * (MAX_MANIFEST_BYTES + 1))) as fake,
        pytest.raises(ImageError, match=r"manifest 1 of app is \d+ bytes, more than the"),
    ):
        open_registry_image(f"127.0.0.1:{fake.port}/app:1", platform=AMD64, insecure=True)


@pytest.mark.parametrize(
    ("body", "media_type", "why"),
    [
        (
            b'{"schemaVersion": 1, "fsLayers": []}',
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            "schema 1",
        ),
        (b"<html>", "text/html", "not JSON"),
        (b"[1, 2]", "application/json", "not a JSON object"),
        (
            b'{"schemaVersion": 2, "layers": []}',
            "application/vnd.oci.image.manifest.v1+json",
            "no config descriptor",
        ),
    ],
)
def test_bad_manifests(body: bytes, media_type: str, why: str) -> None:
    with _serve(_manifest(body, media_type)) as fake, pytest.raises(ImageError, match=why):
        open_registry_image(f"127.0.0.1:{fake.port}/app:1", platform=AMD64, insecure=True)


def test_redirect_loop() -> None:
    def loop(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        return (307, {"Location": path}, b"")

    with _serve(loop) as fake:
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=None)
        with pytest.raises(ImageError, match="more than 5 redirects"):
            client.get_blob("app", "sha256:" + "a" * 64)
    assert len(fake.seen) == 6


def test_unsupported_auth_scheme() -> None:
    def negotiate(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        return (401, {"WWW-Authenticate": "Negotiate"}, b"")

    with _serve(negotiate) as fake:
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=None)
        with pytest.raises(ImageError, match="scheme other than Bearer or Basic"):
            client.list_tags("app")


def test_registry_errors_are_cleaned() -> None:
    def denied(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        doc = {"errors": [{"code": "DENIED", "message": "no\x1b[31m access\n" + "x" * 500}]}
        return (403, {}, json.dumps(doc).encode())

    with _serve(denied) as fake:
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=None)
        with pytest.raises(ImageError, match=r"access denied \(DENIED: no \[31m access") as info:
            client.get_manifest("app", "1")
    assert "\x1b" not in str(info.value) and len(str(info.value)) < 300


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        sock.close()
        for c in accepted:
            c.close()


def test_timeout(silent_server: int) -> None:
    with pytest.raises(ImageError, match=r"127\.0\.0\.1:\d+: timed out after 0\.2 s"):
        open_registry_image(
            f"127.0.0.1:{silent_server}/app:1", platform=AMD64, insecure=True, timeout=0.2
        )


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ImageError, match=rf"127\.0\.0\.1:{port}: connection refused"):
        open_registry_image(f"127.0.0.1:{port}/app:1", platform=AMD64, insecure=True)


@pytest.mark.parametrize(
    ("call", "why"),
    [
        (lambda c: c.get_manifest("../etc", "1"), "not a repository name"),
        (lambda c: c.get_manifest("app", "a/b"), "neither a tag nor a digest"),
        (lambda c: c.get_manifest("app", "sha256:abc"), "is not a digest"),
        (lambda c: c.get_blob("app", "md5:" + "a" * 32), "unsupported algorithm"),
        (lambda c: c.open_blob("App", "sha256:" + "a" * 64), "not a repository name"),
        (lambda c: c.referrers("app", "sha256:short"), "is not a digest"),
        (lambda c: c.put_manifest("app", "x y", b"{}", "t"), "neither a tag nor a digest"),
    ],
)
def test_arguments_are_checked_before_any_request(call: Any, why: str) -> None:
    with _serve() as fake:
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=None)
        with pytest.raises(ImageError, match=f"registry 127.0.0.1:{fake.port}: .*{why}"):
            call(client)
    assert fake.seen == []


def test_pagination_to_another_host_gets_no_credentials() -> None:
    from hardhull.oci.auth import Credentials

    other = FakeRegistry(routes=[lambda m, p, h, b: (200, {}, b'{"tags": ["z"]}')])

    def basic(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        if not headers.get("authorization"):
            return (401, {"WWW-Authenticate": 'Basic realm="r"'}, b"")
        link = f'<{other.base}/v2/app/tags/list?last=a>; rel="next"'
        return (200, {"Link": link}, b'{"tags": ["a"]}')

    with serve_fake(other), _serve(basic) as fake:
        creds = Credentials("u", "secret-pw", source="test")
        client = RegistryClient(f"127.0.0.1:{fake.port}", insecure=True, credentials=creds)
        assert client.list_tags("app") == ["a", "z"]
    assert "authorization" in fake.seen[-1].headers
    assert [s.headers.get("authorization") for s in other.seen] == [None]


def _one_layer_image(real: bytes, served: bytes) -> Any:
    from tests.helpers.registry import sha256

    config = json.dumps({"os": "linux", "architecture": "amd64"}).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "c", "digest": sha256(config), "size": len(config)},
            "layers": [{"mediaType": "l", "digest": sha256(real), "size": len(real)}],
        }
    ).encode()

    def route(method: str, path: str, headers: dict[str, str], _: bytes) -> Any:
        if "/manifests/" in path:
            return (200, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}, manifest)
        if path.endswith(sha256(config)):
            return (200, {}, config)
        if path.endswith(sha256(real)):
            return (200, {}, served)
        return None

    return route


def _tar_with_padding(last: bytes) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = b"x" * 200_000
        info = tarfile.TarInfo("big")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    # a tar reader stops at the end-of-archive marker, before the padding that follows it
    return buf.getvalue() + b"\0" * 500_000 + last


def test_a_reader_that_stops_at_the_tar_end_still_gets_the_digest_checked() -> None:
    import tarfile

    real, served = _tar_with_padding(b"\0"), _tar_with_padding(b"\1")
    with _serve(_one_layer_image(real, served)) as fake:
        img = open_registry_image(f"127.0.0.1:{fake.port}/app:1", platform=AMD64, insecure=True)
        stream = img.open_layer(img.layers[0])
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            assert [m.name for m in tar] == ["big"]
        with pytest.raises(ImageError, match="digest mismatch"):
            stream.close()
        # the good blob read the same way closes cleanly
        fake_routes = fake.routes
        fake_routes[0] = _one_layer_image(real, real)
        img = open_registry_image(f"127.0.0.1:{fake.port}/app:1", platform=AMD64, insecure=True)
        with (
            img.open_layer(img.layers[0]) as stream,
            tarfile.open(fileobj=stream, mode="r|") as tar,
        ):
            assert [m.name for m in tar] == ["big"]
        # Image.close abandons what is still open without reading or checking it
        fake_routes[0] = _one_layer_image(real, served)
        img = open_registry_image(f"127.0.0.1:{fake.port}/app:1", platform=AMD64, insecure=True)
        img.open_layer(img.layers[0]).read(10)
        img.close()
