"""The workload rules of ``hardhull/rules/kubernetes/host_paths.py``:
K018, K019, K037, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import pytest

from tests.helpers.kubernetes import (
    IMAGE,
    check,
    ctr,
    scan_text,
    spec,
)


def host_path(path: str, read_only: bool | None = None) -> str:
    mount = "volumeMounts: [{name: host, mountPath: /host"
    mount += "}]" if read_only is None else f", readOnly: {str(read_only).lower()}}}]"
    text = ctr(mount)
    return spec(f"volumes: [{{name: host, hostPath: {{path: '{path}'}}}}]", text)


@pytest.mark.parametrize(
    ("path", "read_only", "severity"),
    [
        ("/", True, "critical"),
        ("/etc", None, "critical"),
        ("/etc/", True, "critical"),
        ("//etc", None, "critical"),
        ("/var/log/../../etc", None, "critical"),
        ("/proc", True, "critical"),
        ("/proc/1/root", True, "critical"),
        ("/sys", True, "critical"),
        ("/var/lib/kubelet", None, "critical"),
        ("/var/lib/kubelet/pods", True, "critical"),
        ("/var/run", None, "critical"),
        ("/run/", None, "critical"),
        ("/var", None, "critical"),
        ("/etc/kubernetes/pki", True, "critical"),
        ("/var/log", None, "high"),
        ("/var/log", True, "medium"),
        ("/etc/ssl/certs", False, "high"),
        ("/etc/ssl/certs", True, "medium"),
        ("/lib/modules", True, "medium"),
        ("/lib/modules", None, "high"),
        ("/usr/libexec/kubernetes/kubelet-plugins/volume/exec/", None, "high"),
        ("/dev", True, "high"),  # device nodes work through a read-only mount
        ("/var/lib/docker/containers", True, "high"),  # every container's env and logs
        ("/home/user", True, "high"),
        ("/opt", None, "high"),  # holds /opt/cni/bin, run by the kubelet as root
        ("/dev/log", None, "medium"),
        ("/run/xtables.lock", None, "medium"),
        ("/etc/localtime", None, "medium"),
        ("/data/cache", None, "medium"),
        ("/tmp", None, "medium"),
    ],
)
def test_k018_host_path(path: str, read_only: bool | None, severity: str) -> None:
    text = host_path(path, read_only)
    how = " read-only" if read_only else ""
    check(
        text,
        ("K018", "/spec/volumes/0/hostPath/path", "path: '",
         f"pod mounts host path {path!r}{how}", severity),
    )  # fmt: skip


def test_k018_read_only_needs_every_mount() -> None:
    text = host_path("/var/log", True)
    text = spec(
        """
        initContainers:
          - name: init
            image: @IMG@
            securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: {drop: [ALL]}}
            resources: {requests: {cpu: 1m, memory: 1Mi}, limits: {cpu: 1m, memory: 1Mi}}
            volumeMounts: [{name: host, mountPath: /logs}]
        """.replace("@IMG@", IMAGE),
        text,
    )
    check(
        text,
        ("K018", "/spec/volumes/0/hostPath/path", "path: '", "pod mounts host path '/var/log'",
         "high"),
    )  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/var/run/docker.sock",
        "/var/run/docker.sock/",
        "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock",
        "/run/user/1000/docker.sock",
        "/run/k3s/containerd",
        "/var/lib/docker",
        "/var/lib/containerd/",
    ],
)
def test_k019_runtime_socket(path: str) -> None:
    text = host_path(path, True)  # read-only does not help: connect() works through it
    check(
        text,
        ("K019", "/spec/volumes/0/hostPath/path", "path: '",
         f"pod mounts the container runtime at {path!r}", "critical"),
    )  # fmt: skip


def persistent_volume(host_path: str, api: str = "v1") -> str:
    return (
        f"apiVersion: {api}\nkind: PersistentVolume\nmetadata:\n  name: pv\nspec:\n"
        "  capacity: {storage: 5Gi}\n  accessModes: [ReadWriteOnce]\n"
        f"  hostPath: {host_path}\n"
    )


@pytest.mark.parametrize(
    ("host_path", "message", "severity"),
    [
        ("{path: /etc}", "host path '/etc'", "critical"),
        ("{path: /}", "host path '/'", "critical"),
        ("{path: /var/lib/kubelet/pods}", "host path '/var/lib/kubelet/pods'", "critical"),
        ("{path: /proc/sys/kernel}", "host path '/proc/sys/kernel'", "critical"),
        ("{path: /var/run/docker.sock}", "the container runtime at '/var/run/docker.sock'",
         "critical"),
        ("{path: /run/containerd/containerd.sock, type: Socket}",
         "the container runtime at '/run/containerd/containerd.sock'", "critical"),
        ("{path: /var/run/crio/crio.sock}", "the container runtime at '/var/run/crio/crio.sock'",
         "critical"),
        ("{path: /var/log}", "host path '/var/log'", "high"),
        ("{path: /etc/ssl/certs}", "host path '/etc/ssl/certs'", "high"),  # writable
        ("{path: /srv/agent.sock, type: Socket}", "host path '/srv/agent.sock' (socket)", "high"),
        ("{path: /dev/sdb, type: BlockDevice}", "host path '/dev/sdb' (block device)", "high"),
        ("{path: /data}", "host path '/data'", "low"),
        ("{path: /mnt/data, type: DirectoryOrCreate}", "host path '/mnt/data'", "low"),
        ("{path: /etc/localtime}", "host path '/etc/localtime'", "low"),
    ],
)  # fmt: skip
def test_k037_persistent_volume_host_path(host_path: str, message: str, severity: str) -> None:
    text = persistent_volume(host_path)
    check(
        text,
        ("K037", "/spec/hostPath/path", "path: ",
         f"PersistentVolume gives {message} to any pod whose claim binds it", severity),
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        persistent_volume("{path: ''}"),  # the API server rejects an empty path
        persistent_volume("{type: Directory}"),
        persistent_volume("/etc"),  # not a mapping
        persistent_volume("{path: /etc}", api="example.com/v1"),  # a look-alike CRD
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv\nspec:\n"
        "  local: {path: /mnt/disks/ssd1}\n  nodeAffinity: {}\n",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\nspec:\n"
        "  hostPath: {path: /etc}\n",
    ],
)
def test_k037_not_a_host_path_volume(text: str) -> None:
    assert scan_text(text) == []
