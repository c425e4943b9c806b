"""The network analysis of one scanned set, shared by every N rule: the
:class:`~hardhull.netpol.Network` model and the indexes the rules use, plus the message and
location helpers they share.

A check gets it with ``ctx.derived(analyse)``: computed on the first call, once per set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.model import Severity
from hardhull.models.workload import Workload, api_group, as_dict, object_namespace
from hardhull.netpol.builder import build
from hardhull.netpol.model import Endpoint, Policy
from hardhull.netpol.network import Network

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
DEAD_NETPOL_GROUPS = frozenset({"extensions", "networking.k8s.io"})
_MAX_LISTED = 5
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


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


def analyse(objects: Sequence[dict[str, Any]]) -> Analysis:
    """The network analysis of one scanned set (every N check asks for it through
    ``ctx.derived(analyse)``, so it is computed once per set)."""
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
        if kind == "NetworkPolicy" and api_group(obj.get("apiVersion")) in DEAD_NETPOL_GROUPS:
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


def listed(items: Sequence[str]) -> str:
    """The first few items, and how many more."""
    if len(items) <= _MAX_LISTED:
        return ", ".join(items)
    return ", ".join(items[:_MAX_LISTED]) + f" and {len(items) - _MAX_LISTED} more"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def namespace_location(a: Analysis, ns: str) -> tuple[int, str]:
    """The Namespace object when the scan has it, else the namespace's first workload."""
    declared = a.net.namespaces.get(ns)
    if declared is not None and declared.declared and declared.index >= 0:
        return declared.index, "/metadata/name"
    first = a.workloads[ns][0].index
    return first, namespace_pointer(a, first)


def namespace_pointer(a: Analysis, index: int) -> str:
    """Where an object says its namespace: ``/metadata/namespace``, else its metadata."""
    meta = as_dict(a.objects[index].get("metadata"))
    return "/metadata/namespace" if "namespace" in meta else "/metadata"


def namespace_related(a: Analysis, ns: str, index: int) -> tuple[tuple[int, str], ...]:
    """The workloads of ``ns`` other than the object at ``index`` (a finding on the whole
    namespace stands for them): (index in the set, where each says its namespace)."""
    others = dict.fromkeys(ep.index for ep in a.workloads.get(ns, []) if ep.index != index)
    return tuple((i, namespace_pointer(a, i)) for i in others)


def workload_pointer(a: Analysis, ep: Endpoint) -> str:
    """The pod template's labels (or its metadata) of a workload."""
    wl = Workload.of(a.objects[ep.index])
    if wl is None:  # pragma: no cover - endpoints are built from workloads
        return ""
    return f"{wl.meta_pointer}/labels" if "labels" in wl.meta else wl.meta_pointer


def lower(sev: Severity) -> Severity:
    """One severity step down (not below info)."""
    return Severity(max(sev - 1, Severity.INFO))
