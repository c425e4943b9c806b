"""Registry authentication: Docker's client configuration and credential helpers, Basic
against docker-registry's htpasswd auth on 127.0.0.1, and the Bearer token flow against a
stand-in registry and token server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import os
import stat
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardhull.oci.auth import Challenge, Credentials, load_credentials, parse_challenges
from hardhull.oci.model import ImageError, Platform
from hardhull.oci.registry import RegistryClient, open_registry_image
from tests.helpers.registry import (
    FakeRegistry,
    Layout,
    basic_auth,
    bcrypt_htpasswd,
    docker_config,
    need,
    serve_fake,
    sha256,
    skopeo_copy,
    start_registry,
    stop_registry,
)

AMD64 = Platform("linux", "amd64")
PASSWORD = "pa55-Wörd:with:colons"


# -- WWW-Authenticate ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "want"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:library/nginx:pull"',
            [
                Challenge(
                    "bearer",
                    {
                        "realm": "https://auth.docker.io/token",
                        "service": "registry.docker.io",
                        "scope": "repository:library/nginx:pull",
                    },
                )
            ],
        ),
        ('Basic realm="Registry Realm"', [Challenge("basic", {"realm": "Registry Realm"})]),
        (
            'Basic realm="a, b", Bearer realm="https://t/x",error="insufficient_scope"',
            [
                Challenge("basic", {"realm": "a, b"}),
                Challenge("bearer", {"realm": "https://t/x", "error": "insufficient_scope"}),
            ],
        ),
        (
            'BEARER Realm=https://t/token , Service = "s\\"q"',
            [Challenge("bearer", {"realm": "https://t/token", "service": 's"q'})],
        ),
        ("Negotiate", [Challenge("negotiate", {})]),
        ("", []),
    ],
)
def test_parse_challenges(header: str, want: list[Challenge]) -> None:
    assert parse_challenges(header) == want


# -- Docker's configuration ---------------------------------------------------------------


def _env(directory: Path) -> dict[str, str]:
    return {"DOCKER_CONFIG": str(directory), "HOME": "/nonexistent"}


def test_auths_forms_and_hub_aliases(tmp_path: Path) -> None:
    cfg = docker_config(
        tmp_path,
        {
            "https://index.docker.io/v1/": {"auth": basic_auth("hubuser", PASSWORD)},
            "https://ghcr.io": {"username": "gh", "password": "tok"},
            "quay.io/v2/": {"auth": basic_auth("q", "p")},
            "localhost:5000": {"auth": basic_auth("<token>", ""), "identitytoken": "refresh-me"},
        },
    )
    env = _env(cfg)
    hub = load_credentials("docker.io", env=env)
    assert hub is not None and (hub.username, hub.password) == ("hubuser", PASSWORD)
    assert PASSWORD not in repr(hub) and "password" not in repr(hub).replace("password=", "")
    gh = load_credentials("ghcr.io", env=env)
    assert gh is not None and (gh.username, gh.password) == ("gh", "tok")
    q = load_credentials("quay.io", env=env)
    assert q is not None and q.username == "q"
    local = load_credentials("localhost:5000", env=env)
    assert local is not None and local.identity_token == "refresh-me"
    assert "refresh-me" not in repr(local)
    assert load_credentials("localhost:5001", env=env) is None
    assert load_credentials("example.com", env=env) is None


@pytest.mark.parametrize("key", ["docker.io", "index.docker.io", "registry-1.docker.io"])
def test_hub_under_any_name(tmp_path: Path, key: str) -> None:
    env = _env(docker_config(tmp_path, {key: {"auth": basic_auth("u", "p")}}))
    creds = load_credentials("docker.io", env=env)
    assert creds is not None and creds.username == "u"


def test_home_docker_config_when_no_docker_config(tmp_path: Path) -> None:
    docker_config(tmp_path / ".docker", {"r.io": {"auth": basic_auth("u", "p")}})
    creds = load_credentials("r.io", env={"HOME": str(tmp_path)})
    assert creds is not None and creds.source == f"{tmp_path}/.docker/config.json auths"
    assert load_credentials("r.io", env={"HOME": str(tmp_path / "none")}) is None


def test_broken_config_is_an_error_without_the_secret(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"auths": {"r.io": {"auth": "c2VjcmV0LXZhbHVl!"}}}')
    with pytest.raises(ImageError, match="not base64 of user:password") as info:
        load_credentials("r.io", env=_env(tmp_path))
    assert "c2VjcmV0" not in str(info.value)
    (tmp_path / "config.json").write_text('{"auths": ')
    with pytest.raises(ImageError, match=r"config.json: not valid JSON \(line 1"):
        load_credentials("r.io", env=_env(tmp_path))


def _helper(bindir: Path, name: str, answers: dict[str, tuple[str, str]]) -> None:
    bindir.mkdir(exist_ok=True)
    replies = {
        url: {"ServerURL": url, "Username": u, "Secret": s} for url, (u, s) in answers.items()
    }
    cases = "".join(
        f"  {json.dumps(url)}) echo '{json.dumps(r)}';;\n" for url, r in replies.items()
    )
    script = bindir / f"docker-credential-{name}"
    script.write_text(
        '#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r url\ncase "$url" in\n'
        + cases
        + '  *) echo "credentials not found in native keychain"; exit 1;;\nesac\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_credential_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    _helper(bindir, "store", {"https://index.docker.io/v1/": ("hub", "h-secret")})
    _helper(bindir, "gcr", {"gcr.io": ("<token>", "id-token")})
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    cfg = docker_config(
        tmp_path / "cfg",
        {"other.io": {"auth": basic_auth("plain", "p")}},
        credsStore="store",
        credHelpers={"gcr.io": "gcr", "missing.io": "not-installed"},
    )
    env = _env(cfg)
    hub = load_credentials("docker.io", env=env)
    assert hub == Credentials("hub", "h-secret", source="docker-credential-store")
    gcr = load_credentials("gcr.io", env=env)
    assert gcr is not None and gcr.identity_token == "id-token" and not gcr.password
    # the store has nothing for other.io: the auths entry is used
    other = load_credentials("other.io", env=env)
    assert other is not None and other.username == "plain"
    # a helper that is not installed is passed over
    assert load_credentials("missing.io", env=env) is None


def test_failing_helper_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "docker-credential-broken"
    script.write_text("#!/bin/sh\necho 'secret-ish output' >&2\nexit 3\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    env = _env(docker_config(tmp_path / "cfg", {}, credsStore="broken"))
    with pytest.raises(ImageError, match=r"docker-credential-broken failed \(exit 3\)$"):
        load_credentials("r.io", env=env)


# -- Basic: docker-registry with htpasswd -------------------------------------------------


@pytest.fixture(scope="module")
def basic_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    need("skopeo")
    tmp = tmp_path_factory.mktemp("basic")
    htpasswd = bcrypt_htpasswd(tmp / "htpasswd", "alice", PASSWORD)
    reg = start_registry(tmp / "reg", htpasswd=htpasswd)
    try:
        lay = Layout(tmp / "layout")
        desc, config, _ = lay.image([{"secret/file": b"behind basic auth\n"}])
        lay.tag(desc, "1")
        skopeo_copy(
            f"oci:{lay.root}:1",
            f"docker://{reg.host}/private/app:1",
            tmp,
            creds=f"alice:{PASSWORD}",
        )
        yield {"reg": reg, "tmp": tmp, "desc": desc, "config": config}
    finally:
        stop_registry(reg)


def test_basic_with_credentials_from_docker_config(
    basic_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg = basic_registry["reg"]
    ref = f"{reg.host}/private/app:1"
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty"))
    with pytest.raises(ImageError, match=r"no credentials for 127.0.0.1:\d+ are configured"):
        open_registry_image(ref, platform=AMD64, insecure=True)

    cfg = docker_config(
        tmp_path / "good", {f"http://{reg.host}": {"auth": basic_auth("alice", PASSWORD)}}
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    img = open_registry_image(ref, platform=AMD64, insecure=True)
    assert img.config == basic_registry["config"]
    with img.open_layer(img.layers[0]) as stream:
        assert sha256(stream.read()) == img.layers[0].digest

    cfg = docker_config(tmp_path / "bad", {reg.host: {"username": "alice", "password": "wrong-pw"}})
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    with pytest.raises(ImageError, match="authentication failed with the credentials from") as info:
        open_registry_image(ref, platform=AMD64, insecure=True)
    assert "wrong-pw" not in str(info.value)


def test_basic_with_a_credential_store(
    basic_registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reg = basic_registry["reg"]
    _helper(tmp_path / "bin", "hhtest", {reg.host: ("alice", PASSWORD)})
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config(tmp_path / "c", {}, credsStore="hhtest")))
    img = open_registry_image(f"docker://{reg.host}/private/app:1", platform=AMD64, insecure=True)
    assert img.manifest_digest == basic_registry["desc"]["digest"]


def test_explicit_credentials(basic_registry: dict[str, Any]) -> None:
    reg = basic_registry["reg"]
    creds = Credentials("alice", PASSWORD, source="test")
    client = RegistryClient(reg.host, insecure=True, credentials=creds)
    assert client.list_tags("private/app") == ["1"]
    anonymous = RegistryClient(reg.host, insecure=True, credentials=None)
    with pytest.raises(ImageError, match="authentication required and no credentials"):
        anonymous.list_tags("private/app")


# -- Bearer: a stand-in registry and token server -----------------------------------------

TOKEN = "tok-" + "x" * 20


@pytest.fixture
def bearer() -> Iterator[tuple[FakeRegistry, FakeRegistry, dict[str, Any]]]:
    """A registry that wants a Bearer token from a token server on another port; the token
    server gives one anonymously for pull, or for alice's password, or for a refresh token.
    Blobs are redirected to a third server (another origin)."""
    layers = [b"layer-bytes-" * 50]
    config = json.dumps(
        {
            "os": "linux",
            "architecture": "amd64",
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "d" * 64]},
        }
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"digest": sha256(config), "size": len(config), "mediaType": "x"},
            "layers": [{"digest": sha256(b), "size": len(b), "mediaType": "y"} for b in layers],
        }
    ).encode()
    blobs = {sha256(b): b for b in [config, *layers]}
    state: dict[str, Any] = {"anonymous": True, "manifest": manifest, "blobs": blobs}
    token_server, storage, registry = FakeRegistry(), FakeRegistry(), FakeRegistry()

    def token(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        if not path.startswith("/token"):
            return None
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        if method == "POST":
            q = dict(urllib.parse.parse_qsl(body.decode()))
            ok = q.get("grant_type") == "refresh_token" and q.get("refresh_token") == "refresh-1"
        else:
            auth = headers.get("authorization", "")
            ok = auth == "Basic " + basic_auth("alice", PASSWORD) or (
                not auth and state["anonymous"]
            )
        if not ok or q.get("service") != "fake-registry":
            return (401, {}, b"{}")
        return (200, {"Content-Type": "application/json"}, json.dumps({"token": TOKEN}).encode())

    def blob_store(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        digest = path.rsplit("/", 1)[-1]
        return (200, {}, state["blobs"][digest]) if digest in state["blobs"] else None

    def api(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        if headers.get("authorization") != f"Bearer {TOKEN}":
            repo = path.split("/")[2] if path.count("/") > 2 else ""
            challenge = (
                f'Bearer realm="{token_server.base}/token",service="fake-registry",'
                f'scope="repository:{repo}:pull"'
            )
            return (401, {"WWW-Authenticate": challenge}, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        if path.startswith("/v2/app/manifests/"):
            mt = "application/vnd.oci.image.manifest.v1+json"
            return (200, {"Content-Type": mt}, state["manifest"])
        if path.startswith("/v2/app/blobs/"):
            return (307, {"Location": f"{storage.base}/store/{path.rsplit('/', 1)[-1]}"}, b"")
        return None

    token_server.routes.append(token)
    storage.routes.append(blob_store)
    registry.routes.append(api)
    with serve_fake(token_server), serve_fake(storage), serve_fake(registry):
        yield registry, token_server, {**state, "storage": storage, "state": state}


def test_bearer_anonymous_token_and_redirect_drops_authorization(
    bearer: tuple[FakeRegistry, FakeRegistry, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    registry, token_server, info = bearer
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    img = open_registry_image(f"127.0.0.1:{registry.port}/app:1", platform=AMD64, insecure=True)
    with img.open_layer(img.layers[0]) as stream:
        assert stream.read() == b"layer-bytes-" * 50
    # one token for the repository's pull scope, asked for once and reused
    (asked,) = token_server.seen
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(asked.path).query))
    assert query == {"service": "fake-registry", "scope": "repository:app:pull"}
    assert "authorization" not in asked.headers
    assert [s.headers.get("authorization") for s in registry.seen] == [
        None,
        f"Bearer {TOKEN}",
        f"Bearer {TOKEN}",
        f"Bearer {TOKEN}",
    ]
    # blobs were redirected to another origin, which never saw the token
    storage = info["storage"]
    assert len(storage.seen) == 2
    assert all("authorization" not in s.headers for s in storage.seen)


def test_bearer_with_basic_credentials(
    bearer: tuple[FakeRegistry, FakeRegistry, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    registry, token_server, info = bearer
    info["state"]["anonymous"] = False
    host = f"127.0.0.1:{registry.port}"
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "none"))
    with pytest.raises(ImageError, match=f"no credentials for {host} are configured"):
        open_registry_image(f"{host}/app:1", platform=AMD64, insecure=True)
    monkeypatch.setenv(
        "DOCKER_CONFIG",
        str(docker_config(tmp_path / "c", {host: {"auth": basic_auth("alice", PASSWORD)}})),
    )
    img = open_registry_image(f"{host}/app:1", platform=AMD64, insecure=True)
    assert img.config["os"] == "linux"
    assert token_server.seen[-1].headers["authorization"] == "Basic " + basic_auth(
        "alice", PASSWORD
    )
    monkeypatch.setenv(
        "DOCKER_CONFIG",
        str(docker_config(tmp_path / "w", {host: {"auth": basic_auth("alice", "nope")}})),
    )
    with pytest.raises(
        ImageError, match=r"token server 127.0.0.1 rejected the credentials from"
    ) as e:
        open_registry_image(f"{host}/app:1", platform=AMD64, insecure=True)
    assert "nope" not in str(e.value) and base64.b64encode(b"alice:nope").decode() not in str(
        e.value
    )


def test_bearer_with_identity_token(
    bearer: tuple[FakeRegistry, FakeRegistry, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    registry, token_server, info = bearer
    info["state"]["anonymous"] = False
    host = f"127.0.0.1:{registry.port}"
    cfg = {host: {"auth": basic_auth("<token>", ""), "identitytoken": "refresh-1"}}
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config(tmp_path, cfg)))
    img = open_registry_image(f"{host}/app:1", platform=AMD64, insecure=True)
    assert img.layers[0].size == len(b"layer-bytes-" * 50)
    (asked,) = token_server.seen
    form = dict(urllib.parse.parse_qsl(asked.body.decode()))
    assert asked.method == "POST"
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "service": "fake-registry",
        "scope": "repository:app:pull",
        "client_id": "hardhull",
    }


def test_blob_digest_mismatch_after_redirect(
    bearer: tuple[FakeRegistry, FakeRegistry, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    registry, _, info = bearer
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    img = open_registry_image(f"127.0.0.1:{registry.port}/app:1", platform=AMD64, insecure=True)
    digest = img.layers[0].digest
    info["state"]["blobs"][digest] = b"LAYER-BYTES-" * 50
    with (
        img.open_layer(img.layers[0]) as stream,
        pytest.raises(ImageError, match="digest mismatch"),
    ):
        stream.read()


def test_redirect_to_plain_http_off_loopback_is_refused(
    bearer: tuple[FakeRegistry, FakeRegistry, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    registry, _, _ = bearer
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))

    def away(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        if "/blobs/" in path:
            return (302, {"Location": "http://storage.example.com/blob"}, b"")
        return None

    img = open_registry_image(f"127.0.0.1:{registry.port}/app:1", platform=AMD64, insecure=True)
    registry.routes.insert(0, away)
    with pytest.raises(ImageError, match=r"refusing plain HTTP to storage\.example\.com"):
        img.open_layer(img.layers[0])
