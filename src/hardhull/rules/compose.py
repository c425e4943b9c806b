"""Compose service checks (codes C001–C099): privileges, host namespaces, capabilities,
confinement, host mounts and devices, users, limits, literal credentials and published ports.

Each check takes a :class:`~hardhull.frontends.compose.Service` (``extends`` resolved, every
value with its JSON pointer) and yields violations; no I/O. Checks for a setting that is
*absent* skip services whose definition is not all in the file (an override file's fragment,
or ``extends`` from another file), where the setting may well come from elsewhere.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from hardhull.fixes import append_item, set_field
from hardhull.frontends.compose import Service
from hardhull.model import Rule, Severity, Violation
from hardhull.models.capabilities import DANGEROUS_CAPS
from hardhull.models.capabilities import capability_name as _cap
from hardhull.models.host_paths import (
    BENIGN,
    CRITICAL_ROOTS,
    CRITICAL_TREES,
    HIGH_TREES,
    TRUST_STORES,
    host_path_severity,
    runtime_socket,
)
from hardhull.models.host_paths import is_ancestor as _ancestor
from hardhull.models.host_paths import is_under as _under
from hardhull.models.host_paths import normalize_host_path as _norm
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily

SERVICES_DOC = "https://docs.docker.com/reference/compose-file/services/"
RUN_DOC = "https://docs.docker.com/engine/containers/run/"
OWASP = "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html"
CIS = "CIS Docker Benchmark v1.6.0 "


_rule = RuleFamily("compose", base_refs=(SERVICES_DOC,), cis_prefix=CIS, register=True)


def _own(s: Service, pointer: str) -> bool:
    """Is ``pointer`` inside the service's own definition (not inherited through extends)?"""
    return pointer == s.pointer or pointer.startswith(s.pointer + "/")


def _fix_set(s: Service, pointer: str, value: Any) -> list[dict[str, Any]] | None:
    return (set_field(s.root, pointer, value) or None) if _own(s, pointer) else None


def _str(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value)
    return None


# --------------------------------------------------------------------------- privileged

