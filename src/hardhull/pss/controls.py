"""The Pod Security Standards controls, one pure function per upstream check revision.

Each function mirrors one ``VersionedCheck`` of kubernetes/pod-security-admission
(``policy/check_*.go``): same decision, same forbidden reason, same forbidden detail, on the
plain object dict instead of a decoded ``corev1.PodSpec``. :data:`CHECKS` lists the checks in
upstream's evaluation order with the policy versions at which each revision starts; the
evaluator (:mod:`hardhull.pss.evaluate`) turns that into one table per level and version.

Decoding: upstream sees a typed, API-defaulted pod. Here a field counts as set when its key is
present with a non-null value (Go's non-nil pointer), booleans count only when they are real
booleans, and the two API defaults that change a verdict are applied: a volume without any
source is an ``emptyDir`` volume, and a Pod on the host network gets ``hostPort`` =
``containerPort`` on ports that do not set it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from hardhull.formats.yamlpos import escape
from hardhull.models.workload import Container, Workload, as_dict, as_list


class Outcome(NamedTuple):
    """A forbidden result: upstream's reason and detail, and the offending fields."""

    reason: str
    detail: str
    pointers: tuple[str, ...]


CheckFn = Callable[[Workload], "Outcome | None"]


@dataclass(frozen=True)
class CheckDef:
    """One upstream check: its ID, level, our rule code, and its revisions by version."""

    check_id: str
    level: str  # "baseline" | "restricted"
    code: str
    control: str
    #: (first policy minor version, revision) pairs, strictly increasing
    versions: tuple[tuple[int, CheckFn], ...]
    #: baseline check IDs this restricted check replaces wherever it applies
    overrides: tuple[str, ...] = ()

    def at(self, minor: int) -> CheckFn | None:
        """The revision in force at policy version v1.<minor>, or None before the first."""
        found: CheckFn | None = None
        for first, fn in self.versions:
            if first <= minor:
                found = fn
        return found


# --------------------------------------------------------------------------- Go helpers


def go_str(value: Any) -> str:
    """A Go string field: null is ""; other scalars as their YAML spelling."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def go_int(value: Any) -> int:
    """A Go integer field: null, booleans and non-numbers are 0."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else 0
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return 0
    return 0


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES["\v"] = "\\v"


def go_quote(text: str) -> str:
    """Go's ``%q`` for a string (strconv.Quote)."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            o = ord(ch)
            if o < 0x80:
                out.append(f"\\x{o:02x}")
            elif o < 0x10000:
                out.append(f"\\u{o:04x}")
            else:
                out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def join_quote(items: Iterable[str]) -> str:
    """Upstream's ``joinQuote``: each item in double quotes (not escaped), comma-separated."""
    items = list(items)
    return '"' + '", "'.join(items) + '"' if items else ""


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _set(value: Any) -> bool:
    """A Go pointer/struct field is non-nil: the key is present with a non-null value."""
    return value is not None


def _near(base: dict[str, Any], base_ptr: str, *keys: str) -> str:
    """Pointer of base/keys… if it exists, else of the deepest existing parent."""
    cur: Any = base
    ptr = base_ptr
    for key in keys:
        if not isinstance(cur, dict) or cur.get(key) is None:
            return ptr
        cur = cur[key]
        ptr = f"{ptr}/{escape(key)}"
    return ptr


def _cname(c: Container) -> str:
    return go_str(c.data.get("name"))


def _windows(w: Workload) -> bool:
    return as_dict(w.spec.get("os")).get("name") == "windows"


def _user_namespace(w: Workload) -> bool:
    return w.spec.get("hostUsers") is False


def _setters(pod: bool, containers: list[str]) -> str:
    parts = ["pod"] if pod else []
    if containers:
        parts.append(
            f"{pluralize('container', 'containers', len(containers))} {join_quote(containers)}"
        )
    return " and ".join(parts)


# --------------------------------------------------------------------------- baseline


