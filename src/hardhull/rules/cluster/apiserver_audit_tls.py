"""kube-apiserver audit log, encryption at rest and TLS flags (A011–A014, A018): is the audit
log written and kept, are Secrets encrypted in etcd, does the API server verify and
authenticate to the kubelets and to etcd."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.cluster import (
    APISERVER_DOC,
    AUDIT_DOC,
    ENCRYPT_DOC,
    ETCD_K8S_DOC,
    KUBELET_TLS_DOC,
    cluster_rule,
)
from hardhull.rules.cluster.flags import (
    APISERVER,
    RequiredFlags,
    component_flags,
    flag_list,
    flag_rule,
)

# --------------------------------------------------------------------------- audit

AUDIT_OFF = cluster_rule(
    "A011",
    "apiserver-audit-log-disabled",
    "API server audit logging disabled",
    Severity.MEDIUM,
    what="kube-apiserver has no `--audit-policy-file`, or has one but neither `--audit-log-path` "
    "nor `--audit-webhook-config-file` (so events go nowhere).",
    why="Without an audit trail nobody can tell who read which Secret, who exec'd into which pod "
    "or which token created a cluster-admin binding: incidents cannot be investigated and "
    "misuse goes unnoticed.",
    fix="Write an audit policy (log Secrets, ConfigMaps and TokenReviews at `Metadata` only) and "
    "set `--audit-policy-file` and `--audit-log-path` (mount both paths into the static pod).",
    example="""
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=30
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
""",
    cis="1.2.16, 3.2.1",
    nsa="Audit logging and threat detection",
    refs=(APISERVER_DOC, AUDIT_DOC),
)


# A011
@check(AUDIT_OFF, on=Target.OBJECT, context=True)
def apiserver_audit_log_disabled(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
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


#: each retention flag and its least acceptable value (CIS)
_RETENTION = (("audit-log-maxage", 30), ("audit-log-maxbackup", 10), ("audit-log-maxsize", 100))

AUDIT_RETENTION = cluster_rule(
    "A012",
    "apiserver-audit-log-retention",
    "API server audit log retention too short",
    Severity.LOW,
    what="kube-apiserver writes an audit log file (`--audit-log-path`) but `--audit-log-maxage` "
    "is unset or below 30 days, `--audit-log-maxbackup` below 10 files, or "
    "`--audit-log-maxsize` below 100 MB. Not reported when the log goes to standard output "
    "(`--audit-log-path=-`).",
    why="Unset, the API server keeps rotated files forever or not at all depending on the flag; "
    "set too low, the evidence of an intrusion is rotated away before anyone looks.",
    fix="Set retention to at least the CIS values, or ship the log off the node.",
    example="""
    - --audit-log-maxage=30
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
""",
    cis="1.2.17, 1.2.18, 1.2.19",
    refs=(APISERVER_DOC, AUDIT_DOC),
)


# A012
@check(AUDIT_RETENTION, on=Target.OBJECT, context=True)
def apiserver_audit_log_retention(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
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
    what="kube-apiserver has no `--encryption-provider-config`.",
    why="Secrets are then stored in etcd as plain (base64) protobuf: anyone who reads an etcd "
    "backup, an etcd data directory or a disk snapshot of a control-plane node reads every "
    "Secret of the cluster.",
    fix="Write an EncryptionConfiguration (KMS v2 or at least secretbox/aescbc for secrets) and "
    "point `--encryption-provider-config` at it, then rewrite existing Secrets "
    "(`kubectl get secrets -A -o json | kubectl replace -f -`).",
    example="""
    - --encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml
""",
    cis="1.2.27",
    nsa="Data protection: encrypt Secrets at rest",
    refs=(APISERVER_DOC, ENCRYPT_DOC),
)

# A013
flag_rule(
    NO_ENCRYPTION,
    APISERVER,
    RequiredFlags(("encryption-provider-config",), harm="Secrets are stored unencrypted in etcd"),
)


# --------------------------------------------------------------------------- TLS

KUBELET_TLS = cluster_rule(
    "A014",
    "apiserver-kubelet-tls",
    "API server does not verify or authenticate to kubelets",
    Severity.MEDIUM,
    what="kube-apiserver has no `--kubelet-certificate-authority` (it does not verify the "
    "kubelets' serving certificates), or no `--kubelet-client-certificate` / "
    "`--kubelet-client-key` (it cannot authenticate to them).",
    why="The API server relays `exec`, `attach`, `logs` and `port-forward` to kubelets. Without "
    "verifying the kubelet's certificate, anyone who can intercept node traffic can "
    "impersonate a kubelet and read or inject into those streams. Without a client "
    "certificate, kubelets must accept unauthenticated requests.",
    fix="Have kubelets request CA-signed serving certificates (`serverTLSBootstrap: true`, approve "
    "the CSRs) and set `--kubelet-certificate-authority` to the cluster CA; set the client "
    "certificate flags.",
    example="""
    - --kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt
    - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
    - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
""",
    cis="1.2.4, 1.2.5",
    refs=(APISERVER_DOC, KUBELET_TLS_DOC),
)

# A014
flag_rule(
    KUBELET_TLS,
    APISERVER,
    RequiredFlags(
        ("kubelet-certificate-authority", "kubelet-client-certificate", "kubelet-client-key")
    ),
)


ETCD_CLIENT = cluster_rule(
    "A018",
    "apiserver-etcd-tls",
    "API server talks to etcd without TLS client authentication",
    Severity.HIGH,
    what="kube-apiserver's `--etcd-servers` uses `http://`, or `--etcd-certfile`, "
    "`--etcd-keyfile` or `--etcd-cafile` is missing.",
    why="Everything the cluster stores crosses this connection. Without TLS it can be read and "
    "altered on the wire; without a client certificate etcd must accept unauthenticated "
    "clients, and without a CA the API server cannot tell a rogue etcd from the real one.",
    fix="Use `https://` etcd endpoints and set the three certificate flags.",
    example="""
    - --etcd-servers=https://127.0.0.1:2379
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
""",
    cis="1.2.23, 1.2.26",
    refs=(APISERVER_DOC, ETCD_K8S_DOC),
)


# A018
@check(ETCD_CLIENT, on=Target.OBJECT, context=True)
def apiserver_etcd_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        servers, sptr = f.scalar("etcd-servers")
        if servers is None:
            continue  # storage configured some other way (or not at all): nothing to judge
        plain = [s.strip() for s in servers.split(",") if s.strip().startswith("http://")]
        if plain:
            yield Violation(
                "A018", sptr, f"{f.label()} connects to etcd without TLS: {', '.join(plain)}"
            )
            continue
        names = ("etcd-cafile", "etcd-certfile", "etcd-keyfile")
        missing = [n for n in names if not f.scalar(n)[0]]
        if missing:
            yield Violation("A018", f.anchor, f"{f.label()} sets no {flag_list(missing)}")
