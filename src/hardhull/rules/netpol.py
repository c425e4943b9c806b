"""Network checks (codes N001–N099): NetworkPolicy coverage and mistakes over the scanned set.

These are *set checks*: they need every object of the scan at once (pods, namespaces and
policies), so the engine calls each with the full list. The :class:`~hardhull.netpol.Network`
model is built once per scan and shared by every rule (:func:`analysis`).

Design, to report each problem once (see docs/netpol.md):

- N001/N002 (namespace without a default-deny for ingress/egress) are one finding per
  namespace, never per workload. Their severity drops one step when every workload of the
  namespace in the scan is already isolated in that direction by its own policies (only pods
  added later are exposed).
- N003 (workload selected by no policy) fires only in a namespace that has NetworkPolicies:
  with none at all, N001/N002 already say everything about it.
- Only namespaces with pods in the scan count; ``hostNetwork`` pods are not counted (policies
  do not apply to them in most plugins) and the system namespaces (kube-system, kube-public,
  kube-node-lease) are left out of N001–N003. A namespace with network policies of another
  implementation (Calico, Cilium, Antrea) or a scan with cluster-wide ones (GlobalNetworkPolicy,
  AdminNetworkPolicy, …) is not judged by N001–N003 either: those may isolate what we cannot see.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, api_group, as_dict, as_list, object_namespace
from hardhull.netpol.model import (
    Direction,
    Endpoint,
    IPPeer,
    Network,
    Policy,
    PolicyPeer,
    PolicyPort,
    build,
)
from hardhull.netpol.model import Rule as PolicyRule
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily

NETPOL_DOC = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
DEFAULT_DENY_DOC = NETPOL_DOC + "#default-policies"
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, Network separation and hardening: "
CIS_NETPOL = "CIS Kubernetes Benchmark v1.9 5.3.2"

#: namespaces of the control plane and node add-ons: not judged for default-deny coverage
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
#: network-policy kinds of other implementations that apply to the whole cluster
_CLUSTER_WIDE_POLICY_KINDS = frozenset(
    {
        "GlobalNetworkPolicy",
        "CiliumClusterwideNetworkPolicy",
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "ClusterNetworkPolicy",
    }
)
#: API groups of the NetworkPolicy kind that no current API server serves
_DEAD_NETPOL_GROUPS = frozenset({"extensions", "networking.k8s.io"})
_MAX_LISTED = 5
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


_rule = RuleFamily("kubernetes-network", refs=(NETPOL_DOC,), nsa_prefix=NSA)


# --------------------------------------------------------------------------- the shared analysis


@dataclass
class Analysis:
    """The network model of one scan and the indexes every N rule uses."""

    objects: Sequence[dict[str, Any]]
    net: Network
    #: namespace → its pods that policies can govern (not hostNetwork), in scan order
    workloads: dict[str, list[Endpoint]] = field(default_factory=dict)
    #: namespace → every endpoint of the namespace (hostNetwork included)
    endpoints: dict[str, list[Endpoint]] = field(default_factory=dict)
    #: namespace → its valid networking.k8s.io/v1 policies
    policies: dict[str, list[Policy]] = field(default_factory=dict)
    #: namespace → names of its NetworkPolicies the API server would reject
    invalid: dict[str, list[str]] = field(default_factory=dict)
    #: namespaces with network policies of another implementation (Calico, Cilium, …)
    foreign: set[str] = field(default_factory=set)
    #: a cluster-wide policy of another implementation is in the scan
    cluster_wide: bool = False
    #: namespaces holding custom resources (an operator may create pods from them)
    custom: set[str] = field(default_factory=set)

    def judged_namespaces(self) -> list[str]:
        """Namespaces N001–N003 judge: with governable pods, not system, no foreign policy."""
        if self.cluster_wide:
            return []
        return sorted(
            ns
            for ns, eps in self.workloads.items()
            if eps
            and ns not in SYSTEM_NAMESPACES
            and ns not in self.foreign
            and _DNS_LABEL.match(ns) is not None  # not a template placeholder
        )


def analysis(objects: Sequence[dict[str, Any]]) -> Analysis:
    net = build(objects)
    a = Analysis(objects, net)
    for ep in net.endpoints:
        a.endpoints.setdefault(ep.namespace, []).append(ep)
        if not ep.host_network:
            a.workloads.setdefault(ep.namespace, []).append(ep)
    for p in net.policies:
        a.policies.setdefault(p.namespace, []).append(p)
    for prob in net.problems:
        if prob.resource.kind == "NetworkPolicy":
            names = a.invalid.setdefault(prob.resource.namespace, [])
            if prob.resource.name not in names:
                names.append(prob.resource.name)
    for ign in net.ignored:
        obj = a.objects[ign.index]
        kind = obj.get("kind")
        if kind == "NetworkPolicy" and api_group(obj.get("apiVersion")) in _DEAD_NETPOL_GROUPS:
            a.invalid.setdefault(ign.resource.namespace, []).append(ign.resource.name)
        elif kind in _CLUSTER_WIDE_POLICY_KINDS:
            a.cluster_wide = True
        else:
            a.foreign.add(ign.resource.namespace)
    for obj in objects:
        group = api_group(obj.get("apiVersion"))
        if "." in group and not group.endswith(".k8s.io"):
            a.custom.add(object_namespace(obj) or "default")
    return a


def _listed(items: Sequence[str]) -> str:
    if len(items) <= _MAX_LISTED:
        return ", ".join(items)
    return ", ".join(items[:_MAX_LISTED]) + f" and {len(items) - _MAX_LISTED} more"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _namespace_location(a: Analysis, ns: str) -> tuple[int, str]:
    """The Namespace object when the scan has it, else the namespace's first workload."""
    declared = a.net.namespaces.get(ns)
    if declared is not None and declared.declared and declared.index >= 0:
        return declared.index, "/metadata/name"
    first = a.workloads[ns][0]
    meta = as_dict(a.objects[first.index].get("metadata"))
    return first.index, "/metadata/namespace" if "namespace" in meta else "/metadata"


