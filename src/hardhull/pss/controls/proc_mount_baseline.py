"""Upstream check ``procMount`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_procMount_baseline.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import (
    container_name,
    go_str,
    in_user_namespace,
    join_quote,
    pluralize,
)


def proc_mount_1_0(w: Workload) -> Outcome | None:
    bad: list[str] = []
    kinds: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        value = c.sc.get("procMount")
        if value is None:
            continue
        kind = go_str(value)
        if kind != "Default":
            bad.append(container_name(c))
            kinds.add(kind)
            pointers.append(f"{c.sc_pointer}/procMount")
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} must not set "
        f"securityContext.procMount to {join_quote(sorted(kinds))}"
    )
    return Outcome("procMount", detail, tuple(pointers))


def proc_mount_1_35_baseline(w: Workload) -> Outcome | None:
    if in_user_namespace(w):  # the pod runs in a user namespace: unmasked /proc is allowed
        return None
    return proc_mount_1_0(w)


CHECK = CheckDef(
    "procMount",
    BASELINE,
    "P008",
    "/proc Mount Type",
    ((0, proc_mount_1_0), (35, proc_mount_1_35_baseline)),
)
