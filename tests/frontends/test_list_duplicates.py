"""A key of a ``kind: List`` itself set twice: the API server keeps the last value, so the
objects of the first ``items`` would silently not be applied. It is an input error naming
both lines (a duplicate inside an item is K041's, located in the item)."""

from __future__ import annotations

from hardhull.frontends.kubernetes import parse_text

LIST = """apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: {containers: [{name: c, image: x}]}
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: b}
"""


def test_items_twice_is_an_input_error_with_both_lines() -> None:
    parsed = parse_text("list.yaml", LIST)
    assert [(e.message, e.line, e.column) for e in parsed.errors] == [
        (
            "key 'items' of the List is set twice (lines 3 and 8): the last one wins, the "
            "objects of the first are not applied",
            8,
            1,
        )
    ]
    assert [o.data["metadata"]["name"] for o in parsed.objects] == ["b"]


def test_json_list_and_other_keys() -> None:
    text = '{"apiVersion": "v1", "kind": "List", "kind": "List", "items": []}'
    parsed = parse_text("list.json", text)
    assert [(e.message, e.line) for e in parsed.errors] == [
        (
            "key 'kind' of the List is set twice (lines 1 and 1): the last one wins, the first "
            "value is not applied",
            1,
        )
    ]


def test_duplicates_inside_items_are_not_input_errors() -> None:
    text = LIST.replace("items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n", "")
    text = text.replace("  metadata: {name: a}\n", "  metadata: {name: a}\n  metadata: {name: a}\n")
    assert parse_text("list.yaml", text).errors == []
