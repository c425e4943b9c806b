"""Kernel confinement: seccomp (K010, K011), AppArmor (K012), SELinux (K013) and the /proc
mask (K021)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hardhull.fixes import set_field
from hardhull.model import Severity, Violation
from hardhull.models.workload import Container, Workload, as_dict
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import SC_DOC, workload_rule
from hardhull.rules.kubernetes.common import (
    container_labels,
    group_by_pointer,
    nearest_sc_pointer,
    verb_for,
)

SECCOMP_POD_ANN = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CTR_ANN = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CTR_ANN = "container.apparmor.security.beta.kubernetes.io/"


def seccomp_of(w: Workload, c: Container) -> tuple[str | None, str]:
    """The effective seccomp profile type of a container and the pointer that sets it.

    Container beats pod; at each level the field beats the legacy annotation (the API server
    copies an annotation into the unset field of its own level when the pod is created, so a
    container annotation overrides a pod-level field). Annotation values are mapped to field
    types (``runtime/default`` and ``docker/default`` → RuntimeDefault, ``unconfined`` →
    Unconfined, ``localhost/…`` → Localhost).
    """
    levels = (
        (c.sc, c.sc_pointer, SECCOMP_CTR_ANN + c.name),
        (w.pod_sc, w.pod_sc_pointer, SECCOMP_POD_ANN),
    )
    for sc, ptr, key in levels:
        prof = sc.get("seccompProfile")
        if isinstance(prof, dict) and prof.get("type") is not None:
            return str(prof.get("type")), f"{ptr}/seccompProfile/type"
        val = w.annotations.get(key)
        if isinstance(val, str):
            if val in ("runtime/default", "docker/default"):
                kind = "RuntimeDefault"
            elif val == "unconfined":
                kind = "Unconfined"
            elif val.startswith("localhost/"):
                kind = "Localhost"
            else:
                kind = val
            return kind, w.annotation_pointer(key)
    return None, ""


SECCOMP_MISSING = workload_rule(
    "K010",
    "seccomp-profile-missing",
    "No seccomp profile",
    Severity.MEDIUM,
    what="Neither the container nor the pod sets `seccompProfile` (nor the legacy seccomp "
    "annotation), so the container runs Unconfined on most runtimes.",
    why="Seccomp filters the system calls a process may make; the RuntimeDefault profile blocks "
    "dozens used in kernel exploits and container escapes at almost no cost.",
    fix="Set `seccompProfile.type: RuntimeDefault` in the pod's security context.",
    example="""
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
""",
    pss="restricted: Seccomp",
    cis="CIS Kubernetes Benchmark v1.9 5.7.2",
    nsa="Pod security: seccomp",
)


# K010
@check(SECCOMP_MISSING, on=Target.WORKLOAD)
def seccomp_profile_missing(w: Workload) -> Iterator[Violation]:
    if w.windows:
        return
    for c in w.containers:
        kind, _ = seccomp_of(w, c)
        if kind is None:
            yield Violation(
                "K010",
                nearest_sc_pointer(c, "seccompProfile"),
                f"{c.label} has no seccomp profile (set seccompProfile.type: RuntimeDefault)",
                set_field(w.obj, f"{w.pod_sc_pointer}/seccompProfile", {"type": "RuntimeDefault"})
                or None,
            )


def _unconfined(
    w: Workload,
    resolve: Callable[[Workload, Container], tuple[str | None, str]],
    code: str,
    what: str,
) -> Iterator[Violation]:
    """One violation per place that sets a profile to Unconfined, naming its containers."""
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        kind, ptr = resolve(w, c)
        if kind == "Unconfined":
            items.append((ptr, c))
    for ptr, cs in group_by_pointer(items):
        yield Violation(
            code, ptr, f"{container_labels(cs)} {verb_for(cs, 'runs', 'run')} with {what}"
        )


SECCOMP_UNCONFINED = workload_rule(
    "K011",
    "seccomp-unconfined",
    "Seccomp explicitly Unconfined",
    Severity.HIGH,
    what="A container or pod sets `seccompProfile.type: Unconfined` (or the legacy annotation "
    "`unconfined`).",
    why="An unconfined container can make every system call, including those behind most "
    "kernel-level container escapes.",
    fix="Use `RuntimeDefault`, or a `Localhost` profile that allows what the application needs.",
    example="""
securityContext:
  seccompProfile:
    type: RuntimeDefault
