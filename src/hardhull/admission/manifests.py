"""``hardhull admission manifests``: everything to install the webhook, as plain YAML.

The output is a multi-document YAML stream (no Helm, no templating) meant for
``kubectl apply -f -``. It passes ``hardhull scan`` with no finding at any severity when the
image is pinned by digest; see ``docs/admission-install.md`` for the choices made here (the
failure policy, the namespace exclusions, the network policy, the certificates).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import ipaddress
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

EXIT_OK, EXIT_ERROR = 0, 2

NAME = "hardhull-admission"
TLS_SECRET = f"{NAME}-tls"
CA_SECRET = f"{NAME}-ca"
POLICY_CONFIGMAP = f"{NAME}-policy"
VALIDATING_WEBHOOK = "validate.admission.hardhull.dev"
VALIDATING_CLUSTER_WEBHOOK = "validate-cluster.admission.hardhull.dev"
MUTATING_WEBHOOK = "mutate.admission.hardhull.dev"

#: namespaces whose objects the webhooks never see: the control plane's own, so that a webhook
#: outage can never stop the cluster from repairing itself (the webhook's namespace is added)
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
#: label a cluster admin sets on a namespace to take it out of admission control
OPT_OUT_LABEL = "admission.hardhull.dev/ignore"
OPT_OUT_VALUE = "true"
NAME_LABEL = "kubernetes.io/metadata.name"

#: uid and gid of the container (distroless "nonroot" user; well above the host's users)
RUN_AS = 65532
PORT = 8443
TLS_DIR = "/etc/hardhull/tls"
POLICY_DIR = "/etc/hardhull/policy"
POLICY_FILE = "policy.yaml"

#: where the API server's calls to the webhook come from by default: the private and
#: carrier-grade NAT ranges (node and control-plane addresses of practically every cluster,
#: managed or not) and IPv6 unique-local addresses; never the public internet
DEFAULT_APISERVER_CIDRS = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
)

FAILURE_POLICIES = ("Fail", "Ignore")
DEFAULT_FAILURE_POLICY = "Fail"
TIMEOUT_SECONDS = 3

#: (apiGroup, version, resources) of the pod-bearing kinds: validated and mutated
WORKLOAD_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("", "v1", ("pods", "pods/ephemeralcontainers", "replicationcontrollers")),
    ("apps", "v1", ("deployments", "statefulsets", "daemonsets", "replicasets")),
    ("batch", "v1", ("jobs", "cronjobs")),
)
#: namespaced kinds only validated
VALIDATE_ONLY_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("", "v1", ("secrets",)),
    ("rbac.authorization.k8s.io", "v1", ("roles", "rolebindings")),
)
#: cluster-scoped kinds only validated (their own webhook, always failurePolicy Ignore)
CLUSTER_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("rbac.authorization.k8s.io", "v1", ("clusterroles", "clusterrolebindings")),
)

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


#: a ConfigMap holds at most 1 MiB
MAX_POLICY_CHARS = 1 << 20


class ManifestError(Exception):
    """A usage error: bad namespace, bad replicas, unreadable CA bundle."""


@dataclass
class Options:
    namespace: str
    image: str
    failure_policy: str = DEFAULT_FAILURE_POLICY
    replicas: int = 2
    cert_manager: bool = False
    ca_bundle_pem: bytes | None = None
    apiserver_cidrs: Sequence[str] = DEFAULT_APISERVER_CIDRS
    policy_text: str | None = None  # None: the server's default policy
    labels: dict[str, str] = field(default_factory=dict)


def default_policy_text(namespace: str) -> str:
    """The policy file of the ConfigMap: the server's built-in default policy."""
    from hardhull.admission.policy import default_policy_yaml

    return default_policy_yaml(namespace)


def read_policy(path: str, namespace: str) -> str:
    """A user's policy file, validated by the server's own loader before it ships."""
    from hardhull.admission.policy import PolicyError, parse_policy

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_POLICY_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if len(text) > MAX_POLICY_CHARS:
        raise ManifestError(f"{path}: larger than a ConfigMap can hold (1 MiB)")
    try:
        parse_policy(text, path, namespace)
    except PolicyError as exc:
        raise ManifestError(str(exc)) from None
    return text if text.endswith("\n") else text + "\n"


def _labels(extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "hardhull"}
    out.update(extra or {})
    return out


def _selector() -> dict[str, str]:
    return {"app.kubernetes.io/name": NAME}


