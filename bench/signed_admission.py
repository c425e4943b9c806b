#!/usr/bin/env python3
"""Image signature verification in the admission webhook, under load (issue #11, section 4).

Everything real, on loopback: Debian's ``docker-registry`` (a config of its own) holding N
distinct images (default 200), each signed with ``hardhull.signatures.flows.sign_image`` (a
Sigstore bundle referrer; the registry has no referrers API, so the ``sha256-<hex>`` index is
read too); ``hardhull admission serve`` over TLS with a policy whose ``verify-images`` rule
names the registry and the signing key.

1. **Cold cache**: one AdmissionReview per image (a Pod of that image), all N at once; every
   answer must be an admission within the webhook's deadline (``timeout-ms``), each one having
   made the registry round trips of a real verification (tag → digest, referrers, bundle).
2. **Warm cache** against **no verification**: the same Pods, cycled at a fixed rate for a
   fixed time, to a server with the ``verify-images`` rule (every image already verified:
   answers come from the cache) and to one with the same policy without it; p50/p99 of each
   and their ratio (target: warm p99 within 2x of the p99 without verification).

Latency is measured by the benchmark's client (httpx, HTTP/1.1 keep-alive, TLS verified),
the same way for both servers in the same run. Results go to docs/benchmarks.md between
``<!-- signed-admission:start -->`` and ``<!-- signed-admission:end -->``.

    .venv/bin/python bench/signed_admission.py            # 200 images, writes the docs
    .venv/bin/python bench/signed_admission.py --images 20 --seconds 3 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.admission_load import (  # noqa: E402 - the path is set first
    HOST,
    pct,
    serve_command,
    start_server,
)

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- signed-admission:start -->", "<!-- signed-admission:end -->"
TIMEOUT_MS = 3000


def _pod(image: str, i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"app-{i}", "namespace": "shop"},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "app",
                    "image": image,
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "64Mi"},
                        "limits": {"cpu": "1", "memory": "128Mi"},
                    },
                }
            ],
        },
    }


def _review(image: str, i: int) -> bytes:
    review = {
        "kind": "AdmissionReview",
        "apiVersion": "admission.k8s.io/v1",
        "request": {
            "uid": f"00000000-0000-4000-8000-{i:012x}",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "name": f"app-{i}",
            "namespace": "shop",
            "operation": "CREATE",
            "userInfo": {"username": "alice@example.com", "groups": ["system:authenticated"]},
            "object": _pod(image, i),
            "oldObject": None,
            "dryRun": False,
        },
    }
    return json.dumps(review, separators=(",", ":")).encode()


def publish(host: str, count: int, key: Any) -> list[str]:
    """``count`` distinct one-layer images in the registry, each signed (bundle referrer)."""
    from hardhull.oci.registry import RegistryClient
    from hardhull.signatures.flows import sign_image

    client = RegistryClient(host, insecure=True, credentials=None)
    config = json.dumps(
        {"os": "linux", "architecture": "amd64", "rootfs": {"type": "layers", "diff_ids": []}}
    ).encode()
    refs = []
    for i in range(count):
        repo = f"team/app{i:03d}"
        cfg = client.push_blob(repo, config)
        layer = f"image {i}".encode()
        blob = client.push_blob(repo, layer)
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": cfg,
                    "size": len(config),
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": blob,
                        "size": len(layer),
                    }
                ],
            }
        ).encode()
        client.put_manifest(repo, "1.0.0", manifest, "application/vnd.oci.image.manifest.v1+json")
        ref = f"{host}/{repo}:1.0.0"
        sign_image(ref, key, {}, insecure=True)
        refs.append(ref)
    return refs


async def _post(client: Any, body: bytes) -> tuple[float, bool]:
    t0 = time.perf_counter()
    resp = await client.post(
        "/validate?timeout=3s", content=body, headers={"Content-Type": "application/json"}
    )
    elapsed = time.perf_counter() - t0
    ok = resp.status_code == 200 and resp.json()["response"]["allowed"] is True
    return elapsed, ok


def _client(port: int, cafile: str, connections: int) -> Any:
    import httpx

    return httpx.AsyncClient(
        base_url=f"https://{HOST}:{port}",
        verify=cafile,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=30.0,
    )


async def cold(port: int, cafile: str, bodies: list[bytes]) -> dict[str, Any]:
    async with _client(port, cafile, len(bodies)) as client:
        t0 = time.perf_counter()
        got = await asyncio.gather(*(_post(client, b) for b in bodies))
        wall = time.perf_counter() - t0
    lat = sorted(t for t, _ in got)
    return {
        "images": len(bodies),
        "admitted": sum(1 for _, ok in got if ok),
        "wall": wall,
        "p50": pct(lat, 50) * 1e3,
        "max": lat[-1] * 1e3,
    }


async def fixed_rate(
    port: int, cafile: str, bodies: list[bytes], rate: float, seconds: float
) -> dict[str, Any]:
    lat: list[float] = []
    bad = 0
    async with _client(port, cafile, 32) as client:
        for b in bodies[:32]:  # connections open and warm
            await _post(client, b)
        start = time.perf_counter()
        n = int(rate * seconds)
        tasks = []

        async def one(i: int) -> None:
            nonlocal bad
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            t, ok = await _post(client, bodies[i % len(bodies)])
            # from the scheduled time: a late start counts (no coordinated omission)
            lat.append(t + max(0.0, time.perf_counter() - t - due))
            bad += not ok

        for i in range(n):
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    lat.sort()
    return {"requests": len(lat), "p50": pct(lat, 50) * 1e3, "p99": pct(lat, 99) * 1e3,
            "bad": bad}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--rate", type=float, default=200.0, help="req/s of the warm runs")
    ap.add_argument("--seconds", type=float, default=15.0, help="length of each warm run")
    ap.add_argument("--no-write", action="store_true", help="print, do not edit the docs")
    args = ap.parse_args(argv)

    from cryptography.hazmat.primitives.asymmetric import ec
    from tests.helpers.registry import start_registry, stop_registry

    from hardhull.admission.certs import generate, write_bundle
    from hardhull.sign.crypto import public_pem

    with tempfile.TemporaryDirectory(prefix="hardhull-signed-admission-") as d:
        tmp = Path(d)
        reg = start_registry(tmp / "reg")
        try:
            key = ec.generate_private_key(ec.SECP256R1())
            (tmp / "cosign.pub").write_bytes(public_pem(key.public_key()))
            t0 = time.perf_counter()
            refs = publish(reg.host, args.images, key)
            publish_s = time.perf_counter() - t0
            bodies = [_review(r, i) for i, r in enumerate(refs)]
            base_policy = f"timeout-ms: {TIMEOUT_MS}\non-error: deny\n"
            verify_policy = base_policy + (
                "verify-images:\n"
                f"  - images: ['{reg.host}/team/*']\n"
                f"    keys: [{tmp / 'cosign.pub'}]\n"
                f"verify-images-insecure-registries: ['{reg.host}']\n"
            )
            (tmp / "verify.yaml").write_text(verify_policy)
            (tmp / "plain.yaml").write_text(base_policy)
            tls = tmp / "tls"
            write_bundle(generate([HOST], ["127.0.0.1"], 7), str(tls))
            cafile = str(tls / "ca.crt")
            base = serve_command(sys.executable)
            server = start_server(base, tls, 1, str(tmp / "verify.yaml"))
            try:
                cold_r = asyncio.run(cold(server.port, cafile, bodies))
                warm_r = asyncio.run(
                    fixed_rate(server.port, cafile, bodies, args.rate, args.seconds)
                )
            finally:
                server.stop()
            server = start_server(base, tls, 1, str(tmp / "plain.yaml"))
            try:
                plain_r = asyncio.run(
                    fixed_rate(server.port, cafile, bodies, args.rate, args.seconds)
                )
            finally:
                server.stop()
        finally:
            stop_registry(reg)
    ratio = warm_r["p99"] / plain_r["p99"] if plain_r["p99"] else float("nan")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    section = f"""Measured {time.strftime("%Y-%m-%d %H:%M", time.gmtime())} UTC on {os.cpu_count()} CPUs,
{platform.system()} {platform.release()}, Python {platform.python_version()}; load average at the
end {load}. Command: `.venv/bin/python bench/signed_admission.py`.

