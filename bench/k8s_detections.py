#!/usr/bin/env python3
"""Detections side by side: which resources hardhull, trivy and checkov flag, per hardhull rule.

Usually called by ``k8s_corpus.py`` on the reports of the run it just timed; it can also be run
alone on saved reports::

    .venv/bin/python bench/k8s_detections.py --corpus DIR --hardhull H.json --trivy T.json \
        --checkov C.json [--out docs/benchmarks.md]

Peer check IDs are mapped to hardhull rule codes through the ``trivy=`` / ``checkov=`` fields of
our rules, read from ``hardhull.registry.all_rules()`` (so this runs under the project's
virtualenv python). A resource is the file (relative to the corpus) + kind + namespace (as
written, empty when absent) + name; every tool's finding is placed in its YAML document by line,
from a light, text-only index of the corpus files (so Helm templates that no YAML parser reads
still get their resources).

For each rule code: the resources each tool flags, then the disagreements:

- *peer only*: a peer flags the resource with a check equivalent to this rule, and hardhull
  flags it with none of the rules that check maps to (a possible miss of ours); those in files
  that hardhull skipped or could not parse are counted apart;
- *hardhull only*: hardhull flags it, and no peer that has an equivalent check does (a possible
  false alarm, or coverage the peers lack). Rules no peer has an equivalent for are not counted.

The lists go to ``bench/out/disagreements.{json,md}`` and the peer checks without an
equivalent to ``bench/out/unmapped.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DET_START = "<!-- k8s-detections:start -->"
DET_END = "<!-- k8s-detections:end -->"

Key = tuple[str, str, str, str]  # path, kind, namespace, name
TOOLS = ("trivy", "checkov")

_SEP = re.compile(r"^---(\s|$)")
_KIND = re.compile(r"""^kind:\s*["']?([A-Za-z0-9.-]+)""")
_TOP = re.compile(r"^[^\s#]")
_META_FIELD = re.compile(r"""^(\s+)(name|namespace):\s*["']?([^"'#\s]*)""")


@dataclass(frozen=True)
class Doc:
    start: int  # first line (1-based), the `---` line included
    end: int  # last line
    kind: str
    namespace: str
    name: str


def index_text(text: str) -> list[Doc]:
    """Split a YAML stream into documents by `---` lines; read kind and metadata by text."""
    docs: list[Doc] = []
    lines = text.splitlines()
    start = 1
    kind = ns = name = ""
    in_meta = False
    meta_indent = -1

    def close(end: int) -> None:
        docs.append(Doc(start, end, kind, ns, name))

    for i, line in enumerate(lines, 1):
        if _SEP.match(line) and i > 1:
            close(i - 1)
            start, kind, ns, name, in_meta, meta_indent = i, "", "", "", False, -1
            continue
        if _TOP.match(line):
            in_meta = line.startswith("metadata:")
            meta_indent = -1
            m = _KIND.match(line)
            if m:
                kind = m.group(1)
            continue
        if in_meta:
            m = _META_FIELD.match(line)
            if m:
                indent = len(m.group(1))
                if meta_indent < 0:
                    meta_indent = indent
                if indent == meta_indent:
                    if m.group(2) == "name" and not name:
                        name = m.group(3)
                    elif m.group(2) == "namespace" and not ns:
                        ns = m.group(3)
            elif line.strip() and not line.lstrip().startswith("#"):
                indent = len(line) - len(line.lstrip())
                if meta_indent < 0:
                    meta_indent = indent
    close(max(len(lines), start))
    return docs


class Corpus:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[str, list[Doc]] = {}

    def rel(self, path: str) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                return p.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return p.as_posix()
        return p.as_posix().lstrip("/")

    def docs(self, rel: str) -> list[Doc]:
        if rel not in self._docs:
            try:
                text = (self.root / rel).read_text(errors="replace")
            except OSError:
                text = ""
            self._docs[rel] = index_text(text)
        return self._docs[rel]

    def key_at(self, rel: str, line: int) -> Key | None:
        for d in self.docs(rel):
            if d.start <= line <= d.end:
                return (rel, d.kind, d.namespace, d.name) if d.kind else None
        return None

    def key_by_name(self, rel: str, kind: str, name: str) -> Key | None:
        named = [d for d in self.docs(rel) if d.kind]
        hits = [d for d in named if d.name == name and (not kind or d.kind.lower() == kind.lower())]
        if len(hits) == 1 or (hits and not kind):
            d = hits[0]
            return (rel, d.kind, d.namespace, d.name)
        if len(named) == 1:
            d = named[0]
            return (rel, d.kind, d.namespace, d.name)
        return None


