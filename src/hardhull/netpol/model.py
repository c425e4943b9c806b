"""The types of the NetworkPolicy model: the pods of a set (:class:`Endpoint`) and other
peers, namespaces, NetworkPolicies parsed as the API server reads them (:class:`Policy` with its
:class:`PolicyRule`, :class:`PolicyPeer` and :class:`PolicyPort` values), the problems found in
the input, and the verdict on one connection (:class:`Decision`).

Everything here is pure: frozen dataclasses, no I/O. :mod:`hardhull.netpol.builder` makes them
from plain dicts; :class:`hardhull.netpol.network.Network` answers queries over them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hardhull.model import Resource
from hardhull.models.workload import as_dict, object_name
from hardhull.netpol.selectors import Selector

__all__ = [
    "DNS_SELECTORS",
    "ENDPOINT_KINDS",
    "NS_NAME_LABEL",
    "PROTOCOLS",
    "ContainerPort",
    "Decision",
    "Direction",
    "Endpoint",
    "IPAddress",
    "IPBlock",
    "IPNetwork",
    "IPPeer",
    "Namespace",
    "Peer",
    "Policy",
    "PolicyPeer",
    "PolicyPort",
    "PolicyRule",
    "Problem",
    "resource_of",
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
    ``index`` is the position of the source object in the list given to ``build`` (-1 for a
    synthetic endpoint such as the assumed cluster DNS).
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


def resource_of(obj: Mapping[str, Any], default_namespace: str) -> Resource:
    """The kind, name, namespace (``default_namespace`` when it sets none) and apiVersion
    of an object."""
    kind = obj.get("kind")
    av = obj.get("apiVersion")
    ns = as_dict(obj.get("metadata")).get("namespace")
    return Resource(
        kind if isinstance(kind, str) else "",
        object_name(obj),
        ns if isinstance(ns, str) and ns else default_namespace,
        av if isinstance(av, str) else "",
    )
