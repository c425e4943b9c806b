"""The scan engine: inputs → front ends → documents → checks → findings.

:func:`scan` collects the inputs, learns the facts of the whole set (:mod:`.prepass`), has
each input read by its front end (:mod:`hardhull.frontends`), runs every check on what the
documents offer through the one loop (:func:`.run.run_checks`), then the checks over the whole
set, and turns violations into findings (:mod:`.locate`). Large inputs are spread over worker
processes (:mod:`.parallel`).

:func:`evaluate_object` and :func:`evaluate_set` are the same checks on one Kubernetes object
or one set of them, without files: the admission webhook calls them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from hardhull import suppress
from hardhull.context import ScanFacts, SetContext
from hardhull.engine import locate
from hardhull.engine.prepass import patches_of, scan_facts, wants_facts
from hardhull.engine.run import CheckError, run_checks
from hardhull.frontends import front_end, kinds
from hardhull.frontends.files import DEFAULT_MAX_BYTES, InputRef, TextInput, collect
from hardhull.frontends.interface import Document, ReadOptions
from hardhull.frontends.kubernetes import K8sObject, ParsedFile, iter_objects, object_subjects
from hardhull.frontends.text import TextDocument
from hardhull.model import InputError, Related, ScanResult, Severity, Skipped, Violation
from hardhull.pss.levels import LATEST_MINOR, LevelVersion
from hardhull.registry import RULES, Target
from hardhull.rules import all_rules, checks
from hardhull.secrets.redact import redact

__all__ = [
    "PARALLEL_THRESHOLD",
    "ScanOptions",
    "ScanResult",
    "evaluate",
    "evaluate_object",
    "evaluate_set",
    "findings_for",
    "scan",
]

#: below this many input files one process is faster than a pool
PARALLEL_THRESHOLD = 64

#: called with (files done, files in all) as the scan advances
Progress = Callable[[int, int], None]


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
    #: namespace → enforced Pod Security level, given by the caller (wins over the set's)
    ns_levels: dict[str, LevelVersion] = field(default_factory=dict)
    pss_default: LevelVersion = field(
        default_factory=lambda: LevelVersion("restricted", LATEST_MINOR)
    )
    #: who chose ``pss_default`` ("--pss-level", "the policy", …); "" when it is the default
    pss_origin: str = ""
    #: the default level also holds where a namespace label is laxer (ScanFacts.pss_floor)
    pss_floor: bool = False
    #: the facts of the scanned set, learned before the checks run (set by :func:`scan`)
    facts: ScanFacts = field(default_factory=ScanFacts)
    #: files and directories read only as the rest of the set (the repository around the
    #: files a pre-commit hook is given): their objects take part in the facts of the set and
    #: in the checks over the whole set, but only findings in the scanned paths are reported
    context: Sequence[str] = ()


def findings_for(
    doc: Document,
    violations: Iterable[Violation],
    opts: ScanOptions,
    result: ScanResult,
    related: Sequence[Related] = (),
) -> None:
    """Turn violations into findings: locate, apply suppressions and baseline, set severity.
    ``related``: the other objects the findings stand for, located (set findings)."""
    locate.findings_for(doc, violations, RULES, opts.severity, opts.baseline, result, related)


def _check_errors(doc: Document, errors: list[CheckError]) -> list[InputError]:
    line = doc.position("")[0]
    return [
        InputError(
            doc.path, f"internal error in {e.code} checking {doc.resource}: {e.error!r}", line
        )
        for e in errors
    ]


def check_document(
    doc: Document, facts: ScanFacts, disabled: frozenset[str]
) -> tuple[list[Violation], list[InputError]]:
    """Every enabled check on what ``doc`` offers them."""
    violations: list[Violation] = []
    errors: list[CheckError] = []
    try:
        subjects = list(doc.subjects(facts))
    except Exception as exc:  # reading the document's model must not take the scan down
        return [], [InputError(doc.path, f"internal error reading {doc.resource}: {exc!r}")]
    for target, subject, ctx in subjects:
        found, failed = run_checks(checks(target), subject, ctx, disabled=disabled)
        violations.extend(found)
        errors.extend(failed)
    return violations, _check_errors(doc, errors)


def evaluate(obj: dict[str, Any], disabled: frozenset[str] = frozenset()) -> list[Violation]:
    """Every enabled check on one Kubernetes object, with no facts of a set (K100 at the
    default level). Pure: no I/O, no positions."""
    violations, _ = evaluate_object(obj, ScanFacts(), disabled=disabled)
    return violations


def evaluate_object(
    obj: dict[str, Any],
    facts: ScanFacts,
    *,
    disabled: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
    deadline: float | None = None,
) -> tuple[list[Violation], list[CheckError]]:
    """Every check ``scan`` runs on this one object: (violations, checks that raised).

    Reading the pod spec failing is reported as a :class:`CheckError` with code ``*``; the
    object checks still run. Raises :class:`~hardhull.engine.run.DeadlineExceeded`."""
    violations: list[Violation] = []
    errors: list[CheckError] = []
    try:
        subjects = object_subjects(obj, facts)
    except Exception as exc:
        errors.append(CheckError("*", exc))
        from hardhull.context import ObjectContext

        subjects = [(Target.OBJECT, obj, ObjectContext(obj, facts))]
    for target, subject, ctx in subjects:
        found, failed = run_checks(
            checks(target), subject, ctx, disabled=disabled, only=only, deadline=deadline
        )
        violations.extend(found)
        errors.extend(failed)
    return violations, errors


def evaluate_set(
    objects: Sequence[dict[str, Any]],
    facts: ScanFacts,
    *,
    family: str | None = None,
    disabled: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
    deadline: float | None = None,
    origins: Sequence[str] | None = None,
) -> tuple[list[tuple[int, Violation]], list[CheckError]]:
    """The checks over a whole set (of one rule family, if given): ((index, violation)…,
    checks that raised). ``origins``: the file of each object, when they come from files."""
    ctx = SetContext(objects, facts, origins)
    return run_checks(
        checks(Target.SET, family),
        ctx,
        ctx,
        disabled=disabled,
        only=only,
        deadline=deadline,
    )


def _load(ref: InputRef, opts: ScanOptions, result: ScanResult) -> TextInput | None:
    """The input's text, or None with the reason recorded in ``result``."""
    item = ref.load(opts.max_bytes)
    if isinstance(item, InputError):
        result.errors.append(item)
        return None
    if isinstance(item, Skipped):
        result.skipped.append(item)
        return None
    return item


