"""Label selectors exactly as apimachinery's ``metav1.LabelSelectorAsSelector`` reads them.

A ``LabelSelector`` is ``matchLabels`` (each pair an equality requirement) AND
``matchExpressions`` (``In``, ``NotIn``, ``Exists``, ``DoesNotExist``); all requirements must
hold. The empty selector ``{}`` matches every label set. A *null* selector matches nothing in
apimachinery, but API fields differ on what an absent selector means (``spec.podSelector`` of a
NetworkPolicy is a struct, so absent is ``{}`` = everything; a peer's ``podSelector`` is a
pointer, so absent means "no constraint from this field"). :func:`parse_selector` therefore
takes what an absent value means from the caller.

Invalid selectors (unknown operator, values where none are allowed or missing where required,
malformed keys or values, wrong types) raise :class:`SelectorError` carrying every problem with
its JSON pointer; they never crash the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hardhull.formats.yamlpos import escape

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "Requirement",
    "Selector",
    "SelectorError",
    "SelectorProblem",
    "parse_selector",
    "validate_label_key",
    "validate_label_value",
]

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_REQ_FIELDS = frozenset({"key", "operator", "values"})

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)


@dataclass(frozen=True)
class SelectorProblem:
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class SelectorError(ValueError):
    """An invalid label selector; ``problems`` lists every error found, with pointers."""

    def __init__(self, problems: list[SelectorProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def validate_label_key(key: str) -> str | None:
    """The error message for an invalid label key (a qualified name), None when valid."""
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return f"invalid label key {key!r}: prefix part must be non-empty"
        if len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix):
            return (
                f"invalid label key {key!r}: prefix part must be a DNS-1123 subdomain "
                "(lowercase alphanumerics, '-' and '.', at most 253 characters)"
            )
    else:
        return f"invalid label key {key!r}: a qualified name has at most one '/'"
    if not name:
        return f"invalid label key {key!r}: name part must be non-empty"
    if len(name) > 63:
        return f"invalid label key {key!r}: name part must be at most 63 characters"
    if not _NAME.match(name):
        return (
            f"invalid label key {key!r}: name part must consist of alphanumerics, '-', '_' "
            "or '.', and start and end with an alphanumeric"
        )
    return None


def validate_label_value(value: str) -> str | None:
    """The error message for an invalid label value, None when valid ('' is valid)."""
    if value == "":
        return None
    if len(value) > 63:
        return f"invalid label value {value!r}: must be at most 63 characters"
    if not _NAME.match(value):
        return (
            f"invalid label value {value!r}: must be empty or consist of alphanumerics, '-', "
            "'_' or '.', and start and end with an alphanumeric"
        )
    return None


@dataclass(frozen=True)
class Requirement:
    """One requirement: ``key`` ``operator`` ``values`` (matchLabels pairs are ``In`` one value)."""

    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "In":
            return self.key in labels and labels[self.key] in self.values
        if self.operator == "NotIn":
            # apimachinery: a missing key satisfies NotIn
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels

    def __str__(self) -> str:
        vals = ",".join(sorted(self.values))
        if self.operator == "In":
            return f"{self.key}={vals}" if len(self.values) == 1 else f"{self.key} in ({vals})"
        if self.operator == "NotIn":
            return f"{self.key} notin ({vals})"
        if self.operator == "Exists":
            return self.key
        return f"!{self.key}"


@dataclass(frozen=True)
class Selector:
    """A parsed selector: requirements ANDed; ``nothing`` for the null selector."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.nothing:
            return False
        return all(r.matches(labels) for r in self.requirements)

    @property
    def everything(self) -> bool:
        """True for the empty selector ``{}``, which matches every label set."""
        return not self.nothing and not self.requirements

    def __str__(self) -> str:
        if self.nothing:
            return "<none>"
        return ",".join(str(r) for r in sorted(self.requirements, key=lambda r: (r.key, str(r))))

    def describe(self) -> str:
        """Human form: ``all`` for ``{}``, ``none`` for null, else the selector string."""
        if self.nothing:
            return "none"
        return "all" if not self.requirements else str(self)


EVERYTHING = Selector()
NOTHING = Selector(nothing=True)


