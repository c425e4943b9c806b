"""R015–R017: RBAC that grants nothing because of a mistake, with the likely intent.

A binding to a group nobody is in, a rule naming resources in an API group that does not serve
them, a RoleBinding to a ``Role`` named like a built-in ClusterRole: the API server accepts
each, and each grants nothing. Harmless as written, but someone meant something: the fix of
the typo grants it (and then the other R rules judge it), and until then whatever was meant
to work does not.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.rbac.bootstrap import BOOTSTRAP_ROLES, SYSTEM_PREFIX, USER_FACING
from hardhull.rbac.identities import (
    ALL_SERVICE_ACCOUNTS,
    ANONYMOUS,
    AUTHENTICATED,
    GROUP,
    SA_USER_PREFIX,
    UNAUTHENTICATED,
    USER,
    is_valid,
    sa_from_username,
)
from hardhull.rbac.model import Binding, PolicyRule
from hardhull.rbac.resources import BUILTIN
from hardhull.registry import Target, check
from hardhull.rules.rbac import rbac_rule
from hardhull.rules.rbac.analysis import analyse
from hardhull.rules.rbac.matching import pointer

#: groups the authenticators put users in (never a user name)
WELL_KNOWN_GROUPS = frozenset(
    {
        AUTHENTICATED,
        UNAUTHENTICATED,
        ALL_SERVICE_ACCOUNTS,
        "system:masters",
        "system:nodes",
        "system:bootstrappers",
        "system:monitoring",
    }
)
#: user names of the control plane and the anonymous user (never a group)
WELL_KNOWN_USERS = frozenset(
    {
        ANONYMOUS,
        "system:kube-scheduler",
        "system:kube-controller-manager",
        "system:kube-proxy",
        "system:apiserver",
        "system:volume-scheduler",
    }
)
#: namespaces where the API server creates ``system:`` Roles of its own
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public"})

#: API group → the resources it serves, built-in ones and those RBAC alone names (``signers``)
#: or that older releases served (``extensions``); a rule naming one of these resources under
#: groups that are all built in and none of which serves it grants nothing on it
SERVED: dict[str, set[str]] = {}
for _t in BUILTIN:
    SERVED.setdefault(_t.group, set()).add(_t.plural)
SERVED["certificates.k8s.io"].add("signers")
SERVED.setdefault("extensions", set()).update(
    {"deployments", "daemonsets", "replicasets", "ingresses", "networkpolicies",
     "podsecuritypolicies", "replicationcontrollers"}
)  # fmt: skip
SERVED.setdefault("policy", set()).add("podsecuritypolicies")
SERVED.setdefault("events.k8s.io", set()).add("events")


def _group_text(group: str) -> str:
    return '"" (core)' if group == "" else group


SUBJECT_MISTAKE = rbac_rule(
    "R015",
    "rbac-subject-matches-nobody",
    "Binding subject is a well-known identity of the wrong kind: matches nobody",
    Severity.LOW,
    what=(
        "A binding names a built-in identity with the wrong kind, so the subject matches "
        "nobody: `Group system:anonymous` (no group of that name has members: the anonymous "
        "user is the User `system:anonymous`, in the Group `system:unauthenticated`), a group "
        "such as `system:authenticated`, `system:masters` or `system:nodes` as a User, a "
        "control-plane user such as `system:kube-scheduler` as a Group, or a service account's "
        "user name (`system:serviceaccount:NS:NAME`) as a Group. The message names the likely "
        "intent."
    ),
    why=(
        "The binding grants nothing, which is harmless as written, but whoever wrote it meant "
        "to grant (or, if it was copied to revoke access, to deny) something: the intended "
        "access silently does not work, and the fix of the typo changes what the cluster "
        "allows without the review it deserves (R011 judges a public binding then)."
    ),
    fix=(
        "Write the subject with the kind the authenticator gives that identity, or delete it if "
        "nobody should hold the role."
    ),
    example="""
