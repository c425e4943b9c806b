"""Garbage into the condition parser, the compiler and the loader: our error type with a
position, never another exception (issue #12)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.falco.compile import CompileError, compile_condition
from hardhull.falco.grammar import ConditionError, parse
from hardhull.falco.loader import load_texts

TOKENS = [
    "proc.name",
    "ka.uri.param[x]",
    "jevt.value[/a]",
    "proc.aname[2]",
    "evt.type",
    "fd.num",
    "ka.user.groups",
    "tolower(",
    "val(",
    "len(",
    "b64(",
    ")",
    "(",
    ",",
    "and",
    "or",
    "not",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    "in",
    "intersects",
    "pmatch",
    "contains",
    "glob",
    "regex",
    "exists",
    "'a b'",
    '"x\\"y"',
    "0x1f",
    "-3.5e+2",
    "bash",
    "macro_x",
    "[",
    "]",
    " ",
    "\n",
]

CONDITION = st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join) | st.text(max_size=60)


@settings(max_examples=400, deadline=None)
@given(CONDITION)
def test_parser_raises_only_condition_error(text: str) -> None:
    try:
        expr = parse(text)
    except ConditionError as exc:
        assert exc.message
        assert exc.line >= 1 and exc.column >= 1
        assert 0 <= exc.offset <= len(text)
        return
    try:
        compile_condition(expr, "syscall")
    except CompileError as exc:
        assert exc.message


def test_deep_nesting_is_refused_with_a_position() -> None:
    for text in ("(" * 500 + "a.b exists" + ")" * 500, "not (" * 300 + "x", "tolower(" * 300):
        try:
            parse(text)
        except ConditionError as exc:
            assert exc.column >= 1
        else:  # pragma: no cover
            raise AssertionError(text)


ITEM = st.fixed_dictionaries(
    {},
    optional={
        "rule": st.sampled_from(["R", "S", "", "x y"]),
        "list": st.sampled_from(["l", ""]),
        "macro": st.sampled_from(["m", "n"]),
        "desc": st.text(max_size=5),
        "condition": CONDITION,
        "output": st.sampled_from(["%proc.name", "%x", "%tolower(proc.name", "o", "%%"]),
        "priority": st.sampled_from(["INFO", "bad", "warning"]),
        "items": st.lists(st.sampled_from(["a", "l", '"b c"']), max_size=3),
        "append": st.booleans(),
        "enabled": st.booleans(),
        "override": st.sampled_from(
            [{"condition": "append"}, {"items": "replace"}, {"priority": "x"}, "bad"]
        ),
        "exceptions": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["e", "f"])},
                optional={
                    "fields": st.sampled_from(["proc.name", ["proc.name", "fd.num"], "x.y", 3]),
                    "comps": st.sampled_from(["in", ["=", "startswith"], ["bogus"], "="]),
                    "values": st.sampled_from([[["a", "b"]], ["a"], [["a"]], "x", [[["l"], "1"]]]),
                },
            ),
            max_size=2,
        ),
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ITEM, max_size=5), st.lists(ITEM, max_size=3))
def test_loader_reports_never_raises(
    first: list[dict[str, object]], second: list[dict[str, object]]
) -> None:
    import json

    rs = load_texts([("a.yaml", json.dumps(first)), ("b.yaml", json.dumps(second))])
    for d in rs.diagnostics:
        assert d.file in ("a.yaml", "b.yaml") and str(d)


VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.sampled_from(["10.0.0.1", "::1", "/etc/passwd", "bash", "true", "0x10", "-1"]),
    st.lists(st.one_of(st.text(max_size=5), st.integers(), st.booleans()), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_evaluation_never_raises(data: st.DataObject) -> None:
    """Any value an event source hands over (wrong type, list, bytes, huge number) gives a
    decision, never an exception, for every upstream rule."""
    from tests.conftest import SHARED

    d = SHARED / "falco-rules"
    if not d.is_dir():
        import pytest

        pytest.skip(f"{d} missing")
    rules = _upstream_rules(str(d))
    values: dict[tuple[str, str | None], object] = {}

    def extract(field: str, arg: str | None) -> object:
        key = (field, arg)
        if key not in values:
            values[key] = data.draw(VALUE)
        return values[key]

    for rule in rules:
        assert rule.evaluate is not None
        assert rule.evaluate(extract) in (True, False)
        assert isinstance(rule.render.render(extract), str)


_CACHE: dict[str, list[object]] = {}


def _upstream_rules(d: str) -> list[Any]:
    from hardhull.falco.loader import load_files

    if d not in _CACHE:
        names = [
            ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"],
            ["k8s_audit_rules.yaml", "k8s_audit_rules_gke.yaml"],
        ]
        _CACHE[d] = [r for combo in names for r in load_files([f"{d}/{n}" for n in combo]).rules]
    return _CACHE[d]  # type: ignore[return-value]
