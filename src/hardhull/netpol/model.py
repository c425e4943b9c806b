"""NetworkPolicy semantics over the pods of one scanned set of manifests.

:func:`build` turns plain Kubernetes object dicts into a :class:`Network`: the pods that the
set would run (:class:`Endpoint`, one per Pod and per pod template of a controller), the
namespaces and their labels, and the ``networking.k8s.io/v1`` NetworkPolicies, parsed and
validated the way the API server would. :meth:`Network.allowed` answers "may this source open a
connection to this destination on this port?" exactly as the NetworkPolicy API specifies:

- A pod is *isolated for ingress* when some policy of its namespace selects it and has
  ``Ingress`` in its (defaulted) ``policyTypes``; then only connections that some ingress rule
  of such a policy admits reach it. Egress is symmetric. Policies are additive (a union).
- A connection is allowed iff the source's egress allows it AND the destination's ingress
  allows it.
- ``ipBlock`` peers match only :class:`IPPeer` endpoints: pod IPs are not known offline, so a
  pod is never assumed to fall inside a CIDR.

Everything here is pure: no I/O, plain dicts in, frozen dataclasses out.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hardhull.formats.yamlpos import escape
from hardhull.model import Resource
from hardhull.models.workload import Workload, api_group, as_dict, as_list, object_name
from hardhull.netpol.selectors import (
    Selector,
    SelectorError,
    parse_selector,
    validate_label_key,
    validate_label_value,
)

__all__ = [
    "DNS_SELECTORS",
    "NS_NAME_LABEL",
    "PROTOCOLS",
    "ContainerPort",
    "Decision",
    "Endpoint",
    "IPBlock",
    "IPPeer",
    "Namespace",
    "Network",
    "Peer",
    "Policy",
    "PolicyPeer",
    "PolicyPort",
    "PolicyRule",
    "Problem",
    "build",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Direction = Literal["ingress", "egress"]

PROTOCOLS = ("TCP", "UDP", "SCTP")
#: the label the API server sets on every namespace (immutable, value = the namespace name)
NS_NAME_LABEL = "kubernetes.io/metadata.name"
#: pod-bearing kinds that run pods (PodTemplate objects run nothing by themselves)
ENDPOINT_KINDS = frozenset(
    {
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    }
)
#: labels that mark a cluster DNS pod in kube-system (kube-dns and CoreDNS deployments)
DNS_SELECTORS: tuple[tuple[str, str], ...] = (
    ("k8s-app", "kube-dns"),
    ("k8s-app", "coredns"),
    ("app.kubernetes.io/name", "coredns"),
    ("app.kubernetes.io/name", "kube-dns"),
)
#: API groups whose "NetworkPolicy"-like kinds are not evaluated (reported as ignored)
_FOREIGN_POLICY_KINDS = frozenset(
    {
        "NetworkPolicy",
        "GlobalNetworkPolicy",
        "CiliumNetworkPolicy",
        "CiliumClusterwideNetworkPolicy",
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "ClusterNetworkPolicy",
        "AntreaNetworkPolicy",
        "FQDNNetworkPolicy",
    }
)
_IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


# --------------------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class ContainerPort:
    """A port a container of the pod declares (``name`` is "" for an unnamed port)."""

    name: str
    port: int
    protocol: str
    container: str


@dataclass(frozen=True, eq=False)
class Endpoint:
    """One pod, or the pods of one controller's template (all replicas share labels and ports).

    Endpoints compare by identity: the model's own endpoints are the keys of its indexes.
    ``index`` is the position of the source object in the list given to :func:`build`
    (-1 for a synthetic endpoint such as the assumed cluster DNS).
    """

    namespace: str
    name: str
    kind: str
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False
    index: int = -1

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.kind}/{self.name}"

    def named_ports(self, name: str, protocol: str) -> frozenset[int]:
        """The port numbers a named port resolves to on this pod, for one protocol."""
        return frozenset(p.port for p in self.ports if p.name == name and p.protocol == protocol)

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True)
class IPPeer:
    """An address that is not a pod of the scanned set (outside the cluster, a node, …)."""

    address: IPAddress

    @classmethod
    def parse(cls, text: str) -> IPPeer:
        """Parse an IPv4 or IPv6 address; ValueError when it is not one."""
        return cls(ipaddress.ip_address(text.strip()))

    @property
    def ref(self) -> str:
        return str(self.address)

    def __str__(self) -> str:
        return str(self.address)


Peer = Endpoint | IPPeer


@dataclass(frozen=True)
class Namespace:
    name: str
    labels: Mapping[str, str]
    declared: bool  # a Namespace object of the set; False: only referenced
    index: int = -1


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class IPBlock:
    cidr: IPNetwork
    excepts: tuple[IPNetwork, ...] = ()

    def contains(self, address: IPAddress) -> bool:
        if address.version != self.cidr.version or address not in self.cidr:
            return False
        return not any(address in e for e in self.excepts)

    def __str__(self) -> str:
        if not self.excepts:
            return str(self.cidr)
        return f"{self.cidr} except {', '.join(str(e) for e in self.excepts)}"


@dataclass(frozen=True)
class PolicyPeer:
    """One element of ``from``/``to``: selectors are ANDed within it, elements are ORed.

    ``pod_selector`` None: any pod (of the namespaces chosen); ``namespace_selector`` None: the
    policy's own namespace; ``ip_block`` set: the other two are None (the API forbids mixing).
    """

    pod_selector: Selector | None
    namespace_selector: Selector | None
    ip_block: IPBlock | None
    pointer: str

    def describe(self, policy_namespace: str) -> str:
        if self.ip_block is not None:
            return f"ipBlock {self.ip_block}"
        pods = "all pods" if self.pod_selector is None else f"pods {self.pod_selector.describe()}"
        if self.namespace_selector is None:
            return f"{pods} in namespace {policy_namespace}"
        return f"{pods} in namespaces {self.namespace_selector.describe()}"


@dataclass(frozen=True)
class PolicyPort:
    """One element of ``ports``: protocol (default TCP), a number, a name, or all ports."""

    protocol: str
    port: int | str | None
    end_port: int | None
    pointer: str

    def matches(self, port: int, protocol: str, dst: Peer) -> bool:
        if protocol != self.protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            # a named port resolves against the destination pod's container ports
            return isinstance(dst, Endpoint) and port in dst.named_ports(self.port, protocol)
        if self.end_port is not None:
            return self.port <= port <= self.end_port
        return port == self.port

    def __str__(self) -> str:
        if self.port is None:
            return f"all/{self.protocol}"
        if self.end_port is not None:
            return f"{self.port}-{self.end_port}/{self.protocol}"
        return f"{self.port}/{self.protocol}"


@dataclass(frozen=True)
class PolicyRule:
    """An ingress or egress rule. ``peers``/``ports`` None: missing or empty, i.e. all."""

    direction: Direction
    peers: tuple[PolicyPeer, ...] | None
    ports: tuple[PolicyPort, ...] | None
    pointer: str

    def matches_port(self, port: int, protocol: str, dst: Peer) -> bool:
        return self.ports is None or any(p.matches(port, protocol, dst) for p in self.ports)


@dataclass(frozen=True)
class Policy:
    namespace: str
    name: str
    pod_selector: Selector
    policy_types: frozenset[str]
    ingress: tuple[PolicyRule, ...]
    egress: tuple[PolicyRule, ...]
    index: int = -1
    types_defaulted: bool = False  # policyTypes absent or empty: defaulted from the rules

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def isolates_ingress(self) -> bool:
        return "Ingress" in self.policy_types

    @property
    def isolates_egress(self) -> bool:
        return "Egress" in self.policy_types

    def rules(self, direction: Direction) -> tuple[PolicyRule, ...]:
        return self.ingress if direction == "ingress" else self.egress

    def isolates(self, direction: Direction) -> bool:
        return self.isolates_ingress if direction == "ingress" else self.isolates_egress

    def selects(self, ep: Peer) -> bool:
        return (
            isinstance(ep, Endpoint)
            and ep.namespace == self.namespace
            and self.pod_selector.matches(ep.labels)
        )


@dataclass(frozen=True)
class Problem:
    """Something in the input the analysis could not take as the API server would."""

    index: int  # position of the object in the list given to build()
    resource: Resource
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.pointer or '/'}: {self.message}"


@dataclass(frozen=True)
class Decision:
    """The verdict for one connection, and the policies that decided it (``ns/name``, sorted).

    Per direction the list is empty when no policy isolates that side; when the side allows
    the connection it names the policies whose rules admit it, and when it denies it, the
    policies that isolate the pod (none of whose rules admit the connection).
    """

    allowed: bool
    ingress_policies: list[str] = field(default_factory=list)
    egress_policies: list[str] = field(default_factory=list)
    reason: str = ""


# --------------------------------------------------------------------------- the network


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
        protocol = _check_query(port, protocol)
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
        names = _Names()
        return _decide(
            _peer_facts(src),
            _peer_facts(dst),
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
        against the endpoints, not once per pair.
        """
        protocol = _check_query(port, protocol)
        eps: list[Peer] = list(self.endpoints if endpoints is None else endpoints)
        eg = {id(e): self.policies_for(e, "egress") for e in eps}
        ing = {id(e): self.policies_for(e, "ingress") for e in eps}
        # rule → the endpoints its peers match (independent of the other side)
        peer_sets: dict[int, frozenset[int]] = {}

        def matched(policy: Policy, rule: PolicyRule) -> frozenset[int]:
            got = peer_sets.get(id(rule))
            if got is None:
                got = frozenset(
                    id(e)
                    for e in eps
                    if rule.peers is None
                    or any(self.peer_matches(policy, pp, e) for pp in rule.peers)
                )
                peer_sets[id(rule)] = got
            return got

        # egress policy → the destinations it admits (its rules' peers with a matching port)
        eg_admits: dict[int, frozenset[int]] = {}
        for pols in eg.values():
            for p in pols:
                if id(p) in eg_admits:
                    continue
                admitted: set[int] = set()
                for r in p.egress:
                    ids = matched(p, r)
                    admitted.update(
                        id(d) for d in eps if id(d) in ids and r.matches_port(port, protocol, d)
                    )
                eg_admits[id(p)] = frozenset(admitted)
        # (ingress policy, destination) → the sources it admits (ports resolve against dst)
        in_admits: dict[tuple[int, int], frozenset[int]] = {}
        for d in eps:
            for p in ing[id(d)]:
                srcs: set[int] = set()
                for r in p.ingress:
                    if r.matches_port(port, protocol, d):
                        srcs.update(matched(p, r))
                in_admits[(id(p), id(d))] = frozenset(srcs)
        facts = {id(e): _peer_facts(e) for e in eps}
        # per endpoint: its isolating policies as (name, policy id), sorted by name
        eg_sorted = {k: sorted((p.ref, id(p)) for p in v) for k, v in eg.items()}
        in_sorted = {k: sorted((p.ref, id(p)) for p in v) for k, v in ing.items()}
        in_all = {k: tuple(n for n, _ in v) for k, v in in_sorted.items()}
        out: dict[tuple[Peer, Peer], Decision] = {}
        for s in eps:
            sid = id(s)
            s_facts = facts[sid]
            s_eg = eg_sorted[sid]
            s_eg_all = tuple(n for n, _ in s_eg)
            for d in eps:
                did = id(d)
                d_in = in_sorted[did]
                eg_ok = tuple([n for n, pid in s_eg if did in eg_admits[pid]]) if s_eg else ()
                in_ok = (
                    tuple([n for n, pid in d_in if sid in in_admits[(pid, did)]]) if d_in else ()
                )
                out[(s, d)] = _decide(
                    s_facts,
                    facts[did],
                    port,
                    protocol,
                    s_eg_all,
                    eg_ok,
                    in_all[did],
                    in_ok,
                )
        return out

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