subjects:
  - {kind: User, name: system:kube-scheduler, apiGroup: rbac.authorization.k8s.io}
  - {kind: Group, name: system:nodes, apiGroup: rbac.authorization.k8s.io}
""",
)


def _subject_hint(kind: str, name: str) -> str:
    """The likely intent of a subject that matches nobody ("" if it is not one of those)."""
    if kind == GROUP and name == ANONYMOUS:
        return (
            "Group/system:anonymous has no members: the anonymous user is the User "
            "system:anonymous, in the Group system:unauthenticated; as written this subject "
            "grants nobody (kind: User is likely meant, which opens the role to anyone who "
            "can reach the API server, or delete it)"
        )
    if kind == GROUP and name in WELL_KNOWN_USERS:
        return (
            f"{name} is a user name, not a group: as written this subject grants nobody "
            "(kind: User is likely meant)"
        )
    if kind == GROUP and name.startswith(SA_USER_PREFIX):
        sa = sa_from_username(name)
        if sa is not None:
            return (
                f"{name} is the user name of ServiceAccount {sa.namespace}/{sa.name}, not a "
                f"group: as written this subject grants nobody (kind: ServiceAccount, name: "
                f"{sa.name}, namespace: {sa.namespace} is likely meant)"
            )
    if kind == USER and (name in WELL_KNOWN_GROUPS or name.startswith(ALL_SERVICE_ACCOUNTS + ":")):
        return (
            f"{name} is a group, not a user name: as written this subject grants nobody "
            "(kind: Group is likely meant)"
        )
    return ""


# R015
@check(SUBJECT_MISTAKE, on=Target.SET)
def rbac_subject_matches_nobody(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    for b in ctx.derived_from(analyse).bindings:
        for bound in b.subjects:
            s = bound.subject
            if not is_valid(s):
                continue
            hint = _subject_hint(s.kind, s.name)
            if hint:
                yield (
                    b.ref.index,
                    Violation(
                        SUBJECT_MISTAKE.code, f"{bound.pointer}/name", hint, None, Severity.LOW
                    ),
                )


WRONG_GROUP = rbac_rule(
    "R016",
    "rbac-resource-wrong-api-group",
    "RBAC rule names resources in an API group that does not serve them",
    Severity.LOW,
    what=(
        "A rule lists built-in resources under API groups (all of them built-in) none of which "
        "serves them: `certificatesigningrequests` or `signers` in the core group (they are "
        "`certificates.k8s.io`), `deployments` in the core group (`apps`), `leases` in the "
        "core group (`coordination.k8s.io`), `ingresses` in `apps`… The rule grants nothing "
        "on them; the message names the group that serves them. Groups the scan does not know "
        "(CRDs, `metrics.k8s.io`) and `*` are not judged."
    ),
    why=(
        "The authorizer matches the group and the resource separately, so the rule is valid and "
        "silently useless: what it was written for fails with 403 until someone widens it, "
        "often to `*`."
    ),
    fix="Put the resources under the API group that serves them, in a rule of their own.",
    example="""
rules:
  - apiGroups: ["certificates.k8s.io"]
    resources: ["certificatesigningrequests"]
    verbs: ["get", "list"]
