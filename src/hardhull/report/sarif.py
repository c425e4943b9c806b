"""SARIF 2.1.0 report, shaped for GitHub code scanning (``github/codeql-action/upload-sarif``).

One run. ``tool.driver.rules`` lists the rules that have results, sorted by code, and each
result's ``ruleIndex`` points into that list. Artifact URIs are relative to the working
directory (``uriBaseId: %SRCROOT%``) with POSIX separators; a file outside the working
directory gets an absolute ``file://`` URI instead. A finding that did not come from a file
(standard input, an admission request) has no physical location, only the logical one: the
Kubernetes resource and the JSON pointer of the offending field. A finding that stands for
other objects too (N001/N002 on a namespace: its other workloads) lists them as
``relatedLocations``, each with an ``id`` and a message naming the object.

Input errors and skipped inputs are ``toolExecutionNotifications`` of the invocation; JSON
patches are not emitted as SARIF ``fixes`` (they are not text replacements), the JSON report
carries them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hardhull import __version__
from hardhull.model import CUT, Finding, Location, Related, Rule, Severity
from hardhull.report import NOT_A_FILE, display_path
from hardhull.report.jsonfmt import image_summary_dict
from hardhull.ruledocs import rule_page

if TYPE_CHECKING:
    from hardhull.model import ScanResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "hardhull"
PROJECT_URI = "https://github.com/hardhull/hardhull"
RULE_DOCS_URI = PROJECT_URI + "/blob/main/docs/rules/{code}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "hardhullFingerprint/v1"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: GitHub code scanning maps these to its critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9)
#: and low (0.1-3.9) security severities
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def pascal_case(slug: str) -> str:
    """``privileged-container`` → ``PrivilegedContainer`` (SARIF wants names as identifiers)."""
    return "".join(part[:1].upper() + part[1:] for part in slug.replace("_", "-").split("-"))


def artifact_location(path: str, cwd: str | None = None) -> dict[str, str] | None:
    """The SARIF artifactLocation of a file path as given, or None when it names no file.

    Relative to ``cwd`` (default: the working directory) under ``%SRCROOT%`` when the file is
    inside it; otherwise an absolute ``file://`` URI.
    """
    if path in NOT_A_FILE:
        return None
    base = os.path.abspath(cwd if cwd is not None else os.getcwd())
    rel: str | None
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path, base)
        except ValueError:  # another drive on Windows
            rel = None
    else:
        rel = os.path.normpath(path)
    if rel is None or rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        absolute = path if os.path.isabs(path) else os.path.join(base, path)
        return {"uri": Path(os.path.normpath(absolute)).as_uri()}
    posix = rel.replace(os.sep, "/")
    return {"uri": quote(posix, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def region(line: int, column: int = 0, end_line: int = 0) -> dict[str, int]:
    """A region from 1-based line/column; unknown line (0) → line 1, unknown column omitted."""
    out = {"startLine": line if line > 0 else 1}
    if line > 0 and column > 0:
        out["startColumn"] = column
    if end_line > out["startLine"]:
        out["endLine"] = end_line
    return out


def _rule_descriptor(rule: Rule, severity: Severity) -> dict[str, Any]:
    text = [f"What it does: {rule.what}", f"Why is this bad? {rule.why}", f"How to fix: {rule.fix}"]
    if rule.example:
        text.append("Example:\n" + rule.example)
    return {
        "id": rule.code,
        "name": pascal_case(rule.slug),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.what},
        "help": {"text": "\n\n".join(text), "markdown": rule_page(rule)},
        "helpUri": RULE_DOCS_URI.format(code=rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "tags": ["security", rule.category] if rule.category else ["security"],
            "severity": rule.severity.label,
            "slug": rule.slug,
        },
    }


def _physical(loc: Location, cwd: str, f: Finding | None = None) -> dict[str, Any] | None:
    art = artifact_location(loc.path, cwd)
    if art is None:
        return None
    reg: dict[str, Any] = dict(region(loc.line, loc.column, loc.end_line))
    phys: dict[str, Any] = {"artifactLocation": art, "region": reg}
    if f is None or not f.snippet or loc.line <= 0 or loc.end_line > loc.line:
        return phys
    snippet = {"text": f.snippet}
    start, end = f.snippet_start, f.snippet_end
    if loc.column <= 0:
        # the whole line is the region: its excerpt is the region's snippet when it shows the
        # whole line (a context region would be no superset of the region)
        if not f.snippet.startswith(CUT) and not f.snippet.endswith(CUT):
            reg["snippet"] = snippet
        return phys
    if not start <= loc.column < end:
        return phys
    # the region runs from the column to the end of the excerpt; the excerpt is its context
    # region when it starts before the column (else the two are the same region)
    reg["endColumn"] = end
    if start < loc.column:
        phys["contextRegion"] = {
            "startLine": loc.line,
            "startColumn": start,
            "endColumn": end,
            "snippet": snippet,
        }
    else:
        reg["snippet"] = snippet
    return phys


def _result(f: Finding, rule_index: int, cwd: str) -> dict[str, Any]:
    res = f.resource
    where = str(res)
    location: dict[str, Any] = {}
    phys = _physical(f.location, cwd, f)
    if phys is not None:
        location["physicalLocation"] = phys
    logical: dict[str, Any] = {}
    if res.name:
        logical["name"] = res.name
    if where:
        logical["fullyQualifiedName"] = where
    logical["kind"] = "resource"
    logical["properties"] = {
        "apiVersion": res.api_version,
        "kind": res.kind,
        "namespace": res.namespace,
        "name": res.name,
        "pointer": f.pointer,
    }
    location["logicalLocations"] = [logical]
    out: dict[str, Any] = {
        "ruleId": f.rule.code,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f"{f.message} [{where}]" if where else f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"severity": f.severity.label},
    }
    if f.related:
        out["relatedLocations"] = [_related(r, i, cwd) for i, r in enumerate(f.related, 1)]
    return out


def _related(r: Related, ident: int, cwd: str) -> dict[str, Any]:
    """A related location: another object the finding stands for, named in its message."""
    res = r.resource
    out: dict[str, Any] = {"id": ident}
    phys = _physical(r.location, cwd)
    if phys is not None:
        out["physicalLocation"] = phys
    logical: dict[str, Any] = {"kind": "resource"}
    if res.name:
        logical["name"] = res.name
    if str(res):
        logical["fullyQualifiedName"] = str(res)
    out["logicalLocations"] = [logical]
    out["message"] = {"text": str(res) or "object"}
    return out


def _notification(
    level: str, kind: str, message: str, path: str, line: int, column: int, cwd: str
) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": level,
        "message": {"text": f"{display_path(path)}: {message}" if path else message},
        "descriptor": {"id": kind},
    }
    phys = _physical(Location(path, line, column), cwd)
    if phys is not None:
        note["locations"] = [{"physicalLocation": phys}]
    return note


def _dir_uri(path: str) -> str:
    uri = Path(os.path.abspath(path)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_log(result: ScanResult, cwd: str | None = None) -> dict[str, Any]:
    """The SARIF log as a dict (``render_sarif`` serialises it)."""
    base = cwd if cwd is not None else os.getcwd()
    # the rules that have results, by code; a rule's security-severity is the highest
    # severity reported for it in this run (its default unless configuration changed it)
    worst: dict[str, Severity] = {}
    rules: dict[str, Rule] = {}
    for f in result.findings:
        rules.setdefault(f.rule.code, f.rule)
        worst[f.rule.code] = max(worst.get(f.rule.code, f.severity), f.severity)
    codes = sorted(rules)
    index = {code: i for i, code in enumerate(codes)}
    notifications = (
        [
            _notification("error", "input-error", e.message, e.path, e.line, e.column, base)
            for e in result.errors
        ]
        + [
            _notification("warning", "skipped-input", s.reason, s.path, 0, 0, base)
            for s in result.skipped
        ]
        + [
            _notification("warning", "unknown-rule-code", w.message, w.path, w.line, w.column, base)
            for w in result.warnings
        ]
    )
    invocation: dict[str, Any] = {
        # exit code 2 in the CLI: there were input errors and nothing could be scanned
        "executionSuccessful": not (result.errors and not result.scanned_anything),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URI,
                "rules": [_rule_descriptor(rules[c], worst[c]) for c in codes],
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _dir_uri(base)}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule.code], base) for f in result.findings],
        "properties": {
            "files": result.files,
            "objects": result.objects,
            "ignoredDocuments": result.ignored,
            "skipped": len(result.skipped),
            "inputErrors": len(result.errors),
            "suppressed": dict(sorted(result.suppressed.items())),
            "suppressedTotal": sum(result.suppressed.values()),
        },
    }
    if result.image_summaries:  # hardhull image: what was read of each image
        run["properties"]["images"] = [image_summary_dict(s) for s in result.image_summaries]
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: ScanResult, cwd: str | None = None) -> str:
    return json.dumps(sarif_log(result, cwd), indent=2) + "\n"
