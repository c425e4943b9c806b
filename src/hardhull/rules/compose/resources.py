"""Memory, CPU and PIDs limits (C020)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule

_LIMIT = ("deploy", "resources", "limits")


def _set(s: Service, *paths: tuple[str, ...]) -> bool:
    for p in paths:
        v = s.value(*p)
        if v is not None and v is not False and v != 0 and v != "0" and v != "":
            return True
    return False


LIMITS = compose_rule(
    "C020",
    "compose-resource-limits",
    "No memory, CPU or PIDs limit",
    Severity.LOW,
    what="A service sets no memory limit (`deploy.resources.limits.memory` or `mem_limit`), no "
    "CPU limit (`deploy.resources.limits.cpus`, `cpus`, `cpu_quota`, `cpu_count`, "
    "`cpu_percent` or `cpuset`) or no PIDs limit (`deploy.resources.limits.pids` or "
    "`pids_limit`): one finding per service naming what is missing (not reported for a "
    "service defined only in part here). `cpu_shares` is a weight, not a limit.",
    why="Without limits one container (a leak, a fork bomb, a compromised process mining "
    "crypto) can starve every other container and the host itself.",
    fix="Set limits under `deploy.resources.limits` (honoured by `docker compose` and swarm) or "
    "with the service-level fields.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    deploy:
      resources:
        limits:
          cpus: "0.50"
          memory: 256M
          pids: 200
""",
    cis="5.11, 5.12, 5.29",
)


# C020
@check(LIMITS, on=Target.COMPOSE)
def compose_resource_limits(s: Service) -> Iterator[Violation]:
    if not s.complete:
        return
    missing = []
    if not _set(s, (*_LIMIT, "memory"), ("mem_limit",)):
        missing.append("memory")
    if not _set(
        s, (*_LIMIT, "cpus"), ("cpus",), ("cpu_quota",), ("cpu_count",), ("cpu_percent",),
        ("cpuset",),
    ):  # fmt: skip
        missing.append("CPU")
    if not _set(s, (*_LIMIT, "pids"), ("pids_limit",)):
        missing.append("PIDs")
    if not missing:
        return
    where = s.pointer
    for n in range(len(_LIMIT), 0, -1):
        got = s.get(*_LIMIT[:n])
        if got is not None:
            where = got[1]
            break
    what = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    yield Violation("C020", where, f"{s.label} sets no {what} limit")
