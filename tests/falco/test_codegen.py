"""The generated form of a condition (``compile_fast``: one Python function, common checks
inlined) decides exactly as the closure form (``compile_closures``), on generated conditions
and events with values of every shape: strings, numbers, lists, booleans, missing (issue #12)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.falco.compile import Fields, compile_closures, compile_fast
from hardhull.falco.grammar import parse
from tests.falco.helpers import extractor

#: (field, operators it takes, constants to compare with)
STRING_OPS = ["=", "==", "!=", "contains", "startswith", "endswith", "icontains", "glob", "in"]
NUMBER_OPS = ["=", "!=", "<", "<=", ">", ">=", "in"]
FIELDS = {
    "proc.name": ("string", STRING_OPS),
    "proc.aname[2]": ("string", STRING_OPS),
    "proc.aname": ("string", ["=", "!=", "startswith", "in"]),
    "proc.pid": ("number", NUMBER_OPS),
    "fd.sport": ("number", NUMBER_OPS),
}
WORDS = ["bash", "sh", "", "ba", "1", "22", "0x10", "-3"]

#: values near the constants, so that equal, smaller and larger all occur
NUMBERS = [0, 1, 2, 3, 15, 16, 17, 21, 22, 23, -1]
VALUES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.sampled_from([*WORDS, "bashful", "xbash", "BASH"]),
    st.sampled_from(NUMBERS),
    st.booleans(),
    st.lists(st.sampled_from(WORDS), max_size=3),
    st.lists(st.sampled_from(NUMBERS), max_size=3),
    st.sampled_from([1.0, 16.5, 0.0, -0.5]),
)


@st.composite
def checks(draw: st.DrawFn) -> str:
    field = draw(st.sampled_from(sorted(FIELDS)))
    typ, ops = FIELDS[field]
    op = draw(st.sampled_from(ops))
    word = draw(st.sampled_from(WORDS if typ == "string" else ["1", "22", "0", "16", "0x10", "3"]))
    if typ == "number" and word == "":
        word = "1"
    if op == "in":
        more = draw(st.lists(st.sampled_from(["1", "3", "bash", "sh"]), max_size=2))
        if typ == "number":
            more = [m for m in more if m.isdigit()]
        items = [w or '""' for w in [word, *more]]
        return f"{field} in ({', '.join(items)})"
    return f"{field} {op} {word or chr(34) * 2}"


def conditions() -> st.SearchStrategy[str]:
    return st.recursive(
        checks(),
        lambda inner: st.one_of(
            st.builds(lambda a, b: f"({a} and {b})", inner, inner),
            st.builds(lambda a, b: f"({a} or {b})", inner, inner),
            st.builds(lambda a: f"not {a}", inner),
        ),
        max_leaves=8,
    )


@settings(max_examples=1500, deadline=None)
@given(conditions(), st.dictionaries(st.sampled_from(sorted(FIELDS)), VALUES, min_size=3))
def test_generated_code_decides_as_the_closures(condition: str, event: dict[str, Any]) -> None:
    expr = parse(condition)
    closures = compile_closures(expr, "syscall")
    fast = compile_fast(expr, "syscall")
    assert fast(Fields(extractor(event))) == closures(extractor(event)), condition


def test_every_single_check_decides_as_the_closure() -> None:
    """Each field, operator and constant against every value of the pool: exhaustive where
    the generated conditions above only sample."""
    pool: list[Any] = [None, True, False, 1.0, 16.5, 0.0, -0.5, *NUMBERS, *WORDS]
    pool += ["bashful", "xbash", "BASH", [], ["bash"], ["sh", "1"], [1], [22, 3], ["16"]]
    for field, (typ, ops) in FIELDS.items():
        words = WORDS if typ == "string" else ["1", "22", "0", "16", "0x10", "3"]
        for op in ops:
            for word in words:
                if op == "in":
                    cond = f"{field} in ({word or chr(34) * 2}, 3)"
                else:
                    cond = f"{field} {op} {word or chr(34) * 2}"
                expr = parse(cond)
                closures = compile_closures(expr, "syscall")
                fast = compile_fast(expr, "syscall")
                for value in pool:
                    event = {field: value}
                    want = closures(extractor(event))
                    assert fast(Fields(extractor(event))) == want, (cond, value)


def test_a_condition_too_deep_for_the_parser_keeps_its_closures() -> None:
    cond = "not " * 300 + "proc.name = bash"
    fast = compile_fast(parse(cond), "syscall")
    assert fast(Fields(extractor({"proc.name": "bash"}))) is True
    assert fast(Fields(extractor({"proc.name": "sh"}))) is False


def test_fields_extract_each_value_once() -> None:
    calls: list[tuple[str, str | None]] = []

    def extract(field: str, arg: str | None) -> Any:
        calls.append((field, arg))
        return "bash"

    f = Fields(extract)
    fast = compile_fast(
        parse("proc.name = sh or proc.name startswith ba or proc.name = x"), "syscall"
    )
    assert fast(f) is True
    assert f("proc.name") == "bash"
    assert calls == [("proc.name", None)]


def test_rule_text_is_never_compiled_as_python() -> None:
    # a value that would be Python if pasted into the generated source stays a value
    cond = 'proc.name = "__import__(\'os\').system(\'false\')" or proc.name in ("a)", "b")'
    fast = compile_fast(parse(cond), "syscall")
    assert fast(Fields(extractor({"proc.name": "__import__('os').system('false')"}))) is True
    assert fast(Fields(extractor({"proc.name": "a)"}))) is True
    assert fast(Fields(extractor({"proc.name": "os"}))) is False