@dataclass
class Hit:
    check: str  # tool's check id / our code
    message: str


Flags = dict[str, dict[Key, list[Hit]]]  # check id -> resource -> hits


def load_hardhull(path: Path, corpus: Corpus) -> tuple[Flags, set[str]]:
    data = json.loads(path.read_text())
    flags: Flags = defaultdict(lambda: defaultdict(list))
    for f in data["findings"]:
        rel = corpus.rel(f["location"]["path"])
        res = f["resource"]
        key = (
            corpus.key_by_name(rel, res["kind"], res["name"])
            or corpus.key_at(rel, f["location"]["line"])
            or (rel, res["kind"], res["namespace"] or "", res["name"])
        )
        flags[f["code"]][key].append(Hit(f["code"], f["message"]))
    unread = {corpus.rel(s["path"]) for s in data.get("skipped", [])}
    unread |= {corpus.rel(e["path"]) for e in data.get("errors", [])}
    return flags, unread


_TRIVY_NAMED = re.compile(r"(?:^|\bof |^)([A-Za-z]+) '([^']+)'")
_TRIVY_LOWER = re.compile(r"^(\w+) (\S+) in \S+ namespace")


def load_trivy(path: Path, corpus: Corpus) -> tuple[Flags, dict[str, str]]:
    data = json.loads(path.read_text())
    flags: Flags = defaultdict(lambda: defaultdict(list))
    titles: dict[str, str] = {}
    for result in data.get("Results") or []:
        rel = corpus.rel(result["Target"])
        for m in result.get("Misconfigurations") or []:
            if m.get("Status") != "FAIL":
                continue
            cid = m.get("ID") or m.get("AVDID", "?")
            titles[cid] = m.get("Title", "")
            msg = m.get("Message", "")
            line = (m.get("CauseMetadata") or {}).get("StartLine") or 0
            key = corpus.key_at(rel, line) if line else None
            if key is None:
                found = _TRIVY_NAMED.search(msg) or _TRIVY_LOWER.search(msg)
                if found:
                    key = corpus.key_by_name(rel, found.group(1), found.group(2))
                else:
                    key = corpus.key_by_name(rel, "", "")
            if key is None:
                key = (rel, "?", "", msg[:60])
            flags[cid][key].append(Hit(cid, msg))
    return flags, titles


def load_checkov(path: Path, corpus: Corpus) -> tuple[Flags, dict[str, str]]:
    data = json.loads(path.read_text())
    reports = data if isinstance(data, list) else [data]
    flags: Flags = defaultdict(lambda: defaultdict(list))
    titles: dict[str, str] = {}
    for rep in reports:
        for f in (rep.get("results") or {}).get("failed_checks", []):
            cid = f["check_id"]
            titles[cid] = f.get("check_name", "")
            rel = corpus.rel(f.get("file_abs_path") or f["file_path"])
            kind, _, rest = f.get("resource", "").partition(".")
            _, _, name = rest.partition(".")
            key = corpus.key_by_name(rel, kind, name)
            if key is None:
                line = (f.get("file_line_range") or [0])[0]
                key = corpus.key_at(rel, line) or (rel, kind, "", name)
            flags[cid][key].append(Hit(cid, f.get("check_name", "")))
    return flags, titles


def fmt_key(k: Key) -> str:
    ns = f"{k[2]}/" if k[2] else ""
    return f"{k[0]} :: {k[1]}/{ns}{k[3]}"


def _cell(n: int | None) -> str:
    return "–" if n is None else str(n)


