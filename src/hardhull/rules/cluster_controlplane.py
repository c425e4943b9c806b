"""Control-plane static pod checks (A001–A039): the CIS Kubernetes Benchmark section 1 and 2
flags of kube-apiserver, kube-controller-manager, kube-scheduler and etcd, read from the
manifests kubeadm writes to ``/etc/kubernetes/manifests`` (or any pod-bearing object that runs
those binaries). A flag's finding is located on its list item; a missing flag on the
container's ``command``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.cluster import (
    APISERVER_DOC,
    ETCD_DOC,
    KCM_DOC,
    SCHED_DOC,
    Flags,
    cluster_rule,
    control_plane_flags,
)

AUDIT_DOC = "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/"
ENCRYPT_DOC = "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"
AUTHZ_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/authorization/"
ADMISSION_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/"
ETCD_K8S_DOC = "https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/"


def _flags(ctx: ObjectContext, *components: str) -> Iterator[Flags]:
    """The flags of the object's control-plane containers of these components (computed once
    per object, for all the A rules)."""
    for f in ctx.derived(control_plane_flags):
        if f.component in components:
            yield f


def _missing(f: Flags, names: list[str]) -> str:
    return ", ".join(f"--{n}" for n in names)


# --------------------------------------------------------------------------- authentication

ANONYMOUS = cluster_rule(
    "A001",
    "apiserver-anonymous-auth",
    "API server accepts anonymous requests",
    Severity.MEDIUM,
    "kube-apiserver runs without `--anonymous-auth=false` (the default is true), and no "
    "`--authentication-config` file that could restrict anonymous access instead.",
    "Requests without credentials are served as `system:anonymous` in group "
    "`system:unauthenticated`. Out of the box RBAC lets them read only health and version "
    "endpoints, but one careless binding to `system:unauthenticated` or `system:anonymous` "
    "opens the cluster to the internet. Note that kubeadm's liveness probes call `/livez` "
    "anonymously.",
    "Set `--anonymous-auth=false` (and give the probes credentials), or on Kubernetes 1.32+ "
    "use an AuthenticationConfiguration file whose `anonymous` section allows only the health "
    "endpoints.",
    """
apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
anonymous:
  enabled: true
  conditions:
    - path: /livez
    - path: /readyz
    - path: /healthz
""",
    cis="1.2.1",
    trivy=("KCV0001",),
    checkov=("CKV_K8S_68",),
    refs=(APISERVER_DOC, "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"),
)


@check(ANONYMOUS, on=Target.OBJECT, context=True)
def apiserver_anonymous_auth(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        value, ptr = f.boolean("anonymous-auth")
        if value is False:
            continue
        if value is None and f.has("authentication-config"):
            continue  # anonymous access is then configured in that file
        where = ptr or f.anchor
        how = "sets --anonymous-auth=true" if value else "does not set --anonymous-auth=false"
        flag = f.last("anonymous-auth")
        if flag is not None and flag.stray:
            how = (
                f'sets a bare --anonymous-auth, which means true ("{flag.stray}" in the next '
                "item is a separate argument, not its value; write --anonymous-auth=false)"
            )
        yield Violation("A001", where, f"{f.label()} {how}: unauthenticated requests are served")


TOKEN_FILE = cluster_rule(
    "A002",
    "apiserver-static-token-file",
    "API server authenticates with a static token or password file",
    Severity.HIGH,
    "kube-apiserver sets `--token-auth-file` (or the removed `--basic-auth-file`).",
    "Static tokens are long-lived cleartext credentials in a file on every control-plane "
    "node: they never expire, cannot be revoked without restarting the API server, and are "
    "often shared by people and scripts.",
    "Remove the flag and authenticate people with OIDC or client certificates and workloads "
    "with service account tokens.",
    """
# kube-apiserver: remove
#   - --token-auth-file=/etc/kubernetes/tokens.csv
# and use, for example:
    - --authentication-config=/etc/kubernetes/authn.yaml  # OIDC issuers
""",
    cis="1.2.2",
    checkov=("CKV_K8S_70", "CKV_K8S_69"),
    refs=(APISERVER_DOC, "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"),
)


@check(TOKEN_FILE, on=Target.OBJECT, context=True)
def apiserver_static_token_file(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        for name in ("token-auth-file", "basic-auth-file"):
            flag = f.last(name)
            if flag is not None and flag.value:
                yield Violation(
                    "A002",
                    flag.pointer,
                    f"{f.label()} sets --{name}: static, never-expiring credentials",
                )


# --------------------------------------------------------------------------- authorization

ALWAYS_ALLOW = cluster_rule(
    "A003",
    "apiserver-always-allow",
    "API server authorizes every request",
    Severity.CRITICAL,
    "kube-apiserver's `--authorization-mode` contains `AlwaysAllow`, or is not set at all "
    "(and no `--authorization-config` is given), in which case it defaults to `AlwaysAllow`.",
    "Every authenticated user and service account is cluster-admin: RBAC is not consulted, "
    "so any pod's token can read every Secret and create privileged pods.",
    "Set `--authorization-mode=Node,RBAC`.",
    """
    - --authorization-mode=Node,RBAC
