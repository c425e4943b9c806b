"""N008: egress isolation that blocks DNS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_dict, as_list
from hardhull.netpol.model import Endpoint, IPPeer, Policy
from hardhull.netpol.network import Network
from hardhull.registry import Target, check
from hardhull.rules.netpol import DEFAULT_DENY_DOC, NETPOL_DOC, netpol_rule
from hardhull.rules.netpol.analysis import Analysis, analyse, listed


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
    """The workloads whose DNS one policy (and pointer) should fix."""

    policy: Policy
    pointer: str
    egress_side: bool
    members: list[tuple[Endpoint, list[str]]] = field(default_factory=list)
    custom_servers: bool = False


BLOCKS_DNS = netpol_rule(
    "N008",
    "egress-blocks-dns",
    "Egress isolation blocks DNS",
    Severity.MEDIUM,
    what=(
        "Pods are isolated for egress and their policies admit some destinations, but not the "
        "cluster DNS on port 53: the scan's kube-system pods labelled `k8s-app: kube-dns` (or "
        "CoreDNS labels), or the standard kube-dns when the scan has none; an egress rule to an "
        "`ipBlock` on port 53 (NodeLocal DNSCache) also counts. Medium when UDP is blocked (no "
        "name resolves), low when only TCP is (answers larger than a UDP packet fail). One "
        "finding per policy: on the namespace-wide egress policy of the affected pods when there "
        "is one, listing every affected workload. Pods with no egress rule at all (fully cut off "
        "on purpose), host-network pods, and pods whose `dnsPolicy` is `Default` are not reported; "
        "with `dnsPolicy: None` the pod's own `dnsConfig.nameservers` are checked instead."
    ),
    why=(
        "Clients reach Services by name: with DNS blocked every lookup times out, so the pods fail "
        "in confusing ways (timeouts, crash loops) although each allowed destination is fine. It "
        "is an availability problem, and the usual cause of a default deny being rolled back."
    ),
    fix="Add an egress rule for DNS to the policy: port 53 over UDP and TCP to the kube-dns pods.",
    example="""
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


# N008
@check(BLOCKS_DNS, on=Target.SET)
def egress_blocks_dns(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analyse)
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
        refs = listed([ep.ref for ep, _ in g.members])
        msg = f"{refs} cannot resolve names: {ports} to {target} is denied: {why}"
        sev = None if "UDP" in protos else Severity.LOW
        yield g.policy.index, Violation(BLOCKS_DNS.code, g.pointer, msg, severity=sev)
