"""Sysctls outside the safe set (K022)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_list
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule

SAFE_SYSCTLS = frozenset(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
     "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
     "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
     "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
)  # fmt: skip
NAMESPACED_SYSCTL_PREFIXES = ("net.", "kernel.shm", "kernel.msg", "fs.mqueue.")


def sysctl_dots(name: str) -> str:
    """The kubelet's canonical form: ``net/ipv4/ip_forward`` → ``net.ipv4.ip_forward``.

    When the first separator is ``/``, slashes and dots swap (a dot inside a segment, as in an
    interface name ``eth0.100``, becomes a slash), exactly as the kubelet converts it.
    """
    first = next((ch for ch in name if ch in "./"), "")
    if first != "/":
        return name
    return name.translate(str.maketrans("/.", "./"))


SYSCTLS = workload_rule(
    "K022",
    "unsafe-sysctl",
    "Unsafe sysctl",
    Severity.HIGH,
    what="The pod sets a sysctl outside the safe set the Pod Security Standards allow: high for "
    "node-wide sysctls (vm.*, most kernel.*, fs.* outside fs.mqueue), medium for namespaced "
    "ones (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*).",
    why="Node-wide sysctls are not isolated per pod: they change the node's kernel for every "
    "workload on it. Namespaced but unsafe ones stay in the pod's namespaces, yet can "
    "exhaust node resources or weaken the kernel's defences for the pod.",
    fix="Remove the sysctl, or run the workload on dedicated, tainted nodes whose kubelet "
    "allows it.",
    example="""
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_local_port_range
        value: "1024 65000"
""",
    pss="baseline: Sysctls",
    trivy=("KSV026",),
    refs=("https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",),
)


# K022
@check(SYSCTLS, on=Target.WORKLOAD)
def unsafe_sysctl(w: Workload) -> Iterator[Violation]:
    for i, s in enumerate(as_list(w.pod_sc.get("sysctls"))):
        name = s.get("name") if isinstance(s, dict) else None
        canon = sysctl_dots(name.strip()) if isinstance(name, str) else None
        if canon in SAFE_SYSCTLS:
            continue
        namespaced = isinstance(canon, str) and (
            canon.startswith(NAMESPACED_SYSCTL_PREFIXES) or canon == "kernel.sem"
        )
        yield Violation(
            "K022",
            f"{w.pod_sc_pointer}/sysctls/{i}/name",
            f"pod sets unsafe sysctl {name!r}" + ("" if namespaced else " (node-wide)"),
            None,
            Severity.MEDIUM if namespaced else None,
        )
