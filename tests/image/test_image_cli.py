"""``hardhull image`` as users run it, on an image built here from real package-manager output
(this machine's dpkg database, Jinja2 2.10 and PyYAML 5.3 installed by pip) with the problems
issue #10 names planted in it: it reports the root user, the exposed SSH port, a setuid file,
the end-of-life base, a credential in a file a later layer deleted and the real PyPA
advisories of the old packages, identically from a docker-archive, an OCI layout and a
registry on loopback (written there by skopeo)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.helpers.imagekit import (
    Entry,
    Layer,
    config_json,
    write_docker_archive,
    write_layer,
    write_oci_layout,
)

PYPA = ROOT.parent / "shared" / "advisories" / "pypa" / "vulns"
#: Debian 10's /etc/os-release as base-files 10.3 installs it
BUSTER = b"""PRETTY_NAME="Debian GNU/Linux 10 (buster)"
NAME="Debian GNU/Linux"
VERSION_ID="10"
VERSION="10 (buster)"
VERSION_CODENAME=buster
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""
TOKEN = "ghp_" + "Lq3Wm8Zx2Kp7Rt5Vb9Nc4Hd6Jf1Gs0Ya8EuT"


def hardhull(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardhull", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, pip_target: Path) -> dict[str, Any]:
    if not PYPA.is_dir():
        pytest.skip("../shared/advisories/pypa is missing (CI has it beside the checkout)")
    tmp = tmp_path_factory.mktemp("image")
    true = Path("/bin/true").read_bytes()
    layers = [
        Layer(
            "ADD rootfs.tar.xz / # debian:10",
            [
                Entry("etc", kind="dir", mode=0o755),
                Entry("etc/os-release", BUSTER),
                Entry("usr/local/bin", kind="dir", mode=0o755),
                Entry("usr/local/bin/helper", true, mode=0o4755),
            ],
            host=[("/var/lib/dpkg/status", "var/lib/dpkg/status")]
            if Path("/var/lib/dpkg/status").is_file()
            else [],
        ),
        Layer(
            "RUN /bin/sh -c pip install jinja2==2.10 pyyaml==5.3",
            host=[(str(pip_target), "usr/local/lib/python3.11/site-packages")],
        ),
        Layer(
            "COPY . /app # buildkit",
            [
                Entry("app", kind="dir", mode=0o755),
                Entry("app/.env", f"GITHUB_TOKEN={TOKEN}\n".encode()),
            ],
        ),
        Layer("RUN /bin/sh -c rm /app/.env", [Entry("app/.env", kind="whiteout")]),
    ]
    blobs = [write_layer(layer, tmp, f"l{i}") for i, layer in enumerate(layers)]
    config = config_json(blobs, {"User": "", "ExposedPorts": {"22/tcp": {}}})
    archive = write_docker_archive(tmp / "app.tar", blobs, config, ["app:1"])
    write_oci_layout(tmp / "oci", blobs, config, "1")
    db = tmp / "vulndb.sqlite"
    proc = hardhull("db", "import", str(PYPA / "jinja2"), str(PYPA / "pyyaml"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "archive": archive, "oci": tmp / "oci", "db": db}


def findings(
    ref: str, built: dict[str, Any], *extra: str
) -> tuple[int, list[tuple[str, str, str, str]]]:
    env = {**os.environ, "XDG_CACHE_HOME": str(built["tmp"] / "cache")}
    proc = hardhull(
        "image",
        ref,
        "--db",
        str(built["db"]),
        "-f",
        "json",
        "--as-of",
        "2026-12-05",
        *extra,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert TOKEN[8:20] not in proc.stdout + proc.stderr  # never the credential itself
    doc = json.loads(proc.stdout)
    return proc.returncode, sorted(
        (f["code"], f["severity"], f["pointer"], f["message"]) for f in doc["findings"]
    )


EXPECTED_CODES = ["I001", "I002", "I004", "I006", "I008", "V001", "V001", "V001", "V001"]


def test_every_planted_problem_is_reported_from_docker_archive(built: dict[str, Any]) -> None:
    rc, rows = findings(f"docker-archive:{built['archive']}", built)
    assert rc == 1
    assert [r[0] for r in rows] == EXPECTED_CODES
    by_code = {r[0]: r for r in rows}
    assert by_code["I001"][3] == "the image sets no User: its process runs as root"
    assert by_code["I002"][3] == "the image exposes SSH (port 22/tcp)"
    assert by_code["I004"][1:3] == ("high", "/files/usr/local/bin/helper")
    assert by_code["I006"][2] == "/layers/2/files/app/.env"
    assert "a later layer deleted or replaced the file" in by_code["I006"][3]
    assert by_code["I008"][3].startswith("the image runs Debian GNU/Linux 10 (buster)")
    advisories = sorted(r[2].rsplit("/", 1)[1] for r in rows if r[0] == "V001")
    assert advisories == ["PYSEC-2019-217", "PYSEC-2020-96", "PYSEC-2021-142", "PYSEC-2021-66"]


def test_same_findings_from_oci_layout_and_bare_tar(built: dict[str, Any]) -> None:
    _, archive = findings(f"docker-archive:{built['archive']}", built)
    _, layout = findings(f"oci:{built['oci']}:1", built)
    _, bare = findings(str(built["archive"]), built)
    assert layout == archive
    assert bare == archive


def test_same_findings_from_a_loopback_registry(built: dict[str, Any]) -> None:
    from tests.helpers.registry import skopeo_copy, start_registry, stop_registry

    if shutil.which("skopeo") is None or shutil.which("docker-registry") is None:
        pytest.skip("skopeo and docker-registry (Debian packages; make test installs them)")
    reg = start_registry(built["tmp"] / "registry")
    try:
        skopeo_copy(f"oci:{built['oci']}:1", f"docker://{reg.host}/app:1", built["tmp"])
        _, archive = findings(f"docker-archive:{built['archive']}", built)
        _, pulled = findings(f"docker://{reg.host}/app:1", built, "--insecure")
        assert pulled == archive
    finally:
        stop_registry(reg)


def test_second_scan_uses_the_layer_cache_and_agrees(built: dict[str, Any]) -> None:
    ref = f"oci:{built['oci']}:1"
    first = findings(ref, built)
    cache = built["tmp"] / "cache" / "hardhull" / "layers"
    assert len(list(cache.glob("*.json.gz"))) >= 4
    assert findings(ref, built) == first
    assert findings(ref, built, "--no-cache") == first


def test_ignore_unfixed_and_sbom_formats(built: dict[str, Any]) -> None:
    out = built["tmp"] / "sbom.cdx.json"
    env = {**os.environ, "XDG_CACHE_HOME": str(built["tmp"] / "cache")}
    proc = hardhull("image", str(built["archive"]), "-f", "cyclonedx", "-o", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    names = {c["name"] for c in json.loads(out.read_text())["components"]}
    assert {"Jinja2", "PyYAML"} <= names


def test_text_report_counts_images(built: dict[str, Any]) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(built["tmp"] / "cache")}
    proc = hardhull("image", str(built["archive"]), "--db", str(built["db"]), env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("1 image(s) read, 1 object(s) checked")


def test_unreadable_image_is_an_input_error(built: dict[str, Any]) -> None:
    bad = built["tmp"] / "bad.tar"
    bad.write_bytes(b"not a tar at all")
    proc = hardhull("image", f"docker-archive:{bad}", "--db", str(built["db"]))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"docker-archive:{bad}" in proc.stderr


def test_sbom_scan_reports_the_same_vulnerabilities(built: dict[str, Any]) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(built["tmp"] / "cache")}
    sboms = []
    for fmt in ("cyclonedx", "spdx"):
        out = built["tmp"] / f"sbom.{fmt}.json"
        proc = hardhull("image", str(built["archive"]), "-f", fmt, "-o", str(out), env=env)
        assert proc.returncode == 0, proc.stderr
        sboms.append(out)
    _, image_rows = findings(str(built["archive"]), built)
    expected = sorted(r[2].rsplit("/", 1)[1] for r in image_rows if r[0] == "V001")
    for sbom in sboms:
        proc = hardhull("sbom", "scan", str(sbom), "--db", str(built["db"]), "-f", "json", env=env)
        assert proc.returncode in (0, 1), proc.stderr
        doc = json.loads(proc.stdout)
        got = sorted(f["pointer"].rsplit("/", 1)[1] for f in doc["findings"])
        assert got == expected


def test_ignores_with_reason_and_expiry(built: dict[str, Any], tmp_path: Path) -> None:
    cfg = tmp_path / "hardhull.yaml"
    cfg.write_text(
        "ignore-vulnerabilities:\n"
        "  - {id: CVE-2019-10906, reason: sandbox unused, expires: 2999-01-01}\n"
        "  - {id: GHSA-6757-jp84-gxfx, reason: old decision, expires: 2020-01-01}\n"
    )
    _, rows = findings(str(built["archive"]), built, "--config", str(cfg))
    advisories = sorted(r[2].rsplit("/", 1)[1] for r in rows if r[0] == "V001")
    # PYSEC-2019-217 (CVE-2019-10906) is ignored; the expired ignore of PYSEC-2020-96 is not
    assert advisories == ["PYSEC-2020-96", "PYSEC-2021-142", "PYSEC-2021-66"]
