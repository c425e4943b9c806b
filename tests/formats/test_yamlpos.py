"""The YAML-with-positions loader: exact data, exact (line, column) of each field, bad input."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from hardhull.formats.yamlpos import (
    MAX_DEPTH,
    YamlDocument,
    YamlError,
    YamlLimitError,
    escape,
    iter_stream,
    load_all,
    locate,
    resolve_plain,
)


def one(text: str) -> YamlDocument:
    docs = load_all(text)
    assert len(docs) == 1
    return docs[0]


def data(text: str) -> Any:
    return one(text).data


def error(text: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        load_all(text)
    return info.value


# --- structure and positions -------------------------------------------------------------


def test_block_mapping_and_sequence_positions() -> None:
    doc = one(
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  containers:\n"
        "    - name: app\n"
        "      image: nginx\n"
        "    - name: side\n"
        "      securityContext:\n"
        "        privileged: true\n"
    )
    assert doc.data == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {
            "containers": [
                {"name": "app", "image": "nginx"},
                {"name": "side", "securityContext": {"privileged": True}},
            ]
        },
    }
    assert doc.positions == {
        "": (1, 1),
        "/apiVersion": (1, 1),
        "/kind": (2, 1),
        "/metadata": (3, 1),
        "/metadata/name": (4, 3),
        "/spec": (5, 1),
        "/spec/containers": (6, 3),
        "/spec/containers/0": (7, 7),
        "/spec/containers/0/name": (7, 7),
        "/spec/containers/0/image": (8, 7),
        "/spec/containers/1": (9, 7),
        "/spec/containers/1/name": (9, 7),
        "/spec/containers/1/securityContext": (10, 7),
        "/spec/containers/1/securityContext/privileged": (11, 9),
    }
    assert (doc.index, doc.line, doc.end_line, doc.complex_keys) == (0, 1, 12, False)


def test_sequence_of_scalars_and_nested_sequences() -> None:
    doc = one("- a\n- - b\n  - c\n-\n")
    assert doc.data == ["a", ["b", "c"], None]
    assert doc.positions == {
        "": (1, 1),
        "/0": (1, 3),
        "/1": (2, 3),
        "/1/0": (2, 5),
        "/1/1": (3, 5),
        "/2": (4, 2),
    }


def test_flow_style_positions() -> None:
    doc = one("ports: [{containerPort: 80, hostPort: 8080}, 443]\nlabels: {app: web}\n")
    assert doc.data == {
        "ports": [{"containerPort": 80, "hostPort": 8080}, 443],
        "labels": {"app": "web"},
    }
    assert doc.positions == {
        "": (1, 1),
        "/ports": (1, 1),
        "/ports/0": (1, 9),
        "/ports/0/containerPort": (1, 10),
        "/ports/0/hostPort": (1, 29),
        "/ports/1": (1, 46),
        "/labels": (2, 1),
        "/labels/app": (2, 10),
    }


def test_keys_with_slash_and_tilde_are_escaped_in_pointers() -> None:
    doc = one("metadata:\n  annotations:\n    a/b: 1\n    c~d: 2\n")
    assert doc.positions["/metadata/annotations/a~1b"] == (3, 5)
    assert doc.positions["/metadata/annotations/c~0d"] == (4, 5)
    assert escape("a/b~c") == "a~1b~0c"
    assert escape("plain") == "plain"


def test_multi_document_stream() -> None:
    docs = load_all("# leading comment\na: 1\n---\nb: 2\n...\n---\n---\nc:\n  - 3\n")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, None, {"c": [3]}]
    assert [d.index for d in docs] == [0, 1, 2, 3]
    assert [d.line for d in docs] == [2, 3, 6, 7]
    assert docs[0].positions == {"": (2, 1), "/a": (2, 1)}
    assert docs[1].positions == {"": (4, 1), "/b": (4, 1)}
    assert docs[3].positions == {"": (8, 1), "/c": (8, 1), "/c/0": (9, 5)}


def test_empty_and_comment_only_streams_have_no_documents() -> None:
    assert load_all("") == []
    assert load_all("\n\n") == []
    assert load_all("# just a comment\n# and another\n") == []


def test_explicit_empty_document_is_null() -> None:
    docs = load_all("---\n")
    assert [d.data for d in docs] == [None]
    docs = load_all("--- # nothing here\n...\n")
    assert [d.data for d in docs] == [None]


def test_indented_root_and_position_of_root() -> None:
    doc = one("\n\n   a: 1\n   b: 2\n")
    assert doc.positions == {"": (3, 4), "/a": (3, 4), "/b": (4, 4)}
    assert doc.line == 3


def test_locate_walks_up_to_the_nearest_ancestor() -> None:
    doc = one("spec:\n  template:\n    spec:\n      containers: []\n")
    assert locate(doc.positions, "/spec/template/spec/securityContext/runAsNonRoot") == (
        (3, 5),
        "/spec/template/spec",
    )
    assert locate(doc.positions, "/spec/template") == ((2, 3), "/spec/template")
    assert locate(doc.positions, "/missing") == ((1, 1), "")
    assert locate({}, "/a/b") == ((0, 0), "")


# --- anchors, aliases, merge keys -------------------------------------------------------


def test_anchor_and_alias_share_data_and_locate_at_the_alias() -> None:
    doc = one("base: &res\n  cpu: 1\n  memory: 2Gi\nother: *res\nlist:\n  - &x hello\n  - *x\n")
    assert doc.data == {
        "base": {"cpu": 1, "memory": "2Gi"},
        "other": {"cpu": 1, "memory": "2Gi"},
        "list": ["hello", "hello"],
    }
    assert doc.positions["/other"] == (4, 1)
    assert "/other/cpu" not in doc.positions  # inside an alias: located at the alias
    assert locate(doc.positions, "/other/cpu") == ((4, 1), "/other")
    assert doc.positions["/list/1"] == (7, 5)


def test_merge_keys() -> None:
    doc = one(
        "defaults: &d\n"
        "  runAsUser: 1000\n"
        "  runAsNonRoot: true\n"
        "extra: &e\n"
        "  readOnlyRootFilesystem: true\n"
        "  runAsUser: 5\n"
        "ctx:\n"
        "  runAsUser: 0\n"
        "  <<: [*d, *e]\n"
        "  privileged: false\n"
    )
    assert doc.data["ctx"] == {
        "runAsUser": 0,  # explicit keys win over merged ones
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,  # earlier sources win over later ones (runAsUser)
        "privileged": False,
    }
    assert doc.data == yaml.safe_load(
        "defaults: &d\n  runAsUser: 1000\n  runAsNonRoot: true\n"
        "extra: &e\n  readOnlyRootFilesystem: true\n  runAsUser: 5\n"
        "ctx:\n  runAsUser: 0\n  <<: [*d, *e]\n  privileged: false\n"
    )
    # merged keys are located at the '<<' that brought them in
    assert doc.positions["/ctx/runAsNonRoot"] == (9, 3)
    assert doc.positions["/ctx/readOnlyRootFilesystem"] == (9, 3)
    assert doc.positions["/ctx/runAsUser"] == (8, 3)
    assert doc.positions["/ctx/privileged"] == (10, 3)
    assert "/ctx/<<" not in doc.positions


def test_merge_key_single_mapping_and_later_override() -> None:
    doc = one("a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  y: 3\n")
    assert doc.data == {"a": {"x": 1, "y": 2}, "b": {"x": 1, "y": 3}}
    assert doc.positions["/b/y"] == (4, 3)
    assert doc.positions["/b/x"] == (3, 3)


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert data("'<<': {a: 1}\n") == {"<<": {"a": 1}}
    assert data("a: <<\n") == {"a": "<<"}


def test_merge_key_needs_mappings() -> None:
    e = error("a: 1\n<<: 5\n")
    assert (e.message, e.line, e.column) == (
        "merge key '<<' needs a mapping or a list of mappings",
        2,
        1,
    )
    e = error("x: &x [1]\ny:\n  <<: [*x]\n")
    assert (e.line, e.column) == (3, 3)


def test_unknown_alias() -> None:
    e = error("a: *nope\n")
    assert (e.message, e.line, e.column) == (
        "unknown alias *nope (no anchor &nope before it)",
        1,
        4,
    )
    # anchors do not cross documents
    e = error("a: &x 1\n---\nb: *x\n")
    assert (e.message, e.line) == ("unknown alias *x (no anchor &x before it)", 3)


def test_recursive_alias_is_an_error() -> None:
    e = error("a: &a [1, *a]\n")
    assert (e.message, e.line, e.column) == (
        "recursive alias *a: it is inside the node it refers to",
        1,
        11,
    )
    assert isinstance(e, YamlLimitError)  # hostile: an input error in any file
    e = error("&r\nself: *r\n")
    assert (e.line, e.column) == (2, 7)


def test_alias_to_a_redefined_anchor_uses_the_latest() -> None:
    assert data("a: &x 1\nb: &x 2\nc: *x\n") == {"a": 1, "b": 2, "c": 2}


# --- scalars: YAML 1.1 resolution like PyYAML -------------------------------------------

PLAIN = [
    ("yes", True), ("Yes", True), ("YES", True), ("no", False), ("NO", False),
    ("on", True), ("On", True), ("off", False), ("OFF", False),
    ("true", True), ("True", True), ("false", False), ("FALSE", False),
    ("y", "y"), ("n", "n"), ("yEs", "yEs"),
    ("~", None), ("null", None), ("Null", None), ("NULL", None), ("nil", "nil"),
    ("0", 0), ("-0", 0), ("+12", 12), ("1_000", 1000), ("0755", 493), ("0o17", "0o17"),
    ("0x1F", 31), ("-0x10", -16), ("0b101", 5), ("190:20:30", 685230), ("08", "08"),
    ("1.5", 1.5), ("-1.5", -1.5), ("0.", 0.0), ("1.0e+3", 1000.0), ("6.8523015e+5", 685230.15),
    ("1e3", "1e3"), ("1.0e3", "1.0e3"), (".5", 0.5), ("1_0.5", 10.5),
    (".inf", math.inf), ("-.inf", -math.inf), ("+.inf", math.inf), (".Inf", math.inf),
    ("190:20:30.15", 685230.15),
    ("2001-12-14", "2001-12-14"), ("=", "="), ("0x", "0x"), ("+", "+"), (".", "."),
    ("1:60", "1:60"), ("0.1.2", "0.1.2"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PLAIN)
def test_plain_scalars_resolve_like_pyyaml(text: str, expected: Any) -> None:
    got = data(f"v: {text}\n")["v"]
    assert got == expected and type(got) is type(expected)
    # PyYAML builds dates from timestamps and has no constructor for the '=' value tag
    if text not in ("=", "2001-12-14"):
        assert yaml.safe_load(f"v: {text}\n")["v"] == expected


def test_nan() -> None:
    for text in (".nan", ".NaN", ".NAN"):
        v = data(f"v: {text}\n")["v"]
        assert isinstance(v, float) and math.isnan(v)
        assert resolve_plain(text) != resolve_plain(text)


def test_unbuildable_numbers_stay_strings() -> None:
    # PyYAML raises ValueError here; a file must not fail because of one odd value
    assert data("v: 0b_\n")["v"] == "0b_"
    assert data("v: 0x_\n")["v"] == "0x_"
    big = "1" * 5000  # over Python's int digit limit
    assert data(f"v: {big}\n")["v"] == big


def test_quoted_scalars_are_strings() -> None:
    assert data(
        "a: 'yes'\nb: \"0755\"\nc: '~'\nd: \"null\"\ne: '1.5'\nf: 'it''s'\ng: \"\\u00e9\\t\"\n"
        "h: ''\n"
    ) == {
        "a": "yes",
        "b": "0755",
        "c": "~",
        "d": "null",
        "e": "1.5",
        "f": "it's",
        "g": "é\t",
        "h": "",
    }


def test_block_scalars() -> None:
    assert data("a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\nc: |-\n  strip\n") == {
        "a": "line 1\nline 2\n",
        "b": "folded text\n",
        "c": "strip",
    }


def test_explicit_tags() -> None:
    assert data(
        "a: !!str 123\nb: !!int '42'\nc: !!float 1\nd: !!bool yes\ne: !!null ''\n"
        "f: !!str yes\ng: !!binary aGVsbG8=\nh: !!timestamp 2001-12-14\n"
        "i: !<tag:yaml.org,2002:str> 7\n"
    ) == {
        "a": "123",
        "b": 42,
        "c": 1.0,
        "d": True,
        "e": None,
        "f": "yes",
        "g": "aGVsbG8=",  # kept as text (what a Secret's data holds anyway)
        "h": "2001-12-14",
        "i": "7",
    }


def test_unknown_tags_keep_their_value() -> None:
    # CloudFormation-style application tags: the value is kept, the tag dropped
    assert data("a: !Ref MyBucket\nb: !Sub [x, {y: 1}]\nc: !GetAtt {k: v}\nd: !custom 12\n") == {
        "a": "MyBucket",
        "b": ["x", {"y": 1}],
        "c": {"k": "v"},
        "d": "12",
    }
    assert data("- !!set {a, b}\n- !!omap [x: 1]\n") == [{"a": None, "b": None}, [{"x": 1}]]


def test_bad_explicit_tag_values() -> None:
    e = error("a: !!int 1.5\n")
    assert (e.message, e.line, e.column) == ("cannot read '1.5' as !!int", 1, 4)
    e = error("a:\n  b: !!bool maybe\n")
    assert (e.message, e.line, e.column) == ("cannot read 'maybe' as !!bool", 2, 6)
    e = error("a: !!float abc\n")
    assert e.message == "cannot read 'abc' as !!float"


# --- keys --------------------------------------------------------------------------------


def test_duplicate_keys_last_wins_with_its_positions() -> None:
    doc = one(
        "spec:\n"
        "  hostNetwork: true\n"
        "  securityContext:\n"
        "    runAsNonRoot: true\n"
        "spec:\n"
        "  hostPID: true\n"
    )
    assert doc.data == {"spec": {"hostPID": True}}
    assert doc.data == yaml.safe_load(
        "spec:\n  hostNetwork: true\n  securityContext:\n    runAsNonRoot: true\n"
        "spec:\n  hostPID: true\n"
    )
    assert doc.positions == {"": (1, 1), "/spec": (5, 1), "/spec/hostPID": (6, 3)}


def test_duplicate_scalar_keys() -> None:
    doc = one("a: 1\nb: 2\na: 3\n")
    assert doc.data == {"a": 3, "b": 2}
    assert doc.positions == {"": (1, 1), "/a": (3, 1), "/b": (2, 1)}


def test_keys_that_are_not_strings_become_strings() -> None:
    # as sigs.k8s.io/yaml does when it turns YAML into JSON
    doc = one("1: a\n2.5: b\ntrue: c\n~: d\n0x10: e\n")
    assert doc.data == {"1": "a", "2.5": "b", "true": "c", "null": "d", "16": "e"}
    assert doc.positions["/16"] == (5, 1)
    assert not doc.complex_keys
    # an int key and the string key "1" are then the same key: the last one wins
    assert data("1: int\n'1': str\n") == {"1": "str"}


def test_complex_keys_are_flagged() -> None:
    doc = one("? [a, b]\n: 1\n{x: 1}: 2\nplain: 3\n")
    assert doc.data == {"[a, b]": 1, "{x: 1}": 2, "plain": 3}
    assert doc.complex_keys
    # an unrendered template placeholder parses as a flow mapping used as a key
    doc = one("replicas: {{ .Values.replicas }}\n")
    assert doc.complex_keys
    assert doc.data == {"replicas": {"{.Values.replicas: null}": None}}


# --- encodings and whitespace -----------------------------------------------------------


def test_bom_is_not_a_column() -> None:
    doc = one("\ufeffapiVersion: v1\nkind: Pod\n")
    assert doc.data == {"apiVersion": "v1", "kind": "Pod"}
    assert doc.positions == {"": (1, 1), "/apiVersion": (1, 1), "/kind": (2, 1)}


def test_crlf_line_endings() -> None:
    doc = one("a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  t\r\n")
    assert doc.data == {"a": 1, "b": ["x", "y"], "c": "t\n"}
    assert doc.positions == {
        "": (1, 1),
        "/a": (1, 1),
        "/b": (2, 1),
        "/b/0": (3, 5),
        "/b/1": (4, 5),
        "/c": (5, 1),
    }


def test_tabs() -> None:
    # a tab after the colon is separation space (libyaml accepts it; PyYAML's pure parser not)
    doc = one("a:\t1\nb: x\ty\n")
    assert doc.data == {"a": 1, "b": "x\ty"}
    assert doc.positions["/b"] == (2, 1)
    # a tab in indentation is an error, with its place
    e = error("a:\n\tb: 1\n")
    assert e.message.startswith("YAML syntax error: found character that cannot start any token")
    assert (e.line, e.column) == (2, 1)


def test_json_input() -> None:
    text = '{\n  "kind": "Pod",\n  "spec": {"containers": [{"name": "a", "ports": [80]}]}\n}\n'
    doc = one(text)
    assert doc.data == {"kind": "Pod", "spec": {"containers": [{"name": "a", "ports": [80]}]}}
    assert doc.positions == {
        "": (1, 1),
        "/kind": (2, 3),
        "/spec": (3, 3),
        "/spec/containers": (3, 12),
        "/spec/containers/0": (3, 27),
        "/spec/containers/0/name": (3, 28),
        "/spec/containers/0/ports": (3, 41),
        "/spec/containers/0/ports/0": (3, 51),
    }
    # compact JSON, no space after the colon
    assert data('{"a":1,"b":{"c":[true,null]}}') == {"a": 1, "b": {"c": [True, None]}}


def test_unicode_columns_count_characters() -> None:
    doc = one("é: 1\nname: ü\nx: {ä: 1, b: 2}\n")
    assert doc.positions["/x/b"] == (3, 11)


# --- errors --------------------------------------------------------------------------------


def test_syntax_error_has_line_and_column() -> None:
    e = error("a: 1\nb: [1, 2\nc: 3\n")
    assert e.message.startswith("YAML syntax error: ")
    assert (e.line, e.column) == (3, 2)
    e = error("a: b: c\n")
    assert (e.message, e.line, e.column) == (
        "YAML syntax error: mapping values are not allowed in this context",
        1,
        5,
    )


def test_documents_before_an_error_are_kept() -> None:
    e = error("a: 1\n---\nb: 2\n---\nc: [\n")
    assert [d.data for d in e.documents] == [{"a": 1}, {"b": 2}]
    assert e.documents[1].positions == {"": (3, 1), "/b": (3, 1)}
    assert e.line == 6


def stream(text: str) -> list[tuple[Any, ...]]:
    return [
        ("error", d.line, d.column, d.resumed_at, d.unchecked)
        if isinstance(d, YamlError)
        else (d.index, d.line, d.data, d.positions)
        for d in iter_stream(text)
    ]


def test_stream_resumes_at_the_next_document_marker() -> None:
    # issue #9: documents after a broken one are read, at the same lines as in the file
    assert stream("a: 1\n---\nb: [1, 2\n  x: 3\nd: 4\n---\nc: 3\n---\ne: {f: 1}\n") == [
        (0, 1, {"a": 1}, {"": (1, 1), "/a": (1, 1)}),
        ("error", 4, 4, 6, 0),
        (2, 6, {"c": 3}, {"": (7, 1), "/c": (7, 1)}),
        (3, 8, {"e": {"f": 1}}, {"": (9, 1), "/e": (9, 1), "/e/f": (9, 5)}),
    ]


def test_stream_resumes_at_a_marker_the_error_is_found_at() -> None:
    # an unclosed flow node or quoted scalar runs into the next '---': that one starts a
    # document, the broken one is on the line(s) before it
    assert stream("--- {a: [\n--- \nc: 3\n") == [
        ("error", 2, 1, 2, 0),
        (1, 2, {"c": 3}, {"": (3, 1), "/c": (3, 1)}),
    ]
    assert stream("a: 'x\n---\nb: 1\n") == [
        ("error", 2, 1, 2, 0),
        (1, 2, {"b": 1}, {"": (3, 1), "/b": (3, 1)}),
    ]


def test_stream_never_resumes_on_the_broken_line_or_inside_a_node() -> None:
    # '--- [' breaks on its own line: the marker there is the broken document's own
    assert stream("a: 1\n--- [\n") == [
        (0, 1, {"a": 1}, {"": (1, 1), "/a": (1, 1)}),
        ("error", 3, 1, 0, 0),
    ]
    # '---x' and ' ---' are no markers
    assert [d[0] for d in stream("a: [\n---x\n ---\n")] == ["error"]


def test_stream_counts_crlf_and_other_breaks_as_libyaml_does() -> None:
    assert stream("a: 1\r\n---\r\nb: x: y\r\n---\r\nc: 3\r\n") == [
        (0, 1, {"a": 1}, {"": (1, 1), "/a": (1, 1)}),
        ("error", 3, 5, 4, 0),
        (2, 4, {"c": 3}, {"": (5, 1), "/c": (5, 1)}),
    ]


def test_stream_does_not_resume_after_hostile_input_and_counts_the_rest() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n" for a, b in zip("abcde", "bcdef", strict=True)
    )
    out = stream(bomb + "---\nx: 1\n---\ny: 2\n")
    assert out == [("error", 5, 36, 0, 2)]
    errors = [d for d in iter_stream(bomb + "---\nx: 1\n") if isinstance(d, YamlError)]
    assert isinstance(errors[0], YamlLimitError)
    assert errors[0].described == (
        "alias expansion too large (a YAML 'billion laughs' bomb?); "
        "1 document after it was not checked"
    )


def test_stream_stops_resuming_after_max_resumes() -> None:
    from hardhull.formats.yamlpos import MAX_RESUMES

    out = stream("a: [\n---\n" * (MAX_RESUMES + 3) + "b: 1\n")
    errors = [d for d in out if d[0] == "error"]
    assert len(errors) == MAX_RESUMES + 1
    assert errors[-1][3:] == (0, 3)  # not resumed, 3 documents counted


def test_stream_shares_the_alias_budget_across_resumptions() -> None:
    # just under the budget, then a syntax error, again and again: the second part is over
    half = (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n" for a, b in zip("abc", "bcd", strict=True)
        )
        + "e: [*d, *d, *d, *d, *d]\n"
    )  # about 68 000 nodes: two of them are over the budget
    out = stream(half + "z: [\n---\n" + half + "z: [\n---\nok: 1\n")
    assert [d[0] for d in out] == ["error", "error"]
    assert out[1][4] == 1  # the bomb stopped reading; 'ok: 1' counted


def test_duplicate_keys_are_recorded_at_the_last_one() -> None:
    # issue #9: the data holds the last value; both places are kept
    d = one(
        "x: &a {p: 1}\ny: &b {q: 2}\ns:\n  <<: *a\n  <<: *b\n  p: 3\n  p: 4\n  p: 5\n"
        "t:\n  p: 0\n  <<: *a\nu:\n  <<: *a\n  p: 6\n  p: 7\n"
    )
    assert d.data["s"] == {"p": 5, "q": 2} and d.data["t"] == {"p": 0}
    assert d.data["u"] == {"p": 7}
    assert d.duplicates == [
        ("/s/<<", (4, 3), (5, 3)),  # a second merge key: both merge (YAML 1.2 readers refuse)
        ("/s/p", (6, 3), (7, 3)),
        ("/s/p", (7, 3), (8, 3)),
        ("/u/p", (14, 3), (15, 3)),  # the first explicit 'p' overrides the merged one
    ]
    assert d.positions["/s/p"] == (8, 3)
    assert one("a: 1\nb: {a: 1}\n").duplicates == []


def test_control_characters_are_reported_with_their_place() -> None:
    e = error("a: 1\nb: x\x01y\n")
    assert (e.message, e.line, e.column) == (
        "character U+0001 is not allowed in YAML (control characters are not allowed)",
        2,
        5,
    )
    e = error("é: ok\nb: \x00\n")
    assert (e.line, e.column) == (2, 4)


def test_unpaired_surrogate_in_text() -> None:
    e = error("a: 1\nb: x\udcffy\n")
    assert (e.message, e.line, e.column) == (
        "character U+DCFF is not allowed in YAML (unpaired surrogate)",
        2,
        5,
    )


def test_billion_laughs_is_refused_fast() -> None:
    lol = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lol.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    # refused by the expansion bound (the message), not by running out of time
    e = error("\n".join(lol) + "\n")
    assert isinstance(e, YamlLimitError)
    assert (e.message, e.line) == ("alias expansion too large (a YAML 'billion laughs' bomb?)", 6)


def test_moderate_alias_use_is_fine() -> None:
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "".join(f"k{i}: *a\n" for i in range(200))
    doc = one(text)
    assert doc.data["k199"] == list(range(1, 11))


def test_flow_depth_bomb_is_refused_fast() -> None:
    e = error("[" * 10_000)
    assert isinstance(e, YamlLimitError)
    assert e.message == f"nesting deeper than {MAX_DEPTH} levels"
    assert e.line == 1
    e = error("{a: " * 100_000)
    assert isinstance(e, YamlLimitError)


def test_block_depth_bomb_is_refused_at_the_bound() -> None:
    text = "".join(" " * i + "a:\n" for i in range(300))
    e = error(text)
    assert isinstance(e, YamlLimitError)
    assert (e.message, e.line, e.column) == (f"nesting deeper than {MAX_DEPTH} levels", 257, 257)
    e = error("- " * 100_000 + "x\n")
    assert isinstance(e, YamlLimitError)
    assert (e.line, e.column) == (1, 2 * MAX_DEPTH + 1)


def test_depth_bound_is_configurable() -> None:
    assert load_all("a: {b: {c: 1}}\n", max_depth=3)[0].data == {"a": {"b": {"c": 1}}}
    with pytest.raises(YamlLimitError) as info:
        load_all("a: {b: {c: {d: 1}}}\n", max_depth=3)
    assert (info.value.message, info.value.line, info.value.column) == (
        "nesting deeper than 3 levels",
        1,
        12,
    )


def test_many_documents_and_keys_stay_linear() -> None:
    # speed is measured by bench/ (docs/benchmarks.md), not here: this checks the results
    assert len(load_all("---\na: 1\n" * 20_000)) == 20_000
    assert len(data("".join(f"k{i}: {i}\n" for i in range(50_000)))) == 50_000
    assert data("a: 1\n" * 50_000) == {"a": 1}
