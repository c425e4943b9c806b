"""Upstream check ``runAsUser`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_runAsUser.go``.
"""

from __future__ import annotations

from typing import Any

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import RESTRICTED, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, in_user_namespace, setters


def _is_zero(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


def run_as_user_1_23(w: Workload) -> Outcome | None:
    pointers: list[str] = []
    pod_bad = _is_zero(w.pod_sc.get("runAsUser"))
    if pod_bad:
        pointers.append(f"{w.pod_sc_pointer}/runAsUser")
    bad: list[str] = []
    for c in w.containers:
        if _is_zero(c.sc.get("runAsUser")):
            bad.append(container_name(c))
            pointers.append(f"{c.sc_pointer}/runAsUser")
    if not pod_bad and not bad:
        return None
    return Outcome(
        "runAsUser=0", f"{setters(pod_bad, bad)} must not set runAsUser=0", tuple(pointers)
    )


def run_as_user_1_35(w: Workload) -> Outcome | None:
    if in_user_namespace(w):
        return None
    return run_as_user_1_23(w)


CHECK = CheckDef(
    "runAsUser",
    RESTRICTED,
    "P016",
    "Running as Non-root user",
    ((23, run_as_user_1_23), (35, run_as_user_1_35)),
)