def compare(
    corpus_dir: Path,
    hardhull_json: Path,
    trivy_json: Path | None,
    checkov_json: Path | None,
    out_dir: Path,
) -> str | None:
    """Compare the reports; write the lists to ``out_dir``; return the Markdown section."""
    try:
        from hardhull.rules import all_rules
    except ImportError as exc:
        print(f"k8s_detections: needs the project's venv python ({exc}); skipped", file=sys.stderr)
        return None
    if trivy_json is None or checkov_json is None:
        print("k8s_detections: no peer reports; skipped", file=sys.stderr)
        return None
    for p in (hardhull_json, trivy_json, checkov_json):
        if not p.exists():
            print(f"k8s_detections: missing report {p}; skipped", file=sys.stderr)
            return None
    from hardhull.registry import Target, checks_for

    every_rule = all_rules()
    corpus = Corpus(corpus_dir.resolve())
    ours, unread = load_hardhull(hardhull_json, corpus)
    # rules that `hardhull scan` runs; others in the registry (e.g. the per-control rules of
    # `hardhull pss`) are left out, as are their peer equivalents
    scanned = {c.code for t in (Target.WORKLOAD, Target.OBJECT) for c in checks_for(t)}
    scanned |= set(ours)
    rules = {c: r for c, r in every_rule.items() if c in scanned}
    not_scanned = sorted(set(every_rule) - scanned)
    peer_flags: dict[str, Flags] = {}
    titles: dict[str, dict[str, str]] = {}
    peer_flags["trivy"], titles["trivy"] = load_trivy(trivy_json, corpus)
    peer_flags["checkov"], titles["checkov"] = load_checkov(checkov_json, corpus)

    # peer check id -> our codes, from the rules' metadata
    codes_of: dict[str, dict[str, list[str]]] = {t: defaultdict(list) for t in TOOLS}
    for code, rule in rules.items():
        for cid in rule.trivy:
            codes_of["trivy"][cid].append(code)
        for cid in rule.checkov:
            codes_of["checkov"][cid].append(code)

    def ours_any(key: Key, codes: list[str]) -> bool:
        return any(key in ours.get(c, {}) for c in codes)

    rows: list[str] = []
    records: list[dict[str, Any]] = []
    totals = defaultdict(int)
    for code, rule in sorted(rules.items()):
        h_set = set(ours.get(code, {}))
        per_tool: dict[str, set[Key] | None] = {}
        misses: dict[Key, list[tuple[str, Hit]]] = defaultdict(list)
        for tool in TOOLS:
            eq = getattr(rule, tool)
            if not eq:
                per_tool[tool] = None
                continue
            flagged: set[Key] = set()
            for cid in eq:
                flagged.update(peer_flags[tool].get(cid, {}))
            per_tool[tool] = flagged
            for key in flagged:
                agreed = any(
                    key in peer_flags[tool].get(cid, {}) and ours_any(key, codes_of[tool][cid])
                    for cid in eq
                )
                if not agreed:
                    for cid in eq:
                        for hit in peer_flags[tool].get(cid, {}).get(key, []):
                            misses[key].append((tool, hit))
        compared = [s for s in per_tool.values() if s is not None]
        extra = {k for k in h_set if not any(k in s for s in compared)} if compared else set()
        miss_unread = {k for k in misses if k[0] in unread}
        miss_read = set(misses) - miss_unread
        for label, keys in (("peer-only", miss_read), ("peer-only-unread", miss_unread)):
            for k in sorted(keys):
                records.append(
                    {
                        "code": code,
                        "slug": rule.slug,
                        "type": label,
                        "resource": fmt_key(k),
                        "peers": sorted({f"{t} {h.check}: {h.message}" for t, h in misses[k]}),
                        "hardhull": sorted(
                            {f"{c} {h.message}" for c, res in ours.items() for h in res.get(k, [])}
                        ),
                    }
                )
        for k in sorted(extra):
            records.append(
                {
                    "code": code,
                    "slug": rule.slug,
                    "type": "hardhull-only",
                    "resource": fmt_key(k),
                    "peers": sorted(
                        {
                            f"{t} {cid}"
                            for t in TOOLS
                            for cid, res in peer_flags[t].items()
                            if k in res
                        }
                    ),
                    "hardhull": sorted({h.message for h in ours[code][k]}),
                }
            )
        t_set, c_set = per_tool["trivy"], per_tool["checkov"]
        eq_text = ", ".join([*rule.trivy, *rule.checkov]) or "none"
        rows.append(
            f"| {code} | {rule.slug} | {eq_text} | {len(h_set)} | "
            f"{_cell(None if t_set is None else len(t_set))} | "
            f"{_cell(None if c_set is None else len(c_set))} | "
            f"{len(miss_read) if compared else '–'} | {len(miss_unread) if compared else '–'} | "
            f"{len(extra) if compared else '–'} |"
        )
        totals["ours"] += len(h_set)
        totals["miss"] += len(miss_read)
        totals["unread"] += len(miss_unread)
        totals["extra"] += len(extra)

    # peer checks with no hardhull equivalent
    unmapped_rows: list[str] = []
    unmapped_md: list[str] = ["# Peer checks with no hardhull equivalent\n"]
    for tool in TOOLS:
        for cid in sorted(peer_flags[tool], key=_id_order):
            if cid in codes_of[tool]:
                continue
            res = peer_flags[tool][cid]
            unmapped_rows.append(f"| {tool} | {cid} | {titles[tool].get(cid, '')} | {len(res)} |")
            unmapped_md.append(f"## {tool} {cid}: {titles[tool].get(cid, '')} ({len(res)})\n")
            for k in sorted(res):
                unmapped_md.append(f"- {fmt_key(k)}: {res[k][0].message}")
            unmapped_md.append("")

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "disagreements.json").write_text(json.dumps(records, indent=1) + "\n")
    md = ["# Disagreements per rule\n"]
    last = ""
    for r in records:
        head = f"{r['code']} {r['slug']} — {r['type']}"
        if head != last:
            md.append(f"\n## {head}\n")
            last = head
        md.append(f"- {r['resource']}")
        if r["type"] == "hardhull-only":
            md.append(f"  - peer checks failing on it: {', '.join(r['peers']) or 'none'}")
        for p in r["peers"] if r["type"] != "hardhull-only" else []:
            md.append(f"  - peer: {p}")
        for h in r["hardhull"]:
            md.append(f"  - hardhull: {h}")
    (out_dir / "disagreements.md").write_text("\n".join(md) + "\n")
    (out_dir / "unmapped.md").write_text("\n".join(unmapped_md) + "\n")

    n_objects = len({k for res in ours.values() for k in res})
    lines = [
        "Resources (file + kind + namespace + name) flagged per hardhull rule, from the reports "
        "of the speed run above. Peer columns count the resources a peer flags with any of the "
        "equivalent checks listed (– : the peer has none). *Peer only*: a peer flags it and "
        "hardhull flags it with none of the rules that peer check maps to; *in files hardhull "
        "skips*: the same, in Helm templates or files that are not valid YAML, which hardhull "
        "reports as skipped or as input errors instead of guessing. *hardhull only*: flagged by "
        "hardhull and by no peer that has an equivalent check. Lists: `bench/out/` (not "
        "committed).",
        "",
        "| rule | slug | peer equivalents | hardhull | trivy | checkov | peer only | "
        "in files hardhull skips | hardhull only |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        f"| **total** | | | {totals['ours']} | | | {totals['miss']} | {totals['unread']} | "
        f"{totals['extra']} |",
        "",
        f"hardhull flagged {n_objects} distinct resources; it skipped or could not read "
        f"{len(unread)} files."
        + (
            f" Registered rules that `hardhull scan` does not run, left out: "
            f"{_ranges(not_scanned)}."
            if not_scanned
            else ""
        ),
        "",
        "Peer checks that fired on the corpus and have no hardhull equivalent (resources flagged):",
        "",
        "| peer | check | title | resources |",
        "|---|---|---|---:|",
        *unmapped_rows,
    ]
    return "\n".join(lines)


def _ranges(codes: list[str]) -> str:
    """``P001, P002, P003`` -> ``P001–P003``."""
    out: list[str] = []
    run: list[str] = []
    for c in [*codes, ""]:
        if run and c[:1] == run[-1][:1] and _id_order(c)[1] == _id_order(run[-1])[1] + 1:
            run.append(c)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [c]
    return ", ".join(out)


def _id_order(cid: str) -> tuple[str, int, str]:
    m = re.search(r"(\d+)$", cid)
    return (re.sub(r"\d+$", "", cid), int(m.group(1)) if m else 0, cid)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--hardhull", type=Path, required=True)
    ap.add_argument("--trivy", type=Path, required=True)
    ap.add_argument("--checkov", type=Path, required=True)
    ap.add_argument("--out", type=Path, help="Markdown file whose detections section to update")
    ap.add_argument("--lists", type=Path, default=Path(__file__).resolve().parent / "out")
    args = ap.parse_args(argv)
    md = compare(args.corpus, args.hardhull, args.trivy, args.checkov, args.lists)
    if md is None:
        return 1
    print(md)
    if args.out:
        from k8s_corpus import update_doc

        update_doc(args.out, [(DET_START, DET_END, md, "## Detections on the Kubernetes corpus")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
