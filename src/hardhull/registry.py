"""The one rule registry: every rule and every check, whatever it looks at.

A check is a pure function registered with :func:`check` for one :class:`Target`: the kind of
subject it is called with. It yields :class:`~hardhull.model.Violation` values (set checks:
``(index into the set, violation)``) and does no I/O. With ``context=True`` it is also handed
the context of its subject (:mod:`hardhull.context`: derived data computed once and shared by
the checks that need it, and the facts of the whole scan).

The engine's one dispatch loop (:func:`hardhull.engine.run.run_checks`) runs the checks of a
target; the front ends, the set phase and the admission webhook all call it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from hardhull.model import Rule


class Target(enum.Enum):
    """What a check is called with."""

    #: any Kubernetes object, as a dict
    OBJECT = "object"
    #: a pod-bearing Kubernetes object, as a :class:`~hardhull.models.workload.Workload`
    WORKLOAD = "workload"
    #: every Kubernetes object of a scan, as a :class:`~hardhull.context.SetContext`
    SET = "set"
    #: the raw text of any file read, as a :class:`~hardhull.context.TextSubject`
    TEXT = "text"
    #: a parsed Dockerfile, as :class:`~hardhull.models.dockerfile_facts.DockerfileFacts`
    DOCKERFILE = "dockerfile"
    #: one compose service, as a :class:`~hardhull.models.compose_service.Service`
    COMPOSE = "compose"
    #: a Docker daemon.json, as a dict
    DAEMON = "daemon"
    #: a container image, as :class:`~hardhull.models.image_facts.ImageFacts`
    IMAGE = "image"
    #: the packages of an image or an SBOM matched against the advisories, as a
    #: :class:`~hardhull.vulndb.match.MatchReport`
    PACKAGES = "packages"


@dataclass(frozen=True)
class Check:
    """A registered check: the rule it reports, what it looks at, and the function."""

    rule: Rule
    on: Target
    fn: Callable[..., Iterable[Any]]
    #: the function takes (subject, context) instead of (subject)
    context: bool = False

    @property
    def code(self) -> str:
        return self.rule.code


RULES: dict[str, Rule] = {}
CHECKS: dict[Target, list[Check]] = {t: [] for t in Target}
#: targets whose list of checks is in code order (a registration unsets it)
_ordered: set[Target] = set()

F = TypeVar("F", bound=Callable[..., Iterable[Any]])


def register(rule: Rule) -> Rule:
    """Enter a rule (without a check of its own, or before its check is registered)."""
    known = RULES.get(rule.code)
    if known is rule:
        return rule
    if known is not None:
        raise ValueError(f"duplicate rule code {rule.code}")
    if any(r.slug == rule.slug for r in RULES.values()):
        raise ValueError(f"duplicate rule slug {rule.slug}")
    RULES[rule.code] = rule
    return rule


def check(rule: Rule, *, on: Target, context: bool = False) -> Callable[[F], F]:
    """Register the decorated function as the check of ``rule`` over subjects of ``on``."""
    register(rule)

    def deco(fn: F) -> F:
        CHECKS[on].append(Check(rule, on, fn, context))
        _ordered.discard(on)
        return fn

    return deco


def checks_for(target: Target, family: str | None = None) -> list[Check]:
    """The checks over ``target`` in the order of their codes, whatever module holds them
    (of one rule family, if given). The rule modules register them when they are imported:
    :func:`hardhull.rules.load_all` first."""
    found = CHECKS[target]
    if target not in _ordered:
        found.sort(key=lambda c: c.code)
        _ordered.add(target)
    return found if family is None else [c for c in found if c.rule.family == family]
