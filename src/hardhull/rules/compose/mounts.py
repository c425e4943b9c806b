"""Host mounts: container runtime sockets (C015) and sensitive host paths (C016).

:func:`parse_volume` reads a short or long ``volumes`` entry; :func:`mount_severity` judges a
host path with the Kubernetes hostPath knowledge (:mod:`hardhull.models.host_paths`), adapted
to Compose, where bind mounts of data directories are normal.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.models.host_paths import (
    BENIGN,
    CRITICAL_ROOTS,
    CRITICAL_TREES,
    HIGH_TREES,
    TRUST_STORES,
    host_path_severity,
    is_ancestor,
    is_under,
    normalize_host_path,
    runtime_socket,
)
from hardhull.registry import Target, check
from hardhull.rules.compose import OWASP, compose_rule
from hardhull.rules.compose.common import resolve_default, scalar_text

_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
#: credential stores in a home directory: mounting one hands its keys to the container
HOME_SECRETS = (".ssh", ".aws", ".kube", ".docker", ".gnupg", ".azure", ".config/gcloud",
                ".netrc", ".git-credentials", ".npmrc", ".pypirc", ".vault-token")  # fmt: skip
WINDOWS_DOCKER_PIPE = "//./pipe/docker_engine"


def parse_volume(item: Any) -> tuple[str | None, str | None, bool, str]:
    """(source, target, read-only, type) of a short (``src:dst:ro``) or long volume entry.

    ``type`` is ``bind`` for host paths, ``volume`` for named volumes, or what the long
    syntax says (``tmpfs``, ``npipe``, …). The source keeps its ``${VAR}`` references.
    """
    if isinstance(item, dict):
        source = scalar_text(item.get("source"))
        target = scalar_text(item.get("target"))
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
        p = normalize_host_path(src)
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
    p = normalize_host_path(source.replace("\\", "/"))
    if is_under(p, BENIGN) or (read_only and is_under(p, TRUST_STORES)):
        return None
    sensitive = (
        is_ancestor(p, CRITICAL_ROOTS)
        or is_under(p, CRITICAL_TREES)
        or is_under(p, HIGH_TREES)
        or is_ancestor(p, HIGH_TREES)
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
    o = scalar_text(opts.get("o")) or ""
    device = scalar_text(opts.get("device"))
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


RUNTIME_SOCKET = compose_rule(
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


# C015
@check(RUNTIME_SOCKET, on=Target.COMPOSE)
def compose_docker_socket(s: Service) -> Iterator[Violation]:
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


HOST_PATH = compose_rule(
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


# C016
@check(HOST_PATH, on=Target.COMPOSE)
def compose_sensitive_host_path(s: Service) -> Iterator[Violation]:
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
