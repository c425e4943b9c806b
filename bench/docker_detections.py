#!/usr/bin/env python3
"""Detections side by side on Dockerfiles: which files hardhull, hadolint, trivy and checkov
flag, per hardhull rule.

Usually called by ``docker_corpus.py`` on the reports of the run it just timed; it can also be
run alone on saved reports::

    .venv/bin/python bench/docker_detections.py --corpus DIR --hardhull H.json \
        --hadolint L.json --trivy T.json --checkov C.json [--out docs/benchmarks.md]

Peer check IDs map to hardhull rule codes through the ``trivy=`` / ``checkov=`` fields of our
rules and the hadolint wiki links in their ``references`` (read from
``hardhull.registry.all_rules()``, so this runs under the project's virtualenv python). The
unit is the file: a Dockerfile is "flagged" for a rule when the tool reports at least one
finding of that rule (or of a peer check equivalent to it) in the file.

For each rule code, per peer that has an equivalent check:

- *peer only*: the peer flags the file with a check equivalent to this rule, and hardhull flags
  it with none of the rules that check maps to (a possible miss of ours);
- *hardhull only*: hardhull flags the file with this rule and the peer flags it with none of
  its checks equivalent to this rule (a possible false alarm, or coverage the peer lacks).

Files hadolint cannot parse (it reports DL1000 and nothing else for them) are counted apart:
hadolint has no opinion on them. Compose files are scanned by hardhull only: neither trivy
(``config``) nor checkov has a Compose scanner, and hadolint reads only Dockerfiles.

The lists go to ``bench/out/docker-disagreements.md`` and the peer checks without an
equivalent to ``bench/out/docker-unmapped.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

DET_START = "<!-- docker-detections:start -->"
DET_END = "<!-- docker-detections:end -->"
PEERS = ("hadolint", "trivy", "checkov")

Flags = dict[str, dict[str, list[str]]]  # check id -> file (relative) -> messages


class Corpus:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def rel(self, path: str) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                return p.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return p.as_posix()
        return p.as_posix().lstrip("/")


def _flags() -> Flags:
    return defaultdict(lambda: defaultdict(list))


def load_hardhull(path: Path, corpus: Corpus) -> tuple[Flags, set[str]]:
    data = json.loads(path.read_text())
    flags = _flags()
    for f in data["findings"]:
        rel = corpus.rel(f["location"]["path"])
        flags[f["code"]][rel].append(f"{f['location']['line']}: {f['message']}")
    unread = {corpus.rel(e["path"]) for e in data.get("errors", [])}
    unread |= {corpus.rel(s["path"]) for s in data.get("skipped", [])}
    return flags, unread


def load_hadolint(path: Path, corpus: Corpus) -> tuple[Flags, set[str], dict[str, str]]:
    data = json.loads(path.read_text() or "[]")
    flags = _flags()
    titles: dict[str, str] = {}
    unparsed: set[str] = set()
    for f in data:
        rel = corpus.rel(f["file"])
        code = f["code"]
        if code == "DL1000":
            unparsed.add(rel)
        titles.setdefault(code, f.get("message", "").split("\n")[0][:90])
        flags[code][rel].append(f"{f.get('line', 0)}: {f.get('message', '')}")
    return flags, unparsed, titles


def load_trivy(path: Path, corpus: Corpus) -> tuple[Flags, dict[str, str]]:
    data = json.loads(path.read_text())
    flags = _flags()
    titles: dict[str, str] = {}
    for result in data.get("Results") or []:
        rel = corpus.rel(result["Target"])
        for m in result.get("Misconfigurations") or []:
            if m.get("Status") != "FAIL":
                continue
            cid = m.get("ID") or m.get("AVDID", "?")
            titles[cid] = m.get("Title", "")
            line = (m.get("CauseMetadata") or {}).get("StartLine") or 0
            flags[cid][rel].append(f"{line}: {m.get('Message', '')}")
    return flags, titles


def load_checkov(path: Path, corpus: Corpus) -> tuple[Flags, dict[str, str]]:
    data: Any = json.loads(path.read_text())
    reports = data if isinstance(data, list) else [data]
    flags = _flags()
    titles: dict[str, str] = {}
    for rep in reports:
        if rep.get("check_type") not in (None, "dockerfile"):
            continue
        for f in rep.get("results", {}).get("failed_checks", []):
            rel = corpus.rel(f.get("file_abs_path") or f["file_path"])
            cid = f["check_id"]
            titles[cid] = f.get("check_name", "")
            line = (f.get("file_line_range") or [0])[0]
            flags[cid][rel].append(f"{line}: {f.get('check_name', '')}")
    return flags, titles


# --------------------------------------------------------------------------- mapping


_HADOLINT_REF = re.compile(r"hadolint/wiki/((?:DL|SC)\d+)$")


def rule_map() -> tuple[dict[str, dict[str, list[str]]], dict[str, str], dict[str, str]]:
    """(code -> peer -> equivalent check ids, code -> slug, code -> severity) of every
    Dockerfile and compose rule."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from hardhull.registry import RULES
    from hardhull.rules import all_rules

    all_rules()
    equiv: dict[str, dict[str, list[str]]] = {}
    slugs: dict[str, str] = {}
    sevs: dict[str, str] = {}
    for code, rule in sorted(RULES.items()):
        if code[0] not in "DC":
            continue
        slugs[code] = rule.slug
        sevs[code] = rule.severity.value if hasattr(rule.severity, "value") else str(rule.severity)
        hadolint = [m.group(1) for r in rule.references if (m := _HADOLINT_REF.search(r))]
        equiv[code] = {
            "hadolint": hadolint,
            "trivy": list(rule.trivy),
            "checkov": list(rule.checkov),
        }
    return equiv, slugs, sevs