{args.images} distinct images in docker-registry 2.8 on 127.0.0.1, each signed by
`hardhull sign` (a Sigstore bundle referrer, found through the `sha256-<hex>` index);
`hardhull admission serve` (1 worker, TLS) with a `verify-images` rule naming the registry and
the key, `timeout-ms: {TIMEOUT_MS}`. Publishing and signing them took {publish_s:.1f} s.

| run | requests | admitted | p50 ms | p99 ms | max ms | wall s |
|---|---:|---:|---:|---:|---:|---:|
| cold cache: all {cold_r["images"]} Pods at once, each verified in the registry | {cold_r["images"]} | {cold_r["admitted"]} | {cold_r["p50"]:.1f} | | {cold_r["max"]:.1f} | {cold_r["wall"]:.2f} |
| warm cache: {args.rate:g} req/s for {args.seconds:g} s | {warm_r["requests"]} | {warm_r["requests"] - warm_r["bad"]} | {warm_r["p50"]:.2f} | {warm_r["p99"]:.2f} | | |
| same policy without `verify-images`: {args.rate:g} req/s | {plain_r["requests"]} | {plain_r["requests"] - plain_r["bad"]} | {plain_r["p50"]:.2f} | {plain_r["p99"]:.2f} | | |

Warm p99 / p99 without verification: {ratio:.2f} (target ≤ 2). Cold: every one of the
{cold_r["images"]} verifications answered within the {TIMEOUT_MS} ms deadline (slowest
{cold_r["max"]:.0f} ms), none left to `on-error`."""  # noqa: E501
    print(section)
    if not args.no_write:
        from k8s_corpus import update_doc

        heading = "## Admission: only signed images, under load"
        update_doc(DOC, [(START, END, section, heading)])
    ok = cold_r["admitted"] == cold_r["images"] and cold_r["max"] < TIMEOUT_MS and ratio <= 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
