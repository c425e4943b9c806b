"""The compose front end: content detection, extends, anchors, override fragments, version 1
files, suppression and bad input, through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, ScanResult, scan
from hardhull.frontends.compose import looks_like_compose

HARDENING = """\
    user: "10001:10001"
    read_only: true
    cap_drop: [ALL]
    security_opt: [no-new-privileges:true]
    deploy: {resources: {limits: {cpus: "1", memory: 64M, pids: 50}}}
"""


def run(tmp_path: Path, text: str, name: str = "compose.yaml") -> ScanResult:
    path = tmp_path / name
    path.write_text(text)
    return scan([str(path)], ScanOptions(jobs=1))


def rows(result: ScanResult) -> list[tuple[str, int, int, str, str]]:
    return sorted(
        (f.rule.code, f.location.line, f.location.column, str(f.resource), f.message)
        for f in result.findings
    )


def test_extends_inherits_with_the_base_line(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  base:\n"
        "    image: registry.example.com/app:1\n"
        "    privileged: true\n" + HARDENING + "  web:\n"
        "    extends: base\n"
        "  worker:\n"
        "    extends: {service: base}\n"
        "    privileged: false\n"
    )
    assert rows(run(tmp_path, text)) == [
        ("C001", 4, 5, "ComposeService/base", 'service "base" runs privileged'),
        ("C001", 4, 5, "ComposeService/web", 'service "web" runs privileged'),
    ]


def test_extends_from_another_file_skips_absence_rules(tmp_path: Path) -> None:
    text = "services:\n  web:\n    extends: {file: common.yml, service: base}\n    pid: host\n"
    assert rows(run(tmp_path, text)) == [
        ("C003", 4, 5, "ComposeService/web", 'service "web" shares the host pid namespace '
         "(pid: host)"),
    ]  # fmt: skip


def test_override_fragment_skips_absence_rules(tmp_path: Path) -> None:
    text = "services:\n  web:\n    ports: ['127.0.0.1:8080:80']\n"
    result = run(tmp_path, text, "compose.override.yaml")
    assert result.errors == [] and result.findings == []
    assert result.objects == 1


def test_anchor_merge_key_locates_at_merge(tmp_path: Path) -> None:
    text = (
        "x-common: &common\n"
        "  privileged: true\n"
        "services:\n"
        "  web:\n"
        "    <<: *common\n"
        "    image: registry.example.com/app:1\n" + HARDENING
    )
    assert rows(run(tmp_path, text)) == [
        ("C001", 5, 5, "ComposeService/web", 'service "web" runs privileged')
    ]


def test_suppression_by_comment_and_label(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  web:\n"
        "    image: registry.example.com/app:1\n"
        "    privileged: true  # hardhull: ignore[C001]\n"
        "    labels:\n"
        '      hardhull.dev/ignore: "C003: needs the host pids"\n'
        "    pid: host\n" + HARDENING
    )
    result = run(tmp_path, text)
    assert result.findings == []
    assert dict(result.suppressed) == {"comment": 1, "annotation": 1}


def test_labels_list_form_suppression(tmp_path: Path) -> None:
    text = (
        "services:\n  web:\n    image: registry.example.com/app:1\n    pid: host\n"
        "    labels: [hardhull.dev/ignore=C003]\n" + HARDENING
    )
    assert run(tmp_path, text).findings == []


def test_yaml_error_has_line(tmp_path: Path) -> None:
    result = run(tmp_path, "services:\n  web:\n    image: [unclosed\n")
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [(4, "YAML syntax error")]
    assert result.findings == []


def test_duplicate_key_is_an_error_and_the_last_value_is_judged(tmp_path: Path) -> None:
    # issue #9: docker compose refuses a mapping with a key twice ("mapping key ... already
    # defined"); a reviewer would read the first value
    text = (
        "services:\n  web:\n    image: registry.example.com/app:1\n"
        "    privileged: false\n    privileged: true\n" + HARDENING
    )
    result = run(tmp_path, text)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (
            5,
            5,
            "key 'privileged' is set twice in one mapping (first on line 4): docker compose "
            "refuses the file (the rest is checked with the last value)",
        )
    ]
    assert [(code, line) for code, line, *_ in rows(result)] == [("C001", 5)]
    assert run(tmp_path, "services:\n  web:\n    image: a:1\n" + HARDENING).errors == []
    # two merge keys in one mapping: docker compose (YAML 1.2) refuses them too
    text = (
        "x-a: &a {image: a:1}\nx-b: &b {pid: host}\nservices:\n  web:\n    <<: *a\n"
        "    <<: *b\n" + HARDENING
    )
    assert [(e.line, e.column, e.message[:50]) for e in run(tmp_path, text).errors] == [
        (6, 5, "key '<<' is set twice in one mapping (first on lin")
    ]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("- a\n- b\n", "not a compose file: the top level is not a mapping", 1),
        ("services:\n  - web\n", "`services` must be a mapping", 1),
    ],
)
def test_not_a_compose_file(tmp_path: Path, text: str, message: str, line: int) -> None:
    result = run(tmp_path, text)
    assert [(e.message, e.line) for e in result.errors] == [(message, line)]


def test_template_is_skipped(tmp_path: Path) -> None:
    result = run(tmp_path, "services:\n  web:\n    image: {{ image }}:{{ tag }}\n")
    assert result.errors == []
    (skipped,) = result.skipped
    assert skipped.reason.startswith(
        "template syntax ({{ }}) that is not YAML yet: render it first (line 3: "
    )


def test_empty_and_networks_only_files(tmp_path: Path) -> None:
    assert run(tmp_path, "").findings == []
    result = run(tmp_path, "networks:\n  front: {}\n", "compose.yaml")
    assert result.errors == [] and result.findings == [] and result.ignored == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"services": {"web": {"image": "nginx"}}}, True),
        ({"services": {"web": {"build": "."}, "db": None}}, True),
        ({"version": "3.8", "services": {"web": {"image": "nginx"}}}, True),
        ({"apiVersion": "v1", "kind": "List", "services": {"web": {"image": "x"}}}, False),
        ({"services": {"web": {"ports": ["80:80"]}}}, False),
        ({"services": ["web"]}, False),
        ({"services": {"web": "nginx"}}, False),
        ({"services": {}}, False),
        (["services"], False),
        (None, False),
    ],
)
def test_looks_like_compose(data: object, expected: bool) -> None:
    assert looks_like_compose(data) is expected
