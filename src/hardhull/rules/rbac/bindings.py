"""R010–R012: bindings of cluster-admin, of public groups, and to default service accounts."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.rbac.identities import UNAUTHENTICATED, is_valid
from hardhull.rbac.model import Binding
from hardhull.registry import Target, check
from hardhull.rules.rbac import rbac_rule
from hardhull.rules.rbac.analysis import analyse
from hardhull.rules.rbac.matching import dangers, full_wildcard
from hardhull.rules.rbac.subjects import (
    PUBLIC_GROUPS,
    is_component,
    public_group,
    sa_of,
    subject_note,
)

#: built-in roles the API server itself binds to the public groups: harmless by design
HARMLESS_BUILTIN = frozenset({"system:discovery", "system:basic-user", "system:public-info-viewer"})


def _where(b: Binding) -> str:
    return "cluster-wide" if b.scope is None else f"in namespace {b.scope}"


def _admin(b: Binding) -> bool:
    """The binding grants cluster-admin, or a role with an every-verb, every-resource,
    every-group rule."""
    return (b.role_kind == "ClusterRole" and b.role_name == "cluster-admin") or (
        b.role is not None and any(full_wildcard(r) for r in b.role.rules)
    )


CLUSTER_ADMIN = rbac_rule(
    "R010",
    "rbac-cluster-admin-binding",
    "cluster-admin bound to a user, group or service account",
    Severity.CRITICAL,
    what=(
        "A binding grants `cluster-admin`, or a role with an every-verb, every-resource, "
        "every-group rule, to a subject outside `system:` (critical for a ClusterRoleBinding, "
        "high for a RoleBinding: full control of that namespace). A ClusterRoleBinding of the "
        "built-in `admin` or `edit` role (when the scanned set does not define it) is reported "
        "high: they read every namespace's secrets and exec into and create pods everywhere."
    ),
    why=(
        "cluster-admin is every permission on every object: one stolen token or compromised "
        "pipeline owns the cluster, its secrets and its nodes."
    ),
    fix=(
        "Bind a role with the permissions the subject uses, in the namespaces it works in; keep "
        "cluster-admin for break-glass access."
    ),
    example="""