def _scan_inputs(refs: Sequence[InputRef], opts: ScanOptions) -> ScanResult:
    """Read, check and forget each input in turn (the set keeps lean views of its objects)."""
    result = ScanResult()
    read_opts = ReadOptions(as_of=opts.as_of)
    for ref in refs:
        item = _load(ref, opts, result)  # may fail: the file changed since the pre-pass
        if item is None:
            continue
        result.files += 1
        _check_suppressions(item, result)
        try:
            kind = opts.forced_kinds.get(item.path) or kinds.input_kind(item.path, item.text)
            out = front_end(kind).read(item, read_opts)
        except Exception as exc:  # a front end must never take the scan down
            result.errors.append(InputError(item.path, f"internal error reading file: {exc!r}"))
            continue
        secret_lines: set[int] = set()
        documents = 0
        try:
            for doc in out.documents:
                documents += 1
                violations, errors = check_document(doc, opts.facts, opts.disabled)
                result.errors.extend(errors)
                findings_for(doc, violations, opts, result)
                if doc.path == item.path:
                    secret_lines.update(
                        doc.position(v.pointer)[0]
                        for v in violations
                        if RULES[v.code].reports_secrets
                    )
        except Exception as exc:  # a front end must never take the scan down
            result.errors.append(InputError(item.path, f"internal error reading file: {exc!r}"))
        # the front end's counts are complete once its documents are consumed
        if out.objects or documents or not out.errors:
            result.scanned += 1
        result.errors.extend(out.errors)
        result.skipped.extend(out.skipped)
        result.ignored += out.ignored
        result.objects += out.objects
        result.keep.extend(out.keep)
        _check_text(item, opts, result, secret_lines)
    return result


def _check_suppressions(item: TextInput, result: ScanResult) -> None:
    """A warning for each rule code a suppression of the file names that no rule has (it
    suppresses nothing: a typo, or a rule that was renamed)."""
    named = list(suppress.named_codes(item.text))
    if not named:
        return
    codes = all_rules()
    for line, column, code, form in named:
        if code.endswith("*"):
            if any(c.startswith(code[:-1]) for c in codes):
                continue
            what = f"rule code prefix {code} matches no rule"
        elif code in codes:
            continue
        else:
            what = f"unknown rule code {code}"
        where = "a suppression comment" if form == "comment" else "a hardhull.dev/ignore value"
        result.warnings.append(
            InputError(
                item.path,
                f"{what} in {where}: it suppresses nothing (see: hardhull rules)",
                line,
                column,
            )
        )


