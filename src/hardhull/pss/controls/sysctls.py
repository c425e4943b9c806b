"""Upstream check ``sysctls`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_sysctls.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload, as_list
from hardhull.pss.controls.check import BASELINE, CheckDef, CheckFn, Outcome
from hardhull.pss.controls.helpers import go_str, near

SYSCTLS_1_0 = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
SYSCTLS_1_37 = SYSCTLS_1_32 | {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(w: Workload) -> Outcome | None:
        names: list[str] = []
        pointers: list[str] = []
        for i, item in enumerate(as_list(w.pod_sc.get("sysctls"))):
            if not isinstance(item, dict):
                continue
            name = go_str(item.get("name"))
            if name not in allowed:
                names.append(name)
                pointers.append(near(item, f"{w.pod_sc_pointer}/sysctls/{i}", "name"))
        if not names:
            return None
        return Outcome("forbidden sysctls", ", ".join(names), tuple(pointers))

    return check


sysctls_1_0 = _sysctls(SYSCTLS_1_0)
sysctls_1_27 = _sysctls(SYSCTLS_1_27)
sysctls_1_29 = _sysctls(SYSCTLS_1_29)
sysctls_1_32 = _sysctls(SYSCTLS_1_32)
sysctls_1_37 = _sysctls(SYSCTLS_1_37)


CHECK = CheckDef(
    "sysctls",
    BASELINE,
    "P010",
    "Sysctls",
    (
        (0, sysctls_1_0),
        (27, sysctls_1_27),
        (29, sysctls_1_29),
        (32, sysctls_1_32),
        (37, sysctls_1_37),
    ),
)
