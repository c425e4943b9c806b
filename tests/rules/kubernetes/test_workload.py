"""Every workload rule K001–K035, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import textwrap

import pytest

from hardhull.engine import evaluate
from hardhull.model import Violation
from tests.helpers.kubernetes import (
    APP,
    BASE,
    CTR_SC_AT,
    DIGEST,
    IMAGE,
    WORKLOAD_CODES,
    at,
    check,
    edit,
    objects,
    scan_text,
)

# anchors in BASE after which fragments are inserted
SPEC_AT = "  automountServiceAccountToken: false\n"
POD_SC_AT = "    runAsGroup: 10001\n"
CTR_AT = f"      image: {IMAGE}\n"
META_AT = "  namespace: shop\n"

HARDENED_INIT = f"""\
initContainers:
  - name: init
    image: {IMAGE}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
    resources:
      requests: {{cpu: 100m, memory: 64Mi}}
      limits: {{cpu: 500m, memory: 128Mi}}
"""


# --------------------------------------------------------------------------- helpers


def insert(text: str, anchor: str, fragment: str) -> str:
    """Insert ``fragment`` (dedented) after ``anchor``, indented like the anchor's line."""
    indent = anchor[: len(anchor) - len(anchor.lstrip(" "))]
    body = textwrap.indent(textwrap.dedent(fragment).strip("\n") + "\n", indent)
    return edit(text, (anchor, anchor + body))


def spec(fragment: str, text: str = BASE) -> str:
    return insert(text, SPEC_AT, fragment)


def pod_sc(fragment: str, text: str = BASE) -> str:
    return insert(text, POD_SC_AT, fragment)


def ctr(fragment: str, text: str = BASE) -> str:
    return insert(text, CTR_AT, fragment)


def ctr_sc(fragment: str, text: str = BASE) -> str:
    return insert(text, CTR_SC_AT, fragment)


def drop(text: str, *lines: str) -> str:
    return edit(text, *((line, "") for line in lines))


def violations(text: str) -> list[Violation]:
    (obj,) = objects(text)
    return [v for v in evaluate(obj.data) if v.code in WORKLOAD_CODES]


C0 = "/spec/containers/0"
CTR_SC = ("securityContext:", 2)  # the container's (the pod's comes first)


def test_base_is_clean() -> None:
    assert scan_text(BASE) == []


# --------------------------------------------------------------------------- K001 privileged


def test_k001_privileged() -> None:
    text = ctr_sc("privileged: true")
    check(
        text,
        ("K001", f"{C0}/securityContext/privileged", "privileged", f"{APP} runs privileged",
         "critical"),
    )  # fmt: skip


@pytest.mark.parametrize("value", ["false", '"true"', "'yes'", "1"])
def test_k001_not_privileged(value: str) -> None:
    # a quoted "true" is a string: the API server rejects the pod, it never runs privileged
    assert scan_text(ctr_sc(f"privileged: {value}")) == []


def test_k001_init_and_ephemeral_containers() -> None:
    text = spec(
        """
        initContainers:
          - name: setup
            image: @IMG@
            securityContext: {privileged: true, allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
            resources: {requests: {cpu: 1m, memory: 1Mi}, limits: {cpu: 1m, memory: 1Mi}}
        ephemeralContainers:
          - name: debugger
            image: @IMG@
            securityContext: {privileged: true, allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        """.replace("@IMG@", IMAGE)
    )
    check(
        text,
        ("K001", "/spec/initContainers/0/securityContext/privileged", ("privileged", 1),
         'init container "setup" runs privileged', "critical"),
        ("K001", "/spec/ephemeralContainers/0/securityContext/privileged", ("privileged", 2),
         'ephemeral container "debugger" runs privileged', "critical"),
    )  # fmt: skip


# --------------------------------------------------------------------------- K002 escalation