""",
    cis="1.2.6",
    checkov=("CKV_K8S_74",),
    refs=(APISERVER_DOC, AUTHZ_DOC),
)


@check(ALWAYS_ALLOW, on=Target.OBJECT, context=True)
def apiserver_always_allow(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        modes = f.values("authorization-mode")
        if not modes:
            if f.has("authorization-config") or f.has("authorization-mode"):
                continue
            yield Violation(
                "A003",
                f.anchor,
                f"{f.label()} sets no --authorization-mode: it defaults to AlwaysAllow",
            )
            continue
        for mode, flag in modes:
            if mode == "AlwaysAllow":
                yield Violation(
                    "A003",
                    flag.pointer,
                    f"{f.label()} authorizes with AlwaysAllow: every authenticated request "
                    "is allowed",
                )
                break


NODE_RBAC = cluster_rule(
    "A004",
    "apiserver-authorization-node-rbac",
    "API server authorization lacks Node or RBAC",
    Severity.MEDIUM,
    "kube-apiserver's `--authorization-mode` does not include both `Node` and `RBAC`.",
    "Without the Node authorizer (and the NodeRestriction admission plugin) a kubelet's "
    "credentials can read every Secret and modify any node, so one compromised node becomes "
    "the cluster. Without RBAC, roles and bindings have no effect.",
    "Set `--authorization-mode=Node,RBAC` (add `Webhook` after them if you use one).",
    """
    - --authorization-mode=Node,RBAC
""",
    cis="1.2.7, 1.2.8",
    checkov=("CKV_K8S_75", "CKV_K8S_77"),
    refs=(APISERVER_DOC, "https://kubernetes.io/docs/reference/access-authn-authz/node/"),
)


@check(NODE_RBAC, on=Target.OBJECT, context=True)
def apiserver_authorization_node_rbac(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        modes = f.values("authorization-mode")
        names = {m for m, _ in modes}
        if not modes or "AlwaysAllow" in names:
            continue  # A003
        lacking = [m for m in ("Node", "RBAC") if m not in names]
        if lacking:
            yield Violation(
                "A004",
                modes[-1][1].pointer,
                f"{f.label()} --authorization-mode lacks {' and '.join(lacking)}",
            )


# --------------------------------------------------------------------------- admission

ALWAYS_ADMIT = cluster_rule(
    "A005",
    "apiserver-always-admit",
    "AlwaysAdmit admission plugin enabled",
    Severity.HIGH,
    "kube-apiserver's `--enable-admission-plugins` contains `AlwaysAdmit`.",
    "AlwaysAdmit admits every request whatever the other admission plugins decide, which "
    "defeats admission control (Pod Security Admission, NodeRestriction, quotas). It is "
    "deprecated.",
    "Remove `AlwaysAdmit` from `--enable-admission-plugins`.",
    """
    - --enable-admission-plugins=NodeRestriction
""",
    cis="1.2.10",
    checkov=("CKV_K8S_79",),
    refs=(APISERVER_DOC, ADMISSION_DOC),
)


@check(ALWAYS_ADMIT, on=Target.OBJECT, context=True)
def apiserver_always_admit(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        for name, flag in f.values("enable-admission-plugins"):
            if name == "AlwaysAdmit":
                yield Violation(
                    "A005", flag.pointer, f"{f.label()} enables the AlwaysAdmit admission plugin"
                )
                break


NODE_RESTRICTION = cluster_rule(
    "A006",
    "apiserver-node-restriction",
    "NodeRestriction admission plugin not enabled",
    Severity.MEDIUM,
    "kube-apiserver's `--enable-admission-plugins` does not contain `NodeRestriction` (it is "
    "not in the default set).",
    "NodeRestriction limits what a kubelet may modify to its own Node and the pods bound to "
    "it. Without it, stolen kubelet credentials can relabel other nodes (to attract "
    "workloads) and modify any pod's status.",
    "Add `NodeRestriction` to `--enable-admission-plugins` (together with "
    "`--authorization-mode=Node,RBAC`).",
    """
    - --enable-admission-plugins=NodeRestriction
