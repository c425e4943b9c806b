"""N006, N007: NetworkPolicies that select no pod, and ones the API server rejects."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.models.workload import api_group
from hardhull.registry import Target, check
from hardhull.rules.netpol import NETPOL_DOC, netpol_rule
from hardhull.rules.netpol.analysis import DEAD_NETPOL_GROUPS, analyse, listed, plural

SELECTS_NOTHING = netpol_rule(
    "N006",
    "policy-selects-nothing",
    "NetworkPolicy selects no pod",
    Severity.LOW,
    what=(
        "The policy's `spec.podSelector` matches none of the pods the scanned set runs in its "
        "namespace. Reported only when the scan has pods in that namespace: for a namespace whose "
        "pods are deployed from elsewhere the answer is unknowable. Not reported when the "
        "namespace holds custom resources, which operators may turn into pods (a Prometheus or a "
        "Postgres cluster resource, an Argo Rollout)."
    ),
    why=(
        "A policy that selects nothing protects nothing; usually its selector has a typo or the "
        "workload's labels changed, and the pods it was written for are left exposed without any "
        "error to show it."
    ),
    fix=(
        "Make `podSelector` match the pod template labels of the workload it is meant for (compare "
        "with `kubectl get pods -l <selector> -n <namespace>`), or delete the stale policy."
    ),
    example="""
# the Deployment's pod template has labels {app: shop}
spec:
  podSelector:
    matchLabels: {app: shop}
""",
)


# N006
@check(SELECTS_NOTHING, on=Target.SET)
def policy_selects_nothing(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analyse)
    for p in a.net.policies:
        eps = a.endpoints.get(p.namespace, [])
        if not eps or p.namespace in a.custom or a.net.selected_by(p):
            continue
        yield (
            p.index,
            Violation(
                SELECTS_NOTHING.code,
                "/spec/podSelector",
                f"podSelector {p.pod_selector.describe()} of NetworkPolicy {p.ref} selects none of "
                f"the {plural(len(eps), 'workload')} of namespace {p.namespace} in the scanned "
                f"files ({listed([e.name for e in eps])}): the policy has no effect",
            ),
        )


INVALID = netpol_rule(
    "N007",
    "invalid-network-policy",
    "NetworkPolicy the API server rejects",
    Severity.MEDIUM,
    what=("A NetworkPolicy fails the API server's validation: an invalid label selector (unknown "
    "operator, `In` without values, bad label syntax), a peer with none of `podSelector`, "
    "`namespaceSelector`, `ipBlock` or with `ipBlock` and a selector, a malformed CIDR or an "
    "`except` outside its `cidr`, a protocol other than TCP, UDP or SCTP, a port out of range "
    "or an invalid port name, a bad `endPort`, an unknown policy type, an unknown field (a typo "
    "such as `podselector`), or an API version no server serves (`extensions/v1beta1`, removed "
    "in Kubernetes 1.16). One finding per problem, on the offending field."),
    why=("The policy never exists in the cluster: `kubectl apply` fails for it, and pipelines that "
    "keep going after an error (or tools that drop unknown fields) leave the pods it was meant "
    "to isolate wide open, or isolated differently than written, while the file looks right."),
    fix=("Correct the field the finding points at; `kubectl apply --dry-run=server -f FILE` shows "
    "the API server's own verdict."),
    example="""
ingress:
  - from:
      - podSelector:
          matchExpressions:
            - {key: app, operator: In, values: [web]}   # not "in", and values required
    ports:
      - {port: 8080, protocol: TCP}                     # a number, or a port name
""",
    refs=(NETPOL_DOC, "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/"
          "network-policy-v1/"),
)  # fmt: skip


# N007
@check(INVALID, on=Target.SET)
def invalid_network_policy(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analyse)
    for prob in a.net.problems:
        if prob.resource.kind != "NetworkPolicy":
            continue
        yield (
            prob.index,
            Violation(
                INVALID.code,
                prob.pointer,
                f"NetworkPolicy {prob.resource.namespace}/{prob.resource.name} is rejected by the "
                f"API server: {prob.message}",
            ),
        )
    for ign in a.net.ignored:
        obj = a.objects[ign.index]
        av = obj.get("apiVersion")
        if obj.get("kind") == "NetworkPolicy" and api_group(av) in DEAD_NETPOL_GROUPS:
            yield (
                ign.index,
                Violation(
                    INVALID.code,
                    "/apiVersion",
                    f"NetworkPolicy {ign.resource.namespace}/{ign.resource.name} uses apiVersion "
                    f"{av}, which no current API server serves: use networking.k8s.io/v1",
                    [{"op": "replace", "path": "/apiVersion", "value": "networking.k8s.io/v1"}],
                ),
            )
