"""Kubernetes label selectors (``metav1.LabelSelector``): matchLabels and matchExpressions.

The semantics of ``metav1.LabelSelectorAsSelector``: an empty selector (``{}``) selects
everything, the requirements are ANDed, ``In`` needs the key present with one of the values,
``NotIn`` is satisfied by an absent key, ``Exists``/``DoesNotExist`` take no values. A selector
the API machinery would reject raises :class:`SelectorError` (the aggregation controller then
leaves the ClusterRole as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


class SelectorError(ValueError):
    """A label selector the API server's selector conversion rejects."""


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "In":
            return present and labels[self.key] in self.values
        if self.operator == "NotIn":
            return not present or labels[self.key] not in self.values
        if self.operator == "Exists":
            return present
        return not present  # DoesNotExist


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SelectorError(f"{where} must be a list of strings")
    return list(value)


def compile_selector(selector: Any) -> Selector:
    """Compile a LabelSelector dict; ``{}`` selects everything. Raises :class:`SelectorError`."""
    if not isinstance(selector, dict):
        raise SelectorError("a label selector must be a mapping")
    reqs: list[Requirement] = []
    match_labels = selector.get("matchLabels")
    if match_labels is not None:
        if not isinstance(match_labels, dict):
            raise SelectorError("matchLabels must be a mapping")
        for key, value in match_labels.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise SelectorError(f"matchLabels {key!r}: keys and values must be strings")
            reqs.append(Requirement(key, "In", frozenset({value})))
    exprs = selector.get("matchExpressions")
    if exprs is not None:
        if not isinstance(exprs, list):
            raise SelectorError("matchExpressions must be a list")
        for i, expr in enumerate(exprs):
            where = f"matchExpressions[{i}]"
            if not isinstance(expr, dict):
                raise SelectorError(f"{where} must be a mapping")
            key, op = expr.get("key"), expr.get("operator")
            if not isinstance(key, str) or not key:
                raise SelectorError(f"{where}.key must be a non-empty string")
            if op not in OPERATORS:
                raise SelectorError(
                    f"{where}.operator {op!r} is not one of In, NotIn, Exists, DoesNotExist"
                )
            values = _strings(expr.get("values"), f"{where}.values")
            if op in ("In", "NotIn") and not values:
                raise SelectorError(f"{where}: operator {op} needs at least one value")
            if op in ("Exists", "DoesNotExist") and values:
                raise SelectorError(f"{where}: operator {op} takes no values")
            reqs.append(Requirement(key, str(op), frozenset(values)))
    return Selector(tuple(reqs))


def string_labels(value: Any) -> dict[str, str]:
    """The string-valued entries of a ``metadata.labels`` mapping (others are not valid labels)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