def host_namespaces_1_0(w: Workload) -> Outcome | None:
    found: list[str] = []
    pointers: list[str] = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if w.spec.get(key) is True:
            found.append(key)
            pointers.append(f"{w.spec_pointer}/{key}")
    if not found:
        return None
    return Outcome("host namespaces", ", ".join(sorted(found)), tuple(pointers))


def privileged_1_0(w: Workload) -> Outcome | None:
    bad: list[str] = []
    pointers: list[str] = []
    for c in w.containers:
        if c.sc.get("privileged") is True:
            bad.append(_cname(c))
            pointers.append(f"{c.sc_pointer}/privileged")
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        "must not set securityContext.privileged=true"
    )
    return Outcome("privileged", detail, tuple(pointers))


CAPABILITIES_ALLOWED_1_0 = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def capabilities_baseline_1_0(w: Workload) -> Outcome | None:
    bad: list[str] = []
    caps: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        capabilities = c.sc.get("capabilities")
        if not isinstance(capabilities, dict):
            continue
        valid = True
        for i, cap in enumerate(as_list(capabilities.get("add"))):
            name = go_str(cap)
            if name not in CAPABILITIES_ALLOWED_1_0:
                valid = False
                caps.add(name)
                pointers.append(f"{c.sc_pointer}/capabilities/add/{i}")
        if not valid:
            bad.append(_cname(c))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} must not include "
        f"{join_quote(sorted(caps))} in securityContext.capabilities.add"
    )
    return Outcome("non-default capabilities", detail, tuple(pointers))


def host_path_volumes_1_0(w: Workload) -> Outcome | None:
    names: list[str] = []
    pointers: list[str] = []
    for i, vol in w.volumes():
        if _set(vol.get("hostPath")):
            names.append(go_str(vol.get("name")))
            pointers.append(f"{w.spec_pointer}/volumes/{i}/hostPath")
    if not names:
        return None
    detail = f"{pluralize('volume', 'volumes', len(names))} {join_quote(names)}"
    return Outcome("hostPath volumes", detail, tuple(pointers))


def host_ports_1_0(w: Workload) -> Outcome | None:
    # API defaulting: a Pod on the host network gets hostPort = containerPort (Pods only,
    # not pod templates, since Kubernetes 1.28).
    default_host_ports = w.kind == "Pod" and w.spec.get("hostNetwork") is True
    bad: list[str] = []
    ports: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        valid = True
        for j, port in enumerate(as_list(c.data.get("ports"))):
            if not isinstance(port, dict):
                continue
            host_port = go_int(port.get("hostPort"))
            where = f"{c.pointer}/ports/{j}/hostPort"
            if host_port == 0 and default_host_ports and c.kind != "ephemeralContainers":
                host_port = go_int(port.get("containerPort"))
                where = f"{c.pointer}/ports/{j}/containerPort"
            if host_port != 0:
                valid = False
                ports.add(str(host_port))
                pointers.append(where)
        if not valid:
            bad.append(_cname(c))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        f"{pluralize('uses', 'use', len(bad))} {pluralize('hostPort', 'hostPorts', len(ports))} "
        + ", ".join(sorted(ports))
    )
    return Outcome("hostPort", detail, tuple(pointers))


APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _apparmor_annotation_ok(value: str) -> bool:
    return value == "" or value == "runtime/default" or value.startswith("localhost/")


