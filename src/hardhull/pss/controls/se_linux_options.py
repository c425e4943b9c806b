"""Upstream check ``seLinuxOptions`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_seLinuxOptions.go``.
"""

from __future__ import annotations

from typing import Any

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, CheckFn, Outcome
from hardhull.pss.controls.helpers import container_name, go_str, join_quote, pluralize, setters

SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}


def _se_linux_options(allowed: frozenset[str]) -> CheckFn:
    def check(w: Workload) -> Outcome | None:
        bad_types: set[str] = set()
        flags = {"user": False, "role": False}
        pointers: list[str] = []

        def valid(opts: dict[str, Any], ptr: str) -> bool:
            ok = True
            kind = go_str(opts.get("type"))
            if kind not in allowed:
                ok = False
                bad_types.add(kind)
                pointers.append(f"{ptr}/type")
            for key in ("user", "role"):
                if go_str(opts.get(key)):
                    ok = False
                    flags[key] = True
                    pointers.append(f"{ptr}/{key}")
            return ok

        pod_bad = False
        opts = w.pod_sc.get("seLinuxOptions")
        if isinstance(opts, dict):
            pod_bad = not valid(opts, f"{w.pod_sc_pointer}/seLinuxOptions")
        bad: list[str] = []
        for c in w.containers:
            opts = c.sc.get("seLinuxOptions")
            if isinstance(opts, dict) and not valid(opts, f"{c.sc_pointer}/seLinuxOptions"):
                bad.append(container_name(c))
        if not pod_bad and not bad:
            return None
        data: list[str] = []
        if bad_types:
            types = sorted(bad_types)
            data.append(f"{pluralize('type', 'types', len(types))} {join_quote(types)}")
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        detail = (
            f"{setters(pod_bad, bad)} set forbidden securityContext.seLinuxOptions: "
            + "; ".join(data)
        )
        return Outcome("seLinuxOptions", detail, tuple(pointers))

    return check


se_linux_options_1_0 = _se_linux_options(SELINUX_TYPES_1_0)
se_linux_options_1_31 = _se_linux_options(SELINUX_TYPES_1_31)


CHECK = CheckDef(
    "seLinuxOptions",
    BASELINE,
    "P007",
    "SELinux",
    ((0, se_linux_options_1_0), (31, se_linux_options_1_31)),
)