PRIVILEGED = _rule(
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


@check(PRIVILEGED, on=Target.COMPOSE)
def privileged(s: Service) -> Iterator[Violation]:
    got = s.get("privileged")
    if got is not None and got[0] is True:
        yield Violation("C001", got[1], f"{s.label} runs privileged", _fix_set(s, got[1], False))


# --------------------------------------------------------------------------- namespaces


def _ns_rule(
    code: str, field: str, value_text: str, what: str, severity: Severity, why: str, cis: str
) -> Rule:
    return _rule(
        code,
        f"compose-host-{what}",
        f"Service shares the host {what} namespace",
        severity,
        what=f"A service sets `{field}: {value_text}`.",
        why=why,
        fix=f"Remove `{field}` (the default gives the container its own {what} namespace).",
        example=f"""
services:
  app:
    image: registry.example.com/app:1.4.2
    # no {field}: {value_text}
""",
        cis=cis,
    )


HOST_NETWORK = _ns_rule(
    "C002",
    "network_mode",
    "host",
    "network",
    Severity.HIGH,
    "The container uses the host's network stack: it can bind any host port, reach services "
    "listening on the host's loopback (the Docker API, databases, cloud metadata proxies) and "
    "sniff traffic with NET_RAW; container network isolation no longer applies to it. The "
    "version 1 field `net: host` is the same.",
    "5.10",
)
HOST_PID = _ns_rule(
    "C003",
    "pid",
    "host",
    "pid",
    Severity.HIGH,
    "The container sees every process of the host, their command lines and environment "
    "(secrets), and with the right capability can signal or trace them.",
    "5.16",
)
HOST_IPC = _ns_rule(
    "C004",
    "ipc",
    "host",
    "ipc",
    Severity.HIGH,
    "The container can read and write the shared memory segments, semaphores and message "
    "queues of every process on the host.",
    "5.17",
)
HOST_USERNS = _ns_rule(
    "C005",
    "userns_mode",
    "host",
    "user",
    Severity.MEDIUM,
    "On a daemon with user namespace remapping (`userns-remap`), `userns_mode: host` turns "
    "it off for this container: root in the container is root on the host again.",
    "5.31",
)
HOST_UTS = _ns_rule(
    "C006",
    "uts",
    "host",
    "uts",
    Severity.LOW,
    "The container shares the host's hostname and domain name and can change them for the "
    "whole host (with CAP_SYS_ADMIN).",
    "5.21",
)
HOST_CGROUP = _ns_rule(
    "C007",
    "cgroup",
    "host",
    "cgroup",
    Severity.MEDIUM,
    "The container sees the host's whole cgroup hierarchy (every container's limits and "
    "processes) instead of its own: an information leak and, with write access, a way to "
    "change other containers' limits.",
    "",
)


def _ns_check(rule: Rule, fields: tuple[str, ...], what: str) -> None:
    def host_namespace(s: Service) -> Iterator[Violation]:
        for f in fields:
            got = s.get(f)
            if got is not None and isinstance(got[0], str) and got[0].strip().lower() == "host":
                yield Violation(
                    rule.code, got[1], f"{s.label} shares the host {what} namespace ({f}: host)"
                )
                return

    host_namespace.__name__ = f"host_{what}"
    check(rule, on=Target.COMPOSE)(host_namespace)


_ns_check(HOST_NETWORK, ("network_mode", "net"), "network")
_ns_check(HOST_PID, ("pid",), "pid")
_ns_check(HOST_IPC, ("ipc",), "ipc")
_ns_check(HOST_USERNS, ("userns_mode",), "user")
_ns_check(HOST_UTS, ("uts",), "uts")
_ns_check(HOST_CGROUP, ("cgroup",), "cgroup")


# --------------------------------------------------------------------------- capabilities

DANGEROUS_CAP = _rule(
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


@check(DANGEROUS_CAP, on=Target.COMPOSE)
def dangerous_capability(s: Service) -> Iterator[Violation]:
    for item, ptr in s.items("cap_add"):
        if not isinstance(item, str):
            continue
        cap = _cap(item)
        sev = DANGEROUS_CAPS.get(cap)
        if sev is not None:
            yield Violation("C008", ptr, f"{s.label} adds capability {cap}", None, sev)


DROP_ALL = _rule(
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


@check(DROP_ALL, on=Target.COMPOSE)
def capabilities_not_dropped(s: Service) -> Iterator[Violation]:
    if not s.complete or s.value("privileged") is True:
        return
    for item, _ in s.items("cap_drop"):
        if isinstance(item, str) and _cap(item) == "ALL":
            return
    got = s.get("cap_drop")
    where = got[1] if got is not None else s.pointer
    fix = None
    if got is None or _own(s, got[1]):
        fix = append_item(s.root, f"{s.pointer}/cap_drop", "ALL")
    yield Violation(
        "C009", where, f"{s.label} does not drop ALL capabilities (cap_drop: [ALL])", fix or None
    )


# --------------------------------------------------------------------------- security_opt


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
    return _rule(
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
    "Docker's default seccomp profile blocks about 44 system calls that containers should "
    "never make (keyctl, add_key, kexec_load, open_by_handle_at, bpf, mount, …); several "
    "kernel exploits and container escapes need exactly those.",
    "5.22",
    "https://docs.docker.com/engine/security/seccomp/",
)
APPARMOR_UNCONFINED = _opt_rule(
    "C011",
    "compose-apparmor-unconfined",
    "AppArmor disabled",
    Severity.HIGH,
    "apparmor:unconfined",
    "The `docker-default` AppArmor profile denies writes to /proc and /sys, mounts and raw "
    "access to sensitive kernel interfaces; without it a compromised process meets no "
    "mandatory access control.",
    "5.2",
    "https://docs.docker.com/engine/security/apparmor/",
)
SELINUX_DISABLED = _opt_rule(
    "C012",
    "compose-selinux-disabled",
    "SELinux separation disabled",
    Severity.MEDIUM,
    "label:disable",
    "On SELinux hosts every container gets its own MCS label, so one container cannot touch "
    "another's files or the host's; `label:disable` (and the `spc_t` type, super-privileged "
    "container) removes that separation.",
    "5.3",
    RUN_DOC,
)
SYSTEMPATHS = _opt_rule(
    "C013",
    "compose-systempaths-unconfined",
    "Masked /proc and /sys paths exposed",
    Severity.HIGH,
    "systempaths=unconfined",
    "Docker masks and makes read-only sensitive paths (/proc/kcore, /proc/sysrq-trigger, "
    "/proc/sys, /sys/firmware, …); unconfining them lets the container read kernel memory "
    "and reconfigure the host kernel. The Kubernetes equivalent is `procMount: Unmasked`.",
    "",
    RUN_DOC,
)


@check(SECCOMP_UNCONFINED, on=Target.COMPOSE)
def seccomp_unconfined(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        if opt == "seccomp" and val.lower() == "unconfined":
            yield Violation("C010", ptr, f"{s.label} disables seccomp (seccomp:unconfined)")


@check(APPARMOR_UNCONFINED, on=Target.COMPOSE)
def apparmor_unconfined(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        if opt == "apparmor" and val.lower() == "unconfined":
            yield Violation("C011", ptr, f"{s.label} disables AppArmor (apparmor:unconfined)")


@check(SELINUX_DISABLED, on=Target.COMPOSE)
def selinux_disabled(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        v = val.lower().replace("=", ":")
        if opt == "label" and (v == "disable" or v in ("type:spc_t", "type: spc_t")):
            yield Violation(
                "C012", ptr, f"{s.label} disables SELinux separation (label:{val.strip()})"
            )


@check(SYSTEMPATHS, on=Target.COMPOSE)
def systempaths_unconfined(s: Service) -> Iterator[Violation]:
    for opt, val, ptr in _security_opts(s):
        if opt == "systempaths" and val.lower() == "unconfined":
            yield Violation(
                "C013", ptr, f"{s.label} unmasks /proc and /sys paths (systempaths=unconfined)"
            )


NO_NEW_PRIVS = _rule(
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


@check(NO_NEW_PRIVS, on=Target.COMPOSE)
def no_new_privileges(s: Service) -> Iterator[Violation]:
    if not s.complete:
        return
    for opt, val, ptr in _security_opts(s):
        if opt == "no-new-privileges":
            if val.lower() in ("", "true", "1"):
                return
            yield Violation(
                "C014", ptr, f"{s.label} sets no-new-privileges:{val} (set it to true)",
                _fix_set(s, ptr, "no-new-privileges:true"),
            )  # fmt: skip
            return
    got = s.get("security_opt")
    where = got[1] if got is not None else s.pointer
    fix = None
    if got is None or _own(s, got[1]):
        fix = append_item(s.root, f"{s.pointer}/security_opt", "no-new-privileges:true") or None
    yield Violation(
        "C014",
        where,
        f"{s.label} does not set no-new-privileges (security_opt: [no-new-privileges:true])",
        fix,
    )


# --------------------------------------------------------------------------- volumes

_VAR = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
#: credential stores in a home directory: mounting one hands its keys to the container
HOME_SECRETS = (".ssh", ".aws", ".kube", ".docker", ".gnupg", ".azure", ".config/gcloud",
                ".netrc", ".git-credentials", ".npmrc", ".pypirc", ".vault-token")  # fmt: skip
WINDOWS_DOCKER_PIPE = "//./pipe/docker_engine"


def resolve_default(text: str) -> str | None:
    """``text`` with ``${VAR:-default}`` replaced by its default; None if another variable
    (whose value cannot be known) is in it. ``$$`` is a literal ``$``."""
    if "$" not in text:
        return text
    unknown = False

    def sub(m: re.Match[str]) -> str:
        nonlocal unknown
        if m.group(2) in ("-", ":-"):
            return m.group(3) or ""
        unknown = True
        return ""

    out = _VAR.sub(sub, text.replace("$$", "\x00"))
    return None if unknown else out.replace("\x00", "$")


def parse_volume(item: Any) -> tuple[str | None, str | None, bool, str]:
    """(source, target, read-only, type) of a short (``src:dst:ro``) or long volume entry.

    ``type`` is ``bind`` for host paths, ``volume`` for named volumes, or what the long
    syntax says (``tmpfs``, ``npipe``, …). The source keeps its ``${VAR}`` references.
    """
    if isinstance(item, dict):
        source = _str(item.get("source"))
        target = _str(item.get("target"))
        kind = item.get("type")
        kind = kind if isinstance(kind, str) else ("bind" if source and "/" in source else "")
        return source, target, item.get("read_only") is True, kind.lower()
    if not isinstance(item, str):
        return None, None, False, ""
    text = item.strip()
    head = ""
    if _WINDOWS_PATH.match(text):
        head, text = text[:2], text[2:]
    # split on ':' outside ${...}
    parts: list[str] = []
    depth = 0
    cur = ""
    for ch in text:
        if ch == "{" and cur.endswith("$"):
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        if ch == ":" and not depth:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    parts[0] = head + parts[0]
    if len(parts) == 1:
        return None, parts[0], False, "volume"  # an anonymous volume
    source, target = parts[0], parts[1]
    modes = {m.strip().lower() for p in parts[2:] for m in p.split(",")}
    ro = "ro" in modes or "readonly" in modes
    src = resolve_default(source)
    is_path = src is None or src == "" or src.startswith((".", "/", "~", "\\"))
    is_path = is_path or bool(src and _WINDOWS_PATH.match(src))
    return source, target, ro, "bind" if is_path else "volume"


def _home_path(src: str) -> str | None:
    """The part after the home directory for ``~/x``, ``$HOME/x``, ``/home/<user>/x``,
    ``/Users/<user>/x``; "" for the home directory itself; None if not a home path."""
    for prefix in ("~", "$HOME", "${HOME}"):
        if src == prefix:
            return ""
        if src.startswith(prefix + "/"):
            rest = posixpath.normpath(src[len(prefix) + 1 :] or ".")
            return "" if rest == "." else rest
    if src.startswith("/"):
        p = _norm(src)
        for root in ("/home/", "/Users/"):
            if p.startswith(root):
                parts = p[len(root) :].split("/", 1)
                return parts[1] if len(parts) == 2 else ""
    return None


def mount_severity(source: str, read_only: bool) -> tuple[Severity, str] | None:
    """How sensitive a host path is to mount in a compose service, and what it is; None when
    it is an ordinary data directory (a project folder, /srv, /opt/app, …)."""
    home = _home_path(source)
    if home is not None:
        if not home:
            return Severity.HIGH, "a home directory"
        if any(home == h or home.startswith(h + "/") for h in HOME_SECRETS):
            return Severity.MEDIUM, "credentials in a home directory"
        return None
    if not source.startswith(("/", "\\")):
        return None  # relative to the project directory
    p = _norm(source.replace("\\", "/"))
    if _under(p, BENIGN) or (read_only and _under(p, TRUST_STORES)):
        return None
    sensitive = (
        _ancestor(p, CRITICAL_ROOTS)
        or _under(p, CRITICAL_TREES)
        or _under(p, HIGH_TREES)
        or _ancestor(p, HIGH_TREES)
    )
    if not sensitive:
        return None
    sev = host_path_severity(p, read_only)
    if sev in (Severity.HIGH, Severity.MEDIUM) and _app_path(p):
        # an application's own directory (/etc/pihole, /usr/share/app): not the host's system
        if read_only:
            return None
        sev = Severity.MEDIUM
    elif sev is Severity.MEDIUM and read_only:
        sev = Severity.LOW  # reading system files that hold no secret (os-release, modules)
    return sev, "a sensitive host path"


#: system entries of /etc: writing them changes how the host boots, logs in, resolves and runs
_ETC_SYSTEM = frozenset(
    {"passwd", "shadow", "group", "gshadow", "ssh", "ssl", "pki", "environment", "init",
     "init.d", "docker", "containerd", "kubernetes", "pam.d", "security", "apt", "dnf", "hosts",
     "resolv.conf", "udev", "selinux", "polkit-1", "default", "crypttab", "fstab", "hostname",
     "nsswitch.conf", "netplan", "network", "NetworkManager", "iptables", "audit",
     "letsencrypt", "crontab", "os-release", "machine-id", "localtime", "timezone", "X11",
     "xdg", "dbus-1", "firewalld", "ufw", "exports", "fuse.conf", "containers", "cni",
     "rancher", "k3s", "kubelet", "etcd", "sudo.conf", "login.defs"}
)  # fmt: skip
_ETC_SYSTEM_PREFIXES = ("cron", "rc", "ld.so", "sysctl", "profile", "bash", "yum", "apparmor",
                        "rsyslog", "sudoers", "systemd", "modprobe", "modules", "logrotate",
                        "ssh", "update-", "grub")  # fmt: skip
_USR_LOCAL_SYSTEM = frozenset({"bin", "sbin", "lib", "lib32", "lib64", "libexec", "etc"})


def _app_path(p: str) -> bool:
    """A path inside a system tree that belongs to one application, not to the host's system:
    ``/etc/<app>``, ``/usr/share/<app>``, ``/usr/local/<app>`` (not bin, lib, …)."""
    parts = p.strip("/").split("/")
    if len(parts) < 2:
        return False
    if parts[0] == "etc":
        name = parts[1]
        return name not in _ETC_SYSTEM and not name.startswith(_ETC_SYSTEM_PREFIXES)
    if parts[0] == "usr" and len(parts) >= 3:
        return parts[1] == "share" or (parts[1] == "local" and parts[2] not in _USR_LOCAL_SYSTEM)
    return False


def _named_volume_device(s: Service, name: str) -> str | None:
    """The host path of a named volume declared as a local bind (``driver_opts: {o: bind,
    device: /path}``)."""
    root = s.root if isinstance(s.root, dict) else {}
    vols = root.get("volumes")
    decl = vols.get(name) if isinstance(vols, dict) else None
    opts = decl.get("driver_opts") if isinstance(decl, dict) else None
    if not isinstance(opts, dict):
        return None
    o = _str(opts.get("o")) or ""
    device = _str(opts.get("device"))
    if device and "bind" in {x.strip() for x in o.split(",")}:
        return device
    return None


def host_mounts(s: Service) -> Iterator[tuple[str | None, str | None, bool, str]]:
    """(resolved host source or None if unknown, target, read-only, pointer) of host mounts."""
    for item, ptr in s.items("volumes"):
        source, target, ro, kind = parse_volume(item)
        if kind == "volume" and source:
            device = _named_volume_device(s, source)
            if device is None:
                continue
            source = device
        elif kind not in ("bind", "npipe") or source is None:
            continue
        resolved = resolve_default(source)
        if resolved is None and source.startswith(("$HOME/", "${HOME}/")):
            resolved = source  # the home directory: known to be sensitive whatever it is
        yield resolved, target, ro, ptr


def _is_docker_pipe(path: str) -> bool:
    return path.replace("\\", "/").lower().rstrip("/") == WINDOWS_DOCKER_PIPE


RUNTIME_SOCKET = _rule(
    "C015",
    "compose-docker-socket",
    "Container runtime socket mounted",
    Severity.CRITICAL,
    what="A service mounts the Docker (or containerd, CRI-O, Podman) socket, a directory holding "
    "it, a runtime's state root (/var/lib/docker) or the Windows `\\\\.\\pipe\\docker_engine` "
    "pipe, in short or long syntax or through a named volume bound to it. A source that is a "
    "variable without a default counts when the target is a `docker.sock`. Read-only does not "
    "help: connecting to a socket works through a read-only mount.",
    why="Whoever can talk to the Docker API can start a privileged container with the host's root "
    "filesystem mounted: the socket is root on the host. Tools that ask for it (Portainer, "
    "Traefik, Watchtower, CI runners) become a path to the host when compromised.",
    fix="Do not mount the socket. Where a tool needs the Docker API, put a filtering proxy in "
    "front of it (e.g. one that allows only read-only endpoints), use rootless Docker, or a "
    "daemonless builder (BuildKit rootless, kaniko, buildah) for image builds.",
    example="""
services:
  traefik:
    image: traefik:v3.1
    # instead of /var/run/docker.sock: a socket proxy that allows only GET /containers
    environment:
      DOCKER_HOST: tcp://socket-proxy:2375
""",
    cis="5.32",
    refs=(OWASP,),
)


@check(RUNTIME_SOCKET, on=Target.COMPOSE)
def docker_socket(s: Service) -> Iterator[Violation]:
    for source, target, _, ptr in host_mounts(s):
        if source is None:
            if target and posixpath.basename(target.rstrip("/")) in ("docker.sock",):
                yield Violation(
                    "C015", ptr, f"{s.label} mounts a variable path at {target!r} (Docker socket)"
                )
            continue
        if _is_docker_pipe(source) or (source.startswith("/") and runtime_socket(source)):
            yield Violation(
                "C015", ptr, f"{s.label} mounts the container runtime socket {source!r}"
            )


HOST_PATH = _rule(
    "C016",
    "compose-sensitive-host-path",
    "Sensitive host path mounted",
    Severity.HIGH,
    what="A service bind-mounts a sensitive host path (runtime sockets are C015). The severity is "
    "the one of the Kubernetes hostPath rule K018: critical for `/`, `/etc`, `/proc`, `/sys`, "
    "`/var/run`, `/run`, `/root`, their parents and credential trees; high for other system "
    "trees (/dev, /boot, /usr, /lib, /var/log, anything under /etc or /sys, …); a read-only "
    "mount lowers high to medium where reading exposes nothing secret. Home directories: the "
    "whole home is high, a credential store in it (~/.ssh, ~/.aws, ~/.kube, ~/.docker, …) "
    "medium. Project-relative paths (`./data`), named volumes and ordinary data directories "
    "(/srv, /opt/app, /mnt) are not reported, nor benign files (/etc/localtime) and "
    "read-only CA stores.",
    why="A writable system path is a direct path to the host: cron jobs, SSH keys, systemd units, "
    "binaries the host runs. Read-only mounts of /proc or home directories still leak the "
    "host's processes, secrets and keys.",
    fix="Use a named volume or a project directory. Where the service really needs a host path, "
    "mount the narrowest one, read-only (`:ro`, or `read_only: true` in long syntax).",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    volumes:
      - app-data:/var/lib/app
      - ./config/app.yaml:/etc/app/app.yaml:ro
volumes:
  app-data:
""",
    cis="5.6",
)


@check(HOST_PATH, on=Target.COMPOSE)
def sensitive_host_path(s: Service) -> Iterator[Violation]:
    for source, _, ro, ptr in host_mounts(s):
        if source is None or _is_docker_pipe(source):
            continue
        if source.startswith("/") and runtime_socket(source):
            continue  # C015
        got = mount_severity(source, ro)
        if got is None:
            continue
        sev, what = got
        how = " read-only" if ro else ""
        yield Violation("C016", ptr, f"{s.label} mounts {what} {source!r}{how}", None, sev)


# --------------------------------------------------------------------------- devices

#: raw memory, ports and disks: reading them reads the host
_DEVICE_HIGH = re.compile(
    r"/dev/(?:mem|kmem|port|sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(?:n\d+)?"
    r"(?:p\d+)?|mmcblk\d+(?:p\d+)?|dm-\d+|md\d+|mapper(?:/.*)?|disk(?:/.*)?|loop\d*|"
    r"loop-control|sg\d+|cpu(?:/.*)?|kvm)$"
)
#: devices that hardware-using services commonly need and that expose little
_DEVICE_LOW = re.compile(
    r"/dev/(?:net/tun|fuse|dri(?:/.*)?|snd(?:/.*)?|video\d+|media\d+|bus/usb(?:/.*)?|"
    r"ttyUSB\d+|ttyACM\d+|ttyAMA\d+|ttyS\d+|serial(?:/.*)?|nvidia.*|hidraw\d+|input(?:/.*)?|"
    r"vchiq|gpiomem|i2c-\d+|spidev.*|dvb(?:/.*)?|apex_\d+|accel(?:/.*)?)$"
)

DEVICES = _rule(
    "C017",
    "compose-host-device",
    "Host device exposed",
    Severity.MEDIUM,
    what="A service passes a host device in with `devices`, or allows devices with "
    "`device_cgroup_rules`. High for raw memory and disks (/dev/mem, /dev/kmem, /dev/port, "
    "/dev/sd*, /dev/nvme*, /dev/mapper/*, …, /dev/kvm) and for a wildcard cgroup rule "
    "(`a *:* rwm`, `c *:* rwm`, `b *:* rwm`); low for devices hardware services commonly need "
    "(/dev/net/tun, /dev/fuse, /dev/dri, /dev/snd, video, USB and serial devices, GPUs); "
    "medium otherwise. CDI device names (`vendor.com/gpu=all`) are not reported.",
    why="A device node is a door into the kernel that bypasses the container's filesystem "
    "isolation: a raw disk gives the host's files, /dev/mem the host's memory.",
    fix="Pass only the device the service needs, with the narrowest permissions (`:r`), and never "
    "raw disks or memory; use a volume for storage.",
    example="""
services:
  vpn:
    image: registry.example.com/vpn:2.1
    devices:
      - /dev/net/tun:/dev/net/tun
""",
    cis="5.18",
)


def _device_severity(path: str) -> Severity:
    p = _norm(path)
    if _DEVICE_HIGH.match(p):
        return Severity.HIGH
    if _DEVICE_LOW.match(p):
        return Severity.LOW
    return Severity.MEDIUM


@check(DEVICES, on=Target.COMPOSE)
def host_device(s: Service) -> Iterator[Violation]:
    for item, ptr in s.items("devices"):
        if isinstance(item, dict):
            src = _str(item.get("source"))
        else:
            text = _str(item)
            if text is None or "=" in text:  # CDI: vendor.com/class=name
                continue
            src = text.split(":", 1)[0]
        if not src:
            continue
        path = resolve_default(src)
        if path is None:
            continue
        yield Violation(
            "C017", ptr, f"{s.label} has host device {path!r}", None, _device_severity(path)
        )
    for item, ptr in s.items("device_cgroup_rules"):
        text = _str(item)
        if text is None:
            continue
        parts = text.split()
        if len(parts) >= 2 and (parts[0] == "a" or parts[1].startswith("*:")):
            yield Violation(
                "C017",
                ptr,
                f"{s.label} allows every {'' if parts[0] == 'a' else parts[0] + ' '}device "
                f"(device_cgroup_rules: {text!r})".replace("every  ", "every "),
                None,
                Severity.HIGH,
            )


# --------------------------------------------------------------------------- user

#: images whose default user is not root (the image's USER), by repository prefix
NON_ROOT_IMAGES = (
    "grafana/grafana", "grafana/loki", "prom/", "quay.io/prometheus/", "elasticsearch",
    "kibana", "logstash", "docker.elastic.co/", "jenkins/jenkins", "sonarqube", "bitnami/",
    "nginxinc/nginx-unprivileged", "quay.io/keycloak/keycloak", "gcr.io/distroless/",
    "cgr.dev/chainguard/",
)  # fmt: skip


def image_repository(image: str) -> tuple[str, str]:
    """(repository without ``docker.io/`` / ``library/``, tag) of an image reference."""
    ref = image.split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    tag = ""
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    ref = ref.removeprefix("library/")
    return ref.lower(), tag.lower()


def runs_non_root(image: str) -> bool:
    repo, tag = image_repository(image)
    if "nonroot" in tag or "rootless" in tag or "unprivileged" in repo:
        return True
    if repo.startswith(("gcr.io/distroless/", "cgr.dev/chainguard/")):
        return "nonroot" in tag or repo.startswith("cgr.dev/")
    return any(repo == p.rstrip("/") or repo.startswith(p) for p in NON_ROOT_IMAGES if p)


ROOT_USER = _rule(
    "C018",
    "compose-runs-as-root",
    "Service runs as root",
    Severity.MEDIUM,
    what="A service sets `user` to root (`root`, `0`, `0:0`, `root:…`): medium. A service that "
    "does not set `user` runs as the image's user, often root: low, and not reported when the "
    "service builds its image here (`build:`, the Dockerfile's USER decides and the "
    "Dockerfile rules check it), for images known to run as a non-root user by default "
    "(Grafana, Prometheus, Elastic, Jenkins, SonarQube, Bitnami, distroless `nonroot`, "
    "`*-rootless`, `nginx-unprivileged`, …) or for a service defined only in part here. Many "
    "official images (postgres, mysql, redis, mongo) start as root and switch to a service "
    "user in their entrypoint: the main process is not root, the start is; which is why the "
    "unset case stays low.",
    why="Root in a container is root on the host's kernel, with only namespaces, capabilities and "
    "seccomp between it and the host; a root process can also rewrite anything in the image.",
    fix='Set `user:` to a non-root UID:GID the image supports (e.g. `"10001:10001"`), or use '
    "an image variant that runs as non-root.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    user: "10001:10001"
""",
    cis="4.1",
)


def _is_root_user(text: str) -> bool:
    who = text.strip().split(":", 1)[0].strip()
    return who in ("root", "0")


@check(ROOT_USER, on=Target.COMPOSE)
def runs_as_root(s: Service) -> Iterator[Violation]:
    got = s.get("user")
    if got is not None and got[0] is not None:
        text = _str(got[0])
        if text is not None and _is_root_user(text):
            yield Violation("C018", got[1], f"{s.label} runs as root (user: {text})")
        return
    if not s.complete or s.has("build"):
        return
    image = _str(s.value("image"))
    if image is None or "$" in image or runs_non_root(image):
        return
    got_image = s.get("image")
    yield Violation(
        "C018",
        got_image[1] if got_image is not None else s.pointer,
        f"{s.label} does not set user: image {image!r} decides (often root)",
        None,
        Severity.LOW,
    )


# --------------------------------------------------------------------------- read-only

READ_ONLY = _rule(
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


@check(READ_ONLY, on=Target.COMPOSE)
def writable_root_filesystem(s: Service) -> Iterator[Violation]:
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
        _fix_set(s, f"{s.pointer}/read_only", True) if got is None or _own(s, got[1]) else None,
    )


# --------------------------------------------------------------------------- limits

LIMITS = _rule(
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

_LIMIT = ("deploy", "resources", "limits")


def _set(s: Service, *paths: tuple[str, ...]) -> bool:
    for p in paths:
        v = s.value(*p)
        if v is not None and v is not False and v != 0 and v != "0" and v != "":
            return True
    return False


@check(LIMITS, on=Target.COMPOSE)
def resource_limits(s: Service) -> Iterator[Violation]:
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


# --------------------------------------------------------------------------- credentials

CREDENTIALS = _rule(
    "C021",
    "compose-literal-credential",
    "Credential written in the compose file",
    Severity.HIGH,
    what="An `environment` entry (list `KEY=VALUE` or mapping form) or a build argument "
    "(`build.args`) holds a literal credential: a known token format anywhere, or a value "
    "under a credential-like name (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, …). The severity is "
    "the secret detector's. A `${VAR}` reference is not a literal and is not reported; a "
    "`${VAR:-default}` whose default is a credential is reported as low (the default is used "
    "whenever the variable is unset). `*_FILE` entries naming a file (the Docker secrets "
    "convention) are not reported.",
    why="A credential in a compose file is in every clone, fork and CI log of the repository, "
    "cannot be rotated without a commit, and is visible to anyone who can run `docker "
    "inspect` on the host; build arguments are also stored in the image's history.",
    fix="Reference a variable (`${DB_PASSWORD}`, from an `.env` file kept out of version control "
    "or the CI's secret store) or, better, use Compose `secrets:` and the image's `*_FILE` "
    "variables. Rotate any credential that was committed.",
    example="""
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
secrets:
  db_password:
    environment: DB_PASSWORD
""",
    refs=("https://docs.docker.com/compose/how-tos/use-secrets/",),
    reports_secrets=True,
)


def _credential_entries(s: Service) -> Iterator[tuple[str, Any, str, str]]:
    """(key, value, pointer, where) of environment entries and build arguments."""
    for key, (value, ptr) in s.pairs("environment").items():
        yield key, value, ptr, "environment"
    for key, (value, ptr) in s.pairs("build", "args").items():
        yield key, value, ptr, "build argument"


@check(CREDENTIALS, on=Target.COMPOSE)
def literal_credential(s: Service) -> Iterator[Violation]:
    from hardhull.secrets.detect import detect_value

    for key, value, ptr, where in _credential_entries(s):
        text = _str(value)
        if not text or not key:
            continue
        if key.upper().endswith("_FILE") and text.startswith(("/", "./")):
            continue
        literal = resolve_default(text)
        if literal is None:
            # references to unknown variables: only what is left around them is literal
            literal = _VAR.sub("", text.replace("$$", "\x00")).replace("\x00", "$")
            fallback = False
        else:
            fallback = literal != text
        if not literal.strip():
            continue
        match = detect_value(literal, key)
        if match is None:
            continue
        if fallback:
            yield Violation(
                "C021",
                ptr,
                f"{s.label} {where} {key} falls back to a literal when unset: "
                f"{match.description} ({match.masked})",
                None,
                Severity.LOW,
            )
        else:
            yield Violation(
                "C021",
                ptr,
                f"{s.label} {where} {key}: {match.description} ({match.masked})",
                None,
                match.severity,
            )


# --------------------------------------------------------------------------- ports

#: container ports of services that must not face the network unauthenticated
ADMIN_PORTS: dict[int, str] = {
    22: "SSH", 2375: "Docker API (plain)", 2376: "Docker API", 2379: "etcd", 2380: "etcd peer",
    3306: "MySQL/MariaDB", 5432: "PostgreSQL", 1433: "SQL Server", 1521: "Oracle Database",
    6379: "Redis", 11211: "Memcached", 27017: "MongoDB", 27018: "MongoDB", 9200: "Elasticsearch",
    9300: "Elasticsearch transport", 5601: "Kibana", 5984: "CouchDB", 8086: "InfluxDB",
    9042: "Cassandra", 7199: "Cassandra JMX", 15672: "RabbitMQ management", 9092: "Kafka",
    2181: "ZooKeeper", 8500: "Consul", 4369: "Erlang port mapper", 8529: "ArangoDB",
    7474: "Neo4j", 7687: "Neo4j Bolt", 8983: "Solr", 6443: "Kubernetes API",
    10250: "kubelet", 3389: "RDP", 5900: "VNC", 9000: "Portainer/MinIO admin",
}  # fmt: skip
#: images that are admin interfaces whatever their port
ADMIN_IMAGES = (
    "adminer", "phpmyadmin", "phpmyadmin/phpmyadmin", "dpage/pgadmin4", "mongo-express",
    "rediscommander/redis-commander", "redis/redisinsight", "redislabs/redisinsight",
    "portainer/portainer", "portainer/portainer-ce", "portainer/portainer-ee",
    "dockersamples/visualizer", "sosedoff/pgweb", "marcelo/pgweb",
)  # fmt: skip
_WILDCARD_IPS = ("", "0.0.0.0", "::", "[::]", "*")
_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")

EXPOSED_ADMIN = _rule(
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
        ip_text = "" if ip is None else _str(ip)
        if ip_text is not None and "$" in ip_text:
            ip_text = None
        target = _str(item.get("target"))
        return ip_text, _port_range(target) if target and "$" not in target else None
    text = _str(item)
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


@check(EXPOSED_ADMIN, on=Target.COMPOSE)
def admin_port_exposed(s: Service) -> Iterator[Violation]:
    mode = _str(s.value("network_mode")) or _str(s.value("net")) or ""
    if mode.strip().lower() == "host":
        return
    image = _str(s.value("image")) or ""
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


__all__ = ["mount_severity", "parse_port", "parse_volume"]