def _check_query(port: int, protocol: str) -> str:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an integer from 1 to 65535, not {port!r}")
    proto = protocol.upper()
    if proto not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    return proto


class _Names:
    """Sorted ``ns/name`` lists of policy lists, computed once per distinct list."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, ...], tuple[str, ...]] = {}

    def __call__(self, policies: list[Policy]) -> tuple[str, ...]:
        key = tuple(map(id, policies))
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = tuple(sorted(p.ref for p in policies))
        return got


_HOST_NETWORK_NOTE = (
    " (note: {} uses the host network; NetworkPolicy behavior for host-network pods is "
    "undefined and most plugins treat their traffic as node traffic)"
)


def _peer_facts(ep: Peer) -> tuple[str, bool, bool]:
    """(display ref, is a pod of the set, uses the host network)."""
    if isinstance(ep, Endpoint):
        return ep.ref, True, ep.host_network
    return str(ep.address), False, False


def _decide(
    src: tuple[str, bool, bool],
    dst: tuple[str, bool, bool],
    port: int,
    protocol: str,
    eg_pols: tuple[str, ...],
    eg_ok: tuple[str, ...],
    in_pols: tuple[str, ...],
    in_ok: tuple[str, ...],
) -> Decision:
    """Combine both sides; the tuples are sorted policy names (empty: none)."""
    src_ref, src_pod, src_host = src
    dst_ref, dst_pod, dst_host = dst
    eg_names: tuple[str, ...]
    in_names: tuple[str, ...]
    if not src_pod:
        eg_allowed, eg_names = True, ()
        eg_text = "egress: source is not a pod of the set"
    elif not eg_pols:
        eg_allowed, eg_names = True, ()
        eg_text = f"egress: no policy isolates {src_ref}"
    elif eg_ok:
        eg_allowed, eg_names = True, eg_ok
        eg_text = f"egress: allowed by {', '.join(eg_ok)}"
    else:
        eg_allowed, eg_names = False, eg_pols
        eg_text = (
            f"egress: {src_ref} is isolated by {', '.join(eg_pols)} and no egress rule admits "
            f"{dst_ref} on {port}/{protocol}"
        )
    if not dst_pod:
        in_allowed, in_names = True, ()
        in_text = "ingress: destination is not a pod of the set"
    elif not in_pols:
        in_allowed, in_names = True, ()
        in_text = f"ingress: no policy isolates {dst_ref}"
    elif in_ok:
        in_allowed, in_names = True, in_ok
        in_text = f"ingress: allowed by {', '.join(in_ok)}"
    else:
        in_allowed, in_names = False, in_pols
        in_text = (
            f"ingress: {dst_ref} is isolated by {', '.join(in_pols)} and no ingress rule admits "
            f"{src_ref} on {port}/{protocol}"
        )
    ok = eg_allowed and in_allowed
    reason = f"{'allowed' if ok else 'denied'}: {eg_text}; {in_text}"
    if src_host or dst_host:
        reason += _HOST_NETWORK_NOTE.format(src_ref if src_host else dst_ref)
    return Decision(ok, list(in_names), list(eg_names), reason)


# --------------------------------------------------------------------------- building


def build(objects: Iterable[Mapping[str, Any]], *, default_namespace: str = "default") -> Network:
    """Build the network model of a set of Kubernetes object dicts.

    ``default_namespace`` is the namespace of namespaced objects that set none.
    """
    endpoints: list[Endpoint] = []
    declared: dict[str, Namespace] = {}
    policies: list[Policy] = []
    problems: list[Problem] = []
    ignored: list[Problem] = []
    referenced: list[str] = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            continue
        kind = obj.get("kind")
        group = api_group(obj.get("apiVersion"))
        if kind == "Namespace" and group == "":
            ns = _namespace(obj, index, problems)
            if ns is not None:
                declared[ns.name] = ns
        elif kind == "NetworkPolicy" and obj.get("apiVersion") == "networking.k8s.io/v1":
            pol = _PolicyParser(obj, index, default_namespace).parse(problems)
            if pol is not None:
                policies.append(pol)
                referenced.append(pol.namespace)
        elif kind in _FOREIGN_POLICY_KINDS:
            ignored.append(
                Problem(
                    index,
                    _resource(obj, default_namespace),
                    "",
                    f"{obj.get('apiVersion')} {kind} is not evaluated: only networking.k8s.io/v1 "
                    "NetworkPolicy semantics are implemented",
                )
            )
        elif kind in ENDPOINT_KINDS:
            ep = _endpoint(obj, index, default_namespace, problems)
            if ep is not None:
                endpoints.append(ep)
                referenced.append(ep.namespace)
    namespaces = dict(declared)
    for name in referenced:
        if name not in namespaces:
            namespaces[name] = Namespace(name, {NS_NAME_LABEL: name}, declared=False)
    return Network(endpoints, namespaces, policies, problems, ignored)


def _resource(obj: Mapping[str, Any], default_namespace: str) -> Resource:
    kind = obj.get("kind")
    av = obj.get("apiVersion")
    ns = as_dict(obj.get("metadata")).get("namespace")
    return Resource(
        kind if isinstance(kind, str) else "",
        object_name(obj),
        ns if isinstance(ns, str) and ns else default_namespace,
        av if isinstance(av, str) else "",
    )


def _labels(
    raw: Any, pointer: str, index: int, res: Resource, problems: list[Problem]
) -> dict[str, str]:
    out: dict[str, str] = {}
    if raw is None:
        return out
    if not isinstance(raw, dict):
        problems.append(Problem(index, res, pointer, "labels must be a mapping"))
        return out
    for k, v in raw.items():
        ptr = f"{pointer}/{escape(str(k))}"
        if not isinstance(k, str) or not isinstance(v, str):
            problems.append(
                Problem(index, res, ptr, f"label {k!r}: key and value must be strings; ignored")
            )
            continue
        err = validate_label_key(k) or validate_label_value(v)
        if err:
            problems.append(Problem(index, res, ptr, f"{err}; ignored"))
            continue
        out[k] = v
    return out


def _namespace(obj: dict[str, Any], index: int, problems: list[Problem]) -> Namespace | None:
    meta = as_dict(obj.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return None
    res = Resource("Namespace", name, "", str(obj.get("apiVersion", "")))
    labels = _labels(meta.get("labels"), "/metadata/labels", index, res, problems)
    labels[NS_NAME_LABEL] = name  # set (and enforced) by the API server
    return Namespace(name, labels, declared=True, index=index)


def _endpoint(
    obj: dict[str, Any], index: int, default_namespace: str, problems: list[Problem]
) -> Endpoint | None:
    wl = Workload.of(obj)
    if wl is None:
        return None
    res = _resource(obj, default_namespace)
    labels = _labels(wl.meta.get("labels"), f"{wl.meta_pointer}/labels", index, res, problems)
    ports: list[ContainerPort] = []
    for c in wl.containers:
        if c.kind == "ephemeralContainers":
            continue
        if c.kind == "initContainers" and c.data.get("restartPolicy") != "Always":
            continue  # only sidecar init containers keep running and serving
        for p in as_list(c.data.get("ports")):
            if not isinstance(p, dict):
                continue
            num = p.get("containerPort")
            if isinstance(num, bool) or not isinstance(num, int) or not 1 <= num <= 65535:
                continue
            name = p.get("name")
            proto = p.get("protocol")
            ports.append(
                ContainerPort(
                    name if isinstance(name, str) else "",
                    num,
                    proto if isinstance(proto, str) and proto else "TCP",
                    c.name,
                )
            )
    return Endpoint(
        res.namespace,
        res.name,
        res.kind,
        labels,
        tuple(ports),
        host_network=wl.spec.get("hostNetwork") is True,
        index=index,
    )


_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
_PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
_PORT_FIELDS = frozenset({"protocol", "port", "endPort"})
_IPBLOCK_FIELDS = frozenset({"cidr", "except"})


class _PolicyParser:
    """Parse and validate one NetworkPolicy (apis/networking/validation, v1 defaulting)."""

    def __init__(self, obj: dict[str, Any], index: int, default_namespace: str) -> None:
        self.obj = obj
        self.index = index
        self.res = _resource(obj, default_namespace)
        self.found: list[Problem] = []

    def problem(self, pointer: str, message: str) -> None:
        self.found.append(Problem(self.index, self.res, pointer, message))

    def unknown(self, value: dict[str, Any], allowed: frozenset[str], pointer: str) -> None:
        for k in value:
            if k not in allowed:
                self.problem(f"{pointer}/{escape(str(k))}", f"unknown field {k!r}")

    def selector(self, value: Any, pointer: str) -> Selector | None:
        try:
            return parse_selector(value, pointer, absent="everything")
        except SelectorError as exc:
            for p in exc.problems:
                self.problem(p.pointer, p.message)
            return None

    def parse(self, problems: list[Problem]) -> Policy | None:
        if not self.res.name:
            self.problem("/metadata/name", "metadata.name is required")
        spec = self.obj.get("spec")
        if spec is None:
            spec = {}  # an absent spec is the zero value: selects all pods, denies ingress
        if not isinstance(spec, dict):
            self.problem("/spec", "spec must be a mapping")
            spec = {}
        self.unknown(spec, _SPEC_FIELDS, "/spec")
        pod_selector = self.selector(spec.get("podSelector"), "/spec/podSelector")
        ingress = self.rules(spec.get("ingress"), "ingress")
        egress = self.rules(spec.get("egress"), "egress")
        types, defaulted = self.policy_types(spec.get("policyTypes"), bool(egress))
        problems.extend(self.found)
        if self.found or pod_selector is None:
            return None
        return Policy(
            self.res.namespace,
            self.res.name,
            pod_selector,
            types,
            tuple(ingress),
            tuple(egress),
            self.index,
            defaulted,
        )

    def policy_types(self, raw: Any, has_egress: bool) -> tuple[frozenset[str], bool]:
        ptr = "/spec/policyTypes"
        if raw is None or raw == []:
            # SetDefaults_NetworkPolicy: Ingress always, Egress when there are egress rules
            return frozenset({"Ingress", "Egress"} if has_egress else {"Ingress"}), True
        if not isinstance(raw, list):
            self.problem(ptr, "policyTypes must be a list")
            return frozenset(), False
        seen: set[str] = set()
        for i, t in enumerate(raw):
            if t not in ("Ingress", "Egress"):
                self.problem(f"{ptr}/{i}", f"{t!r} is not a policy type (Ingress or Egress)")
            elif t in seen:
                self.problem(f"{ptr}/{i}", f"duplicate policy type {t!r}")
            else:
                seen.add(t)
        return frozenset(seen), False

    def rules(self, raw: Any, direction: Direction) -> list[PolicyRule]:
        ptr = f"/spec/{direction}"
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(ptr, f"{direction} must be a list of rules")
            return []
        peers_field = "from" if direction == "ingress" else "to"
        out: list[PolicyRule] = []
        for i, rule in enumerate(raw):
            rptr = f"{ptr}/{i}"
            if rule is None:
                rule = {}  # a null element decodes to the zero rule: all peers, all ports
            if not isinstance(rule, dict):
                self.problem(rptr, "a rule must be a mapping")
                continue
            self.unknown(rule, frozenset({peers_field, "ports"}), rptr)
            peers = self.peers(rule.get(peers_field), f"{rptr}/{peers_field}")
            ports = self.ports(rule.get("ports"), f"{rptr}/ports")
            out.append(PolicyRule(direction, peers, ports, rptr))
        return out

    def peers(self, raw: Any, ptr: str) -> tuple[PolicyPeer, ...] | None:
        if raw is None or raw == []:
            return None
        if not isinstance(raw, list):
            self.problem(ptr, "must be a list of peers")
            return None
        out: list[PolicyPeer] = []
        for i, peer in enumerate(raw):
            pptr = f"{ptr}/{i}"
            if peer is None:
                peer = {}
            if not isinstance(peer, dict):
                self.problem(pptr, "a peer must be a mapping")
                continue
            self.unknown(peer, _PEER_FIELDS, pptr)
            pod_raw = peer.get("podSelector")
            ns_raw = peer.get("namespaceSelector")
            ip_raw = peer.get("ipBlock")
            present = [x is not None for x in (pod_raw, ns_raw, ip_raw)]
            if not any(present):
                self.problem(
                    pptr, "must specify a peer (podSelector, namespaceSelector or ipBlock)"
                )
                continue
            if ip_raw is not None and sum(present) > 1:
                self.problem(pptr, "may not specify both ipBlock and another peer")
                continue
            if ip_raw is not None:
                block = self.ip_block(ip_raw, f"{pptr}/ipBlock")
                if block is not None:
                    out.append(PolicyPeer(None, None, block, pptr))
                continue
            pod = None if pod_raw is None else self.selector(pod_raw, f"{pptr}/podSelector")
            ns = None if ns_raw is None else self.selector(ns_raw, f"{pptr}/namespaceSelector")
            out.append(PolicyPeer(pod, ns, None, pptr))
        return tuple(out)

    def ip_block(self, raw: Any, ptr: str) -> IPBlock | None:
        if not isinstance(raw, dict):
            self.problem(ptr, "ipBlock must be a mapping")
            return None
        self.unknown(raw, _IPBLOCK_FIELDS, ptr)
        cidr = self.cidr(raw.get("cidr"), f"{ptr}/cidr")
        if cidr is None:
            return None
        excepts: list[IPNetwork] = []
        exc_raw = raw.get("except")
        if exc_raw is not None and not isinstance(exc_raw, list):
            self.problem(f"{ptr}/except", "except must be a list of CIDRs")
            return None
        for i, e in enumerate(exc_raw or []):
            net = self.cidr(e, f"{ptr}/except/{i}")
            if net is None:
                continue
            if (
                net.version != cidr.version
                or not net.subnet_of(cidr)  # type: ignore[arg-type]
                or net.prefixlen <= cidr.prefixlen
            ):
                self.problem(f"{ptr}/except/{i}", f"{e!r} must be a strict subset of cidr {cidr}")
                continue
            excepts.append(net)
        return IPBlock(cidr, tuple(excepts))

    def cidr(self, raw: Any, ptr: str) -> IPNetwork | None:
        if not isinstance(raw, str) or not raw:
            self.problem(ptr, "a CIDR is required (e.g. 10.0.0.0/8)")
            return None
        if "/" not in raw:
            self.problem(ptr, f"{raw!r} is not a CIDR: the prefix length (/N) is required")
            return None
        try:
            return ipaddress.ip_network(raw, strict=False)
        except ValueError:
            self.problem(ptr, f"{raw!r} is not a valid CIDR")
            return None

    def ports(self, raw: Any, ptr: str) -> tuple[PolicyPort, ...] | None:
        if raw is None or raw == []:
            return None
        if not isinstance(raw, list):
            self.problem(ptr, "ports must be a list")
            return None
        out: list[PolicyPort] = []
        for i, p in enumerate(raw):
            pptr = f"{ptr}/{i}"
            if p is None:
                p = {}
            if not isinstance(p, dict):
                self.problem(pptr, "a port must be a mapping")
                continue
            self.unknown(p, _PORT_FIELDS, pptr)
            proto = p.get("protocol")
            if proto is None:
                proto = "TCP"
            if proto not in PROTOCOLS:
                self.problem(f"{pptr}/protocol", f"{proto!r} is not TCP, UDP or SCTP")
                continue
            port = p.get("port")
            end = p.get("endPort")
            before = len(self.found)
            if port is None:
                pass
            elif isinstance(port, bool) or not isinstance(port, int | str):
                self.problem(f"{pptr}/port", f"{port!r} is not a port number or name")
            elif isinstance(port, int):
                if not 1 <= port <= 65535:
                    self.problem(f"{pptr}/port", f"{port} is not between 1 and 65535")
            elif not _valid_port_name(port):
                self.problem(
                    f"{pptr}/port",
                    f"{port!r} is not a valid port name (IANA_SVC_NAME: at most 15 lowercase "
                    "alphanumerics or '-', with a letter, no leading, trailing or double '-')",
                )
            if end is not None:
                if isinstance(end, bool) or not isinstance(end, int):
                    self.problem(f"{pptr}/endPort", "endPort must be an integer")
                elif port is None:
                    self.problem(f"{pptr}/endPort", "endPort may not be set without port")
                elif not isinstance(port, int):
                    self.problem(f"{pptr}/endPort", "endPort may not be set with a named port")
                elif not port <= end <= 65535:
                    self.problem(
                        f"{pptr}/endPort", f"endPort {end} must be between port {port} and 65535"
                    )
            if len(self.found) > before:
                continue
            out.append(PolicyPort(proto, port, end, pptr))
        return tuple(out)


def _valid_port_name(name: str) -> bool:
    return (
        0 < len(name) <= 15
        and _IANA_SVC_NAME.match(name) is not None
        and "--" not in name
        and any(c.isalpha() for c in name)
    )