""",
    cis="1.2.14",
    checkov=("CKV_K8S_85",),
    refs=(APISERVER_DOC, ADMISSION_DOC),
)


def _plugin_not_enabled(ctx: ObjectContext, plugin: str, code: str) -> Iterator[Violation]:
    """kube-apiserver without ``plugin`` in ``--enable-admission-plugins`` (located on the
    last such flag, or on the command when there is none)."""
    for f in _flags(ctx, "kube-apiserver"):
        plugins = f.values("enable-admission-plugins")
        if any(n == plugin for n, _ in plugins):
            continue
        where = plugins[-1][1].pointer if plugins else f.anchor
        yield Violation(code, where, f"{f.label()} does not enable the {plugin} admission plugin")


@check(NODE_RESTRICTION, on=Target.OBJECT, context=True)
def apiserver_node_restriction(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    return _plugin_not_enabled(ctx, "NodeRestriction", "A006")


ALWAYS_PULL = cluster_rule(
    "A007",
    "apiserver-always-pull-images",
    "AlwaysPullImages admission plugin not enabled",
    Severity.LOW,
    "kube-apiserver's `--enable-admission-plugins` does not contain `AlwaysPullImages`.",
    "Without it, a pod can run any image already cached on its node, including private "
    "images pulled with someone else's pull secret, simply by naming it with "
    "`imagePullPolicy: IfNotPresent`. In multi-tenant clusters this leaks private images "
    "across tenants.",
    "Add `AlwaysPullImages` to `--enable-admission-plugins` (every pod start then contacts "
    "the registry: plan for registry availability), or on Kubernetes 1.33+ use the kubelet's "
    "image pull credential verification.",
    """
    - --enable-admission-plugins=NodeRestriction,AlwaysPullImages
""",
    cis="1.2.11",
    checkov=("CKV_K8S_80",),
    refs=(APISERVER_DOC, ADMISSION_DOC),
)


@check(ALWAYS_PULL, on=Target.OBJECT, context=True)
def apiserver_always_pull_images(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    return _plugin_not_enabled(ctx, "AlwaysPullImages", "A007")


ADMISSION_DISABLED = cluster_rule(
    "A008",
    "apiserver-essential-admission-disabled",
    "Essential admission plugin disabled",
    Severity.MEDIUM,
    "kube-apiserver's `--disable-admission-plugins` contains `ServiceAccount` or "
    "`NamespaceLifecycle` (both are on by default).",
    "Without ServiceAccount, pods can name service accounts that do not exist and token "
    "mounting is not managed; without NamespaceLifecycle, objects can be created in "
    "namespaces being deleted or that do not exist, escaping cleanup and policy.",
    "Remove them from `--disable-admission-plugins`.",
    """
# kube-apiserver: remove ServiceAccount and NamespaceLifecycle from
    - --disable-admission-plugins=
""",
    cis="1.2.12, 1.2.13",
    checkov=("CKV_K8S_82", "CKV_K8S_83"),
    refs=(APISERVER_DOC, ADMISSION_DOC),
)


@check(ADMISSION_DISABLED, on=Target.OBJECT, context=True)
def apiserver_essential_admission_disabled(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        seen: dict[str, str] = {}
        for name, flag in f.values("disable-admission-plugins"):
            if name in ("ServiceAccount", "NamespaceLifecycle"):
                seen.setdefault(flag.pointer, "")
                seen[flag.pointer] += ("," if seen[flag.pointer] else "") + name
        for ptr, names in seen.items():
            yield Violation(
                "A008",
                ptr,
                f"{f.label()} disables the {names.replace(',', ' and ')} "
                "admission plugin" + ("s" if "," in names else ""),
            )


# --------------------------------------------------------------------------- profiling, bind

PROFILING = cluster_rule(
    "A009",
    "control-plane-profiling",
    "Control-plane profiling endpoint enabled",
    Severity.LOW,
    "kube-apiserver, kube-controller-manager or kube-scheduler runs without "
    "`--profiling=false` (the default is true).",
    "`/debug/pprof` exposes detailed runtime data (goroutines, heap, command line) and lets "
    "a caller trigger expensive CPU profiles: an information leak and a denial-of-service "
    "lever for anyone granted the `/debug/*` non-resource URL.",
    "Set `--profiling=false` on each component.",
    """
    - --profiling=false
""",
    cis="1.2.15, 1.3.2, 1.4.1",
    checkov=("CKV_K8S_90", "CKV_K8S_107", "CKV_K8S_114"),
    refs=(APISERVER_DOC, KCM_DOC, SCHED_DOC),
)


@check(PROFILING, on=Target.OBJECT, context=True)
def control_plane_profiling(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        value, ptr = f.boolean("profiling")
        if value is False:
            continue
        how = "sets --profiling=true" if value else "does not set --profiling=false"
        yield Violation("A009", ptr or f.anchor, f"{f.label()} {how}")


BIND_ADDRESS = cluster_rule(
    "A010",
    "control-plane-bind-address",
    "Controller manager or scheduler listens on all interfaces",
    Severity.LOW,
    "kube-controller-manager or kube-scheduler does not set `--bind-address=127.0.0.1` "
    "(the default, 0.0.0.0, listens on every interface).",
    "Their secure ports (10257, 10259) serve health, metrics and debug endpoints. Neither "
    "component needs to be reached from the network; listening everywhere only widens what "
    "an attacker on the node network can probe.",
    "Set `--bind-address=127.0.0.1` (kubeadm does) and scrape metrics through a local proxy.",
    """
    - --bind-address=127.0.0.1
