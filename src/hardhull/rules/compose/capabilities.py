"""Linux capabilities: adding a dangerous one (C008) and not dropping ALL (C009). The list of
dangerous capabilities is the Kubernetes rules' (:mod:`hardhull.models.capabilities`)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.fixes import append_item
from hardhull.model import Severity, Violation
from hardhull.models.capabilities import DANGEROUS_CAPS, capability_name
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule
from hardhull.rules.compose.common import owns_pointer

DANGEROUS_CAP = compose_rule(
    "C008",
    "compose-dangerous-capability",
    "Dangerous capability added",
    Severity.HIGH,
    what="A service's `cap_add` adds a capability that breaks isolation: ALL or SYS_ADMIN "
    "(critical), SYS_MODULE, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, BPF, PERFMON, DAC_READ_SEARCH, "
    "MAC_ADMIN, MAC_OVERRIDE, NET_ADMIN (high), NET_RAW, SYS_TIME, SYSLOG (medium). Names are "
    "compared as Docker does: case-insensitively, with or without the `CAP_` prefix. The same "
    "list and severities as the Kubernetes rule K008.",
    why="SYS_ADMIN is nearly root on the host (mount, namespaces, BPF); SYS_MODULE loads kernel "
    "modules; SYS_PTRACE reads other processes' memory; NET_ADMIN lets the container "
    "reconfigure and sniff its network; DAC_READ_SEARCH reads any file (the shocker escape).",
    fix="Remove the capability. If a tool truly needs it (a VPN needs NET_ADMIN), run that "
    "service alone, drop everything else (`cap_drop: [ALL]`) and document why.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]   # only what the process needs
""",
    cis="5.4",
)


# C008
@check(DANGEROUS_CAP, on=Target.COMPOSE)
def compose_dangerous_capability(s: Service) -> Iterator[Violation]:
    for item, ptr in s.items("cap_add"):
        if not isinstance(item, str):
            continue
        cap = capability_name(item)
        sev = DANGEROUS_CAPS.get(cap)
        if sev is not None:
            yield Violation("C008", ptr, f"{s.label} adds capability {cap}", None, sev)


DROP_ALL = compose_rule(
    "C009",
    "compose-capabilities-not-dropped",
    "Capabilities not dropped",
    Severity.LOW,
    what="A service does not set `cap_drop: [ALL]` (privileged services are C001's). Not reported "
    "for a service defined only in part here (an override file's fragment, `extends` from "
    "another file).",
    why="Docker grants every container a default set of 14 capabilities (CHOWN, DAC_OVERRIDE, "
    "FOWNER, SETUID, SETGID, NET_RAW, MKNOD, …) that most services never use and an attacker "
    "will. Low because Docker's default set already excludes the worst ones.",
    fix="Add `cap_drop: [ALL]` and add back only what the process needs (often nothing, or "
    "NET_BIND_SERVICE, or CHOWN/SETUID/SETGID for images whose entrypoint switches user).",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
""",
    cis="5.4",
)


# C009
@check(DROP_ALL, on=Target.COMPOSE)
def compose_capabilities_not_dropped(s: Service) -> Iterator[Violation]:
    if not s.complete or s.value("privileged") is True:
        return
    for item, _ in s.items("cap_drop"):
        if isinstance(item, str) and capability_name(item) == "ALL":
            return
    got = s.get("cap_drop")
    where = got[1] if got is not None else s.pointer
    fix = None
    if got is None or owns_pointer(s, got[1]):
        fix = append_item(s.root, f"{s.pointer}/cap_drop", "ALL")
    yield Violation(
        "C009", where, f"{s.label} does not drop ALL capabilities (cap_drop: [ALL])", fix or None
    )
