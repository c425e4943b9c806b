"""Upstream check ``hostProbesAndHostLifecycle`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_hostProbesAndhostLifecycle.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, go_str, join_quote, pluralize

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HOOKS = ("postStart", "preStop")
_HANDLERS = ("httpGet", "tcpSocket")


def host_probes_and_host_lifecycle_1_34(w: Workload) -> Outcome | None:
    bad: set[str] = set()
    hosts: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        handlers = [(c.data.get(p), f"{c.pointer}/{p}") for p in _PROBES]
        lifecycle = c.data.get("lifecycle")
        if isinstance(lifecycle, dict):
            handlers += [(lifecycle.get(h), f"{c.pointer}/lifecycle/{h}") for h in _HOOKS]
        for handler, ptr in handlers:
            if not isinstance(handler, dict):
                continue
            for kind in _HANDLERS:
                action = handler.get(kind)
                if isinstance(action, dict):
                    host = go_str(action.get("host"))
                    if host:
                        bad.add(container_name(c))
                        hosts.add(host)
                        pointers.append(f"{ptr}/{kind}/host")
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(sorted(bad))} "
        f"{pluralize('uses', 'use', len(bad))} "
        f"{pluralize('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
        f"{join_quote(sorted(hosts))}"
    )
    return Outcome("probe or lifecycle host", detail, tuple(pointers))


CHECK = CheckDef(
    "hostProbesAndHostLifecycle",
    BASELINE,
    "P012",
    "Host Probes / Lifecycle Hooks",
    ((34, host_probes_and_host_lifecycle_1_34),),
)
