"""EncryptionConfiguration checks (A050–A059): is data at rest in etcd encrypted, and how.

The API server picks, for each resource, the first ``resources`` entry that names it
(``secrets``), its group's wildcard (``*.`` for the core group) or ``*.*``; the first provider
of that entry encrypts every write, the others only decrypt older data. ``identity`` first
means plain text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.workload import api_group, as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rules.cluster import ENCRYPT_DOC, cluster_rule

KMS_DOC = "https://kubernetes.io/docs/tasks/administer-cluster/kms-provider/"
API_DOC = "https://kubernetes.io/docs/reference/config-api/apiserver-config.v1/"
PROVIDERS = ("identity", "aescbc", "aesgcm", "secretbox", "kms")
LOCAL_KEYS = ("aescbc", "aesgcm", "secretbox")
#: keys published in the Kubernetes (and OpenShift) documentation's example configurations
EXAMPLE_KEYS = frozenset(
    {
        "c2VjcmV0IGlzIHNlY3VyZQ==",
        "dGhpcyBpcyBwYXNzd29yZA==",
        "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=",
        "c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==",
        "c2VjcmV0IGlzIHNlY3VyZSwgSSB0aGluaw==",
    }
)


def _encryption_config(obj: dict[str, Any]) -> bool:
    kind, av = obj.get("kind"), obj.get("apiVersion")
    if kind == "EncryptionConfiguration":
        return isinstance(av, str) and api_group(av) == "apiserver.config.k8s.io"
    return kind == "EncryptionConfig" and av == "v1"  # the pre-1.13 name


def _provider(p: Any) -> tuple[str, dict[str, Any]]:
    """The provider type of one ``providers`` item and its settings ("" if not one of ours)."""
    d = as_dict(p)
    for name in PROVIDERS:
        if name in d:
            return name, as_dict(d[name])
    return "", {}


def _names(entry: dict[str, Any]) -> list[str]:
    return [r.strip() for r in as_list(entry.get("resources")) if isinstance(r, str)]


def _covers_secrets(names: list[str]) -> str:
    """The item of a ``resources`` list that selects Secrets, or ""."""
    for n in names:
        if n in ("secrets", "secrets.", "*.", "*.*"):
            return n
    return ""


SECRETS_PLAIN = cluster_rule(
    "A050",
    "secrets-not-encrypted-at-rest",
    "EncryptionConfiguration leaves Secrets unencrypted",
    Severity.HIGH,
    what="An EncryptionConfiguration has no `resources` entry that selects Secrets (`secrets`, "
    "`*.` or `*.*`), or the first entry that does lists `identity` as its first provider.",
    why="The first provider encrypts every write: with `identity` first (or no entry at all), "
    "Secrets are written to etcd in plain text even though encryption looks configured. "
    "Anyone with an etcd backup or a control-plane disk reads them.",
    fix="Put a real provider first (KMS v2, or secretbox/aescbc with a random key); keep "
    "`identity` last only while existing Secrets are being rewritten.",
    example="""
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - kms:
          apiVersion: v2
          name: vault-kms
          endpoint: unix:///var/run/kms/socket.sock
      - identity: {}
""",
    category="cluster-config",
    cis="1.2.27, 1.2.28",
    nsa="Data protection: encrypt Secrets at rest",
    refs=(ENCRYPT_DOC, API_DOC),
)


# A050
@check(SECRETS_PLAIN, on=Target.OBJECT)
def secrets_not_encrypted_at_rest(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _encryption_config(obj):
        return
    for i, entry in enumerate(as_list(obj.get("resources"))):
        entry = as_dict(entry)
        item = _covers_secrets(_names(entry))
        if not item:
            continue
        providers = as_list(entry.get("providers"))
        first, _ = _provider(providers[0]) if providers else ("", {})
        if first == "identity":
            yield Violation(
                "A050",
                f"/resources/{i}/providers/0",
                f"Secrets (selected by {item!r}) are written in plain text: the first "
                "provider is identity",
            )
        return
    where = "/resources" if "resources" in obj else "/kind"
    yield Violation(
        "A050", where, "no resources entry selects Secrets: they are stored unencrypted"
    )


WEAK_PROVIDER = cluster_rule(
    "A051",
    "encryption-weak-provider",
    "Encryption at rest uses a weak or deprecated provider",
    Severity.LOW,
    what="The provider that encrypts writes (the first of a `resources` entry) is `aescbc` "
    "(low: weak per the Kubernetes documentation, CBC is open to padding-oracle attacks), "
    "`kms` without `apiVersion: v2` (low: KMS v1 is deprecated since 1.28 and disabled by "
    "default since 1.29). A054 notes `aesgcm`.",
    why="Weak or unrotated encryption gives less protection than it appears to; a KMS v1 "
    "configuration stops the API server from starting once the KMSv1 feature gate is gone.",
    fix="Use KMS v2 (`apiVersion: v2`) with an external key manager, or `secretbox` when a local "
    "key is all you have.",
    example="""
providers:
  - kms:
      apiVersion: v2
      name: cloud-kms
      endpoint: unix:///var/run/kms/socket.sock
      timeout: 3s
