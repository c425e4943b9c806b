"""Judging one object: the checks ``hardhull scan`` runs, through the engine's own loop, and
their violations turned into items with their mode under the policy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from hardhull import suppress
from hardhull.admission.decision import Item, describe_exception
from hardhull.admission.policy import OFF, Policy
from hardhull.admission.request import RBAC_KINDS, group_of
from hardhull.context import ScanFacts
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload
from hardhull.rules import all_rules

#: what K100 says set its level when the policy file names one
PSS_ORIGIN = "the policy"

#: pod specs with more containers are not evaluated (answered per on-error): the checks cost
#: about 0.1 ms per container, and the event loop must stay responsive for every request
MAX_CONTAINERS = 1000


class TooCostly(Exception):
    """The object cannot be evaluated within the request's time: answered per on-error."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def _over(deadline: float | None) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise TooCostly("evaluating the object took longer than timeout-ms", "eval_timeout")


def _check_size(w: Workload) -> None:
    n = len(w.containers)
    if n > MAX_CONTAINERS:
        raise TooCostly(
            f"the pod spec has {n} containers; the webhook evaluates at most {MAX_CONTAINERS}",
            "object_too_large",
        )


def run_checks(
    obj: dict[str, Any],
    policy: Policy,
    only: frozenset[str] | None = None,
    deadline: float | None = None,
) -> tuple[list[Violation], list[tuple[str, str]]]:
    """Every check ``hardhull scan`` runs on this one object, through the engine's own loop;
    a check that raises is reported.

    Returns (violations, [(code, error)]). ``only``: run just these codes (mutation).
    ``deadline`` (a ``time.perf_counter()`` value): checked between checks; past it, or for a
    pod spec with more than ``MAX_CONTAINERS`` containers, :class:`TooCostly` is raised.
    """
    # start-up time: the engine imports every rule; only a review needs it
    from hardhull.engine import evaluate_object, evaluate_set
    from hardhull.engine.run import DeadlineExceeded

    facts = ScanFacts(pss_default=policy.pss, pss_origin=PSS_ORIGIN if policy.pss_set else "")
    try:
        w = Workload.of(obj)
    except Exception:
        w = None  # evaluate_object reports it, and runs the object checks only
    if w is not None:
        _check_size(w)
    try:
        _over(deadline)
        found, failed = evaluate_object(
            obj, facts, disabled=policy.off_codes, only=only, deadline=deadline
        )
        kind = obj.get("kind")
        if w is None and (group_of(obj.get("apiVersion")), kind) in RBAC_KINDS:
            pairs, more = evaluate_set(
                [obj],
                facts,
                family="kubernetes-rbac",
                disabled=policy.off_codes,
                only=only,
                deadline=deadline,
            )
            found.extend(v for _, v in pairs)
            failed.extend(more)
    except DeadlineExceeded:
        raise TooCostly(
            "evaluating the object took longer than timeout-ms", "eval_timeout"
        ) from None
    errors = [
        ("*", f"reading the pod spec: {describe_exception(e.error)}")
        if e.code == "*"
        else (e.code, describe_exception(e.error))
        for e in failed
    ]
    return found, errors


def severity_of(v: Violation, policy: Policy) -> Severity:
    """As the scan reports it: the configured override, the instance's, else the rule's."""
    rule = all_rules().get(v.code)
    # Severity.INFO is 0: test for None, not truthiness (as the scan does)
    sev = policy.severity.get(v.code)
    if sev is None:
        sev = v.severity
    if sev is None:
        sev = rule.severity if rule else Severity.MEDIUM
    return sev


def _pss_controls(obj: dict[str, Any], policy: Policy) -> frozenset[str]:
    # start-up time: builds the Pod Security tables at import
    from hardhull.pss.evaluate import evaluate_pss

    if policy.pss.level == "privileged":
        return frozenset()
    return frozenset(f.check_id for f in evaluate_pss(obj, policy.pss))


def judge(
    violations: Sequence[Violation],
    obj: dict[str, Any],
    policy: Policy,
    old_violations: Sequence[Violation] | None = None,
    old_obj: dict[str, Any] | None = None,
) -> list[Item]:
    """Violations → items with their mode; ``old_*``: compare for new-violations-only."""
    ann = suppress.object_codes(obj) if policy.object_exemptions else frozenset()
    old_keys = {(v.code, v.pointer) for v in old_violations or ()}
    new_pss: frozenset[str] = frozenset()
    if (
        old_violations is not None
        and old_obj is not None
        and any(v.code == "K100" for v in violations)
    ):
        # K100 is one finding listing every failing control: it is new when a control is
        new_pss = _pss_controls(obj, policy) - _pss_controls(old_obj, policy)
    items: list[Item] = []
    for v in violations:
        sev = severity_of(v, policy)
        # a hook's own mode (a verify-images rule's) unless `rules:` names the code
        own = getattr(v, "mode", None)
        mode = policy.rules.get(v.code) or own or policy.mode(v.code, sev)
        if mode == OFF:
            continue
        existing = False
        if old_violations is not None:
            existing = not new_pss if v.code == "K100" else (v.code, v.pointer) in old_keys
        exempted = suppress.matches(ann, v.code) and policy.allows_object_exemption(v.code)
        items.append(Item(v.code, v.pointer, v.message, sev, mode, existing, exempted))
    return items
