"""Privileged services (C001) and writable root filesystems (C019)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import RUN_DOC, compose_rule
from hardhull.rules.compose.common import fix_if_own, owns_pointer

PRIVILEGED = compose_rule(
    "C001",
    "compose-privileged",
    "Service runs privileged",
    Severity.CRITICAL,
    what="A service sets `privileged: true`.",
    why="A privileged container gets every capability and every host device, and runs without "
    "the seccomp and AppArmor/SELinux confinement: a process in it can mount the host's disks, "
    "load kernel modules and take over the host.",
    fix="Remove `privileged: true`. Add only the capability or the device the service really "
    "needs (`cap_add`, `devices`), and prefer a dedicated, audited host agent for host work.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    privileged: false
    cap_drop: [ALL]
""",
    cis="5.5",
    refs=(RUN_DOC,),
)


# C001
@check(PRIVILEGED, on=Target.COMPOSE)
def compose_privileged(s: Service) -> Iterator[Violation]:
    got = s.get("privileged")
    if got is not None and got[0] is True:
        yield Violation("C001", got[1], f"{s.label} runs privileged", fix_if_own(s, got[1], False))


READ_ONLY = compose_rule(
    "C019",
    "compose-writable-root-filesystem",
    "Root filesystem writable",
    Severity.LOW,
    what="A service does not set `read_only: true` (not reported for a service defined only in "
    "part here).",
    why="A writable root filesystem lets an intruder drop tools, modify binaries and persist in "
    "the container. Low: many images need a few writable paths, which `tmpfs` provides.",
    fix="Set `read_only: true` and give the paths the process writes a `tmpfs` or a volume.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    read_only: true
    tmpfs:
      - /tmp
""",
    cis="5.13",
)


# C019
@check(READ_ONLY, on=Target.COMPOSE)
def compose_writable_root_filesystem(s: Service) -> Iterator[Violation]:
    if not s.complete:
        return
    got = s.get("read_only")
    if got is not None and got[0] is True:
        return
    where = got[1] if got is not None else s.pointer
    yield Violation(
        "C019",
        where,
        f"{s.label} has a writable root filesystem (set read_only: true)",
        fix_if_own(s, f"{s.pointer}/read_only", True)
        if got is None or owns_pointer(s, got[1])
        else None,
    )
