"""Upstream check ``procMount_restricted`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_procMount_restricted.go``.
"""

from __future__ import annotations

from hardhull.pss.controls.check import RESTRICTED, CheckDef
from hardhull.pss.controls.proc_mount_baseline import proc_mount_1_0

CHECK = CheckDef(
    "procMount_restricted",
    RESTRICTED,
    "P019",
    "/proc Mount Type",
    ((35, proc_mount_1_0),),
    overrides=("procMount",),
)
