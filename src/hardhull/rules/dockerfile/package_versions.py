"""Dockerfile rules about which package versions an image gets: whole-image upgrades (D014),
``npm install`` despite a lockfile (D017), and packages installed without a version (D018)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, copy_sources
from hardhull.models.package_managers import (
    APT,
    apk_add,
    apt_action,
    pip_install,
    program,
    unpinned_apk,
    unpinned_apt,
    unpinned_gem,
    unpinned_go,
    unpinned_npm,
    unpinned_pip,
)
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import dockerfile_rule

APT_UPGRADE = dockerfile_rule(
    "D014",
    "package-upgrade-in-build",
    "Distribution upgrade inside the build",
    Severity.INFO,
    what="A `RUN` runs `apt-get upgrade`, `apt-get dist-upgrade`/`full-upgrade`, `apk upgrade` "
    "or `yum`/`dnf upgrade`/`update` without package names.",
    why="Upgrading everything makes the image depend on the day it was built rather than on "
    "the base image tag: two builds of the same Dockerfile differ, and the fixes it applies "
    "are invisible to anyone reading the base tag. It is informational: applying security "
    "updates is better than not, but a fresh base image is the reliable way.",
    fix="Use a recent, regularly rebuilt base image (or pin its digest and let a bot update "
    "it) instead of upgrading inside the build; upgrade individual packages by name when a "
    "fix is needed before the base catches up.",
    example="""
FROM debian:trixie-20251117-slim
""",
    hadolint=(),
    trivy=("DS024",),
)


# D014
@check(APT_UPGRADE, on=Target.DOCKERFILE)
def package_upgrade_in_build(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        name, i = program(rc.cmd.argv)
        if name in APT:
            action, operands = apt_action(rc.cmd.argv, i)
            if action in ("upgrade", "dist-upgrade", "full-upgrade") and not (
                action == "upgrade" and operands
            ):
                yield Violation("D014", rc.pointer, f"{name} {action} upgrades the whole image")
        elif name == "apk":
            words = [a for a in rc.cmd.argv[i + 1 :] if not a.startswith("-")]
            if words[:1] == ["upgrade"] and len(words) == 1:
                yield Violation("D014", rc.pointer, "apk upgrade upgrades the whole image")
        elif name in ("yum", "dnf", "microdnf"):
            words = [a for a in rc.cmd.argv[i + 1 :] if not a.startswith("-")]
            if words[:1] in (["upgrade"], ["update"]) and len(words) == 1:
                yield Violation("D014", rc.pointer, f"{name} {words[0]} upgrades the whole image")


NPM_CI = dockerfile_rule(
    "D017",
    "npm-install-with-lockfile",
    "npm install used where npm ci fits",
    Severity.LOW,
    what="`npm install` (or `npm i`) without package names runs after the lockfile "
    "(`package-lock.json`, `npm-shrinkwrap.json`, or a `package*.json` pattern) was copied "
    "into the stage. `npm install -g tool@1.2.3` and installs of named packages are not "
    "reported.",
    why="`npm install` may update the lockfile and resolve different versions than were tested; "
    "`npm ci` installs exactly what the lockfile says and fails when it is out of date.",
    fix="Use `npm ci` (with `--omit=dev` for production images).",
    example="""
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
""",
    refs=("https://docs.npmjs.com/cli/commands/npm-ci",),
)


_LOCKFILES = re.compile(r"(^|/)(package-lock\.json|npm-shrinkwrap\.json|package\*\.json)$")


# D017
@check(NPM_CI, on=Target.DOCKERFILE)
def npm_install_with_lockfile(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        lock = False
        for j, ins in enumerate(st.instructions):
            if ins.keyword in ("COPY", "ADD") and any(
                _LOCKFILES.search(s) for _, s in copy_sources(ins)
            ):
                lock = True
            if ins.keyword != "RUN" or not lock:
                continue
            for k, c in enumerate(f.commands(st, j)):
                name, i = program(c.argv)
                if (
                    name != "npm"
                    or len(c.argv) <= i + 1
                    or c.argv[i + 1]
                    not in (
                        "install",
                        "i",
                        "add",
                    )
                ):
                    continue
                rest = c.argv[i + 2 :]
                if any(not a.startswith("-") for a in rest) or any(
                    a in ("-g", "--global") for a in rest
                ):
                    continue
                yield Violation(
                    "D017",
                    f"/stages/{st.index}/instructions/{j}/commands/{k}",
                    f"npm {c.argv[i + 1]} with a lockfile: use npm ci",
                )


UNPINNED = dockerfile_rule(
    "D018",
    "package-version-unpinned",
    "Packages installed without a version",
    Severity.LOW,
    what="`apt-get install`, `apk add`, `pip install`, `npm install <pkg>`, `gem install` or "
    "`go get` in a stage of the final image names packages without a version (`curl` "
    "instead of `curl=8.14.1-2`, `flask` instead of `flask==3.1.0`, `typescript` instead of "
    "`typescript@5.9.3`, a gem without `-v`), or with a moving one (`@latest`, also for "
    "`go install`). Requirements files (`-r`), constraints files (`-c`), `npm install` "
    "from the lockfile, local paths, URLs, `.deb`/wheel/`.gem` files, variables, upgrades of "
    "pip/setuptools/wheel (and npm) themselves and a plain `go install <path>` (it builds the code "
    "already checked out) are not reported. One finding per command, naming the packages.",
    why="An unpinned install takes whatever the repository serves on build day: builds are "
    "not reproducible, and a new release (or a compromised one) enters the image unnoticed.",
    fix="Pin versions (`pkg=version` for apt, `pkg=version` or `pkg~version` for apk, "
    "`pkg==version` for pip, `pkg@version` for npm and `go get`/`go install`, "
    "`gem install pkg -v version`), ideally with hashes (`pip install --require-hashes -r …`), "
    "and let a bot propose upgrades.",
    example="""
RUN apt-get update \\
 && apt-get install -y --no-install-recommends curl=8.14.1-2 \\
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
""",
)


# D018
@check(UNPINNED, on=Target.DOCKERFILE)
def package_version_unpinned(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        argv = rc.cmd.argv
        name, i = program(argv)
        loose: list[tuple[int, str]] = []
        tool = ""
        if name in APT:
            action, operands = apt_action(argv, i)
            if action == "install":
                loose, tool = unpinned_apt(operands), f"{name} install"
        elif name == "apk":
            is_add, pkgs, _ = apk_add(argv, i)
            if is_add:
                loose, tool = unpinned_apk(pkgs), "apk add"
        elif name == "npm":
            loose, tool = unpinned_npm(argv, i), "npm install"
        elif name == "gem":
            loose, tool = unpinned_gem(argv, i), "gem install"
        elif name == "go":
            loose, tool = unpinned_go(argv, i)
        else:
            found = pip_install(argv)
            if found is not None:
                loose, tool = unpinned_pip(argv, found[0]), "pip install"
        if not loose:
            continue
        names = ", ".join(a for _, a in loose[:8]) + (", …" if len(loose) > 8 else "")
        noun = "package" if len(loose) == 1 else "packages"
        yield Violation(
            "D018",
            rc.argv_pointer(loose[0][0]),
            f"{tool}: {len(loose)} {noun} without a version: {names}",
        )
