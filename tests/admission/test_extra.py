"""Without the ``admission`` extra, every admission command says which package is missing and
how to install it: a clear error and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: run the CLI with the extra's modules made unimportable (None in sys.modules)
_WITHOUT = (
    "import sys\n"
    "for m in ('cryptography', 'uvicorn', 'orjson', 'prometheus_client', 'uvloop', 'httptools'):\n"
    "    sys.modules[m] = None\n"
    "from hardhull.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "missing"),
    [
        (["certs", "--dns", "hardhull.example.svc", "--out", "{tmp}/tls"], "cryptography"),
        (["serve", "--tls-cert", "{tmp}/c", "--tls-key", "{tmp}/k"], "orjson"),
    ],
)
def test_missing_extra_is_a_clear_error(tmp_path: Path, argv: list[str], missing: str) -> None:
    proc = _run("admission", *(a.format(tmp=tmp_path) for a in argv))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        f"hardhull: this command needs the 'admission' extra ({missing} is missing): "
        "pip install 'hardhull[admission]'\n"
    )


def test_manifests_with_a_ca_bundle_without_the_extra(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    proc = _run(
        "admission", "manifests", "--namespace", "hardhull", "--image", "hardhull:1",
        "--ca-bundle", str(ca),
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "needs the 'admission' extra (cryptography is missing)" in proc.stderr