def _meta(name: str, namespace: str | None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = _labels()
    meta.update(extra)
    return meta


def namespace_selector(namespace: str) -> dict[str, Any]:
    """Skip the webhook's own namespace, the system namespaces and opted-out namespaces."""
    excluded = [namespace, *(n for n in SYSTEM_NAMESPACES if n != namespace)]
    return {
        "matchExpressions": [
            {"key": NAME_LABEL, "operator": "NotIn", "values": excluded},
            {"key": OPT_OUT_LABEL, "operator": "NotIn", "values": [OPT_OUT_VALUE]},
        ]
    }


def _rules(table: Sequence[tuple[str, str, tuple[str, ...]]], scope: str) -> list[dict[str, Any]]:
    return [
        {
            "apiGroups": [group],
            "apiVersions": [version],
            "operations": ["CREATE", "UPDATE"],
            "resources": list(resources),
            "scope": scope,
        }
        for group, version, resources in table
    ]


def _client_config(o: Options, path: str) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "service": {"namespace": o.namespace, "name": NAME, "path": path, "port": 443}
    }
    if o.ca_bundle_pem is not None:
        cfg["caBundle"] = base64.b64encode(o.ca_bundle_pem).decode("ascii")
    return cfg


def _webhook_annotations(o: Options) -> dict[str, str]:
    if o.cert_manager:
        return {"cert-manager.io/inject-ca-from": f"{o.namespace}/{TLS_SECRET}"}
    return {}


def _webhook(o: Options, name: str, path: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "admissionReviewVersions": ["v1"],
        "clientConfig": _client_config(o, path),
        "rules": rules,
        "matchPolicy": "Equivalent",
        "namespaceSelector": namespace_selector(o.namespace),
        "failurePolicy": o.failure_policy,
        "sideEffects": "None",
        "timeoutSeconds": TIMEOUT_SECONDS,
    }


def _pod_template(o: Options, policy_sha: str) -> dict[str, Any]:
    container = {
        "name": "webhook",
        "image": o.image,
        # a digest never changes: the node's copy is the image; a tag may move: ask each time
        "imagePullPolicy": "IfNotPresent" if _digest_pinned(o.image) else "Always",
        "args": [
            "admission",
            "serve",
            "--tls-cert",
            f"{TLS_DIR}/tls.crt",
            "--tls-key",
            f"{TLS_DIR}/tls.key",
            "--config",
            f"{POLICY_DIR}/{POLICY_FILE}",
            "--port",
            str(PORT),
        ],
        # the webhook's own namespace (exempt from its policy) through the downward API
        "env": [
            {
                "name": "POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
            }
        ],
        "ports": [{"name": "https", "containerPort": PORT, "protocol": "TCP"}],
        "readinessProbe": {
            "httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"},
            "periodSeconds": 5,
            "timeoutSeconds": 2,
            "failureThreshold": 2,
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": "https", "scheme": "HTTPS"},
            "initialDelaySeconds": 5,
            "periodSeconds": 10,
            "timeoutSeconds": 2,
            "failureThreshold": 3,
        },
        "resources": {
            "requests": {"cpu": "100m", "memory": "96Mi"},
            "limits": {"cpu": "1", "memory": "256Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "tls", "mountPath": TLS_DIR, "readOnly": True},
            {"name": "policy", "mountPath": POLICY_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    return {
        "metadata": {
            "labels": _labels(),
            # a changed policy changes the template, so `kubectl apply` rolls the pods
            "annotations": {"hardhull.dev/policy-sha256": policy_sha},
        },
        "spec": {
            "serviceAccountName": NAME,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": RUN_AS,
                "runAsGroup": RUN_AS,
                "fsGroup": RUN_AS,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "affinity": {
                "podAntiAffinity": {
                    # preferred, not required: a one-node cluster (kind, a laptop) still runs
                    # both replicas; on a real cluster the scheduler spreads them over nodes
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 100,
                            "podAffinityTerm": {
                                "labelSelector": {"matchLabels": _selector()},
                                "topologyKey": "kubernetes.io/hostname",
                            },
                        }
                    ]
                }
            },
            "containers": [container],
            "volumes": [
                {
                    "name": "tls",
                    "secret": {"secretName": TLS_SECRET, "defaultMode": 0o440},
                },
                {
                    "name": "policy",
                    "configMap": {"name": POLICY_CONFIGMAP, "defaultMode": 0o444},
                },
                {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
            ],
        },
    }


def build(o: Options) -> list[dict[str, Any]]:
    """The objects to apply, in apply order (the webhooks last)."""
    ns = o.namespace
    policy = o.policy_text if o.policy_text is not None else default_policy_text(ns)
    policy_sha = hashlib.sha256(policy.encode()).hexdigest()
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": ns,
                "labels": _labels(
                    {
                        NAME_LABEL: ns,
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/audit-version": "latest",
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/warn-version": "latest",
                        OPT_OUT_LABEL: OPT_OUT_VALUE,
                    }
                ),
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(NAME, ns),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(POLICY_CONFIGMAP, ns),
            "data": {POLICY_FILE: policy},
        },
    ]
    if o.cert_manager:
        docs += _cert_manager(ns)
    docs += [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _meta(NAME, ns),
            "spec": {
                "replicas": o.replicas,
                "revisionHistoryLimit": 3,
                "selector": {"matchLabels": _selector()},
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
                },
                "template": _pod_template(o, policy_sha),
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta(NAME, ns),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _selector()}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(NAME, ns),
            "spec": {
                "type": "ClusterIP",
                "selector": _selector(),
                "ports": [{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(f"{NAME}-default-deny", ns),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(f"{NAME}-from-apiserver", ns),
            "spec": {
                "podSelector": {"matchLabels": _selector()},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"ipBlock": {"cidr": c}} for c in o.apiserver_cidrs],
                        "ports": [{"port": PORT, "protocol": "TCP"}],
                    }
                ],
            },
        },
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": _meta(NAME, None, **_ann(_webhook_annotations(o))),
            "webhooks": [
                _webhook(
                    o,
                    VALIDATING_WEBHOOK,
                    "/validate",
                    _rules(WORKLOAD_RULES + VALIDATE_ONLY_RULES, "Namespaced"),
                ),
                {
                    **_webhook(o, VALIDATING_CLUSTER_WEBHOOK, "/validate", []),
                    "rules": _rules(CLUSTER_RULES, "Cluster"),
                    # cluster-scoped RBAC is written by the API server itself at start-up and
                    # by every operator install: a down webhook must never block it
                    "failurePolicy": "Ignore",
                },
            ],
        },
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": _meta(NAME, None, **_ann(_webhook_annotations(o))),
            "webhooks": [
                {
                    **_webhook(
                        o, MUTATING_WEBHOOK, "/mutate", _rules(WORKLOAD_RULES, "Namespaced")
                    ),
                    "reinvocationPolicy": "IfNeeded",
                }
            ],
        },
    ]
    return docs