""",
    cis="1.3.7, 1.4.2",
    checkov=("CKV_K8S_113", "CKV_K8S_115"),
    refs=(KCM_DOC, SCHED_DOC),
)

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@check(BIND_ADDRESS, on=Target.OBJECT, context=True)
def control_plane_bind_address(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-controller-manager", "kube-scheduler"):
        value, ptr = f.scalar("bind-address")
        if value is not None and value.strip() in _LOOPBACK:
            continue
        if not value:
            msg = "sets no --bind-address: it listens on all interfaces (default 0.0.0.0)"
        else:
            msg = f"binds to {value.strip()}, not 127.0.0.1"
        yield Violation("A010", ptr or f.anchor, f"{f.label()} {msg}")


# --------------------------------------------------------------------------- audit

AUDIT_OFF = cluster_rule(
    "A011",
    "apiserver-audit-log-disabled",
    "API server audit logging disabled",
    Severity.MEDIUM,
    "kube-apiserver has no `--audit-policy-file`, or has one but neither `--audit-log-path` "
    "nor `--audit-webhook-config-file` (so events go nowhere).",
    "Without an audit trail nobody can tell who read which Secret, who exec'd into which pod "
    "or which token created a cluster-admin binding: incidents cannot be investigated and "
    "misuse goes unnoticed.",
    "Write an audit policy (log Secrets, ConfigMaps and TokenReviews at `Metadata` only) and "
    "set `--audit-policy-file` and `--audit-log-path` (mount both paths into the static pod).",
    """
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=30
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
""",
    cis="1.2.16, 3.2.1",
    nsa="Audit logging and threat detection",
    checkov=("CKV_K8S_91",),
    refs=(APISERVER_DOC, AUDIT_DOC),
)


@check(AUDIT_OFF, on=Target.OBJECT, context=True)
def apiserver_audit_log_disabled(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        policy, ptr = f.scalar("audit-policy-file")
        if not policy:
            yield Violation(
                "A011",
                ptr or f.anchor,
                f"{f.label()} sets no --audit-policy-file: no audit events are recorded",
            )
            continue
        if f.scalar("audit-log-path")[0] or f.scalar("audit-webhook-config-file")[0]:
            continue
        yield Violation(
            "A011",
            f.anchor,
            f"{f.label()} sets neither --audit-log-path nor --audit-webhook-config-file: "
            "audit events go nowhere",
        )


AUDIT_RETENTION = cluster_rule(
    "A012",
    "apiserver-audit-log-retention",
    "API server audit log retention too short",
    Severity.LOW,
    "kube-apiserver writes an audit log file (`--audit-log-path`) but `--audit-log-maxage` "
    "is unset or below 30 days, `--audit-log-maxbackup` below 10 files, or "
    "`--audit-log-maxsize` below 100 MB. Not reported when the log goes to standard output "
    "(`--audit-log-path=-`).",
    "Unset, the API server keeps rotated files forever or not at all depending on the flag; "
    "set too low, the evidence of an intrusion is rotated away before anyone looks.",
    "Set retention to at least the CIS values, or ship the log off the node.",
    """
    - --audit-log-maxage=30
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
""",
    cis="1.2.17, 1.2.18, 1.2.19",
    checkov=("CKV_K8S_92", "CKV_K8S_93", "CKV_K8S_94"),
    refs=(APISERVER_DOC, AUDIT_DOC),
)

_RETENTION = (("audit-log-maxage", 30), ("audit-log-maxbackup", 10), ("audit-log-maxsize", 100))


@check(AUDIT_RETENTION, on=Target.OBJECT, context=True)
def apiserver_audit_log_retention(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        path, _ = f.scalar("audit-log-path")
        if not path or path.strip() == "-" or not f.scalar("audit-policy-file")[0]:
            continue
        missing: list[str] = []
        for name, minimum in _RETENTION:
            value, ptr = f.scalar(name)
            if value is None:
                missing.append(f"--{name}")
                continue
            try:
                n = int(value.strip())
            except ValueError:
                continue  # the API server refuses to start: not a retention question
            if n < minimum:
                yield Violation("A012", ptr, f"{f.label()} sets --{name}={n} (below {minimum})")
        if missing:
            yield Violation(
                "A012", f.anchor, f"{f.label()} sets no {', '.join(missing)} for its audit log"
            )


# --------------------------------------------------------------------------- encryption

NO_ENCRYPTION = cluster_rule(
    "A013",
    "apiserver-no-encryption-at-rest",
    "API server does not encrypt data at rest",
    Severity.MEDIUM,
    "kube-apiserver has no `--encryption-provider-config`.",
    "Secrets are then stored in etcd as plain (base64) protobuf: anyone who reads an etcd "
    "backup, an etcd data directory or a disk snapshot of a control-plane node reads every "
    "Secret of the cluster.",
    "Write an EncryptionConfiguration (KMS v2 or at least secretbox/aescbc for secrets) and "
    "point `--encryption-provider-config` at it, then rewrite existing Secrets "
    "(`kubectl get secrets -A -o json | kubectl replace -f -`).",
    """
    - --encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml
