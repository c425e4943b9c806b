"""Host paths: ``hostPath`` volumes (K018), container runtime sockets (K019) and
PersistentVolumes backed by a host path (K037). How sensitive a path is comes from
:mod:`hardhull.models.host_paths`, which the compose rules share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.host_paths import (
    BENIGN,
    host_path_severity,
    is_under,
    normalize_host_path,
    runtime_socket,
)
from hardhull.models.workload import Workload, api_group, as_dict
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import KYVERNO, workload_rule

#: hostPath types that name an endpoint rather than files: a read-only mount does not stop
#: their use (connecting to a socket, ioctl on a device), whatever directory they live in
ENDPOINT_TYPES = {
    "Socket": "socket",
    "CharDevice": "character device",
    "BlockDevice": "block device",
}


def _host_paths(w: Workload) -> Iterator[tuple[str, str, bool, str]]:
    """(path, pointer of the hostPath source, every mount of the volume is read-only, type)."""
    for i, v in w.volumes():
        hp = v.get("hostPath")
        if isinstance(hp, dict):
            path = hp.get("path")
            kind = hp.get("type")
            name = v.get("name")
            mounts = w.mounts_of(name) if isinstance(name, str) else []
            read_only = bool(mounts) and all(m.get("readOnly") is True for m in mounts)
            yield (
                path if isinstance(path, str) else "",
                f"{w.spec_pointer}/volumes/{i}/hostPath",
                read_only,
                kind if isinstance(kind, str) else "",
            )


HOST_PATH = workload_rule(
    "K018",
    "host-path-volume",
    "hostPath volume",
    Severity.MEDIUM,
    what="The pod mounts a directory or file of the node with a `hostPath` volume (container "
    "runtime sockets are K019). Critical for `/`, `/etc`, `/proc` (and anything in it), "
    "`/sys`, `/var/lib/kubelet`, `/var/run`, `/run`, `/root`, their parents (`/var`, "
    "`/var/lib`) and cluster credentials (/etc/kubernetes, kubelet pki and pod volumes, etcd "
    "data); high for other sensitive trees (/dev, /home, /boot, /var/log, system binaries and "
    "libraries, runtime and CNI state, anything else under /etc or /sys); medium otherwise. "
    "A read-only mount lowers high to medium where reading exposes nothing secret; device "
    "nodes and sockets stay high because a read-only mount does not stop their use, and a "
    "hostPath declared `type: Socket`, `CharDevice` or `BlockDevice` is at least high wherever "
    "it lives (a daemon's API or a raw device, e.g. an agent socket under /srv).",
    why="A writable host mount is a direct path to the node: planting cron jobs or SSH keys, "
    "reading kubelet credentials, or tampering with logs.",
    fix="Use an `emptyDir`, a `configMap`/`secret`, or a PersistentVolumeClaim. Where a node "
    "agent truly needs a host path, mount the narrowest path with `readOnly: true`.",
    example="""
volumes:
  - name: cache
    emptyDir: {}
""",
    pss="baseline: HostPath Volumes",
    cis="CIS Kubernetes Benchmark v1.9 5.2.12",
    nsa="Pod security: protecting pod service account tokens and host mounts",
    trivy=("KSV023", "KSV121"),
    kube_linter=("sensitive-host-mounts",),
)


# K018
@check(HOST_PATH, on=Target.WORKLOAD)
def host_path_volume(w: Workload) -> Iterator[Violation]:
    for path, ptr, read_only, kind in _host_paths(w):
        if runtime_socket(path):
            continue  # K019
        sev = host_path_severity(path, read_only)
        endpoint = ENDPOINT_TYPES.get(kind)
        if endpoint and sev < Severity.HIGH and not is_under(normalize_host_path(path), BENIGN):
            sev = Severity.HIGH
        how = " read-only" if read_only else ""
        what = f" ({endpoint})" if endpoint else ""
        yield Violation(
            "K018", ptr + "/path", f"pod mounts host path {path!r}{what}{how}", None, sev
        )


RUNTIME_SOCKET = workload_rule(
    "K019",
    "container-runtime-socket",
    "Container runtime socket mounted",
    Severity.CRITICAL,
    what="The pod mounts the Docker, containerd, CRI-O or Podman socket, a directory holding it "
    "(/var/run/docker, /run/containerd, …) or a runtime's state root (/var/lib/docker, "
    "/var/lib/containerd) from the node. A read-only mount does not help: connecting to a "
    "socket works through it.",
    why="Whoever talks to the runtime socket can start a privileged container with the host's "
    "root filesystem: it is root on the node.",
    fix="Do not mount runtime sockets. Build images with a daemonless builder (BuildKit rootless, "
    "kaniko, buildah) and query the kubelet or the API server instead of the runtime.",
    example="""