def _workload_pointer(a: Analysis, ep: Endpoint) -> str:
    """The pod template's labels (or its metadata) of a workload."""
    wl = Workload.of(a.objects[ep.index])
    if wl is None:  # pragma: no cover - endpoints are built from workloads
        return ""
    return f"{wl.meta_pointer}/labels" if "labels" in wl.meta else wl.meta_pointer


def _lower(sev: Severity) -> Severity:
    return Severity(max(sev - 1, Severity.INFO))


# --------------------------------------------------------------------------- default deny

DEFAULT_DENY_INGRESS = _rule(
    "N001",
    "missing-default-deny-ingress",
    "Namespace without a default-deny ingress NetworkPolicy",
    Severity.MEDIUM,
    "A namespace that runs pods in the scanned set has no NetworkPolicy that selects every pod "
    "(`podSelector: {}`) with `Ingress` in its policy types. One finding per namespace, on the "
    "Namespace object when the scan has it, else on the namespace's first workload. When every "
    "workload of the namespace is already isolated for ingress by its own policies, the finding "
    "is low (only pods added later are exposed). Not reported for kube-system, kube-public and "
    "kube-node-lease (control-plane and node add-ons, whose policies the distribution owns), "
    "for namespaces whose only pods use the host network, nor where the scan holds network "
    "policies of another implementation (Calico, Cilium, Antrea, AdminNetworkPolicy) that may "
    "isolate what hardhull does not evaluate.",
    "Pods accept connections from every pod of the cluster and from anywhere the network "
    "routes unless a NetworkPolicy isolates them. Without a namespace-wide default deny, every "
    "pod nobody wrote a policy for, including each new one, is reachable by a compromised "
    "neighbour: lateral movement needs nothing more.",
    "Add a default-deny ingress policy to the namespace, then allow each flow the application "
    "needs with narrow policies (source pods or namespaces, and ports).",
    """
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
)

DEFAULT_DENY_EGRESS = _rule(
    "N002",
    "missing-default-deny-egress",
    "Namespace without a default-deny egress NetworkPolicy",
    Severity.LOW,
    "A namespace that runs pods in the scanned set has no NetworkPolicy that selects every pod "
    "(`podSelector: {}`) with `Egress` in its policy types. Located, scoped and lowered like "
    "N001 (info when every workload is already isolated for egress). It is low, one step below "
    "N001, because egress control is the second line: it limits what a compromised pod can "
    "reach (exfiltration, the cloud metadata service, lateral movement), while ingress "
    "exposure is how the pod gets compromised; egress allow lists are also harder to get "
    "right (NetworkPolicy has no DNS names, and forgetting DNS breaks the pods, see N008).",
    "A pod without egress isolation can connect anywhere: to every other pod and database of "
    "the cluster, to the node and cloud metadata endpoints, and to the internet to exfiltrate "
    "data or fetch a second stage.",
    "Add a default-deny egress policy, an egress rule for DNS, and a narrow egress rule per "
    "destination the pods need.",
    """
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
)


