"""Derive the peers' IDs of hardhull's rules from the peers' real outputs (issue #9).

Each hardhull rule names the IDs of trivy, checkov and hadolint that report the same thing
(``trivy=``, ``checkov=``, ``hadolint=`` in its metadata). This tool measures them: it runs
hardhull and the three peers over the same inputs and pairs what fires on the same object.

Inputs (each alone: hardhull scans it alone, checkov runs on it alone, so the checks over a
whole set see one input at a time):

- every Kubernetes text and Dockerfile the rule tests hand to hardhull (the positive and
  negative cases of ``tests/rules``, ``tests/regression/peer_cases``, ``tests/regression/traps``:
  pytest runs them with this module as a plugin that records each text; ``--tests``);
- ``examples/``;
- ``../shared/corpus`` (Kubernetes YAML, Dockerfiles with their ``.dockerignore``);
- ``../shared/conformance``: the gatekeeper-library samples, the kyverno-policies test
  resources and the Pod Security Admission fixtures.

Identical texts are one input. Inputs hardhull cannot read (Helm templates, broken YAML) are
left out: there, a peer firing alone says nothing about equivalence.

Pairing. An *object* is a Kubernetes object (kind/namespace/name: its document, found by line)
or, in a Dockerfile, one instruction (the lines it spans) or the whole file (a finding of no
line, or of a whole stage: "no USER", "no HEALTHCHECK"). A peer ID and a hardhull code
*co-fire* when both fire on the same object. hardhull's codes include the per-control P codes
of ``hardhull pss`` (restricted, latest).

Threshold. A peer ID maps to a hardhull code when they co-fire on **at least 2 distinct
inputs** and on **at least half of each one's firings** (objects):
``co >= 2 inputs and co >= fires(peer ID) / 2 and co >= fires(code) / 2``, counted over the
*focused* objects of all inputs: those where at most ``MAX_FIRING`` (10) hardhull codes and at
most 10 peer IDs (the three peers together) fire. An unhardened pod fails a dozen checks of
each tool at once; on the corpus such pods are the majority, and counting them pairs every
common check with every other (allowPrivilegeEscalation with CPU limits): they say nothing
about which check is which, the rule tests' cases (one change from a hardened pod) do.
A *narrower* peer ID (trivy's "NET_RAW added" beside our "dangerous capability added", its
"manage all resources of a namespace" beside our "RBAC wildcard") also maps to a code when
the code fires on at least ``CONTAIN`` (80 %) of the ID's objects, co-fires with it on at
least ``MIN_TESTS`` (2) of the rule tests' single-change cases, and is no blanket code (fires
on at most ``MAX_RATE``, 3 %, of all focused objects: "no default-deny NetworkPolicy" fires
on most pods, and so contains every narrow pod check).
Among the codes that pass, a peer ID keeps those whose agreement with it (Jaccard index
``co / (fires(ID) + fires(code) - co)``) is at least ``BEST_SHARE`` (0.9) of its best code's:
a Dockerfile with neither USER nor HEALTHCHECK is the common case, and "no USER" must not map
to the HEALTHCHECK checks. The P codes of ``hardhull pss`` restate the K rules control by
control, so they are compared among themselves.

Images: the image rules (I…) are measured apart, on the image cases of
``tools/peer_ids_images.py`` (trivy ``image`` against ``hardhull image``, one object per
image), and merged into the mapping (``images`` in the data file; docs/peers.md).

Output: ``tests/data/peer_ids.json`` (``--out``): the peers' versions, this command, the
threshold, the mapping (code → peer → IDs), each pair's counts, the peer IDs that map to
nothing, and the observations on ``examples/`` (the subset the slow test runs again).
``tests/rules/test_peer_ids.py`` checks every rule's ``trivy``/``checkov``/``hadolint`` equal
the mapping. Peers' raw JSON outputs are cached under ``--work``; ``--fresh`` runs them again.

    bash ../shared/tools/install-peers.sh /tmp/peers
    .venv/bin/python tools/peer_ids.py --peers /tmp/peers --work /tmp/peer-ids

Runs: ``trivy config --skip-check-update --misconfig-scanners kubernetes,dockerfile -f json``
(``--timeout 60m``)
once over every input; checkov's own runners (kubernetes, dockerfile) once per input, as
``checkov -f FILE --framework kubernetes|dockerfile`` would; ``hadolint --no-fail -f json``
once over every Dockerfile.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = ROOT / "tests" / "data" / "peer_ids.json"
AS_OF = date(2026, 11, 25)
PEERS = ("trivy", "checkov", "hadolint")
#: the pinned versions (``../shared/tools/install-peers.sh``)
PINNED = {"trivy": "0.59.1", "checkov": "3.3.30", "hadolint": "2.15.1"}
MIN_INPUTS = 2
MIN_SHARE = 0.5
#: an object where more hardhull codes or more peer IDs than this fire is no evidence
MAX_FIRING = 10
#: a peer ID maps only to the codes whose Jaccard index with it is at least this share of
#: its best code's (among the K, D, R… codes; among the P codes)
BEST_SHARE = 0.9
#: a narrower peer ID (NET_RAW among all added capabilities) maps to a code that fires on at
#: least this share of its objects ...
CONTAIN = 0.8
#: ... when that code is not a blanket one (fires on at most this share of all focused
#: objects: "no default-deny policy", "packages without versions" fire on most) ...
MAX_RATE = 0.03
#: ... and the two co-fire on this many single-change cases (the rule tests' inputs)
MIN_TESTS = 2
TESTS = ("tests/rules", "tests/regression/peer_cases", "tests/regression/traps")
KUBERNETES, DOCKERFILE = "kubernetes", "dockerfile"
CAPTURE_ENV = "HARDHULL_PEER_IDS_CAPTURE"
COMMAND = "python tools/peer_ids.py --peers /tmp/peers --work /tmp/peer-ids"


@dataclass(frozen=True)
class Input:
    id: str  # "examples/…", "corpus/…", "conformance/…", "test:<sha>"
    kind: str  # KUBERNETES | DOCKERFILE
    text: str
    dockerignore: str | None = None

    @property
    def folder(self) -> str:
        return hashlib.sha256(self.id.encode()).hexdigest()[:16]

    @property
    def name(self) -> str:
        if self.kind == DOCKERFILE:
            return "Dockerfile"
        return "input.json" if self.text.lstrip().startswith(("{", "[")) else "input.yaml"

    def path(self, inputs: Path) -> Path:
        return inputs / self.folder / self.name

    def write(self, inputs: Path) -> None:
        path = self.path(inputs)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.text, encoding="utf-8")
        if self.dockerignore is not None:
            (path.parent / ".dockerignore").write_text(self.dockerignore, encoding="utf-8")


# --------------------------------------------------------------------------- inputs


def _kind(path: Path) -> str | None:
    from hardhull.frontends import kinds

    k = kinds.kind_of(str(path))
    return k if k in (KUBERNETES, DOCKERFILE) else None


def _readable_k8s(text: str) -> bool:
    from hardhull.frontends.kubernetes import parse_text

    parsed = parse_text("input.yaml", text)
    return bool(parsed.objects) and not parsed.errors and not parsed.skipped


def _file_input(ident: str, path: Path) -> Input | None:
    kind = _kind(path)
    if kind is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if kind == KUBERNETES:
        return Input(ident, kind, text) if _readable_k8s(text) else None
    ignore = path.parent / ".dockerignore"
    return Input(ident, kind, text, ignore.read_text("utf-8") if ignore.is_file() else None)


def _tree(prefix: str, root: Path, pattern: str = "**/*") -> Iterator[Input]:
    for path in sorted(root.glob(pattern)):
        if path.is_file():
            found = _file_input(f"{prefix}/{path.relative_to(root).as_posix()}", path)
            if found is not None:
                yield found


def example_inputs(root: Path = ROOT) -> list[Input]:
    return list(_tree("examples", root / "examples"))


def shared_inputs(shared: Path = SHARED) -> list[Input]:
    found = [*_tree("corpus", shared / "corpus")]
    conf = shared / "conformance"
    found += _tree("conformance/gatekeeper-library", conf / "gatekeeper-library", "**/samples/**/*")
    for path in sorted((conf / "kyverno-policies").glob("**/.kyverno-test/*")):
        if path.is_file() and path.name != "kyverno-test.yaml":
            rel = path.relative_to(conf).as_posix()
            item = _file_input(f"conformance/{rel}", path)
            if item is not None:
                found.append(item)
    found += _tree("conformance/pss", conf / "pss", "**/*.yaml")
    return found


def test_inputs(tests: Iterable[str], capture: Path) -> list[Input]:
    """Run the rule tests with this module as a pytest plugin; every Kubernetes text and
    Dockerfile they hand to hardhull is recorded under ``capture``."""
    capture.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **{CAPTURE_ENV: str(capture)})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tools"), env.get("PYTHONPATH")]))
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "peer_ids"]
    subprocess.run([*argv, "-m", "not slow", *tests], cwd=ROOT, env=env, check=False)
    found: list[Input] = []
    for path in sorted(capture.glob("*.txt")):
        kind = path.name.split("-", 1)[0]
        text = path.read_text(encoding="utf-8")
        if kind == KUBERNETES and not _readable_k8s(text):
            continue
        ignore = ".git\n" if kind == DOCKERFILE else None  # what the tests' helper writes
        found.append(Input(f"test:{path.stem.split('-', 1)[1]}", kind, text, ignore))
    return found


def dedupe(inputs: Iterable[Input]) -> list[Input]:
    seen: set[tuple[str, str, str | None]] = set()
    out: list[Input] = []
    for item in inputs:
        key = (item.kind, item.text, item.dockerignore)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# --------------------------------------------------------------------------- pytest plugin


def pytest_configure(config: Any) -> None:
    """As a pytest plugin (``-p peer_ids``): record the texts the tests hand to hardhull."""
    where = os.environ.get(CAPTURE_ENV)
    if not where:
        return
    import hardhull.frontends.dockerfile as dockerfile
    import hardhull.frontends.kubernetes as kubernetes

    out = Path(where)

    def record(kind: str, text: str) -> None:
        if text.strip():
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            target = out / f"{kind}-{digest}.txt"
            if not target.exists():
                target.write_text(text, encoding="utf-8", errors="surrogatepass")

    parse_text = kubernetes.parse_text

    def parse_text_recorded(path: str, text: str) -> Any:
        record(KUBERNETES, text)
        return parse_text(path, text)

    kubernetes.parse_text = parse_text_recorded  # type: ignore[assignment]
    for module, cls_name, kind in (
        (kubernetes, "KubernetesFrontEnd", KUBERNETES),
        (dockerfile, "DockerfileFrontEnd", DOCKERFILE),
    ):
        cls = getattr(module, cls_name)
        read = cls.read

        def read_recorded(
            self: Any, item: Any, opts: Any, _read: Any = read, _k: str = kind
        ) -> Any:
            if isinstance(getattr(item, "text", None), str):
                record(_k, item.text)
            return _read(self, item, opts)

        cls.read = read_recorded


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class Objects:
    """Where each object of an input is: Kubernetes objects by start line; Dockerfile
    instructions by line span."""

    kind: str
    starts: list[tuple[int, str]]  # (first line, object name) in line order
    spans: list[tuple[int, int]]  # Dockerfile instructions: (start, end)

    @classmethod
    def of(cls, item: Input) -> Objects:
        if item.kind == DOCKERFILE:
            from hardhull.formats.dockerfile import parse_dockerfile

            try:
                df = parse_dockerfile(item.text)
            except Exception:
                return cls(item.kind, [], [])
            return cls(item.kind, [], [(i.start_line, i.end_line) for i in df.instructions])
        from hardhull.frontends.kubernetes import parse_text

        starts: list[tuple[int, str]] = []
        names: dict[str, int] = defaultdict(int)
        for obj in parse_text("input.yaml", item.text).objects:
            r = obj.resource
            name = f"{r.kind}/{r.namespace or '-'}/{r.name}"
            names[name] += 1
            starts.append((obj.line, name if names[name] == 1 else f"{name}#{names[name]}"))
        starts.sort()
        return cls(item.kind, starts, [])

    def at_line(self, line: int) -> str:
        """The object a finding at ``line`` (1-based; 0: unknown) is in."""
        if self.kind == DOCKERFILE:
            for start, end in self.spans:
                if start <= line <= end:
                    return f"L{start}"
            return "file"
        if not self.starts:
            return "?"
        if line <= 0:
            return self.starts[0][1] if len(self.starts) == 1 else "?"
        best = self.starts[0][1]
        for start, name in self.starts:
            if start <= line:
                best = name
        return best

    def by_name(self, kind: str, name: str) -> str:
        hits = [
            n
            for _, n in self.starts
            if n.split("/")[-1].split("#")[0] == name and (not kind or n.startswith(f"{kind}/"))
        ]
        if len(hits) == 1:
            return hits[0]
        return self.starts[0][1] if len(self.starts) == 1 else "?"


# --------------------------------------------------------------------------- runs

#: tool → input id → object → IDs
Fired = dict[str, dict[str, dict[str, set[str]]]]

_STAGE = re.compile(r"^(/stages/\d+)?$")


def run_hardhull(
    items: list[Input], inputs: Path, objects: dict[str, Objects]
) -> tuple[dict[str, dict[str, set[str]]], set[str]]:
    """hardhull ``scan`` (every rule) and ``pss`` (restricted, latest) over each input alone;
    the ids of inputs it could not read fully."""
    from hardhull.cli.pss import run_pss
    from hardhull.engine import ScanOptions, scan

    fired: dict[str, dict[str, set[str]]] = {}
    unread: set[str] = set()
    for item in items:
        path = str(item.path(inputs))
        result = scan([path], ScanOptions(jobs=1, as_of=AS_OF))
        findings = [*result.findings, *(w.finding for w in result.waived)]
        if item.kind == KUBERNETES:
            findings += run_pss([path], "restricted", "latest", []).findings
        if result.errors or result.skipped:
            unread.add(item.id)
        where = objects[item.id]
        got: dict[str, set[str]] = defaultdict(set)
        for f in findings:
            if item.kind == DOCKERFILE and _STAGE.match(f.pointer):
                obj = "file"
            elif item.kind == KUBERNETES and f.location.line <= 0:
                obj = where.by_name(f.resource.kind, f.resource.name)
            else:
                obj = where.at_line(f.location.line)
            got[obj].add(f.code)
        fired[item.id] = dict(got)
    return fired, unread


def _version(binary: Path) -> str:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    m = re.search(r"(\d+\.\d+\.\d+)", out.stdout + out.stderr)
    return m.group(1) if m else "?"


def run_trivy(peers: Path, inputs: Path, raw: Path) -> Path:
    out = raw / "trivy.json"
    argv = [str(peers / "bin" / "trivy"), "config", "--skip-check-update", "--quiet"]
    argv += ["--misconfig-scanners", "kubernetes,dockerfile", "--timeout", "60m"]
    argv += ["--cache-dir", str(raw / "cache")]
    subprocess.run([*argv, "-f", "json", "-o", str(out), str(inputs)], check=True)
    return out


_CHECKOV_DRIVER = """
import json, os, sys
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
from checkov.dockerfile.runner import Runner as Dockerfiles
from checkov.kubernetes.runner import Runner as Kubernetes
from checkov.runner_filter import RunnerFilter
with open(sys.argv[1], "w") as out:
    for path in sys.argv[2:]:
        docker = os.path.basename(path) == "Dockerfile"
        runner = Dockerfiles() if docker else Kubernetes()
        fw = "dockerfile" if docker else "kubernetes"
        try:
            only = RunnerFilter(framework=[fw])
            report = runner.run(root_folder=None, files=[path], runner_filter=only)
        except Exception as exc:  # a crash of checkov's on one input: recorded, the rest goes on
            out.write(json.dumps({"path": path, "error": repr(exc)}) + "\\n")
            continue
        failed = [
            {"check_id": c.check_id, "resource": c.resource, "file_line_range": c.file_line_range}
            for c in report.failed_checks
        ]
        out.write(json.dumps({"path": path, "failed_checks": failed}) + "\\n")
