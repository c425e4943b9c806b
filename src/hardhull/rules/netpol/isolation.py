"""N001–N003: namespaces without a default deny, and workloads no policy selects."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Rule, Severity, Violation
from hardhull.netpol.model import Direction
from hardhull.registry import Target, check
from hardhull.rules.netpol import CIS_NETPOL, DEFAULT_DENY_DOC, NETPOL_DOC, netpol_rule
from hardhull.rules.netpol.analysis import (
    analyse,
    listed,
    lower,
    namespace_location,
    namespace_related,
    plural,
    workload_pointer,
)


def _default_deny(ctx: SetContext, rule: Rule, direction: str) -> Iterator[tuple[int, Violation]]:
    """N001/N002: one finding per judged namespace without a default deny for ``direction``."""
    a = ctx.derived(analyse)
    d: Direction = "ingress" if direction == "Ingress" else "egress"
    for ns in a.judged_namespaces():
        pols = a.policies.get(ns, [])
        if any(p.pod_selector.everything and direction in p.policy_types for p in pols):
            continue
        eps = a.workloads[ns]
        open_eps = list(dict.fromkeys(e.ref for e in eps if not a.net.policies_for(e, d)))
        ing = d == "ingress"
        head = (
            f"namespace {ns} has no default-deny {d} NetworkPolicy "
            f"(podSelector: {{}}, policyTypes: [{direction}])"
        )
        sev: Severity | None = None
        refs = sorted({e.ref for e in eps}, key=[e.ref for e in eps].index)
        if not pols:
            one = len(eps) == 1
            subject = f"its workload {refs[0]}" if one else f"its {len(eps)} workloads"
            if not one:
                subject += f" ({listed(refs)})"
            if ing:
                verb = ("it accepts" if one else "they accept") + " connections from anywhere"
            else:
                verb = ("it" if one else "they") + " may connect anywhere"
            tail = f"no policy selects {subject}, so {verb}"
        elif open_eps:
            n = len(open_eps)
            verb = ("accepts" if n == 1 else "accept") + " connections from anywhere"
            verb = verb if ing else "may connect anywhere"
            tail = f"{n} of its {plural(len(eps), 'workload')} {verb}: {listed(open_eps)}"
        else:
            one = len(eps) == 1
            who = "its workload is" if one else f"its {len(eps)} workloads are"
            own = "its" if one else "their"
            later = "accept connections from anywhere" if ing else "be able to connect anywhere"
            tail = (
                f"{who} isolated for {d} by {own} own policies, but a pod added later will {later}"
            )
            sev = lower(rule.severity)
        bad = a.invalid.get(ns)
        if bad:
            tail += f" ({listed(sorted(bad))} would be rejected by the API server, see N007)"
        index, ptr = namespace_location(a, ns)
        related = namespace_related(a, ns, index)
        yield index, Violation(rule.code, ptr, f"{head}: {tail}", severity=sev, related=related)


DEFAULT_DENY_INGRESS = netpol_rule(
    "N001",
    "missing-default-deny-ingress",
    "Namespace without a default-deny ingress NetworkPolicy",
    Severity.MEDIUM,
    what=(
        "A namespace that runs pods in the scanned set has no NetworkPolicy that selects every pod "
        "(`podSelector: {}`) with `Ingress` in its policy types. One finding per namespace, on the "
        "Namespace object when the scan has it, else on the namespace's first workload; the "
        "namespace's other workloads are its related locations (SARIF `relatedLocations`, "
        "JSON `related`, the text report's `also:` line). When every "
        "workload of the namespace is already isolated for ingress by its own policies, the "
        "finding is low (only pods added later are exposed). Not reported for kube-system, "
        "kube-public and kube-node-lease (control-plane and node add-ons, whose policies the "
        "distribution owns), for namespaces whose only pods use the host network, nor where the "
        "scan holds network policies of another implementation (Calico, Cilium, Antrea, "
        "AdminNetworkPolicy) that may isolate what hardhull does not evaluate."
    ),
    why=(
        "Pods accept connections from every pod of the cluster and from anywhere the network "
        "routes unless a NetworkPolicy isolates them. Without a namespace-wide default deny, every "
        "pod nobody wrote a policy for, including each new one, is reachable by a compromised "
        "neighbour: lateral movement needs nothing more."
    ),
    fix=(
        "Add a default-deny ingress policy to the namespace, then allow each flow the application "
        "needs with narrow policies (source pods or namespaces, and ports)."
    ),
    example="""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