# --------------------------------------------------------------------------- comparison


def _cell(n: int | None) -> str:
    return "–" if n is None else str(n)


def compare(
    corpus: Corpus,
    hh: Flags,
    unread: set[str],
    peers: dict[str, Flags],
    hadolint_unparsed: set[str],
    titles: dict[str, dict[str, str]],
    lists_dir: Path,
) -> str:
    equiv, slugs, _ = rule_map()
    # peer check id -> our codes it is equivalent to
    back: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in PEERS}
    for code, by_peer in equiv.items():
        for peer, ids in by_peer.items():
            for cid in ids:
                back[peer][cid].add(code)

    head = (
        "| rule | slug | hadolint | trivy | checkov | files: hardhull | hadolint | trivy "
        "| checkov | peer only: hadolint | trivy | checkov | hardhull only: vs hadolint "
        "| vs trivy | vs checkov |"
    )
    rows = [head, "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    detail: list[str] = ["# Dockerfile disagreements (per rule, per peer)", ""]
    totals = defaultdict(int)
    for code in sorted(c for c in equiv if c.startswith("D")):
        ours = set(hh.get(code, {}))
        cells_files: list[str] = []
        cells_peer_only: list[str] = []
        cells_hh_only: list[str] = []
        for peer in PEERS:
            ids = equiv[code][peer]
            if not ids:
                cells_files.append("–")
                cells_peer_only.append("–")
                cells_hh_only.append("–")
                continue
            flags = peers.get(peer)
            if flags is None:
                cells_files += ["n/a"]
                cells_peer_only += ["n/a"]
                cells_hh_only += ["n/a"]
                continue
            theirs: set[str] = set()
            for cid in ids:
                theirs |= set(flags.get(cid, {}))
            cells_files.append(str(len(theirs)))
            peer_only = []
            for rel in sorted(theirs):
                # ours for any rule this peer's checks map to
                codes = set().union(*(back[peer][cid] for cid in ids if rel in flags.get(cid, {})))
                if not any(rel in hh.get(c, {}) for c in codes):
                    peer_only.append(rel)
            blind = hadolint_unparsed if peer == "hadolint" else set()
            hh_only = sorted(r for r in ours - theirs if r not in blind)
            hh_only_blind = sorted(r for r in ours - theirs if r in blind)
            cells_peer_only.append(str(len(peer_only)))
            cell = str(len(hh_only))
            if hh_only_blind:
                cell += f" (+{len(hh_only_blind)} unparsed)"
            cells_hh_only.append(cell)
            totals[f"peer_only_{peer}"] += len(peer_only)
            totals[f"hh_only_{peer}"] += len(hh_only)
            if peer_only or hh_only:
                detail.append(f"## {code} {slugs[code]} vs {peer} ({', '.join(ids)})")
                detail.append("")
                for rel in peer_only:
                    msgs = []
                    for cid in ids:
                        msgs += [f"{cid} {m}" for m in flags.get(cid, {}).get(rel, [])[:3]]
                    detail.append(f"- peer only: `{rel}` — " + " / ".join(msgs)[:400])
                for rel in hh_only:
                    msgs = hh[code][rel][:3]
                    detail.append(f"- hardhull only: `{rel}` — " + " / ".join(msgs)[:400])
                detail.append("")
        rows.append(
            f"| {code} | {slugs[code]} | "
            + " | ".join(", ".join(equiv[code][p]) or "–" for p in PEERS)
            + f" | {len(ours)} | "
            + " | ".join(cells_files)
            + " | "
            + " | ".join(cells_peer_only)
            + " | "
            + " | ".join(cells_hh_only)
            + " |"
        )
    rows.append(
        "| **total** | | | | | | | | | "
        + " | ".join(str(totals[f"peer_only_{p}"]) for p in PEERS)
        + " | "
        + " | ".join(str(totals[f"hh_only_{p}"]) for p in PEERS)
        + " |"
    )

    # peer checks with no hardhull equivalent
    unmapped = ["| peer | check | title | files |", "|---|---|---|---:|"]
    for peer in PEERS:
        flags = peers.get(peer)
        if flags is None:
            continue
        for cid in sorted(flags, key=_id_order):
            if cid in back[peer] or cid == "DL1000":
                continue
            title = titles.get(peer, {}).get(cid, "").replace("|", "\\|")
            unmapped.append(f"| {peer} | {cid} | {title} | {len(flags[cid])} |")

    compose_files = sorted(
        {rel for code, files in hh.items() if code.startswith("C") for rel in files}
    )
    docker_files = {rel for code, files in hh.items() if code.startswith("D") for rel in files}
    lists_dir.mkdir(parents=True, exist_ok=True)
    (lists_dir / "docker-disagreements.md").write_text("\n".join(detail) + "\n")
    (lists_dir / "docker-unmapped.md").write_text("\n".join(unmapped) + "\n")
    compose_counts = sorted(
        ((code, len(files)) for code, files in hh.items() if code.startswith("C")),
        key=lambda t: t[0],
    )
    lines = [
        "Files flagged per hardhull rule and per peer (a file counts once per rule). "
        "Columns: the peer checks each rule lists as equivalent; the files each tool flags "
        "with them; *peer only* = the peer flags the file and hardhull does not (with any rule "
        "that peer check maps to); *hardhull only* = hardhull flags it and that peer does not "
        "(the peer may simply have no opinion: see the review below). `–`: the peer has no "
        "equivalent check.",
        "",
        *rows,
        "",
        f"hardhull flagged {len(docker_files)} Dockerfiles and {len(compose_files)} compose files; "
        f"it could not read {len(unread)} files. hadolint could not parse "
        f"{len(hadolint_unparsed)} Dockerfiles (DL1000; it reports nothing else for them, and "
        "they are left out of its *hardhull only* counts, shown as `+N unparsed`).",
        "",
        "Compose (hardhull only: no peer scans compose files): "
        + ", ".join(f"{c} {n}" for c, n in compose_counts)
        + " files.",
        "",
        "Peer checks that fired on the corpus and have no hardhull equivalent (files flagged; "
        "each is decided in the next section):",
        "",
        *unmapped,
    ]
    return "\n".join(lines)


def _id_order(cid: str) -> tuple[str, int, str]:
    m = re.match(r"([A-Z_]+?)(\d+)$", cid)
    if m:
        return (m.group(1), int(m.group(2)), cid)
    return (cid, 0, cid)


def replace_section(text: str, body: str) -> str:
    block = f"{DET_START}\n{body.rstrip()}\n{DET_END}"
    pattern = re.compile(re.escape(DET_START) + r".*?" + re.escape(DET_END), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _m: block, text, count=1)
    return text.rstrip() + f"\n\n## Docker: detections side by side\n\n{block}\n"


def detections(
    corpus_dir: Path,
    hardhull: Path,
    hadolint: Path | None,
    trivy: Path | None,
    checkov: Path | None,
    lists_dir: Path,
) -> str:
    corpus = Corpus(corpus_dir)
    hh, unread = load_hardhull(hardhull, corpus)
    peers: dict[str, Flags] = {}
    titles: dict[str, dict[str, str]] = {}
    unparsed: set[str] = set()
    if hadolint is not None and hadolint.exists():
        peers["hadolint"], unparsed, titles["hadolint"] = load_hadolint(hadolint, corpus)
    if trivy is not None and trivy.exists():
        peers["trivy"], titles["trivy"] = load_trivy(trivy, corpus)
    if checkov is not None and checkov.exists():
        peers["checkov"], titles["checkov"] = load_checkov(checkov, corpus)
    return compare(corpus, hh, unread, peers, unparsed, titles, lists_dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--hardhull", type=Path, required=True)
    ap.add_argument("--hadolint", type=Path)
    ap.add_argument("--trivy", type=Path)
    ap.add_argument("--checkov", type=Path)
    ap.add_argument("--out", type=Path, help="Markdown file whose detections section to update")
    ap.add_argument("--lists", type=Path, default=Path(__file__).resolve().parent / "out")
    args = ap.parse_args(argv)
    body = detections(
        args.corpus, args.hardhull, args.hadolint, args.trivy, args.checkov, args.lists
    )
    if args.out:
        text = args.out.read_text() if args.out.exists() else "# Benchmarks\n"
        args.out.write_text(replace_section(text, body))
    else:
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
