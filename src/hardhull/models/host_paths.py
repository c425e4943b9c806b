"""What a host path exposes when a container mounts it: the Kubernetes ``hostPath`` rules
(K018, K019) and the compose bind-mount rules (C015, C016) judge paths with the same knowledge.

Paths are compared after :func:`normalize_host_path`; :func:`is_under` and :func:`is_ancestor`
test them against the lists of trees below.
"""

from __future__ import annotations

import posixpath

from hardhull.model import Severity

#: socket file names of container runtimes (rootless sockets live in /run/user/<uid>/)
RUNTIME_SOCKETS = (
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "podman.sock",
    "dockershim.sock",
)
#: directories that hold runtime sockets (the whole tree counts)
RUNTIME_SOCKET_DIRS = (
    "/var/run/docker", "/run/docker", "/var/run/containerd", "/run/containerd",
    "/var/run/crio", "/run/crio", "/var/run/podman", "/run/podman",
    "/var/run/k3s/containerd", "/run/k3s/containerd",
)  # fmt: skip
#: runtime state roots: mounting the root itself hands over every container and image
RUNTIME_STATE_ROOTS = ("/var/lib/docker", "/var/lib/containerd")
#: critical when mounted, or when an ancestor of them is (``/``, ``/var``, ``/var/lib``)
CRITICAL_ROOTS = ("/etc", "/proc", "/sys", "/var/lib/kubelet", "/var/run", "/run", "/root")
#: critical anywhere inside: host processes, cluster credentials and every pod's secrets
CRITICAL_TREES = ("/proc", "/etc/kubernetes", "/var/lib/kubelet/pki", "/var/lib/kubelet/pods",
                  "/var/lib/etcd", "/etc/shadow", "/etc/sudoers", "/etc/sudoers.d",
                  "/root/.ssh")  # fmt: skip
#: high inside (and for their ancestors, e.g. /opt for /opt/cni)
HIGH_TREES = ("/etc", "/sys", "/dev", "/var/lib/kubelet", "/var/run", "/run", "/root", "/home",
              "/boot", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/var/log",
              "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/lib/cni",
              "/opt/cni", "/var/spool/cron")  # fmt: skip
#: reading is already the harm (secrets, keys, other containers' data), or read-only does not
#: protect (device nodes and sockets are usable through a read-only mount): never downgraded
READ_SENSITIVE = ("/dev", "/var/run", "/run", "/root", "/home", "/var/lib/kubelet",
                  "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers",
                  "/etc/ssl/private", "/etc/ssh", "/etc/gshadow")  # fmt: skip
#: files node agents commonly need that expose nothing and change nothing that matters
BENIGN = ("/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo", "/dev/log",
          "/run/xtables.lock", "/var/run/xtables.lock", "/etc/machine-id",
          "/var/lib/dbus/machine-id")  # fmt: skip
#: the host's CA trust stores: harmless to read, dangerous to write
TRUST_STORES = ("/etc/ssl/certs", "/etc/pki/tls/certs", "/etc/pki/ca-trust",
                "/etc/ca-certificates", "/usr/share/ca-certificates",
                "/usr/local/share/ca-certificates")  # fmt: skip


def normalize_host_path(path: str) -> str:
    """Normalise a host path as the node resolves it: ``//etc/``, ``/var/log/../../etc`` and
    ``etc/.`` all mean ``/etc``. (The API server rejects ``..`` in hostPath paths; normalising
    anyway keeps a crafted path from hiding.) Empty stays empty."""
    text = path.strip()
    if not text:
        return ""
    return posixpath.normpath("/" + text.lstrip("/"))


def is_under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def is_ancestor(path: str, roots: tuple[str, ...]) -> bool:
    """``path`` is a root or contains one (``/`` contains everything)."""
    return any(path == r or path == "/" or r.startswith(path + "/") for r in roots)


def runtime_socket(path: str) -> bool:
    p = normalize_host_path(path)
    if not p:
        return False
    return (
        posixpath.basename(p) in RUNTIME_SOCKETS
        or is_under(p, RUNTIME_SOCKET_DIRS)
        or p in RUNTIME_STATE_ROOTS
    )


def host_path_severity(path: str, read_only: bool) -> Severity:
    """How much of the node a hostPath exposes.

    Critical: ``/`` and the issue's core trees (/etc, /proc, /sys, /var/lib/kubelet, /var/run,
    /run, /root) or any ancestor of them, and anything inside /proc, /etc/kubernetes, kubelet
    credentials, pod volumes or etcd data. High: other system and node-agent trees. A
    read-only mount lowers high to medium, except where reading is the harm or read-only does
    not protect (devices, sockets, home directories, kubelet and runtime state). Known benign
    files (timezone, machine id, the syslog socket, the iptables lock) are medium.
    """
    p = normalize_host_path(path)
    if not p:
        return Severity.MEDIUM
    if is_ancestor(p, CRITICAL_ROOTS) or is_under(p, CRITICAL_TREES):
        return Severity.CRITICAL
    if is_under(p, BENIGN) or (read_only and is_under(p, TRUST_STORES)):
        return Severity.MEDIUM
    if is_under(p, HIGH_TREES) or is_ancestor(p, HIGH_TREES):
        if read_only and not is_under(p, READ_SENSITIVE):
            return Severity.MEDIUM
        return Severity.HIGH
    return Severity.MEDIUM
