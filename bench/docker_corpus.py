#!/usr/bin/env python3
"""Speed and detections side by side on Dockerfiles and compose files: hardhull, hadolint,
trivy and checkov on the same corpus, in the same run.

Run from the repository root::

    .venv/bin/python bench/docker_corpus.py [--corpus DIR] [--peers DIR] [--out docs/benchmarks.md]
                                            [--skip-peers] [--runs N] [--peer-runs N]

Tools and what they are given:

- hardhull: ``hardhull scan DIR`` (directory walking picks up Dockerfiles and compose files),
  with its default jobs and with ``-j 1``;
- hadolint: one process over every Dockerfile of the corpus (``Dockerfile*``, ``*.dockerfile``,
  ``Containerfile``), JSON on standard output (hadolint has no report-file option);
- trivy: ``trivy config --skip-check-update`` on the directory (offline; it scans the
  Dockerfiles, it has no compose scanner);
- checkov: ``checkov -d DIR --framework dockerfile`` (checkov has no compose framework).

The measurement is that of ``k8s_corpus.py`` (whose helpers this script reuses): per run, wall
time, user+sys CPU of the child process tree and the peak RSS of its largest process, both from
``os.wait4``; one extra sampled run per tool records the peak RSS of the whole process tree.
hardhull runs ``--runs`` times (median reported, after one untimed warm-up), the peers
``--peer-runs`` times. The load average is recorded before and after: the machine may be
shared. ``PYTHONDONTWRITEBYTECODE`` is removed from the tools' environment, so hardhull's
untimed warm-up run leaves up-to-date ``.pyc`` files, as an installed package has. The speed
part needs only the standard library; the detection comparison (``docker_detections``)
imports ``hardhull.rules`` and runs under the project's virtualenv.

With ``--out``, the marked sections of the Markdown file are replaced in place
(``<!-- docker-speed:start -->`` … ``<!-- docker-speed:end -->`` and
``<!-- docker-detections:start -->`` … ``<!-- docker-detections:end -->``); everything else in the
file is kept. Raw reports and disagreement lists go to ``bench/out/`` (gitignored).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# k8s_corpus is a sibling script, not a package
from k8s_corpus import (
    Tool,
    _fmt_ratio,
    bench_arguments,
    cpu_model,
    hardhull_argv,
    peer_env,
    run_once,
    update_doc,
    version_of,
)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "docker"
DEFAULT_PEERS = Path("/tmp/peers")
OUT_DIR = BENCH / "out"

SPEED_START = "<!-- docker-speed:start -->"
SPEED_END = "<!-- docker-speed:end -->"
LOAD_BEFORE: tuple[float, float, float] = os.getloadavg()

_DOCKERFILE = re.compile(r"^(Dockerfile.*|.*\.dockerfile|Containerfile.*)$", re.I)
_COMPOSE = re.compile(r"^((docker-)?compose.*\.ya?ml)$", re.I)


def corpus_files(corpus: Path) -> tuple[list[Path], list[Path]]:
    """(Dockerfiles, compose files) of the corpus, sorted."""
    dockerfiles: list[Path] = []
    compose: list[Path] = []
    for dirpath, _, names in os.walk(corpus):
        for n in names:
            if _DOCKERFILE.match(n) and not n.endswith(".dockerignore"):
                dockerfiles.append(Path(dirpath) / n)
            elif _COMPOSE.match(n):
                compose.append(Path(dirpath) / n)
    return sorted(dockerfiles), sorted(compose)


def make_tools(
    corpus: Path, dockerfiles: list[Path], peers: Path, work: Path, skip_peers: bool
) -> list[Tool]:
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
    tools.append(
        Tool(
            "hadolint",
            "hadolint (one process, all Dockerfiles)",
            [str(peers / "bin" / "hadolint"), "--no-fail", "-f", "json", *map(str, dockerfiles)],
            work / "hadolint.json",
            ok_rcs=(0, 1),
        )
    )
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
            "checkov `--framework dockerfile`",
            [
                *(str(peers / "bin" / "checkov"), "-d", str(corpus), "--framework", "dockerfile"),
                *("-o", "json", "--quiet", "--compact", "--skip-download"),
                *("--output-file-path", str(work / "checkov")),
            ],
            work / "checkov" / "results_json.json",
            ok_rcs=(0, 1),
        )
    )
    return tools


def speed_table(tools: list[Tool]) -> str:
    base = tools[0]
    bw, bc, br = base.median("wall"), base.median("cpu"), base.median("maxrss_mb")
    lines = [
        "| tool | runs | wall s (median) | wall s (min) | user+sys CPU s (median) "
        "| peak RSS MiB (largest process) | peak RSS MiB (whole tree) "
        "| wall / hardhull | CPU / hardhull | RSS / hardhull |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in tools:
        w, c, r = t.median("wall"), t.median("cpu"), t.median("maxrss_mb")
        rel = (
            ("1.0×", "1.0×", "1.0×")
            if t is base
            else (_fmt_ratio(w, bw), _fmt_ratio(c, bc), _fmt_ratio(r, br))
        )
        lines.append(
            f"| {t.label} | {len(t.runs)} | {w:.2f} | {min(x.wall for x in t.runs):.2f} | "
            f"{c:.2f} | {r:.0f} | {t.tree_rss_mb:.0f} | " + " | ".join(rel) + " |"
        )
    return "\n".join(lines)


def speed_section(
    tools: list[Tool],
    corpus: Path,
    dockerfiles: list[Path],
    compose: list[Path],
    command: str,
    load_after: tuple[float, float, float],
    skipped_peers: bool,
) -> str:
    size = sum(p.stat().st_size for p in [*dockerfiles, *compose])
    try:
        corpus_label = f"../{corpus.relative_to(ROOT.parent)}"
    except ValueError:
        corpus_label = str(corpus)
    lines = [
        f"Measured {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} on "
        f"{os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, "
        f"Python {platform.python_version()}; load average "
        f"{'/'.join(f'{x:.1f}' for x in LOAD_BEFORE)} before the runs and "
        f"{'/'.join(f'{x:.1f}' for x in load_after)} after (1/5/15 min; the machine is shared "
        "with other work, so the minimum wall time is shown too).",
        "",
        f"Corpus: `{corpus_label}`, {len(dockerfiles)} Dockerfiles and {len(compose)} compose "
        f"files, {size / 1024:.0f} KiB. hardhull scans both kinds; hadolint, trivy and checkov "
        "only the Dockerfiles (none of them reads compose files).",
        "",
        f"Command: `{command}`",
        "",
        speed_table(tools),
        "",
        "Tool versions and exact invocations (reports written to a temporary directory; "
        "hadolint's file list abbreviated):",
        "",
    ]
    for t in tools:
        argv = t.argv if t.key != "hadolint" else [*t.argv[:4], "<the Dockerfiles>"]
        shown = re.sub(
            r"/tmp/hardhull-bench-[^/\s]+", "$WORK", " ".join(shlex.quote(a) for a in argv)
        )
        lines.append(f"- {t.label}: {t.version} — `{shown}`")
    lines += [
        "",
        "Wall time is the median over the runs; CPU is user+sys of the child and every process "
        'it waited for (`os.wait4`); "largest process" is `ru_maxrss` from the same call; '
        '"whole tree" is a separate run sampled every 10 ms through `/proc`, summing the RSS '
        "of all live processes of the tree (it counts pages shared by forked workers more than "
        "once). Every tool runs once untimed first; hardhull runs with byte-code caching on "
        "(`PYTHONDONTWRITEBYTECODE` unset), so, as for an installed package, no module is "
        "recompiled in the timed runs.",
    ]
    if skipped_peers:
        lines += ["", "Peers were not run (`--skip-peers`)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parsed = bench_arguments("docker_corpus", __doc__, DEFAULT_CORPUS, "hadolint", 9, 3, argv)
    if parsed is None:
        return 2
    args, corpus, skip_peers, command = parsed
    dockerfiles, compose = corpus_files(corpus)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = peer_env(args.peers)
    # byte-code caching on, as for an installed package: with PYTHONDONTWRITEBYTECODE set (as
    # in some shells and CI images) every run would recompile each module edited since the
    # last write of its .pyc; the untimed warm-up run writes them
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="hardhull-bench-") as tmp:
        work = Path(tmp)
        tools = make_tools(corpus, dockerfiles, args.peers, work, skip_peers)
        for t in tools:
            if t.key.startswith("hardhull"):
                t.version = version_of([*t.argv[: t.argv.index("scan")], "--version"], env)
            else:
                t.version = version_of([t.argv[0], "--version"], env)
        for t in tools:
            ours = t.key.startswith("hardhull")
            n = args.runs if ours else args.peer_runs
            stdout = t.report if t.key == "hadolint" else None
            run_once(t.argv, env, ROOT, stdout=stdout)  # untimed warm-up (page cache, .pyc)
            for i in range(n):
                r = run_once(t.argv, env, ROOT, stdout=stdout)
                if r.rc not in t.ok_rcs:
                    print(f"docker_corpus: {t.label} exited {r.rc}", file=sys.stderr)
                t.runs.append(r)
                print(
                    f"{t.label:40} run {i + 1}/{n}: wall {r.wall:6.2f} s  cpu {r.cpu:6.2f} s  "
                    f"rss {r.maxrss_mb:5.0f} MiB",
                    file=sys.stderr,
                )
            t.tree_rss_mb = run_once(t.argv, env, ROOT, sample=True, stdout=stdout).tree_rss_mb
            if t.report.exists():
                (OUT_DIR / f"docker-{t.key}.json").write_bytes(t.report.read_bytes())
    load_after = os.getloadavg()

    speed_md = speed_section(tools, corpus, dockerfiles, compose, command, load_after, skip_peers)
    print(speed_md)
    sections = [(SPEED_START, SPEED_END, speed_md, "## Docker: speed side by side")]

    if not args.no_detections:
        try:
            import docker_detections
        except ImportError as exc:  # pragma: no cover - depends on the interpreter
            print(f"docker_corpus: detection comparison skipped ({exc})", file=sys.stderr)
        else:
            peers_out = {
                k: (None if skip_peers else OUT_DIR / f"docker-{k}.json")
                for k in ("hadolint", "trivy", "checkov")
            }
            det = docker_detections.detections(
                corpus,
                OUT_DIR / "docker-hardhull.json",
                peers_out["hadolint"],
                peers_out["trivy"],
                peers_out["checkov"],
                OUT_DIR,
            )
            print()
            print(det)
            sections.append(
                (
                    docker_detections.DET_START,
                    docker_detections.DET_END,
                    det,
                    "## Docker: detections side by side",
                )
            )
    if args.out:
        update_doc(args.out, sections)
        print(f"\nupdated {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