def app_armor_profile_1_0(w: Workload) -> Outcome | None:
    setters: list[str] = []
    values: set[str] = set()
    pointers: list[str] = []
    profile = w.pod_sc.get("appArmorProfile")
    if isinstance(profile, dict):
        kind = go_str(profile.get("type"))
        if kind not in APPARMOR_TYPES:
            setters.append("pod")
            values.add(kind)
            pointers.append(_near(w.pod_sc, w.pod_sc_pointer, "appArmorProfile", "type"))
    bad: list[str] = []
    for c in w.containers:
        profile = c.sc.get("appArmorProfile")
        if isinstance(profile, dict):
            kind = go_str(profile.get("type"))
            if kind not in APPARMOR_TYPES:
                bad.append(_cname(c))
                values.add(kind)
                pointers.append(_near(c.sc, c.sc_pointer, "appArmorProfile", "type"))
    if bad:
        setters.append(f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)}")
    annotations: list[tuple[str, str]] = []
    for key, raw in w.annotations.items():
        value = go_str(raw)
        if key.startswith(APPARMOR_ANNOTATION_PREFIX) and not _apparmor_annotation_ok(value):
            annotations.append((f"{key}={go_quote(value)}", w.annotation_pointer(key)))
    value_list = sorted(values)
    if annotations:
        annotations.sort()
        value_list += [text for text, _ in annotations]
        setters.append(pluralize("annotation", "annotations", len(annotations)))
        pointers += [ptr for _, ptr in annotations]
    if not setters:
        return None
    reason = pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(value_list))
    detail = (
        f"{' and '.join(setters)} must not set AppArmor profile type to {join_quote(value_list)}"
    )
    return Outcome(reason, detail, tuple(pointers))


SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}


def _se_linux_options(allowed: frozenset[str]) -> CheckFn:
    def check(w: Workload) -> Outcome | None:
        bad_types: set[str] = set()
        flags = {"user": False, "role": False}
        pointers: list[str] = []

        def valid(opts: dict[str, Any], ptr: str) -> bool:
            ok = True
            kind = go_str(opts.get("type"))
            if kind not in allowed:
                ok = False
                bad_types.add(kind)
                pointers.append(f"{ptr}/type")
            for key in ("user", "role"):
                if go_str(opts.get(key)):
                    ok = False
                    flags[key] = True
                    pointers.append(f"{ptr}/{key}")
            return ok

        pod_bad = False
        opts = w.pod_sc.get("seLinuxOptions")
        if isinstance(opts, dict):
            pod_bad = not valid(opts, f"{w.pod_sc_pointer}/seLinuxOptions")
        bad: list[str] = []
        for c in w.containers:
            opts = c.sc.get("seLinuxOptions")
            if isinstance(opts, dict) and not valid(opts, f"{c.sc_pointer}/seLinuxOptions"):
                bad.append(_cname(c))
        if not pod_bad and not bad:
            return None
        data: list[str] = []
        if bad_types:
            types = sorted(bad_types)
            data.append(f"{pluralize('type', 'types', len(types))} {join_quote(types)}")
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        detail = (
            f"{_setters(pod_bad, bad)} set forbidden securityContext.seLinuxOptions: "
            + "; ".join(data)
        )
        return Outcome("seLinuxOptions", detail, tuple(pointers))

    return check


se_linux_options_1_0 = _se_linux_options(SELINUX_TYPES_1_0)
se_linux_options_1_31 = _se_linux_options(SELINUX_TYPES_1_31)


def proc_mount_1_0(w: Workload) -> Outcome | None:
    bad: list[str] = []
    kinds: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        value = c.sc.get("procMount")
        if value is None:
            continue
        kind = go_str(value)
        if kind != "Default":
            bad.append(_cname(c))
            kinds.add(kind)
            pointers.append(f"{c.sc_pointer}/procMount")
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} must not set "
        f"securityContext.procMount to {join_quote(sorted(kinds))}"
    )
    return Outcome("procMount", detail, tuple(pointers))


def proc_mount_1_35_baseline(w: Workload) -> Outcome | None:
    if _user_namespace(w):  # the pod runs in a user namespace: unmasked /proc is allowed
        return None
    return proc_mount_1_0(w)


SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _seccomp_annotation_ok(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def seccomp_profile_baseline_1_0(w: Workload) -> Outcome | None:
    forbidden: dict[str, str] = {}
    keys = [SECCOMP_POD_ANNOTATION]
    keys += [SECCOMP_CONTAINER_PREFIX + _cname(c) for c in w.containers]
    for key in keys:
        if key in w.annotations:
            value = go_str(w.annotations[key])
            if not _seccomp_annotation_ok(value):
                forbidden.setdefault(f"{key}={go_quote(value)}", w.annotation_pointer(key))
    if not forbidden:
        return None
    items = sorted(forbidden)
    detail = f"forbidden {pluralize('annotation', 'annotations', len(items))} " + ", ".join(items)
    return Outcome("seccompProfile", detail, tuple(forbidden.values()))


def _seccomp_fields(
    w: Workload, *, required: bool
) -> tuple[bool, list[str], list[str], set[str], list[str], list[str]]:
    """(pod valid, explicitly bad containers, implicitly bad containers, bad values,
    explicit pointers, implicit pointers)"""
    pod_bad = False
    pod_set = False
    values: set[str] = set()
    explicit_ptrs: list[str] = []
    implicit_ptrs: list[str] = []
    profile = w.pod_sc.get("seccompProfile")
    if isinstance(profile, dict):
        kind = go_str(profile.get("type"))
        if kind not in SECCOMP_TYPES:
            pod_bad = True
            values.add(kind)
            explicit_ptrs.append(_near(w.pod_sc, w.pod_sc_pointer, "seccompProfile", "type"))
        else:
            pod_set = True
    explicit: list[str] = []
    implicit: list[str] = []
    for c in w.containers:
        profile = c.sc.get("seccompProfile")
        if isinstance(profile, dict):
            kind = go_str(profile.get("type"))
            if kind not in SECCOMP_TYPES:
                explicit.append(_cname(c))
                values.add(kind)
                explicit_ptrs.append(_near(c.sc, c.sc_pointer, "seccompProfile", "type"))
        elif required and not pod_set:
            implicit.append(_cname(c))
            implicit_ptrs.append(_near(c.data, c.pointer, "securityContext", "seccompProfile"))
    return pod_bad, explicit, implicit, values, explicit_ptrs, implicit_ptrs


def seccomp_profile_baseline_1_19(w: Workload) -> Outcome | None:
    pod_bad, explicit, _, values, pointers, _ = _seccomp_fields(w, required=False)
    if not pod_bad and not explicit:
        return None
    detail = (
        f"{_setters(pod_bad, explicit)} must not set securityContext.seccompProfile.type to "
        f"{join_quote(sorted(values))}"
    )
    return Outcome("seccompProfile", detail, tuple(pointers))


SYSCTLS_1_0 = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
SYSCTLS_1_37 = SYSCTLS_1_32 | {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(w: Workload) -> Outcome | None:
        names: list[str] = []
        pointers: list[str] = []
        for i, item in enumerate(as_list(w.pod_sc.get("sysctls"))):
            if not isinstance(item, dict):
                continue
            name = go_str(item.get("name"))
            if name not in allowed:
                names.append(name)
                pointers.append(_near(item, f"{w.pod_sc_pointer}/sysctls/{i}", "name"))
        if not names:
            return None
        return Outcome("forbidden sysctls", ", ".join(names), tuple(pointers))

    return check


sysctls_1_0 = _sysctls(SYSCTLS_1_0)
sysctls_1_27 = _sysctls(SYSCTLS_1_27)
sysctls_1_29 = _sysctls(SYSCTLS_1_29)
sysctls_1_32 = _sysctls(SYSCTLS_1_32)
sysctls_1_37 = _sysctls(SYSCTLS_1_37)


def windows_host_process_1_0(w: Workload) -> Outcome | None:
    pointers: list[str] = []
    pod_bad = as_dict(w.pod_sc.get("windowsOptions")).get("hostProcess") is True
    if pod_bad:
        pointers.append(f"{w.pod_sc_pointer}/windowsOptions/hostProcess")
    bad: list[str] = []
    for c in w.containers:
        if as_dict(c.sc.get("windowsOptions")).get("hostProcess") is True:
            bad.append(_cname(c))
            pointers.append(f"{c.sc_pointer}/windowsOptions/hostProcess")
    if not pod_bad and not bad:
        return None
    detail = (
        f"{_setters(pod_bad, bad)} must not set securityContext.windowsOptions.hostProcess=true"
    )
    return Outcome("hostProcess", detail, tuple(pointers))


_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HOOKS = ("postStart", "preStop")
_HANDLERS = ("httpGet", "tcpSocket")


def host_probes_and_host_lifecycle_1_34(w: Workload) -> Outcome | None:
    bad: set[str] = set()
    hosts: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        handlers = [(c.data.get(p), f"{c.pointer}/{p}") for p in _PROBES]
        lifecycle = c.data.get("lifecycle")
        if isinstance(lifecycle, dict):
            handlers += [(lifecycle.get(h), f"{c.pointer}/lifecycle/{h}") for h in _HOOKS]
        for handler, ptr in handlers:
            if not isinstance(handler, dict):
                continue
            for kind in _HANDLERS:
                action = handler.get(kind)
                if isinstance(action, dict):
                    host = go_str(action.get("host"))
                    if host:
                        bad.add(_cname(c))
                        hosts.add(host)
                        pointers.append(f"{ptr}/{kind}/host")
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(sorted(bad))} "
        f"{pluralize('uses', 'use', len(bad))} "
        f"{pluralize('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
        f"{join_quote(sorted(hosts))}"
    )
    return Outcome("probe or lifecycle host", detail, tuple(pointers))


