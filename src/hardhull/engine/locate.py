"""Violations → findings: locate each in its document, apply suppressions (annotation, line
comment, baseline) and the configured severity."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence

from hardhull import suppress
from hardhull.frontends.interface import Document
from hardhull.model import (
    CUT,
    Finding,
    JSONPatch,
    Location,
    Related,
    Rule,
    ScanResult,
    Severity,
    Violation,
    Waived,
    fingerprint,
)
from hardhull.paths import printable_path
from hardhull.secrets.match import mask
from hardhull.secrets.redact import secret_spans


def _shared_fix(fix: JSONPatch | None, shared: dict[str, JSONPatch]) -> JSONPatch | None:
    """One object for every equal fix of a scan (findings never change their fix)."""
    if not fix:
        return fix
    key = json.dumps(fix, sort_keys=True, default=str)
    return shared.setdefault(key, fix)


def snippet(doc: Document, line: int) -> str:
    """The whole line ``line`` of the document (for suppression comments), "" if unknown."""
    if doc.lines is None or not (0 < line <= len(doc.lines)):
        return ""
    return doc.lines[line - 1].rstrip()


#: the most characters of a line an excerpt shows, and how many of them before the column
EXCERPT_WIDTH = 120
EXCERPT_BEFORE = 40
_SLACK = 8


def excerpt(line: str, column: int = 0, secrets: Iterable[str] = ()) -> tuple[str, int, int]:
    """What reports show of a finding's line: (text, start, end), start and end the 1-based
    columns of the window in the line (end exclusive).

    A window of at most :data:`EXCERPT_WIDTH` characters around ``column`` (from the line's
    indentation, :data:`EXCERPT_BEFORE` characters before the column at most), marked with
    :data:`CUT` where it cuts the line; every credential on it masked as the messages show
    them (``ghp_…(40 chars)``): those the secrets library finds on any line, and ``secrets``,
    the values the finding reports. A window never cuts through a credential.
    """
    line = line.rstrip()
    n = len(line)
    indent = n - len(line.lstrip())
    if n == indent:
        return "", 0, 0
    spans = secret_spans(line, secrets)
    if n - indent <= EXCERPT_WIDTH:
        start, end = indent, n
    else:
        at = min(max(column - 1, indent), n - 1) if column > 0 else indent
        start = max(indent, at - EXCERPT_BEFORE)
        end = min(n, start + EXCERPT_WIDTH)
        start = max(indent, min(start, end - EXCERPT_WIDTH))
        for s, e in spans:  # never cut a credential: it is masked whole
            if s < start < e:
                start = s
            if s < end < e:
                end = e
        # a cut that would leave out only a few characters leaves out none
        start = indent if start - indent <= _SLACK else start
        end = n if n - end <= _SLACK else end
    out = [CUT] if start > indent else []
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        out.append(line[at:s])
        out.append(mask(line[s:e]))
        at = e
    out.append(line[at:end])
    if end < n:
        out.append(CUT)
    return "".join(out), start + 1, end + 1


def related_location(doc: Document, pointer: str) -> Related:
    """Where ``pointer`` is in ``doc``, located as findings are, and what ``doc`` is."""
    line, col = doc.position(pointer)
    return Related(Location(doc.path, line, col), doc.resource)


def findings_for(
    doc: Document,
    violations: Iterable[Violation],
    rules: Mapping[str, Rule],
    severity: Mapping[str, Severity],
    baseline: frozenset[str],
    result: ScanResult,
    related: Sequence[Related] = (),
) -> None:
    """Turn violations into findings in ``result``: locate, suppress, set severity.
    ``related``: the other objects the findings stand for, located (set findings)."""
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
        text, start, end = excerpt(snippet(doc, line), col, v.secrets)
        finding = Finding(
            rule=rule,
            severity=sev,
            # many findings repeat a message, pointer or fix: one copy of each is kept
            message=sys.intern(v.message),
            resource=resource,
            pointer=sys.intern(v.pointer),
            location=Location(doc.path, line, col),
            fix=_shared_fix(v.fix, result.shared),
            snippet=text,
            snippet_start=start,
            snippet_end=end,
            fingerprint=fp,
            related=tuple(related),
        )
        if mechanism:
            result.suppressed[mechanism] += 1
            result.waived.append(Waived(mechanism, finding))
        else:
            result.findings.append(finding)
