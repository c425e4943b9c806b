"""The issue's "done when", exactly as a user would run it: certificates from
`hardhull admission certs`, the server from `hardhull admission serve` with the sample policy
of examples/admission/, over TLS on 127.0.0.1, checked with a real HTTPS client."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.helpers.admission import example, review_body
from tests.helpers.server import free_port, patched


def hardhull(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardhull", *args], capture_output=True, text=True, timeout=60
    )


def test_quick_start_with_generated_certs_and_the_sample_policy(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    made = hardhull("admission", "certs", "--dns", "localhost", "--ip", "127.0.0.1",
                    "--out", str(certs))  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in certs.iterdir()) == ["ca.crt", "tls.crt", "tls.key"]

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    log = open(tmp_path / "server.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hardhull",
            "admission",
            "serve",
            "--tls-cert",
            str(certs / "tls.crt"),
            "--tls-key",
            str(certs / "tls.key"),
            "--config",
            str(ROOT / "examples" / "admission" / "policy.yaml"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--namespace",
            "hardhull",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    ctx = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    client = httpx.Client(base_url=f"https://localhost:{port}", verify=ctx, timeout=10)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (
                tmp_path / "server.log"
            ).read_text(errors="replace")
            time.sleep(0.05)

        def review(obj: dict[str, object], path: str = "/validate") -> dict[str, object]:
            r = client.post(path, json=review_body(obj))  # type: ignore[arg-type]
            assert r.status_code == 200
            response: dict[str, object] = r.json()["response"]
            return response

        insecure = review(example("examples/insecure/shop.yaml"))
        assert insecure["allowed"] is False
        audit = insecure["auditAnnotations"]
        assert isinstance(audit, dict)
        assert audit["denied"] == "K001,K004,K008,K014,K018,K019,K027,K100"
        assert review(example("examples/hardened/shop.yaml"))["allowed"] is True

        near = example("examples/admission/near-miss.yaml")
        assert review(near)["allowed"] is False
        mutated = review(near, "/mutate")
        assert mutated["allowed"] is True
        assert review(patched(near, mutated))["allowed"] is True  # type: ignore[arg-type]
    finally:
        client.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        log.close()
