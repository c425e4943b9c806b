"""Upstream check ``privileged`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_privileged.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, join_quote, pluralize


def privileged_1_0(w: Workload) -> Outcome | None:
    bad: list[str] = []
    pointers: list[str] = []
    for c in w.containers:
        if c.sc.get("privileged") is True:
            bad.append(container_name(c))
            pointers.append(f"{c.sc_pointer}/privileged")
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        "must not set securityContext.privileged=true"
    )
    return Outcome("privileged", detail, tuple(pointers))


CHECK = CheckDef("privileged", BASELINE, "P002", "Privileged Containers", ((0, privileged_1_0),))
