"""Upstream check ``allowPrivilegeEscalation`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_allowPrivilegeEscalation.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import RESTRICTED, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, is_windows, join_quote, near, pluralize


def allow_privilege_escalation_1_8(w: Workload) -> Outcome | None:
    bad: list[str] = []
    pointers: list[str] = []
    for c in w.containers:
        if c.sc.get("allowPrivilegeEscalation") is not False:
            bad.append(container_name(c))
            pointers.append(near(c.data, c.pointer, "securityContext", "allowPrivilegeEscalation"))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} must set "
        "securityContext.allowPrivilegeEscalation=false"
    )
    return Outcome("allowPrivilegeEscalation != false", detail, tuple(pointers))


def allow_privilege_escalation_1_25(w: Workload) -> Outcome | None:
    if is_windows(w):
        return None
    return allow_privilege_escalation_1_8(w)


CHECK = CheckDef(
    "allowPrivilegeEscalation",
    RESTRICTED,
    "P014",
    "Privilege Escalation",
    ((8, allow_privilege_escalation_1_8), (25, allow_privilege_escalation_1_25)),
)