def parse_selector(
    value: Any, pointer: str = "", *, absent: Literal["everything", "nothing"] = "nothing"
) -> Selector:
    """Parse a ``LabelSelector`` dict; ``absent`` says what ``None`` (absent or null) means.

    Raises :class:`SelectorError` listing every problem when the selector is invalid.
    """
    if value is None:
        return EVERYTHING if absent == "everything" else NOTHING
    if not isinstance(value, dict):
        raise SelectorError(
            [SelectorProblem(pointer, f"a label selector must be a mapping, not {_tname(value)}")]
        )
    problems: list[SelectorProblem] = []
    reqs: list[Requirement] = []
    for k in value:
        if k not in _FIELDS:
            problems.append(
                SelectorProblem(
                    f"{pointer}/{escape(str(k))}",
                    f"unknown field {k!r} in a label selector "
                    "(expected matchLabels and/or matchExpressions)",
                )
            )
    ml = value.get("matchLabels")
    ml_ptr = f"{pointer}/matchLabels"
    if isinstance(ml, dict):
        for k, v in ml.items():
            vp = f"{ml_ptr}/{escape(str(k))}"
            if not isinstance(k, str):
                problems.append(SelectorProblem(vp, f"label key must be a string, not {k!r}"))
                continue
            if v is None:
                v = ""  # JSON null decodes to the zero value of a map[string]string element
            if not isinstance(v, str):
                problems.append(
                    SelectorProblem(vp, f"label value must be a string, not {_tname(v)} {v!r}")
                )
                continue
            err = validate_label_key(k) or validate_label_value(v)
            if err:
                problems.append(SelectorProblem(vp, err))
                continue
            reqs.append(Requirement(k, "In", frozenset({v})))
    elif ml is not None:
        problems.append(SelectorProblem(ml_ptr, f"matchLabels must be a mapping, not {_tname(ml)}"))
    me = value.get("matchExpressions")
    me_ptr = f"{pointer}/matchExpressions"
    if isinstance(me, list):
        for i, expr in enumerate(me):
            req = _requirement(expr, f"{me_ptr}/{i}", problems)
            if req is not None:
                reqs.append(req)
    elif me is not None:
        problems.append(
            SelectorProblem(me_ptr, f"matchExpressions must be a list, not {_tname(me)}")
        )
    if problems:
        raise SelectorError(problems)
    return Selector(tuple(reqs))


def _requirement(expr: Any, ptr: str, problems: list[SelectorProblem]) -> Requirement | None:
    if not isinstance(expr, dict):
        problems.append(
            SelectorProblem(ptr, f"a match expression must be a mapping, not {_tname(expr)}")
        )
        return None
    before = len(problems)
    for k in expr:
        if k not in _REQ_FIELDS:
            problems.append(
                SelectorProblem(
                    f"{ptr}/{escape(str(k))}", f"unknown field {k!r} in a match expression"
                )
            )
    key = expr.get("key")
    op = expr.get("operator")
    raw_values = expr.get("values")
    if not isinstance(key, str):
        problems.append(SelectorProblem(f"{ptr}/key", "key is required and must be a string"))
    else:
        err = validate_label_key(key)
        if err:
            problems.append(SelectorProblem(f"{ptr}/key", err))
    values: list[str] = []
    if raw_values is None:
        pass
    elif not isinstance(raw_values, list):
        problems.append(
            SelectorProblem(f"{ptr}/values", f"values must be a list, not {_tname(raw_values)}")
        )
    else:
        for j, v in enumerate(raw_values):
            if not isinstance(v, str):
                problems.append(
                    SelectorProblem(
                        f"{ptr}/values/{j}", f"a value must be a string, not {_tname(v)} {v!r}"
                    )
                )
                continue
            err = validate_label_value(v)
            if err:
                problems.append(SelectorProblem(f"{ptr}/values/{j}", err))
            values.append(v)
    if op not in OPERATORS:
        problems.append(
            SelectorProblem(
                f"{ptr}/operator",
                f"{op!r} is not a valid label selector operator "
                "(expected In, NotIn, Exists or DoesNotExist)",
            )
        )
    elif op in ("In", "NotIn") and raw_values is not None and not isinstance(raw_values, list):
        pass  # already reported
    elif op in ("In", "NotIn") and not values and not _bad_values(raw_values):
        problems.append(
            SelectorProblem(f"{ptr}/values", f"values must be non-empty for operator {op}")
        )
    elif op in ("Exists", "DoesNotExist") and raw_values:
        problems.append(SelectorProblem(f"{ptr}/values", f"values must be empty for operator {op}"))
    if len(problems) > before:
        return None
    assert op in OPERATORS and isinstance(key, str)
    return Requirement(key, op, frozenset(values))


def _bad_values(raw: Any) -> bool:
    return isinstance(raw, list) and any(not isinstance(v, str) for v in raw)


def _tname(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }.get(type(value), type(value).__name__)
