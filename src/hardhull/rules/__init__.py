"""The rule registry: every check registers its :class:`~hardhull.model.Rule` here.

Checks are pure functions. A *workload check* takes a
:class:`~hardhull.models.workload.Workload`; an
*object check* takes any Kubernetes object (a dict). Both yield
:class:`~hardhull.model.Violation` values and do no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from hardhull.model import Rule, Violation
from hardhull.models.workload import Workload

WorkloadCheck = Callable[[Workload], Iterable[Violation]]
ObjectCheck = Callable[[dict[str, Any]], Iterable[Violation]]
#: a check over every Kubernetes object of a scan; yields (index into the list, violation)
SetCheck = Callable[[Sequence[dict[str, Any]]], Iterable[tuple[int, Violation]]]

RULES: dict[str, Rule] = {}
WORKLOAD_CHECKS: list[tuple[Rule, WorkloadCheck]] = []
OBJECT_CHECKS: list[tuple[Rule, ObjectCheck]] = []
SET_CHECKS: list[tuple[Rule, SetCheck]] = []
#: a check over the raw text of every file read, of any kind: (path, text) →
#: (line, column, violation); for what no structure is needed to see (private keys, tokens)
TextCheck = Callable[[str, str], Iterable[tuple[int, int, Violation]]]
TEXT_CHECKS: list[tuple[Rule, TextCheck]] = []


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"duplicate rule code {rule.code}")
    if any(r.slug == rule.slug for r in RULES.values()):
        raise ValueError(f"duplicate rule slug {rule.slug}")
    RULES[rule.code] = rule
    return rule


def workload_check(rule: Rule) -> Callable[[WorkloadCheck], WorkloadCheck]:
    register(rule)

    def deco(fn: WorkloadCheck) -> WorkloadCheck:
        WORKLOAD_CHECKS.append((rule, fn))
        return fn

    return deco


def object_check(rule: Rule) -> Callable[[ObjectCheck], ObjectCheck]:
    register(rule)

    def deco(fn: ObjectCheck) -> ObjectCheck:
        OBJECT_CHECKS.append((rule, fn))
        return fn

    return deco


def set_check(rule: Rule) -> Callable[[SetCheck], SetCheck]:
    register(rule)

    def deco(fn: SetCheck) -> SetCheck:
        SET_CHECKS.append((rule, fn))
        return fn

    return deco


def text_check(rule: Rule) -> Callable[[TextCheck], TextCheck]:
    register(rule)

    def deco(fn: TextCheck) -> TextCheck:
        TEXT_CHECKS.append((rule, fn))
        return fn

    return deco


_loaded = False


def load_all_checks() -> dict[str, Rule]:
    """Import every check module once (registration happens at import).

    Every module of this package is a check module: adding ``checks/<domain>.py`` is all it
    takes to add rules. The Pod Security Standards controls live in ``hardhull.rules.pss``.
    """
    global _loaded
    if not _loaded:
        import importlib
        import pkgutil

        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return RULES