""",
    category="cluster-config",
    cis="1.2.28",
    refs=(ENCRYPT_DOC, KMS_DOC),
)


# A051
@check(WEAK_PROVIDER, on=Target.OBJECT)
def encryption_weak_provider(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _encryption_config(obj):
        return
    for i, entry in enumerate(as_list(obj.get("resources"))):
        entry = as_dict(entry)
        providers = as_list(entry.get("providers"))
        if not providers:
            continue
        kind, settings = _provider(providers[0])
        what = ", ".join(_names(entry)) or "its resources"
        ptr = f"/resources/{i}/providers/0/{kind}"
        if kind == "aescbc":
            yield Violation("A051", ptr, f"{what} encrypted with aescbc (weak: CBC padding oracle)")
        elif kind == "kms" and settings.get("apiVersion") != "v2":
            yield Violation(
                "A051",
                ptr,
                f"{what} encrypted with KMS v1 (deprecated, disabled by default since "
                "Kubernetes 1.29): set apiVersion: v2",
            )


AESGCM = cluster_rule(
    "A054",
    "encryption-aesgcm-rotation",
    "aesgcm encryption needs automated key rotation",
    Severity.INFO,
    what="The provider that encrypts writes (the first of a `resources` entry) is `aesgcm`.",
    why="AES-GCM with random nonces is safe only for a bounded number of encryptions per key: "
    "the Kubernetes documentation asks for a new key at least every 200,000 writes, which "
    "in practice means automated rotation.",
    fix="Rotate the key automatically, or use KMS v2 (which derives a fresh key per write) or "
    "`secretbox`.",
    example="""
providers:
  - secretbox:
      keys:
        - name: key-2024-06
          secret: <output of: head -c 32 /dev/urandom | base64>
""",
    category="cluster-config",
    refs=(ENCRYPT_DOC,),
)


# A054
@check(AESGCM, on=Target.OBJECT)
def encryption_aesgcm_rotation(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _encryption_config(obj):
        return
    for i, entry in enumerate(as_list(obj.get("resources"))):
        entry = as_dict(entry)
        providers = as_list(entry.get("providers"))
        if providers and _provider(providers[0])[0] == "aesgcm":
            what = ", ".join(_names(entry)) or "its resources"
            yield Violation(
                "A054",
                f"/resources/{i}/providers/0/aesgcm",
                f"{what} encrypted with aesgcm: rotate its key automatically (at least every "
                "200,000 writes)",
            )


def _keys(obj: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(provider, pointer, secret) of every inline key."""
    for i, entry in enumerate(as_list(obj.get("resources"))):
        for j, p in enumerate(as_list(as_dict(entry).get("providers"))):
            kind, settings = _provider(p)
            if kind not in LOCAL_KEYS:
                continue
            for k, key in enumerate(as_list(settings.get("keys"))):
                secret = as_dict(key).get("secret")
                if isinstance(secret, str):
                    ptr = f"/resources/{i}/providers/{j}/{kind}/keys/{k}/secret"
                    yield kind, ptr, secret.strip()


LOCAL_KEY = cluster_rule(
    "A052",
    "encryption-keys-in-file",
    "Encryption keys stored in the configuration file",
    Severity.INFO,
    what="An EncryptionConfiguration holds its keys inline (`aescbc`, `aesgcm` or `secretbox` "
    "providers): the file itself is a secret.",
    why="The keys sit on every control-plane node next to the data they protect: encryption then "
    "guards against a stolen etcd backup, not against a compromised control-plane host. "
    "A copy of this file in Git, a backup or a ConfigMap decrypts everything.",
    fix="Keep the file readable by root only (mode 600), out of version control and out of "
    "backups stored with etcd's; prefer a KMS v2 provider, whose key never leaves the key "
    "manager.",
    example="""
providers:
  - kms:
      apiVersion: v2
      name: cloud-kms
      endpoint: unix:///var/run/kms/socket.sock
""",
    category="cluster-config",
    refs=(ENCRYPT_DOC, KMS_DOC),
)


# A052
@check(LOCAL_KEY, on=Target.OBJECT)
def encryption_keys_in_file(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _encryption_config(obj):
        return
    keys = list(_keys(obj))
    if keys:
        n = len(keys)
        yield Violation(
            "A052",
            keys[0][1],
            f"the file holds {n} encryption key{'s' if n > 1 else ''} in clear: protect it "
            "like the Secrets it encrypts (or use KMS v2)",
        )


EXAMPLE_KEY = cluster_rule(
    "A053",
    "encryption-example-key",
    "Encryption key copied from the documentation",
    Severity.HIGH,
    what="An inline encryption key is one of the example keys published in the Kubernetes "
    "documentation (`c2VjcmV0IGlzIHNlY3VyZQ==` and friends).",
    why="Everyone knows these keys: data encrypted with them is as good as plain text to anyone "
    "who gets an etcd backup.",
    fix="Generate a random 32-byte key (`head -c 32 /dev/urandom | base64`), put it first, "
    "rewrite all Secrets, then remove the example key.",
    example="""
aescbc:
  keys:
    - name: key-2024-06
      secret: <output of: head -c 32 /dev/urandom | base64>
""",
    category="cluster-config",
    refs=(ENCRYPT_DOC,),
)


# A053
@check(EXAMPLE_KEY, on=Target.OBJECT)
def encryption_example_key(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _encryption_config(obj):
        return
    for kind, ptr, secret in _keys(obj):
        if secret in EXAMPLE_KEYS:
            yield Violation(
                "A053", ptr, f"{kind} key {secret!r} is published in the Kubernetes docs"
            )
