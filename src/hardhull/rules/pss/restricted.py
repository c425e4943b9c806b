"""The restricted Pod Security Standards controls as rules (P013–P019): metadata only.

The decisions are upstream's, mirrored in :mod:`hardhull.pss.controls` (one module per check);
``hardhull pss`` reports them, the workload checks of ``hardhull scan`` do not.
"""

from __future__ import annotations

from hardhull.model import Rule, Severity
from hardhull.rules.pss import PSS, UPSTREAM

# P013
PSS_VOLUME_TYPES = PSS(
    "P013",
    "pss-volume-types",
    "Volume type not allowed by restricted",
    Severity.MEDIUM,
    what=(
        "A volume is of a type other than configMap, csi, downwardAPI, emptyDir, ephemeral, "
        "image, persistentVolumeClaim, projected or secret (a volume without a source is an "
        "emptyDir). Replaces P004 at the restricted level."
        " Upstream check `restrictedVolumes` (restricted)."
    ),
    why=(
        "Inline network and host volume types bypass the PersistentVolume layer that cluster "
        "administrators control, and hostPath reaches the node's files."
    ),
    fix="Use a persistentVolumeClaim for storage, and configMap/secret/projected for config.",
    example="""
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
""",
    pss="restricted: Volume Types",
    trivy=("KSV023", "KSV121"),
    refs=(UPSTREAM + "check_restrictedVolumes.go",),
)


# P014
PSS_PRIVILEGE_ESCALATION = PSS(
    "P014",
    "pss-privilege-escalation",
    "Privilege escalation not disabled",
    Severity.MEDIUM,
    what=(
        "A container does not set `securityContext.allowPrivilegeEscalation: false` (policy "
        "v1.8 and later; Windows pods, `spec.os.name: windows`, are exempt from v1.25)."
        " Upstream check `allowPrivilegeEscalation` (restricted)."
    ),
    why=(
        "Without `no_new_privs` a process can gain privileges through setuid binaries or file "
        "capabilities."
    ),
    fix="Set `allowPrivilegeEscalation: false` on every container, init and ephemeral ones too.",
    example="""
containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
""",
    pss="restricted: Privilege Escalation",
    cis="CIS Kubernetes Benchmark v1.9 5.2.6",
    trivy=("KSV001",),
    checkov=("CKV_K8S_20",),
    kube_linter=("privilege-escalation-container",),
    refs=(UPSTREAM + "check_allowPrivilegeEscalation.go",),
)


# P015
PSS_RUN_AS_NON_ROOT = PSS(
    "P015",
    "pss-run-as-non-root",
    "runAsNonRoot not required",
    Severity.MEDIUM,
    what=(
        "Neither the pod nor every container sets `runAsNonRoot: true`, or one sets it to "
        "false. From policy v1.35 pods in a user namespace (`hostUsers: false`) are exempt."
        " Upstream check `runAsNonRoot` (restricted)."
    ),
    why="A container running as root is one kernel or runtime bug away from root on the node.",
    fix="Set `runAsNonRoot: true` in the pod's securityContext and run as a non-zero UID.",
    example="""
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
""",
    pss="restricted: Running as Non-root",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
    trivy=("KSV012",),
    checkov=("CKV_K8S_23",),
    kube_linter=("run-as-non-root",),
    refs=(UPSTREAM + "check_runAsNonRoot.go",),
)


# P016
PSS_RUN_AS_USER = PSS(
    "P016",
    "pss-run-as-user",
    "runAsUser is 0",
    Severity.MEDIUM,
    what=(
        "The pod or a container sets `runAsUser: 0` (policy v1.23 and later; from v1.35 pods "
        "in a user namespace, `hostUsers: false`, are exempt)."
        " Upstream check `runAsUser` (restricted)."
    ),
    why="UID 0 is root: the process owns every root-owned file in the container.",
    fix="Set a non-zero `runAsUser`, or leave it unset and build the image with a non-root USER.",
    example="""
securityContext:
  runAsUser: 10001
""",
    pss="restricted: Running as Non-root user",
    trivy=("KSV105",),
    refs=(UPSTREAM + "check_runAsUser.go",),
)


# P017
PSS_SECCOMP_RESTRICTED = PSS(
    "P017",
    "pss-seccomp-restricted",
    "Seccomp profile not set",
    Severity.MEDIUM,
    what=(
        "The pod does not set `seccompProfile.type` to `RuntimeDefault` or `Localhost`, and a "
        "container does not set it either, or one sets another type (policy v1.19 and later; "
        "Windows pods are exempt from v1.25). Replaces P009 at the restricted level."
        " Upstream check `seccompProfile_restricted` (restricted)."
    ),
    why="Without a seccomp profile the container may call every system call of the kernel.",
    fix="Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext.",
    example="""
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
""",
    pss="restricted: Seccomp",
    cis="CIS Kubernetes Benchmark v1.9 5.7.2",
    trivy=("KSV030", "KSV104"),
    refs=(UPSTREAM + "check_seccompProfile_restricted.go",),
)


# P018
PSS_CAPABILITIES_RESTRICTED = PSS(
    "P018",
    "pss-capabilities-restricted",
    "Capabilities not dropped",
    Severity.MEDIUM,
    what=(
        'A container does not drop `["ALL"]` capabilities, or adds any capability other than '
        "`NET_BIND_SERVICE` (policy v1.22 and later; Windows pods are exempt from v1.25). "
        "Replaces P003 at the restricted level."
        " Upstream check `capabilities_restricted` (restricted)."
    ),
    why=(
        "The runtime's default capabilities (NET_RAW, CHOWN, SETUID…) are more than most "
        "applications need and widen what a compromised process can do."
    ),
    fix='Set `capabilities: {drop: ["ALL"]}` and add back only `NET_BIND_SERVICE` if needed.',
    example="""
securityContext:
  capabilities:
    drop: ["ALL"]
""",
    pss="restricted: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.8, 5.2.10",
    trivy=("KSV003", "KSV022", "KSV106", "KSV119"),
    checkov=("CKV_K8S_25",),
    kube_linter=("drop-net-raw-capability",),
    refs=(UPSTREAM + "check_capabilities_restricted.go",),
)


# P019
PSS_PROC_MOUNT_RESTRICTED = PSS(
    "P019",
    "pss-proc-mount-restricted",
    "Container unmasks /proc (restricted)",
    Severity.MEDIUM,
    what=(
        "A container sets `securityContext.procMount` to anything but `Default`, also in a "
        "user namespace (policy v1.35 and later; replaces P008 at the restricted level)."
        " Upstream check `procMount_restricted` (restricted)."
    ),
    why=(
        "The default /proc masks hide kernel interfaces; restricted keeps them even for pods "
        "in a user namespace."
    ),
    fix="Remove `procMount` or set it to `Default`.",
    example="""
containers:
  - name: app
    securityContext:
      procMount: Default
""",
    pss="restricted: /proc Mount Type",
    refs=(UPSTREAM + "check_procMount_restricted.go",),
    trivy=("KSV027",),
)


RULES: tuple[Rule, ...] = (
    PSS_VOLUME_TYPES,
    PSS_PRIVILEGE_ESCALATION,
    PSS_RUN_AS_NON_ROOT,
    PSS_RUN_AS_USER,
    PSS_SECCOMP_RESTRICTED,
    PSS_CAPABILITIES_RESTRICTED,
    PSS_PROC_MOUNT_RESTRICTED,
)
