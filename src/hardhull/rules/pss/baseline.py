"""The baseline Pod Security Standards controls as rules (P001–P012): metadata only.

The decisions are upstream's, mirrored in :mod:`hardhull.pss.controls` (one module per check);
``hardhull pss`` reports them, the workload checks of ``hardhull scan`` do not.
"""

from __future__ import annotations

from hardhull.model import Rule, Severity
from hardhull.rules.pss import PSS, UPSTREAM

# P001
PSS_HOST_NAMESPACES = PSS(
    "P001",
    "pss-host-namespaces",
    "Pod shares a host namespace",
    Severity.HIGH,
    what=(
        "The pod sets `hostNetwork`, `hostPID` or `hostIPC` to true (all policy versions)."
        " Upstream check `hostNamespaces` (baseline)."
    ),
    why=(
        "Host namespaces let the pod see and reach the node's processes, IPC objects and "
        "network interfaces, including services bound to localhost on the node."
    ),
    fix="Remove `hostNetwork`, `hostPID` and `hostIPC`, or set them to false.",
    example="""
spec:
  hostNetwork: false
  hostPID: false
  hostIPC: false
""",
    pss="baseline: Host Namespaces",
    cis="CIS Kubernetes Benchmark v1.9 5.2.3, 5.2.4, 5.2.5",
    checkov=("CKV_K8S_19",),
    kube_linter=("host-ipc", "host-network", "host-pid"),
    refs=(UPSTREAM + "check_hostNamespaces.go",),
    trivy=("KSV008", "KSV009", "KSV010"),
)


