"""The webhook's workload as ``hardhull admission manifests`` writes it: the Deployment's pod
template (hardened to pass ``hardhull scan`` clean) and, with ``--cert-manager``, the issuers and
certificates."""

from __future__ import annotations

from typing import Any

from hardhull.admission.install import (
    CA_SECRET,
    NAME,
    POLICY_CONFIGMAP,
    POLICY_DIR,
    POLICY_FILE,
    PORT,
    REGISTRY_CONFIG_DIR,
    RUN_AS,
    TLS_DIR,
    TLS_SECRET,
    VERIFY_KEYS_DIR,
    Options,
    is_digest_pinned,
    labels,
    meta,
    selector,
)


def pod_template(o: Options, policy_sha: str) -> dict[str, Any]:
    """The Deployment's pod template; ``policy_sha`` rolls the pods when the policy changes."""
    container = {
        "name": "webhook",
        "image": o.image,
        # a digest never changes: the node's copy is the image; a tag may move: ask each time
        "imagePullPolicy": "IfNotPresent" if is_digest_pinned(o.image) else "Always",
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
    volumes: list[dict[str, Any]] = [
        {"name": "tls", "secret": {"secretName": TLS_SECRET, "defaultMode": 0o440}},
        {"name": "policy", "configMap": {"name": POLICY_CONFIGMAP, "defaultMode": 0o444}},
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
    ]
    mounts: list[dict[str, Any]] = container["volumeMounts"]  # type: ignore[assignment]
    if o.verify_keys_secret or o.verify_keys_configmap:
        # public keys: readable, never writable; each key of the object is a file
        source = (
            {"secret": {"secretName": o.verify_keys_secret, "defaultMode": 0o440}}
            if o.verify_keys_secret
            else {"configMap": {"name": o.verify_keys_configmap, "defaultMode": 0o444}}
        )
        volumes.append({"name": "verify-keys", **source})
        mounts.append({"name": "verify-keys", "mountPath": VERIFY_KEYS_DIR, "readOnly": True})
    if o.registry_credentials_secret:
        # a kubernetes.io/dockerconfigjson Secret: its .dockerconfigjson is DOCKER_CONFIG's
        # config.json
        volumes.append(
            {
                "name": "registry-credentials",
                "secret": {
                    "secretName": o.registry_credentials_secret,
                    "defaultMode": 0o440,
                    "items": [{"key": ".dockerconfigjson", "path": "config.json"}],
                },
            }
        )
        mounts.append(
            {"name": "registry-credentials", "mountPath": REGISTRY_CONFIG_DIR, "readOnly": True}
        )
        env: list[dict[str, Any]] = container["env"]  # type: ignore[assignment]
        env.append({"name": "DOCKER_CONFIG", "value": REGISTRY_CONFIG_DIR})
    return {
        "metadata": {
            "labels": labels(),
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
                                "labelSelector": {"matchLabels": selector()},
                                "topologyKey": "kubernetes.io/hostname",
                            },
                        }
                    ]
                }
            },
            "containers": [container],
            "volumes": volumes,
        },
    }


def cert_manager_objects(ns: str) -> list[dict[str, Any]]:
    """A self-signed root that signs a CA, and the CA that issues the serving certificate:
    the serving certificate renews without changing the caBundle the API server trusts."""
    service = f"{NAME}.{ns}.svc"
    issuer = "cert-manager.io/v1"
    return [
        {
            "apiVersion": issuer,
            "kind": "Issuer",
            "metadata": meta(f"{NAME}-selfsigned", ns),
            "spec": {"selfSigned": {}},
        },
        {
            "apiVersion": issuer,
            "kind": "Certificate",
            "metadata": meta(CA_SECRET, ns),
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
            "metadata": meta(CA_SECRET, ns),
            "spec": {"ca": {"secretName": CA_SECRET}},
        },
        {
            "apiVersion": issuer,
            "kind": "Certificate",
            "metadata": meta(TLS_SECRET, ns),
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
