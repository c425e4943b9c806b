"""Linux capabilities: not dropping ALL (K007), adding a dangerous one (K008) or any other
(K009). The capability lists are in :mod:`hardhull.models.capabilities`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.fixes import append_item
from hardhull.model import Severity, Violation
from hardhull.models.capabilities import BASELINE_CAPS, DANGEROUS_CAPS
from hardhull.models.workload import Workload, as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule
from hardhull.rules.kubernetes.common import added_capabilities, nearest_sc_pointer


def _drops_all(caps: dict[str, Any]) -> bool:
    """``drop`` contains ALL (containerd and CRI-O compare it case-insensitively)."""
    return any(isinstance(x, str) and x.strip().upper() == "ALL" for x in as_list(caps.get("drop")))


DROP_ALL = workload_rule(
    "K007",
    "capabilities-not-dropped",
    "Capabilities not dropped",
    Severity.MEDIUM,
    what="A container's `securityContext.capabilities.drop` does not contain `ALL`.",
    why="Container runtimes grant a default set of about 14 capabilities (NET_RAW, CHOWN, "
    "DAC_OVERRIDE, SETUID, …) that most applications never use and attackers do.",
    fix="Drop `ALL` and add back only what the process needs, usually nothing or "
    "`NET_BIND_SERVICE`.",
    example="""
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
""",
    pss="restricted: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.10",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV003",),
    checkov=("CKV_K8S_37",),
    kube_linter=("drop-net-raw-capability",),
)


# K007
@check(DROP_ALL, on=Target.WORKLOAD)
def capabilities_not_dropped(w: Workload) -> Iterator[Violation]:
    if w.windows:
        return
    for c in w.containers:
        caps = as_dict(c.sc.get("capabilities"))
        if _drops_all(caps):
            continue
        if "drop" in caps:
            where = f"{c.sc_pointer}/capabilities/drop"
        elif "capabilities" in c.sc:
            where = f"{c.sc_pointer}/capabilities"
        else:
            where = nearest_sc_pointer(c, "capabilities")
        yield Violation(
            "K007",
            where,
            f'{c.label} does not drop ALL capabilities (capabilities.drop: ["ALL"])',
            append_item(w.obj, f"{c.sc_pointer}/capabilities/drop", "ALL") or None,
        )


DANGEROUS_ADD = workload_rule(
    "K008",
    "dangerous-capability",
    "Dangerous capability added",
    Severity.HIGH,
    what="A container adds a capability that breaks isolation: ALL or SYS_ADMIN (critical), "
    "SYS_MODULE, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, BPF, PERFMON, DAC_READ_SEARCH, MAC_ADMIN, "
    "MAC_OVERRIDE, NET_ADMIN (high), NET_RAW, SYS_TIME, SYSLOG (medium).",
    why="SYS_ADMIN is nearly root on the host (mount, namespaces, BPF); SYS_MODULE loads kernel "
    "modules; SYS_PTRACE reads other processes' memory; NET_ADMIN and NET_RAW let a pod spoof "
    "and sniff traffic on the node network.",
    fix="Remove the capability. If a tool needs it (e.g. a CNI or a debugger), run it as a "
    "separate, audited DaemonSet in its own namespace.",
    example="""
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]   # only what the process needs
""",
    pss="baseline: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.8 (NET_RAW), 5.2.9",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV022", "KSV106", "KSV119"),
    checkov=("CKV_K8S_25",),
)


# K008
@check(DANGEROUS_ADD, on=Target.WORKLOAD)
def dangerous_capability(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        for cap, ptr in added_capabilities(c):
            sev = DANGEROUS_CAPS.get(cap)
            if sev is not None:
                yield Violation("K008", ptr, f"{c.label} adds capability {cap}", None, sev)


OTHER_ADD = workload_rule(
    "K009",
    "capability-added",
    "Capability added beyond NET_BIND_SERVICE",
    Severity.LOW,
    what="A container adds a capability other than NET_BIND_SERVICE that is not in the dangerous "
    "list of K008. Outside the Pod Security Standards baseline set it is medium.",
    why="Every capability widens what a compromised process may do; the restricted standard "
    "allows adding only NET_BIND_SERVICE.",
    fix="Remove the capability, or document why the workload needs it and suppress the finding.",
    example="""
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
""",
    pss="restricted: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.9",
)


# K009
@check(OTHER_ADD, on=Target.WORKLOAD)
def capability_added(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        for cap, ptr in added_capabilities(c):
            if cap in DANGEROUS_CAPS or cap == "NET_BIND_SERVICE":
                continue
            sev = Severity.LOW if cap in BASELINE_CAPS else Severity.MEDIUM
            yield Violation("K009", ptr, f"{c.label} adds capability {cap}", None, sev)
