"""NetworkPolicy semantics over the pods of one scanned set of manifests: :class:`Network`.

:func:`hardhull.netpol.build` turns plain Kubernetes object dicts into a :class:`Network`: the
pods that the set would run (:class:`Endpoint`, one per Pod and per pod template of a
controller), the namespaces and their labels, and the ``networking.k8s.io/v1`` NetworkPolicies,
parsed and validated the way the API server would. :meth:`Network.allowed` answers "may this
source open a connection to this destination on this port?" exactly as the NetworkPolicy API
specifies:

- A pod is *isolated for ingress* when some policy of its namespace selects it and has
  ``Ingress`` in its (defaulted) ``policyTypes``; then only connections that some ingress rule
  of such a policy admits reach it. Egress is symmetric. Policies are additive (a union).
- A connection is allowed iff the source's egress allows it AND the destination's ingress
  allows it.
- ``ipBlock`` peers match only :class:`IPPeer` endpoints: pod IPs are not known offline, so a
  pod is never assumed to fall inside a CIDR.

Everything here is pure: no I/O; queries return frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hardhull.netpol.decision import PolicyNames, check_query, decide, peer_facts
from hardhull.netpol.model import (
    DNS_SELECTORS,
    NS_NAME_LABEL,
    ContainerPort,
    Decision,
    Direction,
    Endpoint,
    IPPeer,
    Namespace,
    Peer,
    Policy,
    PolicyPeer,
    PolicyRule,
    Problem,
)


class Network:
    """The pods, namespaces and policies of one scanned set, indexed for queries."""

    def __init__(
        self,
        endpoints: list[Endpoint],
        namespaces: dict[str, Namespace],
        policies: list[Policy],
        problems: list[Problem],
        ignored: list[Problem],
    ) -> None:
        self.endpoints = endpoints
        self.namespaces = namespaces
        self.policies = policies
        #: invalid input: policies with problems are left out, as the API server rejects them
        self.problems = problems
        #: objects recognised but not evaluated (other API groups' network policies)
        self.ignored = ignored
        self._by_ns: dict[str, list[Policy]] = {}
        for p in policies:
            self._by_ns.setdefault(p.namespace, []).append(p)
        self._known: set[Endpoint] = set(endpoints)
        self._selecting: dict[tuple[Endpoint, Direction], list[Policy]] = {}
        self._selected: dict[int, list[Endpoint]] = {}
        for ep in endpoints:
            self._selecting[(ep, "ingress")] = self._compute_selecting(ep, "ingress")
            self._selecting[(ep, "egress")] = self._compute_selecting(ep, "egress")
        for i, p in enumerate(policies):
            ns_eps = [e for e in endpoints if e.namespace == p.namespace]
            self._selected[i] = [e for e in ns_eps if p.pod_selector.matches(e.labels)]
        self._policy_pos = {id(p): i for i, p in enumerate(policies)}

    # ---- lookups

    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        ns = self.namespaces.get(namespace)
        return ns.labels if ns is not None else {NS_NAME_LABEL: namespace}

    def find(self, ref: str, default_namespace: str = "default") -> list[Endpoint]:
        """Endpoints named by ``NS/NAME``, ``NS/KIND/NAME`` or ``NAME`` (default namespace)."""
        parts = ref.split("/")
        if len(parts) == 1:
            ns, kind, name = default_namespace, "", parts[0]
        elif len(parts) == 2:
            ns, kind, name = parts[0], "", parts[1]
        elif len(parts) == 3:
            ns, kind, name = parts
        else:
            return []
        return [
            e
            for e in self.endpoints
            if e.namespace == ns and e.name == name and (not kind or e.kind.lower() == kind.lower())
        ]

    def selected_by(self, policy: Policy) -> list[Endpoint]:
        """The endpoints of the set that the policy's ``podSelector`` selects."""
        pos = self._policy_pos.get(id(policy))
        if pos is not None:
            return list(self._selected[pos])
        return [e for e in self.endpoints if policy.selects(e)]

    def policies_for(self, ep: Peer, direction: Direction) -> list[Policy]:
        """The policies that isolate ``ep`` in ``direction`` (select it, type included)."""
        if not isinstance(ep, Endpoint):
            return []
        if ep in self._known:
            return list(self._selecting[(ep, direction)])
        return self._compute_selecting(ep, direction)

    def _compute_selecting(self, ep: Endpoint, direction: Direction) -> list[Policy]:
        return [
            p for p in self._by_ns.get(ep.namespace, ()) if p.isolates(direction) and p.selects(ep)
        ]

    def peer_matches(self, policy: Policy, peer: PolicyPeer, ep: Peer) -> bool:
        """Whether one ``from``/``to`` element of ``policy`` matches ``ep``."""
        if peer.ip_block is not None:
            return isinstance(ep, IPPeer) and peer.ip_block.contains(ep.address)
        if not isinstance(ep, Endpoint):
            return False
        if peer.namespace_selector is None:
            if ep.namespace != policy.namespace:
                return False
        elif not peer.namespace_selector.matches(self.namespace_labels(ep.namespace)):
            return False
        return peer.pod_selector is None or peer.pod_selector.matches(ep.labels)

    def rule_admits(
        self, policy: Policy, rule: PolicyRule, peer: Peer, dst: Peer, port: int, protocol: str
    ) -> bool:
        """Whether ``rule`` admits ``peer`` (the other side) for traffic to ``dst`` on ``port``."""
        if not rule.matches_port(port, protocol, dst):
            return False
        if rule.peers is None:
            return True
        return any(self.peer_matches(policy, pp, peer) for pp in rule.peers)

    # ---- queries

    def allowed(self, src: Peer, dst: Peer, port: int, protocol: str = "TCP") -> Decision:
        """Whether ``src`` may open a connection to ``dst`` on ``port``/``protocol``."""
        protocol = check_query(port, protocol)
        eg_pols = self.policies_for(src, "egress")
        eg_ok = [
            p
            for p in eg_pols
            if any(self.rule_admits(p, r, dst, dst, port, protocol) for r in p.egress)
        ]
        in_pols = self.policies_for(dst, "ingress")
        in_ok = [
            p
            for p in in_pols
            if any(self.rule_admits(p, r, src, dst, port, protocol) for r in p.ingress)
        ]
        names = PolicyNames()
        return decide(
            peer_facts(src),
            peer_facts(dst),
            port,
            protocol,
            names(eg_pols),
            names(eg_ok),
            names(in_pols),
            names(in_ok),
        )

    def matrix(
        self,
        endpoints: Sequence[Peer] | None = None,
        port: int = 0,
        protocol: str = "TCP",
    ) -> dict[tuple[Peer, Peer], Decision]:
        """:meth:`allowed` for every ordered pair of ``endpoints`` (default: all of the set).

        Equal to calling :meth:`allowed` per pair, but each rule's peers are matched once
        against the endpoints, not once per pair (see :meth:`reach` for several ports).
        """
        protocol = check_query(port, protocol)
        eps: list[Peer] = list(self.endpoints if endpoints is None else endpoints)
        return self.reach(eps, eps).decisions(port, protocol)

    def reach(self, sources: Sequence[Peer], destinations: Sequence[Peer]) -> Reach:
        """What does not depend on the port, computed once for ``sources`` × ``destinations``:
        ask :meth:`Reach.decisions` for each port."""
        return Reach(self, sources, destinations)

    def dns_endpoints(self) -> list[Endpoint]:
        """The cluster DNS pods of the set (kube-system, kube-dns/CoreDNS labels).

        When the set has none, one synthetic ``kube-system/kube-dns`` endpoint stands for the
        cluster's DNS (labels ``k8s-app: kube-dns``, ports ``dns`` 53/UDP, ``dns-tcp`` 53/TCP).
        """
        found = [
            e
            for e in self.endpoints
            if e.namespace == "kube-system" and any(e.labels.get(k) == v for k, v in DNS_SELECTORS)
        ]
        if found:
            return found
        return [
            Endpoint(
                "kube-system",
                "kube-dns",
                "Deployment",
                {"k8s-app": "kube-dns"},
                (
                    ContainerPort("dns", 53, "UDP", "coredns"),
                    ContainerPort("dns-tcp", 53, "TCP", "coredns"),
                ),
            )
        ]

    def dns_decision(self, src: Peer, protocols: Sequence[str] = ("UDP", "TCP")) -> Decision:
        """Whether ``src`` can query the cluster DNS on port 53 over every one of ``protocols``.

        A protocol counts as allowed when some DNS endpoint (see :meth:`dns_endpoints`) is
        reachable on port 53 with it; an egress rule to any destination on port 53 covers it.
        """
        targets = self.dns_endpoints()
        ok_all = True
        eg: set[str] = set()
        ing: set[str] = set()
        parts: list[str] = []
        for proto in protocols:
            decisions = [self.allowed(src, t, 53, proto) for t in targets]
            good = [(t, d) for t, d in zip(targets, decisions, strict=True) if d.allowed]
            if good:
                t, d = good[0]
                parts.append(f"53/{proto} to {t.ref}: {d.reason}")
                eg.update(d.egress_policies)
                ing.update(d.ingress_policies)
            else:
                ok_all = False
                d = decisions[0]
                parts.append(f"53/{proto} to {targets[0].ref}: {d.reason}")
                eg.update(d.egress_policies)
                ing.update(d.ingress_policies)
        verdict = "DNS allowed" if ok_all else "DNS denied"
        return Decision(ok_all, sorted(ing), sorted(eg), f"{verdict}: " + " | ".join(parts))

    def allows_dns(self, src: Peer) -> bool:
        """True when ``src`` can resolve names: port 53 over UDP and TCP (see dns_decision)."""
        return self.dns_decision(src).allowed


