"""Dockerfile rules about privileges and permissions: ``sudo`` in ``RUN`` or installed into
the image (D010), world-writable files (D011)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts
from hardhull.models.package_managers import installed_packages, package_name, program
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import dockerfile_rule

SUDO = dockerfile_rule(
    "D010",
    "sudo-in-run",
    "sudo used in RUN",
    Severity.MEDIUM,
    what="A `RUN` command (or an `ONBUILD RUN` trigger) runs `sudo` (also inside `sh -c`); low: "
    "a `RUN` of a stage of the final image installs the `sudo` (or `doas`) package.",
    why="`sudo` in an image means the image ships a setuid root binary and a sudoers policy "
    "that the running container can use to regain root; at build time it adds "
    "TTY and environment handling that behave unpredictably. Even without a sudoers entry, "
    "a setuid-root `sudo` is attack surface for every user of the container (CVE-2021-3156 "
    "gave root to any local user).",
    fix="Switch users explicitly: `USER root` for the privileged steps, then `USER <app>`; "
    "remove the sudo package from the image. At run time use `gosu`/`setpriv` in the "
    "entrypoint if a privilege drop is needed.",
    example="""
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
 && rm -rf /var/lib/apt/lists/*
USER 10001
""",
    hadolint=("DL3004",),
    trivy=("DS010",),
)


_SUDO_PACKAGES = frozenset({"sudo", "doas", "opendoas", "sudo-rs"})


# D010
@check(SUDO, on=Target.DOCKERFILE)
def sudo_in_run(f: DockerfileFacts) -> Iterator[Violation]:
    seen: set[tuple[int, int]] = set()
    for rc in f.runs(onbuild=True):
        if rc.cmd.name == "sudo" and (rc.stage, rc.index) not in seen:
            seen.add((rc.stage, rc.index))
            yield Violation(
                "D010", rc.pointer, f"RUN uses sudo: switch USER instead{rc.onbuild_note}"
            )
    for rc in f.runs(f.final_stages):
        pkgs, _ = installed_packages(rc.cmd.argv)
        for n, p in pkgs:
            if package_name(p) in _SUDO_PACKAGES:
                yield Violation(
                    "D010",
                    rc.argv_pointer(n),
                    f"installs {package_name(p)} into the final image: a setuid-root program "
                    "that lets the container's user regain root; remove it",
                    None,
                    Severity.LOW,
                )


WORLD_WRITABLE = dockerfile_rule(
    "D011",
    "world-writable-permissions",
    "Files made world-writable",
    Severity.MEDIUM,
    what="A `RUN chmod` or a `COPY`/`ADD --chmod` in the final image grants write permission "
    "to all users: octal modes whose last digit includes write (`777`, `0666`, `2777`), "
    "or symbolic modes such as `a+w`, `o+w`, `ugo=rwx`. Modes with the sticky bit "
    "(`1777`, the standard for shared temporary directories) are fine, and so is "
    "group-write (`g+w`, `g=u`, the OpenShift pattern).",
    why="Any process in the container, whatever its user, can replace world-writable "
    "programs, libraries or configuration: a foothold as an unprivileged user becomes "
    "code execution in every other process that uses them.",
    fix="Give ownership to the user that needs to write (`COPY --chown`, `chown`) and use "
    "`755`/`644` (or `775` with a shared group); for shared temporary directories use "
    "`1777`.",
    example="""
COPY --chown=10001:0 --chmod=750 app /app
RUN install -d -m 1777 /app/tmp
""",
)


def world_writable(mode: str) -> bool:
    """Whether a chmod mode (octal or symbolic) grants write to others, sticky excepted."""
    if re.fullmatch(r"[0-7]{1,4}", mode):
        digits = mode.zfill(4)
        others = int(digits[-1])
        sticky = int(digits[0]) & 1
        return bool(others & 2) and not sticky
    if not re.fullmatch(r"[ugoa]*[-+=][rwxXst]*([,][ugoa]*[-+=][rwxXst]*)*", mode):
        return False
    sticky = False
    writable = False
    for clause in mode.split(","):
        m = re.match(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if m is None:
            continue
        who, op, perms = m.groups()
        if op in "+=" and "t" in perms:
            sticky = True
        if op in "+=" and "w" in perms and ("o" in who or "a" in who):
            writable = True
    return writable and not sticky


# D011
@check(WORLD_WRITABLE, on=Target.DOCKERFILE)
def world_writable_permissions(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword in ("COPY", "ADD"):
                mode = ins.flag("chmod")
                if mode and world_writable(mode):
                    yield Violation(
                        "D011",
                        f"/stages/{st.index}/instructions/{j}",
                        f"{ins.keyword} --chmod={mode} makes files world-writable",
                    )
    for rc in f.runs(f.final_stages):
        name, i = program(rc.cmd.argv)
        if name != "chmod":
            continue
        args = rc.cmd.argv[i + 1 :]
        for m, a in enumerate(args):
            if a.startswith("--") or (a.startswith("-") and re.fullmatch(r"-[RfvchH]+", a)):
                continue
            if world_writable(a):
                targets = [t for t in args[m + 1 :] if not t.startswith("-")]
                yield Violation(
                    "D011",
                    rc.argv_pointer(i + 1 + m),
                    f"chmod {a} makes {' '.join(targets[:3]) or 'files'} world-writable",
                )
            break
