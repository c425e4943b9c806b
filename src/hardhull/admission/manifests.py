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
import sys
from collections.abc import Sequence
from typing import Any

from hardhull import __version__
from hardhull.admission.deployment import cert_manager_objects, pod_template
from hardhull.admission.install import (
    DEFAULT_APISERVER_CIDRS,
    DEFAULT_FAILURE_POLICY,
    FAILURE_POLICIES,
    MUTATING_WEBHOOK,
    NAME,
    NAME_LABEL,
    OPT_OUT_LABEL,
    OPT_OUT_VALUE,
    POLICY_CONFIGMAP,
    POLICY_FILE,
    PORT,
    REGISTRY_PORTS,
    SYSTEM_NAMESPACES,
    TIMEOUT_SECONDS,
    TLS_SECRET,
    VALIDATING_CLUSTER_WEBHOOK,
    VALIDATING_WEBHOOK,
    VERIFY_KEYS_DIR,
    ManifestError,
    Options,
    check_options,
    default_policy_text,
    is_digest_pinned,
    labels,
    meta,
    policy_verifies_images,
    read_ca_bundle,
    read_policy,
    selector,
)
from hardhull.exitcodes import EXIT_ERROR, EXIT_OK

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
                "labels": labels(
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
            "metadata": meta(NAME, ns),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta(POLICY_CONFIGMAP, ns),
            "data": {POLICY_FILE: policy},
        },
    ]
    if o.cert_manager:
        docs += cert_manager_objects(ns)
    docs += [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta(NAME, ns),
            "spec": {
                "replicas": o.replicas,
                "revisionHistoryLimit": 3,
                "selector": {"matchLabels": selector()},
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
                },
                "template": pod_template(o, policy_sha),
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta(NAME, ns),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector()}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(NAME, ns),
            "spec": {
                "type": "ClusterIP",
                "selector": selector(),
                "ports": [{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(f"{NAME}-default-deny", ns),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(f"{NAME}-from-apiserver", ns),
            "spec": {
                "podSelector": {"matchLabels": selector()},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"ipBlock": {"cidr": c}} for c in o.apiserver_cidrs],
                        "ports": [{"port": PORT, "protocol": "TCP"}],
                    }
                ],
            },
        },
        *([_registry_egress(ns)] if o.verifies_images else []),
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": meta(NAME, None, **_ann(_webhook_annotations(o))),
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
            "metadata": meta(NAME, None, **_ann(_webhook_annotations(o))),
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


def _registry_egress(ns: str) -> dict[str, Any]:
    """verify-images: the webhook asks registries (HTTPS) and resolves their names (DNS)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(f"{NAME}-to-registries", ns),
        "spec": {
            "podSelector": {"matchLabels": selector()},
            "policyTypes": ["Egress"],
            "egress": [
                {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
                {"ports": [{"port": p, "protocol": "TCP"} for p in REGISTRY_PORTS]},
            ],
        },
    }


def _ann(annotations: dict[str, str]) -> dict[str, Any]:
    return {"annotations": annotations} if annotations else {}


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
    keys = p.add_mutually_exclusive_group()
    keys.add_argument(
        "--verify-keys-secret",
        metavar="NAME",
        help=f"Secret of public keys for verify-images, mounted read-only at {VERIFY_KEYS_DIR} "
        "(each key of the Secret a file the policy's keys: can name)",
    )
    keys.add_argument(
        "--verify-keys-configmap",
        metavar="NAME",
        help=f"the same from a ConfigMap (public keys are not secret), at {VERIFY_KEYS_DIR}",
    )
    p.add_argument(
        "--registry-credentials-secret",
        metavar="NAME",
        help="kubernetes.io/dockerconfigjson Secret the webhook reads registries with "
        "(mounted as DOCKER_CONFIG)",
    )
    p.set_defaults(admission_command="manifests", admission_func=cmd_manifests)


def cmd_manifests(args: argparse.Namespace) -> int:
    try:
        policy_text = read_policy(args.policy, args.namespace) if args.policy else None
        verifies, key_files = (
            policy_verifies_images(policy_text, args.namespace) if policy_text else (False, [])
        )
        o = Options(
            namespace=args.namespace,
            image=args.image,
            failure_policy=args.failure_policy,
            replicas=args.replicas,
            cert_manager=args.cert_manager,
            ca_bundle_pem=read_ca_bundle(args.ca_bundle) if args.ca_bundle else None,
            apiserver_cidrs=tuple(args.apiserver_cidr or DEFAULT_APISERVER_CIDRS),
            policy_text=policy_text,
            verify_keys_secret=args.verify_keys_secret,
            verify_keys_configmap=args.verify_keys_configmap,
            registry_credentials_secret=args.registry_credentials_secret,
            verifies_images=verifies,
        )
        check_options(o)
    except ManifestError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    if not is_digest_pinned(o.image):
        sys.stderr.write(
            f"hardhull: warning: image {o.image} is not pinned by digest (K028); "
            "use IMAGE@sha256:… so every replica runs the same build\n"
        )
    outside = [k for k in key_files if not k.startswith(VERIFY_KEYS_DIR + "/")]
    if outside or (key_files and not (o.verify_keys_secret or o.verify_keys_configmap)):
        sys.stderr.write(
            f"hardhull: warning: verify-images names key files ({', '.join(key_files)}): mount "
            f"them with --verify-keys-secret or --verify-keys-configmap and name them under "
            f"{VERIFY_KEYS_DIR}/, or the webhook does not start\n"
        )
    if not o.cert_manager and o.ca_bundle_pem is None:
        sys.stderr.write(
            "hardhull: warning: no --ca-bundle and no --cert-manager: set caBundle in both "
            "webhook configurations before applying, or the API server cannot call the webhook\n"
        )
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