def _default_deny(ctx: SetContext, code: str, direction: str) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analysis)
    rule_sev = DEFAULT_DENY_INGRESS.severity if code == "N001" else DEFAULT_DENY_EGRESS.severity
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
                subject += f" ({_listed(refs)})"
            if ing:
                verb = ("it accepts" if one else "they accept") + " connections from anywhere"
            else:
                verb = ("it" if one else "they") + " may connect anywhere"
            tail = f"no policy selects {subject}, so {verb}"
        elif open_eps:
            n = len(open_eps)
            verb = ("accepts" if n == 1 else "accept") + " connections from anywhere"
            verb = verb if ing else "may connect anywhere"
            tail = f"{n} of its {_plural(len(eps), 'workload')} {verb}: {_listed(open_eps)}"
        else:
            one = len(eps) == 1
            who = "its workload is" if one else f"its {len(eps)} workloads are"
            own = "its" if one else "their"
            later = "accept connections from anywhere" if ing else "be able to connect anywhere"
            tail = (
                f"{who} isolated for {d} by {own} own policies, but a pod added later will {later}"
            )
            sev = _lower(rule_sev)
        bad = a.invalid.get(ns)
        if bad:
            tail += f" ({_listed(sorted(bad))} would be rejected by the API server, see N007)"
        index, ptr = _namespace_location(a, ns)
        yield index, Violation(code, ptr, f"{head}: {tail}", severity=sev)


