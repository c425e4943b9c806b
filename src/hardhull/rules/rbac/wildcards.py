"""R001: wildcards in RBAC rules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.rbac.model import PolicyRule
from hardhull.registry import Target, check
from hardhull.rules.rbac import SCOPE_NOTE, rbac_rule
from hardhull.rules.rbac.analysis import analyse
from hardhull.rules.rbac.matching import READ_VERBS, full_wildcard, pointer

#: API groups whose resources hold or reach credentials, workloads, policy or the API itself
SENSITIVE_GROUPS = frozenset(
    {"", "*", "apps", "batch", "extensions", "rbac.authorization.k8s.io", "policy",
     "admissionregistration.k8s.io", "certificates.k8s.io", "authentication.k8s.io",
     "apiextensions.k8s.io", "apiregistration.k8s.io", "networking.k8s.io", "storage.k8s.io"}
)  # fmt: skip
#: R001 levels: (cluster-wide, namespaced) severity
_LEVELS = {
    2: (Severity.HIGH, Severity.MEDIUM),
    1: (Severity.MEDIUM, Severity.LOW),
    0: (Severity.LOW, Severity.LOW),
}


def _groups_text(groups: Sequence[str]) -> str:
    return ", ".join(g or '"" (core)' for g in groups)


def wildcard(rule: PolicyRule) -> tuple[str, str, int] | None:
    """(field of the first wildcard, what it grants, level 0-2) of a rule, or None.

    Level 2: every verb on every resource, or every resource of a sensitive group with
    write verbs; 1: every resource read-only in a sensitive group, every resource of other
    groups, every verb on named resources, or every group; 0: read-only on every resource
    of groups that hold no credentials or workloads (metrics, CRDs)."""
    fields = [
        f
        for f, vals in (
            ("verbs", rule.verbs),
            ("resources", rule.resources),
            ("apiGroups", rule.api_groups),
        )
        if "*" in vals
    ]
    if not fields or not rule.api_groups or not any(rule.verbs):
        return None  # verbs [""] (or none) match no request: the rule grants nothing
    if full_wildcard(rule):
        return fields[0], "every verb on every resource in every API group (cluster-admin)", 2
    level = 0
    if "*" in rule.verbs:
        verbs = "every verb (delete and deletecollection included)"
        level = 1
    else:
        verbs = ", ".join(rule.verbs)
    if "*" in rule.resources:
        sensitive = any(g in SENSITIVE_GROUPS for g in rule.api_groups)
        read_only = all(v in READ_VERBS for v in rule.verbs)
        if "*" in rule.api_groups:
            where = "every API group"
        else:
            where = "API group " + _groups_text(rule.api_groups)
        core = " (secrets and pods/exec included)" if rule.api_group_matches("") else ""
        resources = f"every resource of {where}{core}"
        level = max(level, (2 if not read_only else 1) if sensitive else (0 if read_only else 1))
    else:
        shown = ", ".join(rule.resources[:3])
        more = f" and {len(rule.resources) - 3} more" if len(rule.resources) > 3 else ""
        resources = shown + more
        if "*" in rule.api_groups:
            resources += " in every API group (CRDs installed later included)"
            level = max(level, 1)
    return fields[0], f"{verbs} on {resources}", level


WILDCARD = rbac_rule(
    "R001",
    "rbac-wildcard",
    "RBAC rule uses a wildcard",
    Severity.HIGH,
    what=(
        "A Role or ClusterRole rule lists `*` in `verbs` or `resources` (high), or only in "
        "`apiGroups` (medium). A rule granting every verb on every resource in every group is the "
        "`cluster-admin` rule set." + SCOPE_NOTE
    ),
    why=(
        "A wildcard grants what exists today and everything added later: every verb includes "
        "`escalate`, `bind`, `impersonate` and `deletecollection`; every resource includes "
        "secrets, `pods/exec` and the RBAC objects themselves; every group includes each CRD "
        "installed later. Nobody reviews what a wildcard will mean next release."
    ),
    fix=(
        "List the verbs, resources and API groups the workload really uses (the audit log or "
        "`kubectl auth can-i --list` of a test run shows them)."
    ),
    example="""
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch", "patch"]
""",
    cis="5.1.3",
    checkov=("CKV_K8S_49", "CKV_K8S_157"),
    kube_linter=("wildcard-in-rules",),
    trivy=("KSV044", "KSV045", "KSV046", "KSV112"),
)


# R001
@check(WILDCARD, on=Target.SET)
def rbac_wildcard(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        wild = wildcard(rule)
        if wild is None:
            continue
        field_name, what, level = wild
        cluster, namespaced = _LEVELS[level]
        yield (
            rule.source.index,
            Violation(
                WILDCARD.code,
                pointer(a.objects, rule, field_name, "*"),
                f"wildcard grants {what} {exp.scope_text}; {exp.held(rule.source)}",
                None,
                exp.severity(cluster, namespaced),
            ),
        )
