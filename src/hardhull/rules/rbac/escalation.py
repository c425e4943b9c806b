"""R004, R005, R007, R008: rules that let the holder become another identity (run pods as a
privileged service account, escalate, bind or impersonate, mint tokens, approve
certificates)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.rbac.model import PolicyRule
from hardhull.registry import Target, check
from hardhull.rules.rbac import SCOPE_NOTE, rbac_rule
from hardhull.rules.rbac.analysis import analyse
from hardhull.rules.rbac.matching import (
    csr_approval,
    escalation,
    pod_creation,
    pointer,
    token_creation,
    verbs_text,
)
from hardhull.rules.rbac.subjects import sa_of

CREATE_PODS = rbac_rule(
    "R004",
    "rbac-create-pods-escalation",
    "RBAC rule lets a subject run pods as a privileged service account",
    Severity.HIGH,
    what=(
        "A rule grants `create` on pods or a pod controller (deployments, daemonsets, "
        "statefulsets, replicasets, jobs, cronjobs, replicationcontrollers) where a privileged "
        "service account lives: one that holds dangerous rights itself (reads secrets, "
        "cluster-admin-like, escalate/bind/impersonate, nodes/proxy, token or certificate "
        "minting, webhook writes) or whose pods run privileged. Held cluster-wide it is always "
        "reported (kube-system's controller accounts are such accounts in every cluster); in a "
        "namespace only when the scanned set shows a privileged account there. The message names "
        "the account. The same severity through a RoleBinding." + SCOPE_NOTE
    ),
    why=(
        "Whoever creates a pod chooses its `serviceAccountName`: the pod gets that account's "
        "token, so creating pods in a namespace is holding the rights of every account in it, "
        "and running privileged pods there is owning the node."
    ),
    fix=(
        "Run privileged service accounts in their own namespace where nobody else creates pods; "
        "give deployers a namespace-scoped role; enforce Pod Security `restricted` where "
        "workloads are created."
    ),
    example="""
kind: RoleBinding            # deployer may create workloads in shop only
metadata: {name: deployer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: workload-deployer}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
""",
    cis="5.1.4",
    trivy=("KSV048",),
    kube_linter=("access-to-create-pods",),
)


# R004
@check(CREATE_PODS, on=Target.SET)
def rbac_create_pods_escalation(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        res, verbs = pod_creation(rule)
        if not verbs:
            continue
        holders = {
            sa for b, _ in exp.bindings for s in b.subjects if (sa := sa_of(s.subject)) is not None
        }
        cluster = exp.cluster_wide or (exp.latent and exp.cluster_role)
        if cluster:
            namespaces: set[str] | None = None
        elif exp.latent:
            namespaces = {rule.source.namespace}
        else:
            namespaces = {b.scope for b, _ in exp.bindings if b.scope is not None}
        victims = [
            (sa, why)
            for sa, why in sorted(a.privileged.items())
            if sa not in holders and (namespaces is None or sa.namespace in namespaces)
        ]
        shown = "; ".join(f"{sa} ({why})" for sa, why in victims[:2])
        if len(victims) > 2:
            shown += f"; and {len(victims) - 2} more"
        what = f"grants {verbs_text(verbs)} on {', '.join(res)} {exp.scope_text}"
        if cluster:
            what += (
                ": a pod created in any namespace can run as any service account there and use "
                "its token, kube-system's controllers (near cluster-admin) included"
            )
            if victims:
                what += f"; privileged accounts in the set: {shown}"
        elif victims:
            what += (
                f", where privileged service accounts live: {shown} (a pod created there can "
                "run as any of them and use its token)"
            )
        elif namespaces and "kube-system" in namespaces:
            what += (
                ": a pod created there can run as any kube-system controller account "
                "(near cluster-admin) and use its token"
            )
        else:
            continue
        yield (
            rule.source.index,
            Violation(
                CREATE_PODS.code,
                pointer(a.objects, rule, "verbs", verbs[0]),
                f"{what}; {exp.held(rule.source)}",
                None,
                exp.severity(Severity.HIGH, Severity.HIGH),
            ),
        )


#: why each escalation verb matters, for R005's message
_ESCALATION_WHY = {
    "escalate": "write rules it does not hold",
    "bind": "bind roles it does not hold, cluster-admin included",
    "impersonate": "act as other identities, system:masters included",
}


ESCALATE = rbac_rule(
    "R005",
    "rbac-escalate-bind-impersonate",
    "RBAC rule grants escalate, bind or impersonate",
    Severity.HIGH,
    what=(
        "A rule grants `escalate` or `bind` on roles/clusterroles, or `impersonate` on users, "
        "groups, service accounts, uids or user extras (`*` verbs included). Critical when "
        "impersonation of any user or group is held cluster-wide; medium when `resourceNames` "
        "limits the targets; high through a RoleBinding." + SCOPE_NOTE
    ),
    why=(
        "These verbs switch off RBAC's escalation prevention: `escalate` writes rules the holder "
        "does not have, `bind` binds roles it does not hold (cluster-admin included), "
        "`impersonate` acts as another user or group, `system:masters` included."
    ),
    fix=(
        "Remove the verbs; controllers that must create bindings should get `bind` limited by "
        "`resourceNames` to the roles they hand out."
    ),
    example="""
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    resourceNames: ["tenant-viewer"]
    verbs: ["bind"]
