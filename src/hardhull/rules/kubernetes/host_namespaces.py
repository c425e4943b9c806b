"""Sharing the node's namespaces: host network, PID and IPC (K014–K016), the host user
namespace (K017) and host ports (K020)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Rule, Severity, Violation
from hardhull.models.workload import Workload, as_list
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule
from hardhull.rules.kubernetes.common import int_or_none


def _host_rule(
    code: str,
    field: str,
    what: str,
    why: str,
    trivy: tuple[str, ...],
    checkov: tuple[str, ...],
    cis: str,
) -> Rule:
    return workload_rule(
        code,
        f"host-{field[4:].lower()}",
        f"Pod shares the host {what}",
        Severity.HIGH,
        what=f"The pod sets `{field}: true`.",
        why=why,
        fix=f"Remove `{field}` (the default is false).",
        example=f"""
spec:
  {field}: false
""",
        pss="baseline: Host Namespaces",
        cis=f"CIS Kubernetes Benchmark v1.9 {cis}",
        nsa="Pod security: host namespaces",
        trivy=trivy,
        checkov=checkov,
        kube_linter=(f"host-{field[4:].lower()}",),
    )


def _host_namespace(w: Workload, rule: Rule, field: str) -> Iterator[Violation]:
    """The finding of a pod that sets ``field`` (hostNetwork, hostPID, hostIPC) to true."""
    if w.spec.get(field) is True:
        ptr = f"{w.spec_pointer}/{field}"
        yield Violation(
            rule.code,
            ptr,
            f"pod sets {field}: true",
            [{"op": "replace", "path": ptr, "value": False}],
        )


HOST_NETWORK = _host_rule(
    "K014",
    "hostNetwork",
    "network namespace",
    why="The pod sees every interface of the node, can bind node ports, sniff node traffic and "
    "reach services listening on the node's loopback (kubelet, etcd on control-plane nodes); "
    "NetworkPolicies no longer apply to it.",
    trivy=("KSV009",),
    checkov=("CKV_K8S_19",),
    cis="5.2.5",
)


# K014
@check(HOST_NETWORK, on=Target.WORKLOAD)
def host_network(w: Workload) -> Iterator[Violation]:
    return _host_namespace(w, HOST_NETWORK, "hostNetwork")


HOST_PID = _host_rule(
    "K015",
    "hostPID",
    "process namespace",
    why="The pod sees every process on the node, their environment and command lines (secrets), "
    "and with ptrace can inject into them.",
    trivy=("KSV010",),
    checkov=("CKV_K8S_17",),
    cis="5.2.3",
)


# K015
@check(HOST_PID, on=Target.WORKLOAD)
def host_pid(w: Workload) -> Iterator[Violation]:
    return _host_namespace(w, HOST_PID, "hostPID")


HOST_IPC = _host_rule(
    "K016",
    "hostIPC",
    "IPC namespace",
    why="The pod can read and write shared memory segments of every process on the node.",
    trivy=("KSV008",),
    checkov=("CKV_K8S_18",),
    cis="5.2.4",
)


# K016
@check(HOST_IPC, on=Target.WORKLOAD)
def host_ipc(w: Workload) -> Iterator[Violation]:
    return _host_namespace(w, HOST_IPC, "hostIPC")


HOST_USERS = workload_rule(
    "K017",
    "host-users",
    "Pod explicitly shares the host user namespace",
    Severity.LOW,
    what="The pod sets `hostUsers: true` explicitly.",
    why="With a user namespace (`hostUsers: false`) uid 0 in the container maps to an "
    "unprivileged uid on the host, which defuses many escapes. Setting it to true opts out.",
    fix="Set `hostUsers: false` where the cluster supports user namespaces (Kubernetes 1.30+ "
    "with a supporting runtime), or remove the field.",
    example="""
spec:
  hostUsers: false
""",
    refs=("https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",),
)


# K017
@check(HOST_USERS, on=Target.WORKLOAD)
def host_users(w: Workload) -> Iterator[Violation]:
    if w.spec.get("hostUsers") is True:
        yield Violation(
            "K017", f"{w.spec_pointer}/hostUsers", "pod sets hostUsers: true (no user namespace)"
        )


HOST_PORT = workload_rule(
    "K020",
    "host-port",
    "hostPort used",
    Severity.MEDIUM,
    what="A container port sets `hostPort`.",
    why="A hostPort binds the port on the node's interfaces, bypassing Services and "
    "NetworkPolicies, and limits scheduling to one such pod per node.",
    fix="Remove `hostPort`; expose the pod through a Service (ClusterIP, NodePort or "
    "LoadBalancer) or an Ingress.",
    example="""
ports:
  - containerPort: 8080
""",
    pss="baseline: Host Ports",
    cis="CIS Kubernetes Benchmark v1.9 5.2.13",
    kube_linter=("host-port",),
)


# K020
@check(HOST_PORT, on=Target.WORKLOAD)
def host_port(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        for i, p in enumerate(as_list(c.data.get("ports"))):
            # 0 (and unset) means no host port; a non-integer is rejected by the API server
            port = int_or_none(p.get("hostPort")) if isinstance(p, dict) else None
            if port is not None and port > 0:
                yield Violation(
                    "K020",
                    f"{c.pointer}/ports/{i}/hostPort",
                    f"{c.label} binds host port {port}",
                )
