"""Record, and compare, what hardhull reports on examples/, ../shared/corpus and the PSS fixtures.

A refactor must not change behaviour. This tool runs one source tree's hardhull (``--src``,
default this checkout's ``src``) over a fixed set of inputs and writes one report per run into
``--out``; ``--compare A B`` lists every report that differs between two such folders.

    python tools/behaviour_snapshot.py --out /tmp/after
    git worktree add /tmp/hh-base e0175f8
    python tools/behaviour_snapshot.py --src /tmp/hh-base/src --out /tmp/before
    python tools/behaviour_snapshot.py --compare /tmp/before /tmp/after

Reports are produced with a fixed ``--as-of`` date so end-of-life findings do not move with the
calendar, and with paths relative to this checkout so both trees name files alike.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
AS_OF = "2026-12-01"


def _runs() -> list[tuple[str, list[str]]]:
    """(name, hardhull arguments) for every recorded run."""
    runs: list[tuple[str, list[str]]] = []
    scan = ["scan", "--fail-on", "never", "--as-of", AS_OF, "-j", "1"]
    for fmt in ("json", "sarif", "junit", "text"):
        runs.append((f"examples.{fmt}", [*scan, "-f", fmt, "--color", "never", "examples"]))
    for sub in sorted((ROOT / "examples").iterdir()):
        if sub.is_dir():
            name = f"examples-{sub.name}.json"
            runs.append((name, [*scan, "-f", "json", f"examples/{sub.name}"]))
    for family in ("k8s", "docker"):
        base = SHARED / "corpus" / family
        if not base.is_dir():
            continue
        for sub in sorted(base.iterdir()):
            if sub.is_dir():
                rel = os.path.relpath(sub, ROOT)
                runs.append((f"corpus-{family}-{sub.name}.json", [*scan, "-f", "json", rel]))
    pss = SHARED / "conformance" / "pss"
    for level_dir in sorted(pss.glob("*")):
        if not level_dir.is_dir():
            continue
        for version_dir in sorted(level_dir.glob("v1.*")):
            rel = os.path.relpath(version_dir, ROOT)
            args = ["pss", "--level", level_dir.name, "--version", version_dir.name]
            args += ["--fail-on", "never", "-f", "json", rel]
            runs.append((f"pss-{level_dir.name}-{version_dir.name}.json", args))
    return runs


def _normalise(name: str, text: str) -> str:
    """Drop what legitimately changes from run to run (timings, tool versions)."""
    if not name.endswith((".json", ".sarif")):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def record(src: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(src), NO_COLOR="1")

    def one(item: tuple[str, list[str]]) -> str:
        name, args = item
        proc = subprocess.run(
            [sys.executable, "-m", "hardhull", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        body = _normalise(name, proc.stdout)
        (out / name).write_text(f"exit {proc.returncode}\n{proc.stderr}---\n{body}")
        return name

    runs = _runs()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for _ in pool.map(one, runs):
            pass
    print(f"{len(runs)} reports written to {out}")
    return 0


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = 0
    for name in names:
        pa, pb = a / name, b / name
        ta = pa.read_text() if pa.exists() else "(missing)\n"
        tb = pb.read_text() if pb.exists() else "(missing)\n"
        if ta != tb:
            differ += 1
            diff = difflib.unified_diff(
                ta.splitlines(), tb.splitlines(), str(pa), str(pb), lineterm="", n=1
            )
            lines = list(diff)
            print("\n".join(lines[:60]))
            if len(lines) > 60:
                print(f"... {len(lines) - 60} more diff lines")
    print(f"{len(names)} reports compared, {differ} differ")
    return 1 if differ else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        ap.error("--out or --compare is required")
    return record(args.src.resolve(), args.out)


if __name__ == "__main__":
    sys.exit(main())