""",
    cis="1.2.27",
    nsa="Data protection: encrypt Secrets at rest",
    refs=(APISERVER_DOC, ENCRYPT_DOC),
)


@check(NO_ENCRYPTION, on=Target.OBJECT, context=True)
def apiserver_no_encryption(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        if not f.scalar("encryption-provider-config")[0]:
            yield Violation(
                "A013",
                f.anchor,
                f"{f.label()} sets no --encryption-provider-config: Secrets are stored "
                "unencrypted in etcd",
            )


# --------------------------------------------------------------------------- TLS

KUBELET_TLS = cluster_rule(
    "A014",
    "apiserver-kubelet-tls",
    "API server does not verify or authenticate to kubelets",
    Severity.MEDIUM,
    "kube-apiserver has no `--kubelet-certificate-authority` (it does not verify the "
    "kubelets' serving certificates), or no `--kubelet-client-certificate` / "
    "`--kubelet-client-key` (it cannot authenticate to them).",
    "The API server relays `exec`, `attach`, `logs` and `port-forward` to kubelets. Without "
    "verifying the kubelet's certificate, anyone who can intercept node traffic can "
    "impersonate a kubelet and read or inject into those streams. Without a client "
    "certificate, kubelets must accept unauthenticated requests.",
    "Have kubelets request CA-signed serving certificates (`serverTLSBootstrap: true`, approve "
    "the CSRs) and set `--kubelet-certificate-authority` to the cluster CA; set the client "
    "certificate flags.",
    """
    - --kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt
    - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
    - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
""",
    cis="1.2.4, 1.2.5",
    checkov=("CKV_K8S_72", "CKV_K8S_73"),
    refs=(
        APISERVER_DOC,
        "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/",
    ),
)


@check(KUBELET_TLS, on=Target.OBJECT, context=True)
def apiserver_kubelet_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    names = ("kubelet-certificate-authority", "kubelet-client-certificate", "kubelet-client-key")
    for f in _flags(ctx, "kube-apiserver"):
        missing = [n for n in names if not f.scalar(n)[0]]
        if missing:
            yield Violation("A014", f.anchor, f"{f.label()} sets no {_missing(f, missing)}")


#: Go's crypto/tls InsecureCipherSuites (RC4, 3DES, CBC with SHA-256)
INSECURE_CIPHERS = frozenset(
    {"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
     "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
     "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
     "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"}
)  # fmt: skip
OLD_TLS = frozenset({"VersionTLS10", "VersionTLS11"})

WEAK_TLS = cluster_rule(
    "A015",
    "control-plane-weak-tls",
    "Control-plane component allows weak TLS",
    Severity.LOW,
    "kube-apiserver, kube-controller-manager or kube-scheduler (`--tls-min-version`, "
    "`--tls-cipher-suites`) or etcd (`--cipher-suites`) allows TLS 1.0/1.1 or a cipher suite "
    "Go classifies as insecure (RC4, 3DES, CBC with SHA-256). A047 checks the kubelet.",
    "These protocol versions and suites have practical attacks (BEAST, Sweet32, Lucky13) and "
    "let a network attacker downgrade connections to the API server or kubelet.",
    "Set the minimum version to TLS 1.2 (or 1.3) and list only AEAD suites (AES-GCM, "
    "ChaCha20-Poly1305), or leave the suites unset to use Go's secure defaults.",
    """
  - --tls-min-version=VersionTLS12
  # and either no --tls-cipher-suites (Go's defaults) or only AEAD suites:
  - --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
