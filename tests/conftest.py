from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HARDHULL_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: corpus and conformance tests need it")
    return SHARED


@pytest.fixture(scope="session")
def pip_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Old Jinja2 and PyYAML (real PyPA advisories) installed by pip into a target folder."""
    target = tmp_path_factory.mktemp("pip") / "site-packages"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-warn-conflicts",
            "--target",
            str(target),
            "jinja2==2.10",
            "pyyaml==5.3",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.skip(f"pip could not install jinja2==2.10 pyyaml==5.3: {proc.stderr[-300:]}")
    return target
