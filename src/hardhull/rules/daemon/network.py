"""Docker daemon rules about container networking and registries: traffic between containers
on the default bridge (E001), the userland proxy (E005), iptables (E007), registries trusted
without TLS (E009)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.daemon import (
    boolean_check,
    daemon_rule,
    json_text,
    loopback_host,
    pointer,
    set_fix,
)

ICC = daemon_rule(
    "E001",
    "daemon-icc-enabled",
    "Inter-container traffic allowed on the default bridge",
    Severity.LOW,
    what='daemon.json does not set `"icc": false` (the default is true).',
    why="Every container on the default `docker0` bridge can reach every other one on any port: a "
    "compromised container can attack its neighbours. Low because containers on user-defined "
    "networks (every compose project) are not affected by `icc`.",
    fix='Set `"icc": false` and connect containers that must talk through user-defined networks.',
    example="""
{
  "icc": false
}
""",
    cis="2.2",
)


# E001
@check(ICC, on=Target.DAEMON)
def daemon_icc_enabled(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("icc")
    if value is False:
        return
    if "icc" in cfg:
        yield Violation(
            "E001",
            pointer("icc"),
            f"icc is {json_text(value)}: containers on the default bridge can reach each other "
            "(set it to false)",
            set_fix(cfg, "icc", False),
        )
    else:
        yield Violation(
            "E001",
            "",
            "icc is not set (default true): containers on the default bridge can reach each other",
            set_fix(cfg, "icc", False),
        )


USERLAND_PROXY = daemon_rule(
    "E005",
    "daemon-userland-proxy",
    "Userland proxy enabled",
    Severity.LOW,
    what='daemon.json does not set `"userland-proxy": false` (the default is true).',
    why="The userland proxy is an extra root-owned process per published port; where hairpin NAT "
    "works (any modern kernel) it is redundant attack surface.",
    fix='Set `"userland-proxy": false`.',
    example="""
{
  "userland-proxy": false
}
""",
    cis="2.16",
)


# E005
boolean_check(
    USERLAND_PROXY,
    "userland-proxy",
    good=False,
    default=True,
    harm="a root proxy process runs for every published port",
)


IPTABLES = daemon_rule(
    "E007",
    "daemon-iptables-disabled",
    "Docker may not manage iptables",
    Severity.MEDIUM,
    what='daemon.json sets `"iptables": false`.',
    why="Docker then neither isolates its networks from each other nor NATs published ports "
    "correctly; hand-written rules rarely reproduce the isolation, and containers end up "
    "exposed or reachable across networks.",
    fix='Remove `"iptables": false` and restrict published ports with the `DOCKER-USER` chain.',
    example="""
{
  "iptables": true
}
""",
    cis="2.4",
    refs=("https://docs.docker.com/engine/network/packet-filtering-firewalls/",),
)


# E007
boolean_check(
    IPTABLES,
    "iptables",
    good=True,
    default=True,
    harm="Docker does not isolate its networks with iptables",
)


INSECURE_REGISTRIES = daemon_rule(
    "E009",
    "daemon-insecure-registries",
    "Insecure registries allowed",
    Severity.MEDIUM,
    what="daemon.json lists registries in `insecure-registries` (plain HTTP or unverified TLS). "
    "High for a CIDR that covers every address (`0.0.0.0/0`, `::/0`). Loopback entries "
    "(localhost, 127.0.0.0/8, ::1) are not reported: Docker treats them as insecure anyway.",
    why="Images pulled from an insecure registry can be replaced in transit: whoever sits on the "
    "network path decides what the host runs.",
    fix="Give the registry a certificate (from an internal CA installed in "
    "`/etc/docker/certs.d/<registry>/ca.crt`) and remove it from `insecure-registries`.",
    example="""
{
  "insecure-registries": []
}
""",
    cis="2.5",
    refs=("https://docs.docker.com/reference/cli/dockerd/#insecure-registries",),
)


def _registry_loopback(entry: str) -> bool:
    """A registry (``host:port``) or CIDR entirely on the loopback interface."""
    text = entry.strip()
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        net = None
    if net is not None:
        return net.network_address.is_loopback and net.broadcast_address.is_loopback
    host = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    host = host[1 : host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    return loopback_host(host)


# E009
@check(INSECURE_REGISTRIES, on=Target.DAEMON)
def daemon_insecure_registries(cfg: dict[str, Any]) -> Iterator[Violation]:
    regs = cfg.get("insecure-registries")
    if not isinstance(regs, list):
        return
    for i, r in enumerate(regs):
        if not isinstance(r, str) or not r.strip() or _registry_loopback(r):
            continue
        sev = None
        try:
            if ipaddress.ip_network(r.strip(), strict=False).prefixlen == 0:
                sev = Severity.HIGH
        except ValueError:
            pass
        what = "every registry" if sev else f"registry {r!r}"
        yield Violation(
            "E009", f"/insecure-registries/{i}", f"{what} is trusted without TLS", None, sev
        )