""",
    cis="1.2.29",
    checkov=("CKV_K8S_105",),
    refs=(APISERVER_DOC, "https://pkg.go.dev/crypto/tls#InsecureCipherSuites"),
)


@check(WEAK_TLS, on=Target.OBJECT, context=True)
def control_plane_weak_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        version, ptr = f.scalar("tls-min-version")
        if version is not None and version.strip() in OLD_TLS:
            yield Violation("A015", ptr, f"{f.label()} accepts {version.strip()}")
        weak: dict[str, list[str]] = {}
        for suite, flag in f.values("tls-cipher-suites"):
            if suite in INSECURE_CIPHERS:
                weak.setdefault(flag.pointer, []).append(suite)
        for p, suites in weak.items():
            yield Violation(
                "A015", p, f"{f.label()} allows insecure cipher suites: " + ", ".join(suites)
            )
    for f in _flags(ctx, "etcd"):
        text, where = f.scalar("cipher-suites", "ETCD_CIPHER_SUITES")
        if text:
            bad = [s.strip() for s in text.split(",") if s.strip() in INSECURE_CIPHERS]
            if bad:
                yield Violation(
                    "A015",
                    where,
                    f"{f.label()} allows insecure cipher suites: " + ", ".join(bad),
                )


SA_LOOKUP = cluster_rule(
    "A016",
    "apiserver-service-account-lookup-disabled",
    "API server does not check service account tokens against etcd",
    Severity.MEDIUM,
    "kube-apiserver sets `--service-account-lookup=false` (the default is true).",
    "The API server then accepts a legacy service account token after its ServiceAccount or "
    "Secret was deleted: revoking a leaked token by deleting its account does not work.",
    "Remove the flag or set `--service-account-lookup=true`.",
    """
    - --service-account-lookup=true
""",
    cis="1.2.21",
    checkov=("CKV_K8S_96",),
)


@check(SA_LOOKUP, on=Target.OBJECT, context=True)
def apiserver_service_account_lookup(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        value, ptr = f.boolean("service-account-lookup")
        if value is False:
            yield Violation(
                "A016",
                ptr,
                f"{f.label()} sets --service-account-lookup=false: deleted service accounts' "
                "tokens stay valid",
            )


INSECURE_PORT = cluster_rule(
    "A017",
    "apiserver-insecure-port",
    "API server serves an unauthenticated HTTP port",
    Severity.CRITICAL,
    "kube-apiserver sets `--insecure-port` to a non-zero port, or `--insecure-bind-address` "
    "(flags of Kubernetes before 1.24; the port defaulted to 8080 before 1.20).",
    "The insecure port skips authentication and authorization entirely: whoever reaches it "
    "is cluster-admin. Bound beyond localhost, that is anyone on the network; on localhost, "
    "any process on the node (or any hostNetwork pod).",
    "Set `--insecure-port=0` and remove `--insecure-bind-address` (or upgrade: the flags are "
    "gone in 1.24).",
    """
    - --insecure-port=0
""",
    checkov=("CKV_K8S_88", "CKV_K8S_86"),
)


@check(INSECURE_PORT, on=Target.OBJECT, context=True)
def apiserver_insecure_port(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        port, ptr = f.scalar("insecure-port")
        if port is not None and port.strip() not in ("0", ""):
            yield Violation(
                "A017",
                ptr,
                f"{f.label()} serves unauthenticated, unauthorized HTTP on port {port.strip()}",
            )
            continue
        addr, aptr = f.scalar("insecure-bind-address")
        if addr and addr.strip() not in _LOOPBACK and (port is None or port.strip() != "0"):
            yield Violation(
                "A017",
                aptr,
                f"{f.label()} binds the insecure HTTP port to {addr.strip()}",
            )


ETCD_CLIENT = cluster_rule(
    "A018",
    "apiserver-etcd-tls",
    "API server talks to etcd without TLS client authentication",
    Severity.HIGH,
    "kube-apiserver's `--etcd-servers` uses `http://`, or `--etcd-certfile`, "
    "`--etcd-keyfile` or `--etcd-cafile` is missing.",
    "Everything the cluster stores crosses this connection. Without TLS it can be read and "
    "altered on the wire; without a client certificate etcd must accept unauthenticated "
    "clients, and without a CA the API server cannot tell a rogue etcd from the real one.",
    "Use `https://` etcd endpoints and set the three certificate flags.",
    """
    - --etcd-servers=https://127.0.0.1:2379
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
""",
    cis="1.2.23, 1.2.26",
    checkov=("CKV_K8S_99", "CKV_K8S_102"),
    refs=(APISERVER_DOC, ETCD_K8S_DOC),
)


@check(ETCD_CLIENT, on=Target.OBJECT, context=True)
def apiserver_etcd_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-apiserver"):
        servers, sptr = f.scalar("etcd-servers")
        if servers is None:
            continue  # storage configured some other way (or not at all): nothing to judge
        plain = [s.strip() for s in servers.split(",") if s.strip().startswith("http://")]
        if plain:
            yield Violation(
                "A018", sptr, f"{f.label()} connects to etcd without TLS: {', '.join(plain)}"
            )
            continue
        missing = [n for n in ("etcd-cafile", "etcd-certfile", "etcd-keyfile")
                   if not f.scalar(n)[0]]  # fmt: skip
        if missing:
            yield Violation("A018", f.anchor, f"{f.label()} sets no {_missing(f, missing)}")


# --------------------------------------------------------------------------- controller manager

SA_CREDENTIALS = cluster_rule(
    "A020",
    "controller-manager-shared-credentials",
    "Controllers share the controller manager's credentials",
    Severity.MEDIUM,
    "kube-controller-manager does not set `--use-service-account-credentials=true` (the "
    "default is false).",
    "Every controller then acts with the controller manager's own, very broad identity "
    "instead of a per-controller service account with its own minimal role: a flaw in one "
    "controller has the rights of all, and the audit log cannot tell them apart.",
    "Set `--use-service-account-credentials=true` (kubeadm does).",
    """
    - --use-service-account-credentials=true