def _check_text(item: TextInput, opts: ScanOptions, result: ScanResult, taken: set[int]) -> None:
    """The checks over the raw text of every file (they yield (line, column, violation))."""
    doc = TextDocument(item.path, item.text, taken)
    for target, subject, ctx in doc.subjects(opts.facts):
        found, failed = run_checks(checks(target), subject, ctx, disabled=opts.disabled)
        for e in failed:
            result.errors.append(InputError(item.path, f"internal error in {e.code}: {e.error!r}"))
        if found:
            doc.positions = {v.pointer: (line, col) for line, col, v in found}
            findings_for(doc, [v for _, _, v in found], opts, result)


def _run_setchecks(
    result: ScanResult,
    opts: ScanOptions,
    refs: dict[str, InputRef] | None = None,
    context: Sequence[K8sObject] = (),
) -> None:
    """Checks over the whole scanned set (RBAC, network policy): run once, in this process,
    over the lean views the front end kept. ``refs`` (path → input) lets the few objects a set
    check reports on be read again, with their positions and lines. ``context``: the lean
    views of the objects read only as the rest of the set; findings on them are not
    reported."""
    refs = refs or {}
    # workers finish in any order: the same input must give the same findings
    result.keep.sort(key=lambda o: (o.path, o.doc_index, o.prefix))
    objects: list[K8sObject] = result.keep
    if not objects:
        return
    reported = len(objects)
    objects = [*objects, *context]
    found, failed = evaluate_set(
        [o.data for o in objects],
        opts.facts,
        disabled=opts.disabled,
        origins=[o.path for o in objects],
    )
    found = [(index, v) for index, v in found if index < reported]
    for e in failed:
        result.errors.append(InputError("", f"internal error in {e.code}: {e.error!r}"))
    # the objects reported on and the other objects their findings stand for (``related``)
    wanted = [index for index, v in found] + [
        i for _, v in found for i, _ in v.related if 0 <= i < len(objects)
    ]
    located = _locate_again([objects[i] for i in wanted], refs, opts)

    def doc_of(i: int) -> K8sObject:
        obj = objects[i]
        return located.get((obj.path, obj.doc_index, obj.prefix), obj)

    for index, v in found:
        related = [
            locate.related_location(doc_of(i), ptr) for i, ptr in v.related if 0 <= i < len(objects)
        ]
        findings_for(doc_of(index), [v], opts, result, related)


def _locate_again(
    wanted: list[K8sObject], refs: dict[str, InputRef], opts: ScanOptions
) -> dict[tuple[str, int, str], K8sObject]:
    """The objects set checks report on, read again with their positions and lines (one
    pass over each of their files, keeping only those objects)."""
    keys: dict[str, set[tuple[int, str]]] = {}
    for obj in wanted:
        if obj.lines is None and obj.path in refs:
            keys.setdefault(obj.path, set()).add((obj.doc_index, obj.prefix))
    out: dict[tuple[str, int, str], K8sObject] = {}
    for path, want in keys.items():
        item = refs[path].load(opts.max_bytes)
        if not isinstance(item, TextInput):
            continue
        scratch = ParsedFile([], [], [])
        for full in iter_objects(path, item.text, scratch):
            if (full.doc_index, full.prefix) in want:
                out[(path, full.doc_index, full.prefix)] = full
    return out


def _merge(into: ScanResult, part: ScanResult) -> None:
    into.findings.extend(part.findings)
    into.errors.extend(part.errors)
    into.warnings.extend(part.warnings)
    into.skipped.extend(part.skipped)
    into.files += part.files
    into.scanned += part.scanned
    into.objects += part.objects
    into.ignored += part.ignored
    into.suppressed.update(part.suppressed)
    into.waived.extend(part.waived)
    into.keep.extend(part.keep)


