"""KubeletConfiguration rules (A040–A049): the CIS Kubernetes Benchmark section 4.2 settings
of the kubelet's config file (``/var/lib/kubelet/config.yaml``).

Unset fields take the config file's defaults (``SetDefaults_KubeletConfiguration``), which
differ from the command-line flags' defaults: in the file, anonymous authentication is off,
authorization is ``Webhook`` and the read-only port is 0. Only unset fields whose file
default is insecure are reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.control_plane import INSECURE_CIPHERS, OLD_TLS
from hardhull.models.workload import as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rules.cluster import GO_TLS_DOC, KUBELET_DOC, cluster_rule, is_kind

AUTHN_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"
GROUP = "kubelet.config.k8s.io"


def _kubelet(obj: dict[str, Any]) -> bool:
    return is_kind(obj, "KubeletConfiguration", GROUP)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


ANONYMOUS = cluster_rule(
    "A040",
    "kubelet-anonymous-auth",
    "Kubelet accepts anonymous requests",
    Severity.HIGH,
    what="A KubeletConfiguration sets `authentication.anonymous.enabled: true` (the config "
    "file's default is false; the `--anonymous-auth` flag's default is true).",
    why="The kubelet API (port 10250) runs commands in containers, streams logs and lists pods. "
    "With anonymous access, only authorization stands between the network and `exec` into "
    "every pod of the node; with `authorization.mode: AlwaysAllow` nothing does.",
    fix="Set `authentication.anonymous.enabled: false` and enable webhook authentication.",
    example="""
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
""",
    category="kubelet",
    cis="4.2.1",
    refs=(KUBELET_DOC, AUTHN_DOC),
)


# A040
@check(ANONYMOUS, on=Target.OBJECT)
def kubelet_anonymous_auth(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    anon = as_dict(as_dict(obj.get("authentication")).get("anonymous"))
    if anon.get("enabled") is True:
        yield Violation(
            "A040",
            "/authentication/anonymous/enabled",
            "the kubelet serves anonymous requests on its API (port 10250)",
        )


ALWAYS_ALLOW = cluster_rule(
    "A041",
    "kubelet-always-allow",
    "Kubelet authorizes every request",
    Severity.HIGH,
    what="A KubeletConfiguration sets `authorization.mode: AlwaysAllow` (the config file's "
    "default is Webhook; the `--authorization-mode` flag's default is AlwaysAllow).",
    why="Every request that authenticates (any service account token, with webhook "
    "authentication; everyone, with anonymous access) may exec into any container on the "
    "node, read its logs and its Secrets' mounted files.",
    fix="Set `authorization.mode: Webhook`: the kubelet then asks the API server (RBAC on the "
    "`nodes/proxy`, `nodes/log`, … subresources) about each request.",
    example="""
authorization:
  mode: Webhook
""",
    category="kubelet",
    cis="4.2.2",
    refs=(KUBELET_DOC, AUTHN_DOC),
)


# A041
@check(ALWAYS_ALLOW, on=Target.OBJECT)
def kubelet_always_allow(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    if as_dict(obj.get("authorization")).get("mode") == "AlwaysAllow":
        anon = as_dict(as_dict(obj.get("authentication")).get("anonymous")).get("enabled")
        who = "anyone (anonymous access is on)" if anon is True else "any authenticated caller"
        yield Violation(
            "A041",
            "/authorization/mode",
            f"the kubelet authorizes every request: {who} can exec into the node's pods",
            severity=Severity.CRITICAL if anon is True else None,
        )


READ_ONLY_PORT = cluster_rule(
    "A042",
    "kubelet-read-only-port",
    "Kubelet serves the unauthenticated read-only port",
    Severity.MEDIUM,
    what="A KubeletConfiguration sets `readOnlyPort` to a non-zero port (the config file's "
    "default is 0, disabled; the flag's default is 10255).",
    why="The read-only port serves pod specs (with their environment variables), node and pod "
    "metrics over plain HTTP with no authentication or authorization at all.",
    fix="Set `readOnlyPort: 0` and scrape metrics from the authenticated port 10250.",
    example="""
readOnlyPort: 0
""",
    category="kubelet",
    cis="4.2.4",
    refs=(KUBELET_DOC,),
)


# A042
@check(READ_ONLY_PORT, on=Target.OBJECT)
def kubelet_read_only_port(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    port = _int(obj.get("readOnlyPort"))
    if port is not None and port > 0:
        yield Violation(
            "A042",
            "/readOnlyPort",
            f"the kubelet serves pod specs and metrics unauthenticated on port {port}",
        )


PROTECT_KERNEL = cluster_rule(
    "A044",
    "kubelet-protect-kernel-defaults",
    "Kubelet may change kernel settings",
    Severity.LOW,
    what="A KubeletConfiguration does not set `protectKernelDefaults: true` (the default is "
    "false).",
    why="The kubelet then silently rewrites kernel tunables (`vm.overcommit_memory`, "
    "`kernel.panic`, …) that the node's hardening set; with `true` it refuses to start when "
    "they differ, so drift is noticed.",
    fix="Set the kernel parameters the kubelet expects in the node's sysctl configuration, then "
    "`protectKernelDefaults: true`.",
    example="""