""",
    cis="1.3.3",
    checkov=("CKV_K8S_108",),
    refs=(
        KCM_DOC,
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles",
    ),
)


@check(SA_CREDENTIALS, on=Target.OBJECT, context=True)
def controller_manager_sa_credentials(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-controller-manager"):
        value, ptr = f.boolean("use-service-account-credentials")
        if value is True:
            continue
        how = ("sets --use-service-account-credentials=false" if value is False
               else "does not set --use-service-account-credentials=true")  # fmt: skip
        yield Violation("A020", ptr or f.anchor, f"{f.label()} {how}")


SA_KEYS = cluster_rule(
    "A021",
    "controller-manager-service-account-keys",
    "Controller manager lacks the service account signing key or root CA",
    Severity.MEDIUM,
    "kube-controller-manager has no `--service-account-private-key-file` or no `--root-ca-file`.",
    "Without the private key, token signing cannot be managed and rotated with the rest of "
    "the PKI; without the root CA, pods do not receive `ca.crt` in their token volume and "
    "cannot verify the API server they talk to (inviting `insecure-skip-tls-verify`).",
    "Set both flags to the cluster's files.",
    """
    - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
    - --root-ca-file=/etc/kubernetes/pki/ca.crt
""",
    cis="1.3.4, 1.3.5",
    checkov=("CKV_K8S_110", "CKV_K8S_111"),
    refs=(KCM_DOC,),
)


@check(SA_KEYS, on=Target.OBJECT, context=True)
def controller_manager_sa_keys(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-controller-manager"):
        missing = [n for n in ("service-account-private-key-file", "root-ca-file")
                   if not f.scalar(n)[0]]  # fmt: skip
        if missing:
            yield Violation("A021", f.anchor, f"{f.label()} sets no {_missing(f, missing)}")


SERVER_CERT_ROTATION = cluster_rule(
    "A022",
    "kubelet-server-cert-rotation-disabled",
    "Kubelet serving certificate rotation disabled",
    Severity.LOW,
    "The `RotateKubeletServerCertificate` feature gate is set to false on "
    "kube-controller-manager (`--feature-gates`) or in a KubeletConfiguration "
    "(`featureGates`).",
    "Kubelets then keep self-signed or long-lived serving certificates, which the API "
    "server cannot verify (see A014) and which are not renewed before they expire.",
    "Remove `RotateKubeletServerCertificate=false`; set `serverTLSBootstrap: true` in the "
    "KubeletConfiguration and approve the kubelets' serving CSRs.",
    """
