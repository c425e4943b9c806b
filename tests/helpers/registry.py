"""Registries for the registry client's tests: Debian's ``docker-registry`` started on
127.0.0.1 with a config of our own, images written as OCI layouts here and pushed with
``skopeo``, and a small stand-in registry (bearer tokens, redirects, the referrers API) for
what ``docker-registry`` 2.8 cannot do."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not installed (Debian package; `make test` installs it as root)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# -- OCI layouts ---------------------------------------------------------------------------


def layer_tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Layout:
    """An OCI image layout written by hand: blobs, manifests, an index.json of tags."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        self.tags: list[dict[str, Any]] = []

    def blob(self, data: bytes, media_type: str) -> dict[str, Any]:
        digest = sha256(data)
        (self.root / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def image(
        self,
        files: list[dict[str, bytes]],
        *,
        os_: str = "linux",
        arch: str = "amd64",
        **extra: Any,
    ) -> tuple[dict[str, Any], dict[str, Any], list[bytes]]:
        """A manifest over one layer per dict of files; returns its descriptor, the config and
        the compressed layers."""
        tars = [layer_tar(f) for f in files]
        gz = [gzip.compress(t, mtime=0) for t in tars]
        config = {
            "architecture": arch,
            "os": os_,
            "config": {"User": "", "Env": ["PATH=/usr/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [sha256(t) for t in tars]},
            "history": [{"created_by": f"COPY layer {i}"} for i in range(len(tars))],
            **extra,
        }
        cfg = self.blob(json.dumps(config).encode(), OCI_CONFIG)
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": cfg,
            "layers": [self.blob(g, OCI_LAYER_GZIP) for g in gz],
        }
        desc = self.blob(json.dumps(manifest).encode(), OCI_MANIFEST)
        return desc, config, gz

    def index(self, entries: list[tuple[dict[str, Any], dict[str, str]]]) -> dict[str, Any]:
        doc = {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{**d, "platform": p} for d, p in entries],
        }
        return self.blob(json.dumps(doc).encode(), OCI_INDEX)

    def tag(self, desc: dict[str, Any], name: str) -> None:
        self.tags.append({**desc, "annotations": {"org.opencontainers.image.ref.name": name}})
        doc = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.tags}
        (self.root / "index.json").write_text(json.dumps(doc))


def skopeo_copy(
    src: str, dest: str, tmp: Path, *, creds: str = "", all_images: bool = False
) -> None:
    policy = tmp / "policy.json"
    policy.write_text('{"default": [{"type": "insecureAcceptAnything"}]}')
    argv = [need("skopeo"), "--policy", str(policy), "copy", "--dest-tls-verify=false"]
    argv += ["--retry-times", "0"] if _skopeo_has_retry() else []
    if creds:
        argv += ["--dest-creds", creds]
    if all_images:
        argv.append("--all")
    env = {**os.environ, "REGISTRY_AUTH_FILE": str(tmp / "skopeo-auth.json")}
    proc = subprocess.run(
        [*argv, src, dest], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr


_RETRY: list[bool] = []


def _skopeo_has_retry() -> bool:
    if not _RETRY:
        out = subprocess.run(
            [need("skopeo"), "copy", "--help"], capture_output=True, text=True, check=False
        )
        _RETRY.append("--retry-times" in out.stdout)
    return _RETRY[0]


# -- docker-registry -----------------------------------------------------------------------


@dataclass
class Registry:
    """A ``docker-registry`` process on 127.0.0.1."""

    root: Path
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def blob_path(self, digest: str) -> Path:
        hexpart = digest.split(":")[1]
        return (
            self.root
            / "storage"
            / "docker/registry/v2/blobs/sha256"
            / hexpart[:2]
            / hexpart
            / "data"
        )


def start_registry(
    root: Path,
    *,
    htpasswd: Path | None = None,
    tls: tuple[Path, Path, Path] | None = None,
    auth: str = "",
) -> Registry:
    """``tls``: (CA, certificate, key) PEM files to serve HTTPS with; ``auth``: an ``auth:``
    section of the config as YAML text."""
    binary = need("docker-registry")
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    if htpasswd is not None:
        auth = f"auth:\n  htpasswd:\n    realm: hardhull-test\n    path: {htpasswd}\n"
    config = root / "config.yml"
    # never the packaged default, which listens on every interface
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: error\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'storage'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        + (f"  tls:\n    certificate: {tls[1]}\n    key: {tls[2]}\n" if tls else "")
        + auth
    )
    context = ssl.create_default_context(cafile=str(tls[0])) if tls else None
    scheme = "https" if tls else "http"
    log = open(root / "registry.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise AssertionError(
                f"docker-registry exited: {(root / 'registry.log').read_text()[-2000:]}"
            )
        try:
            urllib.request.urlopen(
                f"{scheme}://127.0.0.1:{port}/v2/", timeout=2, context=context
            ).close()
            break
        except urllib.error.HTTPError:
            break  # 401: up, and asking for credentials
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                raise AssertionError("docker-registry did not start within 60 s") from None
            time.sleep(0.1)
    return Registry(root, port, proc)


def stop_registry(reg: Registry) -> None:
    reg.proc.terminate()
    try:
        reg.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        reg.proc.kill()
        reg.proc.wait()


def bcrypt_htpasswd(path: Path, user: str, password: str) -> Path:
    bcrypt = pytest.importorskip("bcrypt", reason="bcrypt (the dev extra) makes the htpasswd file")
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()
    path.write_text(f"{user}:{hashed}\n")
    return path


def docker_config(directory: Path, auths: dict[str, Any], **extra: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps({"auths": auths, **extra}))
    return directory


def basic_auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


# -- a stand-in registry ------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class FakeRegistry:
    """A distribution-API server on 127.0.0.1 that answers from ``routes``: a function of
    (method, path, headers, body) returning (status, headers, body) or None for 404. Every
    request is recorded in ``seen``."""

    routes: list[Callable[[str, str, dict[str, str], bytes], Any]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    server: ThreadingHTTPServer | None = None
    scheme: str = "http"

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def paths(self, prefix: str = "") -> list[str]:
        return [s.path for s in self.seen if s.path.startswith(prefix)]


def _handler(fake: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.seen.append(Seen(self.command, self.path, headers, body))
            answer = None
            for route in fake.routes:
                answer = route(self.command, self.path, headers, body)
                if answer is not None:
                    break
            if answer is None:
                answer = (
                    404,
                    {"Content-Type": "application/json"},
                    b'{"errors":[{"code":"NOT_FOUND","message":"nope"}]}',
                )
            status, hdrs, payload = answer
            self.send_response(status)
            for k, v in hdrs.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PUT = _any

    return Handler


@contextlib.contextmanager
def serve_fake(fake: FakeRegistry, context: ssl.SSLContext | None = None) -> Iterator[FakeRegistry]:
    """Serve ``fake`` on 127.0.0.1 (HTTPS with a server ``context``) until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        fake.scheme = "https"
    server.daemon_threads = True
    fake.server, fake.port = server, server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
