"""R002, R003, R006, R009: rules that reach secrets, pods, kubelets and admission."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.rbac import SCOPE_NOTE, rbac_rule
from hardhull.rules.rbac.analysis import analyse
from hardhull.rules.rbac.matching import (
    READ_VERBS,
    nodes_proxy,
    pod_exec,
    pointer,
    secrets_read,
    verbs_text,
    webhook_write,
)

SECRETS = rbac_rule(
    "R002",
    "rbac-secrets-read",
    "RBAC rule grants read access to secrets",
    Severity.MEDIUM,
    what=(
        "A rule grants `get`, `list` or `watch` on `secrets` without `resourceNames`. `list` and "
        "`watch` return every secret with its full contents, not only names. Medium cluster-wide, "
        "low in a namespace or for `get` alone (names must be known). Medium, not high: ingress "
        "controllers, cert-manager and most operators need it, so it is a privilege to review and "
        "scope, not a mistake by itself. Rules limited by `resourceNames` are the recommended "
        "form and are not reported." + SCOPE_NOTE
    ),
    why=(
        "Secrets hold service account tokens, TLS keys, registry and database credentials: "
        "reading them is borrowing every identity they hold. Operators that manage secrets "
        "really need it; that is still a privilege to keep to the namespaces and names they use."
    ),
    fix=(
        "Grant `get` on the named secrets only, in a Role in the namespace that holds them; "
        "mount secrets into pods instead of reading them through the API."
    ),
    example="""
kind: Role
metadata: {name: read-tls, namespace: shop}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["shop-tls"]
    verbs: ["get"]
""",
    cis="5.1.2",
    trivy=("KSV041",),
    kube_linter=("access-to-secrets",),
)


# R002
@check(SECRETS, on=Target.SET)
def rbac_secrets_read(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        verbs = secrets_read(rule)
        if not verbs:
            continue
        listing = any(v in ("list", "watch", "*") for v in verbs)
        first = next(v for v in (*READ_VERBS, "*") if v in verbs)
        note = " (list and watch return every secret's full contents, not only names)"
        sev = (
            exp.severity(Severity.MEDIUM, Severity.LOW)
            if listing
            else exp.severity(Severity.LOW, Severity.LOW)
        )
        yield (
            rule.source.index,
            Violation(
                SECRETS.code,
                pointer(a.objects, rule, "verbs", first),
                f"grants {verbs_text(verbs)} on secrets {exp.scope_text}"
                f"{note if listing else ''}; {exp.held(rule.source)}",
                None,
                sev,
            ),
        )


POD_EXEC = rbac_rule(
    "R003",
    "rbac-pod-exec",
    "RBAC rule grants exec, attach or port-forward into pods",
    Severity.HIGH,
    what=(
        "A rule grants `create` or `get` (WebSocket clients use GET) on `pods/exec` or "
        "`pods/attach` (high cluster-wide, medium in a namespace), or on `pods/portforward` "
        "(one step lower)." + SCOPE_NOTE
    ),
    why=(
        "A shell in a pod is everything the pod has: its service account token, mounted "
        "secrets, its network position and, for a privileged pod, the node. Port-forwarding "
        "reaches pod ports past every NetworkPolicy."
    ),
    fix=(
        "Drop exec/attach from automation roles; give humans time-bound access through a "
        "separate, audited role bound only while debugging (or use ephemeral debug containers "
        "under policy)."
    ),
    example="""
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
""",
    trivy=("KSV053",),
)


# R003
@check(POD_EXEC, on=Target.SET)
def rbac_pod_exec(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        res, verbs = pod_exec(rule)
        if not verbs:
            continue
        shell = any(r != "pods/portforward" for r in res)
        sev = exp.severity(Severity.HIGH, Severity.MEDIUM)
        if not shell or rule.resource_names:
            sev = Severity(max(Severity.LOW, sev - 1))
        what = (
            "a shell in every pod in scope, with its token and secrets"
            if shell
            else "network access to every pod port in scope, past NetworkPolicies"
        )
        yield (
            rule.source.index,
            Violation(
                POD_EXEC.code,
                pointer(a.objects, rule, "verbs", verbs[0]),
                f"grants {verbs_text(verbs)} on {', '.join(res)} {exp.scope_text} ({what}); "
                f"{exp.held(rule.source)}",
                None,
                sev,
            ),
        )


NODES_PROXY = rbac_rule(
    "R006",
    "rbac-nodes-proxy",
    "RBAC rule grants access to the kubelet API through nodes/proxy",
    Severity.HIGH,
    what=(
        "A rule grants a verb on `nodes/proxy`. Nodes are cluster-scoped: through a RoleBinding "
        "it grants nothing (reported low)." + SCOPE_NOTE
    ),
    why=(
        "`nodes/proxy` reaches the full kubelet API of every node through the API server, "
        "including `/exec` and `/run` in any pod on the node, bypassing admission and the "
        "`pods/exec` audit trail; a WebSocket GET is enough."
    ),
    fix=(
        "Scrape metrics through `nodes/metrics` and `nodes/stats` (or the kubelet's own "
        "authenticated endpoint) instead of the proxy."
    ),
    example="""