# --------------------------------------------------------------------------- restricted

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
        if any(_set(vol.get(k)) for k in RESTRICTED_VOLUME_ALLOWED):
            continue
        if not any(_set(vol.get(k)) for k in VOLUME_SOURCES):
            continue  # defaulted to emptyDir by the API server
        names.append(go_str(vol.get("name")))
        kind = next((k for k in RESTRICTED_VOLUME_TYPES if _set(vol.get(k))), "unknown")
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


def allow_privilege_escalation_1_8(w: Workload) -> Outcome | None:
    bad: list[str] = []
    pointers: list[str] = []
    for c in w.containers:
        if c.sc.get("allowPrivilegeEscalation") is not False:
            bad.append(_cname(c))
            pointers.append(_near(c.data, c.pointer, "securityContext", "allowPrivilegeEscalation"))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} must set "
        "securityContext.allowPrivilegeEscalation=false"
    )
    return Outcome("allowPrivilegeEscalation != false", detail, tuple(pointers))


def allow_privilege_escalation_1_25(w: Workload) -> Outcome | None:
    if _windows(w):
        return None
    return allow_privilege_escalation_1_8(w)


def run_as_non_root_1_0(w: Workload) -> Outcome | None:
    pod_bad = False
    pod_true = False
    explicit_ptrs: list[str] = []
    value = w.pod_sc.get("runAsNonRoot")
    if value is False:
        pod_bad = True
        explicit_ptrs.append(f"{w.pod_sc_pointer}/runAsNonRoot")
    elif value is True:
        pod_true = True
    explicit: list[str] = []
    implicit: list[str] = []
    implicit_ptrs: list[str] = []
    for c in w.containers:
        value = c.sc.get("runAsNonRoot")
        if value is not None:
            if value is False:
                explicit.append(_cname(c))
                explicit_ptrs.append(f"{c.sc_pointer}/runAsNonRoot")
            elif value is not True and not pod_true:
                implicit.append(_cname(c))  # not a boolean: not a valid opt-in
                implicit_ptrs.append(f"{c.sc_pointer}/runAsNonRoot")
        elif not pod_true:
            implicit.append(_cname(c))
            implicit_ptrs.append(_near(c.data, c.pointer, "securityContext", "runAsNonRoot"))
    if pod_bad or explicit:
        detail = f"{_setters(pod_bad, explicit)} must not set securityContext.runAsNonRoot=false"
        return Outcome("runAsNonRoot != true", detail, tuple(explicit_ptrs))
    if implicit:
        detail = (
            f"pod or {pluralize('container', 'containers', len(implicit))} "
            f"{join_quote(implicit)} must set securityContext.runAsNonRoot=true"
        )
        return Outcome("runAsNonRoot != true", detail, tuple(implicit_ptrs))
    return None


