"""Dockerfile rules about what package managers leave in the final image: recommended
packages (D012), APT lists (D013), the apk cache (D015), pip's cache (D016) and the
yum/dnf/microdnf/zypper caches (D026)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.formats.dockerfile.model import Stage
from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, cache_mount, run_text
from hardhull.models.package_managers import (
    APT,
    RPM_INSTALL,
    apk_add,
    apt_action,
    apt_fix_broken,
    has_apt_no_recommends,
    pip_install,
    program,
    rpm_action,
)
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import dockerfile_rule

APT_RECOMMENDS = dockerfile_rule(
    "D012",
    "apt-install-recommends",
    "apt-get install without --no-install-recommends",
    Severity.LOW,
    what="`apt-get install` (or `apt install`) in a stage of the final image without "
    "`--no-install-recommends`, `-o APT::Install-Recommends=false` or an earlier APT "
    "configuration that disables recommends; also `apt-get -f install` without package "
    "names, which installs the dependencies of a `.deb` put in with `dpkg -i`.",
    why="Recommended packages are not needed to run the requested ones: they add megabytes, "
    "more packages to patch and more vulnerabilities for scanners to report.",
    fix="Add `--no-install-recommends` (and install any recommended package you do need by name).",
    example="""
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates curl \\
 && rm -rf /var/lib/apt/lists/*
""",
    cis="4.3 Ensure that unnecessary packages are not installed in the container",
    trivy=("DS029",),
    hadolint=("DL3015",),
)


def _apt_recommends_off(f: DockerfileFacts, st: Stage, upto: int) -> bool:
    """An earlier RUN in the chain configures APT not to install recommends."""
    for s in f.chain(st):
        for j, ins in enumerate(s.instructions):
            if s is st and j >= upto:
                break
            if ins.keyword in ("RUN", "COPY") and re.search(
                r"Install-Recommends\W+[\"']?(false|0|no)",
                run_text(ins) + " ".join(ins.args),
                re.I,
            ):
                return True
    return False


# D012
@check(APT_RECOMMENDS, on=Target.DOCKERFILE)
def apt_install_recommends(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        name, i = program(rc.cmd.argv)
        if name not in APT:
            continue
        action, operands = apt_action(rc.cmd.argv, i)
        if action != "install" or not (operands or apt_fix_broken(rc.cmd.argv[i + 1 :])):
            continue
        if has_apt_no_recommends(rc.cmd.argv):
            continue
        st = f.df.stages[rc.stage]
        if _apt_recommends_off(f, st, rc.index):
            continue
        yield Violation("D012", rc.pointer, f"{name} install without --no-install-recommends")


APT_LISTS = dockerfile_rule(
    "D013",
    "apt-lists-not-cleaned",
    "APT package lists left in the image",
    Severity.LOW,
    what="A `RUN` in a stage of the final image runs `apt-get update` (or `apt update`) but "
    "does not remove `/var/lib/apt/lists/*` in the same `RUN`, and does not use a cache "
    "mount for them. The message says when the update runs in a `RUN` of its own, with the "
    "installs in later ones.",
    why="The package lists (tens of megabytes) stay in the layer even if a later `RUN` deletes "
    "them, and stale lists make later installs in derived images use outdated versions. An "
    "update in a `RUN` of its own is worse: the build cache keeps that layer for as long as "
    "the line is unchanged, so the installs in the next `RUN` resolve against lists that "
    "can be months old and install outdated, vulnerable versions (or fail).",
    fix="End the same `RUN` with `rm -rf /var/lib/apt/lists/*`, or mount them as a BuildKit "
    "cache: `RUN --mount=type=cache,target=/var/lib/apt/lists …`.",
    example="""
RUN apt-get update \\
 && apt-get install -y --no-install-recommends curl \\
 && rm -rf /var/lib/apt/lists/*
""",
    hadolint=("DL3009",),
)


_APT_LISTS_RM = re.compile(r"/var/lib/apt/lists")


# D013
@check(APT_LISTS, on=Target.DOCKERFILE)
def apt_lists_not_cleaned(f: DockerfileFacts) -> Iterator[Violation]:
    for st, j, ins in f.run_instructions(f.final_stages):
        cmds = f.commands(st, j)
        update = next(
            (
                k
                for k, c in enumerate(cmds)
                if program(c.argv)[0] in APT
                and apt_action(c.argv, program(c.argv)[1])[0] == "update"
            ),
            None,
        )
        if update is None:
            continue
        if cache_mount(ins, "/var/lib/apt/lists", "/var/lib/apt"):
            continue
        cleaned = any(
            program(c.argv)[0] in ("rm", "find") and any(_APT_LISTS_RM.search(a) for a in c.argv)
            for c in cmds
        )
        if cleaned:
            continue
        alone = not any(
            program(c.argv)[0] in APT
            and apt_action(c.argv, program(c.argv)[1])[0] not in ("", "update")
            for c in cmds
        )
        yield Violation(
            "D013",
            f"/stages/{st.index}/instructions/{j}/commands/{update}",
            "apt-get update in a RUN of its own: the lists stay in the image, and once "
            "the layer is cached later installs use stale lists; update, install and "
            "rm -rf /var/lib/apt/lists/* in one RUN"
            if alone
            else "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN",
        )


APK_CACHE = dockerfile_rule(
    "D015",
    "apk-add-cache",
    "apk add without --no-cache",
    Severity.LOW,
    what="`apk add` in a stage of the final image without `--no-cache`, without a cache mount "
    "for `/var/cache/apk` and without removing `/var/cache/apk/*` in the same `RUN`; also "
    "`apk update` there (it writes the index to `/var/cache/apk` whatever later `apk add` "
    "commands do), reported once per `RUN`.",
    why="The package index and downloaded packages stay in the layer: size and stale "
    "metadata for nothing.",
    fix="Use `apk add --no-cache …`.",
    example="""
RUN apk add --no-cache ca-certificates=20250911-r0
""",
    trivy=("DS025",),
    hadolint=("DL3019",),
)


# D015
@check(APK_CACHE, on=Target.DOCKERFILE)
def apk_add_cache(f: DockerfileFacts) -> Iterator[Violation]:
    for st, j, ins in f.run_instructions(f.final_stages):
        cmds = f.commands(st, j)
        cleaned = cache_mount(ins, "/var/cache/apk", "/etc/apk/cache") or any(
            program(c.argv)[0] == "rm" and any("/var/cache/apk" in a for a in c.argv) for c in cmds
        )
        if cleaned:
            continue
        flagged = False
        update: int | None = None
        for k, c in enumerate(cmds):
            name, i = program(c.argv)
            if name != "apk":
                continue
            is_add, pkgs, no_cache = apk_add(c.argv, i)
            if is_add and pkgs and not no_cache:
                flagged = True
                yield Violation(
                    "D015",
                    f"/stages/{st.index}/instructions/{j}/commands/{k}",
                    "apk add without --no-cache",
                )
            elif [a for a in c.argv[i + 1 :] if not a.startswith("-")][:1] == ["update"]:
                update = k if update is None else update
        if update is not None and not flagged:
            yield Violation(
                "D015",
                f"/stages/{st.index}/instructions/{j}/commands/{update}",
                "apk update leaves the package index in /var/cache/apk: use "
                "apk add --no-cache instead",
            )


PIP_CACHE = dockerfile_rule(
    "D016",
    "pip-install-cache",
    "pip install without --no-cache-dir",
    Severity.LOW,
    what="`pip install` (also `pip3`, `python -m pip`) in a stage of the final image without "
    "`--no-cache-dir`, when neither `PIP_NO_CACHE_DIR` is set, nor a cache mount covers "
    "pip's cache, nor the same `RUN` removes `~/.cache/pip`.",
    why="pip keeps every downloaded wheel in `~/.cache/pip`, often as large as the installed "
    "packages themselves.",
    fix="Add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or use "
    "`RUN --mount=type=cache,target=/root/.cache/pip pip install …`.",
    example="""
RUN pip install --no-cache-dir -r requirements.txt
""",
    hadolint=("DL3013", "DL3042"),
)


def _pip_cache_off(f: DockerfileFacts, st: Stage, j: int) -> bool:
    env = f.variables(st, j)
    if env.get("PIP_NO_CACHE_DIR") is not None or "PIP_NO_CACHE_DIR" in env:
        return True
    for s in f.chain(st):
        for k, ins in enumerate(s.instructions):
            if s is st and k >= j:
                break
            if ins.keyword == "RUN" and re.search(
                r"no[-_]cache[-_]dir\s*=?\s*(true|1|yes|on|false|0)|"
                r"config\s+set\s+global\.no-cache-dir",
                run_text(ins),
                re.I,
            ):
                return True
    return False


# D016
@check(PIP_CACHE, on=Target.DOCKERFILE)
def pip_install_cache(f: DockerfileFacts) -> Iterator[Violation]:
    for st, j, ins in f.run_instructions(f.final_stages):
        cmds = f.commands(st, j)
        if cache_mount(ins, "/root/.cache/pip", "/root/.cache", "/home") or any(
            m.type == "cache" and "pip" in m.target for m in ins.mounts
        ):
            continue
        if any(program(c.argv)[0] == "rm" and any(".cache" in a for a in c.argv) for c in cmds):
            continue
        for k, c in enumerate(cmds):
            found = pip_install(c.argv)
            if found is None or "--no-cache-dir" in c.argv:
                continue
            if _pip_cache_off(f, st, j):
                break
            yield Violation(
                "D016",
                f"/stages/{st.index}/instructions/{j}/commands/{k}",
                "pip install without --no-cache-dir",
            )


RPM_CACHE = dockerfile_rule(
    "D026",
    "rpm-cache-not-cleaned",
    "yum/dnf/microdnf/zypper cache left in the image",
    Severity.LOW,
    what="A `RUN` in a stage of the final image installs packages with `yum`, `dnf`, `tdnf`, "
    "`microdnf` or `zypper` and does not clean the package manager's cache later in the same "
    "`RUN` (`yum clean all`, `dnf clean all`, `microdnf clean all`, `zypper clean`, or "
    "`rm -rf /var/cache/yum` / `/var/cache/dnf` / `/var/cache/zypp`), nor mounts that cache "
    "as a BuildKit cache. The RPM counterpart of D013 and D015.",
    why="Repository metadata and downloaded packages stay in the layer: tens to hundreds of "
    "megabytes for nothing, and stale metadata for later installs in derived images.",
    fix="End the same `RUN` with `dnf clean all` (or the manager's equivalent), or mount the "
    "cache: `RUN --mount=type=cache,target=/var/cache/dnf dnf install …`.",
    example="""
RUN dnf install -y --setopt=install_weak_deps=False nginx-1.26.3 \\
 && dnf clean all
""",
    trivy=("DS019",),
    hadolint=("DL3040",),
)


_RPM_CACHE_DIRS = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/zypp",
                   "/var/cache/tdnf")  # fmt: skip


# D026
@check(RPM_CACHE, on=Target.DOCKERFILE)
def rpm_cache_not_cleaned(f: DockerfileFacts) -> Iterator[Violation]:
    for st, j, ins in f.run_instructions(f.final_stages):
        if cache_mount(ins, *_RPM_CACHE_DIRS):
            continue
        cmds = f.commands(st, j)
        install: tuple[int, str] | None = None
        for k, c in enumerate(cmds):
            action = rpm_action(c.argv)
            if action is not None:
                manager, sub = action
                if sub in RPM_INSTALL:
                    install = (k, manager)
                elif sub in ("clean", "cc") and install is not None:
                    install = None
            elif (
                install is not None
                and program(c.argv)[0] == "rm"
                and any(a.rstrip("/*").startswith(_RPM_CACHE_DIRS) for a in c.argv)
            ):
                install = None
        if install is not None:
            k, manager = install
            clean = "zypper clean" if manager == "zypper" else f"{manager} clean all"
            yield Violation(
                "D026",
                f"/stages/{st.index}/instructions/{j}/commands/{k}",
                f"{manager} installs packages and the RUN does not end with {clean}",
            )
