"""Every image rule I001–I011, positive and negative, with the exact findings. Each case is an
:class:`ImageFacts` built from ``BASE`` (which passes every rule) with one change, run through
the engine's one loop over the image checks."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from hardhull.context import SubjectContext
from hardhull.engine.run import run_checks
from hardhull.model import Violation
from hardhull.models.image_facts import FileInfo, FileSecret, ImageFacts, LayerInfo
from hardhull.models.packages import Distro
from hardhull.registry import Target
from hardhull.rules import checks

Row = tuple[str, str, str, str]  # code, pointer, message, severity

LAYERS = (
    LayerInfo("sha256:" + "a" * 64, "ADD rootfs.tar.xz /", 0),
    LayerInfo("sha256:" + "b" * 64, "RUN /bin/sh -c apt-get update && apt-get install -y curl", 2),
    LayerInfo("sha256:" + "c" * 64, "COPY app /app # buildkit", 4),
)
L1 = "layer 1 (sha256:aaaaaaaaaaaa, ADD rootfs.tar.xz /)"
L2 = "layer 2 (sha256:bbbbbbbbbbbb, RUN /bin/sh -c apt-get update && apt-get install -y curl)"
L3 = "layer 3 (sha256:cccccccccccc, COPY app /app # buildkit)"


def f(path: str, mode: int = 0o644, *, kind: str = "file", uid: int = 0, size: int = 10,
      layer: int = 0) -> FileInfo:  # fmt: skip
    return FileInfo(path, kind, mode, uid, 0, size, layer)


BASE_FILES = [
    f("bin", 0o755, kind="dir"),
    f("bin/sh", 0o755),
    f("etc/os-release"),
    f("tmp", 0o1777, kind="dir"),
    f("tmp/scratch", 0o666),
    f("var/lib/apt/lists", 0o755, kind="dir"),
    f("var/lib/apt/lists/lock", 0o640, size=0),
    f("app", 0o755, kind="dir", uid=10001, layer=2),
    f("app/server", 0o755, uid=10001, layer=2),
]


def image(**changes: Any) -> ImageFacts:
    files = {x.path: x for x in BASE_FILES + list(changes.pop("extra_files", []))}
    base = ImageFacts(
        ref="docker-archive:app.tar",
        config={
            "User": "10001:10001",
            "Env": ["PATH=/usr/bin:/bin"],
            "ExposedPorts": {"8080/tcp": {}},
        },
        history=[
            {"created_by": "ADD rootfs.tar.xz /"},
            {"created_by": 'CMD ["bash"]', "empty_layer": True},
            {"created_by": "RUN /bin/sh -c apt-get update && apt-get install -y curl"},
            {"created_by": "USER 10001:10001", "empty_layer": True},
            {"created_by": "COPY app /app # buildkit"},
        ],
        layers=LAYERS,
        files=files,
        distro=Distro("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)"),
        as_of=date(2026, 12, 5),
    )
    config = changes.pop("config", None)
    if config is not None:
        base.config = {**base.config, **config}
    return dataclasses.replace(base, **changes)


def run(img: ImageFacts) -> list[Row]:
    found, errors = run_checks(checks(Target.IMAGE), img, SubjectContext(img))
    assert errors == []
    from hardhull.rules import all_rules

    rules = all_rules()
    out = []
    for v in found:
        assert isinstance(v, Violation)
        sev = (v.severity if v.severity is not None else rules[v.code].severity).label
        out.append((v.code, v.pointer, v.message, sev))
    return out


def test_base_passes_every_rule() -> None:
    assert run(image()) == []


@pytest.mark.parametrize("user", ["", "root", "0", "0:0", "root:staff", " 0 "])
def test_i001_root(user: str) -> None:
    msg = (
        "the image sets no User: its process runs as root"
        if not user.strip()
        else f"the image's User is {user.strip()!r}: its process runs as root"
    )
    assert run(image(config={"User": user})) == [("I001", "/config/User", msg, "medium")]


def test_i001_missing_user_key_and_non_root() -> None:
    img = image()
    img.config = {k: v for k, v in img.config.items() if k != "User"}
    assert run(img) == [
        ("I001", "/config/User", "the image sets no User: its process runs as root", "medium")
    ]
    assert run(image(config={"User": "nobody"})) == []
    assert run(image(config={"User": "1000:0"})) == []


def test_i002_admin_ports() -> None:
    ports = {"22/tcp": {}, "2375/tcp": {}, "5432/tcp": {}, "8080/tcp": {}, "22/udp": {}}
    assert run(image(config={"ExposedPorts": ports})) == [
        ("I002", "/config/ExposedPorts/22~1tcp", "the image exposes SSH (port 22/tcp)", "medium"),
        (
            "I002",
            "/config/ExposedPorts/2375~1tcp",
            "the image exposes the Docker API without TLS (port 2375/tcp)",
            "high",
        ),
    ]


GH = "ghp_" + "R8x2Kq9Lm3Np7Tz5Vb1Wc4Yd6Fg0Hj2Sk8Ua"


def test_i003_env_label_history() -> None:
    img = image(
        config={
            "Env": ["PATH=/usr/bin", f"GITHUB_TOKEN={GH}", "DB_PASSWORD=", "LOG=info"],
            "Labels": {"maintainer": "ops@example.com", "deploy.token": GH},
        },
        history=[
            {"created_by": "ADD rootfs.tar.xz /"},
            {"created_by": f"ENV API_TOKEN={GH}", "empty_layer": True},
            {"created_by": "ENV API_TOKEN=", "empty_layer": True},
            {"created_by": f"RUN |2 NPM_TOKEN={GH} MODE=prod /bin/sh -c npm ci"},
            {"created_by": f"RUN /bin/sh -c git clone https://x:{GH}@github.com/a/b"},
        ],
    )
    rows = run(img)
    masked = "ghp_…(40 chars)"
    assert rows == [
        (
            "I003",
            "/config/Env/1",
            f"Env GITHUB_TOKEN holds a credential: GitHub token ({masked})",
            "high",
        ),
        (
            "I003",
            "/config/Labels/deploy.token",
            f"label deploy.token holds a credential: GitHub token ({masked})",
            "high",
        ),
        (
            "I003",
            "/history/1/created_by",
            "history line 2 (ENV API_TOKEN), a value a later ENV replaced, holds a credential: "
            f"GitHub token ({masked})",
            "high",
        ),
        (
            "I003",
            "/history/3/created_by",
            "build argument NPM_TOKEN of history line 4 holds a credential: "
            f"GitHub token ({masked})",
            "high",
        ),
        (
            "I003",
            "/history/4/created_by",
            "the command of history line 5 holds a credential: URL with an embedded password "
            "(http…(50 chars))",
            "high",
        ),
    ]


def test_i003_env_in_history_with_same_value_reported_once() -> None:
    img = image(
        config={"Env": [f"GITHUB_TOKEN={GH}"]},
        history=[{"created_by": f"ENV GITHUB_TOKEN={GH}", "empty_layer": True}],
    )
    assert [r[1] for r in run(img)] == ["/config/Env/0"]


def test_i004_setuid() -> None:
    extra = [
        f("usr/bin/passwd", 0o4755),
        f("usr/bin/ssh-agent", 0o2755),
        f("app/helper", 0o4755, layer=2),
        f("app/tool", 0o2755, layer=2),
        f("opt/x", 0o4755, uid=1000),
        f("usr/bin/ls", 0o755),
    ]
    assert run(image(extra_files=extra)) == [
        (
            "I004",
            "/files/app/helper",
            f"/app/helper is setuid (root, mode 4755), from {L3}",
            "high",
        ),
        ("I004", "/files/app/tool", f"/app/tool is setgid (root, mode 2755), from {L3}", "medium"),
        ("I004", "/files/opt/x", f"/opt/x is setuid (uid 1000, mode 4755), from {L1}", "medium"),
        (
            "I004",
            "/files/usr/bin/passwd",
            "/usr/bin/passwd is a distribution program that is setuid (root, mode 4755), "
            f"from {L1}",
            "info",
        ),
        (
            "I004",
            "/files/usr/bin/ssh-agent",
            "/usr/bin/ssh-agent is a distribution program that is setgid (root, mode 2755), "
            f"from {L1}",
            "info",
        ),
    ]


def test_i005_world_writable() -> None:
    extra = [
        f("data", 0o777, kind="dir", layer=2),
        f("data/a", 0o666, layer=2),
        f("data/b", 0o666, layer=2),
        f("etc/app.conf", 0o666, layer=1),
        f("var/tmp", 0o1777, kind="dir"),
        f("var/tmp/x", 0o666),
        f("usr/bin/link", 0o777, kind="symlink"),
        f("dev/null", 0o666, kind="char"),
    ]
    assert run(image(extra_files=extra)) == [
        (
            "I005",
            "/files/data",
            f"directory /data and 2 paths below it is world-writable (mode 0777), from {L3}",
            "medium",
        ),
        (
            "I005",
            "/files/etc/app.conf",
            f"file /etc/app.conf is world-writable (mode 0666), from {L2}",
            "medium",
        ),
    ]


def test_i006_layer_secrets_deleted_and_present() -> None:
    secrets = [
        FileSecret(
            "root/.ssh/id_rsa",
            1,
            1,
            1,
            "private key (RSA)",
            "----…(1679 chars)",
            "raw-key",
            deleted=True,
        ),
        FileSecret("app/config.yaml", 2, 3, 9, "GitHub token", "ghp_…(40 chars)", GH),
    ]
    extra = [f("app/config.yaml", layer=2)]
    rows = run(image(secrets=secrets, extra_files=extra))
    assert rows == [
        (
            "I006",
            "/layers/1/files/root/.ssh/id_rsa",
            f"private key (RSA) (----…(1679 chars)) in /root/.ssh/id_rsa line 1, in {L2}; a later "
            "layer deleted or replaced the file, but this layer still holds it",
            "high",
        ),
        (
            "I006",
            "/files/app/config.yaml",
            f"GitHub token (ghp_…(40 chars)) in /app/config.yaml line 3, in {L3}",
            "high",
        ),
    ]


def test_i007_credential_files() -> None:
    extra = [
        f("root/.aws/credentials", size=116, layer=2),
        f("etc/ssh/ssh_host_ed25519_key", 0o600, size=411, layer=1),
        f("etc/ssh/ssh_host_ed25519_key.pub", size=90, layer=1),
        f("home/app/.ssh/id_rsa", 0o600, size=0),
        f("home/app/.netrc", size=40, layer=2),
        f("home/app/.kube/config", size=900, layer=2),
    ]
    secrets = [FileSecret("home/app/.kube/config", 2, 5, 1, "JWT", "eyJh…(300 chars)", "x")]
    assert run(image(extra_files=extra, secrets=secrets))[0:3] == [
        (
            "I006",
            "/files/home/app/.kube/config",
            f"JWT (eyJh…(300 chars)) in /home/app/.kube/config line 5, in {L3}",
            "high",
        ),
        (
            "I007",
            "/files/etc/ssh/ssh_host_ed25519_key",
            f"/etc/ssh/ssh_host_ed25519_key is an SSH host private key (411 bytes), from {L2}",
            "high",
        ),
        (
            "I007",
            "/files/home/app/.netrc",
            f"/home/app/.netrc is a .netrc with login credentials (40 bytes), from {L3}",
            "high",
        ),
    ]
    assert [r[1] for r in run(image(extra_files=extra, secrets=secrets))[3:]] == [
        "/files/root/.aws/credentials"
    ]


@pytest.mark.parametrize(
    ("distro", "expected"),
    [
        (
            Distro("debian", "10", "buster", "Debian GNU/Linux 10 (buster)"),
            "the image runs Debian GNU/Linux 10 (buster): Debian 10 (buster) reached its end of "
            "life on 2024-06-30 (no security updates)",
        ),
        (
            Distro("alpine", "3.15.4", "", ""),
            "the image runs alpine 3.15.4: Alpine Linux 3.15 reached its end of life on 2023-11-01 "
            "(no security updates)",
        ),
        (Distro("debian", "", "stretch", ""), None),
        (Distro("ubuntu", "24.04", "noble", "Ubuntu 24.04.1 LTS"), None),
        (Distro("debian", "12", "bookworm", ""), None),
        (Distro("arch", "", "", "Arch Linux"), None),
    ],
)
def test_i008_eol_os(distro: Distro, expected: str | None) -> None:
    rows = run(image(distro=distro))
    if expected is None:
        assert rows == [] or rows[0][2].startswith("the image runs")  # stretch: by codename
        if distro.codename != "stretch":
            assert rows == []
        else:
            assert rows[0][0] == "I008"
    else:
        assert rows == [("I008", "/files/etc/os-release", expected, "high")]


def test_i009_distroless_claim() -> None:
    distroless = [f("var/lib/dpkg/status.d", 0o755, kind="dir"), f("var/lib/dpkg/status.d/base")]
    rows = run(image(extra_files=distroless))
    assert rows == [
        (
            "I009",
            "/files/bin/sh",
            "the image presents itself as distroless but holds 1 shell or package manager "
            "path: /bin/sh",
            "info",
        )
    ]
    named = run(image(names=["gcr.io/distroless/base-debian12:debug"]))
    assert [r[0] for r in named] == ["I009"]
    assert run(image()) == []


def test_i010_package_caches() -> None:
    extra = [
        f(
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
            size=151_000,
            layer=1,
        ),
        f("var/lib/apt/lists/partial", 0o700, kind="dir", layer=1),
        f("root/.cache/pip/http/a", size=2_500_000, layer=2),
        f("root/.cache/pip/http/b", size=500_000, layer=2),
        f("var/cache/apk", 0o755, kind="dir"),
    ]
    assert run(image(extra_files=extra)) == [
        (
            "I010",
            "/files/root/.cache/pip",
            f"/root/.cache/pip holds pip's cache: 2 files, 3.0 MB (last written by {L3})",
            "low",
        ),
        (
            "I010",
            "/files/var/lib/apt/lists",
            f"/var/lib/apt/lists holds apt package lists: 1 file, 151.0 KB (last written by {L2})",
            "low",
        ),
    ]


def test_i011_compilers() -> None:
    extra = [
        f("usr/bin/gcc-12", 0o755, layer=1),
        f("usr/bin/x86_64-linux-gnu-gcc-12", 0o755, layer=1),
        f("usr/local/go/bin/go", 0o755, layer=1),
        f("usr/bin/gccgo-is-not", 0o755),
    ]
    assert run(image(extra_files=extra)) == [
        (
            "I011",
            "/files/usr/bin/gcc-12",
            "the image holds compilers: gcc (/usr/bin/gcc-12), go (/usr/local/go/bin/go)",
            "info",
        )
    ]
