"""Upstream check ``restrictedVolumes`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_restrictedVolumes.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import RESTRICTED, CheckDef, Outcome
from hardhull.pss.controls.helpers import go_str, is_set, join_quote, pluralize

#: every inline volume source of core/v1 VolumeSource (a volume with none is an emptyDir)
VOLUME_SOURCES = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
)
RESTRICTED_VOLUME_ALLOWED = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
#: the forbidden types in the order upstream's type switch names them
RESTRICTED_VOLUME_TYPES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def restricted_volumes_1_0(w: Workload) -> Outcome | None:
    names: list[str] = []
    kinds: set[str] = set()
    pointers: list[str] = []
    for i, vol in w.volumes():
        if any(is_set(vol.get(k)) for k in RESTRICTED_VOLUME_ALLOWED):
            continue
        if not any(is_set(vol.get(k)) for k in VOLUME_SOURCES):
            continue  # defaulted to emptyDir by the API server
        names.append(go_str(vol.get("name")))
        kind = next((k for k in RESTRICTED_VOLUME_TYPES if is_set(vol.get(k))), "unknown")
        kinds.add(kind)
        pointers.append(f"{w.spec_pointer}/volumes/{i}" + (f"/{kind}" if kind != "unknown" else ""))
    if not names:
        return None
    detail = (
        f"{pluralize('volume', 'volumes', len(names))} {join_quote(names)} "
        f"{pluralize('uses', 'use', len(names))} "
        f"{pluralize('restricted volume type', 'restricted volume types', len(kinds))} "
        f"{join_quote(sorted(kinds))}"
    )
    return Outcome("restricted volume types", detail, tuple(pointers))


CHECK = CheckDef(
    "restrictedVolumes",
    RESTRICTED,
    "P013",
    "Volume Types",
    ((0, restricted_volumes_1_0),),
    overrides=("hostPathVolumes",),
)
