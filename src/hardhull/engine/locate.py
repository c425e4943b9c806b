"""Violations → findings: locate each in its document, apply suppressions (annotation, line
comment, baseline) and the configured severity."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping

from hardhull import suppress
from hardhull.frontends.interface import Document
from hardhull.model import (
    Finding,
    JSONPatch,
    Location,
    Rule,
    ScanResult,
    Severity,
    Violation,
    Waived,
    fingerprint,
)
from hardhull.paths import printable_path


def _shared_fix(fix: JSONPatch | None, shared: dict[str, JSONPatch]) -> JSONPatch | None:
    """One object for every equal fix of a scan (findings never change their fix)."""
    if not fix:
        return fix
    key = json.dumps(fix, sort_keys=True, default=str)
    return shared.setdefault(key, fix)


def snippet(doc: Document, line: int) -> str:
    if doc.lines is None or not (0 < line <= len(doc.lines)):
        return ""
    return doc.lines[line - 1].rstrip()


def findings_for(
    doc: Document,
    violations: Iterable[Violation],
    rules: Mapping[str, Rule],
    severity: Mapping[str, Severity],
    baseline: frozenset[str],
    result: ScanResult,
) -> None:
    """Turn violations into findings in ``result``: locate, suppress, set severity."""
    ann = doc.ignore_codes()
    resource = doc.resource
    for v in violations:
        rule = rules[v.code]
        line, col = doc.position(v.pointer)
        mechanism = ""
        if suppress.matches(ann, v.code):
            mechanism = "annotation"
        elif doc.lines is not None and line:
            codes = suppress.comment_codes(snippet(doc, line))
            if codes is None and line > 1:
                prev = doc.lines[line - 2].strip()
                codes = suppress.comment_codes(prev) if prev.startswith("#") else None
            if suppress.matches(codes, v.code):
                mechanism = "comment"
        fp = fingerprint(v.code, printable_path(doc.path), resource, v.pointer)
        if not mechanism and fp in baseline:
            mechanism = "baseline"
        # Severity.INFO is 0: test for None, not truthiness
        sev = severity.get(v.code)
        if sev is None:
            sev = v.severity if v.severity is not None else rule.severity
        finding = Finding(
            rule=rule,
            severity=sev,
            # many findings repeat a message, pointer or fix: one copy of each is kept
            message=sys.intern(v.message),
            resource=resource,
            pointer=sys.intern(v.pointer),
            location=Location(doc.path, line, col),
            fix=_shared_fix(v.fix, result.shared),
            snippet=snippet(doc, line),
            fingerprint=fp,
        )
        if mechanism:
            result.suppressed[mechanism] += 1
            result.waived.append(Waived(mechanism, finding))
        else:
            result.findings.append(finding)
