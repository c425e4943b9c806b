"""Property tests: the loader agrees with PyYAML, positions point at real text, nothing escapes.

The default runs are quick (about 200 examples each); the ``slow`` variants try many more.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardhull.formats.yamlpos import YamlError, escape, iter_stream, load_all
from hardhull.frontends.kubernetes import parse_text

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))

# keys that YAML and JSON write verbatim (maybe quoted), so the key's line must contain them
keys = st.text(alphabet="abcXYZ019_-./ ", min_size=0, max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["yes", "no", "on", "off", "~", "null", "0755", "0x1F", ".inf", "1e3",
                       "1_000", "12:30", "'q'", '"d"', "- x", "a: b", "#c", "{{ $labels.x }}",
                       "<<", "*a", "&a", "!Ref", "", " ", "\t", "\n", "é", "\u2028"])
)  # fmt: skip
json_like = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=40,
)
tokens = st.sampled_from(
    ["a", "b:", ": ", " ", "  ", "\n", "\r\n", "\t", "- ", "-", "[", "]", "{", "}", ", ", "&a ",
     "*a", "&b ", "*b", "<<: ", "!!int ", "!!str ", "!!bool ", "!!float ", "!!null ", "!Ref ",
     "!!binary ", "!<tag:x> ", "'", "''", '"', '\\"', "\\u00e9", "\\ud800", "#", "# c\n", "---\n",
     "...\n", "? ", "|\n", "|-\n", ">\n", "~", "0x", "0b", "1e3", "yes", "0755", ".inf", "1:2",
     "%YAML 1.1\n", "%TAG ! x\n", "\ufeff", "\x00", "\x01", "\x85", "\u2028", "é",
     "{{ .Values.x }}", "{{ $labels.x }}", "{{", "}}", "apiVersion: v1\n", "kind: Pod\n",
     "kind: List\n", "items:\n", '{"a": ', "1" * 40])  # fmt: skip
yamlish = st.lists(tokens, max_size=40).map("".join)
garbage = (
    st.text(max_size=200)
    | yamlish
    | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
    | st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace"))
)


def _same(a: Any, b: Any) -> bool:
    """Equality where NaN equals NaN and an int never equals a bool or a float."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _check_positions(text: str, positions: dict[str, tuple[int, int]]) -> None:
    lines = text.splitlines()
    for pointer, (line, col) in positions.items():
        assert 1 <= line <= len(lines), (pointer, line, len(lines))
        assert 1 <= col <= len(lines[line - 1]) + 1, (pointer, line, col)


def _check_keys(text: str, value: Any, positions: dict[str, tuple[int, int]], at: str) -> None:
    """Each mapping key's recorded line holds the key, starting at the recorded column."""
    lines = text.splitlines()
    if isinstance(value, dict):
        for k, v in value.items():
            p = at + "/" + escape(k)
            line, col = positions[p]
            rest = lines[line - 1][col - 1 :]
            assert rest.startswith((k, "'" + k, '"' + k, "? ")), (p, rest)
            _check_keys(text, v, positions, p)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert f"{at}/{i}" in positions
            _check_keys(text, v, positions, f"{at}/{i}")


def _roundtrip(value: Any, flow: bool, width: int) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, width=width, allow_unicode=True)
    docs = load_all(text)
    assert len(docs) == 1
    # PyYAML itself is the reference (its emitter does not round-trip every string, e.g. \x85)
    assert _same(docs[0].data, yaml.safe_load(text))
    _check_positions(text, docs[0].positions)
    _check_keys(text, value, docs[0].positions, "")


@FAST
@given(json_like, st.booleans(), st.sampled_from([20, 80, 1000]))
def test_dumped_data_loads_back_with_positions(value: Any, flow: bool, width: int) -> None:
    _roundtrip(value, flow, width)


@pytest.mark.slow
@SLOW
@given(json_like, st.booleans(), st.sampled_from([20, 80, 1000]))
def test_dumped_data_loads_back_with_positions_slow(value: Any, flow: bool, width: int) -> None:
    _roundtrip(value, flow, width)


def _multi(values: list[Any]) -> None:
    text = yaml.safe_dump_all(values)
    docs = load_all(text)
    assert len(docs) == len(values)
    for doc, value in zip(docs, yaml.safe_load_all(text), strict=True):
        assert _same(doc.data, value)
        _check_positions(text, doc.positions)
        _check_keys(text, value, doc.positions, "")


