"""What ``hardhull image`` read of each image is part of the reports: JSON ``images``, SARIF
``run.properties.images``, and in text the other platforms of a multi-arch index (issue #10:
"the others are listed in the report")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.oci.builder import Spec, image, layer, write_oci

OS_RELEASE = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'


def _run(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "hardhull", "image", *args, "--db", str(cache / "none.sqlite")],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip


@pytest.fixture
def multi(tmp_path: Path) -> Path:
    base = layer([Spec("etc", "dir", mode=0o755), Spec("etc/os-release", data=OS_RELEASE)])
    return write_oci(
        tmp_path / "oci",
        {"1": [image([base], ["gzip"]), image([base], ["gzip"], arch="arm64", variant="v8")]},
    )


def test_json_and_sarif_list_the_image_read_and_the_other_platforms(
    multi: Path, tmp_path: Path
) -> None:
    ref = f"oci:{multi}:1"
    proc = _run(ref, "-f", "json", cache=tmp_path / "c")
    assert proc.returncode in (0, 1), proc.stderr
    (got,) = json.loads(proc.stdout)["images"]
    assert got["ref"] == ref
    assert got["platform"] == "linux/amd64"
    assert got["other_platforms"] == ["linux/arm64/v8"]
    assert got["layers"] == 1 and got["os"] == "debian 12" and got["packages"] == 0
    assert got["manifest_digest"].startswith("sha256:")
    assert got["config_digest"].startswith("sha256:")
    sarif = json.loads(_run(ref, "-f", "sarif", cache=tmp_path / "c").stdout)
    assert sarif["runs"][0]["properties"]["images"] == [got]
    # the platform chosen is the other one with --platform; the first is then "other"
    arm = json.loads(_run(ref, "--platform", "linux/arm64", "-f", "json", cache=tmp_path / "c")
                     .stdout)["images"][0]  # fmt: skip
    assert (arm["platform"], arm["other_platforms"]) == ("linux/arm64/v8", ["linux/amd64"])


def test_text_names_the_other_platforms_once(multi: Path, tmp_path: Path) -> None:
    proc = _run(f"oci:{multi}:1", cache=tmp_path / "c")
    lines = [ln for ln in proc.stdout.splitlines() if "also offers" in ln]
    assert lines == [
        f"oci:{multi}:1: read linux/amd64; the index also offers linux/arm64/v8 "
        "(--platform chooses)"
    ]
    assert "warning" not in proc.stderr


def test_a_single_platform_image_has_no_other_platforms(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": image([layer([Spec("etc", "dir", mode=0o755)])])})
    proc = _run(f"oci:{root}:1", "-f", "json", cache=tmp_path / "c")
    (got,) = json.loads(proc.stdout)["images"]
    assert got["other_platforms"] == [] and got["os"] == ""
    assert "also offers" not in _run(f"oci:{root}:1", cache=tmp_path / "c").stdout
