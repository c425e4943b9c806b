"""JUnit XML report: one suite per rule, one testcase per (file, resource), exact counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hardhull.engine import ScanResult, scan
from hardhull.model import Finding, InputError, Location, Resource, Severity, Skipped
from hardhull.report import render
from hardhull.report.junit import render_junit
from tests.conftest import ROOT
from tests.helpers.report import HELM_SKIP, YAML_ERROR, only, scan_tree

COUNTS = ("tests", "failures", "errors", "skipped")


def parse(result: ScanResult) -> ET.Element:
    text = render_junit(result)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    assert text.endswith("</testsuites>\n")
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    return root


def counts(el: ET.Element) -> tuple[int, ...]:
    return tuple(int(el.attrib[k]) for k in COUNTS)


def outline(
    root: ET.Element,
) -> list[tuple[str, tuple[int, ...], list[tuple[str, str, list[str]]]]]:
    """(suite name, counts, [(classname, name, [child tags])])."""
    return [
        (
            suite.attrib["name"],
            counts(suite),
            [
                (c.attrib["classname"], c.attrib["name"], [ch.tag for ch in c])
                for c in suite.findall("testcase")
            ],
        )
        for suite in root.findall("testsuite")
    ]


def test_scan_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_tree(tmp_path, monkeypatch)
    assert render("junit", result) == render_junit(result)
    root = parse(result)
    assert root.attrib["name"] == "hardhull"
    assert counts(root) == (6, 4, 1, 1)
    assert outline(root) == [
        (
            "K001 privileged-container",
            (2, 2, 0, 0),
            [
                ("my app/job.yaml", "Job/ops/once: K001 privileged-container", ["failure"]),
                ("pod.yaml", "Pod/shop/web: K001 privileged-container", ["failure"]),
            ],
        ),
        (
            "K004 run-as-uid-0",
            (1, 1, 0, 0),
            [("pod.yaml", "Pod/shop/web: K004 run-as-uid-0", ["failure"])],
        ),
        (
            "K014 host-network",
            (1, 1, 0, 0),
            [("pod.yaml", "Pod/shop/web: K014 host-network", ["failure"])],
        ),
        ("input-errors", (1, 0, 1, 0), [("broken.yaml", "read broken.yaml", ["error"])]),
        ("skipped-inputs", (1, 0, 0, 1), [("chart.yaml", "read chart.yaml", ["skipped"])]),
    ]
    # the sum of the suites is the root's count
    suites = root.findall("testsuite")
    assert tuple(map(sum, zip(*(counts(s) for s in suites), strict=True))) == counts(root)

    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    f = result.findings[0]
    assert failure.attrib == {"message": f.message, "type": "critical"}
    assert failure.text == "\n".join(
        [
            f"my app/job.yaml:8:61: {f.message}",
            "rule: K001 privileged-container (Container runs privileged)",
            "severity: critical",
            "resource: Job/ops/once",
            "pointer: /spec/template/spec/containers/0/securityContext/privileged",
            'line: - {name: run, image: "busybox:1", securityContext: {privileged: true}}',
            f"fix: {f.rule.fix}",
        ]
    )
    error = root.find("testsuite[@name='input-errors']/testcase/error")
    assert error is not None
    assert error.attrib == {"message": YAML_ERROR, "type": "input-error"}
    assert error.text == f"broken.yaml:5:1: {YAML_ERROR}"
    skipped = root.find("testsuite[@name='skipped-inputs']/testcase/skipped")
    assert skipped is not None
    assert skipped.attrib == {"message": HELM_SKIP}


def test_several_findings_of_one_pair_are_one_failing_testcase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    result = scan(["examples/insecure"], only(frozenset({"K008", "K019", "K031"})))
    root = parse(result)
    assert counts(root) == (3, 3, 0, 0)
    assert outline(root) == [
        (
            "K008 dangerous-capability",
            (1, 1, 0, 0),
            [
                (
                    "examples/insecure/shop.yaml",
                    "Deployment/default/shop: K008 dangerous-capability",
                    ["failure", "failure"],
                )
            ],
        ),
        (
            "K019 container-runtime-socket",
            (1, 1, 0, 0),
            [
                (
                    "examples/insecure/shop.yaml",
                    "Deployment/default/shop: K019 container-runtime-socket",
                    ["failure"],
                )
            ],
        ),
        (
            "K031 default-namespace",
            (1, 1, 0, 0),
            [
                (
                    "examples/insecure/shop.yaml",
                    "Deployment/default/shop: K031 default-namespace",
                    ["failure"],
                )
            ],
        ),
    ]
    k008 = root.findall("testsuite[@name='K008 dangerous-capability']/testcase/failure")
    assert [fl.attrib["type"] for fl in k008] == ["critical", "medium"]
    assert [(fl.text or "").split("\n")[0] for fl in k008] == [
        f"examples/insecure/shop.yaml:28:21: {result.findings[1].message}",
        f"examples/insecure/shop.yaml:28:34: {result.findings[2].message}",
    ]


def test_clean_scan_has_one_passing_testcase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = scan(["examples/hardened/shop.yaml"], only(frozenset({"K001", "K002", "K014"})))
    root = parse(result)
    assert counts(root) == (1, 0, 0, 0)
    assert outline(root) == [
        ("hardhull", (1, 0, 0, 0), [("hardhull", "hardhull scan", ["system-out"])])
    ]
    out = root.find("testsuite/testcase/system-out")
    assert out is not None
    assert out.text == (
        "hardhull 0.1.0: 1 file(s) read, 6 object(s) checked, no findings, 0 suppressed"
    )


def test_empty_result_is_a_valid_document() -> None:
    root = parse(ScanResult())
    assert counts(root) == (1, 0, 0, 0)
    assert [s.attrib["name"] for s in root.findall("testsuite")] == ["hardhull"]


def test_errors_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\na: [1\n", encoding="utf-8")
    result = scan(["bad.yaml", "nope.yaml"], only(frozenset({"K001"})))
    root = parse(result)
    assert counts(root) == (3, 0, 2, 0)
    assert outline(root) == [
        (
            "input-errors",
            (2, 0, 2, 0),
            [
                ("bad.yaml", "read bad.yaml", ["error"]),
                ("nope.yaml", "read nope.yaml", ["error"]),
            ],
        ),
        ("hardhull", (1, 0, 0, 0), [("hardhull", "hardhull scan", ["system-out"])]),
    ]
    errors = root.findall("testsuite/testcase/error")
    assert [e.text for e in errors] == [
        f"bad.yaml:4:1: {result.errors[0].message}",
        "nope.yaml: no such file or directory",
    ]


def test_escaping_and_invalid_xml_characters() -> None:
    from hardhull.rules import all_rules

    rule = all_rules()["K001"]
    nasty = 'container "a<b>&c\x01" runs privileged \u2603'
    finding = Finding(
        rule=rule,
        severity=Severity.CRITICAL,
        message=nasty,
        resource=Resource("Pod", "p&<q>", "ns"),
        pointer="/spec/containers/0",
        location=Location("dir/a&b <c>.yaml", 3, 5),
        fingerprint="0" * 32,
    )
    errors = [InputError("x\x02.yaml", "bad \x1b byte", 1, 2)]
    skipped = [Skipped("y.yaml", 'reason "quoted" <tag>')]
    root = parse(ScanResult(findings=[finding], errors=errors, skipped=skipped))
    assert counts(root) == (3, 1, 1, 1)
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.attrib == {
        "classname": "dir/a&b <c>.yaml",
        "name": "Pod/ns/p&<q>: K001 privileged-container",
    }
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == 'container "a<b>&c\ufffd" runs privileged \u2603'
    assert (failure.text or "").startswith(
        'dir/a&b <c>.yaml:3:5: container "a<b>&c\ufffd" runs privileged \u2603\n'
    )
    error = root.find("testsuite[@name='input-errors']/testcase/error")
    assert error is not None
    assert error.attrib["message"] == "bad \ufffd byte"
    assert error.text == "x\ufffd.yaml:1:2: bad \ufffd byte"
    skip = root.find("testsuite[@name='skipped-inputs']/testcase/skipped")
    assert skip is not None
    assert skip.attrib == {"message": 'reason "quoted" <tag>'}
