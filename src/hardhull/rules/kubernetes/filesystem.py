"""Filesystems: a writable root filesystem (K006) and volume types outside the restricted set
(K035)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.fixes import set_field
from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule
from hardhull.rules.kubernetes.common import nearest_sc_pointer

READ_ONLY = workload_rule(
    "K006",
    "writable-root-filesystem",
    "Root filesystem is writable",
    Severity.MEDIUM,
    what="A container does not set `securityContext.readOnlyRootFilesystem: true`.",
    why="A writable root filesystem lets an attacker drop tools, modify binaries or plant "
    "persistence inside the running container.",
    fix="Set `readOnlyRootFilesystem: true` and mount an `emptyDir` where the application "
    "must write (for example /tmp).",
    example="""
containers:
  - name: app
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir: {}
""",
    cis="CIS Kubernetes Benchmark v1.9 5.7.3",
    nsa="Pod security: immutable container file systems",
    trivy=("KSV014",),
    checkov=("CKV_K8S_22",),
    kube_linter=("no-read-only-root-fs",),
)


# K006
@check(READ_ONLY, on=Target.WORKLOAD)
def writable_root_filesystem(w: Workload) -> Iterator[Violation]:
    if w.windows:
        return
    for c in w.containers:
        if c.sc.get("readOnlyRootFilesystem") is True:
            continue
        yield Violation(
            "K006",
            nearest_sc_pointer(c, "readOnlyRootFilesystem"),
            f"{c.label} has a writable root filesystem",
            set_field(w.obj, f"{c.sc_pointer}/readOnlyRootFilesystem", True) or None,
        )


RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
     "projected", "secret", "image"}
)  # fmt: skip


VOLUME_TYPES = workload_rule(
    "K035",
    "volume-type",
    "Volume type outside the restricted set",
    Severity.LOW,
    what="The pod uses a volume type other than configMap, csi, downwardAPI, emptyDir, ephemeral, "
    "persistentVolumeClaim, projected, secret or image (hostPath is reported by K018/K019).",
    why="In-tree volume types (nfs, iscsi, rbd, gitRepo, …) mount storage directly from the node, "
    "bypassing the PersistentVolume layer and its access controls; `gitRepo` runs git on the "
    "node.",
    fix="Use a PersistentVolumeClaim (with a StorageClass or CSI driver) instead of an inline "
    "volume source.",
    example="""
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
""",
    pss="restricted: Volume Types",
)


# K035
@check(VOLUME_TYPES, on=Target.WORKLOAD)
def volume_type(w: Workload) -> Iterator[Violation]:
    for i, v in w.volumes():
        for key in v:
            if key in ("name", "hostPath") or key in RESTRICTED_VOLUMES:
                continue
            yield Violation(
                "K035",
                f"{w.spec_pointer}/volumes/{i}/{escape(key)}",
                f"pod uses a {key} volume",
                None,
                Severity.MEDIUM if key == "gitRepo" else None,
            )
