"""What ``hardhull admission manifests`` installs, and with which options: the names, ports
and paths the objects share, the options and their checks, the policy file and CA bundle it
reads, and the labels and metadata every object carries."""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
#: where --verify-keys-secret / --verify-keys-configmap mount the public keys (each key of the
#: Secret or ConfigMap a file): the policy's verify-images `keys:` name files here
VERIFY_KEYS_DIR = "/etc/hardhull/verify-keys"
#: where --registry-credentials-secret mounts the Docker config (DOCKER_CONFIG points here)
REGISTRY_CONFIG_DIR = "/etc/hardhull/registry"
#: the ports the webhook may reach registries on when it verifies images (and DNS)
REGISTRY_PORTS = (443,)

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

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


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
    #: public keys of verify-images, mounted at VERIFY_KEYS_DIR (one of the two)
    verify_keys_secret: str | None = None
    verify_keys_configmap: str | None = None
    #: a kubernetes.io/dockerconfigjson Secret, mounted as DOCKER_CONFIG
    registry_credentials_secret: str | None = None
    #: the policy verifies image signatures: the webhook may reach registries (egress)
    verifies_images: bool = False


def default_policy_text(namespace: str) -> str:
    """The policy file of the ConfigMap: the server's built-in default policy."""
    # start-up time: the policy module only when a policy is written or read
    from hardhull.admission.policy import default_policy_yaml

    return default_policy_yaml(namespace)


def policy_verifies_images(text: str, namespace: str) -> tuple[bool, list[str]]:
    """Whether a (valid) policy has verify-images rules, and the key files they name."""
    from hardhull.admission.policy import parse_policy  # start-up time
    from hardhull.formats.yamlpos import load_all

    if not parse_policy(text, "<policy>", namespace, load_keys=False).verify_images:
        return False, []
    docs = load_all(text)
    rules = docs[0].data.get("verify-images") if docs and isinstance(docs[0].data, dict) else []
    files = [
        k
        for rule in rules or []
        if isinstance(rule, dict)
        for k in (
            [rule.get("keys")] if isinstance(rule.get("keys"), str) else rule.get("keys") or []
        )
        if isinstance(k, str) and "-----BEGIN" not in k
    ]
    return True, files


def read_policy(path: str, namespace: str) -> str:
    """A user's policy file, validated by the server's own loader before it ships."""
    # start-up time: the policy module only when a policy is written or read
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
        # the key files of verify-images are paths in the webhook's pod, not here
        parse_policy(text, path, namespace, load_keys=False)
    except PolicyError as exc:
        raise ManifestError(str(exc)) from None
    return text if text.endswith("\n") else text + "\n"


def labels(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The labels of every installed object (plus ``extra``)."""
    out = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "hardhull"}
    out.update(extra or {})
    return out


def selector() -> dict[str, str]:
    """The label selector of the webhook's pods."""
    return {"app.kubernetes.io/name": NAME}


def meta(name: str, namespace: str | None, **extra: Any) -> dict[str, Any]:
    """An installed object's metadata: name, namespace (None: cluster-scoped), labels."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = labels()
    meta.update(extra)
    return meta


def check_options(o: Options) -> None:
    """Raise :class:`ManifestError` for options that would install a broken webhook."""
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
    if o.verify_keys_secret and o.verify_keys_configmap:
        raise ManifestError("--verify-keys-secret and --verify-keys-configmap exclude each other")
    for flag, name in (
        ("--verify-keys-secret", o.verify_keys_secret),
        ("--verify-keys-configmap", o.verify_keys_configmap),
        ("--registry-credentials-secret", o.registry_credentials_secret),
    ):
        if name is not None and (len(name) > 253 or not _DNS_SUBDOMAIN.match(name)):
            raise ManifestError(f"{flag} {name!r} is not a valid object name (RFC 1123 subdomain)")
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


def is_digest_pinned(image: str) -> bool:
    """The image reference names a digest (``@sha256:``)."""
    return "@sha256:" in image
