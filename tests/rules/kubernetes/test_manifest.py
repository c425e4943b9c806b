"""The manifest rule of ``hardhull/rules/kubernetes/manifest.py``: K041 (a key set twice in
one mapping), positive and negative, with the exact findings, through the real loader and
engine (the duplicate keys come from the text, not from the parsed object)."""

from __future__ import annotations

from hardhull.context import ScanFacts
from hardhull.engine import ScanOptions, ScanResult, check_document, findings_for
from hardhull.frontends.kubernetes import parse_text
from tests.helpers.kubernetes import BASE, CTR_SC_AT, Needle, Row, edit, rows


def k041(text: str, path: str = "w.yaml") -> list[Row]:
    parsed = parse_text(path, text)
    assert parsed.errors == []
    result = ScanResult()
    for obj in parsed.objects:
        vs, errors = check_document(obj, ScanFacts(), frozenset())
        assert errors == []
        findings_for(obj, [v for v in vs if v.code == "K041"], ScanOptions(jobs=1), result)
    return sorted(
        (f.code, f.pointer, f"{f.location.line}:{f.location.column}", f.message, f.severity.label)
        for f in result.findings
    )


def check(text: str, *expected: tuple[str, str, Needle, str, str]) -> None:
    assert k041(text) == rows(text, *expected)


SC = "/spec/containers/0/securityContext"


def test_k041_a_setting_hidden_behind_its_twin() -> None:
    text = edit(
        BASE,
        (CTR_SC_AT, CTR_SC_AT + "        privileged: false\n        privileged: true\n"),
    )
    check(
        text,
        ("K041", f"{SC}/privileged", ("privileged: true", 1),
         "key 'privileged' is set twice in one mapping (first on line 20): "
         "this last value is the one applied", "medium"),
    )  # fmt: skip


def test_k041_hardhull_judges_the_last_value() -> None:
    text = edit(
        BASE,
        (CTR_SC_AT, CTR_SC_AT + "        privileged: false\n        privileged: true\n"),
    )
    objs = parse_text("w.yaml", text).objects
    assert objs[0].data["spec"]["containers"][0]["securityContext"]["privileged"] is True
    vs, _ = check_document(objs[0], ScanFacts(), frozenset())
    assert [(v.code, v.pointer) for v in vs if v.code == "K001"] == [("K001", f"{SC}/privileged")]


def test_k041_every_kind_nested_keys_and_three_times() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: d\n"
        "data:\n  a: '1'\n  b: '2'\n  a: '3'\n  a: '4'\n"
        "  x/y: '5'\n  x/y: '6'\n"
    )
    check(
        text,
        ("K041", "/metadata/name", "name: d",
         "key 'name' is set twice in one mapping (first on line 4): "
         "this last value is the one applied", "medium"),
        ("K041", "/data/a", "a: '4'",
         "key 'a' is set twice in one mapping (first on line 9): "
         "this last value is the one applied", "medium"),
        ("K041", "/data/a", "a: '4'",
         "key 'a' is set twice in one mapping (first on line 7): "
         "this last value is the one applied", "medium"),
        ("K041", "/data/x~1y", "x/y: '6'",
         "key 'x/y' is set twice in one mapping (first on line 11): "
         "this last value is the one applied", "medium"),
    )  # fmt: skip


def test_k041_in_json_and_in_list_items() -> None:
    text = (
        '{"apiVersion": "v1", "kind": "List", "items": [\n'
        ' {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},\n'
        ' {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"},\n'
        '  "data": {"k": "1", "k": "2"}}\n'
        "]}\n"
    )
    assert k041(text, "l.json") == [
        ("K041", "/data/k", "4:22",
         "key 'k' is set twice in one mapping (first on line 4): "
         "this last value is the one applied", "medium"),
    ]  # fmt: skip


def test_k041_negative_merge_keys_and_distinct_keys() -> None:
    # a key that overrides what a merge key '<<' brought in is no duplicate
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        "x: &d {a: 1, b: 2}\ndata:\n  <<: *d\n  a: '3'\n  'true': '1'\n  True: '2'\n"
    )
    # 'true' quoted and True plain are one key once they are JSON: a duplicate
    assert [r[1] for r in k041(text)] == ["/data/true"]
    assert k041(BASE) == []
    # two merge keys: kubectl's YAML reader (and PyYAML) merge both, no duplicate for it
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        "x: &a {a: '1'}\ny: &b {b: '2'}\ndata:\n  <<: *a\n  <<: *b\n"
    )
    assert k041(text) == []
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', b: '2'}\n"
    assert k041(text) == []


def test_k041_is_suppressed_by_a_line_comment() -> None:
    text = edit(
        BASE,
        (
            CTR_SC_AT,
            CTR_SC_AT + "        privileged: false\n"
            "        privileged: false  # hardhull: ignore[K041]\n",
        ),
    )
    assert k041(text) == []