def test_k002_missing() -> None:
    text = drop(BASE, "        allowPrivilegeEscalation: false\n")
    check(
        text,
        ("K002", f"{C0}/securityContext", CTR_SC,
         f"{APP} does not disable privilege escalation (set allowPrivilegeEscalation: false)",
         "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [
        {"op": "add", "path": f"{C0}/securityContext/allowPrivilegeEscalation", "value": False}
    ]


def test_k002_true() -> None:
    text = edit(BASE, ("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"))
    check(
        text,
        ("K002", f"{C0}/securityContext/allowPrivilegeEscalation", "allowPrivilegeEscalation",
         f"{APP} allows privilege escalation (set allowPrivilegeEscalation: false)", "medium"),
    )  # fmt: skip


def test_k002_privileged_has_no_fix() -> None:
    # the API server rejects allowPrivilegeEscalation: false next to privileged: true
    text = ctr_sc("privileged: true", drop(BASE, "        allowPrivilegeEscalation: false\n"))
    assert sorted((v.code, v.fix) for v in violations(text)) == [
        ("K001", [{"op": "replace", "path": f"{C0}/securityContext/privileged", "value": False}]),
        ("K002", None),
    ]


def test_k002_windows_is_skipped() -> None:
    text = spec("os: {name: windows}", drop(BASE, "        allowPrivilegeEscalation: false\n"))
    assert scan_text(text) == []


# --------------------------------------------------------------------------- K003–K005 users

NO_POD_USER = ("    runAsNonRoot: true\n", "    runAsUser: 10001\n")


def test_k003_may_run_as_root() -> None:
    text = drop(BASE, *NO_POD_USER)
    check(
        text,
        ("K003", f"{C0}/securityContext", CTR_SC,
         f"{APP} may run as root (no runAsNonRoot: true and no non-zero runAsUser)", "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [{"op": "add", "path": "/spec/securityContext/runAsNonRoot", "value": True}]


def test_k003_container_false_overrides_pod_true() -> None:
    text = ctr_sc("runAsNonRoot: false", drop(BASE, "    runAsUser: 10001\n"))
    check(
        text,
        ("K003", f"{C0}/securityContext/runAsNonRoot", "runAsNonRoot: false",
         f"{APP} sets runAsNonRoot: false (no runAsNonRoot: true and no non-zero runAsUser)",
         "medium"),
    )  # fmt: skip


def test_k003_pod_user_with_container_nonroot_false_runs_as_that_user() -> None:
    # runAsNonRoot: false does not make the process root: the pod's uid 1000 still applies
    text = ctr_sc(
        "runAsNonRoot: false",
        edit(BASE, ("runAsUser: 10001", "runAsUser: 1000"), ("    runAsNonRoot: true\n", "")),
    )
    check(
        text,
        ("K005", "/spec/securityContext/runAsUser", "runAsUser",
         f"{APP} runs as low uid 1000 (below 10000)", "low"),
    )  # fmt: skip


def test_k003_non_zero_uid_is_enough() -> None:
    assert scan_text(drop(BASE, "    runAsNonRoot: true\n")) == []


def test_k003_pod_level_false_is_one_finding_for_all_containers() -> None:
    text = spec(
        HARDENED_INIT,
        edit(BASE, ("runAsNonRoot: true", "runAsNonRoot: false"), ("    runAsUser: 10001\n", "")),
    )
    check(
        text,
        ("K003", "/spec/securityContext/runAsNonRoot", "runAsNonRoot",
         f'init container "init", {APP} set runAsNonRoot: false (no runAsNonRoot: true and no '
         "non-zero runAsUser)", "medium"),
    )  # fmt: skip


def test_k003_windows_uses_the_user_name() -> None:
    windows = spec("os: {name: windows}", drop(BASE, *NO_POD_USER))
    check(
        windows,
        ("K003", f"{C0}/securityContext", CTR_SC,
         f"{APP} may run as root (no runAsNonRoot: true and no non-zero runAsUser)", "medium"),
    )  # fmt: skip
    assert scan_text(pod_sc("windowsOptions: {runAsUserName: ContainerUser}", windows)) == []


def test_k004_container_uid_0_overrides_pod_non_root() -> None:
    text = ctr_sc("runAsUser: 0")
    check(
        text,
        ("K004", f"{C0}/securityContext/runAsUser", "runAsUser: 0",
         f"{APP} runs as uid 0 (root)", "high"),
    )  # fmt: skip


def test_k004_pod_uid_0_is_one_finding() -> None:
    text = spec(HARDENED_INIT, edit(BASE, ("runAsUser: 10001", "runAsUser: 0")))
    check(
        text,
        ("K004", "/spec/securityContext/runAsUser", "runAsUser",
         f'init container "init", {APP} run as uid 0 (root)', "high"),
    )  # fmt: skip


def test_k004_container_overrides_pod_uid_0() -> None:
    text = ctr_sc("runAsUser: 10002", edit(BASE, ("runAsUser: 10001", "runAsUser: 0")))
    assert scan_text(text) == []


def test_k005_low_uid() -> None:
    text = ctr_sc("runAsUser: 999")
    check(
        text,
        ("K005", f"{C0}/securityContext/runAsUser", "runAsUser: 999",
         f"{APP} runs as low uid 999 (below 10000)", "low"),
    )  # fmt: skip
    assert scan_text(ctr_sc("runAsUser: 10000")) == []


# --------------------------------------------------------------------------- K006 filesystem


def test_k006_writable_root() -> None:
    text = drop(BASE, CTR_SC_AT)
    check(
        text,
        ("K006", f"{C0}/securityContext", CTR_SC, f"{APP} has a writable root filesystem",
         "medium"),
    )  # fmt: skip
    text = edit(BASE, ("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
    check(
        text,
        ("K006", f"{C0}/securityContext/readOnlyRootFilesystem", "readOnlyRootFilesystem",
         f"{APP} has a writable root filesystem", "medium"),
    )  # fmt: skip


# --------------------------------------------------------------------------- K007–K009 caps


def test_k007_drop_missing() -> None:
    text = edit(BASE, ('drop: ["ALL"]', 'drop: ["NET_RAW"]'))
    check(
        text,
        ("K007", f"{C0}/securityContext/capabilities/drop", "drop:",
         f'{APP} does not drop ALL capabilities (capabilities.drop: ["ALL"])', "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [
        {"op": "add", "path": f"{C0}/securityContext/capabilities/drop/-", "value": "ALL"}
    ]


def test_k007_no_capabilities() -> None:
    text = drop(BASE, "        capabilities:\n", '          drop: ["ALL"]\n')
    check(
        text,
        ("K007", f"{C0}/securityContext", CTR_SC,
         f'{APP} does not drop ALL capabilities (capabilities.drop: ["ALL"])', "medium"),
    )  # fmt: skip


def test_k007_lowercase_all_counts() -> None:
    # containerd and CRI-O compare "ALL" case-insensitively
    assert scan_text(edit(BASE, ('drop: ["ALL"]', "drop: [all]"))) == []


@pytest.mark.parametrize(
    ("cap", "name", "severity"),
    [
        ("SYS_ADMIN", "SYS_ADMIN", "critical"),
        ("ALL", "ALL", "critical"),
        ("CAP_SYS_ADMIN", "SYS_ADMIN", "critical"),
        ("sys_module", "SYS_MODULE", "high"),
        ("cap_net_admin", "NET_ADMIN", "high"),
        ("SYS_PTRACE", "SYS_PTRACE", "high"),
        ("BPF", "BPF", "high"),
        ("NET_RAW", "NET_RAW", "medium"),
    ],
)
def test_k008_dangerous_capability(cap: str, name: str, severity: str) -> None:
    text = ctr_sc(f"capabilities: {{drop: [ALL], add: [{cap}]}}", drop(BASE, *CAPS_LINES))
    check(
        text,
        ("K008", f"{C0}/securityContext/capabilities/add/0", (f"{cap}]", 1 + (cap == "ALL")),
         f"{APP} adds capability {name}", severity),
    )  # fmt: skip


CAPS_LINES = ("        capabilities:\n", '          drop: ["ALL"]\n')


@pytest.mark.parametrize(
    ("cap", "name", "severity"),
    [
        ("CHOWN", "CHOWN", "low"),
        ("cap_setuid", "SETUID", "low"),
        ("IPC_LOCK", "IPC_LOCK", "medium"),
    ],
)
def test_k009_other_capability(cap: str, name: str, severity: str) -> None:
    text = ctr_sc(f"capabilities: {{drop: [ALL], add: [{cap}]}}", drop(BASE, *CAPS_LINES))
    check(
        text,
        ("K009", f"{C0}/securityContext/capabilities/add/0", f"{cap}]",
         f"{APP} adds capability {name}", severity),
    )  # fmt: skip


def test_k008_k009_net_bind_service_is_fine() -> None:
    text = ctr_sc("capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}", drop(BASE, *CAPS_LINES))
    assert scan_text(text) == []


# --------------------------------------------------------------------------- K010–K012 profiles

NO_POD_SECCOMP = ("    seccompProfile:\n", "      type: RuntimeDefault\n")


def test_k010_missing() -> None:
    text = drop(BASE, *NO_POD_SECCOMP)
    check(
        text,
        ("K010", f"{C0}/securityContext", CTR_SC,
         f"{APP} has no seccomp profile (set seccompProfile.type: RuntimeDefault)", "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [
        {"op": "add", "path": "/spec/securityContext/seccompProfile",
         "value": {"type": "RuntimeDefault"}}
    ]  # fmt: skip


def test_k010_container_profile_while_pod_unset() -> None:
    text = ctr_sc("seccompProfile: {type: RuntimeDefault}", drop(BASE, *NO_POD_SECCOMP))
    assert scan_text(text) == []
    text = ctr_sc("seccompProfile: {type: Localhost, localhostProfile: p.json}",
                  drop(BASE, *NO_POD_SECCOMP))  # fmt: skip
    assert scan_text(text) == []


@pytest.mark.parametrize("value", ["runtime/default", "docker/default", "localhost/prof.json"])
def test_k010_legacy_pod_annotation_counts(value: str) -> None:
    text = insert(
        drop(BASE, *NO_POD_SECCOMP),
        META_AT,
        f"annotations: {{seccomp.security.alpha.kubernetes.io/pod: {value}}}",
    )
    assert scan_text(text) == []


def test_k011_container_unconfined_overrides_pod_default() -> None:
    text = ctr_sc("seccompProfile: {type: Unconfined}")
    check(
        text,
        ("K011", f"{C0}/securityContext/seccompProfile/type", "type: Unconfined",
         f"{APP} runs with seccomp Unconfined", "high"),
    )  # fmt: skip


def test_k011_container_default_overrides_pod_unconfined() -> None:
    text = ctr_sc(
        "seccompProfile: {type: RuntimeDefault}",
        edit(BASE, ("type: RuntimeDefault", "type: Unconfined")),
    )
    assert scan_text(text) == []


def test_k011_pod_unconfined_is_one_finding() -> None:
    text = spec(HARDENED_INIT, edit(BASE, ("type: RuntimeDefault", "type: Unconfined")))
    check(
        text,
        ("K011", "/spec/securityContext/seccompProfile/type", "type: Unconfined",
         f'init container "init", {APP} run with seccomp Unconfined', "high"),
    )  # fmt: skip


def test_k011_legacy_annotations() -> None:
    pod = insert(
        drop(BASE, *NO_POD_SECCOMP),
        META_AT,
        "annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}",
    )
    check(
        pod,
        ("K011", "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod",
         "seccomp.security", f"{APP} runs with seccomp Unconfined", "high"),
    )  # fmt: skip
    # a container annotation beats the pod field (the API server copies it into the
    # container's field at creation)
    ctr_ann = insert(
        BASE,
        META_AT,
        "annotations: {container.seccomp.security.alpha.kubernetes.io/app: unconfined}",
    )
    check(
        ctr_ann,
        ("K011", "/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1app",
         "container.seccomp", f"{APP} runs with seccomp Unconfined", "high"),
    )  # fmt: skip
    # ... and the container field beats the pod annotation
    fixed = ctr_sc("seccompProfile: {type: RuntimeDefault}", pod)
    assert scan_text(fixed) == []


def test_k012_apparmor() -> None:
    text = ctr_sc("appArmorProfile: {type: Unconfined}")
    check(
        text,
        ("K012", f"{C0}/securityContext/appArmorProfile/type", "type: Unconfined",
         f"{APP} runs with AppArmor unconfined", "high"),
    )  # fmt: skip
    ann = insert(
        BASE,
        META_AT,
        "annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}",
    )
    check(
        ann,
        ("K012", "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app",
         "container.apparmor", f"{APP} runs with AppArmor unconfined", "high"),
    )  # fmt: skip


def test_k012_negative() -> None:
    pod_unconfined = pod_sc("appArmorProfile: {type: Unconfined}")
    assert scan_text(ctr_sc("appArmorProfile: {type: RuntimeDefault}", pod_unconfined)) == []
    # the container annotation overrides the pod field
    ann = "annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default}"
    assert scan_text(insert(pod_unconfined, META_AT, ann)) == []
    assert scan_text(pod_sc("appArmorProfile: {type: RuntimeDefault}")) == []


# --------------------------------------------------------------------------- K013 SELinux


def test_k013_selinux() -> None:
    text = ctr_sc(
        "seLinuxOptions: {user: system_u, role: sysadm_r}", pod_sc("seLinuxOptions: {type: spc_t}")
    )
    check(
        text,
        ("K013", "/spec/securityContext/seLinuxOptions/type", "type: spc_t",
         "pod sets SELinux type 'spc_t'", "medium"),
        ("K013", f"{C0}/securityContext/seLinuxOptions/user", "user: system_u",
         f"{APP} sets SELinux user 'system_u'", "medium"),
        ("K013", f"{C0}/securityContext/seLinuxOptions/role", "role: sysadm_r",
         f"{APP} sets SELinux role 'sysadm_r'", "medium"),
    )  # fmt: skip


def test_k013_allowed_types_and_level() -> None:
    text = pod_sc('seLinuxOptions: {type: container_t, level: "s0:c1,c2"}')
    assert scan_text(ctr_sc("seLinuxOptions: {type: container_init_t}", text)) == []


# --------------------------------------------------------------------------- K014–K017 host


@pytest.mark.parametrize(("code", "field"), [("K014", "hostNetwork"), ("K015", "hostPID"),
                                             ("K016", "hostIPC")])  # fmt: skip
def test_host_namespaces(code: str, field: str) -> None:
    text = spec(f"{field}: true")
    check(text, (code, f"/spec/{field}", field, f"pod sets {field}: true", "high"))
    (v,) = violations(text)
    assert v.fix == [{"op": "replace", "path": f"/spec/{field}", "value": False}]
    assert scan_text(spec(f"{field}: false")) == []
    assert scan_text(spec(f'{field}: "true"')) == []  # a string: rejected by the API server


def test_k017_host_users() -> None:
    text = spec("hostUsers: true")
    check(text, ("K017", "/spec/hostUsers", "hostUsers",
                 "pod sets hostUsers: true (no user namespace)", "low"))  # fmt: skip
    assert scan_text(spec("hostUsers: false")) == []


# --------------------------------------------------------------------------- K018/K019 hostPath


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


# --------------------------------------------------------------------------- K020–K023


def test_k020_host_port() -> None:
    text = ctr("ports: [{containerPort: 8080, hostPort: 8080}]")
    check(text, ("K020", f"{C0}/ports/0/hostPort", "hostPort", f"{APP} binds host port 8080",
                 "medium"))  # fmt: skip
    assert (
        scan_text(ctr("ports: [{containerPort: 8080}, {containerPort: 9090, hostPort: 0}]")) == []
    )


def test_k021_proc_mount() -> None:
    text = ctr_sc("procMount: Unmasked")
    check(text, ("K021", f"{C0}/securityContext/procMount", "procMount",
                 f"{APP} sets procMount: Unmasked", "high"))  # fmt: skip
    assert scan_text(ctr_sc("procMount: Default")) == []


def test_k022_sysctls() -> None:
    text = pod_sc(
        """
        sysctls:
          - {name: net.ipv4.tcp_syncookies, value: "1"}
          - {name: net/ipv4/ip_local_port_range, value: "1024 65000"}
          - {name: kernel.msgmax, value: "65536"}
          - {name: net.core.somaxconn, value: "1024"}
          - {name: vm.max_map_count, value: "262144"}
        """
    )
    check(
        text,
        ("K022", "/spec/securityContext/sysctls/2/name", "name: kernel.msgmax",
         "pod sets unsafe sysctl 'kernel.msgmax'", "medium"),
        ("K022", "/spec/securityContext/sysctls/3/name", "name: net.core",
         "pod sets unsafe sysctl 'net.core.somaxconn'", "medium"),
        ("K022", "/spec/securityContext/sysctls/4/name", "name: vm",
         "pod sets unsafe sysctl 'vm.max_map_count' (node-wide)", "high"),
    )  # fmt: skip


def test_k022_safe_sysctls() -> None:
    text = pod_sc("sysctls: [{name: kernel.shm_rmid_forced, value: '1'}, "
                  "{name: net/ipv4/ping_group_range, value: '0 2147483647'}]")  # fmt: skip
    assert scan_text(text) == []


WINDOWS_USER = "    windowsOptions: {runAsUserName: ContainerUser}\n"
WINDOWS_BASE = spec(
    "os: {name: windows}",
    edit(
        drop(
            BASE,
            *NO_POD_USER,
            *NO_POD_SECCOMP,
            "        allowPrivilegeEscalation: false\n",
            CTR_SC_AT,
            *CAPS_LINES,
        ),
        (POD_SC_AT, WINDOWS_USER),
    ),
)


def test_windows_pod_skips_linux_only_rules() -> None:
    # no seccomp, capabilities, escalation or read-only root: none of them apply to Windows;
    # not being ContainerAdministrator is the Windows form of runAsNonRoot
    assert scan_text(WINDOWS_BASE) == []


def test_k023_host_process() -> None:
    host = "    windowsOptions: {hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM'}\n"
    text = edit(WINDOWS_BASE, (WINDOWS_USER, host))
    check(
        text,
        ("K023", "/spec/securityContext/windowsOptions/hostProcess", "hostProcess",
         "pod is a HostProcess container", "high"),
    )  # fmt: skip
    ctr_host = "      securityContext: {windowsOptions: {hostProcess: true}}\n"
    text = edit(WINDOWS_BASE, ("      securityContext:\n", ctr_host))
    check(
        text,
        ("K023", f"{C0}/securityContext/windowsOptions/hostProcess", "hostProcess",
         f"{APP} is a HostProcess container", "high"),
    )  # fmt: skip
    off = "    windowsOptions: {hostProcess: false, runAsUserName: ContainerUser}\n"
    assert scan_text(edit(WINDOWS_BASE, (WINDOWS_USER, off))) == []


# --------------------------------------------------------------------------- K024–K026 resources


def test_k024_k025_k026_no_resources() -> None:
    text = drop(BASE, "      resources:\n", "        requests: {cpu: 100m, memory: 64Mi}\n",
                "        limits: {cpu: 500m, memory: 128Mi}\n")  # fmt: skip
    check(
        text,
        ("K024", C0, "name: app", f"{APP} has no memory limit", "medium"),
        ("K025", C0, "name: app", f"{APP} has no CPU limit", "low"),
        ("K026", C0, "name: app", f"{APP} has no cpu or memory request", "low"),
    )


def test_k024_k025_missing_limit() -> None:
    text = edit(BASE, ("limits: {cpu: 500m, memory: 128Mi}", "limits: {cpu: 500m}"))
    check(text, ("K024", f"{C0}/resources/limits", "limits", f"{APP} has no memory limit",
                 "medium"))  # fmt: skip
    text = edit(BASE, ("limits: {cpu: 500m, memory: 128Mi}", "limits: {memory: 128Mi}"))
    check(text, ("K025", f"{C0}/resources/limits", "limits", f"{APP} has no CPU limit", "low"))


def test_k026_limit_defaults_the_request() -> None:
    text = drop(BASE, "        requests: {cpu: 100m, memory: 64Mi}\n")
    assert scan_text(text) == []
    text = edit(BASE, ("requests: {cpu: 100m, memory: 64Mi}", "requests: {cpu: 100m}"),
                ("limits: {cpu: 500m, memory: 128Mi}", "limits: {cpu: 500m}"))  # fmt: skip
    check(
        text,
        ("K024", f"{C0}/resources/limits", "limits", f"{APP} has no memory limit", "medium"),
        ("K026", f"{C0}/resources/requests", "requests", f"{APP} has no memory request", "low"),
    )


def test_resources_init_checked_ephemeral_not() -> None:
    text = spec(
        """
        initContainers:
          - name: init
            image: @IMG@
            securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: {drop: [ALL]}}
        ephemeralContainers:
          - name: debug
            image: @IMG@
            securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: {drop: [ALL]}}
        """.replace("@IMG@", IMAGE)
    )
    i0 = "/spec/initContainers/0"
    check(
        text,
        ("K024", i0, "name: init", 'init container "init" has no memory limit', "medium"),
        ("K025", i0, "name: init", 'init container "init" has no CPU limit', "low"),
        ("K026", i0, "name: init", 'init container "init" has no cpu or memory request', "low"),
    )


def test_pod_level_resources_bound_the_containers() -> None:
    text = drop(BASE, "      resources:\n", "        requests: {cpu: 100m, memory: 64Mi}\n",
                "        limits: {cpu: 500m, memory: 128Mi}\n")  # fmt: skip
    text = spec("resources: {limits: {cpu: '1', memory: 1Gi}}", text)
    assert scan_text(text) == []


# --------------------------------------------------------------------------- K027–K029 images


def with_image(image: str, extra: str = "") -> str:
    text = ctr(extra) if extra else BASE
    return edit(text, (f"image: {IMAGE}", f"image: {image}"))


@pytest.mark.parametrize(
    ("image", "code", "message", "severity"),
    [
        ("nginx", "K027", "uses image 'nginx' without a tag", "medium"),
        ("nginx:latest", "K027", "uses image 'nginx:latest' with tag latest", "medium"),
        ("localhost:5000/app", "K027", "uses image 'localhost:5000/app' without a tag", "medium"),
        ("nginx:1.27.2", "K028", "image 'nginx:1.27.2' is not pinned by digest", "low"),
        ("localhost:5000/app:1.0", "K028", "image 'localhost:5000/app:1.0' is not pinned by digest",
         "low"),
    ],
)  # fmt: skip
def test_k027_k028_images(image: str, code: str, message: str, severity: str) -> None:
    text = with_image(image)
    check(text, (code, f"{C0}/image", "image:", f"{APP} {message}", severity))


@pytest.mark.parametrize(
    "image",
    [
        f"nginx@{DIGEST}",
        f"nginx:latest@{DIGEST}",
        f"localhost:5000/app@{DIGEST}",
        "$IMAGE",
        "${REGISTRY}/app",
        '"{{ image }}"',
    ],
)
def test_k027_k028_pinned_or_placeholder(image: str) -> None:
    assert scan_text(with_image(image)) == []


def test_k029_pull_policy() -> None:
    text = with_image("nginx:1.27.2", "imagePullPolicy: IfNotPresent")
    check(
        text,
        ("K028", f"{C0}/image", "image:", f"{APP} image 'nginx:1.27.2' is not pinned by digest",
         "low"),
        ("K029", f"{C0}/imagePullPolicy", "imagePullPolicy",
         f"{APP} uses imagePullPolicy IfNotPresent with mutable image 'nginx:1.27.2'", "low"),
    )  # fmt: skip
    assert scan_text(ctr("imagePullPolicy: IfNotPresent")) == []  # pinned by digest
    assert scan_text(with_image("nginx:1.27.2", "imagePullPolicy: Always")) == [
        ("K028", f"{C0}/image", at(with_image("nginx:1.27.2", "imagePullPolicy: Always"), "image:"),
         f"{APP} image 'nginx:1.27.2' is not pinned by digest", "low")
    ]  # fmt: skip


# --------------------------------------------------------------------------- K030–K035 pod


def test_k030_token() -> None:
    text = drop(BASE, SPEC_AT)
    check(text, ("K030", "/spec", "spec:", "pod mounts its service account token "
                 "(set automountServiceAccountToken: false)", "low"))  # fmt: skip
    text = edit(BASE, ("automountServiceAccountToken: false", "automountServiceAccountToken: true"))
    check(text, ("K030", "/spec/automountServiceAccountToken", "automount",
                 "pod mounts its service account token (set automountServiceAccountToken: "
                 "false)", "low"))  # fmt: skip


def test_k031_default_namespace() -> None:
    text = edit(BASE, ("namespace: shop", "namespace: default"))
    check(text, ("K031", "/metadata/namespace", "namespace", "Pod is in the default namespace",
                 "low"))  # fmt: skip
    assert scan_text(drop(BASE, META_AT)) == []  # no namespace: decided at deploy time


PROBE_LINES = (
    "      livenessProbe:\n",
    "        httpGet: {path: /healthz, port: 8080}\n",
    "      readinessProbe:\n",
    "        httpGet: {path: /ready, port: 8080}\n",
)


def test_k032_k033_probes() -> None:
    text = drop(BASE, *PROBE_LINES)
    check(
        text,
        ("K032", C0, "name: app", f"{APP} has no livenessProbe", "low"),
        ("K033", C0, "name: app", f"{APP} has no readinessProbe", "low"),
    )
    # a pod that runs to completion has no use for probes
    assert scan_text(spec("restartPolicy: Never", text)) == []


def test_k034_root_group() -> None:
    text = edit(pod_sc("fsGroup: 0\nsupplementalGroups: [5, 0]"),
                ("runAsGroup: 10001", "runAsGroup: 0"))  # fmt: skip
    check(
        text,
        ("K034", "/spec/securityContext/runAsGroup", "runAsGroup", f"{APP} runs with group 0",
         "low"),
        ("K034", "/spec/securityContext/fsGroup", "fsGroup", "pod sets fsGroup 0", "low"),
        ("K034", "/spec/securityContext/supplementalGroups/1", "0]", "pod adds group 0", "low"),
    )  # fmt: skip
    text = ctr_sc("runAsGroup: 10002", edit(BASE, ("runAsGroup: 10001", "runAsGroup: 0")))
    assert scan_text(text) == []


def test_k035_volume_types() -> None:
    text = spec(
        """
        volumes:
          - {name: a, emptyDir: {}}
          - {name: b, configMap: {name: cm}}
          - {name: c, nfs: {server: nfs.local, path: /export}}
          - {name: d, gitRepo: {repository: "https://example.com/r.git"}}
          - {name: e, persistentVolumeClaim: {claimName: data}}
        """
    )
    check(
        text,
        ("K035", "/spec/volumes/2/nfs", "nfs:", "pod uses a nfs volume", "low"),
        ("K035", "/spec/volumes/3/gitRepo", "gitRepo", "pod uses a gitRepo volume", "medium"),
    )
