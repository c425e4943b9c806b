"""Privileged containers (K001), privilege escalation (K002) and Windows HostProcess
containers (K023)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.fixes import set_field
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_dict
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule
from hardhull.rules.kubernetes.common import added_capabilities, nearest_sc_pointer

PRIVILEGED = workload_rule(
    "K001",
    "privileged-container",
    "Container runs privileged",
    Severity.CRITICAL,
    what="A container sets `securityContext.privileged: true`. Only the YAML boolean counts: a "
    'quoted `"true"` is a string, which the API server rejects (the pod never runs), so it '
    "is not reported; the same holds for every boolean field these rules read.",
    why="A privileged container has every capability, sees every host device and is not confined "
    "by seccomp or AppArmor: escaping to the node is trivial, and from the node to the cluster.",
    fix="Remove `privileged: true`. Grant the one capability the workload really needs instead, "
    "or move host-level work to a dedicated, audited node agent.",
    example="""
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  capabilities:
    drop: ["ALL"]
""",
    pss="baseline: Privileged Containers",
    cis="CIS Kubernetes Benchmark v1.9 5.2.2",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV017",),
    checkov=("CKV_K8S_16",),
    kube_linter=("privileged-container",),
)


# K001
@check(PRIVILEGED, on=Target.WORKLOAD)
def privileged_container(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        if c.sc.get("privileged") is True:
            ptr = f"{c.sc_pointer}/privileged"
            yield Violation(
                "K001",
                ptr,
                f"{c.label} runs privileged",
                [{"op": "replace", "path": ptr, "value": False}],
            )


ESCALATION = workload_rule(
    "K002",
    "allow-privilege-escalation",
    "Privilege escalation not disabled",
    Severity.MEDIUM,
    what="A container does not set `securityContext.allowPrivilegeEscalation: false` "
    "(the default is to allow it).",
    why="Without `no_new_privs`, a process can gain privileges through setuid binaries or file "
    "capabilities, turning a foothold in the container into root inside it.",
    fix="Set `allowPrivilegeEscalation: false` on every container.",
    example="""
containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
""",
    pss="restricted: Privilege Escalation",
    cis="CIS Kubernetes Benchmark v1.9 5.2.6",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV001",),
    checkov=("CKV_K8S_20",),
    kube_linter=("privilege-escalation-container",),
)


# K002
@check(ESCALATION, on=Target.WORKLOAD)
def allow_privilege_escalation(w: Workload) -> Iterator[Violation]:
    if w.windows:
        return
    for c in w.containers:
        if c.sc.get("allowPrivilegeEscalation") is False:
            continue
        ptr = f"{c.sc_pointer}/allowPrivilegeEscalation"
        how = "allows" if c.sc.get("allowPrivilegeEscalation") is True else "does not disable"
        # The API server rejects allowPrivilegeEscalation: false together with privileged: true
        # or an added CAP_SYS_ADMIN (both always allow escalation): no fix is valid until those
        # are gone (K001 / K008 report them).
        blocked = c.sc.get("privileged") is True or "SYS_ADMIN" in {
            cap for cap, _ in added_capabilities(c)
        }
        yield Violation(
            "K002",
            nearest_sc_pointer(c, "allowPrivilegeEscalation"),
            f"{c.label} {how} privilege escalation (set allowPrivilegeEscalation: false)",
            None if blocked else set_field(w.obj, ptr, False) or None,
        )


WINDOWS_HOST_PROCESS = workload_rule(
    "K023",
    "windows-host-process",
    "Windows HostProcess container",
    Severity.HIGH,
    what="A pod or container sets `windowsOptions.hostProcess: true`.",
    why="HostProcess containers run directly on the Windows node with host-level access.",
    fix="Remove `hostProcess`; use a regular Windows container.",
    example="""
securityContext:
  windowsOptions:
    hostProcess: false
""",
    pss="baseline: HostProcess",
    cis="CIS Kubernetes Benchmark v1.9 5.2.11",
    refs=("https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/",),
)


# K023
@check(WINDOWS_HOST_PROCESS, on=Target.WORKLOAD)
def windows_host_process(w: Workload) -> Iterator[Violation]:
    targets: list[tuple[dict[str, Any], str, str]] = [(w.pod_sc, w.pod_sc_pointer, "pod")]
    targets += [(c.sc, c.sc_pointer, c.label) for c in w.containers]
    for sc, ptr, label in targets:
        if as_dict(sc.get("windowsOptions")).get("hostProcess") is True:
            yield Violation(
                "K023", f"{ptr}/windowsOptions/hostProcess", f"{label} is a HostProcess container"
            )
