"""Rule metadata of the Pod Security Standards controls: codes P001–P019, one per upstream check.

Registered on import (``hardhull.rules.load_all_checks`` imports this module) so that
``hardhull rules P003`` explains them. They are reported by ``hardhull pss``, not by the
workload checks of ``hardhull scan``.
"""

from __future__ import annotations

from hardhull.model import Rule, Severity
from hardhull.pss.controls import CHECKS
from hardhull.registry import register

PSS_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
UPSTREAM = (
    "https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/"
    "pod-security-admission/policy/"
)
CATEGORY = "pod-security-standards"

#: check ID → upstream source file name
_FILES = {
    "procMount": "check_procMount_baseline.go",
    "hostProbesAndHostLifecycle": "check_hostProbesAndhostLifecycle.go",
}


def _file(check_id: str) -> str:
    return _FILES.get(check_id, f"check_{check_id}.go")


def _rule(
    check_id: str,
    slug: str,
    title: str,
    severity: Severity,
    what: str,
    why: str,
    fix: str,
    example: str,
    *,
    pss: str,
    cis: str = "",
    trivy: tuple[str, ...] = (),
    checkov: tuple[str, ...] = (),
    kube_linter: tuple[str, ...] = (),
) -> Rule:
    check = next(c for c in CHECKS if c.check_id == check_id)
    return Rule(
        code=check.code,
        slug=slug,
        title=title,
        severity=severity,
        category=CATEGORY,
        what=what + f" Upstream check `{check_id}` ({check.level}).",
        why=why,
        fix=fix,
        example=example.strip("\n"),
        references=(PSS_DOC, UPSTREAM + _file(check_id)),
        pss=pss,
        cis=cis,
        trivy=trivy,
        checkov=checkov,
        kube_linter=kube_linter,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "hostNamespaces",
        "pss-host-namespaces",
        "Pod shares a host namespace",
        Severity.HIGH,
        "The pod sets `hostNetwork`, `hostPID` or `hostIPC` to true (all policy versions).",
        "Host namespaces let the pod see and reach the node's processes, IPC objects and "
        "network interfaces, including services bound to localhost on the node.",
        "Remove `hostNetwork`, `hostPID` and `hostIPC`, or set them to false.",
        """
spec:
  hostNetwork: false
  hostPID: false
  hostIPC: false
""",
        pss="baseline: Host Namespaces",
        cis="CIS Kubernetes Benchmark v1.9 5.2.3, 5.2.4, 5.2.5",
        trivy=("KSV008", "KSV009", "KSV010"),
        checkov=("CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"),
        kube_linter=("host-ipc", "host-network", "host-pid"),
    ),
    _rule(
        "privileged",
        "pss-privileged",
        "Container runs privileged",
        Severity.CRITICAL,
        "A container sets `securityContext.privileged: true` (all policy versions).",
        "A privileged container has every capability and every host device, and is not "
        "confined by seccomp or AppArmor: escaping to the node is trivial.",
        "Remove `privileged: true`; grant the one capability the workload needs instead.",
        """
containers:
  - name: app
    securityContext:
      privileged: false
""",
        pss="baseline: Privileged Containers",
        cis="CIS Kubernetes Benchmark v1.9 5.2.2",
        trivy=("KSV017",),
        checkov=("CKV_K8S_16",),
        kube_linter=("privileged-container",),
    ),
    _rule(
        "capabilities_baseline",
        "pss-capabilities-baseline",
        "Container adds a non-default capability",
        Severity.HIGH,
        "A container adds a capability outside the container runtime's default set "
        "(AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, "
        "SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) in `securityContext.capabilities.add`.",
        "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or NET_RAW hand the container "
        "kernel powers that are the usual first step of a container escape.",
        "Remove the capability from `capabilities.add`; redesign the workload if it needs it.",
        """
containers:
  - name: app
    securityContext:
      capabilities:
        add: ["NET_BIND_SERVICE"]
""",
        pss="baseline: Capabilities",
        cis="CIS Kubernetes Benchmark v1.9 5.2.9",
        trivy=("KSV022",),
        checkov=("CKV_K8S_25", "CKV_K8S_39"),
    ),
    _rule(
        "hostPathVolumes",
        "pss-host-path-volumes",
        "Pod mounts a hostPath volume",
        Severity.HIGH,
        "A volume is of type `hostPath` (all policy versions; at the restricted level this is "
        "reported by P013, which replaces this check).",
        "A hostPath volume exposes the node's file system: the container runtime socket, "
        "kubelet credentials or `/etc` are a mount away from taking over the node.",
        "Use an `emptyDir`, `configMap`, `secret`, `projected` or persistent volume instead.",
        """
volumes:
  - name: cache
    emptyDir: {}
""",
        pss="baseline: HostPath Volumes",
        cis="CIS Kubernetes Benchmark v1.9 5.2.12",
        trivy=("KSV023",),
        kube_linter=("host-mounts",),
    ),
    _rule(
        "hostPorts",
        "pss-host-ports",
        "Container uses a host port",
        Severity.MEDIUM,
        "A container port sets a non-zero `hostPort` (all policy versions). A Pod on the host "
        "network gets `hostPort` = `containerPort` by API defaulting, so it fails too.",
        "A host port binds the node's network interface, bypasses network policies on the pod "
        "network and limits scheduling to nodes where the port is free.",
        "Remove `hostPort`; expose the workload through a Service (or an Ingress) instead.",
        """
containers:
  - name: app
    ports:
      - containerPort: 8080
""",
        pss="baseline: Host Ports",
        cis="CIS Kubernetes Benchmark v1.9 5.2.13",
        trivy=("KSV024",),
        checkov=("CKV_K8S_26",),
    ),
    _rule(
        "appArmorProfile",
        "pss-apparmor",
        "AppArmor profile overridden or disabled",
        Severity.MEDIUM,
        "The pod or a container sets `securityContext.appArmorProfile.type` to something "
        "other than `RuntimeDefault` or `Localhost`, or an annotation "
        "`container.apparmor.security.beta.kubernetes.io/*` to something other than "
        "`runtime/default`, `localhost/*` or empty (all policy versions).",
        "An `Unconfined` profile removes the mandatory access control that the runtime's "
        "default AppArmor profile applies on supported hosts.",
        "Drop the override, or use `RuntimeDefault` or a reviewed `Localhost` profile.",
        """
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
""",
        pss="baseline: AppArmor",
        trivy=("KSV002",),
    ),
    _rule(
        "seLinuxOptions",
        "pss-selinux",
        "Custom SELinux type, user or role",
        Severity.MEDIUM,
        "The pod or a container sets `seLinuxOptions.type` outside `container_t`, "
        "`container_init_t`, `container_kvm_t` (plus `container_engine_t` from v1.31), or "
        "sets `seLinuxOptions.user` or `seLinuxOptions.role`.",
        "A custom SELinux type, user or role can lift the confinement SELinux puts on "
        "containers (for example `spc_t` is unconfined).",
        "Remove `type`, `user` and `role` from `seLinuxOptions`; setting `level` is allowed.",
        """
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
""",
        pss="baseline: SELinux",
        trivy=("KSV025",),
    ),
    _rule(
        "procMount",
        "pss-proc-mount",
        "Container unmasks /proc",
        Severity.MEDIUM,
        "A container sets `securityContext.procMount` to anything but `Default`. From policy "
        "v1.35 a pod in a user namespace (`hostUsers: false`) may do so at the baseline level.",
        "The default /proc masks hide kernel interfaces; an unmasked /proc widens the attack "
        "surface on the node's kernel.",
        "Remove `procMount` or set it to `Default`.",
        """
containers:
  - name: app
    securityContext:
      procMount: Default
""",
        pss="baseline: /proc Mount Type",
        trivy=("KSV027",),
    ),
    _rule(
        "seccompProfile_baseline",
        "pss-seccomp-baseline",
        "Seccomp disabled",
        Severity.MEDIUM,
        "Policy v1.19 and later: the pod or a container sets `seccompProfile.type` to anything "
        "but `RuntimeDefault` or `Localhost` (typically `Unconfined`). Before v1.19: a seccomp "
        "annotation is set to anything but `runtime/default`, `docker/default` or `localhost/*`.",
        "Without seccomp every system call of the kernel is reachable from the container, "
        "including the rarely used ones where kernel exploits live.",
        "Remove the `Unconfined` profile, or set `type: RuntimeDefault`.",
        """
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
""",
        pss="baseline: Seccomp",
        cis="CIS Kubernetes Benchmark v1.9 5.7.2",
        trivy=("KSV104",),
    ),
    _rule(
        "sysctls",
        "pss-sysctls",
        "Unsafe sysctl",
        Severity.MEDIUM,
        "The pod sets a sysctl outside the safe set of its policy version (v1.0: "
        "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, "
        "net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start; "
        "v1.27: + net.ipv4.ip_local_reserved_ports; v1.29: + net.ipv4.tcp_keepalive_time, "
        "net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes; "
        "v1.32: + net.ipv4.tcp_rmem, net.ipv4.tcp_wmem; v1.37: + "
        "net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat).",
        "Other sysctls can disable security mechanisms or affect every pod on the node.",
        "Remove the sysctl, or set it on the node (and taint the node for this workload).",
        """
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_unprivileged_port_start
        value: "80"
""",
        pss="baseline: Sysctls",
        trivy=("KSV026",),
    ),
    _rule(
        "windowsHostProcess",
        "pss-windows-host-process",
        "Windows HostProcess container",
        Severity.CRITICAL,
        "The pod or a container sets `securityContext.windowsOptions.hostProcess: true`.",
        "A Windows HostProcess container runs directly on the host with host privileges.",
        "Remove `hostProcess: true`; run node administration outside the workload namespace.",
        """
spec:
  securityContext:
    windowsOptions:
      hostProcess: false
""",
        pss="baseline: HostProcess",
        trivy=("KSV103",),
    ),
    _rule(
        "hostProbesAndHostLifecycle",
        "pss-probe-lifecycle-host",
        "Probe or lifecycle hook targets another host",
        Severity.MEDIUM,
        "A probe (`livenessProbe`, `readinessProbe`, `startupProbe`) or lifecycle hook "
        "(`postStart`, `preStop`) sets `httpGet.host` or `tcpSocket.host` (policy v1.34 and "
        "later).",
        "The kubelet makes these requests from the node: a host field turns the kubelet into "
        "a proxy towards addresses the pod itself cannot reach.",
        "Remove `host`; the kubelet then targets the pod's own IP.",
        """
livenessProbe:
  httpGet:
    path: /healthz
    port: 8080
""",
        pss="baseline: Host Probes / Lifecycle Hooks",
    ),
    _rule(
        "restrictedVolumes",
        "pss-volume-types",
        "Volume type not allowed by restricted",
        Severity.MEDIUM,
        "A volume is of a type other than configMap, csi, downwardAPI, emptyDir, ephemeral, "
        "image, persistentVolumeClaim, projected or secret (a volume without a source is an "
        "emptyDir). Replaces P004 at the restricted level.",
        "Inline network and host volume types bypass the PersistentVolume layer that cluster "
        "administrators control, and hostPath reaches the node's files.",
        "Use a persistentVolumeClaim for storage, and configMap/secret/projected for config.",
        """
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
""",
        pss="restricted: Volume Types",
        trivy=("KSV028",),
    ),
    _rule(
        "allowPrivilegeEscalation",
        "pss-privilege-escalation",
        "Privilege escalation not disabled",
        Severity.MEDIUM,
        "A container does not set `securityContext.allowPrivilegeEscalation: false` (policy "
        "v1.8 and later; Windows pods, `spec.os.name: windows`, are exempt from v1.25).",
        "Without `no_new_privs` a process can gain privileges through setuid binaries or file "
        "capabilities.",
        "Set `allowPrivilegeEscalation: false` on every container, init and ephemeral ones too.",
        """
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
    ),
    _rule(
        "runAsNonRoot",
        "pss-run-as-non-root",
        "runAsNonRoot not required",
        Severity.MEDIUM,
        "Neither the pod nor every container sets `runAsNonRoot: true`, or one sets it to "
        "false. From policy v1.35 pods in a user namespace (`hostUsers: false`) are exempt.",
        "A container running as root is one kernel or runtime bug away from root on the node.",
        "Set `runAsNonRoot: true` in the pod's securityContext and run as a non-zero UID.",
        """
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
    ),
    _rule(
        "runAsUser",
        "pss-run-as-user",
        "runAsUser is 0",
        Severity.MEDIUM,
        "The pod or a container sets `runAsUser: 0` (policy v1.23 and later; from v1.35 pods "
        "in a user namespace, `hostUsers: false`, are exempt).",
        "UID 0 is root: the process owns every root-owned file in the container.",
        "Set a non-zero `runAsUser`, or leave it unset and build the image with a non-root USER.",
        """
securityContext:
  runAsUser: 10001
""",
        pss="restricted: Running as Non-root user",
        trivy=("KSV105",),
    ),
    _rule(
        "seccompProfile_restricted",
        "pss-seccomp-restricted",
        "Seccomp profile not set",
        Severity.MEDIUM,
        "The pod does not set `seccompProfile.type` to `RuntimeDefault` or `Localhost`, and a "
        "container does not set it either, or one sets another type (policy v1.19 and later; "
        "Windows pods are exempt from v1.25). Replaces P009 at the restricted level.",
        "Without a seccomp profile the container may call every system call of the kernel.",
        "Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext.",
        """
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
""",
        pss="restricted: Seccomp",
        cis="CIS Kubernetes Benchmark v1.9 5.7.2",
        trivy=("KSV030",),
        checkov=("CKV_K8S_31",),
    ),
    _rule(
        "capabilities_restricted",
        "pss-capabilities-restricted",
        "Capabilities not dropped",
        Severity.MEDIUM,
        'A container does not drop `["ALL"]` capabilities, or adds any capability other than '
        "`NET_BIND_SERVICE` (policy v1.22 and later; Windows pods are exempt from v1.25). "
        "Replaces P003 at the restricted level.",
        "The runtime's default capabilities (NET_RAW, CHOWN, SETUID…) are more than most "
        "applications need and widen what a compromised process can do.",
        'Set `capabilities: {drop: ["ALL"]}` and add back only `NET_BIND_SERVICE` if needed.',
        """
securityContext:
  capabilities:
    drop: ["ALL"]
""",
        pss="restricted: Capabilities",
        cis="CIS Kubernetes Benchmark v1.9 5.2.8, 5.2.10",
        trivy=("KSV003",),
        checkov=("CKV_K8S_28", "CKV_K8S_37"),
        kube_linter=("drop-net-raw-capability",),
    ),
    _rule(
        "procMount_restricted",
        "pss-proc-mount-restricted",
        "Container unmasks /proc (restricted)",
        Severity.MEDIUM,
        "A container sets `securityContext.procMount` to anything but `Default`, also in a "
        "user namespace (policy v1.35 and later; replaces P008 at the restricted level).",
        "The default /proc masks hide kernel interfaces; restricted keeps them even for pods "
        "in a user namespace.",
        "Remove `procMount` or set it to `Default`.",
        """
containers:
  - name: app
    securityContext:
      procMount: Default
""",
        pss="restricted: /proc Mount Type",
        trivy=("KSV027",),
    ),
)

for _r in RULES:
    register(_r)

#: rule code → Rule
BY_CODE = {r.code: r for r in RULES}
