#!/usr/bin/env python3
"""Runtime detection throughput (issue #12, section 4): generated Kubernetes audit events
(tests/helpers/auditlog.py: benign traffic with the scripted attacks mixed in) replayed through
hardhull's default rules and Falco's own k8s_audit_rules.yaml by ``hardhull runtime``'s engine,
on one core, beside the floor of only decoding the same JSON lines (orjson, the fastest JSON
library hardhull uses, and the standard library's json).

Each measurement runs in its own process (``python bench/runtime_audit.py --one KIND``) so
that its peak RSS is its own; the events are written to a file first and read back line by line
(memory must stay flat whatever the number of events).

    .venv/bin/python bench/runtime_audit.py                 # 1,000,000 events, writes the docs
    .venv/bin/python bench/runtime_audit.py --events 50000 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- runtime-audit:start -->", "<!-- runtime-audit:end -->"
RULES = ROOT.parent / "shared" / "falco-rules" / "k8s_audit_rules.yaml"


def generate(path: Path, n: int) -> None:
    from tests.helpers.auditlog import attacks, benign

    attack_events = [e for evs in attacks().values() for e in evs]
    with path.open("w", encoding="utf-8") as out:
        for i, ev in enumerate(benign(n - len(attack_events))):
            out.write(json.dumps(ev, separators=(",", ":")) + "\n")
            if i % 50_000 == 0 and attack_events:
                out.write(json.dumps(attack_events.pop(), separators=(",", ":")) + "\n")
        for ev in attack_events:
            out.write(json.dumps(ev, separators=(",", ":")) + "\n")


def one(kind: str, path: Path) -> dict[str, float]:
    """One measurement in this process: events, seconds, alerts, peak RSS."""
    alerts = 0
    t0 = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8") as fh:
        if kind == "orjson":
            import orjson

            for line in fh:
                orjson.loads(line)
                n += 1
        elif kind == "json":
            for line in fh:
                json.loads(line)
                n += 1
        else:
            from hardhull.falco.loader import load_files
            from hardhull.runtime.defaults import default_rules
            from hardhull.runtime.engine import Runtime, read_events

            runtime = Runtime(load_files([default_rules(), RULES]), hostname="bench")
            t0 = time.perf_counter()  # rules loaded: measure the events
            for item in read_events(fh, str(path)):
                alerts += len(runtime.process(item))  # type: ignore[arg-type]
                n += 1
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"events": n, "seconds": seconds, "alerts": alerts, "rss_mib": rss}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--one", choices=("orjson", "json", "hardhull"), help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, Path(args.file))))
        return 0
    if not RULES.is_file():
        print(f"bench: {RULES} not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hardhull-runtime-bench-") as d:
        path = Path(d) / "audit.jsonl"
        t = time.perf_counter()
        generate(path, args.events)
        gen = time.perf_counter() - t
        size = path.stat().st_size
        rows = {}
        for kind in ("orjson", "json", "hardhull"):
            proc = subprocess.run(
                [sys.executable, __file__, "--one", kind, "--file", str(path)],
                capture_output=True, text=True, check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )  # fmt: skip
            rows[kind] = json.loads(proc.stdout)
            print(kind, rows[kind], flush=True)
    from tests.helpers.auditlog import ATTACKS

    from hardhull.falco.loader import load_files
    from hardhull.runtime.defaults import default_rules

    n_rules = len([r for r in load_files([default_rules(), RULES]).rules if r.runnable])
    hh = rows["hardhull"]
    rate = {k: r["events"] / r["seconds"] for k, r in rows.items()}
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    section = f"""Measured {time.strftime("%Y-%m-%d %H:%M", time.gmtime())} UTC, one core of {os.cpu_count()},
{platform.system()} {platform.release()}, Python {platform.python_version()}; load average at
the end {load}. Command: `.venv/bin/python bench/runtime_audit.py`.

{hh["events"]:,} generated audit events ({size / 1e6:.0f} MB of JSON lines, written in
{gen:.0f} s; benign traffic with the {len(ATTACKS)} scripted attacks mixed in) through hardhull's
default rules and Falco's `k8s_audit_rules.yaml` ({n_rules} rules), read line by line from a
file.

| what | events/s | seconds | peak RSS MiB | alerts |
|---|---:|---:|---:|---:|
| floor: orjson decode only | {rate["orjson"]:,.0f} | {rows["orjson"]["seconds"]:.1f} | {rows["orjson"]["rss_mib"]:.0f} | |
| floor: json (standard library) decode only | {rate["json"]:,.0f} | {rows["json"]["seconds"]:.1f} | {rows["json"]["rss_mib"]:.0f} | |
| hardhull: decode, extract, evaluate every rule, render alerts | {rate["hardhull"]:,.0f} | {hh["seconds"]:.1f} | {hh["rss_mib"]:.0f} | {hh["alerts"]:,.0f} |

hardhull / orjson floor: {rate["orjson"] / rate["hardhull"]:.1f}x slower (target: within 5x, and at
least 100,000 events/s)."""  # noqa: E501
    print(section)
    if not args.no_write:
        from k8s_corpus import update_doc

        heading = "## Runtime detection: audit events through Falco rules"
        update_doc(DOC, [(START, END, section, heading)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
