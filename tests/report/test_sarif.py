"""SARIF report: valid against the official SARIF 2.1.0 schema, and exactly what GitHub needs."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hardhull.engine import ScanResult, scan
from hardhull.model import Finding, Location, Resource, Severity
from hardhull.report import FORMATS, render
from hardhull.report.sarif import artifact_location, pascal_case, region, render_sarif
from hardhull.ruledocs import rule_page
from hardhull.rules import all_rules
from tests.conftest import ROOT
from tests.helpers.report import HELM_SKIP, RULES_ON, YAML_ERROR, only, scan_tree

SCHEMA_PATH = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
DOCS = "https://github.com/hardhull/hardhull/blob/main/docs/rules/"

# RFC 3986 characters; jsonschema checks "uri" formats only with optional packages, so the
# tests bring their own: no spaces, no raw non-ASCII, well-formed percent escapes
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
FORMATS_CHECKER = jsonschema.FormatChecker(formats=())


@FORMATS_CHECKER.checks("uri-reference")
def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_CHARS.match(value))


@FORMATS_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_CHARS.match(value) and _SCHEME.match(value))


def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def validate(doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(schema(), format_checker=FORMATS_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def sarif(result: ScanResult) -> dict[str, Any]:
    text = render_sarif(result)
    assert text.endswith("}\n")
    doc: dict[str, Any] = json.loads(text)
    validate(doc)
    return doc


def test_vendored_schema_is_the_official_2_1_0() -> None:
    s = schema()
    assert s["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert s["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert s["$id"] == (
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/"
        "sarif-schema-2.1.0.json"
    )
    assert s["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft7Validator.check_schema(s)
    assert len(SCHEMA_PATH.read_text(encoding="utf-8")) == 112318
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == (
        "80cd7ffb9b62a4162d541aa9170862dd264f6cce0f04c57f1ac9f2337b808958"
    )
    # every internal reference resolves
    refs = set(re.findall(r'"\$ref": "#/definitions/(\w+)"', SCHEMA_PATH.read_text("utf-8")))
    assert refs == set(s["definitions"])
    assert len(refs) == 52


def test_validator_rejects_broken_logs() -> None:
    validator = jsonschema.Draft7Validator(schema(), format_checker=FORMATS_CHECKER)
    assert not validator.is_valid({"version": "2.1.0"})  # no runs
    assert not validator.is_valid({"version": "2.0.0", "runs": []})
    bad_region = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [
                    {
                        "message": {"text": "m"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "a b.yaml"},
                                    "region": {"startLine": 0},
                                }
                            }
                        ],
                    }
                ],
            }
        ],
    }
    messages = sorted(e.message for e in validator.iter_errors(bad_region))
    assert messages == ["'a b.yaml' is not a 'uri-reference'", "0 is less than the minimum of 1"]


def test_registered_as_a_format() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit")


def test_scan_results_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_tree(tmp_path, monkeypatch)
    doc = sarif(result)
    assert render("sarif", result) == render_sarif(result)
    assert doc["$schema"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hardhull"
    assert driver["version"] == driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/hardhull/hardhull"
    assert [r["id"] for r in driver["rules"]] == ["K001", "K004", "K014"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    assert run["columnKind"] == "unicodeCodePoints"

    by_finding = list(zip(result.findings, run["results"], strict=True))
    got = [
        (
            r["ruleId"],
            r["ruleIndex"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"],
            {
                k: v
                for k, v in r["locations"][0]["physicalLocation"]["region"].items()
                if k != "snippet"
            },
            r["partialFingerprints"],
            r["properties"],
        )
        for _, r in by_finding
    ]
    assert got == [
        (
            "K001",
            0,
            "error",
            {"uri": "my%20app/job.yaml", "uriBaseId": "%SRCROOT%"},
            {"startLine": 8, "startColumn": 61, "endColumn": 79},
            {"hardhullFingerprint/v1": "3647695886d5dfd264fd9d9564567a86"},
            {"severity": "critical"},
        ),
        (
            "K014",
            2,
            "error",
            {"uri": "pod.yaml", "uriBaseId": "%SRCROOT%"},
            {"startLine": 7, "startColumn": 3, "endColumn": 20},
            {"hardhullFingerprint/v1": "5bc6a7d4b0b34f45f97cb1bdf558e03d"},
            {"severity": "high"},
        ),
        (
            "K001",
            0,
            "error",
            {"uri": "pod.yaml", "uriBaseId": "%SRCROOT%"},
            {"startLine": 12, "startColumn": 9, "endColumn": 25},
            {"hardhullFingerprint/v1": "141be93de292290db8fa5ae37391a5e7"},
            {"severity": "critical"},
        ),
        (
            "K004",
            1,
            "error",
            {"uri": "pod.yaml", "uriBaseId": "%SRCROOT%"},
            {"startLine": 13, "startColumn": 9, "endColumn": 21},
            {"hardhullFingerprint/v1": "69b42314cee3fd506898fb18bbfe26d8"},
            {"severity": "high"},
        ),
    ]
    for f, r in by_finding:
        assert r["partialFingerprints"]["hardhullFingerprint/v1"] == f.fingerprint
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["message"] == {"text": f"{f.message} [{f.resource}]"}
        assert "fixes" not in r

    # the whole first result, logical location and context line included
    r0 = by_finding[0][1]
    assert r0["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "my%20app/job.yaml", "uriBaseId": "%SRCROOT%"},
                # the region: from the column to the end of the excerpt, its context region
                "region": {"startLine": 8, "startColumn": 61, "endColumn": 79},
                "contextRegion": {
                    "startLine": 8,
                    "startColumn": 9,
                    "endColumn": 79,
                    "snippet": {
                        "text": '- {name: run, image: "busybox:1", '
                        "securityContext: {privileged: true}}"
                    },
                },
            },
            "logicalLocations": [
                {
                    "name": "once",
                    "fullyQualifiedName": "Job/ops/once",
                    "kind": "resource",
                    "properties": {
                        "apiVersion": "batch/v1",
                        "kind": "Job",
                        "namespace": "ops",
                        "name": "once",
                        "pointer": "/spec/template/spec/containers/0/securityContext/privileged",
                    },
                }
            ],
        }
    ]
    assert r0["message"]["text"].endswith(" [Job/ops/once]")


def test_rule_descriptors_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_tree(tmp_path, monkeypatch)
    rules = sarif(result)["runs"][0]["tool"]["driver"]["rules"]
    by_code = {f.rule.code: f.rule for f in result.findings}
    expected = {
        "K001": ("PrivilegedContainer", "error", "9.5"),
        "K004": ("RunAsUid0", "error", "8.0"),
        "K014": ("HostNetwork", "error", "8.0"),
    }
    assert [r["id"] for r in rules] == sorted(expected)
    for r in rules:
        rule = by_code[r["id"]]
        name, level, security = expected[r["id"]]
        assert sorted(r) == [
            "defaultConfiguration",
            "fullDescription",
            "help",
            "helpUri",
            "id",
            "name",
            "properties",
            "shortDescription",
        ]
        assert r["name"] == name
        assert r["shortDescription"] == {"text": rule.title}
        assert r["fullDescription"] == {"text": rule.what}
        assert r["helpUri"] == f"{DOCS}{r['id']}.md"
        assert r["defaultConfiguration"] == {"level": level}
        assert r["properties"] == {
            "security-severity": security,
            "tags": ["security", "kubernetes-workload"],
            "severity": rule.severity.label,
            "slug": rule.slug,
        }
        assert r["help"]["markdown"] == rule_page(rule)
        text = r["help"]["text"]
        assert text.startswith(f"What it does: {rule.what}\n\nWhy is this bad? {rule.why}\n\n")
        assert f"How to fix: {rule.fix}" in text
        if rule.example:
            assert text.endswith("Example:\n" + rule.example)


def test_invocation_and_run_properties(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = sarif(scan_tree(tmp_path, monkeypatch))["runs"][0]
    assert run["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": f"broken.yaml: {YAML_ERROR}"},
                    "descriptor": {"id": "input-error"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": "broken.yaml",
                                    "uriBaseId": "%SRCROOT%",
                                },
                                "region": {"startLine": 5, "startColumn": 1},
                            }
                        }
                    ],
                },
                {
                    "level": "warning",
                    "message": {"text": f"chart.yaml: {HELM_SKIP}"},
                    "descriptor": {"id": "skipped-input"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": "chart.yaml", "uriBaseId": "%SRCROOT%"},
                                "region": {"startLine": 1},
                            }
                        }
                    ],
                },
            ],
        }
    ]
    assert run["properties"] == {
        "files": 4,
        "objects": 3,
        "ignoredDocuments": 0,
        "skipped": 1,
        "inputErrors": 1,
        "suppressed": {"annotation": 1, "comment": 1},
        "suppressedTotal": 2,
    }


def test_nothing_scanned_is_not_successful(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\na: [1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = sarif(scan(["broken.yaml", "missing.yaml"], only(RULES_ON)))["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [(n["level"], n["locations"][0]["physicalLocation"]) for n in notes] == [
        (
            "error",
            {
                "artifactLocation": {"uri": "broken.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 4, "startColumn": 1},
            },
        ),
        (
            "error",
            {
                "artifactLocation": {"uri": "missing.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            },
        ),
    ]
    assert notes[1]["message"] == {"text": "missing.yaml: no such file or directory"}


def test_severity_override_changes_level_not_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = scan_tree(tmp_path, monkeypatch, severity={"K014": Severity.LOW})
    run = sarif(result)["runs"][0]
    k014 = [r for r in run["results"] if r["ruleId"] == "K014"]
    assert [(r["level"], r["properties"]) for r in k014] == [("note", {"severity": "low"})]
    rule = run["tool"]["driver"]["rules"][2]
    assert rule["id"] == "K014"
    assert rule["defaultConfiguration"] == {"level": "error"}  # the rule's own default
    assert rule["properties"]["security-severity"] == "3.0"  # what this run reported


def test_files_outside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan_tree(tmp_path, monkeypatch)  # writes the tree
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = scan([str(tmp_path / "pod.yaml"), "../my app/job.yaml"], only(RULES_ON))
    run = sarif(result)["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    job_uri = (tmp_path / "my app" / "job.yaml").resolve().as_uri()
    pod_uri = (tmp_path / "pod.yaml").resolve().as_uri()
    assert "%20" in job_uri
    assert uris == [{"uri": job_uri}] + [{"uri": pod_uri}] * 3


def test_absolute_paths_inside_the_working_directory_become_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan_tree(tmp_path, monkeypatch)
    result = scan([str(tmp_path / "my app")], only(RULES_ON))
    run = sarif(result)["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]] == [
        {"uri": "my%20app/job.yaml", "uriBaseId": "%SRCROOT%"}
    ]


def test_stdin_has_only_a_logical_location() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n"
    result = scan(["-"], only(RULES_ON, stdin_text=text))
    run = sarif(result)["runs"][0]
    assert run["results"] == [
        {
            "ruleId": "K014",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": f"{result.findings[0].message} [Pod/p]"},
            "locations": [
                {
                    "logicalLocations": [
                        {
                            "name": "p",
                            "fullyQualifiedName": "Pod/p",
                            "kind": "resource",
                            "properties": {
                                "apiVersion": "v1",
                                "kind": "Pod",
                                "namespace": "",
                                "name": "p",
                                "pointer": "/spec/hostNetwork",
                            },
                        }
                    ]
                }
            ],
            "partialFingerprints": {"hardhullFingerprint/v1": result.findings[0].fingerprint},
            "properties": {"severity": "high"},
        }
    ]


def test_unknown_line_and_column() -> None:
    finding = Finding(
        rule=all_rules()["K014"],
        severity=Severity.INFO,
        message="m",
        resource=Resource("", ""),
        pointer="",
        location=Location("deploy/app.yaml"),
        fingerprint="f" * 32,
    )
    doc = json.loads(render_sarif(ScanResult(findings=[finding]), cwd=os.getcwd()))
    validate(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["level"] == "note"
    assert res["message"] == {"text": "m"}
    assert res["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "deploy/app.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            },
            "logicalLocations": [
                {
                    "kind": "resource",
                    "properties": {
                        "apiVersion": "",
                        "kind": "",
                        "namespace": "",
                        "name": "",
                        "pointer": "",
                    },
                }
            ],
        }
    ]
    assert doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == "1.0"


def test_helpers() -> None:
    assert pascal_case("run-as-uid-0") == "RunAsUid0"
    assert pascal_case("privileged-container") == "PrivilegedContainer"
    assert region(0, 7) == {"startLine": 1}
    assert region(4) == {"startLine": 4}
    assert region(4, 2) == {"startLine": 4, "startColumn": 2}
    assert region(4, 2, 6) == {"startLine": 4, "startColumn": 2, "endLine": 6}
    cwd = "/srv/repo"
    assert artifact_location("./k8s/app.yaml", cwd) == {
        "uri": "k8s/app.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location("/srv/repo/k8s/a#b.yaml", cwd) == {
        "uri": "k8s/a%23b.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location("/srv/other/app.yaml", cwd) == {"uri": "file:///srv/other/app.yaml"}
    assert artifact_location("../other/ü.yaml", cwd) == {"uri": "file:///srv/other/%C3%BC.yaml"}
    assert artifact_location("<stdin>", cwd) is None
    assert artifact_location("", cwd) is None


def test_insecure_example(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = sorted(
        [
            ("K031", 6, 3),
            ("K030", 16, 5),
            ("K014", 17, 7),
            ("K024", 19, 11),
            ("K025", 19, 11),
            ("K026", 19, 11),
            ("K032", 19, 11),
            ("K033", 19, 11),
            ("K027", 20, 11),
            ("K020", 23, 15),
            ("K002", 24, 11),
            ("K006", 24, 11),
            ("K010", 24, 11),
            ("K001", 25, 13),
            ("K004", 26, 13),
            ("K007", 27, 13),
            ("K008", 28, 21),
            ("K008", 28, 34),
            ("K019", 37, 13),
            ("K018", 40, 13),
        ]
    )
    monkeypatch.chdir(ROOT)
    result = scan(["examples/insecure"], only(frozenset(c for c, _, _ in expected)))
    run = sarif(result)["runs"][0]
    got = []
    for r in run["results"]:
        phys = r["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"] == {
            "uri": "examples/insecure/shop.yaml",
            "uriBaseId": "%SRCROOT%",
        }
        got.append((r["ruleId"], phys["region"]["startLine"], phys["region"]["startColumn"]))
    assert sorted(got) == expected
    codes = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert codes == sorted({c for c, _, _ in expected})
    levels = {r["ruleId"]: r["level"] for r in run["results"] if r["ruleId"] in ("K001", "K031")}
    assert levels == {"K001": "error", "K031": "note"}
    k008 = [r for r in run["results"] if r["ruleId"] == "K008"]
    assert [r["properties"]["severity"] for r in k008] == ["critical", "medium"]
    assert [r["level"] for r in k008] == ["error", "warning"]
    assert run["tool"]["driver"]["rules"][codes.index("K008")]["properties"] == {
        "security-severity": "9.5",
        "tags": ["security", "kubernetes-workload"],
        "severity": "high",
        "slug": "dangerous-capability",
    }
    assert [r["partialFingerprints"]["hardhullFingerprint/v1"] for r in run["results"]] == [
        f.fingerprint for f in result.findings
    ]
    assert len({f.fingerprint for f in result.findings}) == 20


def test_hardened_example_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = scan(["examples/hardened/shop.yaml"], only(frozenset({"K001", "K002", "K031"})))
    run = sarif(result)["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"]["objects"] == 6


def test_cli_writes_sarif_and_junit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hardhull.cli import main

    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n"
        "spec:\n  hostNetwork: true\n  containers: []\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    disable = ",".join(sorted(set(all_rules()) - {"K014"}))
    args = ["scan", "pod.yaml", "--disable", disable]
    assert main([*args, "-f", "sarif", "-o", "out.sarif"]) == 1  # high ≥ the default fail-on
    doc = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    validate(doc)
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in doc["runs"][0]["results"]
    ] == [("K014", "pod.yaml")]
    assert main([*args, "-f", "junit", "-o", "out.xml", "--fail-on", "critical"]) == 0
    xml = (tmp_path / "out.xml").read_text(encoding="utf-8")
    assert '<testsuites name="hardhull" tests="1" failures="1" errors="0" skipped="0">' in xml
