"""``security_opt`` entries: seccomp (C010), AppArmor (C011), SELinux (C012), masked /proc and
/sys paths (C013) and no-new-privileges (C014)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.fixes import append_item
from hardhull.model import Rule, Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import RUN_DOC, compose_rule
from hardhull.rules.compose.common import fix_if_own, owns_pointer


def _security_opts(s: Service) -> Iterator[tuple[str, str, str]]:
    """(option, value, pointer) of each `security_opt` entry; `opt:value` or `opt=value`."""
    for item, ptr in s.items("security_opt"):
        if not isinstance(item, str):
            continue
        text = item.strip()
        m = re.match(r"([A-Za-z-]+)\s*[:=]\s*(.*)$", text)
        if m:
            yield m.group(1).lower(), m.group(2).strip(), ptr
        else:
            yield text.lower(), "", ptr


def _opt_rule(
    code: str, slug: str, title: str, sev: Severity, opt: str, why: str, cis: str, doc: str
) -> Rule:
    return compose_rule(
        code,
        slug,
        title,
        sev,
        what=f"A service's `security_opt` contains `{opt}` (`:` or `=` as separator).",
        why=why,
        fix=f"Remove `{opt}`. If the default profile blocks something the service needs, write a "
        "custom profile that allows just that and reference it instead.",
        example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt:
      - no-new-privileges:true
""",
        cis=cis,
        refs=(doc,),
    )


SECCOMP_UNCONFINED = _opt_rule(
    "C010",
    "compose-seccomp-unconfined",
    "Seccomp disabled",
    Severity.HIGH,
    "seccomp:unconfined",
    why="Docker's default seccomp profile blocks about 44 system calls that containers should "
    "never make (keyctl, add_key, kexec_load, open_by_handle_at, bpf, mount, …); several "
    "kernel exploits and container escapes need exactly those.",
    cis="5.22",
    doc="https://docs.docker.com/engine/security/seccomp/",
)


# C010
@check(SECCOMP_UNCONFINED, on=Target.COMPOSE)
def compose_seccomp_unconfined(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        if opt == "seccomp" and val.lower() == "unconfined":
            yield Violation("C010", ptr, f"{s.label} disables seccomp (seccomp:unconfined)")


APPARMOR_UNCONFINED = _opt_rule(
    "C011",
    "compose-apparmor-unconfined",
    "AppArmor disabled",
    Severity.HIGH,
    "apparmor:unconfined",
    why="The `docker-default` AppArmor profile denies writes to /proc and /sys, mounts and raw "
    "access to sensitive kernel interfaces; without it a compromised process meets no "
    "mandatory access control.",
    cis="5.2",
    doc="https://docs.docker.com/engine/security/apparmor/",
)


# C011
@check(APPARMOR_UNCONFINED, on=Target.COMPOSE)
def compose_apparmor_unconfined(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        if opt == "apparmor" and val.lower() == "unconfined":
            yield Violation("C011", ptr, f"{s.label} disables AppArmor (apparmor:unconfined)")


SELINUX_DISABLED = _opt_rule(
    "C012",
    "compose-selinux-disabled",
    "SELinux separation disabled",
    Severity.MEDIUM,
    "label:disable",
    why="On SELinux hosts every container gets its own MCS label, so one container cannot touch "
    "another's files or the host's; `label:disable` (and the `spc_t` type, super-privileged "
    "container) removes that separation.",
    cis="5.3",
    doc=RUN_DOC,
)


# C012
@check(SELINUX_DISABLED, on=Target.COMPOSE)
def compose_selinux_disabled(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        v = val.lower().replace("=", ":")
        if opt == "label" and (v == "disable" or v in ("type:spc_t", "type: spc_t")):
            yield Violation(
                "C012", ptr, f"{s.label} disables SELinux separation (label:{val.strip()})"
            )


SYSTEMPATHS = _opt_rule(
    "C013",
    "compose-systempaths-unconfined",
    "Masked /proc and /sys paths exposed",
    Severity.HIGH,
    "systempaths=unconfined",
    why="Docker masks and makes read-only sensitive paths (/proc/kcore, /proc/sysrq-trigger, "
    "/proc/sys, /sys/firmware, …); unconfining them lets the container read kernel memory "
    "and reconfigure the host kernel. The Kubernetes equivalent is `procMount: Unmasked`.",
    cis="",
    doc=RUN_DOC,
)


# C013
@check(SYSTEMPATHS, on=Target.COMPOSE)
def compose_systempaths_unconfined(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        if opt == "systempaths" and val.lower() == "unconfined":
            yield Violation(
                "C013", ptr, f"{s.label} unmasks /proc and /sys paths (systempaths=unconfined)"
            )


NO_NEW_PRIVS = compose_rule(
    "C014",
    "compose-no-new-privileges",
    "no-new-privileges not set",
    Severity.LOW,
    what="A service's `security_opt` has no `no-new-privileges` (also written "
    "`no-new-privileges:true` or `no-new-privileges=true`), or sets it to false. Not "
    "reported for a service defined only in part here.",
    why="Without the `no_new_privs` bit a process can gain privileges through setuid/setgid "
    "binaries or file capabilities in the image: a foothold as an unprivileged user becomes "
    "root in the container. Low because Docker's daemon may set it for every container "
    "(`no-new-privileges` in daemon.json, rule E003), which a compose file cannot show.",
    fix='Add `no-new-privileges:true` to `security_opt`, or set `"no-new-privileges": true` in '
    "the daemon's daemon.json for every container.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt:
      - no-new-privileges:true
""",
    cis="5.26",
)


# C014
@check(NO_NEW_PRIVS, on=Target.COMPOSE)
def compose_no_new_privileges(s: Service) -> Iterator[Violation]:
    if not s.complete:
        return
    for opt, val, ptr in _security_opts(s):
        if opt == "no-new-privileges":
            if val.lower() in ("", "true", "1"):
                return
            yield Violation(
                "C014", ptr, f"{s.label} sets no-new-privileges:{val} (set it to true)",
                fix_if_own(s, ptr, "no-new-privileges:true"),
            )  # fmt: skip
            return
    got = s.get("security_opt")
    where = got[1] if got is not None else s.pointer
    fix = None
    if got is None or owns_pointer(s, got[1]):
        fix = append_item(s.root, f"{s.pointer}/security_opt", "no-new-privileges:true") or None
    yield Violation(
        "C014",
        where,
        f"{s.label} does not set no-new-privileges (security_opt: [no-new-privileges:true])",
        fix,
    )