rules:
  - apiGroups: [""]
    resources: ["nodes/metrics", "nodes/stats"]
    verbs: ["get"]
""",
    trivy=("KSV047",),
)


# R006
@check(NODES_PROXY, on=Target.SET)
def rbac_nodes_proxy(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        verbs = nodes_proxy(rule)
        if not verbs:
            continue
        yield (
            rule.source.index,
            Violation(
                NODES_PROXY.code,
                pointer(a.objects, rule, "verbs", verbs[0]),
                f"grants {verbs_text(verbs)} on nodes/proxy {exp.scope_text} (the kubelet API of "
                f"every node: exec in any pod, unaudited); {exp.held(rule.source)}",
                None,
                exp.severity(Severity.HIGH, Severity.LOW),
            ),
        )


WEBHOOKS = rbac_rule(
    "R009",
    "rbac-webhook-config-write",
    "RBAC rule grants writing admission webhook configurations",
    Severity.HIGH,
    what=(
        "A rule grants create, update, patch, delete or deletecollection on "
        "`validatingwebhookconfigurations` or `mutatingwebhookconfigurations`. Medium when "
        "`resourceNames` limits it to named configurations; low through a RoleBinding (the "
        "objects are cluster-scoped)." + SCOPE_NOTE
    ),
    why=(
        "A mutating webhook sees and rewrites every object it selects, secrets and pod specs "
        "included; deleting a validating webhook switches off the policy engine behind it."
    ),
    fix=(
        "Let the operator manage only its own configurations (`resourceNames`), or have the "
        "configuration installed by the deployment pipeline instead of the running operator."
    ),
    example="""
rules:
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["validatingwebhookconfigurations"]
    resourceNames: ["my-operator-webhook"]
    verbs: ["get", "update", "patch"]
""",
    trivy=("KSV114",),
    checkov=("CKV_K8S_155",),
)


# R009
@check(WEBHOOKS, on=Target.SET)
def rbac_webhook_config_write(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    for rule, exp in a.role_rules:
        res, verbs = webhook_write(rule)
        if not verbs:
            continue
        sev = exp.severity(Severity.HIGH, Severity.LOW)
        if rule.resource_names:
            sev = min(sev, Severity.MEDIUM)
        yield (
            rule.source.index,
            Violation(
                WEBHOOKS.code,
                pointer(a.objects, rule, "verbs", verbs[0]),
                f"grants {verbs_text(verbs)} on {', '.join(res)} {exp.scope_text} (intercept or "
                f"rewrite objects at admission, or switch policy off); {exp.held(rule.source)}",
                None,
                sev,
            ),
        )