""",
    pss="baseline: Seccomp",
    cis="CIS Kubernetes Benchmark v1.9 5.7.2",
    nsa="Pod security: seccomp",
)


# K011
@check(SECCOMP_UNCONFINED, on=Target.WORKLOAD)
def seccomp_unconfined(w: Workload) -> Iterator[Violation]:
    return _unconfined(w, seccomp_of, "K011", "seccomp Unconfined")


def apparmor_of(w: Workload, c: Container) -> tuple[str | None, str]:
    """The effective AppArmor profile type of a container and the pointer that sets it.

    Container field, then the container's legacy annotation (copied into the field by the API
    server), then the pod field. There is no pod-level annotation.
    """
    prof = as_dict(c.sc.get("appArmorProfile"))
    if prof.get("type") is not None:
        return str(prof["type"]), f"{c.sc_pointer}/appArmorProfile/type"
    key = APPARMOR_CTR_ANN + c.name
    val = w.annotations.get(key)
    if isinstance(val, str):
        if val == "runtime/default":
            kind = "RuntimeDefault"
        elif val == "unconfined":
            kind = "Unconfined"
        elif val.startswith("localhost/"):
            kind = "Localhost"
        else:
            kind = val
        return kind, w.annotation_pointer(key)
    pod = as_dict(w.pod_sc.get("appArmorProfile"))
    if pod.get("type") is not None:
        return str(pod["type"]), f"{w.pod_sc_pointer}/appArmorProfile/type"
    return None, ""


APPARMOR = workload_rule(
    "K012",
    "apparmor-unconfined",
    "AppArmor explicitly unconfined",
    Severity.HIGH,
    what="A container or pod sets `appArmorProfile.type: Unconfined`, or the legacy annotation "
    "`container.apparmor.security.beta.kubernetes.io/<name>: unconfined`.",
    why="On AppArmor hosts the runtime's default profile blocks writes to /proc and /sys and "
    "mount calls; turning it off removes that layer.",
    fix="Remove the override (the runtime default applies) or use `RuntimeDefault` or a "
    "`Localhost` profile.",
    example="""
securityContext:
  appArmorProfile:
    type: RuntimeDefault
""",
    pss="baseline: AppArmor",
    cis="CIS Kubernetes Benchmark v1.9 5.7.3",
    nsa="Pod security: SELinux, AppArmor and seccomp",
    trivy=("KSV002",),
    refs=(SC_DOC, "https://kubernetes.io/docs/tutorials/security/apparmor/"),
)


# K012
@check(APPARMOR, on=Target.WORKLOAD)
def apparmor_unconfined(w: Workload) -> Iterator[Violation]:
    return _unconfined(w, apparmor_of, "K012", "AppArmor unconfined")


SELINUX_TYPES = frozenset(
    {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)


SELINUX = workload_rule(
    "K013",
    "selinux-options",
    "Custom SELinux type, user or role",
    Severity.MEDIUM,
    what="A pod or container sets `seLinuxOptions.type` to something other than container_t, "
    "container_init_t, container_kvm_t or container_engine_t, or sets `user` or `role`.",
    why="A custom SELinux type or user can lift the confinement SELinux gives containers, e.g. "
    "`spc_t` (super-privileged container) is unconfined.",
    fix="Remove `type`, `user` and `role` from `seLinuxOptions`; set only `level` if needed.",
    example="""
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
""",
    pss="baseline: SELinux",
    cis="CIS Kubernetes Benchmark v1.9 5.7.3",
    trivy=("KSV025",),
)


# K013
@check(SELINUX, on=Target.WORKLOAD)
def selinux_options(w: Workload) -> Iterator[Violation]:
    targets: list[tuple[dict[str, Any], str, str]] = [(w.pod_sc, w.pod_sc_pointer, "pod")]
    targets += [(c.sc, c.sc_pointer, c.label) for c in w.containers]
    for sc, ptr, label in targets:
        opts = sc.get("seLinuxOptions")
        if not isinstance(opts, dict):
            continue
        t = opts.get("type")
        if t not in (None, "") and t not in SELINUX_TYPES:
            yield Violation(
                "K013", f"{ptr}/seLinuxOptions/type", f"{label} sets SELinux type {t!r}"
            )
        for f in ("user", "role"):
            if opts.get(f) not in (None, ""):
                yield Violation(
                    "K013", f"{ptr}/seLinuxOptions/{f}", f"{label} sets SELinux {f} {opts[f]!r}"
                )


PROC_MOUNT = workload_rule(
    "K021",
    "unmasked-proc-mount",
    "Unmasked /proc mount",
    Severity.HIGH,
    what="A container sets `securityContext.procMount` to something other than `Default` "
    "(i.e. `Unmasked`).",
    why="The default masks sensitive /proc paths (kcore, sysrq-trigger, …); unmasking exposes "
    "host kernel interfaces to the container.",
    fix="Remove `procMount` or set it to `Default`.",
    example="""
securityContext:
  procMount: Default
""",
    pss="baseline: /proc Mount Type",
    trivy=("KSV027",),
)


# K021
@check(PROC_MOUNT, on=Target.WORKLOAD)
def unmasked_proc_mount(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        pm = c.sc.get("procMount")
        if pm not in (None, "Default"):
            yield Violation("K021", f"{c.sc_pointer}/procMount", f"{c.label} sets procMount: {pm}")
