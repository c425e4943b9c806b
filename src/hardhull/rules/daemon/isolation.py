"""Docker daemon rules about how containers are confined: user namespace remapping (E002),
``no-new-privileges`` (E003), seccomp (E010), default ulimits (E011)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.daemon import boolean_check, daemon_rule, json_text, pointer

USERNS = daemon_rule(
    "E002",
    "daemon-userns-remap",
    "User namespace remapping off",
    Severity.MEDIUM,
    what="daemon.json does not set `userns-remap` (the default is no remapping).",
    why="Without remapping, UID 0 in a container is UID 0 on the host: any container escape, "
    'host mount or device gives root on the host. With `"userns-remap": "default"` root '
    "in containers maps to an unprivileged range of host UIDs. (Rootless Docker gives the "
    "same protection and cannot be seen in daemon.json.)",
    fix='Set `"userns-remap": "default"` (or a dedicated user), after checking that volumes '
    "and images work with remapped UIDs; or run Docker rootless.",
    example="""
{
  "userns-remap": "default"
}
""",
    cis="2.9",
    refs=("https://docs.docker.com/engine/security/userns-remap/",),
)


# E002
@check(USERNS, on=Target.DAEMON)
def daemon_userns_remap(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("userns-remap")
    if isinstance(value, str) and value.strip():
        return
    if "userns-remap" in cfg:
        yield Violation(
            "E002",
            pointer("userns-remap"),
            f"userns-remap is {json_text(value)}: root in a container is root on the host",
        )
    else:
        yield Violation(
            "E002",
            "",
            "userns-remap is not set (default: no remapping): root in a container is root on "
            "the host",
        )


NO_NEW_PRIVS = daemon_rule(
    "E003",
    "daemon-no-new-privileges",
    "Containers may gain new privileges",
    Severity.LOW,
    what='daemon.json does not set `"no-new-privileges": true` (the default is false).',
    why="With it, every container starts with the `no_new_privs` bit: setuid/setgid binaries and "
    "file capabilities in images cannot raise a process's privileges. A container can still "
    "opt in per service (`security_opt: [no-new-privileges:true]`, rule C014).",
    fix='Set `"no-new-privileges": true`; containers that truly need setuid binaries can be '
    "started with `--security-opt no-new-privileges=false`.",
    example="""
{
  "no-new-privileges": true
}
""",
    cis="2.14",
)


# E003
boolean_check(
    NO_NEW_PRIVS,
    "no-new-privileges",
    good=True,
    default=False,
    harm="containers may gain privileges through setuid binaries",
)


SECCOMP = daemon_rule(
    "E010",
    "daemon-seccomp-unconfined",
    "Seccomp disabled for every container",
    Severity.HIGH,
    what='daemon.json sets `"seccomp-profile": "unconfined"`. Not setting `seccomp-profile` is '
    'fine: Docker\'s built-in default profile applies (`"builtin"` says so explicitly), and '
    "a path to a custom profile is not judged.",
    why="Docker's default seccomp profile blocks about 44 system calls (keyctl, kexec_load, "
    "open_by_handle_at, mount, bpf, …) that several kernel exploits and container escapes "
    "need; `unconfined` removes it from every container on the host.",
    fix="Remove `seccomp-profile` (or set it to `builtin`); give the few containers that need "
    "more a custom profile of their own.",
    example="""
{
  "seccomp-profile": "builtin"
}
""",
    cis="2.17",
    refs=("https://docs.docker.com/engine/security/seccomp/",),
)


# E010
@check(SECCOMP, on=Target.DAEMON)
def daemon_seccomp_unconfined(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("seccomp-profile")
    if isinstance(value, str) and value.strip().lower() == "unconfined":
        yield Violation(
            "E010", pointer("seccomp-profile"), "seccomp-profile is \"unconfined\": no container "
            "gets a seccomp filter",
        )  # fmt: skip


ULIMITS = daemon_rule(
    "E011",
    "daemon-default-ulimits",
    "No default ulimits",
    Severity.LOW,
    what="daemon.json does not set `default-ulimits` (by default containers inherit the daemon's "
    "limits, e.g. a very high `nofile`).",
    why="Default ulimits (open files, processes) bound what a runaway or hostile container can "
    "consume before per-container limits are set.",
    fix="Set `default-ulimits` suited to your workloads; containers can still raise or lower "
    "them with `--ulimit`.",
    example="""
{
  "default-ulimits": {
    "nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000},
    "nproc": {"Name": "nproc", "Hard": 4096, "Soft": 4096}
  }
}
""",
    cis="2.8",
)


# E011
@check(ULIMITS, on=Target.DAEMON)
def daemon_default_ulimits(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("default-ulimits")
    if isinstance(value, dict) and value:
        return
    if "default-ulimits" in cfg:
        yield Violation("E011", pointer("default-ulimits"), "default-ulimits is empty")
    else:
        yield Violation(
            "E011", "", "default-ulimits is not set (default: containers inherit dockerd's limits)"
        )