@check(DEFAULT_DENY_INGRESS, on=Target.SET)
def missing_default_deny_ingress(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _default_deny(ctx, "N001", "Ingress")


@check(DEFAULT_DENY_EGRESS, on=Target.SET)
def missing_default_deny_egress(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _default_deny(ctx, "N002", "Egress")


# --------------------------------------------------------------------------- not isolated

NOT_ISOLATED = _rule(
    "N003",
    "pod-not-isolated",
    "Workload selected by no NetworkPolicy",
    Severity.MEDIUM,
    "A workload (pod template) is selected by no NetworkPolicy of its namespace, in a namespace "
    "that does have NetworkPolicies: the team uses policies, but this workload was left out. "
    "One finding per workload, on its pod template labels. Namespaces without any policy are "
    "reported once by N001/N002 instead, and the scoping of N001 applies (system namespaces, "
    "host-network pods and namespaces with other implementations' policies are not judged).",
    "A pod that no policy selects is not isolated in either direction: it accepts connections "
    "from every pod and address and may connect anywhere, whatever the policies around it say. "
    "A typo in a label or a selector is the usual cause, and nothing fails to show it.",
    "Add a policy that selects the workload (or fix the labels or selector meant to), or a "
    "namespace-wide default deny so no workload is ever left open.",
    """
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


@check(NOT_ISOLATED, on=Target.SET)
def pod_not_isolated(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analysis)
    for ns in a.judged_namespaces():
        pols = a.policies.get(ns, [])
        if not any(a.net.selected_by(p) for p in pols):
            continue  # no policy here governs a pod of the scan: managed elsewhere
        names = _listed(sorted(p.name for p in pols))
        for ep in a.workloads[ns]:
            if a.net.policies_for(ep, "ingress") or a.net.policies_for(ep, "egress"):
                continue
            yield (
                ep.index,
                Violation(
                    "N003",
                    _workload_pointer(a, ep),
                    f"{ep.kind} {ep.ref} is selected by no NetworkPolicy although namespace {ns} "
                    f"has {len(pols)} ({names}): it accepts connections from anywhere and may "
                    "connect anywhere",
                ),
            )


# --------------------------------------------------------------------------- allow all

INGRESS_ANYWHERE = _rule(
    "N004",
    "ingress-from-anywhere",
    "Ingress rule admits every source",
    Severity.MEDIUM,
    "An ingress rule of a policy that isolates ingress admits every source: a rule without "
    "`from` (or with `from: []`), a peer `namespaceSelector: {}` without a narrower "
    "`podSelector` (every pod of every namespace), or an `ipBlock` of `0.0.0.0/0` or `::/0` "
    "(every address). Medium when the rule also admits every port: the pods it selects are "
    "then not isolated at all. Low when it is limited to some ports: intended for an ingress "
    "controller or a public service (suppress it there with a reason), a mistake for a "
    "database or an internal API. Located on the peer, or on the rule when it has no `from`.",
    "The rule undoes the isolation the policy exists for: every pod of the cluster (and, "
    "without `from`, every client the network routes) reaches the selected pods, so a single "
    "compromised pod anywhere reaches them too.",
    "Name the sources: a `podSelector` for pods of the namespace, a `namespaceSelector` "
    "(matching `kubernetes.io/metadata.name`) together with a `podSelector` for pods "
    "elsewhere, and `ports` for the ports the pods serve.",
    """
ingress:
  - from:
      - namespaceSelector:
          matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
        podSelector:
          matchLabels: {app.kubernetes.io/name: ingress-nginx}
    ports:
      - {port: 3000, protocol: TCP}
""",
    nsa="Network policies",
)

EGRESS_ANYWHERE = _rule(
    "N005",
    "egress-to-anywhere",
    "Egress rule admits every destination on every port",
    Severity.LOW,
    "An egress rule of a policy that isolates egress admits every destination on every port: "
    "no `to` (or `to: []`), a peer `namespaceSelector: {}` without a narrower `podSelector`, "
    "or an `ipBlock` of `0.0.0.0/0` or `::/0`, and no `ports` (or ports that cover every port "
    "of the protocol). Rules limited to some ports are not reported: `0.0.0.0/0` on 443 is "
    "how NetworkPolicy allows calls to external HTTPS APIs (it has no DNS names), and a rule "
    "without `to` on port 53 is the usual DNS rule. Located on the peer, or on the rule.",
    "Egress isolation exists to limit where a compromised pod can connect; a rule that admits "
    "everything makes the policy's egress side a no-op while it looks like a control.",
    "Limit the rule to the destinations and ports the pods need: pods through selectors, "
    "external services through their CIDRs, and always `ports`.",
    """
egress:
  - to:
      - ipBlock:
          cidr: 0.0.0.0/0
          except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16]
    ports:
      - {port: 443, protocol: TCP}
""",
    nsa="Network policies",
)


def _all_ports(ports: tuple[PolicyPort, ...] | None) -> bool:
    if ports is None:
        return True
    return any(
        p.port is None or (p.port == 1 and p.end_port is not None and p.end_port >= 65535)
        for p in ports
    )


def _everything_peer(peer: PolicyPeer) -> str:
    """What an all-covering peer covers, or "" for a narrower one."""
    block = peer.ip_block
    if block is not None:
        if block.cidr.prefixlen != 0:
            return ""
        fam = "IPv4" if isinstance(block.cidr, ipaddress.IPv4Network) else "IPv6"
        rest = f" except {', '.join(str(e) for e in block.excepts)}" if block.excepts else ""
        return f"every {fam} address ({block.cidr}{rest})"
    ns = peer.namespace_selector
    pods = peer.pod_selector
    if ns is not None and ns.everything and (pods is None or pods.everything):
        return "every pod of every namespace (namespaceSelector: {})"
    return ""


def _ports_text(ports: tuple[PolicyPort, ...] | None) -> str:
    if _all_ports(ports):
        if ports is None:
            return "on every port"
        protos = sorted({p.protocol for p in ports if p.port is None or p.port == 1})
        return f"on every {'/'.join(protos)} port"
    assert ports is not None
    return "on " + ", ".join(str(p) for p in ports)


def _anywhere(ctx: SetContext, code: str, direction: str) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analysis)
    d: Direction = "ingress" if direction == "Ingress" else "egress"
    side = "source" if d == "ingress" else "destination"
    for p in a.net.policies:
        if direction not in p.policy_types:
            continue
        selected = [e.ref for e in a.net.selected_by(p)]
        for r in p.rules(d):
            every = _all_ports(r.ports)
            if d == "egress" and not every:
                continue
            what, ptr = _rule_everything(r)
            if not what:
                continue
            msg = f"{d} rule of NetworkPolicy {p.ref} admits {what} {_ports_text(r.ports)}"
            sev: Severity | None = None
            if every:
                who = f" ({_listed(selected)})" if selected else ""
                msg += f": the pods it selects{who} are not isolated for {d} at all"
            else:
                msg += f": every {side} reaches these ports"
                sev = Severity.LOW
            yield p.index, Violation(code, ptr, msg, severity=sev)


def _rule_everything(r: PolicyRule) -> tuple[str, str]:
    """What an all-covering rule admits and where to point, or ("", "") for a narrower rule."""
    if r.peers is None:
        who = "every source" if r.direction == "ingress" else "every destination"
        return f"{who} (every pod and every address)", r.pointer
    found = [(t, pp.pointer) for pp in r.peers if (t := _everything_peer(pp))]
    if not found:
        return "", ""
    return " and ".join(t for t, _ in found), found[0][1]


@check(INGRESS_ANYWHERE, on=Target.SET)
def ingress_from_anywhere(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _anywhere(ctx, "N004", "Ingress")


@check(EGRESS_ANYWHERE, on=Target.SET)
def egress_to_anywhere(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _anywhere(ctx, "N005", "Egress")


# --------------------------------------------------------------------------- selects nothing

SELECTS_NOTHING = _rule(
    "N006",
    "policy-selects-nothing",
    "NetworkPolicy selects no pod",
    Severity.LOW,
    "The policy's `spec.podSelector` matches none of the pods the scanned set runs in its "
    "namespace. Reported only when the scan has pods in that namespace: for a namespace whose "
    "pods are deployed from elsewhere the answer is unknowable. Not reported when the "
    "namespace holds custom resources, which operators may turn into pods (a Prometheus or a "
    "Postgres cluster resource, an Argo Rollout).",
    "A policy that selects nothing protects nothing; usually its selector has a typo or the "
    "workload's labels changed, and the pods it was written for are left exposed without any "
    "error to show it.",
    "Make `podSelector` match the pod template labels of the workload it is meant for (compare "
    "with `kubectl get pods -l <selector> -n <namespace>`), or delete the stale policy.",
    """
# the Deployment's pod template has labels {app: shop}
spec:
  podSelector:
    matchLabels: {app: shop}
""",
)


@check(SELECTS_NOTHING, on=Target.SET)
def policy_selects_nothing(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analysis)
    for p in a.net.policies:
        eps = a.endpoints.get(p.namespace, [])
        if not eps or p.namespace in a.custom or a.net.selected_by(p):
            continue
        yield (
            p.index,
            Violation(
                "N006",
                "/spec/podSelector",
                f"podSelector {p.pod_selector.describe()} of NetworkPolicy {p.ref} selects none of "
                f"the {_plural(len(eps), 'workload')} of namespace {p.namespace} in the scanned "
                f"files ({_listed([e.name for e in eps])}): the policy has no effect",
            ),
        )


# --------------------------------------------------------------------------- invalid

INVALID = _rule(
    "N007",
    "invalid-network-policy",
    "NetworkPolicy the API server rejects",
    Severity.MEDIUM,
    "A NetworkPolicy fails the API server's validation: an invalid label selector (unknown "
    "operator, `In` without values, bad label syntax), a peer with none of `podSelector`, "
    "`namespaceSelector`, `ipBlock` or with `ipBlock` and a selector, a malformed CIDR or an "
    "`except` outside its `cidr`, a protocol other than TCP, UDP or SCTP, a port out of range "
    "or an invalid port name, a bad `endPort`, an unknown policy type, an unknown field (a typo "
    "such as `podselector`), or an API version no server serves (`extensions/v1beta1`, removed "
    "in Kubernetes 1.16). One finding per problem, on the offending field.",
    "The policy never exists in the cluster: `kubectl apply` fails for it, and pipelines that "
    "keep going after an error (or tools that drop unknown fields) leave the pods it was meant "
    "to isolate wide open, or isolated differently than written, while the file looks right.",
    "Correct the field the finding points at; `kubectl apply --dry-run=server -f FILE` shows "
    "the API server's own verdict.",
    """
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


@check(INVALID, on=Target.SET)
def invalid_network_policy(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analysis)
    for prob in a.net.problems:
        if prob.resource.kind != "NetworkPolicy":
            continue
        yield (
            prob.index,
            Violation(
                "N007",
                prob.pointer,
                f"NetworkPolicy {prob.resource.namespace}/{prob.resource.name} is rejected by the "
                f"API server: {prob.message}",
            ),
        )
    for ign in a.net.ignored:
        obj = a.objects[ign.index]
        av = obj.get("apiVersion")
        if obj.get("kind") == "NetworkPolicy" and api_group(av) in _DEAD_NETPOL_GROUPS:
            yield (
                ign.index,
                Violation(
                    "N007",
                    "/apiVersion",
                    f"NetworkPolicy {ign.resource.namespace}/{ign.resource.name} uses apiVersion "
                    f"{av}, which no current API server serves: use networking.k8s.io/v1",
                    [{"op": "replace", "path": "/apiVersion", "value": "networking.k8s.io/v1"}],
                ),
            )


# --------------------------------------------------------------------------- DNS

BLOCKS_DNS = _rule(
    "N008",
    "egress-blocks-dns",
    "Egress isolation blocks DNS",
    Severity.MEDIUM,
    "Pods are isolated for egress and their policies admit some destinations, but not the "
    "cluster DNS on port 53: the scan's kube-system pods labelled `k8s-app: kube-dns` (or "
    "CoreDNS labels), or the standard kube-dns when the scan has none; an egress rule to an "
    "`ipBlock` on port 53 (NodeLocal DNSCache) also counts. Medium when UDP is blocked (no "
    "name resolves), low when only TCP is (answers larger than a UDP packet fail). One "
    "finding per policy: on the namespace-wide egress policy of the affected pods when there "
    "is one, listing every affected workload. Pods with no egress rule at all (fully cut off "
    "on purpose), host-network pods, and pods whose `dnsPolicy` is `Default` are not reported; "
    "with `dnsPolicy: None` the pod's own `dnsConfig.nameservers` are checked instead.",
    "Clients reach Services by name: with DNS blocked every lookup times out, so the pods fail "
    "in confusing ways (timeouts, crash loops) although each allowed destination is fine. It is "
    "an availability problem, and the usual cause of a default deny being rolled back.",
    "Add an egress rule for DNS to the policy: port 53 over UDP and TCP to the kube-dns pods.",
    """
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
    refs=(NETPOL_DOC, DEFAULT_DENY_DOC),
)


def _dns_ok(a: Analysis, ep: Endpoint, spec: dict[str, Any], proto: str) -> bool:
    net = a.net
    if spec.get("dnsPolicy") == "None":
        peers: list[IPPeer] = []
        for s in as_list(as_dict(spec.get("dnsConfig")).get("nameservers")):
            if isinstance(s, str):
                try:
                    peers.append(IPPeer.parse(s))
                except ValueError:
                    continue
        return not peers or any(net.allowed(ep, peer, 53, proto).allowed for peer in peers)
    if net.dns_decision(ep, (proto,)).allowed:
        return True
    # NodeLocal DNSCache and other resolvers reached by address: any ipBlock on port 53
    anywhere = IPPeer.parse("0.0.0.0")
    return any(
        r.peers is not None
        and any(pp.ip_block is not None for pp in r.peers)
        and r.matches_port(53, proto, anywhere)
        for p in net.policies_for(ep, "egress")
        for r in p.egress
    )


def _egress_admits_dns(net: Network, ep: Endpoint, proto: str) -> bool:
    """Whether the pod's own egress policies admit port 53 to some cluster DNS pod."""
    return any(
        net.rule_admits(p, r, t, t, 53, proto)
        for t in net.dns_endpoints()
        for p in net.policies_for(ep, "egress")
        for r in p.egress
    )


def _dns_location(a: Analysis, ep: Endpoint, egress_side: bool) -> tuple[Policy, str] | None:
    """The policy to fix and where: the pod's namespace-wide egress policy, else its first
    one; or, when the DNS pods' ingress is what denies, their first isolating ingress policy."""
    if egress_side:
        pols = sorted(
            a.net.policies_for(ep, "egress"),
            key=lambda p: (not p.pod_selector.everything, p.index),
        )
    else:
        pols = sorted(
            (p for t in a.net.dns_endpoints() for p in a.net.policies_for(t, "ingress")),
            key=lambda p: p.index,
        )
    if not pols:
        return None
    p = pols[0]
    spec = as_dict(a.objects[p.index].get("spec"))
    want = "Egress" if egress_side else "Ingress"
    types = as_list(spec.get("policyTypes"))
    if want in types:
        return p, f"/spec/policyTypes/{types.index(want)}"
    key = "egress" if egress_side else "ingress"
    return p, f"/spec/{key}" if key in spec else "/spec"


@dataclass
class _DnsGroup:
    policy: Policy
    pointer: str
    egress_side: bool
    members: list[tuple[Endpoint, list[str]]] = field(default_factory=list)
    custom_servers: bool = False


@check(BLOCKS_DNS, on=Target.SET)
def egress_blocks_dns(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analysis)
    net = a.net
    groups: dict[tuple[int, str], _DnsGroup] = {}
    for ep in net.endpoints:
        if ep.host_network:
            continue
        egress = net.policies_for(ep, "egress")
        if not egress or not any(p.egress for p in egress):
            continue  # not isolated, or cut off from everything on purpose
        wl = Workload.of(a.objects[ep.index])
        spec = wl.spec if wl is not None else {}
        dns_policy = spec.get("dnsPolicy")
        if dns_policy == "Default":
            continue  # the node's resolver: its address is not in the manifests
        missing = [proto for proto in ("UDP", "TCP") if not _dns_ok(a, ep, spec, proto)]
        if not missing:
            continue
        egress_side = dns_policy == "None" or not all(
            _egress_admits_dns(net, ep, proto) for proto in missing
        )
        loc = _dns_location(a, ep, egress_side)
        if loc is None:  # pragma: no cover - a denial always has an isolating policy
            continue
        key = (loc[0].index, loc[1])
        group = groups.setdefault(key, _DnsGroup(loc[0], loc[1], egress_side))
        group.members.append((ep, missing))
        group.custom_servers |= dns_policy == "None"
    targets = ", ".join(t.ref for t in net.dns_endpoints())
    for g in groups.values():
        protos = sorted({p for _, ms in g.members for p in ms}, key=("UDP", "TCP").index)
        ports = " and ".join(f"53/{p}" for p in protos)
        target = f"the cluster DNS ({targets})"
        if g.custom_servers:
            target += " or the nameservers of dnsConfig"
        if g.egress_side:
            why = f"no egress rule of {g.policy.ref} or the other policies isolating them admits it"
        else:
            why = f"the ingress policies of the DNS pods (first {g.policy.ref}) do not admit it"
        refs = _listed([ep.ref for ep, _ in g.members])
        msg = f"{refs} cannot resolve names: {ports} to {target} is denied: {why}"
        sev = None if "UDP" in protos else Severity.LOW
        yield g.policy.index, Violation("N008", g.pointer, msg, severity=sev)