""",
)


def misplaced(rule: PolicyRule) -> list[tuple[str, list[str]]]:
    """(resource, the groups that serve it) for each resource the rule names under built-in
    groups none of which serves it."""
    if not rule.api_groups or any(g not in SERVED for g in rule.api_groups):
        return []  # "*" or a group hardhull does not know: not judged
    out: list[tuple[str, list[str]]] = []
    for res in rule.resources:
        base = res.partition("/")[0]
        if base == "*" or any(base in SERVED[g] for g in rule.api_groups):
            continue
        serving = sorted(g for g, served in SERVED.items() if base in served and g != "extensions")
        if serving:
            out.append((res, serving))
    return out


# R016
@check(WRONG_GROUP, on=Target.SET)
def rbac_resource_wrong_api_group(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, _ in a.role_rules:
        found = misplaced(rule)
        if not found:
            continue
        listed = ", ".join(_group_text(g) for g in rule.api_groups)
        by_group: dict[str, list[str]] = {}
        for res, serving in found:
            by_group.setdefault(" or ".join(serving), []).append(res)
        if len(by_group) == 1:
            where = f"served by {next(iter(by_group))}"
        else:
            where = "; ".join(f"{', '.join(rs)}: {g}" for g, rs in by_group.items())
        likely = ", ".join(f'"{g}"' for g in sorted({gs[0] for _, gs in found}))
        names = ", ".join(res for res, _ in found)
        many = len(found) > 1
        group_word = "API groups" if len(rule.api_groups) > 1 else "API group"
        yield (
            rule.source.index,
            Violation(
                WRONG_GROUP.code,
                pointer(a.objects, rule, "resources", found[0][0]),
                f"{names} {'are' if many else 'is'} not in {group_word} {listed} ({where}): "
                f"the rule grants nothing on {'them' if many else 'it'}; apiGroups: [{likely}] "
                "is likely meant",
                None,
                Severity.LOW,
            ),
        )


ROLE_KIND_MISTAKE = rbac_rule(
    "R017",
    "rbac-roleref-kind-mistake",
    "Binding refers to a Role named like a built-in ClusterRole",
    Severity.LOW,
    what=(
        "A RoleBinding's `roleRef` is `kind: Role` with the name of a built-in ClusterRole "
        "(`cluster-admin`, `admin`, `edit`, `view`, or a `system:` role outside kube-system and "
        "kube-public) and the scanned set defines no Role of that name in the namespace; or a "
        "ClusterRoleBinding's `roleRef` is `kind: Role`, which the API server rejects. As "
        "written it grants nothing; `kind: ClusterRole` is likely meant."
    ),
    why=(
        "The binding is silently useless, and once someone corrects the kind it grants the "
        "built-in role (for `admin` or `edit`: secrets, exec, creating pods in the namespace) "
        "without the review such a binding deserves."
    ),
    fix=(
        "Write `roleRef: {kind: ClusterRole, name: edit}` (a RoleBinding to a ClusterRole grants "
        "it in the binding's namespace only), or define the Role."
    ),
    example="""
kind: RoleBinding
metadata: {name: devs-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
""",
)


def _named_like_cluster_role(b: Binding) -> bool:
    name, ns = b.role_name, b.ref.namespace
    if name in USER_FACING:
        return True
    return (
        name.startswith(SYSTEM_PREFIX)
        and ns not in SYSTEM_NAMESPACES
        and (ns, name) not in BOOTSTRAP_ROLES
    )


# R017
@check(ROLE_KIND_MISTAKE, on=Target.SET)
def rbac_roleref_kind_mistake(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    for b in ctx.derived_from(analyse).bindings:
        if b.role_kind != "Role" or b.role is not None:
            continue
        if b.scope is None:
            message = (
                f"a ClusterRoleBinding can only reference a ClusterRole (the API server rejects "
                f"roleRef kind Role): as written it grants nothing; kind: ClusterRole (name "
                f"{b.role_name}) is likely meant"
            )
        elif _named_like_cluster_role(b):
            builtin = (
                f"{b.role_name} is a built-in ClusterRole"
                if b.role_name in USER_FACING
                else "system: names are the API server's ClusterRoles"
            )
            message = (
                f"roleRef names Role {b.role_name}, which the scanned set does not define in "
                f"namespace {b.scope}: {builtin}, so kind: ClusterRole is likely meant (granted "
                f"in namespace {b.scope} only); as written the binding grants nothing"
            )
        else:
            continue
        yield (
            b.ref.index,
            Violation(ROLE_KIND_MISTAKE.code, "/roleRef/kind", message, None, Severity.LOW),
        )