kind: RoleBinding
metadata: {name: deployer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
""",
    cis="5.1.1",
    trivy=("KSV111",),
    kube_linter=("cluster-admin-role-binding",),
    checkov=("CKV2_K8S_1",),
)


# R010
@check(CLUSTER_ADMIN, on=Target.SET)
def rbac_cluster_admin_binding(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    for b in ctx.derived_from(analyse).bindings:
        admin = _admin(b)
        near_admin = (
            b.scope is None
            and b.role is None
            and b.role_kind == "ClusterRole"
            and b.role_name in ("admin", "edit")
        )
        for bound in b.subjects:
            s = bound.subject
            if not is_valid(s) or public_group(s) or is_component(s):
                continue
            if admin:
                yield (
                    b.ref.index,
                    Violation(
                        CLUSTER_ADMIN.code,
                        bound.pointer,
                        f"binds {b.role_ref} (every verb on every resource) {_where(b)} to {s}"
                        + subject_note(b, bound.pointer),
                        None,
                        Severity.CRITICAL if b.scope is None else Severity.HIGH,
                    ),
                )
            elif near_admin:
                yield (
                    b.ref.index,
                    Violation(
                        CLUSTER_ADMIN.code,
                        bound.pointer,
                        f"binds the built-in {b.role_name} role cluster-wide to {s}"
                        f"{subject_note(b, bound.pointer)}: every "
                        "namespace's secrets, exec into and creating pods in every namespace "
                        "(kube-system included), which is near cluster-admin; bind it with a "
                        "RoleBinding in the namespaces the subject works in",
                        None,
                        Severity.HIGH,
                    ),
                )


PUBLIC_BINDING = rbac_rule(
    "R011",
    "rbac-public-binding",
    "Role bound to anonymous, unauthenticated or all authenticated users",
    Severity.CRITICAL,
    what=(
        "A binding names `system:anonymous`, `system:unauthenticated` or "
        "`system:authenticated`: critical, whatever role it grants (one of the scanned set, a "
        "built-in one, or one the set does not hold: the binding itself is the risk, it hands "
        "that role to everyone). The built-in discovery roles the API server binds to them "
        "itself are not reported; a role of the set that grants only non-resource URLs, or "
        "nothing at all, is low."
    ),
    why=(
        "Anyone who can reach the API server is `system:unauthenticated`; on managed clusters "
        "`system:authenticated` can include every account of the identity provider, not just "
        "your organisation."
    ),
    fix="Bind named users, groups of your identity provider, or service accounts.",
    example="""
subjects:
  - {kind: Group, name: "oidc:platform-team", apiGroup: rbac.authorization.k8s.io}
""",
)


# R011
@check(PUBLIC_BINDING, on=Target.SET)
def rbac_public_binding(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    for b in ctx.derived_from(analyse).bindings:
        if b.role is None and b.role_name in HARMLESS_BUILTIN:
            continue
        for bound in b.subjects:
            s = bound.subject
            group = public_group(s) if is_valid(s) else ""
            if not group:
                continue
            note = ""
            sev = PUBLIC_GROUPS[group]
            if b.role is None and b.dangling:
                # the binding is the risk: whatever the role holds where it is applied
                note = " (the role is not in the scanned set)"
            elif b.role is not None and not b.role.aggregated and not b.role.rules:
                sev, note = Severity.LOW, " (the role grants nothing as written)"
            elif b.role is not None and b.role.rules and not any(r.resources for r in b.role.rules):
                sev, note = Severity.LOW, " (the role grants only non-resource URLs)"
            who = (
                "anyone who can reach the API server, without credentials"
                if group == UNAUTHENTICATED
                else "every authenticated user and service account"
            )
            yield (
                b.ref.index,
                Violation(
                    PUBLIC_BINDING.code,
                    bound.pointer,
                    f"grants {b.role_ref} {_where(b)} to {s}{note}"
                    f"{subject_note(b, bound.pointer)}: {who}",
                    None,
                    sev,
                ),
            )


DEFAULT_SA = rbac_rule(
    "R012",
    "rbac-default-service-account",
    "Permissions bound to a namespace's default service account",
    Severity.MEDIUM,
    what=(
        "A binding grants a role to the `default` service account (medium; high when the role "
        "holds a permission R001–R009 report or is cluster-admin, admin or edit)."
    ),
    why=(
        "Every pod that names no `serviceAccountName` runs as `default`: permissions given to it "
        "go to every such pod in the namespace, including ones added later for other purposes."
    ),
    fix=(
        "Create a dedicated service account for the workload that needs the permissions and "
        "bind the role to it."
    ),
    example="""
kind: ServiceAccount
metadata: {name: reporter, namespace: shop}
---
kind: RoleBinding
metadata: {name: reporter, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reporter}
subjects:
  - {kind: ServiceAccount, name: reporter, namespace: shop}
""",
    cis="5.1.5",
    checkov=("CKV_K8S_42",),
)


# R012
@check(DEFAULT_SA, on=Target.SET)
def rbac_default_service_account(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    for b in ctx.derived_from(analyse).bindings:
        if b.dangling:
            continue
        for bound in b.subjects:
            s = bound.subject
            if not is_valid(s) or public_group(s):
                continue
            sa = sa_of(s)
            if sa is None or sa.name != "default":
                continue
            found: list[str] = []
            if b.role is not None:
                for r in b.role.rules:
                    found.extend(dangers(r))
            strong = _admin(b) or (b.role_name in ("admin", "edit") and b.role is None)
            note = f" ({', '.join(dict.fromkeys(found))})" if found else ""
            yield (
                b.ref.index,
                Violation(
                    DEFAULT_SA.code,
                    bound.pointer,
                    f"grants {b.role_ref}{note} {_where(b)} to the default service account of "
                    f"namespace {sa.namespace}: every pod there without a serviceAccountName "
                    "gets it",
                    None,
                    Severity.HIGH if found or strong else Severity.MEDIUM,
                ),
            )
