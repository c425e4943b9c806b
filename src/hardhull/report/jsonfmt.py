"""JSON report, schema ``hardhull/report`` version 1 (documented in docs/json-report.md)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hardhull import __version__
from hardhull.model import Finding, ImageSummary, Severity
from hardhull.paths import printable_path

if TYPE_CHECKING:
    from hardhull.model import ScanResult

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": f.rule.code,
        "slug": f.rule.slug,
        "severity": f.severity.label,
        "message": f.message,
        "resource": {
            "apiVersion": f.resource.api_version,
            "kind": f.resource.kind,
            "namespace": f.resource.namespace,
            "name": f.resource.name,
        },
        "pointer": f.pointer,
        "location": {
            "path": printable_path(f.location.path),
            "line": f.location.line,
            "column": f.location.column,
        },
        "fix": f.fix,
        "fingerprint": f.fingerprint,
    }
    if f.related:  # only on findings that stand for other objects (reports stay as they were)
        out["related"] = [
            {
                "path": printable_path(r.location.path),
                "line": r.location.line,
                "column": r.location.column,
                "object": str(r.resource),
            }
            for r in f.related
        ]
    return out


def image_summary_dict(s: ImageSummary) -> dict[str, Any]:
    """One image read, as the JSON and SARIF reports give it."""
    return {
        "ref": s.ref,
        "platform": s.platform,
        "other_platforms": list(s.other_platforms),
        "manifest_digest": s.manifest_digest,
        "config_digest": s.config_digest,
        "layers": s.layers,
        "os": s.os,
        "packages": s.packages,
    }


def render_json(result: ScanResult) -> str:
    return "".join(iter_json(result))


def iter_json(result: ScanResult) -> Iterator[str]:
    """The JSON report in pieces, one finding at a time: written as it is made, a report of a
    million findings never stands in memory whole."""
    counts = Counter(f.severity.label for f in result.findings)
    doc: dict[str, Any] = {
        "schema": "hardhull/report",
        "version": SCHEMA_VERSION,
        "tool": {"name": "hardhull", "version": __version__},
        "summary": {
            "findings": len(result.findings),
            "by_severity": {s.label: counts.get(s.label, 0) for s in Severity},
            "files": result.files,
            "objects": result.objects,
            "ignored_documents": result.ignored,
            "skipped": len(result.skipped),
            "input_errors": len(result.errors),
            "suppressed": dict(sorted(result.suppressed.items())),
        },
        "findings": (finding_dict(f) for f in result.findings) if result.findings else [],
        "errors": [
            {
                "path": printable_path(e.path),
                "line": e.line,
                "column": e.column,
                "message": e.message,
            }
            for e in result.errors
        ],
        "skipped": [{"path": printable_path(s.path), "reason": s.reason} for s in result.skipped],
    }
    if result.image_summaries:  # hardhull image: what was read of each image
        doc["images"] = [image_summary_dict(s) for s in result.image_summaries]
    if result.warnings:  # the key is there only when there are some (reports stay as they were)
        doc["warnings"] = [
            {
                "path": printable_path(w.path),
                "line": w.line,
                "column": w.column,
                "message": w.message,
            }
            for w in result.warnings
        ]
    return iter_report(doc)


def dumps_report(doc: dict[str, Any]) -> str:
    """The report as JSON, one finding (error, skipped file) per line."""
    return "".join(iter_report(doc))


def iter_report(doc: dict[str, Any]) -> Iterator[str]:
    """The report as JSON in pieces, one finding (error, skipped file) per line.

    ``json.dumps(indent=…)`` runs Python's pure-Python encoder, about six times slower than
    the C encoder used for compact output; a report of thousands of findings is written with
    the C encoder, item by item, and stays readable (and greppable) one item per line. A
    value that is a generator is a non-empty list, written as it is consumed.
    """
    yield "{\n"
    first = True
    for key, value in doc.items():
        yield ("" if first else ",\n") + f"  {json.dumps(key)}: "
        first = False
        if isinstance(value, Iterator) or (isinstance(value, list) and value):
            sep = "[\n"
            for item in value:
                yield f"{sep}    {json.dumps(item)}"
                sep = ",\n"
            yield "\n  ]"
        else:
            yield json.dumps(value)
    yield "\n}\n"