""",
    cis="5.1.8",
)


# R005
@check(ESCALATE, on=Target.SET)
def rbac_escalate_bind_impersonate(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        esc = escalation(rule)
        if not esc:
            continue
        sev = exp.severity(Severity.HIGH, Severity.HIGH)
        impersonates = any(v == "impersonate" and {"users", "groups"} & set(r) for v, r in esc)
        if rule.resource_names:
            sev = min(sev, Severity.MEDIUM)
        elif impersonates and exp.cluster_wide and not exp.components_only:
            sev = Severity.CRITICAL
        text = "; ".join(f"{v} on {', '.join(r)} ({_ESCALATION_WHY[v]})" for v, r in esc)
        verb = esc[0][0] if esc[0][0] in rule.verbs else "*"
        yield (
            rule.source.index,
            Violation(
                ESCALATE.code,
                pointer(a.objects, rule, "verbs", verb),
                f"grants {text} {exp.scope_text}; {exp.held(rule.source)}",
                None,
                sev,
            ),
        )


SA_TOKEN = rbac_rule(
    "R007",
    "rbac-serviceaccount-token",
    "RBAC rule grants creating service account tokens",
    Severity.HIGH,
    what=(
        "A rule grants `create` on `serviceaccounts/token` (high cluster-wide, medium in a "
        "namespace)." + SCOPE_NOTE
    ),
    why=(
        "The TokenRequest API mints a token for any service account in scope: the holder "
        "becomes each of them, without running a pod."
    ),
    fix=(
        "Remove it; components that need a token for another audience use their own projected "
        "token volume."
    ),
    example="""
volumes:
  - name: token
    projected:
      sources:
        - serviceAccountToken: {audience: vault, expirationSeconds: 600, path: token}
""",
)


# R007
@check(SA_TOKEN, on=Target.SET)
def rbac_serviceaccount_token(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        verbs = token_creation(rule)
        if not verbs:
            continue
        yield (
            rule.source.index,
            Violation(
                SA_TOKEN.code,
                pointer(a.objects, rule, "verbs", verbs[0]),
                f"grants {verbs_text(verbs)} on serviceaccounts/token {exp.scope_text} (a token "
                f"for any service account in scope); {exp.held(rule.source)}",
                None,
                exp.severity(Severity.HIGH, Severity.MEDIUM),
            ),
        )


def _client_signers(rule: PolicyRule) -> bool:
    """Whether an ``approve signers`` rule covers the API server client signers."""
    if not rule.resource_names:
        return True
    return any(
        n in ("kubernetes.io/*", "kubernetes.io/kube-apiserver-client")
        or n.startswith("kubernetes.io/kube-apiserver-client")
        for n in rule.resource_names
    )


CSR_APPROVAL = rbac_rule(
    "R008",
    "rbac-csr-approval",
    "RBAC rule grants approving certificate signing requests",
    Severity.HIGH,
    what=(
        "A rule grants `update`/`patch` on `certificatesigningrequests/approval` or `approve` on "
        "`signers`. High when the same role holds both and the signers include the API server "
        "client signers; medium otherwise (approving needs both)." + SCOPE_NOTE
    ),
    why=(
        "Approving a CSR for the `kubernetes.io/kube-apiserver-client` signer issues a client "
        "certificate for any user and group, `system:masters` included: a credential that RBAC "
        "cannot revoke."
    ),
    fix=(
        "Leave approval to the controller manager; a custom approver gets `approve` only on its "
        "own signer name."
    ),
    example="""
rules:
  - apiGroups: ["certificates.k8s.io"]
    resources: ["signers"]
    resourceNames: ["example.com/my-signer"]
    verbs: ["approve"]
""",
)


# R008
@check(CSR_APPROVAL, on=Target.SET)
def rbac_csr_approval(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        approval, signers = csr_approval(rule)
        if not (approval or signers):
            continue
        role = a.graph.role_at(rule.source)
        rules = role.rules if role is not None and rule.source.kind == "ClusterRole" else (rule,)
        has_approval = any(csr_approval(r)[0] for r in rules)
        client = [r for r in rules if csr_approval(r)[1]]
        both = has_approval and bool(client)
        dangerous = both and any(_client_signers(r) for r in client)
        sev = exp.severity(Severity.HIGH if dangerous else Severity.MEDIUM, Severity.LOW)
        if approval:
            what = f"grants {verbs_text(approval)} on certificatesigningrequests/approval"
            verb = approval[0]
        else:
            names = ", ".join(rule.resource_names) or "any signer"
            what = f"grants approve on signers ({names})"
            verb = signers[0]
        if dangerous:
            consequence = (
                "with signer approval in the same role: can issue API client certificates for "
                "any user or group, system:masters included"
            )
        elif both:
            consequence = "with approval limited to signers other than the API server client ones"
        else:
            consequence = "approving also needs the other half (approval subresource and signer)"
        yield (
            rule.source.index,
            Violation(
                CSR_APPROVAL.code,
                pointer(a.objects, rule, "verbs", verb),
                f"{what} {exp.scope_text} ({consequence}); {exp.held(rule.source)}",
                None,
                sev,
            ),
        )