"""


def run_checkov(peers: Path, files: list[Path], raw: Path) -> Path:
    """checkov's runners once per input; per input its failed checks (check_id, resource,
    file_line_range, as in checkov's JSON report) or the error it raised."""
    out = raw / "checkov.jsonl"
    part = raw / "checkov.jsonl.part"
    driver = raw / "checkov_driver.py"
    driver.write_text(_CHECKOV_DRIVER, encoding="utf-8")
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", LOG_LEVEL="ERROR")
    done = subprocess.run(
        [str(peers / "bin" / "python"), str(driver), str(part), *map(str, files)],
        check=False,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise SystemExit(f"peer_ids: checkov's driver failed (exit {done.returncode})")
    part.replace(out)
    return out


def run_hadolint(peers: Path, files: list[Path], raw: Path) -> Path:
    out = raw / "hadolint.json"
    argv = [str(peers / "bin" / "hadolint"), "--no-fail", "-f", "json", *map(str, files)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    out.write_text(done.stdout or "[]", encoding="utf-8")
    return out


_TRIVY_NAMED = re.compile(r"\b([A-Z][A-Za-z]+) '([^']+)'")
_TRIVY_LOWER = re.compile(r"^(\w+) (\S+) in \S+ namespace")


def read_trivy(path: Path, by_folder: dict[str, Input], objects: dict[str, Objects]) -> Fired:
    fired: Fired = {}
    data = json.loads(path.read_text(encoding="utf-8"))
    for result in data.get("Results") or []:
        item = by_folder.get(result["Target"].split("/")[0])
        if item is None:
            continue
        where = objects[item.id]
        for m in result.get("Misconfigurations") or []:
            if m.get("Status") != "FAIL":
                continue
            line = (m.get("CauseMetadata") or {}).get("StartLine") or 0
            if item.kind == DOCKERFILE:
                obj = where.at_line(line) if line else "file"
            elif line:
                obj = where.at_line(line)
            else:
                msg = m.get("Message", "")
                named = _TRIVY_NAMED.search(msg)
                lower = _TRIVY_LOWER.search(msg)
                if named:
                    obj = where.by_name(named.group(1), named.group(2))
                elif lower:
                    obj = where.by_name("", lower.group(2))
                else:
                    obj = where.at_line(0)
            fired.setdefault(item.id, {}).setdefault(obj, set()).add(m["ID"])
    return fired


def read_checkov(path: Path, by_folder: dict[str, Input], objects: dict[str, Objects]) -> Fired:
    fired: Fired = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        item = by_folder[Path(rec["path"]).parent.name]
        where = objects[item.id]
        for f in rec.get("failed_checks", []):
            start = (f.get("file_line_range") or [0])[0]
            if item.kind == DOCKERFILE:
                whole = str(f.get("resource", "")).endswith(".")
                obj = "file" if whole or not start else where.at_line(start)
            else:
                obj = where.at_line(start)
            fired.setdefault(item.id, {}).setdefault(obj, set()).add(f["check_id"])
    return fired


def checkov_errors(path: Path, by_folder: dict[str, Input]) -> set[str]:
    """Inputs checkov raised an error on (left out, like those hardhull cannot read)."""
    errors: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "error" in rec:
            errors.add(by_folder[Path(rec["path"]).parent.name].id)
    return errors


def read_hadolint(path: Path, by_folder: dict[str, Input], objects: dict[str, Objects]) -> Fired:
    fired: Fired = {}
    for f in json.loads(path.read_text(encoding="utf-8") or "[]"):
        item = by_folder.get(Path(f["file"]).parent.name)
        if item is None:
            continue
        obj = objects[item.id].at_line(int(f.get("line") or 0))
        fired.setdefault(item.id, {}).setdefault(obj, set()).add(f["code"])
    return fired


# --------------------------------------------------------------------------- pairing

#: input id → object → {"hardhull": [...], "trivy": [...], ...}
Observations = dict[str, dict[str, dict[str, list[str]]]]


def observations(hardhull: dict[str, dict[str, set[str]]], peers: dict[str, Fired]) -> Observations:
    obs: Observations = {}
    for ident, by_obj in hardhull.items():
        objs = set(by_obj)
        for tool in PEERS:
            objs |= set(peers.get(tool, {}).get(ident, {}))
        row: dict[str, dict[str, list[str]]] = {}
        for obj in sorted(objs):
            cell = {"hardhull": sorted(by_obj.get(obj, ()))}
            for tool in PEERS:
                cell[tool] = sorted(peers.get(tool, {}).get(ident, {}).get(obj, ()))
            if any(cell.values()):
                row[obj] = cell
        obs[ident] = row
    return obs


def derive(obs: Observations) -> dict[str, Any]:
    """The mapping, each mapped pair's counts, and the peer IDs that map to nothing."""
    fires: dict[str, int] = defaultdict(int)  # "K034" / "trivy:KSV116" → objects
    co: dict[tuple[str, str], int] = defaultdict(int)
    inputs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ident, row in obs.items():
        for cell in row.values():
            if not _focused(cell):
                continue
            ours = cell["hardhull"]
            for code in ours:
                fires[code] += 1
            for tool in PEERS:
                for pid in cell[tool]:
                    key = f"{tool}:{pid}"
                    fires[key] += 1
                    for code in ours:
                        co[key, code] += 1
                        inputs[key, code].add(ident)
    focused = sum(1 for row in obs.values() for cell in row.values() if _focused(cell))

    def equivalent(key: str, code: str, n: int) -> bool:
        return n >= MIN_SHARE * max(fires[key], fires[code])

    def narrower(key: str, code: str, n: int) -> bool:
        tests = sum(1 for ident in inputs[key, code] if ident.startswith("test:"))
        inside = n >= CONTAIN * fires[key]
        return inside and fires[code] <= MAX_RATE * focused and tests >= MIN_TESTS

    passing = {
        (key, code): n
        for (key, code), n in co.items()
        if len(inputs[key, code]) >= MIN_INPUTS
        and (equivalent(key, code, n) or narrower(key, code, n))
    }
    # a peer ID keeps the codes whose agreement with it is near its best one's (Jaccard);
    # the P codes of `hardhull pss` restate the K rules control by control: they compete
    # among themselves
    best: dict[tuple[str, bool], float] = defaultdict(float)
    for (key, code), n in passing.items():
        group = (key, code.startswith("P"))
        best[group] = max(best[group], _jaccard(n, fires[key], fires[code]))
    mapping: dict[str, dict[str, list[str]]] = {}
    pairs: list[dict[str, Any]] = []
    mapped: set[str] = set()
    for (key, code), n in sorted(passing.items()):
        if _jaccard(n, fires[key], fires[code]) < BEST_SHARE * best[key, code.startswith("P")]:
            continue
        tool, pid = key.split(":", 1)
        mapping.setdefault(code, {}).setdefault(tool, []).append(pid)
        mapped.add(key)
        pairs.append(
            {
                "code": code,
                "peer": tool,
                "id": pid,
                "how": "equivalent" if equivalent(key, code, n) else "narrower",
                "co_fire": n,
                "inputs": len(inputs[key, code]),
                "tests": sum(1 for ident in inputs[key, code] if ident.startswith("test:")),
                "code_fires": fires[code],
                "id_fires": fires[key],
            }
        )
    for by_tool in mapping.values():
        for ids in by_tool.values():
            ids.sort(key=_id_order)
    unmapped = {k: fires[k] for k in sorted(fires) if ":" in k and k not in mapped}
    return {
        "focused": focused,
        "mapping": dict(sorted(mapping.items())),
        "pairs": pairs,
        "unmapped": unmapped,
    }


def _focused(cell: dict[str, list[str]]) -> bool:
    theirs = sum(len(cell[tool]) for tool in PEERS)
    return len(cell["hardhull"]) <= MAX_FIRING and theirs <= MAX_FIRING


def _jaccard(co: int, a: int, b: int) -> float:
    return co / (a + b - co)


def _id_order(pid: str) -> tuple[str, int]:
    m = re.match(r"(.*?)(\d+)$", pid)
    return (m.group(1), int(m.group(2))) if m else (pid, 0)


# --------------------------------------------------------------------------- driver


def measure(items: list[Input], peers: Path, work: Path, fresh: bool) -> Observations:
    """Write the inputs under ``work``, run (or reuse the cached runs of) every tool, and
    return the observations."""
    manifest = hashlib.sha256(
        json.dumps(sorted((i.folder, i.kind, i.text, i.dockerignore or "") for i in items)).encode()
    ).hexdigest()
    inputs, raw = work / "inputs", work / "raw"
    stamp = raw / "manifest"
    if fresh or not stamp.is_file() or stamp.read_text() != manifest:
        shutil.rmtree(inputs, ignore_errors=True)
        shutil.rmtree(raw, ignore_errors=True)
        raw.mkdir(parents=True)
        for item in items:
            item.write(inputs)
        stamp.write_text(manifest)
    by_folder = {i.folder: i for i in items}
    objects = {i.id: Objects.of(i) for i in items}
    files = [i.path(inputs) for i in items]
    dockerfiles = [i.path(inputs) for i in items if i.kind == DOCKERFILE]
    steps = {
        "trivy": (raw / "trivy.json", lambda: run_trivy(peers, inputs, raw), read_trivy),
        "checkov": (raw / "checkov.jsonl", lambda: run_checkov(peers, files, raw), read_checkov),
        "hadolint": (
            raw / "hadolint.json",
            lambda: run_hadolint(peers, dockerfiles, raw),
            read_hadolint,
        ),
    }
    peer_fired: dict[str, Fired] = {}
    for tool, (out, run, read) in steps.items():
        if not out.is_file():
            print(f"peer_ids: running {tool} over {len(items)} inputs", file=sys.stderr)
            run()
        peer_fired[tool] = read(out, by_folder, objects)
    ours, unread = run_hardhull(items, inputs, objects)
    for ident in unread | checkov_errors(raw / "checkov.jsonl", by_folder):
        ours.pop(ident, None)
    obs = observations(ours, peer_fired)
    (work / "observations.json").write_text(json.dumps(obs), encoding="utf-8")
    return obs


def versions(peers: Path) -> dict[str, str]:
    return {tool: _version(peers / "bin" / tool) for tool in PEERS}


def build(peers: Path, work: Path, tests: Iterable[str], fresh: bool) -> dict[str, Any]:
    examples = example_inputs()
    with tempfile.TemporaryDirectory() as tmp:
        cases = test_inputs(tests, Path(tmp))
    items = dedupe([*examples, *shared_inputs(), *cases])
    obs = measure(items, peers, work, fresh)
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        if item.id in obs:
            counts[item.id.split("/")[0].split(":")[0]] += 1
    subset = {i.id for i in examples}
    sub_obs = {k: v for k, v in obs.items() if k in subset}
    data = {
        "command": COMMAND,
        "peers": versions(peers),
        "as_of": AS_OF.isoformat(),
        "threshold": {
            "min_inputs": MIN_INPUTS,
            "min_share": MIN_SHARE,
            "max_firing": MAX_FIRING,
            "best_share": BEST_SHARE,
            "contain": CONTAIN,
            "max_rate": MAX_RATE,
            "min_tests": MIN_TESTS,
        },
        "inputs": dict(sorted(counts.items())),
        **derive(obs),
        "subset": {
            "inputs": "examples/",
            "observations": sub_obs,
            "mapping": derive(sub_obs)["mapping"],
        },
    }
    merge_images(data, image_observations(peers, work))
    return data


def image_observations(peers: Path, work: Path) -> Observations:
    """trivy and hardhull over the image cases of ``tools/peer_ids_images.py``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import peer_ids_images

    print(f"peer_ids: {len(peer_ids_images.CASES)} image cases", file=sys.stderr)
    return peer_ids_images.observations(peers, work)


def merge_images(data: dict[str, Any], obs: Observations) -> None:
    """The image rules' IDs, derived from the image cases alone (an image is another kind of
    object: trivy's DS002 on an image is not its DS002 on a Dockerfile), merged into the
    mapping; the image pairs carry ``"domain": "image"``."""
    derived = derive(obs)
    for code, by_tool in derived["mapping"].items():
        if code in data["mapping"]:
            raise SystemExit(f"peer_ids: {code} fires on files and on images")
        data["mapping"][code] = by_tool
    data["mapping"] = dict(sorted(data["mapping"].items()))
    data["pairs"] += [{**p, "domain": "image"} for p in derived["pairs"]]
    data["images"] = {
        "inputs": "tools/peer_ids_images.py",
        "focused": derived["focused"],
        "observations": obs,
        "mapping": derived["mapping"],
        "unmapped": derived["unmapped"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--peers", type=Path, default=Path("/tmp/peers"), help="install-peers.sh DIR")
    ap.add_argument("--work", type=Path, default=Path("/tmp/peer-ids"), help="inputs, raw outputs")
    ap.add_argument("--out", type=Path, default=DATA)
    ap.add_argument("--tests", nargs="*", default=list(TESTS), help="test paths to record cases of")
    ap.add_argument("--fresh", action="store_true", help="run the peers again")
    args = ap.parse_args(argv)
    found = versions(args.peers)
    if found != PINNED:
        print(f"peer_ids: peers {found}, pinned {PINNED}", file=sys.stderr)
        return 2
    data = build(args.peers, args.work, args.tests, args.fresh)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"peer_ids: wrote {args.out} ({len(data['mapping'])} codes mapped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
