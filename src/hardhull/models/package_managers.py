"""Readers of package manager command lines (the ``argv`` of a ``RUN`` simple command).

:func:`program` finds the program behind wrappers (``sudo``, ``env``, ``nice`` …); the
others read what an ``apt``/``apt-get``, ``apk``, ``pip``, ``npm``, ``gem``, ``go``,
``yum``/``dnf``/``microdnf``/``zypper`` command does: its subcommand, the packages it installs
or removes, and which of them carry no version. Indexes returned are ``argv`` indexes, so that
findings can point at one word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardhull.formats.dockerfile.shell import WRAPPERS


def program(argv: Sequence[str]) -> tuple[str, int]:
    """The program a command runs behind wrappers (``sudo -E bash``): its name and argv index."""
    i = 0
    n = len(argv)
    while i < n:
        name = argv[i].rsplit("/", 1)[-1]
        if name not in WRAPPERS:
            return name, i
        i += 1
        while i < n and (argv[i].startswith("-") or (name == "env" and "=" in argv[i])):
            takes_value = (
                name in ("sudo", "doas") and argv[i] in ("-u", "-g", "-U", "-h", "-p", "-C")
            ) or (name == "nice" and argv[i] == "-n")
            i += 2 if takes_value else 1
    return "", n


def apt_action(argv: Sequence[str], i: int) -> tuple[str, list[tuple[int, str]]]:
    """(subcommand, [(argv index, operand)]) of an apt/apt-get command at ``i``."""
    action = ""
    operands: list[tuple[int, str]] = []
    takes_value = {"-o", "-t", "-c", "--option", "--target-release", "--config-file", "-a"}
    n = i + 1
    while n < len(argv):
        a = argv[n]
        if a in takes_value:
            n += 2
            continue
        if a.startswith("-"):
            n += 1
            continue
        if not action:
            action = a
        else:
            operands.append((n, a))
        n += 1
    return action, operands


def has_apt_no_recommends(argv: Sequence[str]) -> bool:
    """Whether an apt command line turns recommended packages off."""
    text = " ".join(argv)
    return (
        "--no-install-recommends" in argv
        or re.search(r"APT::Install-Recommends[= ]+[\"']?(false|0|no)", text, re.I) is not None
    )


APT = frozenset({"apt-get", "apt"})


def apt_fix_broken(args: Sequence[str]) -> bool:
    """``apt-get -f install``: installs the missing dependencies of packages ``dpkg -i`` put
    in, with their recommends unless told otherwise."""
    return any(a == "--fix-broken" or re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", a) for a in args)


def apk_add(argv: Sequence[str], i: int) -> tuple[bool, list[tuple[int, str]], bool]:
    """(is `apk add`, [(argv index, package)], has --no-cache)."""
    is_add = False
    pkgs: list[tuple[int, str]] = []
    no_cache = False
    n = i + 1
    value_opts = {"-t", "--virtual", "-X", "--repository", "--root", "-p", "--arch",
                  "--cache-dir", "--keys-dir", "--repositories-file"}  # fmt: skip
    while n < len(argv):
        a = argv[n]
        if a == "--no-cache":
            no_cache = True
        elif a in value_opts:
            n += 2
            continue
        elif a.startswith("-"):
            pass
        elif not is_add and a == "add":
            is_add = True
        elif not is_add:
            return False, [], no_cache
        else:
            pkgs.append((n, a))
        n += 1
    return is_add, pkgs, no_cache


PIP_PROGRAM = re.compile(r"^pip(\d+(\.\d+)?)?$")


def pip_install(argv: Sequence[str]) -> tuple[int, int] | None:
    """(index of `install`, index of the program) when the command is a pip install."""
    name, i = program(argv)
    if PIP_PROGRAM.match(name):
        j = i + 1
    elif re.match(r"^python(\d+(\.\d+)?)?$", name):
        try:
            m = list(argv).index("-m", i + 1)
        except ValueError:
            return None
        if m + 1 >= len(argv) or not PIP_PROGRAM.match(argv[m + 1]):
            return None
        j = m + 2
    else:
        return None
    while j < len(argv) and argv[j].startswith("-"):
        j += 1
    if j < len(argv) and argv[j] == "install":
        return j, i
    return None


_PIP_SKIP_VALUE = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable",
                   "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                   "--target", "-t", "--prefix", "--root", "--platform", "--python-version",
                   "--implementation", "--abi", "--trusted-host", "--src", "--cache-dir",
                   "--progress-bar", "--log", "--proxy", "--timeout", "--retries",
                   "--upgrade-strategy", "--only-binary", "--no-binary", "--config-settings",
                   "-C", "--global-option", "--install-option", "--report", "--user-agent",
                   "--hash"}  # fmt: skip
_PIP_SELF = frozenset({"pip", "setuptools", "wheel", "pip-tools", "uv", "virtualenv"})


def _operands(
    argv: Sequence[str], start: int, value_flags: frozenset[str] | set[str]
) -> list[tuple[int, str]]:
    """(index, word) of the operands of ``argv`` from ``start``: options are passed over, and
    the word after an option of ``value_flags`` (its value) too."""
    out: list[tuple[int, str]] = []
    n = start
    while n < len(argv):
        a = argv[n]
        n += 1
        if a in value_flags:
            n += 1
        elif not a.startswith("-"):
            out.append((n - 1, a))
    return out


def unpinned_pip(argv: Sequence[str], start: int) -> list[tuple[int, str]]:
    """Requirements of ``pip install`` (``start``: the index of ``install``) without a version
    specifier; paths, URLs, archives and pip's own tooling are not counted."""
    out: list[tuple[int, str]] = []
    for n, a in _operands(argv, start + 1, _PIP_SKIP_VALUE):
        low = a.lower()
        if (
            "$" in a
            or "/" in a
            or low.startswith((".", "git+", "http", "file:"))
            or low.endswith((".whl", ".tar.gz", ".zip"))
            or re.search(r"(==|~=|===|>=|<=|<|>|!=|@)", a)
        ):
            continue
        base = re.split(r"[\[;]", low, maxsplit=1)[0]
        if base in _PIP_SELF:
            continue
        out.append((n, a))
    return out


