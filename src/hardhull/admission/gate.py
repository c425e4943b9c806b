"""Which requests are evaluated at all: operations, kinds and subresources the webhook checks,
exemptions of the policy, and updates that change nothing a check looks at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hardhull.admission.decision import EXEMPT, SKIP, Decision
from hardhull.admission.policy import Policy
from hardhull.admission.request import EVALUATED, SUPPORTED_KINDS, Request
from hardhull.models.workload import as_dict

#: subresources whose requests carry a pod spec to judge; every other one passes
EVALUATED_SUBRESOURCES: Mapping[tuple[str, str], frozenset[str]] = {
    ("", "Pod"): frozenset({"", "ephemeralcontainers"})
}
#: metadata that controllers and the garbage collector change: an update touching only these
#: (and status) changes nothing a check looks at
_INERT_METADATA = frozenset(
    {
        "resourceVersion", "managedFields", "generation", "finalizers", "ownerReferences",
        "creationTimestamp", "uid", "selfLink", "deletionTimestamp",
        "deletionGracePeriodSeconds",
    }
)  # fmt: skip


def _relevant(obj: dict[str, Any] | None) -> dict[str, Any]:
    o = as_dict(obj)
    meta = {k: v for k, v in as_dict(o.get("metadata")).items() if k not in _INERT_METADATA}
    return {**{k: v for k, v in o.items() if k not in ("status", "metadata")}, "metadata": meta}


def gate(req: Request, policy: Policy) -> Decision | None:
    """The decision for a request that is not evaluated at all, else None."""
    if req.operation not in EVALUATED:
        return Decision(req.uid, True, SKIP, reason=f"{req.operation} is not checked")
    if req.kind_key not in SUPPORTED_KINDS:
        g = f"{req.group}/" if req.group else ""
        return Decision(req.uid, True, SKIP, reason=f"kind {g}{req.kind} is not checked")
    subs = EVALUATED_SUBRESOURCES.get(req.kind_key, frozenset({""}))
    if req.sub_resource not in subs:
        return Decision(
            req.uid, True, SKIP, reason=f"subresource {req.sub_resource} is not checked"
        )
    if req.namespace and req.namespace in policy.exempt_namespaces:
        return _exempt(req, f"namespace {req.namespace}")
    if req.username and req.username in policy.exempt_users:
        return _exempt(req, f"user {req.username}")
    for g in req.groups:
        if g in policy.exempt_groups:
            return _exempt(req, f"group {g}")
    if req.operation == "UPDATE" and req.old is not None:
        if as_dict(as_dict(req.obj).get("metadata")).get("deletionTimestamp"):
            return Decision(req.uid, True, SKIP, reason="the object is being deleted")
        if _relevant(req.obj) == _relevant(req.old):
            return Decision(req.uid, True, SKIP, reason="the update changes nothing checked")
    return None


def _exempt(req: Request, who: str) -> Decision:
    return Decision(req.uid, True, EXEMPT, reason=who, audit={"exempt": who})


def needs_evaluation(req: Request, policy: Policy) -> bool:
    return gate(req, policy) is None
