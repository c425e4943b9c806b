#!/usr/bin/env python3
"""Speed and detections side by side: hardhull, trivy and checkov on the same Kubernetes corpus.

Run from the repository root::

    .venv/bin/python bench/k8s_corpus.py [--corpus DIR] [--peers DIR] [--out docs/benchmarks.md]
                                          [--skip-peers] [--runs N] [--peer-runs N]

Every tool scans the same directory in the same run. For each run the script records wall time,
user+sys CPU time of the child process tree (``os.wait4``) and the peak RSS of the largest
process of the tree (``ru_maxrss`` from ``wait4``); one extra, separate run per tool samples
``/proc`` to record the peak RSS of the whole process tree (summed over live processes), which
matters when a tool forks workers. hardhull runs ``--runs`` times (median reported), the slow
peers ``--peer-runs`` times.

The speed part needs only the standard library. The detection comparison (``k8s_detections``)
imports ``hardhull.rules`` to read the Trivy/Checkov equivalents of every rule, so it runs only
under the project's virtualenv python; elsewhere it is skipped with a note.

With ``--out``, the marked sections of the Markdown file are replaced in place
(``<!-- k8s-speed:start -->`` … ``<!-- k8s-speed:end -->`` and
``<!-- k8s-detections:start -->`` … ``<!-- k8s-detections:end -->``); everything else in the file
is kept. Raw reports and disagreement lists go to ``bench/out/`` (gitignored).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "k8s"
DEFAULT_PEERS = Path("/tmp/peers")
OUT_DIR = BENCH / "out"

SPEED_START = "<!-- k8s-speed:start -->"
LOAD_BEFORE: tuple[float, float, float] = os.getloadavg()  # other work on the machine skews wall
SPEED_END = "<!-- k8s-speed:end -->"


@dataclass
class Run:
    wall: float  # seconds
    user: float  # seconds, child tree
    sys: float  # seconds, child tree
    maxrss_mb: float  # largest single process of the tree, MiB
    rc: int
    tree_rss_mb: float = 0.0  # sampled peak of the summed RSS of the tree (sampled runs only)

    @property
    def cpu(self) -> float:
        return self.user + self.sys


@dataclass
class Tool:
    key: str  # short id used in tables and file names
    label: str  # what the table shows
    argv: list[str]
    report: Path  # where the tool writes its report
    version: str = ""
    runs: list[Run] = field(default_factory=list)
    tree_rss_mb: float = 0.0  # sampled peak RSS of the whole process tree
    ok_rcs: tuple[int, ...] = (0,)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


# --------------------------------------------------------------------------- measuring


def run_once(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    sample: bool = False,
    stdout: Path | None = None,
) -> Run:
    """Run ``argv`` once, quietly; wall time plus the rusage of the child's process tree.

    With ``sample``, a thread also polls ``/proc`` every 10 ms for the summed RSS of the
    child's process tree (stored in ``Run.tree_rss_mb``). Standard output goes to ``stdout``
    when given (a tool that can only report there, such as hadolint), else nowhere."""
    start = time.perf_counter()
    err_chunks: list[bytes] = []
    peak = [0.0]
    done = threading.Event()
    with open(stdout or os.devnull, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd)
        stderr = proc.stderr
        assert stderr is not None
        # drain stderr in a thread so a chatty tool cannot block on a full pipe
        reader = threading.Thread(target=lambda: err_chunks.append(stderr.read()))
        reader.start()
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, peak))
        if sample:
            sampler.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
        if sample:
            sampler.join()
        stderr.close()
    run = Run(wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss / 1024, proc.returncode, peak[0])
    run_err = b"".join(err_chunks).decode(errors="replace").strip()
    if run_err and proc.returncode not in (0, 1):
        print(f"  stderr of {argv[0]}: {run_err[-800:]}", file=sys.stderr)
    return run


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, rss pages) for every live process, from /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        # fields[0] is state (field 3); ppid is field 4, rss field 24
        table[int(entry)] = (int(fields[1]), int(fields[21]))
    return table


def _sample_tree(root: int, done: threading.Event, peak: list[float]) -> None:
    """Poll the summed RSS (MiB) of ``root``'s process tree into ``peak[0]`` until ``done``."""
    page = os.sysconf("SC_PAGE_SIZE")
    while not done.is_set():
        table = _proc_table()
        tree = {root}
        grew = True
        while grew:
            grew = False
            for pid, (ppid, _) in table.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        total = sum(table[p][1] for p in tree if p in table) * page / 2**20
        peak[0] = max(peak[0], total)
        done.wait(0.01)


