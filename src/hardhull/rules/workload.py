"""Kubernetes workload checks (codes K001–K099): security context, host namespaces, volumes,
capabilities, resources, images and probes of every pod-bearing kind and container type."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from hardhull.context import ObjectContext
from hardhull.fixes import append_item, set_field
from hardhull.formats.yamlpos import escape
from hardhull.model import JSONPatch, Rule, Severity, Violation
from hardhull.models.workload import (
    Container,
    Workload,
    as_dict,
    as_list,
    object_name,
    object_namespace,
)
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily

PSS_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SC_DOC = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, "


_rule = RuleFamily("kubernetes-workload", refs=(SC_DOC,), nsa_prefix=NSA, pss_ref=PSS_DOC)


def _windows(w: Workload) -> bool:
    """Windows pods: Linux-only fields (seccomp, capabilities, …) neither apply nor can be set."""
    return w.windows


def _int(value: Any) -> int | None:
    """An integer field's value; None for anything else (``true``, ``"0"``: invalid, ignored)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _who(cs: list[Container]) -> str:
    return ", ".join(c.label for c in cs)


def _verb(cs: list[Container], singular: str, plural: str) -> str:
    return singular if len(cs) == 1 else plural


def _grouped(items: list[tuple[str, Container]]) -> list[tuple[str, list[Container]]]:
    """Group containers by the pointer that decides for them (one finding per setting).

    A pod-level field that makes several containers fail is one mistake with one fix: it is
    reported once, naming every affected container, so fingerprints stay unique.
    """
    out: dict[str, list[Container]] = {}
    for ptr, c in items:
        out.setdefault(ptr, []).append(c)
    return list(out.items())


def _where(c: Container, field: str) -> str:
    """Pointer of a container security-context field if set, else the closest existing parent."""
    if field in c.sc:
        return f"{c.sc_pointer}/{field}"
    if "securityContext" in c.data:
        return c.sc_pointer
    return c.pointer


# --------------------------------------------------------------------------- privileged

PRIVILEGED = _rule(
    "K001",
    "privileged-container",
    "Container runs privileged",
    Severity.CRITICAL,
    "A container sets `securityContext.privileged: true`. Only the YAML boolean counts: a "
    'quoted `"true"` is a string, which the API server rejects (the pod never runs), so it '
    "is not reported; the same holds for every boolean field these rules read.",
    "A privileged container has every capability, sees every host device and is not confined "
    "by seccomp or AppArmor: escaping to the node is trivial, and from the node to the cluster.",
    "Remove `privileged: true`. Grant the one capability the workload really needs instead, "
    "or move host-level work to a dedicated, audited node agent.",
    """
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  capabilities:
    drop: ["ALL"]
""",
    pss="baseline: Privileged Containers",
    cis="CIS Kubernetes Benchmark v1.9 5.2.2",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV017",),
    checkov=("CKV_K8S_16",),
    kube_linter=("privileged-container",),
)