class Reach:
    """Connections from some sources to some destinations, port by port.

    The policies that isolate each side, which endpoints each rule's peers match, the facts and
    the sorted policy names do not depend on the port: they are computed once, and
    :meth:`decisions` evaluates only the rules' ports for each port asked.
    """

    def __init__(self, net: Network, sources: Sequence[Peer], destinations: Sequence[Peer]) -> None:
        self._net = net
        self.sources = list(sources)
        self.destinations = list(destinations)
        # per endpoint: its isolating policies as (name, policy), sorted by name
        self._eg = {id(s): _by_name(net.policies_for(s, "egress")) for s in self.sources}
        self._in = {id(d): _by_name(net.policies_for(d, "ingress")) for d in self.destinations}
        self._eg_all = {k: tuple(n for n, _ in v) for k, v in self._eg.items()}
        self._in_all = {k: tuple(n for n, _ in v) for k, v in self._in.items()}
        self._facts = {id(e): peer_facts(e) for e in [*self.sources, *self.destinations]}
        # rule → the endpoints of the other side its peers match: destinations for an egress
        # rule, sources for an ingress rule
        self._peer_sets: dict[int, frozenset[int]] = {}

    def _matched(self, policy: Policy, rule: PolicyRule) -> frozenset[int]:
        got = self._peer_sets.get(id(rule))
        if got is None:
            side = self.destinations if rule.direction == "egress" else self.sources
            got = frozenset(
                id(e)
                for e in side
                if rule.peers is None
                or any(self._net.peer_matches(policy, pp, e) for pp in rule.peers)
            )
            self._peer_sets[id(rule)] = got
        return got

    def decisions(
        self, port: int, protocol: str = "TCP", destinations: Sequence[Peer] | None = None
    ) -> dict[tuple[Peer, Peer], Decision]:
        """:meth:`Network.allowed` from every source to every destination (or to those of
        ``destinations``, a part of the destinations given) on ``port``/``protocol``."""
        protocol = check_query(port, protocol)
        dests = self.destinations if destinations is None else list(destinations)
        # egress policy → the destinations it admits (its rules' peers with a matching port)
        eg_admits: dict[int, frozenset[int]] = {}
        for pols in self._eg.values():
            for _, p in pols:
                if id(p) in eg_admits:
                    continue
                admitted: set[int] = set()
                for r in p.egress:
                    ids = self._matched(p, r)
                    admitted.update(
                        id(d) for d in dests if id(d) in ids and r.matches_port(port, protocol, d)
                    )
                eg_admits[id(p)] = frozenset(admitted)
        # (destination, its ingress policy) → the sources it admits (ports resolve against d)
        in_admits: dict[int, list[tuple[str, frozenset[int]]]] = {}
        for d in dests:
            rows: list[tuple[str, frozenset[int]]] = []
            for name, p in self._in[id(d)]:
                srcs: set[int] = set()
                for r in p.ingress:
                    if r.matches_port(port, protocol, d):
                        srcs.update(self._matched(p, r))
                rows.append((name, frozenset(srcs)))
            in_admits[id(d)] = rows
        facts = self._facts
        out: dict[tuple[Peer, Peer], Decision] = {}
        for s in self.sources:
            sid = id(s)
            s_facts = facts[sid]
            s_eg = self._eg[sid]
            s_eg_all = self._eg_all[sid]
            for d in dests:
                did = id(d)
                d_in = in_admits[did]
                eg_ok = tuple([n for n, p in s_eg if did in eg_admits[id(p)]]) if s_eg else ()
                in_ok = tuple([n for n, ids in d_in if sid in ids]) if d_in else ()
                out[(s, d)] = decide(
                    s_facts,
                    facts[did],
                    port,
                    protocol,
                    s_eg_all,
                    eg_ok,
                    self._in_all[did],
                    in_ok,
                )
        return out


def _by_name(policies: list[Policy]) -> list[tuple[str, Policy]]:
    return sorted(((p.ref, p) for p in policies), key=lambda t: (t[0], id(t[1])))