def _ann(annotations: dict[str, str]) -> dict[str, Any]:
    return {"annotations": annotations} if annotations else {}


def _cert_manager(ns: str) -> list[dict[str, Any]]:
    """A self-signed root that signs a CA, and the CA that issues the serving certificate:
    the serving certificate renews without changing the caBundle the API server trusts."""
    service = f"{NAME}.{ns}.svc"
    issuer = "cert-manager.io/v1"
    return [
        {
            "apiVersion": issuer,
            "kind": "Issuer",
            "metadata": _meta(f"{NAME}-selfsigned", ns),
            "spec": {"selfSigned": {}},
        },
        {
            "apiVersion": issuer,
            "kind": "Certificate",
            "metadata": _meta(CA_SECRET, ns),
            "spec": {
                "isCA": True,
                "commonName": f"{NAME} CA",
                "secretName": CA_SECRET,
                "duration": "43800h",  # 5 years
                "renewBefore": "8760h",
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                "issuerRef": {
                    "name": f"{NAME}-selfsigned",
                    "kind": "Issuer",
                    "group": "cert-manager.io",
                },
            },
        },
        {
            "apiVersion": issuer,
            "kind": "Issuer",
            "metadata": _meta(CA_SECRET, ns),
            "spec": {"ca": {"secretName": CA_SECRET}},
        },
        {
            "apiVersion": issuer,
            "kind": "Certificate",
            "metadata": _meta(TLS_SECRET, ns),
            "spec": {
                "secretName": TLS_SECRET,
                "dnsNames": [service, f"{service}.cluster.local"],
                "duration": "2160h",  # 90 days
                "renewBefore": "720h",
                "usages": ["digital signature", "server auth"],
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                "issuerRef": {"name": CA_SECRET, "kind": "Issuer", "group": "cert-manager.io"},
            },
        },
    ]