@check(PRIVILEGED, on=Target.WORKLOAD)
def privileged(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        if c.sc.get("privileged") is True:
            ptr = f"{c.sc_pointer}/privileged"
            yield Violation(
                "K001",
                ptr,
                f"{c.label} runs privileged",
                [{"op": "replace", "path": ptr, "value": False}],
            )


# --------------------------------------------------------------------------- escalation

ESCALATION = _rule(
    "K002",
    "allow-privilege-escalation",
    "Privilege escalation not disabled",
    Severity.MEDIUM,
    "A container does not set `securityContext.allowPrivilegeEscalation: false` "
    "(the default is to allow it).",
    "Without `no_new_privs`, a process can gain privileges through setuid binaries or file "
    "capabilities, turning a foothold in the container into root inside it.",
    "Set `allowPrivilegeEscalation: false` on every container.",
    """
containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
""",
    pss="restricted: Privilege Escalation",
    cis="CIS Kubernetes Benchmark v1.9 5.2.6",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV001",),
    checkov=("CKV_K8S_20",),
    kube_linter=("privilege-escalation-container",),
)


@check(ESCALATION, on=Target.WORKLOAD)
def allow_privilege_escalation(w: Workload) -> Iterator[Violation]:
    if _windows(w):
        return
    for c in w.containers:
        if c.sc.get("allowPrivilegeEscalation") is False:
            continue
        ptr = f"{c.sc_pointer}/allowPrivilegeEscalation"
        how = "allows" if c.sc.get("allowPrivilegeEscalation") is True else "does not disable"
        # The API server rejects allowPrivilegeEscalation: false together with privileged: true
        # or an added CAP_SYS_ADMIN (both always allow escalation): no fix is valid until those
        # are gone (K001 / K008 report them).
        blocked = c.sc.get("privileged") is True or "SYS_ADMIN" in {cap for cap, _ in _adds(c)}
        yield Violation(
            "K002",
            _where(c, "allowPrivilegeEscalation"),
            f"{c.label} {how} privilege escalation (set allowPrivilegeEscalation: false)",
            None if blocked else set_field(w.obj, ptr, False) or None,
        )


# --------------------------------------------------------------------------- users

NON_ROOT = _rule(
    "K003",
    "run-as-non-root",
    "Container may run as root",
    Severity.MEDIUM,
    "Neither the container nor the pod sets `runAsNonRoot: true` or a non-zero `runAsUser`, "
    "so the image's `USER` (often root) decides.",
    "Root in a container is root on the host's kernel: any escape, writable host mount or "
    "kernel bug is then exploited with uid 0.",
    "Set `runAsNonRoot: true` at pod level (the kubelet then refuses to start a root image) "
    "and a non-zero `runAsUser`, and build the image with a non-root `USER`.",
    """
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
""",
    pss="restricted: Running as Non-root",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
    nsa="Pod security: non-root containers and rootless container engines",
    trivy=("KSV012",),
    checkov=("CKV_K8S_23",),
    kube_linter=("run-as-non-root",),
)


def _windows_user(w: Workload, c: Container) -> Any:
    """The effective ``windowsOptions.runAsUserName`` (container overrides pod)."""
    for sc in (c.sc, w.pod_sc):
        name = as_dict(sc.get("windowsOptions")).get("runAsUserName")
        if name is not None:
            return name
    return None


@check(NON_ROOT, on=Target.WORKLOAD)
def run_as_non_root(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        nonroot = w.effective(c, "runAsNonRoot")
        if nonroot.value is True:
            continue
        if _windows(w):
            # Windows: the kubelet's runAsNonRoot test is on the user name; a user name other
            # than ContainerAdministrator is the Windows equivalent of a non-zero uid.
            name = _windows_user(w, c)
            if isinstance(name, str) and name and name.lower() != "containeradministrator":
                continue
        else:
            uid = _int(w.effective(c, "runAsUser").value)
            if uid is not None and uid > 0:
                continue  # the process runs as that uid whatever runAsNonRoot says
            if uid == 0:
                continue  # K004 reports the explicit root uid
        items.append((nonroot.pointer or _where(c, "runAsNonRoot"), c))
    for ptr, cs in _grouped(items):
        explicit = w.effective(cs[0], "runAsNonRoot")
        fix: JSONPatch | None
        if explicit.value is False:
            how = f"{_verb(cs, 'sets', 'set')} runAsNonRoot: false"
            fix = [{"op": "replace", "path": ptr, "value": True}]
        else:
            how = "may run as root"
            fix = set_field(w.obj, f"{w.pod_sc_pointer}/runAsNonRoot", True) or None
        yield Violation(
            "K003",
            ptr,
            f"{_who(cs)} {how} (no runAsNonRoot: true and no non-zero runAsUser)",
            fix,
        )


ROOT_UID = _rule(
    "K004",
    "run-as-uid-0",
    "Container runs as uid 0",
    Severity.HIGH,
    "The effective `runAsUser` of a container (its own, or the pod's) is 0.",
    "The process is root: a container escape, a writable host path or a kernel bug gives "
    "root on the node.",
    "Use a non-zero uid (10000 or above avoids clashing with host users) and set "
    "`runAsNonRoot: true`.",
    """
securityContext:
  runAsUser: 10001
  runAsNonRoot: true
""",
    pss="restricted: Running as Non-root user",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
    nsa="Pod security: non-root containers and rootless container engines",
    trivy=("KSV105",),
    checkov=("CKV_K8S_23",),
    kube_linter=("run-as-non-root",),
)


@check(ROOT_UID, on=Target.WORKLOAD)
def run_as_uid_0(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        user = w.effective(c, "runAsUser")
        if _int(user.value) == 0:
            items.append((user.pointer, c))
    for ptr, cs in _grouped(items):
        yield Violation("K004", ptr, f"{_who(cs)} {_verb(cs, 'runs', 'run')} as uid 0 (root)")


LOW_UID = _rule(
    "K005",
    "low-uid",
    "Container uid below 10000",
    Severity.LOW,
    "The effective `runAsUser` is between 1 and 9999.",
    "Low uids often exist on the host (system and login accounts). If the container escapes, "
    "it acts as that host user on host files it can reach.",
    "Run as a uid of 10000 or above that exists nowhere on the host.",
    """
securityContext:
  runAsUser: 10001
""",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
    trivy=("KSV020",),
    checkov=("CKV_K8S_40",),
)


@check(LOW_UID, on=Target.WORKLOAD)
def low_uid(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        user = w.effective(c, "runAsUser")
        v = _int(user.value)
        if v is not None and 0 < v < 10000:
            items.append((user.pointer, c))
    for ptr, cs in _grouped(items):
        v = w.effective(cs[0], "runAsUser").value
        yield Violation(
            "K005", ptr, f"{_who(cs)} {_verb(cs, 'runs', 'run')} as low uid {v} (below 10000)"
        )


# --------------------------------------------------------------------------- filesystem

READ_ONLY = _rule(
    "K006",
    "writable-root-filesystem",
    "Root filesystem is writable",
    Severity.MEDIUM,
    "A container does not set `securityContext.readOnlyRootFilesystem: true`.",
    "A writable root filesystem lets an attacker drop tools, modify binaries or plant "
    "persistence inside the running container.",
    "Set `readOnlyRootFilesystem: true` and mount an `emptyDir` where the application "
    "must write (for example /tmp).",
    """
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


@check(READ_ONLY, on=Target.WORKLOAD)
def writable_root_filesystem(w: Workload) -> Iterator[Violation]:
    if _windows(w):
        return
    for c in w.containers:
        if c.sc.get("readOnlyRootFilesystem") is True:
            continue
        yield Violation(
            "K006",
            _where(c, "readOnlyRootFilesystem"),
            f"{c.label} has a writable root filesystem",
            set_field(w.obj, f"{c.sc_pointer}/readOnlyRootFilesystem", True) or None,
        )


# --------------------------------------------------------------------------- capabilities

#: capabilities the Pod Security Standards baseline allows a container to add
BASELINE_CAPS = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
     "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)  # fmt: skip
DANGEROUS_CAPS: dict[str, Severity] = {
    "ALL": Severity.CRITICAL,
    "SYS_ADMIN": Severity.CRITICAL,
    "SYS_MODULE": Severity.HIGH,
    "SYS_PTRACE": Severity.HIGH,
    "SYS_RAWIO": Severity.HIGH,
    "SYS_BOOT": Severity.HIGH,
    "BPF": Severity.HIGH,
    "PERFMON": Severity.HIGH,
    "DAC_READ_SEARCH": Severity.HIGH,
    "MAC_ADMIN": Severity.HIGH,
    "MAC_OVERRIDE": Severity.HIGH,
    "NET_ADMIN": Severity.HIGH,
    "NET_RAW": Severity.MEDIUM,
    "SYS_TIME": Severity.MEDIUM,
    "SYSLOG": Severity.MEDIUM,
}


def _cap(name: Any) -> str:
    """An added capability's name as the runtime will treat it: CRI runtimes upper-case it and
    CRI-O accepts a ``CAP_`` prefix, so ``cap_sys_admin`` and ``sys_admin`` are SYS_ADMIN."""
    text = str(name).strip().upper()
    return text[4:] if text.startswith("CAP_") else text


def _drops_all(caps: dict[str, Any]) -> bool:
    """``drop`` contains ALL (containerd and CRI-O compare it case-insensitively)."""
    return any(isinstance(x, str) and x.strip().upper() == "ALL" for x in as_list(caps.get("drop")))


DROP_ALL = _rule(
    "K007",
    "capabilities-not-dropped",
    "Capabilities not dropped",
    Severity.MEDIUM,
    "A container's `securityContext.capabilities.drop` does not contain `ALL`.",
    "Container runtimes grant a default set of about 14 capabilities (NET_RAW, CHOWN, "
    "DAC_OVERRIDE, SETUID, …) that most applications never use and attackers do.",
    "Drop `ALL` and add back only what the process needs, usually nothing or `NET_BIND_SERVICE`.",
    """
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
""",
    pss="restricted: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.10",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV003", "KSV106"),
    checkov=("CKV_K8S_28", "CKV_K8S_37"),
    kube_linter=("drop-net-raw-capability",),
)


@check(DROP_ALL, on=Target.WORKLOAD)
def capabilities_not_dropped(w: Workload) -> Iterator[Violation]:
    if _windows(w):
        return
    for c in w.containers:
        caps = as_dict(c.sc.get("capabilities"))
        if _drops_all(caps):
            continue
        if "drop" in caps:
            where = f"{c.sc_pointer}/capabilities/drop"
        elif "capabilities" in c.sc:
            where = f"{c.sc_pointer}/capabilities"
        else:
            where = _where(c, "capabilities")
        yield Violation(
            "K007",
            where,
            f'{c.label} does not drop ALL capabilities (capabilities.drop: ["ALL"])',
            append_item(w.obj, f"{c.sc_pointer}/capabilities/drop", "ALL") or None,
        )


DANGEROUS_ADD = _rule(
    "K008",
    "dangerous-capability",
    "Dangerous capability added",
    Severity.HIGH,
    "A container adds a capability that breaks isolation: ALL or SYS_ADMIN (critical), "
    "SYS_MODULE, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, BPF, PERFMON, DAC_READ_SEARCH, MAC_ADMIN, "
    "MAC_OVERRIDE, NET_ADMIN (high), NET_RAW, SYS_TIME, SYSLOG (medium).",
    "SYS_ADMIN is nearly root on the host (mount, namespaces, BPF); SYS_MODULE loads kernel "
    "modules; SYS_PTRACE reads other processes' memory; NET_ADMIN and NET_RAW let a pod spoof "
    "and sniff traffic on the node network.",
    "Remove the capability. If a tool needs it (e.g. a CNI or a debugger), run it as a "
    "separate, audited DaemonSet in its own namespace.",
    """
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]   # only what the process needs
""",
    pss="baseline: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.8 (NET_RAW), 5.2.9",
    nsa="Pod security: non-root and unprivileged containers",
    trivy=("KSV005", "KSV022"),
    checkov=("CKV_K8S_25", "CKV_K8S_39"),
)

OTHER_ADD = _rule(
    "K009",
    "capability-added",
    "Capability added beyond NET_BIND_SERVICE",
    Severity.LOW,
    "A container adds a capability other than NET_BIND_SERVICE that is not in the dangerous "
    "list of K008. Outside the Pod Security Standards baseline set it is medium.",
    "Every capability widens what a compromised process may do; the restricted standard "
    "allows adding only NET_BIND_SERVICE.",
    "Remove the capability, or document why the workload needs it and suppress the finding.",
    """
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
""",
    pss="restricted: Capabilities",
    cis="CIS Kubernetes Benchmark v1.9 5.2.9",
    trivy=("KSV022",),
    checkov=("CKV_K8S_25",),
)


def _adds(c: Container) -> Iterator[tuple[str, str]]:
    caps = as_dict(c.sc.get("capabilities"))
    for i, x in enumerate(as_list(caps.get("add"))):
        yield _cap(x), f"{c.sc_pointer}/capabilities/add/{i}"


@check(DANGEROUS_ADD, on=Target.WORKLOAD)
def dangerous_capability(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        for cap, ptr in _adds(c):
            sev = DANGEROUS_CAPS.get(cap)
            if sev is not None:
                yield Violation("K008", ptr, f"{c.label} adds capability {cap}", None, sev)


@check(OTHER_ADD, on=Target.WORKLOAD)
def capability_added(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        for cap, ptr in _adds(c):
            if cap in DANGEROUS_CAPS or cap == "NET_BIND_SERVICE":
                continue
            sev = Severity.LOW if cap in BASELINE_CAPS else Severity.MEDIUM
            yield Violation("K009", ptr, f"{c.label} adds capability {cap}", None, sev)


# --------------------------------------------------------------------------- seccomp

SECCOMP_POD_ANN = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CTR_ANN = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CTR_ANN = "container.apparmor.security.beta.kubernetes.io/"


def seccomp_of(w: Workload, c: Container) -> tuple[str | None, str]:
    """The effective seccomp profile type of a container and the pointer that sets it.

    Container beats pod; at each level the field beats the legacy annotation (the API server
    copies an annotation into the unset field of its own level when the pod is created, so a
    container annotation overrides a pod-level field). Annotation values are mapped to field
    types (``runtime/default`` and ``docker/default`` → RuntimeDefault, ``unconfined`` →
    Unconfined, ``localhost/…`` → Localhost).
    """
    levels = (
        (c.sc, c.sc_pointer, SECCOMP_CTR_ANN + c.name),
        (w.pod_sc, w.pod_sc_pointer, SECCOMP_POD_ANN),
    )
    for sc, ptr, key in levels:
        prof = sc.get("seccompProfile")
        if isinstance(prof, dict) and prof.get("type") is not None:
            return str(prof.get("type")), f"{ptr}/seccompProfile/type"
        val = w.annotations.get(key)
        if isinstance(val, str):
            if val in ("runtime/default", "docker/default"):
                kind = "RuntimeDefault"
            elif val == "unconfined":
                kind = "Unconfined"
            elif val.startswith("localhost/"):
                kind = "Localhost"
            else:
                kind = val
            return kind, w.annotation_pointer(key)
    return None, ""


SECCOMP_MISSING = _rule(
    "K010",
    "seccomp-profile-missing",
    "No seccomp profile",
    Severity.MEDIUM,
    "Neither the container nor the pod sets `seccompProfile` (nor the legacy seccomp "
    "annotation), so the container runs Unconfined on most runtimes.",
    "Seccomp filters the system calls a process may make; the RuntimeDefault profile blocks "
    "dozens used in kernel exploits and container escapes at almost no cost.",
    "Set `seccompProfile.type: RuntimeDefault` in the pod's security context.",
    """
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
""",
    pss="restricted: Seccomp",
    cis="CIS Kubernetes Benchmark v1.9 5.7.2",
    nsa="Pod security: seccomp",
    trivy=("KSV030", "KSV104"),
    checkov=("CKV_K8S_31",),
)

SECCOMP_UNCONFINED = _rule(
    "K011",
    "seccomp-unconfined",
    "Seccomp explicitly Unconfined",
    Severity.HIGH,
    "A container or pod sets `seccompProfile.type: Unconfined` (or the legacy annotation "
    "`unconfined`).",
    "An unconfined container can make every system call, including those behind most "
    "kernel-level container escapes.",
    "Use `RuntimeDefault`, or a `Localhost` profile that allows what the application needs.",
    """
securityContext:
  seccompProfile:
    type: RuntimeDefault
""",
    pss="baseline: Seccomp",
    cis="CIS Kubernetes Benchmark v1.9 5.7.2",
    nsa="Pod security: seccomp",
    trivy=("KSV104",),
    checkov=("CKV_K8S_31",),
)


@check(SECCOMP_MISSING, on=Target.WORKLOAD)
def seccomp_missing(w: Workload) -> Iterator[Violation]:
    if _windows(w):
        return
    for c in w.containers:
        kind, _ = seccomp_of(w, c)
        if kind is None:
            yield Violation(
                "K010",
                _where(c, "seccompProfile"),
                f"{c.label} has no seccomp profile (set seccompProfile.type: RuntimeDefault)",
                set_field(w.obj, f"{w.pod_sc_pointer}/seccompProfile", {"type": "RuntimeDefault"})
                or None,
            )


def _unconfined(
    w: Workload,
    resolve: Callable[[Workload, Container], tuple[str | None, str]],
    code: str,
    what: str,
) -> Iterator[Violation]:
    """One violation per place that sets a profile to Unconfined, naming its containers."""
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        kind, ptr = resolve(w, c)
        if kind == "Unconfined":
            items.append((ptr, c))
    for ptr, cs in _grouped(items):
        yield Violation(code, ptr, f"{_who(cs)} {_verb(cs, 'runs', 'run')} with {what}")


@check(SECCOMP_UNCONFINED, on=Target.WORKLOAD)
def seccomp_unconfined(w: Workload) -> Iterator[Violation]:
    return _unconfined(w, seccomp_of, "K011", "seccomp Unconfined")


# --------------------------------------------------------------------------- AppArmor / SELinux

APPARMOR = _rule(
    "K012",
    "apparmor-unconfined",
    "AppArmor explicitly unconfined",
    Severity.HIGH,
    "A container or pod sets `appArmorProfile.type: Unconfined`, or the legacy annotation "
    "`container.apparmor.security.beta.kubernetes.io/<name>: unconfined`.",
    "On AppArmor hosts the runtime's default profile blocks writes to /proc and /sys and "
    "mount calls; turning it off removes that layer.",
    "Remove the override (the runtime default applies) or use `RuntimeDefault` or a "
    "`Localhost` profile.",
    """
securityContext:
  appArmorProfile:
    type: RuntimeDefault
""",
    pss="baseline: AppArmor",
    cis="CIS Kubernetes Benchmark v1.9 5.7.3",
    nsa="Pod security: SELinux, AppArmor and seccomp",
    trivy=("KSV002",),
    refs=(SC_DOC, "https://kubernetes.io/docs/tutorials/security/apparmor/"),
)


def apparmor_of(w: Workload, c: Container) -> tuple[str | None, str]:
    """The effective AppArmor profile type of a container and the pointer that sets it.

    Container field, then the container's legacy annotation (copied into the field by the API
    server), then the pod field. There is no pod-level annotation.
    """
    prof = as_dict(c.sc.get("appArmorProfile"))
    if prof.get("type") is not None:
        return str(prof["type"]), f"{c.sc_pointer}/appArmorProfile/type"
    key = APPARMOR_CTR_ANN + c.name
    val = w.annotations.get(key)
    if isinstance(val, str):
        if val == "runtime/default":
            kind = "RuntimeDefault"
        elif val == "unconfined":
            kind = "Unconfined"
        elif val.startswith("localhost/"):
            kind = "Localhost"
        else:
            kind = val
        return kind, w.annotation_pointer(key)
    pod = as_dict(w.pod_sc.get("appArmorProfile"))
    if pod.get("type") is not None:
        return str(pod["type"]), f"{w.pod_sc_pointer}/appArmorProfile/type"
    return None, ""


@check(APPARMOR, on=Target.WORKLOAD)
def apparmor_unconfined(w: Workload) -> Iterator[Violation]:
    return _unconfined(w, apparmor_of, "K012", "AppArmor unconfined")


SELINUX_TYPES = frozenset(
    {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)

SELINUX = _rule(
    "K013",
    "selinux-options",
    "Custom SELinux type, user or role",
    Severity.MEDIUM,
    "A pod or container sets `seLinuxOptions.type` to something other than container_t, "
    "container_init_t, container_kvm_t or container_engine_t, or sets `user` or `role`.",
    "A custom SELinux type or user can lift the confinement SELinux gives containers, e.g. "
    "`spc_t` (super-privileged container) is unconfined.",
    "Remove `type`, `user` and `role` from `seLinuxOptions`; set only `level` if needed.",
    """
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
""",
    pss="baseline: SELinux",
    cis="CIS Kubernetes Benchmark v1.9 5.7.3",
    trivy=("KSV025",),
)


@check(SELINUX, on=Target.WORKLOAD)
def selinux_options(w: Workload) -> Iterator[Violation]:
    targets: list[tuple[dict[str, Any], str, str]] = [(w.pod_sc, w.pod_sc_pointer, "pod")]
    targets += [(c.sc, c.sc_pointer, c.label) for c in w.containers]
    for sc, ptr, label in targets:
        opts = sc.get("seLinuxOptions")
        if not isinstance(opts, dict):
            continue
        t = opts.get("type")
        if t not in (None, "") and t not in SELINUX_TYPES:
            yield Violation(
                "K013", f"{ptr}/seLinuxOptions/type", f"{label} sets SELinux type {t!r}"
            )
        for f in ("user", "role"):
            if opts.get(f) not in (None, ""):
                yield Violation(
                    "K013", f"{ptr}/seLinuxOptions/{f}", f"{label} sets SELinux {f} {opts[f]!r}"
                )


# --------------------------------------------------------------------------- host namespaces


def _host_rule(
    code: str, field: str, what: str, why: str, trivy: str, checkov: str, cis: str
) -> Rule:
    return _rule(
        code,
        f"host-{field[4:].lower()}",
        f"Pod shares the host {what}",
        Severity.HIGH,
        f"The pod sets `{field}: true`.",
        why,
        f"Remove `{field}` (the default is false).",
        f"""
spec:
  {field}: false
""",
        pss="baseline: Host Namespaces",
        cis=f"CIS Kubernetes Benchmark v1.9 {cis}",
        nsa="Pod security: host namespaces",
        trivy=(trivy,),
        checkov=(checkov,),
        kube_linter=(f"host-{field[4:].lower()}",),
    )


HOST_NETWORK = _host_rule(
    "K014",
    "hostNetwork",
    "network namespace",
    "The pod sees every interface of the node, can bind node ports, sniff node traffic and "
    "reach services listening on the node's loopback (kubelet, etcd on control-plane nodes); "
    "NetworkPolicies no longer apply to it.",
    "KSV009",
    "CKV_K8S_19",
    "5.2.5",
)
HOST_PID = _host_rule(
    "K015",
    "hostPID",
    "process namespace",
    "The pod sees every process on the node, their environment and command lines (secrets), "
    "and with ptrace can inject into them.",
    "KSV010",
    "CKV_K8S_17",
    "5.2.3",
)
HOST_IPC = _host_rule(
    "K016",
    "hostIPC",
    "IPC namespace",
    "The pod can read and write shared memory segments of every process on the node.",
    "KSV008",
    "CKV_K8S_18",
    "5.2.4",
)


def _host_check(rule: Rule, field: str) -> None:
    def host_namespace(w: Workload) -> Iterator[Violation]:
        if w.spec.get(field) is True:
            ptr = f"{w.spec_pointer}/{field}"
            yield Violation(
                rule.code,
                ptr,
                f"pod sets {field}: true",
                [{"op": "replace", "path": ptr, "value": False}],
            )

    host_namespace.__name__ = field
    check(rule, on=Target.WORKLOAD)(host_namespace)


_host_check(HOST_NETWORK, "hostNetwork")
_host_check(HOST_PID, "hostPID")
_host_check(HOST_IPC, "hostIPC")

HOST_USERS = _rule(
    "K017",
    "host-users",
    "Pod explicitly shares the host user namespace",
    Severity.LOW,
    "The pod sets `hostUsers: true` explicitly.",
    "With a user namespace (`hostUsers: false`) uid 0 in the container maps to an "
    "unprivileged uid on the host, which defuses many escapes. Setting it to true opts out.",
    "Set `hostUsers: false` where the cluster supports user namespaces (Kubernetes 1.30+ "
    "with a supporting runtime), or remove the field.",
    """
spec:
  hostUsers: false
""",
    refs=("https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",),
)


@check(HOST_USERS, on=Target.WORKLOAD)
def host_users(w: Workload) -> Iterator[Violation]:
    if w.spec.get("hostUsers") is True:
        yield Violation(
            "K017", f"{w.spec_pointer}/hostUsers", "pod sets hostUsers: true (no user namespace)"
        )


# --------------------------------------------------------------------------- hostPath

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


def _norm(path: str) -> str:
    """Normalise a host path as the node resolves it: ``//etc/``, ``/var/log/../../etc`` and
    ``etc/.`` all mean ``/etc``. (The API server rejects ``..`` in hostPath paths; normalising
    anyway keeps a crafted path from hiding.) Empty stays empty."""
    text = path.strip()
    if not text:
        return ""
    return posixpath.normpath("/" + text.lstrip("/"))


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def _ancestor(path: str, roots: tuple[str, ...]) -> bool:
    """``path`` is a root or contains one (``/`` contains everything)."""
    return any(path == r or path == "/" or r.startswith(path + "/") for r in roots)


def runtime_socket(path: str) -> bool:
    p = _norm(path)
    if not p:
        return False
    return (
        posixpath.basename(p) in RUNTIME_SOCKETS
        or _under(p, RUNTIME_SOCKET_DIRS)
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
    p = _norm(path)
    if not p:
        return Severity.MEDIUM
    if _ancestor(p, CRITICAL_ROOTS) or _under(p, CRITICAL_TREES):
        return Severity.CRITICAL
    if _under(p, BENIGN) or (read_only and _under(p, TRUST_STORES)):
        return Severity.MEDIUM
    if _under(p, HIGH_TREES) or _ancestor(p, HIGH_TREES):
        if read_only and not _under(p, READ_SENSITIVE):
            return Severity.MEDIUM
        return Severity.HIGH
    return Severity.MEDIUM


HOST_PATH = _rule(
    "K018",
    "host-path-volume",
    "hostPath volume",
    Severity.MEDIUM,
    "The pod mounts a directory or file of the node with a `hostPath` volume (container "
    "runtime sockets are K019). Critical for `/`, `/etc`, `/proc` (and anything in it), "
    "`/sys`, `/var/lib/kubelet`, `/var/run`, `/run`, `/root`, their parents (`/var`, "
    "`/var/lib`) and cluster credentials (/etc/kubernetes, kubelet pki and pod volumes, etcd "
    "data); high for other sensitive trees (/dev, /home, /boot, /var/log, system binaries and "
    "libraries, runtime and CNI state, anything else under /etc or /sys); medium otherwise. "
    "A read-only mount lowers high to medium where reading exposes nothing secret; device "
    "nodes and sockets stay high because a read-only mount does not stop their use, and a "
    "hostPath declared `type: Socket`, `CharDevice` or `BlockDevice` is at least high wherever "
    "it lives (a daemon's API or a raw device, e.g. an agent socket under /srv).",
    "A writable host mount is a direct path to the node: planting cron jobs or SSH keys, "
    "reading kubelet credentials, or tampering with logs.",
    "Use an `emptyDir`, a `configMap`/`secret`, or a PersistentVolumeClaim. Where a node "
    "agent truly needs a host path, mount the narrowest path with `readOnly: true`.",
    """
volumes:
  - name: cache
    emptyDir: {}
""",
    pss="baseline: HostPath Volumes",
    cis="CIS Kubernetes Benchmark v1.9 5.2.12",
    nsa="Pod security: protecting pod service account tokens and host mounts",
    trivy=("KSV023",),
    kube_linter=("sensitive-host-mounts",),
)

RUNTIME_SOCKET = _rule(
    "K019",
    "container-runtime-socket",
    "Container runtime socket mounted",
    Severity.CRITICAL,
    "The pod mounts the Docker, containerd, CRI-O or Podman socket, a directory holding it "
    "(/var/run/docker, /run/containerd, …) or a runtime's state root (/var/lib/docker, "
    "/var/lib/containerd) from the node. A read-only mount does not help: connecting to a "
    "socket works through it.",
    "Whoever talks to the runtime socket can start a privileged container with the host's "
    "root filesystem: it is root on the node.",
    "Do not mount runtime sockets. Build images with a daemonless builder (BuildKit rootless, "
    "kaniko, buildah) and query the kubelet or the API server instead of the runtime.",
    """
# remove:
# volumes:
#   - name: docker
#     hostPath: {path: /var/run/docker.sock}
""",
    pss="baseline: HostPath Volumes",
    cis="CIS Kubernetes Benchmark v1.9 5.2.12",
    nsa="Pod security: host mounts",
    trivy=("KSV006",),
    checkov=("CKV_K8S_27",),
    kube_linter=("docker-sock",),
)


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


@check(HOST_PATH, on=Target.WORKLOAD)
def host_path_volume(w: Workload) -> Iterator[Violation]:
    for path, ptr, read_only, kind in _host_paths(w):
        if runtime_socket(path):
            continue  # K019
        sev = host_path_severity(path, read_only)
        endpoint = ENDPOINT_TYPES.get(kind)
        if endpoint and sev < Severity.HIGH and not _under(_norm(path), BENIGN):
            sev = Severity.HIGH
        how = " read-only" if read_only else ""
        what = f" ({endpoint})" if endpoint else ""
        yield Violation(
            "K018", ptr + "/path", f"pod mounts host path {path!r}{what}{how}", None, sev
        )


@check(RUNTIME_SOCKET, on=Target.WORKLOAD)
def container_runtime_socket(w: Workload) -> Iterator[Violation]:
    for path, ptr, _, _ in _host_paths(w):
        if runtime_socket(path):
            yield Violation("K019", ptr + "/path", f"pod mounts the container runtime at {path!r}")


HOST_PORT = _rule(
    "K020",
    "host-port",
    "hostPort used",
    Severity.MEDIUM,
    "A container port sets `hostPort`.",
    "A hostPort binds the port on the node's interfaces, bypassing Services and "
    "NetworkPolicies, and limits scheduling to one such pod per node.",
    "Remove `hostPort`; expose the pod through a Service (ClusterIP, NodePort or "
    "LoadBalancer) or an Ingress.",
    """
ports:
  - containerPort: 8080
""",
    pss="baseline: Host Ports",
    cis="CIS Kubernetes Benchmark v1.9 5.2.13",
    trivy=("KSV024",),
    checkov=("CKV_K8S_26",),
    kube_linter=("host-port",),
)


@check(HOST_PORT, on=Target.WORKLOAD)
def host_port(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        for i, p in enumerate(as_list(c.data.get("ports"))):
            # 0 (and unset) means no host port; a non-integer is rejected by the API server
            port = _int(p.get("hostPort")) if isinstance(p, dict) else None
            if port is not None and port > 0:
                yield Violation(
                    "K020",
                    f"{c.pointer}/ports/{i}/hostPort",
                    f"{c.label} binds host port {port}",
                )


PROC_MOUNT = _rule(
    "K021",
    "unmasked-proc-mount",
    "Unmasked /proc mount",
    Severity.HIGH,
    "A container sets `securityContext.procMount` to something other than `Default` "
    "(i.e. `Unmasked`).",
    "The default masks sensitive /proc paths (kcore, sysrq-trigger, …); unmasking exposes "
    "host kernel interfaces to the container.",
    "Remove `procMount` or set it to `Default`.",
    """
securityContext:
  procMount: Default
""",
    pss="baseline: /proc Mount Type",
    trivy=("KSV027",),
)


@check(PROC_MOUNT, on=Target.WORKLOAD)
def unmasked_proc_mount(w: Workload) -> Iterator[Violation]:
    for c in w.containers:
        pm = c.sc.get("procMount")
        if pm not in (None, "Default"):
            yield Violation("K021", f"{c.sc_pointer}/procMount", f"{c.label} sets procMount: {pm}")


SAFE_SYSCTLS = frozenset(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
     "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
     "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
     "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
)  # fmt: skip

SYSCTLS = _rule(
    "K022",
    "unsafe-sysctl",
    "Unsafe sysctl",
    Severity.HIGH,
    "The pod sets a sysctl outside the safe set the Pod Security Standards allow: high for "
    "node-wide sysctls (vm.*, most kernel.*, fs.* outside fs.mqueue), medium for namespaced "
    "ones (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*).",
    "Node-wide sysctls are not isolated per pod: they change the node's kernel for every "
    "workload on it. Namespaced but unsafe ones stay in the pod's namespaces, yet can "
    "exhaust node resources or weaken the kernel's defences for the pod.",
    "Remove the sysctl, or run the workload on dedicated, tainted nodes whose kubelet allows it.",
    """
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_local_port_range
        value: "1024 65000"
""",
    pss="baseline: Sysctls",
    trivy=("KSV026",),
    refs=("https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",),
)


NAMESPACED_SYSCTL_PREFIXES = ("net.", "kernel.shm", "kernel.msg", "fs.mqueue.")


def sysctl_dots(name: str) -> str:
    """The kubelet's canonical form: ``net/ipv4/ip_forward`` → ``net.ipv4.ip_forward``.

    When the first separator is ``/``, slashes and dots swap (a dot inside a segment, as in an
    interface name ``eth0.100``, becomes a slash), exactly as the kubelet converts it.
    """
    first = next((ch for ch in name if ch in "./"), "")
    if first != "/":
        return name
    return name.translate(str.maketrans("/.", "./"))


@check(SYSCTLS, on=Target.WORKLOAD)
def unsafe_sysctl(w: Workload) -> Iterator[Violation]:
    for i, s in enumerate(as_list(w.pod_sc.get("sysctls"))):
        name = s.get("name") if isinstance(s, dict) else None
        canon = sysctl_dots(name.strip()) if isinstance(name, str) else None
        if canon in SAFE_SYSCTLS:
            continue
        namespaced = isinstance(canon, str) and (
            canon.startswith(NAMESPACED_SYSCTL_PREFIXES) or canon == "kernel.sem"
        )
        yield Violation(
            "K022",
            f"{w.pod_sc_pointer}/sysctls/{i}/name",
            f"pod sets unsafe sysctl {name!r}" + ("" if namespaced else " (node-wide)"),
            None,
            Severity.MEDIUM if namespaced else None,
        )


WINDOWS_HOST_PROCESS = _rule(
    "K023",
    "windows-host-process",
    "Windows HostProcess container",
    Severity.HIGH,
    "A pod or container sets `windowsOptions.hostProcess: true`.",
    "HostProcess containers run directly on the Windows node with host-level access.",
    "Remove `hostProcess`; use a regular Windows container.",
    """
securityContext:
  windowsOptions:
    hostProcess: false
""",
    pss="baseline: HostProcess",
    cis="CIS Kubernetes Benchmark v1.9 5.2.11",
    trivy=("KSV103",),
    refs=("https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/",),
)


@check(WINDOWS_HOST_PROCESS, on=Target.WORKLOAD)
def windows_host_process(w: Workload) -> Iterator[Violation]:
    targets: list[tuple[dict[str, Any], str, str]] = [(w.pod_sc, w.pod_sc_pointer, "pod")]
    targets += [(c.sc, c.sc_pointer, c.label) for c in w.containers]
    for sc, ptr, label in targets:
        if as_dict(sc.get("windowsOptions")).get("hostProcess") is True:
            yield Violation(
                "K023", f"{ptr}/windowsOptions/hostProcess", f"{label} is a HostProcess container"
            )


# --------------------------------------------------------------------------- resources


def _resource_rule(
    code: str,
    slug: str,
    title: str,
    sev: Severity,
    what: str,
    why: str,
    trivy: tuple[str, ...],
    checkov: tuple[str, ...],
    kl: tuple[str, ...],
) -> Rule:
    return _rule(
        code,
        slug,
        title,
        sev,
        what,
        why,
        "Set requests to what the container normally uses and limits to what it may use at peak.",
        """
resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    cpu: 500m
    memory: 256Mi
""",
        cis="CIS Kubernetes Benchmark v1.9 5.7 (general policies)",
        nsa="Pod security: resource policies (denial of service)",
        trivy=trivy,
        checkov=checkov,
        kube_linter=kl,
        refs=("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",),
    )


MEMORY_LIMIT = _resource_rule(
    "K024",
    "memory-limit-missing",
    "No memory limit",
    Severity.MEDIUM,
    "A container sets no `resources.limits.memory`.",
    "Without a memory limit one container can exhaust the node's memory, trigger the OOM "
    "killer against other pods and take the node down (denial of service).",
    ("KSV018",),
    ("CKV_K8S_13",),
    ("unset-memory-requirements",),
)
CPU_LIMIT = _resource_rule(
    "K025",
    "cpu-limit-missing",
    "No CPU limit",
    Severity.LOW,
    "A container sets no `resources.limits.cpu`.",
    "Without a CPU limit a runaway or compromised container (a crypto-miner) can starve its "
    "neighbours on the node.",
    ("KSV011",),
    ("CKV_K8S_11",),
    ("unset-cpu-requirements",),
)
REQUESTS = _resource_rule(
    "K026",
    "resource-requests-missing",
    "No CPU or memory request",
    Severity.LOW,
    "A container sets no `resources.requests.cpu` or no `resources.requests.memory`.",
    "Without requests the scheduler cannot place the pod sensibly and the pod is the first "
    "evicted under pressure (BestEffort QoS).",
    ("KSV015", "KSV016"),
    ("CKV_K8S_10", "CKV_K8S_12"),
    ("unset-cpu-requirements", "unset-memory-requirements"),
)


def _resource_containers(w: Workload) -> Iterator[Container]:
    for c in w.containers:
        if c.kind != "ephemeralContainers":  # ephemeral containers cannot have resources
            yield c


def _res_where(c: Container, section: str) -> str:
    res = as_dict(c.data.get("resources"))
    if section in res:
        return f"{c.pointer}/resources/{section}"
    if "resources" in c.data:
        return f"{c.pointer}/resources"
    return c.pointer


def _has(c: Container, section: str, name: str) -> bool:
    return as_dict(as_dict(c.data.get("resources")).get(section)).get(name) not in (None, "")


def _pod_has(w: Workload, section: str, name: str) -> bool:
    """Pod-level resources (``spec.resources``, PodLevelResources): they bound every container
    that sets none of its own, so a container without its own value is not unbounded."""
    return as_dict(as_dict(w.spec.get("resources")).get(section)).get(name) not in (None, "")


@check(MEMORY_LIMIT, on=Target.WORKLOAD)
def memory_limit_missing(w: Workload) -> Iterator[Violation]:
    if _pod_has(w, "limits", "memory"):
        return
    for c in _resource_containers(w):
        if not _has(c, "limits", "memory"):
            yield Violation("K024", _res_where(c, "limits"), f"{c.label} has no memory limit")


@check(CPU_LIMIT, on=Target.WORKLOAD)
def cpu_limit_missing(w: Workload) -> Iterator[Violation]:
    if _pod_has(w, "limits", "cpu"):
        return
    for c in _resource_containers(w):
        if not _has(c, "limits", "cpu"):
            yield Violation("K025", _res_where(c, "limits"), f"{c.label} has no CPU limit")


@check(REQUESTS, on=Target.WORKLOAD)
def resource_requests_missing(w: Workload) -> Iterator[Violation]:
    for c in _resource_containers(w):
        # a limit without a request defaults the request to the limit
        missing = [
            n
            for n in ("cpu", "memory")
            if not _has(c, "requests", n)
            and not _has(c, "limits", n)
            and not _pod_has(w, "requests", n)
            and not _pod_has(w, "limits", n)
        ]
        if missing:
            yield Violation(
                "K026",
                _res_where(c, "requests"),
                f"{c.label} has no {' or '.join(missing)} request",
            )


# --------------------------------------------------------------------------- images


def split_image(image: str) -> tuple[str, str, str]:
    """(repository, tag, digest) of an image reference; tag and digest may be empty."""
    digest = ""
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = ""
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image, tag = image[:colon], image[colon + 1 :]
    return image, tag, digest


def _images(w: Workload) -> Iterator[tuple[Container, str, str]]:
    for c in w.containers:
        img = c.data.get("image")
        if not isinstance(img, str) or not img.strip():
            continue
        if "$" in img or "{{" in img:
            continue  # a placeholder filled in by a tool: judged after rendering
        yield c, img.strip(), f"{c.pointer}/image"


IMAGE_TAG = _rule(
    "K027",
    "image-tag-mutable",
    "Image without tag or with :latest",
    Severity.MEDIUM,
    "A container image has no tag, or the tag `latest`.",
    "The image that runs changes whenever someone pushes, so builds are not reproducible, "
    "rollbacks do not roll back, and a compromised push reaches production unreviewed.",
    "Pin a version tag, and better, the digest: `registry/app:1.4.2@sha256:…`.",
    """
containers:
  - name: app
    image: registry.example.com/app:1.4.2@sha256:3f1b…
""",
    nsa="Supply chain: image integrity",
    trivy=("KSV013",),
    checkov=("CKV_K8S_14",),
    kube_linter=("latest-tag",),
    refs=("https://kubernetes.io/docs/concepts/containers/images/#image-names",),
)

IMAGE_DIGEST = _rule(
    "K028",
    "image-not-pinned",
    "Image not pinned by digest",
    Severity.LOW,
    "A container image is referenced by tag only, not by `@sha256:` digest.",
    "Tags are mutable: the registry (or anyone who can push) can change what a tag points to; "
    "a digest names exactly one image.",
    "Append the digest: `image: nginx:1.27.2@sha256:<digest>` (tools such as crane or "
    "`docker buildx imagetools inspect` print it).",
    """
image: nginx:1.27.2@sha256:<digest>
""",
    nsa="Supply chain: image integrity",
    checkov=("CKV_K8S_43",),
    refs=("https://kubernetes.io/docs/concepts/containers/images/#image-names",),
)


@check(IMAGE_TAG, on=Target.WORKLOAD)
def image_tag_mutable(w: Workload) -> Iterator[Violation]:
    for c, img, ptr in _images(w):
        _, tag, digest = split_image(img)
        if digest:
            continue
        if not tag:
            yield Violation("K027", ptr, f"{c.label} uses image {img!r} without a tag")
        elif tag == "latest":
            yield Violation("K027", ptr, f"{c.label} uses image {img!r} with tag latest")


@check(IMAGE_DIGEST, on=Target.WORKLOAD)
def image_not_pinned(w: Workload) -> Iterator[Violation]:
    for c, img, ptr in _images(w):
        _, tag, digest = split_image(img)
        if not digest and tag and tag != "latest":
            yield Violation("K028", ptr, f"{c.label} image {img!r} is not pinned by digest")


PULL_POLICY = _rule(
    "K029",
    "image-pull-policy",
    "Cached image used for a mutable tag",
    Severity.LOW,
    "A container sets `imagePullPolicy: IfNotPresent` or `Never` for an image referenced by "
    "a tag rather than a digest.",
    "The node runs whatever it cached under that tag: possibly stale, and in a shared "
    "cluster an image another tenant pulled with credentials this pod does not have.",
    "Pin the image by digest (then IfNotPresent is exact), or use `imagePullPolicy: Always`.",
    """
image: registry.example.com/app:1.4.2@sha256:<digest>
imagePullPolicy: IfNotPresent
""",
    cis="CIS Kubernetes Benchmark v1.9 1.2.11 (AlwaysPullImages)",
    checkov=("CKV_K8S_15",),
    refs=("https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",),
)


@check(PULL_POLICY, on=Target.WORKLOAD)
def image_pull_policy(w: Workload) -> Iterator[Violation]:
    for c, img, _ in _images(w):
        policy = c.data.get("imagePullPolicy")
        if policy in ("IfNotPresent", "Never") and not split_image(img)[2]:
            yield Violation(
                "K029",
                f"{c.pointer}/imagePullPolicy",
                f"{c.label} uses imagePullPolicy {policy} with mutable image {img!r}",
            )


# --------------------------------------------------------------------------- pod settings

AUTOMOUNT = _rule(
    "K030",
    "service-account-token-mounted",
    "Service account token mounted automatically",
    Severity.LOW,
    "The pod does not set `automountServiceAccountToken: false`.",
    "Every process in the pod can read a token for the Kubernetes API; an attacker who gets "
    "code execution inherits the service account's permissions.",
    "Set `automountServiceAccountToken: false` on the pod (or its ServiceAccount) unless the "
    "application calls the Kubernetes API; if it does, give it a dedicated service account.",
    """
spec:
  automountServiceAccountToken: false
""",
    cis="CIS Kubernetes Benchmark v1.9 5.1.6",
    nsa="Pod security: protecting pod service account tokens",
    trivy=("KSV036",),
    checkov=("CKV_K8S_38",),
)


@check(AUTOMOUNT, on=Target.WORKLOAD, context=True)
def service_account_token_mounted(w: Workload, ctx: ObjectContext) -> Iterator[Violation]:
    if w.spec.get("automountServiceAccountToken") is False:
        return
    if token_decided_by_service_account(w.obj, ctx.facts.tokenless_service_accounts):
        return  # its ServiceAccount, in the scanned set, turns the mount off
    ptr = f"{w.spec_pointer}/automountServiceAccountToken"
    where = ptr if "automountServiceAccountToken" in w.spec else w.spec_pointer
    yield Violation(
        "K030",
        where,
        "pod mounts its service account token (set automountServiceAccountToken: false)",
        set_field(w.obj, ptr, False) or None,
    )


def service_accounts_without_token(
    objects: Sequence[Mapping[str, Any]],
) -> frozenset[tuple[str, str]]:
    """(namespace, name) of every ServiceAccount of a scanned set that sets
    ``automountServiceAccountToken: false``.

    The kubelet mounts the token unless the pod says otherwise, and when the pod is silent the
    ServiceAccount decides: such a pod gets no token. A scan learns these before the checks
    run (:attr:`~hardhull.context.ScanFacts.tokenless_service_accounts`), and K030 does not
    report pods whose ServiceAccount, in the same scan, already turns the mount off.
    """
    out: set[tuple[str, str]] = set()
    for obj in objects:
        if obj.get("kind") != "ServiceAccount" or obj.get("apiVersion") != "v1":
            continue
        if obj.get("automountServiceAccountToken") is not False:
            continue
        name = object_name(obj)
        if name:
            out.add((object_namespace(obj), name))
    return frozenset(out)


def token_decided_by_service_account(
    obj: Mapping[str, Any], sas: frozenset[tuple[str, str]]
) -> bool:
    """True when ``obj`` is a workload whose pod leaves ``automountServiceAccountToken`` unset
    and runs as a ServiceAccount of ``sas`` (same namespace as written in the manifests; an
    unset ``serviceAccountName`` is ``default``): its pods get no token, K030 does not apply.

    A pod-level ``automountServiceAccountToken: true`` overrides the ServiceAccount (the token
    is mounted), so that pod is not covered.
    """
    if not sas:
        return False
    w = Workload.of(obj)
    if w is None or w.spec.get("automountServiceAccountToken") is not None:
        return False
    sa = w.spec.get("serviceAccountName") or w.spec.get("serviceAccount") or "default"
    return isinstance(sa, str) and (object_namespace(obj), sa) in sas


DEFAULT_NS = _rule(
    "K031",
    "default-namespace",
    "Workload in the default namespace",
    Severity.LOW,
    "The object sets `metadata.namespace: default`.",
    "The default namespace usually has no policies, quotas or RBAC boundaries of its own; "
    "workloads there share them with everything deployed carelessly.",
    "Deploy into a dedicated namespace with its own NetworkPolicies, quotas and Pod Security "
    "labels.",
    """
metadata:
  namespace: shop
""",
    cis="CIS Kubernetes Benchmark v1.9 5.7.4",
    nsa="Network separation: namespaces",
    trivy=("KSV110",),
    checkov=("CKV_K8S_21",),
)


@check(DEFAULT_NS, on=Target.WORKLOAD)
def default_namespace(w: Workload) -> Iterator[Violation]:
    if as_dict(w.obj.get("metadata")).get("namespace") == "default":
        yield Violation("K031", "/metadata/namespace", f"{w.kind} is in the default namespace")


def _probe_rule(code: str, probe: str, why: str, checkov: str) -> Rule:
    return _rule(
        code,
        f"{probe}-probe-missing",
        f"No {probe} probe",
        Severity.LOW,
        f"A long-running container has no `{probe}Probe`.",
        why,
        f"Add a `{probe}Probe` that checks the application's own health endpoint.",
        f"""
{probe}Probe:
  httpGet:
    path: /healthz
    port: 8080
  periodSeconds: 10
""",
        checkov=(checkov,),
        kube_linter=(f"no-{probe}-probe",),
        refs=(
            "https://kubernetes.io/docs/tasks/configure-pod-container/"
            "configure-liveness-readiness-startup-probes/",
        ),
    )


LIVENESS = _probe_rule(
    "K032",
    "liveness",
    "Without a liveness probe a hung process keeps its pod forever; availability is a "
    "security property too.",
    "CKV_K8S_8",
)
READINESS = _probe_rule(
    "K033",
    "readiness",
    "Without a readiness probe traffic reaches pods that are not ready, and rolling updates "
    "cannot stop a broken release.",
    "CKV_K8S_9",
)


def _probe_check(rule: Rule, field: str) -> None:
    def probe(w: Workload) -> Iterator[Violation]:
        if not w.long_running:
            return
        for c in w.containers:
            if c.kind == "containers" and not isinstance(c.data.get(field), dict):
                yield Violation(rule.code, c.pointer, f"{c.label} has no {field}")

    probe.__name__ = field
    check(rule, on=Target.WORKLOAD)(probe)


_probe_check(LIVENESS, "livenessProbe")
_probe_check(READINESS, "readinessProbe")

ROOT_GROUP = _rule(
    "K034",
    "root-group",
    "Runs with the root group",
    Severity.LOW,
    "The effective `runAsGroup` is 0, or `fsGroup` or `supplementalGroups` contain 0.",
    "Group 0 owns many sensitive files on the host and in images; a process in it can read "
    "or write them after an escape.",
    "Use a non-zero `runAsGroup` and `fsGroup`.",
    """
spec:
  securityContext:
    runAsGroup: 10001
    fsGroup: 10001
""",
    trivy=("KSV029",),
)


@check(ROOT_GROUP, on=Target.WORKLOAD)
def root_group(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        g = w.effective(c, "runAsGroup")
        if _int(g.value) == 0:
            items.append((g.pointer, c))
    for ptr, cs in _grouped(items):
        yield Violation("K034", ptr, f"{_who(cs)} {_verb(cs, 'runs', 'run')} with group 0")
    if _int(w.pod_sc.get("fsGroup")) == 0:
        yield Violation("K034", f"{w.pod_sc_pointer}/fsGroup", "pod sets fsGroup 0")
    for i, g in enumerate(as_list(w.pod_sc.get("supplementalGroups"))):
        if _int(g) == 0:
            yield Violation(
                "K034", f"{w.pod_sc_pointer}/supplementalGroups/{i}", "pod adds group 0"
            )


RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
     "projected", "secret", "image"}
)  # fmt: skip

VOLUME_TYPES = _rule(
    "K035",
    "volume-type",
    "Volume type outside the restricted set",
    Severity.LOW,
    "The pod uses a volume type other than configMap, csi, downwardAPI, emptyDir, ephemeral, "
    "persistentVolumeClaim, projected, secret or image (hostPath is reported by K018/K019).",
    "In-tree volume types (nfs, iscsi, rbd, gitRepo, …) mount storage directly from the node, "
    "bypassing the PersistentVolume layer and its access controls; `gitRepo` runs git on the "
    "node.",
    "Use a PersistentVolumeClaim (with a StorageClass or CSI driver) instead of an inline "
    "volume source.",
    """
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
""",
    pss="restricted: Volume Types",
    trivy=("KSV028",),
)


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