# remove:
# volumes:
#   - name: docker
#     hostPath: {path: /var/run/docker.sock}
""",
    pss="baseline: HostPath Volumes",
    cis="CIS Kubernetes Benchmark v1.9 5.2.12",
    nsa="Pod security: host mounts",
    kube_linter=("docker-sock",),
)


# K019
@check(RUNTIME_SOCKET, on=Target.WORKLOAD)
def container_runtime_socket(w: Workload) -> Iterator[Violation]:
    for path, ptr, _, _ in _host_paths(w):
        if runtime_socket(path):
            yield Violation("K019", ptr + "/path", f"pod mounts the container runtime at {path!r}")


PV_DOC = "https://kubernetes.io/docs/concepts/storage/persistent-volumes/"
HOSTPATH_DOC = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"

PV_HOST_PATH = workload_rule(
    "K037",
    "persistent-volume-host-path",
    "PersistentVolume backed by a host path",
    Severity.LOW,
    what="A PersistentVolume uses `spec.hostPath`. The severity follows the path as for a "
    "hostPath volume (K018, judged writable: a PersistentVolume cannot make it read-only): "
    "critical for `/`, `/etc`, `/proc`, `/sys`, `/var/lib/kubelet`, `/var/run`, `/run`, "
    "`/root`, cluster credentials and container runtime sockets or state; high for other "
    "system trees and for `type: Socket`, `CharDevice` or `BlockDevice`; low for any other "
    "path (`/data`, `/mnt/disks/…`). A `local` volume (`spec.local`, bound to a node by "
    "`nodeAffinity`) is the supported form of node storage and is not reported.",
    why="Any pod whose claim binds the volume mounts that directory of whichever node it runs "
    "on, without a hostPath volume in its own spec: Pod Security Admission and policies that "
    "look at pods see only a PersistentVolumeClaim. A volume on `/etc` or a runtime socket "
    "hands the node to every namespace that can claim it; even a data directory is shared "
    "with the node and with every other pod that mounts it, and its contents stay behind "
    "when the pod moves.",
    fix="Use a storage class with a CSI driver, or a `local` PersistentVolume pinned to a "
    "node with `nodeAffinity`, on a dedicated directory or disk. Never back a volume with a "
    "system directory or a socket.",
    example="""
apiVersion: v1
kind: PersistentVolume
metadata:
  name: data
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local-storage
  local:
    path: /mnt/disks/ssd1
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: kubernetes.io/hostname, operator: In, values: [node-1]}
""",
    category="kubernetes-storage",
    refs=(PV_DOC, HOSTPATH_DOC, KYVERNO + "other/limit-hostpath-type-pv"),
)


def pv_host_path_severity(path: str, kind: str) -> Severity:
    """K018's judgement of a writable mount, with low instead of medium for ordinary paths."""
    if runtime_socket(path):
        return Severity.CRITICAL
    sev = host_path_severity(path, False)
    endpoint = ENDPOINT_TYPES.get(kind)
    if endpoint and sev < Severity.HIGH and not is_under(normalize_host_path(path), BENIGN):
        return Severity.HIGH
    return Severity.LOW if sev <= Severity.MEDIUM else sev


# K037
@check(PV_HOST_PATH, on=Target.OBJECT)
def persistent_volume_host_path(obj: dict[str, Any]) -> Iterator[Violation]:
    if obj.get("kind") != "PersistentVolume" or api_group(obj.get("apiVersion")) != "":
        return
    hp = as_dict(as_dict(obj.get("spec")).get("hostPath"))
    path = hp.get("path")
    if not isinstance(path, str) or not path.strip():
        return
    kind = hp.get("type")
    kind = kind if isinstance(kind, str) else ""
    endpoint = ENDPOINT_TYPES.get(kind)
    if runtime_socket(path):
        what = f"the container runtime at {path!r}"
    else:
        what = f"host path {path!r}" + (f" ({endpoint})" if endpoint else "")
    yield Violation(
        "K037",
        "/spec/hostPath/path",
        f"PersistentVolume gives {what} to any pod whose claim binds it",
        None,
        pv_host_path_severity(path, kind),
    )
