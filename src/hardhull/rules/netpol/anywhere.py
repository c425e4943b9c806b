"""N004, N005: policy rules that admit every source or destination."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Rule, Severity, Violation
from hardhull.netpol.model import Direction, PolicyPeer, PolicyPort, PolicyRule
from hardhull.registry import Target, check
from hardhull.rules.netpol import netpol_rule
from hardhull.rules.netpol.analysis import analyse, listed


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


def _anywhere(ctx: SetContext, rule: Rule, direction: str) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived(analyse)
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
                who = f" ({listed(selected)})" if selected else ""
                msg += f": the pods it selects{who} are not isolated for {d} at all"
            else:
                msg += f": every {side} reaches these ports"
                sev = Severity.LOW
            yield p.index, Violation(rule.code, ptr, msg, severity=sev)


def _rule_everything(r: PolicyRule) -> tuple[str, str]:
    """What an all-covering rule admits and where to point, or ("", "") for a narrower rule."""
    if r.peers is None:
        who = "every source" if r.direction == "ingress" else "every destination"
        return f"{who} (every pod and every address)", r.pointer
    found = [(t, pp.pointer) for pp in r.peers if (t := _everything_peer(pp))]
    if not found:
        return "", ""
    return " and ".join(t for t, _ in found), found[0][1]


INGRESS_ANYWHERE = netpol_rule(
    "N004",
    "ingress-from-anywhere",
    "Ingress rule admits every source",
    Severity.MEDIUM,
    what=(
        "An ingress rule of a policy that isolates ingress admits every source: a rule without "
        "`from` (or with `from: []`), a peer `namespaceSelector: {}` without a narrower "
        "`podSelector` (every pod of every namespace), or an `ipBlock` of `0.0.0.0/0` or `::/0` "
        "(every address). Medium when the rule also admits every port: the pods it selects are "
        "then not isolated at all. Low when it is limited to some ports: intended for an ingress "
        "controller or a public service (suppress it there with a reason), a mistake for a "
        "database or an internal API. Located on the peer, or on the rule when it has no `from`."
    ),
    why=(
        "The rule undoes the isolation the policy exists for: every pod of the cluster (and, "
        "without `from`, every client the network routes) reaches the selected pods, so a single "
        "compromised pod anywhere reaches them too."
    ),
    fix=(
        "Name the sources: a `podSelector` for pods of the namespace, a `namespaceSelector` "
        "(matching `kubernetes.io/metadata.name`) together with a `podSelector` for pods "
        "elsewhere, and `ports` for the ports the pods serve."
    ),
    example="""
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


# N004
@check(INGRESS_ANYWHERE, on=Target.SET)
def ingress_from_anywhere(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _anywhere(ctx, INGRESS_ANYWHERE, "Ingress")


EGRESS_ANYWHERE = netpol_rule(
    "N005",
    "egress-to-anywhere",
    "Egress rule admits every destination on every port",
    Severity.LOW,
    what=(
        "An egress rule of a policy that isolates egress admits every destination on every port: "
        "no `to` (or `to: []`), a peer `namespaceSelector: {}` without a narrower `podSelector`, "
        "or an `ipBlock` of `0.0.0.0/0` or `::/0`, and no `ports` (or ports that cover every port "
        "of the protocol). Rules limited to some ports are not reported: `0.0.0.0/0` on 443 is "
        "how NetworkPolicy allows calls to external HTTPS APIs (it has no DNS names), and a rule "
        "without `to` on port 53 is the usual DNS rule. Located on the peer, or on the rule."
    ),
    why=(
        "Egress isolation exists to limit where a compromised pod can connect; a rule that admits "
        "everything makes the policy's egress side a no-op while it looks like a control."
    ),
    fix=(
        "Limit the rule to the destinations and ports the pods need: pods through selectors, "
        "external services through their CIDRs, and always `ports`."
    ),
    example="""
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


# N005
@check(EGRESS_ANYWHERE, on=Target.SET)
def egress_to_anywhere(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    yield from _anywhere(ctx, EGRESS_ANYWHERE, "Egress")
