"""Sharing the host's namespaces: network, PID, IPC, user, UTS and cgroup (C002–C007)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Rule, Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule


def _ns_rule(
    code: str, field: str, value_text: str, what: str, severity: Severity, why: str, cis: str
) -> Rule:
    return compose_rule(
        code,
        f"compose-host-{what}",
        f"Service shares the host {what} namespace",
        severity,
        what=f"A service sets `{field}: {value_text}`.",
        why=why,
        fix=f"Remove `{field}` (the default gives the container its own {what} namespace).",
        example=f"""
services:
  app:
    image: registry.example.com/app:1.4.2
    # no {field}: {value_text}
""",
        cis=cis,
    )


def _host_namespace(
    s: Service, rule: Rule, fields: tuple[str, ...], what: str
) -> Iterator[Violation]:
    """The finding of a service whose first field of ``fields`` set to ``host`` shares that
    namespace with the host."""
    for f in fields:
        got = s.get(f)
        if got is not None and isinstance(got[0], str) and got[0].strip().lower() == "host":
            yield Violation(
                rule.code, got[1], f"{s.label} shares the host {what} namespace ({f}: host)"
            )
            return


HOST_NETWORK = _ns_rule(
    "C002",
    "network_mode",
    "host",
    "network",
    Severity.HIGH,
    why="The container uses the host's network stack: it can bind any host port, reach services "
    "listening on the host's loopback (the Docker API, databases, cloud metadata proxies) and "
    "sniff traffic with NET_RAW; container network isolation no longer applies to it. The "
    "version 1 field `net: host` is the same.",
    cis="5.10",
)


# C002
@check(HOST_NETWORK, on=Target.COMPOSE)
def compose_host_network(s: Service) -> Iterator[Violation]:
    return _host_namespace(s, HOST_NETWORK, ("network_mode", "net"), "network")


HOST_PID = _ns_rule(
    "C003",
    "pid",
    "host",
    "pid",
    Severity.HIGH,
    why="The container sees every process of the host, their command lines and environment "
    "(secrets), and with the right capability can signal or trace them.",
    cis="5.16",
)


# C003
@check(HOST_PID, on=Target.COMPOSE)
def compose_host_pid(s: Service) -> Iterator[Violation]:
    return _host_namespace(s, HOST_PID, ("pid",), "pid")


HOST_IPC = _ns_rule(
    "C004",
    "ipc",
    "host",
    "ipc",
    Severity.HIGH,
    why="The container can read and write the shared memory segments, semaphores and message "
    "queues of every process on the host.",
    cis="5.17",
)


# C004
@check(HOST_IPC, on=Target.COMPOSE)
def compose_host_ipc(s: Service) -> Iterator[Violation]:
    return _host_namespace(s, HOST_IPC, ("ipc",), "ipc")


HOST_USERNS = _ns_rule(
    "C005",
    "userns_mode",
    "host",
    "user",
    Severity.MEDIUM,
    why="On a daemon with user namespace remapping (`userns-remap`), `userns_mode: host` turns "
    "it off for this container: root in the container is root on the host again.",
    cis="5.31",
)


# C005
@check(HOST_USERNS, on=Target.COMPOSE)
def compose_host_user(s: Service) -> Iterator[Violation]:
    return _host_namespace(s, HOST_USERNS, ("userns_mode",), "user")


HOST_UTS = _ns_rule(
    "C006",
    "uts",
    "host",
    "uts",
    Severity.LOW,
    why="The container shares the host's hostname and domain name and can change them for the "
    "whole host (with CAP_SYS_ADMIN).",
    cis="5.21",
)


# C006
@check(HOST_UTS, on=Target.COMPOSE)
def compose_host_uts(s: Service) -> Iterator[Violation]:
    return _host_namespace(s, HOST_UTS, ("uts",), "uts")


HOST_CGROUP = _ns_rule(
    "C007",
    "cgroup",
    "host",
    "cgroup",
    Severity.MEDIUM,
    why="The container sees the host's whole cgroup hierarchy (every container's limits and "
    "processes) instead of its own: an information leak and, with write access, a way to "
    "change other containers' limits.",
    cis="",
)


# C007
@check(HOST_CGROUP, on=Target.COMPOSE)
def compose_host_cgroup(s: Service) -> Iterator[Violation]:
    return _host_namespace(s, HOST_CGROUP, ("cgroup",), "cgroup")
