"""Upstream check ``hostPathVolumes`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_hostPathVolumes.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import go_str, is_set, join_quote, pluralize


def host_path_volumes_1_0(w: Workload) -> Outcome | None:
    names: list[str] = []
    pointers: list[str] = []
    for i, vol in w.volumes():
        if is_set(vol.get("hostPath")):
            names.append(go_str(vol.get("name")))
            pointers.append(f"{w.spec_pointer}/volumes/{i}/hostPath")
    if not names:
        return None
    detail = f"{pluralize('volume', 'volumes', len(names))} {join_quote(names)}"
    return Outcome("hostPath volumes", detail, tuple(pointers))


CHECK = CheckDef(
    "hostPathVolumes", BASELINE, "P004", "HostPath Volumes", ((0, host_path_volumes_1_0),)
)
