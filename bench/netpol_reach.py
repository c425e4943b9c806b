#!/usr/bin/env python3
"""Speed of ``hardhull netpol reach`` on the Kubernetes corpus: the whole matrix on each
destination's declared ports (no ``--port``), against the matrix on one port.

Run from the repository root::

    .venv/bin/python bench/netpol_reach.py [--corpus DIR] [--src DIR] [--runs N]
                                           [--out docs/benchmarks.md]

Each case runs ``N`` times (default 3) and reports the best wall time. ``--src`` also runs
another source tree (e.g. ``git archive`` of an older commit unpacked somewhere, its ``src``
directory) in the same run, for a before/after comparison, and checks that both write the
same bytes. With ``--out``, the section between ``<!-- netpol-reach:start -->`` and
``<!-- netpol-reach:end -->`` of the Markdown file is replaced.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from k8s_corpus import run_once

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "k8s"
START, END = "<!-- netpol-reach:start -->", "<!-- netpol-reach:end -->"

CASES = (
    ("matrix, declared ports (text)", []),
    ("matrix, declared ports (`-f json`)", ["-f", "json"]),
    ("matrix, `--port 80`", ["--port", "80"]),
)


def _best(src: Path, corpus: Path, extra: list[str], runs: int) -> tuple[float, str]:
    """(best wall s, sha256 of the report) of ``netpol reach CORPUS EXTRA``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    argv = [sys.executable, "-m", "hardhull", "netpol", "reach", str(corpus), *extra]
    best = float("inf")
    digest = ""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        for _ in range(runs):
            run = run_once(argv, env, ROOT, stdout=out)
            if run.rc != 0:
                raise SystemExit(f"{' '.join(argv)}: exit {run.rc}")
            best = min(best, run.wall)
            digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return best, digest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", type=Path, help="another source tree to compare with (before)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, help="Markdown file whose section is replaced")
    args = ap.parse_args()
    rows = []
    for label, extra in CASES:
        after, digest = _best(ROOT / "src", args.corpus, extra, args.runs)
        cells = [label]
        if args.src is not None:
            before, old = _best(args.src, args.corpus, extra, args.runs)
            same = "same" if old == digest else "DIFFERENT"
            cells += [f"{before:.2f} s", f"{after:.2f} s", same]
        else:
            cells.append(f"{after:.2f} s")
        rows.append(cells)
        print(" | ".join(cells), flush=True)
    head = ["case", "before", "after", "report"] if args.src is not None else ["case", "wall"]
    table = [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
    if args.out is not None:
        text = args.out.read_text(encoding="utf-8")
        start, end = text.index(START) + len(START), text.index(END)
        args.out.write_text(text[:start] + "\n" + "\n".join(table) + "\n" + text[end:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