""",
    cis=CIS_NETPOL,
    nsa="Network policies (default-deny)",
    refs=(NETPOL_DOC, DEFAULT_DENY_DOC),
    checkov=("CKV2_K8S_6",),
)


# N001
@check(DEFAULT_DENY_INGRESS, on=Target.SET)
def missing_default_deny_ingress(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _default_deny(ctx, DEFAULT_DENY_INGRESS, "Ingress")


DEFAULT_DENY_EGRESS = netpol_rule(
    "N002",
    "missing-default-deny-egress",
    "Namespace without a default-deny egress NetworkPolicy",
    Severity.LOW,
    what=(
        "A namespace that runs pods in the scanned set has no NetworkPolicy that selects every pod "
        "(`podSelector: {}`) with `Egress` in its policy types. Located, scoped and lowered like "
        "N001 (info when every workload is already isolated for egress). It is low, one step below "
        "N001, because egress control is the second line: it limits what a compromised pod can "
        "reach (exfiltration, the cloud metadata service, lateral movement), while ingress "
        "exposure is how the pod gets compromised; egress allow lists are also harder to get "
        "right (NetworkPolicy has no DNS names, and forgetting DNS breaks the pods, see N008)."
    ),
    why=(
        "A pod without egress isolation can connect anywhere: to every other pod and database of "
        "the cluster, to the node and cloud metadata endpoints, and to the internet to exfiltrate "
        "data or fetch a second stage."
    ),
    fix=(
        "Add a default-deny egress policy, an egress rule for DNS, and a narrow egress rule per "
        "destination the pods need."
    ),
    example="""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: kube-system}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
      ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
""",
    cis=CIS_NETPOL,
    nsa="Network policies (default-deny)",
    refs=(NETPOL_DOC, DEFAULT_DENY_DOC),
    checkov=("CKV2_K8S_6",),
)


# N002
@check(DEFAULT_DENY_EGRESS, on=Target.SET)
def missing_default_deny_egress(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _default_deny(ctx, DEFAULT_DENY_EGRESS, "Egress")


NOT_ISOLATED = netpol_rule(
    "N003",
    "pod-not-isolated",
    "Workload selected by no NetworkPolicy",
    Severity.MEDIUM,
    what=(
        "A workload (pod template) is selected by no NetworkPolicy of its namespace, in a "
        "namespace that does have NetworkPolicies: the team uses policies, but this workload was "
        "left out. One finding per workload, on its pod template labels. Namespaces without any "
        "policy are reported once by N001/N002 instead, and the scoping of N001 applies (system "
        "namespaces, host-network pods and namespaces with other implementations' policies are "
        "not judged)."
    ),
    why=(
        "A pod that no policy selects is not isolated in either direction: it accepts connections "
        "from every pod and address and may connect anywhere, whatever the policies around it say. "
        "A typo in a label or a selector is the usual cause, and nothing fails to show it."
    ),
    fix=(
        "Add a policy that selects the workload (or fix the labels or selector meant to), or a "
        "namespace-wide default deny so no workload is ever left open."
    ),
    example="""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: worker
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: worker}
  policyTypes: [Ingress, Egress]
""",
    cis=CIS_NETPOL,
    nsa="Network policies",
    kube_linter=("non-isolated-pod",),
)


# N003
@check(NOT_ISOLATED, on=Target.SET)
def pod_not_isolated(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analyse)
    for ns in a.judged_namespaces():
        pols = a.policies.get(ns, [])
        if not any(a.net.selected_by(p) for p in pols):
            continue  # no policy here governs a pod of the scan: managed elsewhere
        names = listed(sorted(p.name for p in pols))
        for ep in a.workloads[ns]:
            if a.net.policies_for(ep, "ingress") or a.net.policies_for(ep, "egress"):
                continue
            yield (
                ep.index,
                Violation(
                    NOT_ISOLATED.code,
                    workload_pointer(a, ep),
                    f"{ep.kind} {ep.ref} is selected by no NetworkPolicy although namespace {ns} "
                    f"has {len(pols)} ({names}): it accepts connections from anywhere and may "
                    "connect anywhere",
                ),
            )
