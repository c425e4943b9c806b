"""The mutating webhook: the policy's opted-in fixes, applied to a copy of the object in
passes and answered as one consistent JSON patch."""

from __future__ import annotations

from typing import Any

from hardhull import suppress
from hardhull.admission.checks import TooCostly, run_checks
from hardhull.admission.decision import (
    ALLOW,
    SKIP,
    Decision,
    audit_annotations,
    error_decision,
    internal_error,
)
from hardhull.admission.gate import gate
from hardhull.admission.jsonpatch import (
    PatchError,
    apply_op,
    apply_patch,
    copy_json,
    pointer_tokens,
)
from hardhull.admission.policy import Policy
from hardhull.admission.request import WORKLOAD_KINDS, Request, ReviewError
from hardhull.model import JSONPatch
from hardhull.models.workload import Workload

MAX_MUTATION_PASSES = 32
#: kinds whose pod template may change after creation (mutation on UPDATE is safe)
MUTABLE_TEMPLATE_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "CronJob"}
)


def mutate(req: Request, policy: Policy, deadline: float | None = None) -> Decision:
    """The mutating webhook's answer: the opted-in fixes as one consistent JSON patch.

    Fixes are computed against a working copy and applied in passes: in each pass every fix
    whose paths are disjoint from those already applied in the pass is applied, the others
    wait for the next pass, which re-runs the checks on the result. So fixes that touch the
    same parent (two fixes creating one missing ``securityContext``) compose, and the number
    of check runs depends on how many fixes share a place, not on the number of containers.
    The patch is the sequence of the applied operations. Never raises (see ``validate``).
    """
    try:
        return _mutate(req, policy, deadline)
    except TooCostly as exc:
        return error_decision(ReviewError(exc.message, req.uid, exc.reason), policy)
    except Exception as exc:
        return internal_error(req, policy, exc)


def _paths(fix: JSONPatch) -> list[tuple[str, ...]]:
    return [tuple(pointer_tokens(str(op.get("path", "")))) for op in fix]


def _clash(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two patch paths may interfere: one inside the other, or two places of one
    array (an insertion or removal shifts the indexes of its siblings)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return True
    if len(a) == len(b) and a[:-1] == b[:-1]:
        return any(t == "-" or t.isdigit() for t in (a[-1], b[-1]))
    return False


def _mutate(req: Request, policy: Policy, deadline: float | None) -> Decision:
    early = gate(req, policy)
    if early is not None:
        return early
    if req.obj is None:  # parse_review requires an object for CREATE and UPDATE
        raise ValueError(f"{req.operation} request without an object")
    codes = (policy.mutate | policy.mutate_guarded) - policy.off_codes
    if not codes or req.kind_key not in WORKLOAD_KINDS:
        return Decision(req.uid, True, ALLOW)
    if req.operation == "UPDATE" and req.kind not in MUTABLE_TEMPLATE_KINDS:
        # pod specs and Job templates are immutable: a patch would fail the update
        return Decision(req.uid, True, SKIP, reason=f"{req.kind} updates are not mutated")
    work = copy_json(req.obj)
    ann = suppress.object_codes(work) if policy.object_exemptions else frozenset()
    default_sa = _uses_default_sa(work)
    ops: JSONPatch = []
    applied: list[str] = []
    errors: list[tuple[str, str]] = []
    tried: set[tuple[str, str]] = set()
    only = frozenset(codes)
    for _ in range(MAX_MUTATION_PASSES):
        violations, errors = run_checks(work, policy, only=only, deadline=deadline)
        touched: list[tuple[str, ...]] = []
        progress = False
        for v in violations:
            if not v.fix or (v.code, v.pointer) in tried:
                continue
            if v.code in policy.mutate_guarded and not default_sa:
                continue
            if suppress.matches(ann, v.code) and policy.allows_object_exemption(v.code):
                continue
            try:
                paths = _paths(v.fix)
            except PatchError:
                tried.add((v.code, v.pointer))
                continue
            if any(_clash(p, t) for p in paths for t in touched):
                progress = True  # waits for the next pass, on the patched object
                continue
            tried.add((v.code, v.pointer))
            try:
                # one op in place (a failing op changes nothing), several on a copy
                one = len(v.fix) == 1
                work = apply_op(work, v.fix[0]) if one else apply_patch(work, v.fix)
            except PatchError:
                continue
            touched.extend(paths)
            ops.extend(v.fix)
            applied.append(v.code)
            progress = True
        if not progress:
            break
    d = Decision(req.uid, True, ALLOW, errors=errors, mutated=applied)
    if ops:
        d.patch = ops
    d.audit = audit_annotations(d)
    return d


def _uses_default_sa(obj: dict[str, Any]) -> bool:
    w = Workload.of(obj)
    if w is None:
        return False
    sa = w.spec.get("serviceAccountName") or w.spec.get("serviceAccount")
    return sa in (None, "", "default")