def render(docs: Sequence[dict[str, Any]], header: str = "") -> str:
    """A YAML stream: block style, keys in the order built, multi-line strings as ``|``."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
        style = "|" if "\n" in data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    _Dumper.add_representer(str, _str)
    parts = [
        yaml.dump(d, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096)
        for d in docs
    ]
    return header + "---\n" + "---\n".join(parts)


def check_options(o: Options) -> None:
    if not _DNS_LABEL.match(o.namespace):
        raise ManifestError(
            f"--namespace {o.namespace!r} is not a valid namespace name (RFC 1123 label)"
        )
    if not o.image or any(c.isspace() for c in o.image):
        raise ManifestError(f"--image {o.image!r} is not an image reference")
    if o.failure_policy not in FAILURE_POLICIES:
        raise ManifestError(f"--failure-policy must be Fail or Ignore, not {o.failure_policy!r}")
    if o.replicas < 2:
        raise ManifestError(
            f"--replicas {o.replicas}: at least 2, so that a node drain or a rolling update "
            "never leaves the cluster without its admission webhook"
        )
    if o.cert_manager and o.ca_bundle_pem is not None:
        raise ManifestError("--cert-manager and --ca-bundle exclude each other")
    for cidr in o.apiserver_cidrs:
        try:
            net = ipaddress.ip_network(cidr, strict=True)
        except ValueError as exc:
            raise ManifestError(f"--apiserver-cidr {cidr!r}: {exc}") from None
        if net.prefixlen == 0:
            raise ManifestError(
                f"--apiserver-cidr {cidr}: that is every address; name the networks the "
                "API server calls from"
            )


def read_ca_bundle(path: str) -> bytes:
    """The PEM certificates of ``path``, checked to parse."""
    from cryptography import x509

    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ManifestError(f"{path}: no PEM certificate found") from None
    if not any(_is_ca(c) for c in certs):
        sys.stderr.write(f"hardhull: warning: {path} holds no CA certificate\n")
    return data


def _is_ca(cert: Any) -> bool:
    from cryptography import x509

    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return bool(bc.ca)


def _digest_pinned(image: str) -> bool:
    return "@sha256:" in image


def register_manifests_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``manifests`` to the ``hardhull admission`` subcommands."""
    p = sub.add_parser(
        "manifests",
        help="print the Kubernetes manifests that install the webhook (plain YAML)",
        description=(
            "Print Namespace, ServiceAccount, policy ConfigMap, Deployment, "
            "PodDisruptionBudget, Service, NetworkPolicies and the validating and mutating "
            "webhook configurations, ready for `kubectl apply -f -`."
        ),
    )
    p.add_argument("--namespace", required=True, metavar="NS")
    p.add_argument("--image", required=True, metavar="IMG", help="pin it by digest (@sha256:)")
    p.add_argument(
        "--failure-policy",
        choices=FAILURE_POLICIES,
        default=DEFAULT_FAILURE_POLICY,
        help="what the API server does when the webhook cannot answer (default: Fail; see "
        "docs/admission-install.md)",
    )
    p.add_argument("--replicas", type=int, default=2, metavar="N", help="at least 2 (default)")
    p.add_argument(
        "--cert-manager",
        action="store_true",
        help="add cert-manager Issuers and Certificates and let its CA injector set caBundle",
    )
    p.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="PEM CA certificate for the webhooks' caBundle (ca.crt of `admission certs`)",
    )
    p.add_argument(
        "--apiserver-cidr",
        action="append",
        default=None,
        metavar="CIDR",
        help="network the API server calls the webhook from (repeatable; default: the "
        "private ranges)",
    )
    p.add_argument(
        "--policy", metavar="FILE", help="policy file for the ConfigMap (default: built in)"
    )
    p.set_defaults(admission_command="manifests", admission_func=cmd_manifests)


def cmd_manifests(args: argparse.Namespace) -> int:
    try:
        policy_text = read_policy(args.policy, args.namespace) if args.policy else None
        o = Options(
            namespace=args.namespace,
            image=args.image,
            failure_policy=args.failure_policy,
            replicas=args.replicas,
            cert_manager=args.cert_manager,
            ca_bundle_pem=read_ca_bundle(args.ca_bundle) if args.ca_bundle else None,
            apiserver_cidrs=tuple(args.apiserver_cidr or DEFAULT_APISERVER_CIDRS),
            policy_text=policy_text,
        )
        check_options(o)
    except ManifestError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    if not _digest_pinned(o.image):
        sys.stderr.write(
            f"hardhull: warning: image {o.image} is not pinned by digest (K028); "
            "use IMAGE@sha256:… so every replica runs the same build\n"
        )
    if not o.cert_manager and o.ca_bundle_pem is None:
        sys.stderr.write(
            "hardhull: warning: no --ca-bundle and no --cert-manager: set caBundle in both "
            "webhook configurations before applying, or the API server cannot call the webhook\n"
        )
    from hardhull import __version__

    header = (
        f"# hardhull {__version__} admission webhook for namespace {o.namespace}\n"
        "# generated by `hardhull admission manifests`; apply with `kubectl apply -f FILE`\n"
    )
    if not o.cert_manager:
        header += (
            f"# needs the Secret {o.namespace}/{TLS_SECRET} first: kubectl -n {o.namespace} "
            f"create secret tls {TLS_SECRET} --cert=DIR/tls.crt --key=DIR/tls.key\n"
        )
    sys.stdout.write(render(build(o), header))
    return EXIT_OK