def _prepass(
    refs: Sequence[InputRef],
    opts: ScanOptions,
    result: ScanResult,
    context: list[InputRef] | None = None,
) -> list[InputRef]:
    """Read every input once, one at a time: record read errors, leave out kustomize patches,
    learn the facts of the set (of the inputs and the ``context``, from which kustomize
    patches are removed). Returns the inputs to scan."""
    context = [] if context is None else context
    readable: list[InputRef] = []
    patches: dict[str, str] = {}
    with_facts: list[InputRef] = []
    want_levels = "K100" not in opts.disabled

    def learn(ref: InputRef, item: TextInput) -> None:
        patches.update(patches_of(item))
        if wants_facts(item, opts.forced_kinds, want_levels):
            with_facts.append(ref)

    for ref in context:
        got = ref.load(opts.max_bytes)
        if isinstance(got, TextInput):  # the context's own problems are not the scan's
            learn(ref, got)
    for ref in refs:
        item = _load(ref, opts, result)
        if item is not None:
            readable.append(ref)
            learn(ref, item)
    kept: list[InputRef] = []
    for ref in readable:
        where = patches.get(os.path.normpath(ref.path))
        if where is None:
            kept.append(ref)
        else:
            result.skipped.append(
                Skipped(
                    ref.path,
                    f"kustomize patch listed in {where}: a fragment, not an object "
                    "(scan the output of `kustomize build` instead)",
                )
            )
    # a patch in the context is no object of the set either
    context[:] = [ref for ref in context if os.path.normpath(ref.path) not in patches]
    texts = (
        ref.load(opts.max_bytes) for ref in with_facts if os.path.normpath(ref.path) not in patches
    )
    opts.facts = replace(
        scan_facts(
            (t for t in texts if isinstance(t, TextInput)),
            opts.forced_kinds,
            opts.pss_default,
            opts.ns_levels,
            want_levels=want_levels,
        ),
        pss_origin=opts.pss_origin,
        pss_floor=opts.pss_floor,
    )
    return kept


def _key(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _context_refs(inputs: Sequence[InputRef], opts: ScanOptions) -> list[InputRef]:
    """The files of ``opts.context`` that are not scanned inputs themselves."""
    if not opts.context:
        return []
    scanned = {_key(ref.path) for ref in inputs if ref.path != "<stdin>"}
    got = collect(opts.context, excludes=opts.excludes, max_bytes=opts.max_bytes, lazy=True)
    return [ref for ref in got.refs if ref.path != "<stdin>" and _key(ref.path) not in scanned]


def _context_views(refs: Sequence[InputRef], opts: ScanOptions) -> list[K8sObject]:
    """The lean views of the Kubernetes objects of the context, for the set checks (their
    files' errors are not the scan's: ignored)."""
    out: list[K8sObject] = []
    for ref in refs:
        item = ref.load(opts.max_bytes)
        if not isinstance(item, TextInput):
            continue
        kind = opts.forced_kinds.get(item.path) or kinds.input_kind(item.path, item.text)
        if kind != kinds.KUBERNETES:
            continue
        scratch = ParsedFile([], [], [])
        out.extend(obj.kept() for obj in iter_objects(item.path, item.text, scratch))
    out.sort(key=lambda o: (o.path, o.doc_index, o.prefix))
    return out


def scan(paths: Sequence[str], opts: ScanOptions, progress: Progress | None = None) -> ScanResult:
    from hardhull.engine import parallel  # only a large scan needs worker processes

    collected = collect(
        paths,
        excludes=opts.excludes,
        max_bytes=opts.max_bytes,
        stdin_text=opts.stdin_text,
        lazy=True,
    )
    result = ScanResult(errors=collected.errors, skipped=collected.skipped)
    context = _context_refs(collected.refs, opts)
    inputs = _prepass(collected.refs, opts, result, context)
    jobs = opts.jobs or (os.cpu_count() or 1)
    total = len(inputs)
    if jobs > 1 and total >= PARALLEL_THRESHOLD:
        for part in parallel.scan_in_workers(inputs, opts, jobs, _scan_inputs):
            _merge(result, part)
            if progress is not None:
                progress(result.files, total)
    else:
        step = max(total // 50, 1)
        for start in range(0, total, step):
            _merge(result, _scan_inputs(inputs[start : start + step], opts))
            if progress is not None:
                progress(result.files, total)
    _run_setchecks(result, opts, {ref.path: ref for ref in inputs}, _context_views(context, opts))
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
    # a parser's message may quote the input: never a credential
    result.errors = [InputError(e.path, redact(e.message), e.line, e.column) for e in result.errors]
    result.errors.sort(key=lambda e: (e.path, e.line, e.column, e.message))
    result.warnings.sort(key=lambda e: (e.path, e.line, e.column, e.message))
    result.skipped.sort(key=lambda s: (s.path, s.reason))
    return result
