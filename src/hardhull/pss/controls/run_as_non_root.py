"""Upstream check ``runAsNonRoot`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_runAsNonRoot.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import RESTRICTED, CheckDef, Outcome
from hardhull.pss.controls.helpers import (
    container_name,
    in_user_namespace,
    join_quote,
    near,
    pluralize,
    setters,
)


def run_as_non_root_1_0(w: Workload) -> Outcome | None:
    pod_bad = False
    pod_true = False
    explicit_ptrs: list[str] = []
    value = w.pod_sc.get("runAsNonRoot")
    if value is False:
        pod_bad = True
        explicit_ptrs.append(f"{w.pod_sc_pointer}/runAsNonRoot")
    elif value is True:
        pod_true = True
    explicit: list[str] = []
    implicit: list[str] = []
    implicit_ptrs: list[str] = []
    for c in w.containers:
        value = c.sc.get("runAsNonRoot")
        if value is not None:
            if value is False:
                explicit.append(container_name(c))
                explicit_ptrs.append(f"{c.sc_pointer}/runAsNonRoot")
            elif value is not True and not pod_true:
                implicit.append(container_name(c))  # not a boolean: not a valid opt-in
                implicit_ptrs.append(f"{c.sc_pointer}/runAsNonRoot")
        elif not pod_true:
            implicit.append(container_name(c))
            implicit_ptrs.append(near(c.data, c.pointer, "securityContext", "runAsNonRoot"))
    if pod_bad or explicit:
        detail = f"{setters(pod_bad, explicit)} must not set securityContext.runAsNonRoot=false"
        return Outcome("runAsNonRoot != true", detail, tuple(explicit_ptrs))
    if implicit:
        detail = (
            f"pod or {pluralize('container', 'containers', len(implicit))} "
            f"{join_quote(implicit)} must set securityContext.runAsNonRoot=true"
        )
        return Outcome("runAsNonRoot != true", detail, tuple(implicit_ptrs))
    return None


def run_as_non_root_1_35(w: Workload) -> Outcome | None:
    if in_user_namespace(w):
        return None
    return run_as_non_root_1_0(w)


CHECK = CheckDef(
    "runAsNonRoot",
    RESTRICTED,
    "P015",
    "Running as Non-root",
    ((0, run_as_non_root_1_0), (35, run_as_non_root_1_35)),
)
