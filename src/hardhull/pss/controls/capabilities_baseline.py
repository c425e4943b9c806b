"""Upstream check ``capabilities_baseline`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_capabilities_baseline.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload, as_list
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, go_str, join_quote, pluralize

CAPABILITIES_ALLOWED_1_0 = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def capabilities_baseline_1_0(w: Workload) -> Outcome | None:
    bad: list[str] = []
    caps: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        capabilities = c.sc.get("capabilities")
        if not isinstance(capabilities, dict):
            continue
        valid = True
        for i, cap in enumerate(as_list(capabilities.get("add"))):
            name = go_str(cap)
            if name not in CAPABILITIES_ALLOWED_1_0:
                valid = False
                caps.add(name)
                pointers.append(f"{c.sc_pointer}/capabilities/add/{i}")
        if not valid:
            bad.append(container_name(c))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} must not include "
        f"{join_quote(sorted(caps))} in securityContext.capabilities.add"
    )
    return Outcome("non-default capabilities", detail, tuple(pointers))


CHECK = CheckDef(
    "capabilities_baseline", BASELINE, "P003", "Capabilities", ((0, capabilities_baseline_1_0),)
)
