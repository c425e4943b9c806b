"""Upstream check ``windowsHostProcess`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_windowsHostProcess.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload, as_dict
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, setters


def windows_host_process_1_0(w: Workload) -> Outcome | None:
    pointers: list[str] = []
    pod_bad = as_dict(w.pod_sc.get("windowsOptions")).get("hostProcess") is True
    if pod_bad:
        pointers.append(f"{w.pod_sc_pointer}/windowsOptions/hostProcess")
    bad: list[str] = []
    for c in w.containers:
        if as_dict(c.sc.get("windowsOptions")).get("hostProcess") is True:
            bad.append(container_name(c))
            pointers.append(f"{c.sc_pointer}/windowsOptions/hostProcess")
    if not pod_bad and not bad:
        return None
    detail = f"{setters(pod_bad, bad)} must not set securityContext.windowsOptions.hostProcess=true"
    return Outcome("hostProcess", detail, tuple(pointers))


CHECK = CheckDef(
    "windowsHostProcess", BASELINE, "P011", "HostProcess", ((0, windows_host_process_1_0),)
)
