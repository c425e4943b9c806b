"""Label selectors as apimachinery's LabelSelectorAsSelector reads them."""

from __future__ import annotations

from typing import Any

import pytest

from hardhull.netpol.selectors import (
    EVERYTHING,
    NOTHING,
    Requirement,
    Selector,
    SelectorError,
    SelectorProblem,
    parse_selector,
    validate_label_key,
    validate_label_value,
)

LABELS: list[dict[str, str]] = [
    {},
    {"app": "web"},
    {"app": "web", "tier": "front"},
    {"app": "db", "tier": ""},
    {"tier": "back"},
]


def matching(selector: Any) -> list[int]:
    sel = parse_selector(selector)
    return [i for i, labels in enumerate(LABELS) if sel.matches(labels)]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({}, [0, 1, 2, 3, 4]),  # the empty selector matches everything, even no labels
        ({"matchLabels": {}}, [0, 1, 2, 3, 4]),
        ({"matchLabels": {}, "matchExpressions": []}, [0, 1, 2, 3, 4]),
        ({"matchLabels": None, "matchExpressions": None}, [0, 1, 2, 3, 4]),
        ({"matchLabels": {"app": "web"}}, [1, 2]),
        ({"matchLabels": {"app": "web", "tier": "front"}}, [2]),  # AND
        ({"matchLabels": {"tier": ""}}, [3]),  # an empty value still needs the key
        ({"matchLabels": {"tier": None}}, [3]),  # null decodes to ""
        (
            {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "db"]}]},
            [1, 2, 3],
        ),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, [0, 3, 4]),
        (
            {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": [""]}]},
            [0, 1, 2, 4],
        ),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, [2, 3, 4]),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists", "values": []}]}, [2, 3, 4]),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, [0, 1]),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}],
            },
            [1],
        ),
        (
            {
                "matchExpressions": [
                    {"key": "app", "operator": "Exists"},
                    {"key": "app", "operator": "NotIn", "values": ["db"]},
                ]
            },
            [1, 2],
        ),
        (  # contradictory requirements match nothing
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "app", "operator": "DoesNotExist"}],
            },
            [],
        ),
    ],
)
def test_matching(selector: dict[str, Any], expected: list[int]) -> None:
    assert matching(selector) == expected


def test_absent_selector_per_field() -> None:
    assert parse_selector(None) is NOTHING
    assert parse_selector(None, absent="nothing").matches({}) is False
    assert parse_selector(None, absent="everything") is EVERYTHING
    assert EVERYTHING.matches({"any": "thing"}) and EVERYTHING.everything
    assert not NOTHING.matches({}) and not NOTHING.everything
    assert parse_selector({}) == EVERYTHING


def test_string_forms() -> None:
    sel = parse_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["b", "a"]},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                {"key": "x", "operator": "Exists"},
                {"key": "y", "operator": "DoesNotExist"},
            ],
        }
    )
    assert str(sel) == "app=web,env notin (dev),tier in (a,b),x,!y"
    assert sel.describe() == str(sel)
    assert EVERYTHING.describe() == "all" and str(EVERYTHING) == ""
    assert NOTHING.describe() == "none"
    assert sel.requirements[0] == Requirement("app", "In", frozenset({"web"}))


