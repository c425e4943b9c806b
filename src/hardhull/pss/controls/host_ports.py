"""Upstream check ``hostPorts`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_hostPorts.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload, as_list
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import container_name, go_int, join_quote, pluralize


def host_ports_1_0(w: Workload) -> Outcome | None:
    # API defaulting: a Pod on the host network gets hostPort = containerPort (Pods only,
    # not pod templates, since Kubernetes 1.28).
    default_host_ports = w.kind == "Pod" and w.spec.get("hostNetwork") is True
    bad: list[str] = []
    ports: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        valid = True
        for j, port in enumerate(as_list(c.data.get("ports"))):
            if not isinstance(port, dict):
                continue
            host_port = go_int(port.get("hostPort"))
            where = f"{c.pointer}/ports/{j}/hostPort"
            if host_port == 0 and default_host_ports and c.kind != "ephemeralContainers":
                host_port = go_int(port.get("containerPort"))
                where = f"{c.pointer}/ports/{j}/containerPort"
            if host_port != 0:
                valid = False
                ports.add(str(host_port))
                pointers.append(where)
        if not valid:
            bad.append(container_name(c))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        f"{pluralize('uses', 'use', len(bad))} {pluralize('hostPort', 'hostPorts', len(ports))} "
        + ", ".join(sorted(ports))
    )
    return Outcome("hostPort", detail, tuple(pointers))


CHECK = CheckDef("hostPorts", BASELINE, "P005", "Host Ports", ((0, host_ports_1_0),))