def unpinned_apt(operands: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The packages of an ``apt-get install`` (its operands) without ``=version``."""
    return [
        (n, a)
        for n, a in operands
        if "=" not in a and "$" not in a and "/" not in a and not a.endswith(".deb")
    ]


def unpinned_apk(pkgs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The packages of an ``apk add`` without a version constraint."""
    return [
        (n, a)
        for n, a in pkgs
        if not re.search(r"[=~<>]", a) and "$" not in a and "/" not in a and not a.startswith(".")
    ]


_NPM_VALUE = frozenset({"--prefix", "--registry", "--cache", "-w", "--workspace", "--tag",
                        "--userconfig", "--omit", "--include", "--install-strategy"})  # fmt: skip
_MOVING_REFS = frozenset({"latest", "master", "main", "head", "next", "canary"})


def unpinned_npm(argv: Sequence[str], i: int) -> list[tuple[int, str]]:
    """Named packages of ``npm install``/``npm i``/``npm add`` without a version."""
    words = argv[i + 1 :]
    if not words or words[0] not in ("install", "i", "add", "isntall"):
        return []
    out: list[tuple[int, str]] = []
    for n, a in _operands(argv, i + 2, _NPM_VALUE):
        if "$" in a or a.startswith((".", "/", "~")):
            continue
        if ("/" in a and not a.startswith("@")) or ":" in a or a.endswith((".tgz", ".tar.gz")):
            continue  # git/github shorthand, URLs, tarballs
        name, at, version = a[1:].partition("@") if a.startswith("@") else a.partition("@")
        if name == "npm":
            continue  # npm upgrading itself, like pip's self-upgrades
        if not at or not version or version.lower() in _MOVING_REFS:
            out.append((n, a))
    return out


_GEM_VALUE = frozenset({"-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P",
                        "--trust-policy", "--platform", "-g", "--file"})  # fmt: skip


def unpinned_gem(argv: Sequence[str], i: int) -> list[tuple[int, str]]:
    """Gems of ``gem install`` without ``-v``/``--version`` or a ``name:version``."""
    if argv[i + 1 : i + 2] != ["install"]:
        return []
    rest = argv[i + 2 :]
    if any(a in ("-v", "--version") or a.startswith("--version=") for a in rest):
        return []
    return [
        (n, a)
        for n, a in _operands(argv, i + 2, _GEM_VALUE)
        if not ("$" in a or "/" in a or a.endswith(".gem") or ":" in a)
    ]


def unpinned_go(argv: Sequence[str], i: int) -> tuple[list[tuple[int, str]], str]:
    """``go get <remote path>`` without a version, ``go install <path>@latest``. A plain
    ``go install <path>`` builds the checked-out or main-module code and is not reported."""
    sub = argv[i + 1] if len(argv) > i + 1 else ""
    if sub not in ("get", "install"):
        return [], ""
    out: list[tuple[int, str]] = []
    n = i + 2
    while n < len(argv):
        a = argv[n]
        n += 1
        if a in ("-ldflags", "-gcflags", "-tags", "-o", "-modfile", "-mod", "-p"):
            n += 1
            continue
        if a.startswith("-") or "$" in a or a.startswith(".") or "." not in a.split("/", 1)[0]:
            continue
        _, at, version = a.partition("@")
        if at and version.lower() not in _MOVING_REFS:
            continue
        if sub == "install" and not at:
            continue
        out.append((n - 1, a))
    return out, f"go {sub}"


def installed_packages(argv: Sequence[str]) -> tuple[list[tuple[int, str]], str]:
    """([(argv index, package)], virtual group name) of an install command."""
    name, i = program(argv)
    if name in APT:
        action, ops = apt_action(argv, i)
        return (ops if action == "install" else []), ""
    if name == "apk":
        is_add, pkgs, _ = apk_add(argv, i)
        group = ""
        for n, a in enumerate(argv):
            if a in ("-t", "--virtual") and n + 1 < len(argv):
                group = argv[n + 1]
            elif a.startswith("--virtual="):
                group = a.split("=", 1)[1]
        return (pkgs if is_add else []), group
    if name in ("yum", "dnf", "microdnf"):
        words = [(n, a) for n, a in enumerate(argv) if n > i and not a.startswith("-")]
        if words and words[0][1] == "install":
            return words[1:], ""
    return [], ""


def removed_packages(argv: Sequence[str]) -> set[str]:
    """The packages an apt, apk or yum/dnf/microdnf command removes."""
    name, i = program(argv)
    words = [a for a in argv[i + 1 :] if not a.startswith("-")]
    if name in APT and words[:1] and words[0] in ("purge", "remove", "autoremove"):
        return set(words[1:])
    if name == "apk" and words[:1] == ["del"]:
        return set(words[1:])
    if name in ("yum", "dnf", "microdnf") and words[:1] and words[0] in ("remove", "erase"):
        return set(words[1:])
    return set()


def package_name(p: str) -> str:
    """A package operand without its version constraint, lower-cased."""
    return re.split(r"[=~<>]", p, maxsplit=1)[0].lower()


_RPM_MANAGERS = {
    "yum": "yum",
    "dnf": "dnf",
    "dnf5": "dnf",
    "tdnf": "tdnf",
    "microdnf": "microdnf",
    "zypper": "zypper",
}
RPM_INSTALL = frozenset({"install", "in", "reinstall", "rei", "update", "upgrade", "up",
                          "install-n", "install-na", "install-nevra", "localinstall",
                          "groupinstall", "si", "source-install", "patch", "dup"})  # fmt: skip


def rpm_action(argv: Sequence[str]) -> tuple[str, str] | None:
    """(manager, subcommand) of a yum/dnf/tdnf/microdnf/zypper command."""
    name, i = program(argv)
    manager = _RPM_MANAGERS.get(name)
    if manager is None:
        return None
    n = i + 1
    while n < len(argv):
        a = argv[n]
        if a in ("-c", "--config", "--installroot", "--releasever", "-R", "--root"):
            n += 2
            continue
        if not a.startswith("-"):
            return manager, a
        n += 1
    return manager, ""
