"""JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure, CircleCI).

- One ``<testsuite>`` per rule with findings, named ``"CODE slug"``, in code order.
- In it, one ``<testcase>`` per (file, resource) with findings of that rule: ``classname`` is
  the file path, ``name`` is ``"<resource>: CODE slug"``. Each finding of the pair is a
  ``<failure message=… type=severity>`` whose text gives file:line:column, the resource, the
  field pointer, the offending line and how to fix it.
- Input errors: a suite ``input-errors`` with one testcase per file, one ``<error>`` per error.
- Skipped inputs: a suite ``skipped-inputs`` with one ``<skipped>`` testcase per input.
- No findings: a suite ``hardhull`` with one passing testcase ``hardhull scan``, so a clean
  scan still shows up as a passed test.

Counts follow JUnit's meaning: ``tests`` is the number of testcases, ``failures`` the number
of testcases that failed (one testcase may hold several ``<failure>`` elements), ``errors``
the number of testcases in error and ``skipped`` the number skipped; ``<testsuites>`` sums them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TYPE_CHECKING

from hardhull import __version__
from hardhull.model import Finding
from hardhull.report import display_path

if TYPE_CHECKING:
    from hardhull.model import ScanResult

#: characters XML 1.0 does not allow, even escaped
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    """Text safe for XML 1.0: characters it forbids become U+FFFD (escaping is ElementTree's)."""
    return _INVALID_XML.sub("\ufffd", text)


def _where(path: str, line: int, column: int) -> str:
    where = display_path(path)
    if line:
        where += f":{line}"
        if column:
            where += f":{column}"
    return where


def _failure_text(f: Finding) -> str:
    lines = [
        f"{_where(f.location.path, f.location.line, f.location.column)}: {f.message}",
        f"rule: {f.rule.code} {f.rule.slug} ({f.rule.title})",
        f"severity: {f.severity.label}",
        f"resource: {f.resource}",
        f"pointer: {f.pointer or '/'}",
    ]
    if f.snippet:
        lines.append(f"line: {f.snippet.strip()}")
    lines.append(f"fix: {f.rule.fix}")
    return "\n".join(lines)


def _suite(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", {"name": _x(name)})


def _count(suite: ET.Element) -> tuple[int, int, int, int]:
    cases = suite.findall("testcase")
    tests = len(cases)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    for attr, n in (
        ("tests", tests),
        ("failures", failures),
        ("errors", errors),
        ("skipped", skipped),
    ):
        suite.set(attr, str(n))
    return tests, failures, errors, skipped


def junit_tree(result: ScanResult) -> ET.Element:
    """The ``<testsuites>`` element (``render_junit`` serialises it)."""
    root = ET.Element("testsuites", {"name": "hardhull"})
    by_rule = sorted(result.findings, key=lambda f: f.rule.code)  # stable: keeps file order
    for code, rule_findings in groupby(by_rule, key=lambda f: f.rule.code):
        findings = list(rule_findings)
        rule = findings[0].rule
        suite = _suite(root, f"{code} {rule.slug}")
        cases: dict[tuple[str, str], ET.Element] = {}
        for f in findings:
            key = (f.location.path, str(f.resource))
            case = cases.get(key)
            if case is None:
                resource = str(f.resource) or "<object>"
                case = ET.SubElement(
                    suite,
                    "testcase",
                    {
                        "classname": _x(display_path(f.location.path)),
                        "name": _x(f"{resource}: {code} {rule.slug}"),
                    },
                )
                cases[key] = case
            failure = ET.SubElement(
                case, "failure", {"message": _x(f.message), "type": f.severity.label}
            )
            failure.text = _x(_failure_text(f))
    if result.errors:
        suite = _suite(root, "input-errors")
        for path, errors in groupby(
            sorted(result.errors, key=lambda e: e.path), key=lambda e: e.path
        ):
            shown = display_path(path)
            case = ET.SubElement(
                suite, "testcase", {"classname": _x(shown), "name": _x(f"read {shown}")}
            )
            for e in errors:
                err = ET.SubElement(
                    case, "error", {"message": _x(e.message), "type": "input-error"}
                )
                err.text = _x(f"{_where(e.path, e.line, e.column)}: {e.message}")
    if result.skipped:
        suite = _suite(root, "skipped-inputs")
        for s in result.skipped:
            shown = display_path(s.path)
            case = ET.SubElement(
                suite, "testcase", {"classname": _x(shown), "name": _x(f"read {shown}")}
            )
            ET.SubElement(case, "skipped", {"message": _x(s.reason)})
    if not result.findings:
        suite = _suite(root, "hardhull")
        case = ET.SubElement(suite, "testcase", {"classname": "hardhull", "name": "hardhull scan"})
        out = ET.SubElement(case, "system-out")
        out.text = (
            f"hardhull {__version__}: {result.files} file(s) read, {result.objects} "
            f"object(s) checked, no findings, {sum(result.suppressed.values())} suppressed"
        )
    totals = [0, 0, 0, 0]
    for suite in root.findall("testsuite"):
        for i, n in enumerate(_count(suite)):
            totals[i] += n
    for attr, total in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(attr, str(total))
    return root


def render_junit(result: ScanResult) -> str:
    root = junit_tree(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
