"""Sysctls outside the safe set (K022); sysctl values that smuggle in another setting (K039)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.fixes import set_field
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_list
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import KYVERNO, workload_rule

SAFE_SYSCTLS = frozenset(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
     "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
     "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
     "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
)  # fmt: skip
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


SYSCTLS = workload_rule(
    "K022",
    "unsafe-sysctl",
    "Unsafe sysctl",
    Severity.HIGH,
    what="The pod sets a sysctl outside the safe set the Pod Security Standards allow: high for "
    "node-wide sysctls (vm.*, most kernel.*, fs.* outside fs.mqueue), medium for namespaced "
    "ones (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*).",
    why="Node-wide sysctls are not isolated per pod: they change the node's kernel for every "
    "workload on it. Namespaced but unsafe ones stay in the pod's namespaces, yet can "
    "exhaust node resources or weaken the kernel's defences for the pod.",
    fix="Remove the sysctl, or run the workload on dedicated, tainted nodes whose kubelet "
    "allows it.",
    example="""
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


# K022
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


#: what separates settings in the runtime's argument: CRI-O passed ``name=value`` pairs joined
#: with ``+`` to pinns, so a ``+`` or ``=`` inside a value starts a setting of its own
SEPARATORS = "+="
CR8ESCAPE = (
    "https://www.crowdstrike.com/blog/"
    "cr8escape-new-vulnerability-discovered-in-cri-o-container-engine-cve-2022-0811/"
)

SYSCTL_INJECTION = workload_rule(
    "K039",
    "sysctl-value-injection",
    "Sysctl value sets another kernel parameter",
    Severity.CRITICAL,
    what="A sysctl value in `securityContext.sysctls` contains `+` or `=`. Critical when a `+` "
    "is followed by `name=value`: the shape of the cr8escape exploit (CVE-2022-0811), which "
    "sets a second, node-wide kernel parameter such as `kernel.core_pattern`; high for any other "
    "`+` or `=`. No kernel parameter that Kubernetes lets a pod set takes either character "
    "(values are numbers, space-separated numbers such as `32768 60999`, or words such as "
    "`bbr`), so the name of the sysctl does not matter: a safe name with such a value is "
    "reported too.",
    why="CRI-O before 1.19.6, 1.20.7, 1.21.6, 1.22.3 and 1.23.2 handed the pod's sysctls to "
    "its `pinns` helper as `name=value` pairs joined with `+`, unchecked: a value such as "
    "`1+kernel.core_pattern=|/path/to/script` made the node run the script as root at the next "
    "core dump. The API server does not validate values, so only a runtime fix or an admission "
    "policy stops it; a value like this has no use but the exploit.",
    fix="Set the sysctl to a plain value (the fix keeps what stands before the first `+` or "
    "`=`), and upgrade CRI-O.",
    example="""
spec:
  securityContext:
    sysctls:
      - name: kernel.shm_rmid_forced
        value: "1"
""",
    refs=(
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
        "https://github.com/cri-o/cri-o/security/advisories/GHSA-6x2m-w449-qwx7",
        CR8ESCAPE,
        KYVERNO + "other/prevent-cr8escape",
    ),
)


def _injected(value: str) -> bool:
    """``value`` carries a whole second setting: a ``+`` followed by ``name=value``."""
    _, plus, rest = value.partition("+")
    return bool(plus) and any("=" in part for part in rest.split("+"))


# K039
@check(SYSCTL_INJECTION, on=Target.WORKLOAD)
def sysctl_value_injection(w: Workload) -> Iterator[Violation]:
    for i, s in enumerate(as_list(w.pod_sc.get("sysctls"))):
        value = s.get("value") if isinstance(s, dict) else None
        if not isinstance(value, str) or not any(ch in value for ch in SEPARATORS):
            continue
        name = s.get("name")
        label = repr(name) if isinstance(name, str) else f"#{i}"
        ptr = f"{w.pod_sc_pointer}/sysctls/{i}/value"
        plain = value[: min(value.index(ch) for ch in SEPARATORS if ch in value)].strip()
        if _injected(value):
            what = "sets another kernel parameter through the runtime (cr8escape, CVE-2022-0811)"
            sev = None
        else:
            what = "contains '+' or '=', which a vulnerable runtime reads as a separator"
            sev = Severity.HIGH
        yield Violation(
            "K039",
            ptr,
            f"the value of sysctl {label} {what}",
            set_field(w.obj, ptr, plain) if plain else None,
            sev,
        )
