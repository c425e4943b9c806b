#!/usr/bin/env python3
"""Images side by side: ``hardhull image`` and ``trivy image --input`` on the same large image
(``bench/image_build.py``: 2.7 GB, five layers of this machine's dpkg, pip and npm output), in
the same run, with a floor: a plain Python single pass over every layer.

Run from the repository root::

    .venv/bin/python bench/image_scan.py [--peers DIR] [--runs N] [--out docs/benchmarks.md]

Measured, per tool (wall, user+sys CPU and peak RSS of the process tree, from ``os.wait4``):

- trivy SBOM, cold (an empty cache directory) and warm (the same cache again):
  ``trivy image --input app.tar --format cyclonedx --skip-db-update --offline-scan``;
- trivy secrets, cold: ``--scanners secret``;
- hardhull, cold (an empty ``XDG_CACHE_HOME``) and warm: ``hardhull image app.tar -f json``,
  which does everything at once (image checks, secrets in every layer, the SBOM);
- hardhull SBOM only, cold: ``-f cyclonedx``;
- the floor: one Python process reading every layer of the archive with ``tarfile`` and every
  member's bytes (decompression and tar parsing, nothing else).

Then the package lists of both SBOMs side by side (purls without qualifiers; Debian epochs,
which trivy writes as a qualifier and hardhull in the version, set aside), every difference
listed. With ``--out`` the marked section of the Markdown file is replaced
(``<!-- image:start -->`` … ``<!-- image:end -->``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# sibling scripts, not packages
from image_build import build
from k8s_corpus import Run, cpu_model, run_once, update_doc

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
START = "<!-- image:start -->"
END = "<!-- image:end -->"
LOAD_BEFORE = os.getloadavg()

FLOOR = """
import sys, tarfile, json
outer = tarfile.open(sys.argv[1])
manifest = json.load(outer.extractfile("manifest.json"))
n = 0
for name in manifest[0]["Layers"]:
    with tarfile.open(fileobj=outer.extractfile(name), mode="r|*") as layer:
        for m in layer:
            if m.isreg():
                f = layer.extractfile(m)
                while f.read(1 << 20):
                    pass
            n += 1
print(n)
"""


def _purls(path: Path) -> set[str]:
    out: set[str] = set()

    def walk(components: list[dict[str, object]]) -> None:
        for c in components:
            purl = c.get("purl")
            if isinstance(purl, str) and purl:
                base = urllib.parse.unquote(purl.split("?", 1)[0]).lower()
                out.add(re.sub(r"@\d+:", "@", base))
            sub = c.get("components")
            if isinstance(sub, list):
                walk(sub)

    doc = json.loads(path.read_text())
    walk(doc.get("components", []))
    return out


def _row(label: str, runs: list[Run]) -> str:
    best = min(runs, key=lambda r: r.wall)
    return (
        f"| {label} | {len(runs)} | {best.wall:.2f} | {best.cpu:.2f} | {best.maxrss_mb:.0f} |"
        f" {'ok' if all(r.rc in (0, 1) for r in runs) else 'FAILED'} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peers", default="/tmp/peers", help="where install-peers.sh put trivy")
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement (best shown)")
    ap.add_argument("--out", help="Markdown file whose image section is replaced")
    args = ap.parse_args()
    archive, _ = build()
    trivy = Path(args.peers) / "bin" / "trivy"
    hardhull = [sys.executable, "-m", "hardhull"]
    work = Path(tempfile.mkdtemp(prefix="hardhull-image-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows: list[str] = []
    results: dict[str, list[Run]] = {}

    def measure(key: str, label: str, argv: list[str], *, fresh: Path | None = None,
                extra_env: dict[str, str] | None = None) -> None:  # fmt: skip
        runs = []
        for _ in range(args.runs):
            if fresh is not None:
                shutil.rmtree(fresh, ignore_errors=True)
                fresh.mkdir(parents=True)
            runs.append(run_once(argv, {**env, **(extra_env or {})}, ROOT, sample=False))
        results[key] = runs
        rows.append(_row(label, runs))
        print(rows[-1], flush=True)

    hh_cache = work / "hh-cache"
    hh_env = {"XDG_CACHE_HOME": str(hh_cache)}
    measure(
        "floor",
        "floor: Python `tarfile`, every member read once",
        [sys.executable, "-c", FLOOR, str(archive)],
    )
    measure("hh-cold", "hardhull image, cold (checks, secrets, SBOM in one pass)",
            [*hardhull, "image", str(archive), "-f", "json", "-o", str(work / "hh.json")],
            fresh=hh_cache, extra_env=hh_env)  # fmt: skip
    measure("hh-warm", "hardhull image, warm (layer cache)",
            [*hardhull, "image", str(archive), "-f", "json", "-o", str(work / "hh.json")],
            extra_env=hh_env)  # fmt: skip
    measure("hh-sbom", "hardhull image -f cyclonedx, cold",
            [*hardhull, "image", str(archive), "-f", "cyclonedx", "-o", str(work / "hh.cdx.json")],
            fresh=hh_cache, extra_env=hh_env)  # fmt: skip
    if trivy.exists():
        tc = work / "trivy-cache"
        base = [str(trivy), "image", "--input", str(archive), "--skip-db-update", "--offline-scan",
                "--cache-dir", str(tc)]  # fmt: skip
        sbom = [*base, "--format", "cyclonedx", "-o", str(work / "t.cdx.json")]
        measure("trivy-sbom-cold", "trivy SBOM (cyclonedx), cold", sbom, fresh=tc)
        measure("trivy-sbom-warm", "trivy SBOM (cyclonedx), warm", sbom)
        measure("trivy-secret", "trivy secrets (`--scanners secret`), cold",
                [*base, "--scanners", "secret", "-f", "json", "-o", str(work / "t.secret.json")],
                fresh=tc)  # fmt: skip
    size = archive.stat().st_size
    lines = [
        f"Measured {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} on "
        f"{os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, Python "
        f"{platform.python_version()}; load average before the runs "
        f"{'/'.join(f'{x:.1f}' for x in LOAD_BEFORE)}.",
        "",
        f"Image: `bench/image_build.py`, {size / 1e9:.2f} GB docker-archive, five layers.",
        "",
        "Command: `.venv/bin/python bench/image_scan.py --out docs/benchmarks.md`",
        "",
        "| what | runs | wall s (best) | user+sys CPU s | peak RSS MiB (largest process) | |",
        "|---|---:|---:|---:|---:|---|",
        *rows,
    ]
    if (work / "t.cdx.json").exists() and (work / "hh.cdx.json").exists():
        ours, theirs = _purls(work / "hh.cdx.json"), _purls(work / "t.cdx.json")
        lines += [
            "",
            f"Packages: hardhull {len(ours)}, trivy {len(theirs)}, both {len(ours & theirs)}.",
            "",
            "Only hardhull: "
            + (", ".join(f"`{p}`" for p in sorted(ours - theirs)) or "none")
            + ".",
            "",
            "Only trivy: " + (", ".join(f"`{p}`" for p in sorted(theirs - ours)) or "none") + ".",
        ]
    body = "\n".join(lines)
    print(body)
    if args.out:
        update_doc(Path(args.out), [(START, END, body, "## Images: hardhull and trivy")])
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