protectKernelDefaults: true
""",
    category="kubelet",
    refs=(KUBELET_DOC,),
)


# A044
@check(PROTECT_KERNEL, on=Target.OBJECT)
def kubelet_protect_kernel_defaults(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    value = obj.get("protectKernelDefaults")
    if value is True:
        return
    ptr = "/protectKernelDefaults" if "protectKernelDefaults" in obj else "/kind"
    if value is False:
        how = "sets protectKernelDefaults: false"
    else:
        how = "does not set protectKernelDefaults: true"
    yield Violation("A044", ptr, f"the kubelet {how}: it may override kernel hardening")


IPTABLES = cluster_rule(
    "A045",
    "kubelet-iptables-util-chains-disabled",
    "Kubelet does not manage its iptables chains",
    Severity.LOW,
    what="A KubeletConfiguration sets `makeIPTablesUtilChains: false` (the default is true).",
    why="The kubelet's utility chains (KUBE-FIREWALL) drop martian packets to localhost "
    "services; without them, pod traffic may reach services the node binds to 127.0.0.1.",
    fix="Remove the field or set `makeIPTablesUtilChains: true`.",
    example="""
makeIPTablesUtilChains: true
""",
    category="kubelet",
    cis="4.2.6",
    refs=(KUBELET_DOC,),
)


# A045
@check(IPTABLES, on=Target.OBJECT)
def kubelet_iptables_util_chains_disabled(obj: dict[str, Any]) -> Iterator[Violation]:
    if _kubelet(obj) and obj.get("makeIPTablesUtilChains") is False:
        yield Violation(
            "A045",
            "/makeIPTablesUtilChains",
            "the kubelet does not manage its iptables utility chains",
        )


ROTATE = cluster_rule(
    "A046",
    "kubelet-certificate-rotation-disabled",
    "Kubelet certificate rotation disabled",
    Severity.LOW,
    what="A KubeletConfiguration sets `rotateCertificates: false` or the "
    "`RotateKubeletServerCertificate` feature gate to false.",
    why="The kubelet's client certificate is then not renewed: it lives long (a stolen copy "
    "stays useful) and the node drops out of the cluster when it expires.",
    fix="Set `rotateCertificates: true` (kubeadm does) and remove the feature gate override.",
    example="""
rotateCertificates: true
serverTLSBootstrap: true
""",
    category="kubelet",
    cis="4.2.10, 4.2.11",
    refs=(KUBELET_DOC, "https://kubernetes.io/docs/tasks/tls/certificate-rotation/"),
)


# A046
@check(ROTATE, on=Target.OBJECT)
def kubelet_certificate_rotation_disabled(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    if obj.get("rotateCertificates") is False:
        yield Violation(
            "A046", "/rotateCertificates", "the kubelet does not rotate its client certificate"
        )
    if as_dict(obj.get("featureGates")).get("RotateKubeletServerCertificate") is False:
        yield Violation(
            "A046",
            "/featureGates/RotateKubeletServerCertificate",
            "the kubelet disables the RotateKubeletServerCertificate feature gate",
        )


WEAK_TLS = cluster_rule(
    "A047",
    "kubelet-weak-tls",
    "Kubelet allows weak TLS",
    Severity.LOW,
    what="A KubeletConfiguration sets `tlsMinVersion` to TLS 1.0/1.1 or lists a cipher suite "
    "in `tlsCipherSuites` that Go classifies as insecure (RC4, 3DES, CBC with SHA-256).",
    why="These protocol versions and suites have practical attacks (BEAST, Sweet32, Lucky13) "
    "and let a network attacker downgrade connections to the kubelet API.",
    fix="Set `tlsMinVersion: VersionTLS12` and list only AEAD suites, or leave "
    "`tlsCipherSuites` unset to use Go's secure defaults.",
    example="""
tlsMinVersion: VersionTLS12
tlsCipherSuites:
  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
""",
    category="kubelet",
    cis="4.2.12",
    refs=(KUBELET_DOC, GO_TLS_DOC),
)


# A047
@check(WEAK_TLS, on=Target.OBJECT)
def kubelet_weak_tls(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    version = obj.get("tlsMinVersion")
    if isinstance(version, str) and version.strip() in OLD_TLS:
        yield Violation("A047", "/tlsMinVersion", f"the kubelet accepts {version.strip()}")
    for i, suite in enumerate(as_list(obj.get("tlsCipherSuites"))):
        if isinstance(suite, str) and suite.strip() in INSECURE_CIPHERS:
            yield Violation(
                "A047",
                f"/tlsCipherSuites/{i}",
                f"the kubelet allows the insecure cipher suite {suite.strip()}",
            )


PIDS = cluster_rule(
    "A048",
    "kubelet-no-pod-pids-limit",
    "Kubelet sets no per-pod process limit",
    Severity.INFO,
    what="A KubeletConfiguration does not set a positive `podPidsLimit` (the default, -1, lets a "
    "pod use every process ID the node has).",
    why="A fork bomb or a leaking workload in one pod can exhaust the node's PIDs and stop every "
    "other pod, and the kubelet itself, from starting processes.",
    fix="Set `podPidsLimit` to a bound your largest workload stays under (for example 4096).",
    example="""
podPidsLimit: 4096
""",
    category="kubelet",
    cis="4.2.13",
    refs=(KUBELET_DOC, "https://kubernetes.io/docs/concepts/policy/pid-limiting/"),
)


# A048
@check(PIDS, on=Target.OBJECT)
def kubelet_no_pod_pids_limit(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _kubelet(obj):
        return
    limit = _int(obj.get("podPidsLimit"))
    if limit is not None and limit > 0:
        return
    ptr = "/podPidsLimit" if "podPidsLimit" in obj else "/kind"
    yield Violation("A048", ptr, "the kubelet sets no per-pod PID limit (podPidsLimit)")