# P002
PSS_PRIVILEGED = PSS(
    "P002",
    "pss-privileged",
    "Container runs privileged",
    Severity.CRITICAL,
    what=(
        "A container sets `securityContext.privileged: true` (all policy versions)."
        " Upstream check `privileged` (baseline)."
    ),
    why=(
        "A privileged container has every capability and every host device, and is not "
        "confined by seccomp or AppArmor: escaping to the node is trivial."
    ),
    fix="Remove `privileged: true`; grant the one capability the workload needs instead.",
    example="""
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
    refs=(UPSTREAM + "check_privileged.go",),
)


# P003
PSS_CAPABILITIES_BASELINE = PSS(
    "P003",
    "pss-capabilities-baseline",
    "Container adds a non-default capability",
    Severity.HIGH,
    what=(
        "A container adds a capability outside the container runtime's default set "
        "(AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, "
        "SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) in `securityContext.capabilities.add`."
        " Upstream check `capabilities_baseline` (baseline)."
    ),
    why=(
        "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or NET_RAW hand the container "
        "kernel powers that are the usual first step of a container escape."
    ),
    fix="Remove the capability from `capabilities.add`; redesign the workload if it needs it.",
    example="""
containers:
  - name: app
    securityContext:
      capabilities:
        add: ["NET_BIND_SERVICE"]
""",
    pss="baseline: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.9",
    refs=(UPSTREAM + "check_capabilities_baseline.go",),
)


# P004
PSS_HOST_PATH_VOLUMES = PSS(
    "P004",
    "pss-host-path-volumes",
    "Pod mounts a hostPath volume",
    Severity.HIGH,
    what=(
        "A volume is of type `hostPath` (all policy versions; at the restricted level this is "
        "reported by P013, which replaces this check)."
        " Upstream check `hostPathVolumes` (baseline)."
    ),
    why=(
        "A hostPath volume exposes the node's file system: the container runtime socket, "
        "kubelet credentials or `/etc` are a mount away from taking over the node."
    ),
    fix="Use an `emptyDir`, `configMap`, `secret`, `projected` or persistent volume instead.",
    example="""
volumes:
  - name: cache
    emptyDir: {}
""",
    pss="baseline: HostPath Volumes",
    cis="CIS Kubernetes Benchmark v1.9 5.2.12",
    kube_linter=("host-mounts",),
    refs=(UPSTREAM + "check_hostPathVolumes.go",),
)


# P005
PSS_HOST_PORTS = PSS(
    "P005",
    "pss-host-ports",
    "Container uses a host port",
    Severity.MEDIUM,
    what=(
        "A container port sets a non-zero `hostPort` (all policy versions). A Pod on the host "
        "network gets `hostPort` = `containerPort` by API defaulting, so it fails too."
        " Upstream check `hostPorts` (baseline)."
    ),
    why=(
        "A host port binds the node's network interface, bypasses network policies on the pod "
        "network and limits scheduling to nodes where the port is free."
    ),
    fix="Remove `hostPort`; expose the workload through a Service (or an Ingress) instead.",
    example="""
containers:
  - name: app
    ports:
      - containerPort: 8080
""",
    pss="baseline: Host Ports",
    cis="CIS Kubernetes Benchmark v1.9 5.2.13",
    trivy=("KSV024",),
    checkov=("CKV_K8S_26",),
    refs=(UPSTREAM + "check_hostPorts.go",),
)


# P006
PSS_APPARMOR = PSS(
    "P006",
    "pss-apparmor",
    "AppArmor profile overridden or disabled",
    Severity.MEDIUM,
    what=(
        "The pod or a container sets `securityContext.appArmorProfile.type` to something "
        "other than `RuntimeDefault` or `Localhost`, or an annotation "
        "`container.apparmor.security.beta.kubernetes.io/*` to something other than "
        "`runtime/default`, `localhost/*` or empty (all policy versions)."
        " Upstream check `appArmorProfile` (baseline)."
    ),
    why=(
        "An `Unconfined` profile removes the mandatory access control that the runtime's "
        "default AppArmor profile applies on supported hosts."
    ),
    fix="Drop the override, or use `RuntimeDefault` or a reviewed `Localhost` profile.",
    example="""
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
""",
    pss="baseline: AppArmor",
    refs=(UPSTREAM + "check_appArmorProfile.go",),
    trivy=("KSV002",),
)


# P007
PSS_SELINUX = PSS(
    "P007",
    "pss-selinux",
    "Custom SELinux type, user or role",
    Severity.MEDIUM,
    what=(
        "The pod or a container sets `seLinuxOptions.type` outside `container_t`, "
        "`container_init_t`, `container_kvm_t` (plus `container_engine_t` from v1.31), or "
        "sets `seLinuxOptions.user` or `seLinuxOptions.role`."
        " Upstream check `seLinuxOptions` (baseline)."
    ),
    why=(
        "A custom SELinux type, user or role can lift the confinement SELinux puts on "
        "containers (for example `spc_t` is unconfined)."
    ),
    fix="Remove `type`, `user` and `role` from `seLinuxOptions`; setting `level` is allowed.",
    example="""
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
""",
    pss="baseline: SELinux",
    refs=(UPSTREAM + "check_seLinuxOptions.go",),
    trivy=("KSV025",),
)


# P008
PSS_PROC_MOUNT = PSS(
    "P008",
    "pss-proc-mount",
    "Container unmasks /proc",
    Severity.MEDIUM,
    what=(
        "A container sets `securityContext.procMount` to anything but `Default`. From policy "
        "v1.35 a pod in a user namespace (`hostUsers: false`) may do so at the baseline level."
        " Upstream check `procMount` (baseline)."
    ),
    why=(
        "The default /proc masks hide kernel interfaces; an unmasked /proc widens the attack "
        "surface on the node's kernel."
    ),
    fix="Remove `procMount` or set it to `Default`.",
    example="""
containers:
  - name: app
    securityContext:
      procMount: Default
""",
    pss="baseline: /proc Mount Type",
    refs=(UPSTREAM + "check_procMount_baseline.go",),
)


# P009
PSS_SECCOMP_BASELINE = PSS(
    "P009",
    "pss-seccomp-baseline",
    "Seccomp disabled",
    Severity.MEDIUM,
    what=(
        "Policy v1.19 and later: the pod or a container sets `seccompProfile.type` to anything "
        "but `RuntimeDefault` or `Localhost` (typically `Unconfined`). Before v1.19: a seccomp "
        "annotation is set to anything but `runtime/default`, `docker/default` or `localhost/*`."
        " Upstream check `seccompProfile_baseline` (baseline)."
    ),
    why=(
        "Without seccomp every system call of the kernel is reachable from the container, "
        "including the rarely used ones where kernel exploits live."
    ),
    fix="Remove the `Unconfined` profile, or set `type: RuntimeDefault`.",
    example="""
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
""",
    pss="baseline: Seccomp",
    cis="CIS Kubernetes Benchmark v1.9 5.7.2",
    refs=(UPSTREAM + "check_seccompProfile_baseline.go",),
)


# P010
PSS_SYSCTLS = PSS(
    "P010",
    "pss-sysctls",
    "Unsafe sysctl",
    Severity.MEDIUM,
    what=(
        "The pod sets a sysctl outside the safe set of its policy version (v1.0: "
        "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, "
        "net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start; "
        "v1.27: + net.ipv4.ip_local_reserved_ports; v1.29: + net.ipv4.tcp_keepalive_time, "
        "net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes; "
        "v1.32: + net.ipv4.tcp_rmem, net.ipv4.tcp_wmem; v1.37: + "
        "net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat)."
        " Upstream check `sysctls` (baseline)."
    ),
    why="Other sysctls can disable security mechanisms or affect every pod on the node.",
    fix="Remove the sysctl, or set it on the node (and taint the node for this workload).",
    example="""
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_unprivileged_port_start
        value: "80"
""",
    pss="baseline: Sysctls",
    trivy=("KSV026",),
    refs=(UPSTREAM + "check_sysctls.go",),
)


# P011
PSS_WINDOWS_HOST_PROCESS = PSS(
    "P011",
    "pss-windows-host-process",
    "Windows HostProcess container",
    Severity.CRITICAL,
    what=(
        "The pod or a container sets `securityContext.windowsOptions.hostProcess: true`."
        " Upstream check `windowsHostProcess` (baseline)."
    ),
    why="A Windows HostProcess container runs directly on the host with host privileges.",
    fix="Remove `hostProcess: true`; run node administration outside the workload namespace.",
    example="""
spec:
  securityContext:
    windowsOptions:
      hostProcess: false
""",
    pss="baseline: HostProcess",
    refs=(UPSTREAM + "check_windowsHostProcess.go",),
)


# P012
PSS_PROBE_LIFECYCLE_HOST = PSS(
    "P012",
    "pss-probe-lifecycle-host",
    "Probe or lifecycle hook targets another host",
    Severity.MEDIUM,
    what=(
        "A probe (`livenessProbe`, `readinessProbe`, `startupProbe`) or lifecycle hook "
        "(`postStart`, `preStop`) sets `httpGet.host` or `tcpSocket.host` (policy v1.34 and "
        "later)."
        " Upstream check `hostProbesAndHostLifecycle` (baseline)."
    ),
    why=(
        "The kubelet makes these requests from the node: a host field turns the kubelet into "
        "a proxy towards addresses the pod itself cannot reach."
    ),
    fix="Remove `host`; the kubelet then targets the pod's own IP.",
    example="""
livenessProbe:
  httpGet:
    path: /healthz
    port: 8080
""",
    pss="baseline: Host Probes / Lifecycle Hooks",
    refs=(UPSTREAM + "check_hostProbesAndhostLifecycle.go",),
)


RULES: tuple[Rule, ...] = (
    PSS_HOST_NAMESPACES,
    PSS_PRIVILEGED,
    PSS_CAPABILITIES_BASELINE,
    PSS_HOST_PATH_VOLUMES,
    PSS_HOST_PORTS,
    PSS_APPARMOR,
    PSS_SELINUX,
    PSS_PROC_MOUNT,
    PSS_SECCOMP_BASELINE,
    PSS_SYSCTLS,
    PSS_WINDOWS_HOST_PROCESS,
    PSS_PROBE_LIFECYCLE_HOST,
)
