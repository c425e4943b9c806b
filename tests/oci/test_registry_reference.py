"""Image references as Docker and the distribution grammar read them."""

from __future__ import annotations

import pytest

from hardhull.oci.reference import Reference, ReferenceError, is_loopback, parse_reference

D = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("nginx", Reference("docker.io", "library/nginx", "latest")),
        ("docker://nginx", Reference("docker.io", "library/nginx", "latest")),
        ("nginx:1.25-alpine", Reference("docker.io", "library/nginx", "1.25-alpine")),
        ("bitnami/redis", Reference("docker.io", "bitnami/redis", "latest")),
        ("docker.io/nginx", Reference("docker.io", "library/nginx", "latest")),
        ("index.docker.io/library/nginx", Reference("docker.io", "library/nginx", "latest")),
        ("registry-1.docker.io/x/y:2", Reference("docker.io", "x/y", "2")),
        ("localhost/app", Reference("localhost", "app", "latest")),
        ("localhost:5000/team/app:v1", Reference("localhost:5000", "team/app", "v1")),
        ("127.0.0.1:5000/app", Reference("127.0.0.1:5000", "app", "latest")),
        ("[::1]:5000/app:1", Reference("[::1]:5000", "app", "1")),
        ("ghcr.io/o/r/sub:t", Reference("ghcr.io", "o/r/sub", "t")),
        ("Host/app", Reference("Host", "app", "latest")),
        ("a.b-c.io/x__y/z-1.2", Reference("a.b-c.io", "x__y/z-1.2", "latest")),
        (f"nginx@{D}", Reference("docker.io", "library/nginx", "", D)),
        (f"q.io:443/app:1.0@{D}", Reference("q.io:443", "app", "1.0", D)),
        # a one-component name with a port-like suffix is a tag on Docker Hub, as for Docker
        ("localhost:5000", Reference("docker.io", "library/localhost", "5000")),
    ],
)
def test_parse(text: str, want: Reference) -> None:
    assert parse_reference(text) == want


def test_properties() -> None:
    hub = parse_reference("nginx")
    assert (hub.endpoint, str(hub), hub.selector) == (
        "registry-1.docker.io",
        "docker.io/library/nginx:latest",
        "latest",
    )
    pinned = parse_reference(f"[::1]:5000/app:1@{D}")
    assert (pinned.endpoint, pinned.host, pinned.selector) == ("[::1]:5000", "::1", D)
    assert str(pinned) == f"[::1]:5000/app:1@{D}"
    assert parse_reference("localhost:5000/a").host == "localhost"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("docker://", "empty"),
        ("NGINX", "lower case"),
        ("ghcr.io/Org/app", "lower case"),
        ("nginx:", "tag"),
        ("nginx:-bad", "tag"),
        ("nginx:" + "t" * 129, "tag"),
        ("nginx@sha256:abc", "digest"),
        ("nginx@sha256:" + "AB" * 32, "lower case"),
        ("nginx@md5:" + "a" * 32, "unsupported algorithm"),
        ("nginx@", "digest"),
        ("a b", "white space"),
        ("ghcr.io/", "repository"),
        ("ghcr.io//x", "repository"),
        ("x/-y", "repository"),
        ("x/y_", "repository"),
        ("x/y...z", "repository"),
        ("-bad.io/x", "registry"),
        ("bad_host.io/x", "registry"),
        ("host:port/x", "registry"),
        ("a.io/" + "x" * 260, "longer than 255"),
        (":tag", "no repository"),
    ],
)
def test_malformed(text: str, why: str) -> None:
    with pytest.raises(ReferenceError, match="invalid image reference") as info:
        parse_reference(text)
    assert why in str(info.value)


@pytest.mark.parametrize(
    ("host", "want"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_loopback(host: str, want: bool) -> None:
    assert is_loopback(host) is want
