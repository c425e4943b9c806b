"""Human-readable report: findings grouped by file, the offending line shown, a summary."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TYPE_CHECKING

from hardhull.model import Related, Severity
from hardhull.paths import printable_path

if TYPE_CHECKING:
    from hardhull.model import ScanResult

_COLORS = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"


def render_text(result: ScanResult, color: bool = False) -> str:
    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    out: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        out.append(c(_BOLD, printable_path(path) or "<object>"))
        for f in group:
            loc = f"{f.location.line}:{f.location.column}" if f.location.line else "-"
            sev = c(_COLORS[f.severity], f"{f.severity.label:<8}")
            out.append(f"  {loc:>8}  {sev} {c(_BOLD, f.rule.code)} {f.message}  [{f.resource}]")
            if f.snippet:
                out.append(c(_DIM, f"            | {f.snippet.strip()}"))
            if f.related:
                out.append(c(_DIM, f"            also: {_also(f.related)}"))
        out.append("")
    for e in result.errors:
        out.append(f"error: {printable_path(str(e))}")
    for s in result.skipped:
        out.append(f"skipped: {printable_path(s.path)}: {s.reason}")
    if result.errors or result.skipped:
        out.append("")
    if result.findings:
        out.extend(_summary_table(result))
        out.append("")
    counts = Counter(f.severity for f in result.findings)
    parts = [f"{counts.get(s, 0)} {s.label}" for s in sorted(Severity, reverse=True)]
    out.append(f"{len(result.findings)} finding(s): " + ", ".join(parts))
    supp = sum(result.suppressed.values())
    supp_detail = ", ".join(f"{n} by {k}" for k, n in sorted(result.suppressed.items()))
    for img in result.image_summaries:
        if img.other_platforms:
            out.append(
                f"{printable_path(img.ref)}: read {img.platform or 'the image'}; the index also "
                f"offers {', '.join(img.other_platforms)} (--platform chooses)"
            )
    read = f"{result.images} image(s) read" if result.images else f"{result.files} file(s) read"
    out.append(
        f"{read}, {result.objects} object(s) checked, "
        f"{result.ignored} other document(s) ignored, {len(result.skipped)} skipped, "
        f"{len(result.errors)} input error(s), {supp} suppressed"
        + (f" ({supp_detail})" if supp else "")
    )
    return "\n".join(out) + "\n"


#: the most related objects an ``also:`` line names (the JSON and SARIF reports have all)
_ALSO_MAX = 10


def _also(related: tuple[Related, ...]) -> str:
    """The other objects a finding stands for: ``path:line:column object``, comma-separated."""

    def one(r: Related) -> str:
        loc = r.location
        where = printable_path(loc.path) or "<object>"
        if loc.line:
            where += f":{loc.line}" + (f":{loc.column}" if loc.column else "")
        return f"{where} {r.resource}"

    shown = ", ".join(one(r) for r in related[:_ALSO_MAX])
    more = len(related) - _ALSO_MAX
    return shown + (f" and {more} more (see the JSON or SARIF report)" if more > 0 else "")


def _summary_table(result: ScanResult) -> list[str]:
    """Findings per rule and severity, most severe first: what to fix first at a glance. A
    rule reported at several severities has a row for each, so the counts of each severity
    add up to the totals below the table."""
    rows: Counter[tuple[str, Severity]] = Counter(
        (f.rule.code, f.severity) for f in result.findings
    )
    titles = {f.rule.code: f.rule.title for f in result.findings}
    lines = [f"  {'rule':<6} {'severity':<9} {'count':>5}  title"]
    for code, sev in sorted(rows, key=lambda row: (-row[1], row[0])):
        lines.append(f"  {code:<6} {sev.label:<9} {rows[code, sev]:>5}  {titles[code]}")
    return lines
