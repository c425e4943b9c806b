"""The image half of ``tools/peer_ids.py``: the peers' IDs of the image rules (I…), measured
on images built here, one change from a hardened image each, the way the rule tests' cases
are one change from a hardened pod.

Only trivy reads images (checkov and hadolint do not): ``trivy image --input ARCHIVE
--scanners misconfig,secret --image-config-scanners misconfig,secret``, which runs its
Dockerfile checks on the image config and history (DS002 root user, DS004 port 22…) and its
secret rules on the layers' files and the config. hardhull runs ``hardhull image ARCHIVE``.
An image is one object: each case changes one thing, so whatever fires fires because of it.

Every case is built twice, in two spellings of the same change (``User: ""`` and
``User: "0:0"``; a token in ``/app/.env`` and in ``/srv/config.yml``…), so that a pair can
reach the two distinct inputs the threshold asks for.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers.imagekit import (  # noqa: E402 - after the path is set
    Entry,
    Layer,
    config_json,
    write_docker_archive,
    write_layer,
)

OBJECT = "Image"
OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
BUSTER = b'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n'
TOKEN = "ghp_" + "Lq3Wm8Zx2Kp7Rt5Vb9Nc4Hd6Jf1Gs0Ya8EuT"
AWS = "AKIA" + "QYLPMN5HHHFPZAM2"
#: a hardened image: non-root user, a health check, no ports, a current OS
HARDENED: dict[str, Any] = {
    "User": "10001:10001",
    "Healthcheck": {"Test": ["CMD", "/app/healthcheck"]},
    "Cmd": ["/app/run"],
}


@dataclass
class Case:
    name: str
    config: dict[str, Any] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    #: a second layer (a later change: deleting a file)
    later: list[Entry] = field(default_factory=list)
    os_release: bytes = OS_RELEASE


def _base(os_release: bytes) -> list[Entry]:
    return [
        Entry("etc", kind="dir", mode=0o755),
        Entry("etc/os-release", os_release),
        Entry("app", kind="dir", mode=0o755),
        Entry("app/run", b"#!/bin/sh\nexec sleep infinity\n", mode=0o755),
        Entry("app/healthcheck", b"#!/bin/sh\nexit 0\n", mode=0o755),
    ]


CASES = [
    Case("hardened"),
    Case("root-empty-user", {"User": ""}),
    Case("root-zero-user", {"User": "0:0"}),
    Case("ssh-port", {"ExposedPorts": {"22/tcp": {}}}),
    Case("ssh-port-bare", {"ExposedPorts": {"22": {}}}),
    Case("docker-api-port", {"ExposedPorts": {"2375/tcp": {}}}),
    Case("docker-api-tls-port", {"ExposedPorts": {"2376/tcp": {}}}),
    Case("env-token", {"Env": [f"GITHUB_TOKEN={TOKEN}"]}),
    Case("env-aws-key", {"Env": [f"AWS_ACCESS_KEY_ID={AWS}"]}),
    Case("label-aws-key", {"Labels": {"deploy.aws-key": AWS}}),
    Case("label-token", {"Labels": {"ci.token": TOKEN}}),
    Case(
        "file-aws-key",
        entries=[Entry("app/settings.ini", f"aws_access_key_id = {AWS}\n".encode())],
    ),
    Case("file-token", entries=[Entry("app/.env", f"GITHUB_TOKEN={TOKEN}\n".encode())]),
    Case("file-token-yaml", entries=[Entry("app/config.yml", f"token: {TOKEN}\n".encode())]),
    Case(
        "deleted-token",
        entries=[Entry("app/.env", f"GITHUB_TOKEN={TOKEN}\n".encode())],
        later=[Entry("app/.env", kind="whiteout")],
    ),
    Case(
        "deleted-token-yaml",
        entries=[Entry("app/config.yml", f"token: {TOKEN}\n".encode())],
        later=[Entry("app/config.yml", kind="whiteout")],
    ),
    Case("setuid", entries=[Entry("app/helper", b"\x7fELF", mode=0o4755)]),
    Case("setgid", entries=[Entry("app/tool", b"\x7fELF", mode=0o2755)]),
    Case("world-writable", entries=[Entry("app/data", kind="dir", mode=0o777)]),
    Case("world-writable-file", entries=[Entry("app/state.db", b"x", mode=0o666)]),
    Case("aws-credentials", entries=[Entry("root/.aws/credentials", b"[default]\nregion=x\n")]),
    Case("kube-config", entries=[Entry("root/.kube/config", b"apiVersion: v1\nkind: Config\n")]),
    Case("eol-os", os_release=BUSTER),
    Case("eol-os-stretch", os_release=OS_RELEASE.replace(b'"12"', b'"9"')),
    Case("apt-lists", entries=[Entry("var/lib/apt/lists/deb.debian.org_dists", b"x" * 4096)]),
    Case("apk-cache", entries=[Entry("var/cache/apk/APKINDEX.tar.gz", b"x" * 4096)]),
    Case(
        "distroless-with-shell",
        {"Labels": {"org.opencontainers.image.base.name": "gcr.io/distroless/base-debian12"}},
        entries=[Entry("bin", kind="dir", mode=0o755), Entry("bin/sh", b"\x7fELF", mode=0o755)],
    ),
    Case(
        "distroless-with-apt",
        entries=[
            Entry("var/lib/dpkg/status.d", kind="dir", mode=0o755),
            Entry("var/lib/dpkg/status.d/base", b"Package: base-files\nVersion: 12.4\n"),
            Entry("usr/bin/apt-get", b"\x7fELF", mode=0o755),
        ],
    ),
    Case("gcc", entries=[Entry("usr/bin/gcc", b"\x7fELF", mode=0o755)]),
    Case("clang", entries=[Entry("usr/bin/clang", b"\x7fELF", mode=0o755)]),
]


def build(case: Case, out: Path) -> Path:
    """``out/<name>.tar``: the case as a ``docker save`` archive."""
    work = out / case.name
    work.mkdir(parents=True, exist_ok=True)
    layers = [Layer("COPY rootfs / # base", [*_base(case.os_release), *case.entries])]
    if case.later:
        layers.append(Layer("RUN /bin/sh -c rm -f /app/.env /app/config.yml", case.later))
    built = [write_layer(layer, work, f"l{i}") for i, layer in enumerate(layers)]
    config = config_json(built, {**HARDENED, **case.config})
    return write_docker_archive(out / f"{case.name}.tar", built, config, [f"case/{case.name}:1"])


def _hardhull(archive: Path, cache: Path) -> set[str]:
    env = {"XDG_CACHE_HOME": str(cache), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "image", str(archive), "-f", "json", "--no-cache",
         "--as-of", "2026-11-25", "--db", str(cache / "none.sqlite")],
        capture_output=True, text=True, env=env, check=False, cwd=ROOT,
    )  # fmt: skip
    if proc.returncode not in (0, 1):
        raise SystemExit(f"hardhull image {archive}: {proc.stderr}")
    return {f["code"] for f in json.loads(proc.stdout)["findings"]}


def _trivy(trivy: Path, archive: Path, cache: Path) -> set[str]:
    proc = subprocess.run(
        [str(trivy), "image", "--input", str(archive), "--scanners", "misconfig,secret",
         "--image-config-scanners", "misconfig,secret", "--skip-db-update",
         "--skip-check-update", "--offline-scan", "--cache-dir", str(cache), "--quiet",
         "-f", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"trivy image {archive}: {proc.stderr[-2000:]}")
    ids: set[str] = set()
    for result in json.loads(proc.stdout).get("Results") or []:
        for m in result.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") == "FAIL":
                ids.add(m["ID"])
        for s in result.get("Secrets") or []:
            ids.add(s["RuleID"])
    return ids


def observations(peers: Path, work: Path) -> dict[str, dict[str, dict[str, list[str]]]]:
    """input id ("image:<case>") → {"Image": {"hardhull": codes, "trivy": IDs, …}}."""
    trivy = peers / "bin" / "trivy"
    obs: dict[str, dict[str, dict[str, list[str]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for case in CASES:
            archive = build(case, out)
            ours = _hardhull(archive, out / "hh-cache")
            theirs = _trivy(trivy, archive, work / "trivy-image-cache")
            cell = {"hardhull": sorted(ours), "trivy": sorted(theirs), "checkov": [],
                    "hadolint": []}  # fmt: skip
            obs[f"image:{case.name}"] = {OBJECT: cell} if ours or theirs else {}
    return obs
