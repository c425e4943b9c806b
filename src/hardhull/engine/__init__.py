"""The scan engine: sources → documents → checks → findings.

:func:`evaluate` is the pure core (one object in, violations out) that the admission webhook
and the cluster audit reuse unchanged; :func:`scan` adds files, positions, suppressions,
configuration and baselines.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, cast

from hardhull import suppress
from hardhull.frontends import kinds
from hardhull.frontends.files import DEFAULT_MAX_BYTES, TextInput, collect
from hardhull.frontends.kubernetes import K8sObject, parse_text
from hardhull.model import (
    Finding,
    InputError,
    Location,
    Resource,
    Severity,
    Skipped,
    Violation,
    fingerprint,
    stable_path,
)
from hardhull.models.workload import Workload, object_namespace, pod_spec_problem
from hardhull.pss.levels import LATEST_MINOR, LevelVersion
from hardhull.report import printable_path
from hardhull.rules import (
    OBJECT_CHECKS,
    RULES,
    SET_CHECKS,
    TEXT_CHECKS,
    WORKLOAD_CHECKS,
    load_all_checks,
)
from hardhull.rules.podsecurity import ENFORCE, namespace_levels, pss_violation

#: below this many input files one process is faster than a pool
PARALLEL_THRESHOLD = 64

#: called with (files done, files in all) as the scan advances
Progress = Callable[[int, int], None]


def evaluate(obj: dict[str, Any], disabled: frozenset[str] = frozenset()) -> list[Violation]:
    """Run every enabled check on one Kubernetes object. Pure: no I/O, no positions."""
    load_all_checks()
    out: list[Violation] = []
    for rule, ocheck in OBJECT_CHECKS:
        if rule.code not in disabled:
            out.extend(ocheck(obj))
    w = Workload.of(obj)
    if w is not None:
        for rule, wcheck in WORKLOAD_CHECKS:
            if rule.code not in disabled:
                out.extend(wcheck(w))
    return out


@dataclass
class ScanOptions:
    excludes: Sequence[str] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    disabled: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    baseline: frozenset[str] = frozenset()
    stdin_text: str | None = None
    jobs: int = 0  # 0: decide by input size
    #: files whose kind the user stated (e.g. --daemon-config FILE): path → kinds.*
    forced_kinds: dict[str, str] = field(default_factory=dict)
    #: the date end-of-life tables are judged against (None: today)
    as_of: date | None = None
    #: namespace → enforced Pod Security level, from Namespace objects in the scanned set
    ns_levels: dict[str, LevelVersion] = field(default_factory=dict)
    pss_default: LevelVersion = field(
        default_factory=lambda: LevelVersion("restricted", LATEST_MINOR)
    )


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0  # files read
    scanned: int = 0  # files that yielded something to check (objects, or no error)
    objects: int = 0  # Kubernetes objects checked
    ignored: int = 0  # documents that are not Kubernetes objects
    suppressed: Counter[str] = field(default_factory=Counter)  # by mechanism
    #: Kubernetes objects of the whole scan, for set checks (not reported)
    keep: list[K8sObject] = field(default_factory=list, repr=False)

    @property
    def scanned_anything(self) -> bool:
        return self.scanned > 0


class Document(Protocol):
    """Anything findings can be located in: a Kubernetes object, a Dockerfile, a compose file."""

    path: str
    lines: list[str] | None

    @property
    def resource(self) -> Resource: ...

    def position(self, pointer: str) -> tuple[int, int]: ...


@dataclass
class HandlerOutput:
    """What a front end made of one input: documents with their violations, and the rest."""

    items: list[tuple[Document, list[Violation]]] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: int = 0
    objects: int = 0
    #: Kubernetes objects kept for the checks that reason over the whole scanned set
    keep: list[K8sObject] = field(default_factory=list)


Handler = Callable[[TextInput, "ScanOptions"], HandlerOutput]


def _snippet(doc: Document, line: int) -> str:
    if doc.lines is None or not (0 < line <= len(doc.lines)):
        return ""
    return doc.lines[line - 1].rstrip()


def _annotation_codes(doc: Document) -> frozenset[str]:
    if isinstance(doc, K8sObject):
        metas: list[Any] = [doc.data.get("metadata")]
        w = Workload.of(doc.data)
        if w is not None:
            metas.append(w.meta)
        return suppress.annotation_codes(metas)
    codes = getattr(doc, "ignore_codes", None)
    return codes if isinstance(codes, frozenset) else frozenset()


def findings_for(
    doc: Document, violations: Iterable[Violation], opts: ScanOptions, result: ScanResult
) -> None:
    """Turn violations into findings: locate, apply suppressions and baseline, set severity."""
    ann = _annotation_codes(doc)
    resource = doc.resource
    for v in violations:
        rule = RULES[v.code]
        line, col = doc.position(v.pointer)
        if suppress.matches(ann, v.code):
            result.suppressed["annotation"] += 1
            continue
        if doc.lines is not None and line:
            codes = suppress.comment_codes(_snippet(doc, line))
            if codes is None and line > 1:
                prev = doc.lines[line - 2].strip()
                codes = suppress.comment_codes(prev) if prev.startswith("#") else None
            if suppress.matches(codes, v.code):
                result.suppressed["comment"] += 1
                continue
        fp = fingerprint(v.code, printable_path(doc.path), resource, v.pointer)
        if fp in opts.baseline:
            result.suppressed["baseline"] += 1
            continue
        # Severity.INFO is 0: test for None, not truthiness
        sev = opts.severity.get(v.code)
        if sev is None:
            sev = v.severity if v.severity is not None else rule.severity
        result.findings.append(
            Finding(
                rule=rule,
                severity=sev,
                message=v.message,
                resource=resource,
                pointer=v.pointer,
                location=Location(doc.path, line, col),
                fix=v.fix,
                snippet=_snippet(doc, line),
                fingerprint=fp,
            )
        )


def _is_compose(text: str) -> bool:
    if "services" not in text:
        return False
    from hardhull.formats.yamlpos import YamlError, load_all
    from hardhull.frontends.compose import looks_like_compose

    try:
        docs = load_all(text)
    except YamlError:
        return False
    return len(docs) == 1 and looks_like_compose(docs[0].data)


def scan_kubernetes(item: TextInput, opts: ScanOptions) -> HandlerOutput:
    """The Kubernetes front end: YAML/JSON manifests, one object at a time."""
    parsed = parse_text(item.path, item.text)
    if parsed.ignored and not parsed.objects and not parsed.errors and _is_compose(item.text):
        # a compose file under another name (stack.yml, …): judged as compose
        return _handler(kinds.COMPOSE)(item, opts)
    out = HandlerOutput(errors=parsed.errors, skipped=parsed.skipped, ignored=parsed.ignored)
    load_all_checks()
    keep = bool(SET_CHECKS)
    for obj in parsed.objects:
        out.objects += 1
        if keep:
            out.keep.append(obj)
        try:
            violations = evaluate(obj.data, opts.disabled)
            if "K100" not in opts.disabled and Workload.of(obj.data) is not None:
                ns = object_namespace(obj.data)
                lv = opts.ns_levels.get(ns)
                v = pss_violation(obj.data, lv or opts.pss_default, ns if lv else "")
                if v is not None:
                    violations.append(v)
        except Exception as exc:  # a check must never take the scan down
            out.errors.append(
                InputError(obj.path, f"internal error checking {obj.resource}: {exc!r}", obj.line)
            )
            continue
        out.items.append((obj, violations))
        problem = pod_spec_problem(obj.data)
        if problem is not None:
            out.skipped.append(Skipped(obj.path, f"{obj.resource}: {problem}"))
    return out


#: front ends other than Kubernetes YAML, imported only when a file of their kind shows up
_HANDLERS = {
    kinds.DOCKERFILE: ("hardhull.frontends.dockerfile", "scan_dockerfile"),
    kinds.COMPOSE: ("hardhull.frontends.compose", "scan_compose"),
    kinds.DAEMON: ("hardhull.frontends.daemon", "scan_daemon"),
}


def _handler(kind: str) -> Handler:
    target = _HANDLERS.get(kind)
    if target is None:
        return scan_kubernetes
    module, name = target
    return cast(Handler, getattr(importlib.import_module(module), name))


#: the inputs of the running scan, for pool workers forked from this process: they take their
#: share by index instead of receiving megabytes of text through a pipe
_FORKED_INPUTS: Sequence[TextInput] = ()


def _scan_inputs_in_worker(
    inputs: Sequence[TextInput] | Sequence[int], opts: ScanOptions
) -> ScanResult:
    """:func:`_scan_inputs` in a pool worker: the objects kept for the set checks travel back
    without their position maps and lines (the bulk of the pickle); the parent re-reads the
    few files a set check reports on. ``inputs`` are indices into the inherited inputs when
    the worker was forked."""
    items = [_FORKED_INPUTS[i] if isinstance(i, int) else i for i in inputs]
    result = _scan_inputs(items, opts)
    result.keep = [
        K8sObject(o.data, o.path, {}, o.prefix, o.doc_index, o.line, None) for o in result.keep
    ]
    return result


def _scan_inputs(inputs: Sequence[TextInput], opts: ScanOptions) -> ScanResult:
    load_all_checks()
    result = ScanResult()
    for item in inputs:
        result.files += 1
        try:
            kind = opts.forced_kinds.get(item.path) or kinds.input_kind(item.path, item.text)
            out = _handler(kind)(item, opts)
        except Exception as exc:  # a front end must never take the scan down
            result.errors.append(InputError(item.path, f"internal error reading file: {exc!r}"))
            continue
        if out.objects or out.items or not out.errors:
            result.scanned += 1
        result.errors.extend(out.errors)
        result.skipped.extend(out.skipped)
        result.ignored += out.ignored
        result.objects += out.objects
        result.keep.extend(out.keep)
        for doc, violations in out.items:
            findings_for(doc, violations, opts, result)
        if TEXT_CHECKS:
            _run_text_checks(item, opts, result, _secret_lines(item, out))
    return result


class FileDocument:
    """A whole file as a document, for the checks over raw text."""

    def __init__(self, path: str, text: str, positions: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self.lines: list[str] | None = text.splitlines()
        self.positions = positions

    @property
    def resource(self) -> Resource:
        return Resource("File", stable_path(printable_path(self.path)))

    def position(self, pointer: str) -> tuple[int, int]:
        return self.positions.get(pointer, (0, 0))


def _secret_lines(item: TextInput, out: HandlerOutput) -> set[int]:
    """Lines of ``item`` where a front end's own rule found a credential (D005, C021, S001…),
    suppressed or not: the whole-file secret rules must not report them a second time (a
    credential accepted by a baseline or an ignore comment must not come back as S005)."""
    from hardhull.rules.secrets_file import OTHER_SECRET_RULES

    lines: set[int] = set()
    for doc, violations in out.items:
        if doc.path != item.path:
            continue
        for v in violations:
            if v.code in OTHER_SECRET_RULES:
                lines.add(doc.position(v.pointer)[0])
    return lines


def _run_text_checks(
    item: TextInput, opts: ScanOptions, result: ScanResult, taken: set[int]
) -> None:
    for rule, check in TEXT_CHECKS:
        if rule.code in opts.disabled:
            continue
        try:
            found = [t for t in check(item.path, item.text) if t[0] not in taken]
        except Exception as exc:  # a check must never take the scan down
            result.errors.append(InputError(item.path, f"internal error in {rule.code}: {exc!r}"))
            continue
        if found:
            positions = {v.pointer: (line, col) for line, col, v in found}
            doc = FileDocument(item.path, item.text, positions)
            findings_for(doc, [v for _, _, v in found], opts, result)


def _run_set_checks(
    result: ScanResult, opts: ScanOptions, texts: dict[str, str] | None = None
) -> None:
    """Checks over the whole scanned set (RBAC, network policy): run once, in this process.
    ``texts`` (path → text) lets objects that came back from a worker be located again."""
    texts = texts or {}
    reparsed: dict[str, list[K8sObject]] = {}
    # workers finish in any order: the same input must give the same findings
    result.keep.sort(key=lambda o: (o.path, o.doc_index, o.prefix))
    objects = result.keep
    if not objects:
        return
    datas = [o.data for o in objects]
    for rule, check in SET_CHECKS:
        if rule.code in opts.disabled:
            continue
        try:
            found = list(check(datas))
        except Exception as exc:  # a check must never take the scan down
            result.errors.append(InputError("", f"internal error in {rule.code}: {exc!r}"))
            continue
        for index, v in found:
            findings_for(_located(objects[index], texts, reparsed), [v], opts, result)
    _drop_k030_decided_by_service_accounts(result, datas)


def _located(
    obj: K8sObject, texts: dict[str, str], reparsed: dict[str, list[K8sObject]]
) -> K8sObject:
    """The object with its positions and lines, re-reading its file if a worker dropped them."""
    if obj.lines is not None or obj.path not in texts:
        return obj
    if obj.path not in reparsed:
        reparsed[obj.path] = parse_text(obj.path, texts[obj.path]).objects
    for full in reparsed[obj.path]:
        if (full.doc_index, full.prefix) == (obj.doc_index, obj.prefix):
            return full
    return obj


def _drop_k030_decided_by_service_accounts(
    result: ScanResult, datas: Sequence[dict[str, Any]]
) -> None:
    """K030 judges one pod; when the pod is silent its ServiceAccount decides, and a
    ServiceAccount of the scanned set with ``automountServiceAccountToken: false`` means no
    token is mounted: those K030 findings are not problems."""
    from hardhull.rules.workload import (
        service_accounts_without_token,
        token_decided_by_service_account,
    )

    if not any(f.rule.code == "K030" for f in result.findings):
        return
    sas = service_accounts_without_token(datas)
    if not sas:
        return
    covered = {
        (o.path, o.resource) for o in result.keep if token_decided_by_service_account(o.data, sas)
    }
    result.findings = [
        f
        for f in result.findings
        if not (f.rule.code == "K030" and (f.location.path, f.resource) in covered)
    ]


def _merge(into: ScanResult, part: ScanResult) -> None:
    into.findings.extend(part.findings)
    into.errors.extend(part.errors)
    into.skipped.extend(part.skipped)
    into.files += part.files
    into.scanned += part.scanned
    into.objects += part.objects
    into.ignored += part.ignored
    into.suppressed.update(part.suppressed)
    into.keep.extend(part.keep)


def _chunks(items: Sequence[TextInput], n: int) -> list[list[TextInput]]:
    """Split into n chunks of similar total size (largest first, greedy)."""
    buckets: list[list[TextInput]] = [[] for _ in range(n)]
    sizes = [0] * n
    for item in sorted(items, key=lambda i: len(i.text), reverse=True):
        k = sizes.index(min(sizes))
        buckets[k].append(item)
        sizes[k] += len(item.text)
    return [b for b in buckets if b]


_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def _kustomize_patches(inputs: Sequence[TextInput]) -> dict[str, str]:
    """Files that a kustomization among the inputs uses as patches: path → kustomization.

    A strategic-merge or JSON 6902 patch is a fragment (a Deployment with only the fields it
    changes); judged as a whole object it would draw findings about everything it leaves out.
    """
    from hardhull.formats.yamlpos import YamlError, load_all

    out: dict[str, str] = {}
    for item in inputs:
        if os.path.basename(item.path) not in _KUSTOMIZATION_NAMES:
            continue
        try:
            docs = load_all(item.text)
        except YamlError:
            continue
        base = os.path.dirname(item.path)
        for doc in docs:
            data = doc.data if isinstance(doc.data, dict) else {}
            refs: list[Any] = []
            for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
                value = data.get(key)
                if isinstance(value, list):
                    refs.extend(value)
            for ref in refs:
                path = ref.get("path") if isinstance(ref, dict) else ref
                # inline patches (YAML text with a newline) and URLs are not files here
                if isinstance(path, str) and "\n" not in path and "://" not in path:
                    out[os.path.normpath(os.path.join(base, path))] = item.path
    return out


def _namespace_levels(inputs: Sequence[TextInput]) -> dict[str, LevelVersion]:
    """Pre-pass: Pod Security labels of Namespace objects anywhere in the input."""
    objs: list[dict[str, Any]] = []
    for item in inputs:
        if ENFORCE in item.text:
            objs.extend(o.data for o in parse_text(item.path, item.text).objects)
    return namespace_levels(objs)


def scan(paths: Sequence[str], opts: ScanOptions, progress: Progress | None = None) -> ScanResult:
    collected = collect(
        paths, excludes=opts.excludes, max_bytes=opts.max_bytes, stdin_text=opts.stdin_text
    )
    result = ScanResult(errors=collected.errors, skipped=collected.skipped)
    inputs_all = collected.inputs
    patches = _kustomize_patches(inputs_all)
    if patches:
        kept: list[TextInput] = []
        for item in inputs_all:
            where = patches.get(os.path.normpath(item.path))
            if where is None:
                kept.append(item)
            else:
                result.skipped.append(
                    Skipped(
                        item.path,
                        f"kustomize patch listed in {where}: a fragment, not an object "
                        "(scan the output of `kustomize build` instead)",
                    )
                )
        collected.inputs = kept
    if "K100" not in opts.disabled:
        opts.ns_levels = {**_namespace_levels(collected.inputs), **opts.ns_levels}
    jobs = opts.jobs or (os.cpu_count() or 1)
    inputs = collected.inputs
    total = len(inputs)
    if jobs > 1 and total >= PARALLEL_THRESHOLD:
        # several chunks per worker: balances uneven files and lets progress advance
        from concurrent.futures import ProcessPoolExecutor, as_completed

        chunks = _chunks(inputs, jobs * 4)
        global _FORKED_INPUTS
        forked = "fork" in multiprocessing.get_all_start_methods()
        work: list[Any] = chunks
        if forked:
            _FORKED_INPUTS = inputs
            index = {id(item): i for i, item in enumerate(inputs)}
            work = [[index[id(item)] for item in chunk] for chunk in chunks]
        context = multiprocessing.get_context("fork") if forked else None
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = [pool.submit(_scan_inputs_in_worker, part, opts) for part in work]
                for fut in as_completed(futures):
                    _merge(result, fut.result())
                    if progress is not None:
                        progress(result.files, total)
        finally:
            _FORKED_INPUTS = ()
    else:
        step = max(total // 50, 1)
        for start in range(0, total, step):
            _merge(result, _scan_inputs(inputs[start : start + step], opts))
            if progress is not None:
                progress(result.files, total)
    _run_set_checks(result, opts, {i.path: i.text for i in inputs})
    result.keep = []
    result.findings.sort(
        key=lambda f: (
            f.location.path,
            f.location.line,
            f.location.column,
            f.rule.code,
            f.pointer,
            f.message,
        )
    )
    result.errors.sort(key=lambda e: (e.path, e.line, e.column, e.message))
    result.skipped.sort(key=lambda s: (s.path, s.reason))
    return result
