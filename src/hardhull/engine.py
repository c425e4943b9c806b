"""The scan engine: sources → documents → checks → findings.

:func:`evaluate` is the pure core (one object in, violations out) that the admission webhook
and the cluster audit reuse unchanged; :func:`scan` adds files, positions, suppressions,
configuration and baselines.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from hardhull import suppress
from hardhull.checks import OBJECT_CHECKS, RULES, WORKLOAD_CHECKS, load_all_checks
from hardhull.checks.podsecurity import ENFORCE, namespace_levels, pss_violation
from hardhull.kube import Workload, object_namespace
from hardhull.model import (
    Finding,
    InputError,
    Location,
    Severity,
    Skipped,
    Violation,
    fingerprint,
)
from hardhull.pss.levels import LATEST_MINOR, LevelVersion
from hardhull.sources.files import DEFAULT_MAX_BYTES, TextInput, collect
from hardhull.sources.kubernetes import K8sObject, parse_text

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
    objects: int = 0  # Kubernetes objects checked
    ignored: int = 0  # documents that are not Kubernetes objects
    suppressed: Counter[str] = field(default_factory=Counter)  # by mechanism

    @property
    def scanned_anything(self) -> bool:
        return self.files > len({e.path for e in self.errors})


def _snippet(obj: K8sObject, line: int) -> str:
    if obj.lines is None or not (0 < line <= len(obj.lines)):
        return ""
    return obj.lines[line - 1].rstrip()


def findings_for(
    obj: K8sObject, violations: Iterable[Violation], opts: ScanOptions, result: ScanResult
) -> None:
    data = obj.data
    metas: list[Any] = [data.get("metadata")]
    w = Workload.of(data)
    if w is not None:
        metas.append(w.meta)
    ann = suppress.annotation_codes(metas)
    resource = obj.resource
    for v in violations:
        rule = RULES[v.code]
        line, col = obj.position(v.pointer)
        if suppress.matches(ann, v.code):
            result.suppressed["annotation"] += 1
            continue
        if obj.lines is not None and line:
            codes = suppress.comment_codes(_snippet(obj, line))
            if codes is None and line > 1:
                prev = obj.lines[line - 2].strip()
                codes = suppress.comment_codes(prev) if prev.startswith("#") else None
            if suppress.matches(codes, v.code):
                result.suppressed["comment"] += 1
                continue
        fp = fingerprint(v.code, obj.path, resource, v.pointer)
        if fp in opts.baseline:
            result.suppressed["baseline"] += 1
            continue
        sev = opts.severity.get(v.code) or v.severity or rule.severity
        result.findings.append(
            Finding(
                rule=rule,
                severity=sev,
                message=v.message,
                resource=resource,
                pointer=v.pointer,
                location=Location(obj.path, line, col),
                fix=v.fix,
                snippet=_snippet(obj, line),
                fingerprint=fp,
            )
        )


def _scan_inputs(inputs: Sequence[TextInput], opts: ScanOptions) -> ScanResult:
    result = ScanResult()
    for item in inputs:
        result.files += 1
        parsed = parse_text(item.path, item.text)
        result.errors.extend(parsed.errors)
        result.skipped.extend(parsed.skipped)
        result.ignored += parsed.ignored
        for obj in parsed.objects:
            result.objects += 1
            try:
                violations = evaluate(obj.data, opts.disabled)
                if "K100" not in opts.disabled and Workload.of(obj.data) is not None:
                    ns = object_namespace(obj.data)
                    lv = opts.ns_levels.get(ns)
                    v = pss_violation(obj.data, lv or opts.pss_default, ns if lv else "")
                    if v is not None:
                        violations.append(v)
            except Exception as exc:  # a check must never take the scan down
                line = obj.line
                result.errors.append(
                    InputError(obj.path, f"internal error checking {obj.resource}: {exc!r}", line)
                )
                continue
            findings_for(obj, violations, opts, result)
    return result


def _merge(into: ScanResult, part: ScanResult) -> None:
    into.findings.extend(part.findings)
    into.errors.extend(part.errors)
    into.skipped.extend(part.skipped)
    into.files += part.files
    into.objects += part.objects
    into.ignored += part.ignored
    into.suppressed.update(part.suppressed)


def _chunks(items: Sequence[TextInput], n: int) -> list[list[TextInput]]:
    """Split into n chunks of similar total size (largest first, greedy)."""
    buckets: list[list[TextInput]] = [[] for _ in range(n)]
    sizes = [0] * n
    for item in sorted(items, key=lambda i: len(i.text), reverse=True):
        k = sizes.index(min(sizes))
        buckets[k].append(item)
        sizes[k] += len(item.text)
    return [b for b in buckets if b]


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
    if "K100" not in opts.disabled:
        opts.ns_levels = {**_namespace_levels(collected.inputs), **opts.ns_levels}
    jobs = opts.jobs or (os.cpu_count() or 1)
    inputs = collected.inputs
    total = len(inputs)
    if jobs > 1 and total >= PARALLEL_THRESHOLD:
        # several chunks per worker: balances uneven files and lets progress advance
        chunks = _chunks(inputs, jobs * 4)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_scan_inputs, chunk, opts) for chunk in chunks]
            for fut in as_completed(futures):
                part = fut.result()
                _merge(result, part)
                if progress is not None:
                    progress(result.files, total)
    else:
        step = max(total // 50, 1)
        for start in range(0, total, step):
            _merge(result, _scan_inputs(inputs[start : start + step], opts))
            if progress is not None:
                progress(result.files, total)
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
