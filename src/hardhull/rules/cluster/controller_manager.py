"""kube-controller-manager flags (A020–A022): per-controller credentials, the service account
signing key and root CA, kubelet serving certificate rotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.cluster import KCM_DOC, KUBELET_TLS_DOC, cluster_rule
from hardhull.rules.cluster.flags import (
    CONTROLLER_MANAGER,
    BooleanFlag,
    RequiredFlags,
    component_flags,
    flag_rule,
)

SA_CREDENTIALS = cluster_rule(
    "A020",
    "controller-manager-shared-credentials",
    "Controllers share the controller manager's credentials",
    Severity.MEDIUM,
    what="kube-controller-manager does not set `--use-service-account-credentials=true` (the "
    "default is false).",
    why="Every controller then acts with the controller manager's own, very broad identity "
    "instead of a per-controller service account with its own minimal role: a flaw in one "
    "controller has the rights of all, and the audit log cannot tell them apart.",
    fix="Set `--use-service-account-credentials=true` (kubeadm does).",
    example="""
    - --use-service-account-credentials=true
""",
    cis="1.3.3",
    refs=(
        KCM_DOC,
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles",
    ),
)

# A020
flag_rule(
    SA_CREDENTIALS,
    CONTROLLER_MANAGER,
    BooleanFlag("use-service-account-credentials", want=True, unset=True),
)


SA_KEYS = cluster_rule(
    "A021",
    "controller-manager-service-account-keys",
    "Controller manager lacks the service account signing key or root CA",
    Severity.MEDIUM,
    what="kube-controller-manager has no `--service-account-private-key-file` or no "
    "`--root-ca-file`.",
    why="Without the private key, token signing cannot be managed and rotated with the rest of "
    "the PKI; without the root CA, pods do not receive `ca.crt` in their token volume and "
    "cannot verify the API server they talk to (inviting `insecure-skip-tls-verify`).",
    fix="Set both flags to the cluster's files.",
    example="""
    - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
    - --root-ca-file=/etc/kubernetes/pki/ca.crt
""",
    cis="1.3.4, 1.3.5",
    refs=(KCM_DOC,),
)

# A021
flag_rule(
    SA_KEYS,
    CONTROLLER_MANAGER,
    RequiredFlags(("service-account-private-key-file", "root-ca-file")),
)


SERVER_CERT_ROTATION = cluster_rule(
    "A022",
    "kubelet-server-cert-rotation-disabled",
    "Kubelet serving certificate rotation disabled",
    Severity.LOW,
    what="The `RotateKubeletServerCertificate` feature gate is set to false on "
    "kube-controller-manager (`--feature-gates`) or in a KubeletConfiguration "
    "(`featureGates`).",
    why="Kubelets then keep self-signed or long-lived serving certificates, which the API "
    "server cannot verify (see A014) and which are not renewed before they expire.",
    fix="Remove `RotateKubeletServerCertificate=false`; set `serverTLSBootstrap: true` in the "
    "KubeletConfiguration and approve the kubelets' serving CSRs.",
    example="""
# KubeletConfiguration
serverTLSBootstrap: true
""",
    cis="1.3.6, 4.2.11",
    refs=(KCM_DOC, KUBELET_TLS_DOC),
)


# A022
@check(SERVER_CERT_ROTATION, on=Target.OBJECT, context=True)
def kubelet_server_cert_rotation_disabled(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-controller-manager"):
        gate = f.gates().get("RotateKubeletServerCertificate")
        if gate is not None and gate[0] is False:
            yield Violation(
                "A022",
                gate[1].pointer,
                f"{f.label()} disables the RotateKubeletServerCertificate feature gate",
            )