@settings(max_examples=100, deadline=None)
@given(st.lists(json_like, min_size=1, max_size=4))
def test_multi_document_streams(values: list[Any]) -> None:
    _multi(values)


def _never_crashes(text: str) -> None:
    try:
        docs = load_all(text)
    except YamlError as exc:
        assert exc.message
        assert exc.line >= 0 and exc.column >= 0
        for d in exc.documents:
            _check_positions(text, d.positions)
        return
    for d in docs:
        _check_positions(text, d.positions)


@FAST
@given(garbage)
def test_any_text_loads_or_raises_yaml_error(text: str) -> None:
    _never_crashes(text)


@pytest.mark.slow
@SLOW
@given(garbage)
def test_any_text_loads_or_raises_yaml_error_slow(text: str) -> None:
    _never_crashes(text)


def _parse_never_raises(path: str, text: str) -> None:
    parsed = parse_text(path, text)
    for e in parsed.errors:
        assert "internal error" not in e.message, e
        assert e.path == path and e.message
    for s in parsed.skipped:
        assert s.path == path and s.reason
    for o in parsed.objects:
        assert isinstance(o.data, dict) and o.kind
        line, col = o.position("/metadata/name")
        assert line >= 0 and col >= 0
        assert o.lines is not None
        assert 0 <= line <= max(len(o.lines), 1)
        # a finding's text must be printable in any encoding: no unpaired surrogates
        json.dumps(o.data, ensure_ascii=False).encode("utf-8")


@FAST
@given(st.sampled_from(["x.yaml", "x.json", "<stdin>", "chart/templates/x.yaml"]), garbage)
def test_parse_text_never_raises(path: str, text: str) -> None:
    _parse_never_raises(path, text)


@pytest.mark.slow
@SLOW
@given(st.sampled_from(["x.yaml", "x.json", "<stdin>", "chart/templates/x.yaml"]), garbage)
def test_parse_text_never_raises_slow(path: str, text: str) -> None:
    _parse_never_raises(path, text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=30,
)


def _json_manifest(value: Any, indent: int | str | None, ascii_only: bool) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": value}
    text = json.dumps(obj, indent=indent, ensure_ascii=ascii_only)
    parsed = parse_text("m.json", text)
    assert parsed.errors == [] and parsed.skipped == []
    assert len(parsed.objects) == 1
    got = parsed.objects[0]
    assert _same(got.data, json.loads(text))  # JSON semantics: 1e+20 is a number here
    _check_positions(text, got.positions)
    if indent is not None:  # one key per line: the line of every key holds it
        _check_keys(text, obj, got.positions, "")


@FAST
@given(json_values, st.sampled_from([None, 0, 2, "\t", " \t"]), st.booleans())
def test_json_manifests_keep_json_semantics_and_positions(
    value: Any, indent: int | str | None, ascii_only: bool
) -> None:
    _json_manifest(value, indent, ascii_only)


BROKEN = [
    "a: [1, 2\n", "a: b: c\n", "a: 'unclosed\n", "{a: 1\n", "a: !!int zz\n", "a: *nope\n",
    "a:\n  - x\n y: 1\n", "a: 1\n\tb: 2\n", "- a\nb: c\n", "a: \"x\n  y\n",
]  # fmt: skip


@FAST
@given(
    st.lists(json_like, max_size=3),
    st.sampled_from(BROKEN),
    st.lists(json_like, min_size=1, max_size=3),
)
def test_documents_after_a_broken_one_are_read_as_if_it_were_fixed(
    before: list[Any], broken: str, after: list[Any]
) -> None:
    """issue #9: reading resumes at the next '---' and what follows is exactly what a stream
    without the broken document (comment lines in its place, so lines stay) gives."""

    def dump(values: list[Any]) -> str:
        return "".join("---\n" + yaml.safe_dump(v, allow_unicode=True) for v in values)

    fixed = "#\n" * broken.count("\n")
    with_error = dump(before) + "---\n" + broken + dump(after)
    without = dump(before) + "---\n" + fixed + dump(after)
    got = list(iter_stream(with_error))
    errors = [d for d in got if isinstance(d, YamlError)]
    assert len(errors) == 1
    head = with_error[: with_error.index(broken)]
    breaks = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # as libyaml counts lines
    assert errors[0].resumed_at == len(breaks.findall(head)) + broken.count("\n") + 1
    want = [(d.index, d.line, d.data, d.positions) for d in load_all(without) if d.data is not None]
    assert [
        (d.index, d.line, d.data, d.positions)
        for d in got
        if not isinstance(d, YamlError) and d.data is not None
    ] == want