def version_of(argv: list[str], env: dict[str, str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if text else "unknown"


# --------------------------------------------------------------------------- tools


def hardhull_argv() -> list[str]:
    exe = Path(sys.executable).parent / "hardhull"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hardhull"]


def make_tools(corpus: Path, peers: Path, work: Path, skip_peers: bool) -> list[Tool]:
    hh = hardhull_argv()
    never = ["--fail-on", "never"]
    tools = [
        Tool(
            "hardhull",
            "hardhull (default jobs)",
            [*hh, "scan", str(corpus), "-f", "json", "-o", str(work / "hardhull.json"), *never],
            work / "hardhull.json",
        ),
        Tool(
            "hardhull-j1",
            "hardhull `-j 1`",
            [
                *(*hh, "scan", str(corpus), "-f", "json"),
                *("-o", str(work / "hardhull-j1.json"), *never, "-j", "1"),
            ],
            work / "hardhull-j1.json",
        ),
    ]
    if skip_peers:
        return tools
    cache = work / "trivy-cache"
    cache.mkdir(exist_ok=True)
    tools.append(
        Tool(
            "trivy",
            "trivy `config`",
            [
                *(str(peers / "bin" / "trivy"), "config", "--skip-check-update", "--quiet"),
                *("--cache-dir", str(cache), "-f", "json", "-o", str(work / "trivy.json")),
                str(corpus),
            ],
            work / "trivy.json",
        )
    )
    tools.append(
        Tool(
            "checkov",
            "checkov `--framework kubernetes`",
            [
                *(str(peers / "bin" / "checkov"), "-d", str(corpus), "--framework", "kubernetes"),
                *("-o", "json", "--quiet", "--compact", "--skip-download"),
                *("--output-file-path", str(work / "checkov")),
            ],
            work / "checkov" / "results_json.json",
            ok_rcs=(0, 1),
        )
    )
    return tools


def peer_env(peers: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{peers / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # no network for the peers: no telemetry, no version checks, no policy downloads
    env.setdefault("TRIVY_DISABLE_TELEMETRY", "true")
    env.setdefault("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
    env.setdefault("BC_SKIP_MAPPING", "TRUE")
    env.setdefault("LOG_LEVEL", "ERROR")
    # byte-code caching on, as for an installed package (a shell with PYTHONDONTWRITEBYTECODE
    # set would make every run recompile hardhull's modules)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --------------------------------------------------------------------------- report


def _fmt_ratio(peer: float, ours: float) -> str:
    return f"{peer / ours:.1f}×" if ours > 0 else "–"


def speed_table(tools: list[Tool]) -> str:
    base = tools[0]
    bw, bc, br = base.median("wall"), base.median("cpu"), base.median("maxrss_mb")
    lines = [
        "| tool | runs | wall s (median) | wall s (min) | user+sys CPU s "
        "| peak RSS MiB (largest process) | peak RSS MiB (whole tree) "
        "| wall / hardhull | CPU / hardhull | RSS / hardhull |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in tools:
        w, c, r = t.median("wall"), t.median("cpu"), t.median("maxrss_mb")
        rel = (
            ("1.0×", "1.0×", "1.0×")
            if t is base
            else (
                _fmt_ratio(w, bw),
                _fmt_ratio(c, bc),
                _fmt_ratio(r, br),
            )
        )
        lines.append(
            f"| {t.label} | {len(t.runs)} | {w:.2f} | {min(x.wall for x in t.runs):.2f} | "
            f"{c:.2f} | {r:.0f} | {t.tree_rss_mb:.0f} | " + " | ".join(rel) + " |"
        )
    return "\n".join(lines)


def corpus_stats(corpus: Path) -> tuple[int, int]:
    files = 0
    size = 0
    for dirpath, _, names in os.walk(corpus):
        for n in names:
            if n.endswith((".yaml", ".yml", ".json")):
                files += 1
                size += os.path.getsize(os.path.join(dirpath, n))
    return files, size


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def speed_section(tools: list[Tool], corpus: Path, command: str, skipped_peers: bool) -> str:
    files, size = corpus_stats(corpus)
    try:
        shown = corpus.relative_to(ROOT.parent)
        corpus_label = f"../{shown}"
    except ValueError:
        corpus_label = str(corpus)
    lines = [
        f"Measured {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} on "
        f"{os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, "
        f"Python {platform.python_version()}; load average before the runs "
        f"{'/'.join(f'{x:.1f}' for x in LOAD_BEFORE)} (1/5/15 min).",
        "",
        f"Corpus: `{corpus_label}`, {files} YAML files, {size / 2**20:.1f} MiB.",
        "",
        f"Command: `{command}`",
        "",
        speed_table(tools),
        "",
        "Tool versions and exact invocations (reports written to a temporary directory):",
        "",
    ]
    for t in tools:
        shown_argv = re.sub(
            r"/tmp/hardhull-bench-[^/\s]+", "$WORK", " ".join(shlex.quote(a) for a in t.argv)
        )
        lines.append(f"- {t.label}: {t.version} — `{shown_argv}`")
    lines += [
        "",
        "Wall time is the median over the runs (the minimum shows the cost without "
        "interference when the machine is shared); CPU is user+sys of the child and every process "
        'it waited for (`os.wait4`); "largest process" is `ru_maxrss` from the same call (the '
        'peak of the single largest process of the tree); "whole tree" is a separate, sampled '
        "run (every 10 ms, `/proc`) summing the RSS of all live processes of the tree, which "
        "counts pages shared by forked workers more than once (for the peers, whose runs take "
        "a minute, it is sampled during their last timed run).",
    ]
    if skipped_peers:
        lines += ["", "Peers were not run (`--skip-peers`)."]
    return "\n".join(lines)


def replace_section(text: str, start: str, end: str, body: str, heading: str) -> str:
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _m: block, text, count=1)
    return text.rstrip() + f"\n\n{heading}\n\n{block}\n"


def update_doc(path: Path, sections: list[tuple[str, str, str, str]]) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    for start, end, body, heading in sections:
        text = replace_section(text, start, end, body, heading)
    path.write_text(text if text.endswith("\n") else text + "\n")


# --------------------------------------------------------------------------- main


def bench_arguments(
    name: str,
    doc: str | None,
    default_corpus: Path,
    peer_binary: str,
    runs: int,
    peer_runs: int,
    argv: list[str] | None,
) -> tuple[argparse.Namespace, Path, bool, str] | None:
    """The options every corpus benchmark takes; (args, corpus, skip peers, command shown in
    the report), or None when the corpus is missing."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=default_corpus)
    ap.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="install-peers.sh target")
    ap.add_argument("--out", type=Path, help="Markdown file whose marked sections to update")
    ap.add_argument("--skip-peers", action="store_true", help="time hardhull only")
    ap.add_argument("--runs", type=int, default=runs, help="hardhull runs (median reported)")
    ap.add_argument("--peer-runs", type=int, default=peer_runs, help="runs of each peer")
    ap.add_argument("--no-detections", action="store_true", help="skip the detection comparison")
    args = ap.parse_args(argv)

    corpus: Path = args.corpus.resolve()
    if not corpus.is_dir():
        print(f"{name}: corpus {corpus} is not a directory", file=sys.stderr)
        return None
    skip_peers: bool = args.skip_peers
    if not skip_peers and not (args.peers / "bin" / peer_binary).exists():
        print(
            f"{name}: no peers in {args.peers} (run: bash /work/shared/tools/install-peers.sh "
            f"{args.peers}); timing hardhull only",
            file=sys.stderr,
        )
        skip_peers = True
    shown = [f"bench/{name}.py", *(argv if argv is not None else sys.argv[1:])]
    exe = Path(sys.executable)
    shown_exe = exe.relative_to(ROOT) if ROOT in exe.parents else exe
    command = f"{shown_exe} " + " ".join(shlex.quote(a) for a in shown)
    return args, corpus, skip_peers, command


def main(argv: list[str] | None = None) -> int:
    parsed = bench_arguments("k8s_corpus", __doc__, DEFAULT_CORPUS, "trivy", 7, 1, argv)
    if parsed is None:
        return 2
    args, corpus, skip_peers, command = parsed

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = peer_env(args.peers)
    with tempfile.TemporaryDirectory(prefix="hardhull-bench-") as tmp:
        work = Path(tmp)
        tools = make_tools(corpus, args.peers, work, skip_peers)
        for t in tools:
            if t.key.startswith("hardhull"):
                t.version = version_of([*t.argv[: t.argv.index("scan")], "--version"], env)
            else:
                t.version = version_of([t.argv[0], "--version"], env)
        for t in tools:
            ours = t.key.startswith("hardhull")
            n = args.runs if ours else args.peer_runs
            # one untimed warm-up for hardhull (page cache, .pyc); the peers are slow enough
            # that the cache state does not matter, and their version probe warmed them up
            if ours:
                run_once(t.argv, env, ROOT)
            for i in range(n):
                # the peers take a minute: sample their tree RSS during their last timed run
                # (one polling thread costs them nothing measurable); hardhull gets a separate
                # sampled run below so that its timed runs stay unperturbed
                r = run_once(t.argv, env, ROOT, sample=not ours and i == n - 1)
                if r.rc not in t.ok_rcs:
                    print(f"k8s_corpus: {t.label} exited {r.rc}", file=sys.stderr)
                t.runs.append(r)
                print(
                    f"{t.label:34} run {i + 1}/{n}: wall {r.wall:6.2f} s  cpu {r.cpu:6.2f} s  "
                    f"rss {r.maxrss_mb:5.0f} MiB",
                    file=sys.stderr,
                )
            if ours:
                t.tree_rss_mb = run_once(t.argv, env, ROOT, sample=True).tree_rss_mb
            else:
                t.tree_rss_mb = t.runs[-1].tree_rss_mb
            if t.report.exists():
                dest = OUT_DIR / f"{t.key}.json"
                dest.write_bytes(t.report.read_bytes())

    speed_md = speed_section(tools, corpus, command, skip_peers)
    print(speed_md)
    sections = [(SPEED_START, SPEED_END, speed_md, "## Speed on the Kubernetes corpus")]

    if not args.no_detections:
        try:
            import k8s_detections
        except ImportError as exc:  # pragma: no cover - depends on the interpreter
            print(f"k8s_corpus: detection comparison skipped ({exc})", file=sys.stderr)
        else:
            det = k8s_detections.compare(
                corpus,
                OUT_DIR / "hardhull.json",
                None if skip_peers else OUT_DIR / "trivy.json",
                None if skip_peers else OUT_DIR / "checkov.json",
                OUT_DIR,
            )
            if det is not None:
                print()
                print(det)
                sections.append(
                    (
                        k8s_detections.DET_START,
                        k8s_detections.DET_END,
                        det,
                        "## Detections on the Kubernetes corpus",
                    )
                )
    if args.out:
        update_doc(args.out, sections)
        print(f"\nupdated {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
