"""Building the NetworkPolicy model of a scanned set: :func:`build` reads Namespaces, the
pod-bearing workloads and ``networking.k8s.io/v1`` NetworkPolicies from plain dicts, parses and
validates the policies the way the API server would (invalid ones become
:class:`~hardhull.netpol.model.Problem` values and are left out), and records the network
policies of other implementations it does not evaluate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Resource
from hardhull.models.workload import Workload, api_group, as_dict, as_list
from hardhull.netpol.model import (
    ENDPOINT_KINDS,
    NS_NAME_LABEL,
    PROTOCOLS,
    ContainerPort,
    Endpoint,
    Namespace,
    Policy,
    Problem,
    resource_of,
)
from hardhull.netpol.network import Network
from hardhull.netpol.policy_parser import PolicyParser
from hardhull.netpol.selectors import (
    validate_label_key,
    validate_label_value,
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
            pol = PolicyParser(obj, index, default_namespace).parse(problems)
            if pol is not None:
                policies.append(pol)
                referenced.append(pol.namespace)
        elif kind in _FOREIGN_POLICY_KINDS:
            ignored.append(
                Problem(
                    index,
                    resource_of(obj, default_namespace),
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
    res = resource_of(obj, default_namespace)
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
            if proto is not None and proto not in PROTOCOLS:
                continue  # the API server rejects it (`tcp`): the container serves no such port
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