# KubeletConfiguration
serverTLSBootstrap: true
""",
    cis="1.3.6, 4.2.11",
    checkov=("CKV_K8S_112", "CKV_K8S_150"),
    refs=(
        KCM_DOC,
        "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/",
    ),
)


@check(SERVER_CERT_ROTATION, on=Target.OBJECT, context=True)
def controller_manager_server_cert_rotation(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in _flags(ctx, "kube-controller-manager"):
        gate = f.gates().get("RotateKubeletServerCertificate")
        if gate is not None and gate[0] is False:
            yield Violation(
                "A022",
                gate[1].pointer,
                f"{f.label()} disables the RotateKubeletServerCertificate feature gate",
            )


# --------------------------------------------------------------------------- etcd

ETCD_CLIENT_AUTH = cluster_rule(
    "A030",
    "etcd-client-cert-auth",
    "etcd does not require client certificates",
    Severity.HIGH,
    "etcd runs without `--client-cert-auth=true` (or `ETCD_CLIENT_CERT_AUTH=true`); the "
    "default is false.",
    "Any client that reaches etcd's client port can then read and write every key: all "
    "Secrets, all RBAC, everything the API server stores, without going through "
    "authentication, authorization, admission or audit.",
    "Set `--client-cert-auth=true` with `--trusted-ca-file` pointing to etcd's own CA.",
    """
    - --client-cert-auth=true
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
""",
    cis="2.2",
    checkov=("CKV_K8S_117",),
    refs=(ETCD_DOC, ETCD_K8S_DOC),
)


@check(ETCD_CLIENT_AUTH, on=Target.OBJECT, context=True)
def etcd_client_cert_auth(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "etcd"):
        value, ptr = f.boolean("client-cert-auth", "ETCD_CLIENT_CERT_AUTH")
        if value is True:
            continue
        how = (
            "sets client-cert-auth to false"
            if value is False
            else "does not set --client-cert-auth=true"
        )
        yield Violation(
            "A030",
            ptr or f.anchor,
            f"{f.label()} {how}: any client can read and write the whole cluster state",
        )


ETCD_AUTO_TLS = cluster_rule(
    "A031",
    "etcd-auto-tls",
    "etcd uses self-signed certificates",
    Severity.MEDIUM,
    "etcd sets `--auto-tls=true` or `--peer-auto-tls=true` (or the `ETCD_AUTO_TLS` / "
    "`ETCD_PEER_AUTO_TLS` variables).",
    "Auto TLS generates self-signed certificates that clients and peers cannot verify: the "
    "connection is encrypted but not authenticated, so a man in the middle can read the "
    "whole cluster state.",
    "Remove the flags and give etcd certificates signed by its own CA.",
    """
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
""",
    cis="2.3, 2.6",
    checkov=("CKV_K8S_118",),
    refs=(ETCD_DOC,),
)


@check(ETCD_AUTO_TLS, on=Target.OBJECT, context=True)
def etcd_auto_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "etcd"):
        for name, env in (("auto-tls", "ETCD_AUTO_TLS"), ("peer-auto-tls", "ETCD_PEER_AUTO_TLS")):
            value, ptr = f.boolean(name, env)
            if value is True:
                yield Violation(
                    "A031",
                    ptr,
                    f"{f.label()} enables {name}: self-signed, unverifiable certificates",
                )


ETCD_PEER_AUTH = cluster_rule(
    "A032",
    "etcd-peer-client-cert-auth",
    "etcd does not authenticate its peers",
    Severity.MEDIUM,
    "etcd runs without `--peer-client-cert-auth=true` (or `ETCD_PEER_CLIENT_CERT_AUTH`); the "
    "default is false.",
    "Anyone who reaches the peer port (2380) can then join or talk to the cluster as a member "
    "and replicate its data.",
    "Set `--peer-client-cert-auth=true` with `--peer-trusted-ca-file`.",
    """
    - --peer-client-cert-auth=true
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
""",
    cis="2.5",
    checkov=("CKV_K8S_121",),
    refs=(ETCD_DOC,),
)


@check(ETCD_PEER_AUTH, on=Target.OBJECT, context=True)
def etcd_peer_client_cert_auth(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in _flags(ctx, "etcd"):
        value, ptr = f.boolean("peer-client-cert-auth", "ETCD_PEER_CLIENT_CERT_AUTH")
        if value is True:
            continue
        how = ("sets peer-client-cert-auth to false" if value is False
               else "does not set --peer-client-cert-auth=true")  # fmt: skip
        yield Violation("A032", ptr or f.anchor, f"{f.label()} {how}")


ETCD_TLS = cluster_rule(
    "A033",
    "etcd-without-tls",
    "etcd serves without TLS certificates",
    Severity.HIGH,
    "etcd has no `--cert-file`/`--key-file` (client TLS) or no "
    "`--peer-cert-file`/`--peer-key-file` (peer TLS), also looking at the `ETCD_*` "
    "variables, and does not use auto TLS for it either (A031 reports that).",
    "Without TLS the cluster's whole state, Secrets included, crosses the network in clear "
    "text and client certificate authentication is impossible.",
    "Give etcd server and peer certificates signed by its own CA.",
    """
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
""",
    cis="2.1, 2.4",
    checkov=("CKV_K8S_116", "CKV_K8S_119"),
    refs=(ETCD_DOC,),
)


@check(ETCD_TLS, on=Target.OBJECT, context=True)
def etcd_without_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    pairs = (
        ("auto-tls", "ETCD_AUTO_TLS", ("cert-file", "key-file")),
        ("peer-auto-tls", "ETCD_PEER_AUTO_TLS", ("peer-cert-file", "peer-key-file")),
    )
    for f in _flags(ctx, "etcd"):
        missing: list[str] = []
        for auto, auto_env, names in pairs:
            if f.boolean(auto, auto_env)[0] is True:
                continue
            for n in names:
                if not f.scalar(n, "ETCD_" + n.upper().replace("-", "_"))[0]:
                    missing.append(n)
        if missing:
            yield Violation("A033", f.anchor, f"{f.label()} sets no {_missing(f, missing)}")