def run_as_non_root_1_35(w: Workload) -> Outcome | None:
    if _user_namespace(w):
        return None
    return run_as_non_root_1_0(w)


def _is_zero(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


def run_as_user_1_23(w: Workload) -> Outcome | None:
    pointers: list[str] = []
    pod_bad = _is_zero(w.pod_sc.get("runAsUser"))
    if pod_bad:
        pointers.append(f"{w.pod_sc_pointer}/runAsUser")
    bad: list[str] = []
    for c in w.containers:
        if _is_zero(c.sc.get("runAsUser")):
            bad.append(_cname(c))
            pointers.append(f"{c.sc_pointer}/runAsUser")
    if not pod_bad and not bad:
        return None
    return Outcome(
        "runAsUser=0", f"{_setters(pod_bad, bad)} must not set runAsUser=0", tuple(pointers)
    )


def run_as_user_1_35(w: Workload) -> Outcome | None:
    if _user_namespace(w):
        return None
    return run_as_user_1_23(w)


def seccomp_profile_restricted_1_19(w: Workload) -> Outcome | None:
    pod_bad, explicit, implicit, values, ex_ptrs, im_ptrs = _seccomp_fields(w, required=True)
    if pod_bad or explicit:
        detail = (
            f"{_setters(pod_bad, explicit)} must not set securityContext.seccompProfile.type to "
            f"{join_quote(sorted(values))}"
        )
        return Outcome("seccompProfile", detail, tuple(ex_ptrs))
    if implicit:
        detail = (
            f"pod or {pluralize('container', 'containers', len(implicit))} "
            f"{join_quote(implicit)} must set securityContext.seccompProfile.type to "
            '"RuntimeDefault" or "Localhost"'
        )
        return Outcome("seccompProfile", detail, tuple(im_ptrs))
    return None


def seccomp_profile_restricted_1_25(w: Workload) -> Outcome | None:
    if _windows(w):
        return None
    return seccomp_profile_restricted_1_19(w)


def capabilities_restricted_1_22(w: Workload) -> Outcome | None:
    missing: list[str] = []
    adding: list[str] = []
    caps: set[str] = set()
    pointers: list[str] = []
    for c in w.containers:
        capabilities = c.sc.get("capabilities")
        if not isinstance(capabilities, dict):
            missing.append(_cname(c))
            pointers.append(_near(c.data, c.pointer, "securityContext", "capabilities"))
            continue
        if not any(go_str(d) == "ALL" for d in as_list(capabilities.get("drop"))):
            missing.append(_cname(c))
            pointers.append(_near(capabilities, f"{c.sc_pointer}/capabilities", "drop"))
        forbidden = False
        for i, cap in enumerate(as_list(capabilities.get("add"))):
            name = go_str(cap)
            if name != "NET_BIND_SERVICE":
                forbidden = True
                caps.add(name)
                pointers.append(f"{c.sc_pointer}/capabilities/add/{i}")
        if forbidden:
            adding.append(_cname(c))
    details: list[str] = []
    if missing:
        details.append(
            f"{pluralize('container', 'containers', len(missing))} {join_quote(missing)} "
            'must set securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{pluralize('container', 'containers', len(adding))} {join_quote(adding)} "
            f"must not include {join_quote(sorted(caps))} in securityContext.capabilities.add"
        )
    if not details:
        return None
    return Outcome("unrestricted capabilities", "; ".join(details), tuple(pointers))


def capabilities_restricted_1_25(w: Workload) -> Outcome | None:
    if _windows(w):
        return None
    return capabilities_restricted_1_22(w)


# --------------------------------------------------------------------------- the registry

B, R = "baseline", "restricted"

#: upstream's checks in its evaluation order (registration order: policy/check_*.go file names)
CHECKS: tuple[CheckDef, ...] = (
    CheckDef(
        "allowPrivilegeEscalation",
        R,
        "P014",
        "Privilege Escalation",
        ((8, allow_privilege_escalation_1_8), (25, allow_privilege_escalation_1_25)),
    ),
    CheckDef("appArmorProfile", B, "P006", "AppArmor", ((0, app_armor_profile_1_0),)),
    CheckDef("capabilities_baseline", B, "P003", "Capabilities", ((0, capabilities_baseline_1_0),)),
    CheckDef(
        "capabilities_restricted",
        R,
        "P018",
        "Capabilities",
        ((22, capabilities_restricted_1_22), (25, capabilities_restricted_1_25)),
        overrides=("capabilities_baseline",),
    ),
    CheckDef("hostNamespaces", B, "P001", "Host Namespaces", ((0, host_namespaces_1_0),)),
    CheckDef("hostPathVolumes", B, "P004", "HostPath Volumes", ((0, host_path_volumes_1_0),)),
    CheckDef("hostPorts", B, "P005", "Host Ports", ((0, host_ports_1_0),)),
    CheckDef(
        "hostProbesAndHostLifecycle",
        B,
        "P012",
        "Host Probes / Lifecycle Hooks",
        ((34, host_probes_and_host_lifecycle_1_34),),
    ),
    CheckDef("privileged", B, "P002", "Privileged Containers", ((0, privileged_1_0),)),
    CheckDef(
        "procMount",
        B,
        "P008",
        "/proc Mount Type",
        ((0, proc_mount_1_0), (35, proc_mount_1_35_baseline)),
    ),
    CheckDef(
        "procMount_restricted",
        R,
        "P019",
        "/proc Mount Type",
        ((35, proc_mount_1_0),),
        overrides=("procMount",),
    ),
    CheckDef(
        "restrictedVolumes",
        R,
        "P013",
        "Volume Types",
        ((0, restricted_volumes_1_0),),
        overrides=("hostPathVolumes",),
    ),
    CheckDef(
        "runAsNonRoot",
        R,
        "P015",
        "Running as Non-root",
        ((0, run_as_non_root_1_0), (35, run_as_non_root_1_35)),
    ),
    CheckDef(
        "runAsUser",
        R,
        "P016",
        "Running as Non-root user",
        ((23, run_as_user_1_23), (35, run_as_user_1_35)),
    ),
    CheckDef(
        "seLinuxOptions",
        B,
        "P007",
        "SELinux",
        ((0, se_linux_options_1_0), (31, se_linux_options_1_31)),
    ),
    CheckDef(
        "seccompProfile_baseline",
        B,
        "P009",
        "Seccomp",
        ((0, seccomp_profile_baseline_1_0), (19, seccomp_profile_baseline_1_19)),
    ),
    CheckDef(
        "seccompProfile_restricted",
        R,
        "P017",
        "Seccomp",
        ((19, seccomp_profile_restricted_1_19), (25, seccomp_profile_restricted_1_25)),
        overrides=("seccompProfile_baseline",),
    ),
    CheckDef(
        "sysctls",
        B,
        "P010",
        "Sysctls",
        (
            (0, sysctls_1_0),
            (27, sysctls_1_27),
            (29, sysctls_1_29),
            (32, sysctls_1_32),
            (37, sysctls_1_37),
        ),
    ),
    CheckDef("windowsHostProcess", B, "P011", "HostProcess", ((0, windows_host_process_1_0),)),
)

#: the highest first-version of any revision: ``latest`` and newer versions evaluate as this
MAX_MINOR = max(first for check in CHECKS for first, _ in check.versions)
