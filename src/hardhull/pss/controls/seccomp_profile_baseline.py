"""Upstream check ``seccompProfile_baseline`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_seccompProfile_baseline.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import (
    container_name,
    go_quote,
    go_str,
    join_quote,
    near,
    pluralize,
    setters,
)

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _seccomp_annotation_ok(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def seccomp_profile_baseline_1_0(w: Workload) -> Outcome | None:
    forbidden: dict[str, str] = {}
    keys = [SECCOMP_POD_ANNOTATION]
    keys += [SECCOMP_CONTAINER_PREFIX + container_name(c) for c in w.containers]
    for key in keys:
        if key in w.annotations:
            value = go_str(w.annotations[key])
            if not _seccomp_annotation_ok(value):
                forbidden.setdefault(f"{key}={go_quote(value)}", w.annotation_pointer(key))
    if not forbidden:
        return None
    items = sorted(forbidden)
    detail = f"forbidden {pluralize('annotation', 'annotations', len(items))} " + ", ".join(items)
    return Outcome("seccompProfile", detail, tuple(forbidden.values()))


def seccomp_fields(
    w: Workload, *, required: bool
) -> tuple[bool, list[str], list[str], set[str], list[str], list[str]]:
    """The seccompProfile fields of the pod and its containers, as both seccomp checks read them.

    Returns (the pod sets a forbidden type, containers setting a forbidden type, containers
    setting none while the pod sets no allowed one (only counted when ``required``), the
    forbidden types, pointers of the forbidden settings, pointers of the missing ones).
    """
    pod_bad = False
    pod_set = False
    values: set[str] = set()
    explicit_ptrs: list[str] = []
    implicit_ptrs: list[str] = []
    profile = w.pod_sc.get("seccompProfile")
    if isinstance(profile, dict):
        kind = go_str(profile.get("type"))
        if kind not in SECCOMP_TYPES:
            pod_bad = True
            values.add(kind)
            explicit_ptrs.append(near(w.pod_sc, w.pod_sc_pointer, "seccompProfile", "type"))
        else:
            pod_set = True
    explicit: list[str] = []
    implicit: list[str] = []
    for c in w.containers:
        profile = c.sc.get("seccompProfile")
        if isinstance(profile, dict):
            kind = go_str(profile.get("type"))
            if kind not in SECCOMP_TYPES:
                explicit.append(container_name(c))
                values.add(kind)
                explicit_ptrs.append(near(c.sc, c.sc_pointer, "seccompProfile", "type"))
        elif required and not pod_set:
            implicit.append(container_name(c))
            implicit_ptrs.append(near(c.data, c.pointer, "securityContext", "seccompProfile"))
    return pod_bad, explicit, implicit, values, explicit_ptrs, implicit_ptrs


def seccomp_profile_baseline_1_19(w: Workload) -> Outcome | None:
    pod_bad, explicit, _, values, pointers, _ = seccomp_fields(w, required=False)
    if not pod_bad and not explicit:
        return None
    detail = (
        f"{setters(pod_bad, explicit)} must not set securityContext.seccompProfile.type to "
        f"{join_quote(sorted(values))}"
    )
    return Outcome("seccompProfile", detail, tuple(pointers))


CHECK = CheckDef(
    "seccompProfile_baseline",
    BASELINE,
    "P009",
    "Seccomp",
    ((0, seccomp_profile_baseline_1_0), (19, seccomp_profile_baseline_1_19)),
)
