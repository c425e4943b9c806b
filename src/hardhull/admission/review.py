"""AdmissionReview processing: request in, decision and response out. Pure: no I/O, no asyncio.

This module is the webhook's API (the server uses nothing else): :func:`validate`, the
validating webhook's decision, and the names of the modules it is made of, re-exported here:
:mod:`~hardhull.admission.request` (parsing), :mod:`~hardhull.admission.gate` (what is
evaluated), :mod:`~hardhull.admission.checks` (running the checks, judging violations),
:mod:`~hardhull.admission.decision` (decisions and responses),
:mod:`~hardhull.admission.mutation` (the mutating webhook), :mod:`~hardhull.admission.jsonpatch`.

The checks are the very ones ``hardhull scan`` runs (object and workload checks, K100 for the
Pod Security Standard, and for RBAC objects the RBAC rules over that one object), so a
manifest that passes the scan is admitted and one that fails is denied with the same codes and
messages. Checks that need the whole scanned set (network policy coverage, ``N…``) cannot be
judged from one object and do not run here. Each check runs on its own: one that raises loses
only its own result, and the policy's ``on-error`` decides.
"""

from __future__ import annotations

from collections.abc import Sequence

from hardhull.admission.checks import TooCostly, judge, run_checks, severity_of
from hardhull.admission.decision import (
    ALLOW,
    DENY,
    ERROR,
    EXEMPT,
    MAX_ANNOTATION,
    MAX_MESSAGE,
    MAX_WARNINGS,
    SKIP,
    WARNED,
    Decision,
    Item,
    audit_annotations,
    clip,
    decide,
    error_decision,
    internal_error,
    response,
)
from hardhull.admission.gate import gate, needs_evaluation
from hardhull.admission.jsonpatch import PatchError, apply_patch, copy_json
from hardhull.admission.mutation import MUTABLE_TEMPLATE_KINDS, mutate
from hardhull.admission.policy import UPDATES_NEW, Policy
from hardhull.admission.request import (
    API_VERSION,
    MAX_ERROR_TEXT,
    SUPPORTED_KINDS,
    WORKLOAD_KINDS,
    Request,
    ReviewError,
    parse_review,
)
from hardhull.model import Violation


def validate(
    req: Request,
    policy: Policy,
    extra: Sequence[Violation] = (),
    extra_old: Sequence[Violation] = (),
    extra_errors: Sequence[tuple[str, str]] = (),
    deadline: float | None = None,
) -> Decision:
    """The validating webhook's decision. ``extra*``: results of I/O hooks (see hooks.py).

    ``deadline`` (``time.perf_counter()``): an object that cannot be evaluated by then, or
    that is too large to evaluate at all, is answered per ``on-error``. Never raises.
    """
    try:
        early = gate(req, policy)
        if early is not None:
            return early
        if req.obj is None:  # parse_review requires an object for CREATE and UPDATE
            raise ValueError(f"{req.operation} request without an object")
        violations, errors = run_checks(req.obj, policy, deadline=deadline)
        violations.extend(extra)
        errors.extend(extra_errors)
        old_violations: list[Violation] | None = None
        if req.operation == "UPDATE" and policy.updates == UPDATES_NEW and req.old is not None:
            old_violations, _ = run_checks(req.old, policy, deadline=deadline)
            old_violations.extend(extra_old)
        items = judge(violations, req.obj, policy, old_violations, req.old)
        return decide(req, policy, items, errors)
    except TooCostly as exc:
        return error_decision(ReviewError(exc.message, req.uid, exc.reason), policy)
    except Exception as exc:  # a bug of ours: answered, never raised
        return internal_error(req, policy, exc)


__all__ = [
    "ALLOW",
    "API_VERSION",
    "DENY",
    "ERROR",
    "EXEMPT",
    "MAX_ANNOTATION",
    "MAX_ERROR_TEXT",
    "MAX_MESSAGE",
    "MAX_WARNINGS",
    "MUTABLE_TEMPLATE_KINDS",
    "SKIP",
    "SUPPORTED_KINDS",
    "WARNED",
    "WORKLOAD_KINDS",
    "Decision",
    "Item",
    "PatchError",
    "Request",
    "ReviewError",
    "apply_patch",
    "audit_annotations",
    "clip",
    "copy_json",
    "decide",
    "error_decision",
    "gate",
    "judge",
    "mutate",
    "needs_evaluation",
    "parse_review",
    "response",
    "run_checks",
    "severity_of",
    "validate",
]
