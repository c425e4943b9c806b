"""Admin services published on all interfaces (C022); :func:`parse_port` reads a ``ports``
entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.models.ports import ADMIN_PORTS
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule
from hardhull.rules.compose.common import image_repository, scalar_text

#: images that are admin interfaces whatever their port
ADMIN_IMAGES = (
    "adminer", "phpmyadmin", "phpmyadmin/phpmyadmin", "dpage/pgadmin4", "mongo-express",
    "rediscommander/redis-commander", "redis/redisinsight", "redislabs/redisinsight",
    "portainer/portainer", "portainer/portainer-ce", "portainer/portainer-ee",
    "dockersamples/visualizer", "sosedoff/pgweb", "marcelo/pgweb",
)  # fmt: skip
_WILDCARD_IPS = ("", "0.0.0.0", "::", "[::]", "*")
_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def _port_range(text: str) -> tuple[int, int] | None:
    m = _PORT_RANGE.match(text.strip())
    if not m:
        return None
    lo = int(m.group(1))
    return lo, int(m.group(2)) if m.group(2) else lo


def parse_port(item: Any) -> tuple[str | None, tuple[int, int] | None]:
    """(host IP, container port range) of a short or long ``ports`` entry.

    The host IP is "" when none is given; None when it is a variable (unknown). The range is
    None when the container port is not a number (a variable).
    """
    if isinstance(item, dict):
        ip = item.get("host_ip")
        ip_text = "" if ip is None else scalar_text(ip)
        if ip_text is not None and "$" in ip_text:
            ip_text = None
        target = scalar_text(item.get("target"))
        return ip_text, _port_range(target) if target and "$" not in target else None
    text = scalar_text(item)
    if text is None:
        return None, None
    text = re.sub(r"\$\{[^}]*\}", "$VAR", text.strip())
    text = text.split("/", 1)[0]
    ip = ""
    if text.startswith("["):
        end = text.find("]")
        ip, text = text[: end + 1], text[end + 2 :]
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        ip = parts[0]
    container = parts[-1]
    if "$" in ip:
        return None, None
    return ip, _port_range(container) if "$" not in container else None


EXPOSED_ADMIN = compose_rule(
    "C022",
    "compose-admin-port-exposed",
    "Admin service published on all interfaces",
    Severity.LOW,
    what="A service publishes the port of a database, cache, search engine, message broker, "
    "cluster store, remote shell or Docker API (5432, 3306, 6379, 27017, 9200, 2375, 22, …) "
    "or any port of an admin UI image (Adminer, phpMyAdmin, pgAdmin, mongo-express, "
    'Portainer, …) without a host IP, or on 0.0.0.0 / `::`, in short (`"5432:5432"`, '
    '`"5432"`) or long syntax (`host_ip`). Ports bound to a specific address '
    "(`127.0.0.1:5432:5432`) and `expose` (not published) are fine. Medium for the plain "
    "Docker API (2375), which has no authentication at all. Not reported with "
    "`network_mode: host` (C002), where `ports` is ignored.",
    why="Docker publishes ports by writing its own iptables rules, which host firewalls like ufw "
    'do not see: a database published "for local debugging" is reachable from the whole '
    "network, and internet scanners find such ports within minutes.",
    fix='Bind the port to the loopback address (`"127.0.0.1:5432:5432"`), or do not publish it: '
    "services on the same compose network reach each other by service name without `ports`. "
    'The daemon option `"ip": "127.0.0.1"` changes the default for every container.',
    example="""
services:
  db:
    image: postgres:16
    ports:
      - "127.0.0.1:5432:5432"
""",
    cis="5.14",
    refs=("https://docs.docker.com/engine/network/packet-filtering-firewalls/",),
)


# C022
@check(EXPOSED_ADMIN, on=Target.COMPOSE)
def compose_admin_port_exposed(s: Service) -> Iterator[Violation]:
    mode = scalar_text(s.value("network_mode")) or scalar_text(s.value("net")) or ""
    if mode.strip().lower() == "host":
        return
    image = scalar_text(s.value("image")) or ""
    repo, _ = image_repository(image) if image and "$" not in image else ("", "")
    admin_image = repo in ADMIN_IMAGES
    for item, ptr in s.items("ports"):
        ip, rng = parse_port(item)
        if ip is None or ip.strip() not in _WILDCARD_IPS:
            continue
        where = ip if ip else "all interfaces"
        if admin_image:
            which = f"port {rng[0]}" if rng else "a port"
            yield Violation(
                "C022",
                ptr,
                f"{s.label} publishes {which} of admin UI {repo!r} on {where} "
                "(bind it to 127.0.0.1)",
            )
            continue
        if rng is None:
            continue
        lo, hi = rng
        for port in range(lo, min(hi, lo + 1024) + 1):
            name = ADMIN_PORTS.get(port)
            if name is None:
                continue
            yield Violation(
                "C022",
                ptr,
                f"{s.label} publishes port {port} ({name}) on {where} (bind it to 127.0.0.1)",
                None,
                Severity.MEDIUM if port == 2375 else None,
            )
            break
