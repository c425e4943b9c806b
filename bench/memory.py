#!/usr/bin/env python3
"""Memory that does not grow with the input: peak RSS of ``hardhull scan`` on one copy of the
Kubernetes corpus against eight copies side by side, and on one large generated manifest.

Run from the repository root::

    .venv/bin/python bench/memory.py [--corpus DIR] [--src DIR] [--out docs/benchmarks.md]

Each case runs with one process (``-j 1``) and with the default (worker processes for large
inputs), reporting the peak RSS of the largest process (``wait4``) and, sampled from ``/proc``
every 10 ms, the peak of the whole process tree. The floor is the same run on one copy: the
targets are eight copies within 2x of one copy (whole tree), and the generated manifest
(33,787 privileged Deployments, about 10 MB, some 470,000 findings) within 600 MB with
``-f json``. ``--src`` runs another source tree (e.g. a worktree of an older commit) for a
before/after comparison in the same run.

With ``--out``, the section between ``<!-- memory:start -->`` and ``<!-- memory:end -->`` of
the Markdown file is replaced.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from k8s_corpus import run_once

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "k8s"
START, END = "<!-- memory:start -->", "<!-- memory:end -->"

_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
spec:
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
---
"""


def _scan(src: Path, target: Path, jobs: int, fmt: str = "json") -> tuple[float, float, float]:
    """(wall s, largest process MiB, whole tree MiB) of one scan."""
    env = dict(os.environ, PYTHONPATH=str(src))
    argv = [sys.executable, "-m", "hardhull", "scan", str(target), "-f", fmt, "-o", os.devnull]
    argv += ["--fail-on", "never", "--max-file-size", "50000000", "-j", str(jobs)]
    run = run_once(argv, env, ROOT, sample=True)
    if run.rc != 0:
        raise SystemExit(f"scan of {target} failed with exit {run.rc}")
    return run.wall, run.maxrss_mb, run.tree_rss_mb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"memory: corpus {args.corpus} not found; skipped", file=sys.stderr)
        return 0
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hardhull-mem-") as tmp:
        eight = Path(tmp) / "eight"
        for n in range(8):
            shutil.copytree(args.corpus, eight / f"copy{n}")
        big = Path(tmp) / "privileged.yaml"
        with open(big, "w") as fh:
            for i in range(33787):
                fh.write(_DEPLOYMENT.format(i=i))
        size_mb = big.stat().st_size / 1e6
        for jobs in (1, 0):
            one = _scan(args.src, args.corpus, jobs)
            many = _scan(args.src, eight, jobs)
            ratio = many[2] / one[2]
            label = "1 process" if jobs == 1 else "default (workers)"
            rows.append(
                f"| corpus ×1 vs ×8, {label} | {one[0]:.2f} s / {one[2]:.0f} MiB | "
                f"{many[0]:.2f} s / {many[2]:.0f} MiB | {ratio:.2f}× (target ≤ 2×) |"
            )
        wall, largest, tree = _scan(args.src, big, 0)
        rows.append(
            f"| {size_mb:.1f} MB, 33,787 privileged Deployments, `-f json` | — | "
            f"{wall:.1f} s / {tree:.0f} MiB (largest process {largest:.0f} MiB) | "
            f"target ≤ 600 MB |"
        )
    table = "\n".join(
        [
            "| case | one copy: wall / peak RSS of the tree | large input: wall / peak RSS "
            "| ratio |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    if args.out:
        text = args.out.read_text()
        section = f"{START}\n{table}\n{END}"
        if START in text and END in text:
            head, rest = text.split(START, 1)
            text = head + section + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + f"\n\n## Memory\n\n{section}\n"
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
