"""Upstream check ``hostNamespaces`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_hostNamespaces.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome


def host_namespaces_1_0(w: Workload) -> Outcome | None:
    found: list[str] = []
    pointers: list[str] = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if w.spec.get(key) is True:
            found.append(key)
            pointers.append(f"{w.spec_pointer}/{key}")
    if not found:
        return None
    return Outcome("host namespaces", ", ".join(sorted(found)), tuple(pointers))


CHECK = CheckDef("hostNamespaces", BASELINE, "P001", "Host Namespaces", ((0, host_namespaces_1_0),))
