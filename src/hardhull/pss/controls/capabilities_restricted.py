"""Upstream check ``capabilities_restricted`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_capabilities_restricted.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload, as_list
from hardhull.pss.controls.check import RESTRICTED, CheckDef, Outcome
from hardhull.pss.controls.helpers import (
    container_name,
    go_str,
    is_windows,
    join_quote,
    near,
    pluralize,
)


def capabilities_restricted_1_22(w: Workload) -> Outcome | None:
    missing: list[str] = []
    adding: list[str] = []
    caps: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        capabilities = c.sc.get("capabilities")
        if not isinstance(capabilities, dict):
            missing.append(container_name(c))
            pointers.append(near(c.data, c.pointer, "securityContext", "capabilities"))
            continue
        if not any(go_str(d) == "ALL" for d in as_list(capabilities.get("drop"))):
            missing.append(container_name(c))
            pointers.append(near(capabilities, f"{c.sc_pointer}/capabilities", "drop"))
        forbidden = False
        for i, cap in enumerate(as_list(capabilities.get("add"))):
            name = go_str(cap)
            if name != "NET_BIND_SERVICE":
                forbidden = True
                caps.add(name)
                pointers.append(f"{c.sc_pointer}/capabilities/add/{i}")
        if forbidden:
            adding.append(container_name(c))
    details: list[str] = []
    if missing:
        details.append(
            f"{pluralize('container', 'containers', len(missing))} {join_quote(missing)} "
            'must set securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{pluralize('container', 'containers', len(adding))} {join_quote(adding)} "
            f"must not include {join_quote(sorted(caps))} in securityContext.capabilities.add"
        )
    if not details:
        return None
    return Outcome("unrestricted capabilities", "; ".join(details), tuple(pointers))


def capabilities_restricted_1_25(w: Workload) -> Outcome | None:
    if is_windows(w):
        return None
    return capabilities_restricted_1_22(w)


CHECK = CheckDef(
    "capabilities_restricted",
    RESTRICTED,
    "P018",
    "Capabilities",
    ((22, capabilities_restricted_1_22), (25, capabilities_restricted_1_25)),
    overrides=("capabilities_baseline",),
)