@pytest.mark.parametrize(
    ("selector", "problems"),
    [
        (
            {"matchExpressions": [{"key": "app", "operator": "in", "values": ["a"]}]},
            [
                SelectorProblem(
                    "/matchExpressions/0/operator",
                    "'in' is not a valid label selector operator "
                    "(expected In, NotIn, Exists or DoesNotExist)",
                )
            ],
        ),
        (
            {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["a"]}]},
            [
                SelectorProblem(
                    "/matchExpressions/0/operator",
                    "'Equals' is not a valid label selector operator "
                    "(expected In, NotIn, Exists or DoesNotExist)",
                )
            ],
        ),
        (
            {"matchExpressions": [{"key": "app", "operator": "In"}]},
            [
                SelectorProblem(
                    "/matchExpressions/0/values", "values must be non-empty for operator In"
                )
            ],
        ),
        (
            {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": []}]},
            [
                SelectorProblem(
                    "/matchExpressions/0/values", "values must be non-empty for operator NotIn"
                )
            ],
        ),
        (
            {"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]},
            [
                SelectorProblem(
                    "/matchExpressions/0/values", "values must be empty for operator Exists"
                )
            ],
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "DoesNotExist", "values": ["x"]}]},
            [
                SelectorProblem(
                    "/matchExpressions/0/values", "values must be empty for operator DoesNotExist"
                )
            ],
        ),
        (
            {"matchExpressions": [{"operator": "Exists"}]},
            [SelectorProblem("/matchExpressions/0/key", "key is required and must be a string")],
        ),
        (
            {"matchLabel": {"app": "web"}},  # a typo that would otherwise select everything
            [
                SelectorProblem(
                    "/matchLabel",
                    "unknown field 'matchLabel' in a label selector "
                    "(expected matchLabels and/or matchExpressions)",
                )
            ],
        ),
        (
            {"matchLabels": {"replicas": 3}},
            [
                SelectorProblem(
                    "/matchLabels/replicas", "label value must be a string, not an integer 3"
                )
            ],
        ),
        (
            {"matchLabels": ["app=web"]},
            [SelectorProblem("/matchLabels", "matchLabels must be a mapping, not a list")],
        ),
        (
            {"matchExpressions": {"key": "a"}},
            [
                SelectorProblem(
                    "/matchExpressions", "matchExpressions must be a list, not a mapping"
                )
            ],
        ),
        (
            {"matchExpressions": ["app in (a)"]},
            [
                SelectorProblem(
                    "/matchExpressions/0", "a match expression must be a mapping, not a string"
                )
            ],
        ),
        (
            "app=web",
            [SelectorProblem("", "a label selector must be a mapping, not a string")],
        ),
    ],
)
def test_invalid_selectors_report_every_problem(
    selector: Any, problems: list[SelectorProblem]
) -> None:
    with pytest.raises(SelectorError) as info:
        parse_selector(selector)
    assert info.value.problems == problems


def test_invalid_selector_collects_several_problems_with_pointer_prefix() -> None:
    with pytest.raises(SelectorError) as info:
        parse_selector(
            {
                "matchLabels": {"bad key!": "v", "ok": "-bad-"},
                "matchExpressions": [
                    {"key": "a", "operator": "Exists"},
                    {"key": "b", "operator": "Foo", "extra": 1},
                ],
            },
            "/spec/podSelector",
        )
    assert [p.pointer for p in info.value.problems] == [
        "/spec/podSelector/matchLabels/bad key!",
        "/spec/podSelector/matchLabels/ok",
        "/spec/podSelector/matchExpressions/1/extra",
        "/spec/podSelector/matchExpressions/1/operator",
    ]
    assert "bad key!" in str(info.value)


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("app", True),
        ("app.kubernetes.io/name", True),
        ("kubernetes.io/metadata.name", True),
        ("A_b-c.d", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("", False),
        ("/name", False),
        ("prefix/", False),
        ("a/b/c", False),
        ("-app", False),
        ("app-", False),
        ("Upper.Case/name", False),  # the prefix is a lowercase DNS subdomain
        (("a" * 63 + ".") * 4 + "a/name", False),  # prefix longer than 253
        ("bad key", False),
    ],
)
def test_label_keys(key: str, valid: bool) -> None:
    assert (validate_label_key(key) is None) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("", True),
        ("web", True),
        ("v1.2_3-x", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("-x", False),
        ("x.", False),
        ("a b", False),
        ("a/b", False),
    ],
)
def test_label_values(value: str, valid: bool) -> None:
    assert (validate_label_value(value) is None) is valid


def test_selector_is_hashable_value() -> None:
    a = parse_selector({"matchLabels": {"app": "web"}})
    b = parse_selector({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]})
    assert a == b and hash(a) == hash(b)
    assert isinstance(a, Selector) and a != EVERYTHING
