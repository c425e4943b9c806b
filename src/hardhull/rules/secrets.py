"""Secrets hygiene checks (codes S001–S099): credentials committed in Kubernetes manifests.

The detectors live in :mod:`hardhull.secrets`; these checks decide where to look (Secret data,
container env and arguments, ConfigMap data and the files embedded in it, annotations) and
report the value masked, never the secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily
from hardhull.secrets.detect import (
    SecretMatch,
    detect_value,
    is_placeholder,
    is_reference,
    iter_format_matches,
    mask,
)

SECRET_DOC = "https://kubernetes.io/docs/concepts/configuration/secret/"
GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
ESO = "https://external-secrets.io/"
SEALED = "https://github.com/bitnami-labs/sealed-secrets"
SOPS = "https://github.com/getsops/sops"
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, "


_rule = RuleFamily("secrets", refs=(SECRET_DOC, GOOD_PRACTICES), nsa_prefix=NSA)


def _worst(items: list[tuple[SecretMatch, str]]) -> tuple[SecretMatch, str]:
    return max(items, key=lambda it: it[0].severity)


# --------------------------------------------------------------------------- S001 Secret data

SECRET_MANIFEST = _rule(
    "S001",
    "secret-manifest-committed",
    "Secret manifest with its values committed",
    Severity.HIGH,
    "A `Secret` object carries its values in `data` or `stringData`. Secrets whose values are "
    "all empty are not reported; Secrets whose values are all placeholders or references "
    "(`changeme`, `${DB_PASSWORD}`, `<token>`) are reported at low severity, since the file "
    "invites someone to fill in and commit the real value.",
    "`data` is base64, not encryption: anyone who can read the repository, its forks, CI logs "
    "or the rendered manifests has the credential, and it stays in git history after it is "
    "removed. Rotating it becomes the only remedy.",
    "Keep the value out of git: create the Secret from a secret manager with the External "
    "Secrets Operator, commit an encrypted SealedSecret or a SOPS-encrypted file instead, or "
    "create the Secret out of band. Rotate any credential that was committed.",
    """
# instead of a Secret with data, commit an ExternalSecret
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: db
spec:
  secretStoreRef: {name: vault, kind: ClusterSecretStore}
  target: {name: db}
  data:
    - secretKey: password
      remoteRef: {key: prod/db, property: password}
""",
    nsa="Kubernetes Secrets: encrypt and keep them out of manifests",
    refs=(SECRET_DOC, GOOD_PRACTICES, ESO, SEALED, SOPS),
    reports_secrets=True,
)

#: Secret types whose values are credentials by definition
_CREDENTIAL_TYPES = {
    "kubernetes.io/tls": "TLS private key",
    "kubernetes.io/dockerconfigjson": "registry credentials",
    "kubernetes.io/dockercfg": "registry credentials",
    "kubernetes.io/basic-auth": "basic-auth credentials",
    "kubernetes.io/ssh-auth": "SSH private key",
    "kubernetes.io/service-account-token": "service account token",
    "bootstrap.kubernetes.io/token": "bootstrap token",
}


def _decoded(value: Any) -> str | None:
    """A ``data`` value decoded (None: not valid base64 or not text)."""
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _secret_values(obj: dict[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    """(pointer, key, plain value) of every Secret value; None for a binary value, "" for a
    value that is no string (a template artefact such as ``{{TOKEN}}``)."""
    for field in ("data", "stringData"):
        for key, value in as_dict(obj.get(field)).items():
            ptr = f"/{field}/{escape(str(key))}"
            if not isinstance(value, str):
                yield ptr, str(key), "{{}}" if value is not None else ""
            elif field == "data":
                plain = _decoded(value)
                yield ptr, str(key), (None if value.strip() else "") if plain is None else plain
            else:
                yield ptr, str(key), value


_NOT_SECRET_KEY = re.compile(
    r"(?:user|username|login|host|hostname|port|url|uri|endpoint|address|addr|server|name|"
    r"region|database|dbname|db|namespace|email|bucket|project|tenant|domain|schema|protocol|"
    r"crt|cert|certificate|pem\.pub|pub)$"
)


def _classify(key: str, plain: str | None) -> tuple[Severity | None, str]:
    """How secret one Secret value is: (severity or None, why); severity None with why
    "placeholder" for a placeholder, "" for no secret."""
    if plain is None:
        return Severity.HIGH, ""  # binary: a keystore, a key file
    text = plain.strip()
    if not text:
        return None, ""
    if "\n" in text:  # a configuration file: judged by what is in it
        hits = _file_hits(text)
        if not hits:
            return None, ""
        worst, where = _worst(hits)
        return worst.severity, f"{worst.description} at {where} of {key}"
    found = detect_value(text, key)
    if found is not None and found.severity >= Severity.HIGH:
        return Severity.HIGH, f"{found.description} in {key}"
    if is_placeholder(text) or is_reference(text) or text.lower() == key.lower():
        return None, "placeholder"
    if found is not None and found.severity <= Severity.LOW:
        return Severity.LOW, ""  # a well-known default password
    squeezed = re.sub(r"[^a-z0-9.]", "", key.lower())
    if found is None and _NOT_SECRET_KEY.search(squeezed):
        return None, ""
    return Severity.HIGH, ""


def _is_core_secret(obj: dict[str, Any]) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _keys(keys: list[str]) -> str:
    return ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "")


@check(SECRET_MANIFEST, on=Target.OBJECT)
def secret_manifest(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _is_core_secret(obj):
        return
    name = as_dict(obj.get("metadata")).get("name")
    label = f'Secret "{name}"' if name else "Secret"
    stype = str(obj.get("type") or "Opaque")
    secret: list[tuple[str, str, Severity, str]] = []
    placeholders: list[tuple[str, str]] = []
    for ptr, key, plain in _secret_values(obj):
        severity, why = _classify(key, plain)
        if severity is not None:
            secret.append((ptr, key, severity, why))
        elif why == "placeholder":
            placeholders.append((ptr, key))
    if secret:
        worst = max(s for _, _, s, _ in secret)
        ptr = next(p for p, _, s, _ in secret if s == worst)
        whys = [w for _, _, s, w in secret if w and s == worst]
        what = _CREDENTIAL_TYPES.get(stype)
        detail = f" ({what})" if what else f" ({whys[0]})" if whys else ""
        keys = [k for _, k, _, _ in secret]
        n = len(keys)
        plural = "value" if n == 1 else "values"
        default = " (well-known default passwords)" if worst <= Severity.LOW else ""
        yield Violation(
            "S001",
            ptr,
            f"{label} commits {n} secret {plural}{detail or default}: {_keys(keys)}; keep it out "
            "of git (External Secrets, Sealed Secrets, SOPS) and rotate it",
            severity=None if worst == Severity.HIGH else worst,
        )
    elif placeholders:
        yield Violation(
            "S001",
            placeholders[0][0],
            f"{label} holds only placeholder values ({_keys([k for _, k in placeholders])}): "
            "fill it from a secret manager rather than editing real values into this file",
            severity=Severity.LOW,
        )


# --------------------------------------------------------------------------- S002 env and args

ENV_CREDENTIAL = _rule(
    "S002",
    "credential-in-env",
    "Credential as a literal in a container's env or arguments",
    Severity.HIGH,
    "A container (of any type: init, ephemeral too) sets an environment variable with `value:` "
    "to a credential, or passes one on its command line (`--password=…`, a token in `args`). "
    "Found by format (private keys, provider tokens, JWTs, URLs with a password: high) or by a "
    "credential name with a real-looking literal (`DB_PASSWORD: S3cr3t!pass`: medium; a "
    "well-known default such as `postgres`: low). References (`$(VAR)`, `${VAR}`), paths, "
    "booleans, numbers and placeholders are not reported; `valueFrom` and `envFrom` are the fix.",
    "The value sits in plain text in the manifest, in git, in every rendered copy, in the "
    "object as stored by the API server (readable by anyone who can `get` the workload, where "
    "Secrets would need their own permission) and in `kubectl describe` output. Command-line "
    "arguments are also visible to every process on the node through `/proc/*/cmdline`.",
    "Put the value in a Secret (created from a secret manager) and reference it with "
    "`valueFrom.secretKeyRef` or `envFrom.secretRef`, or mount it as a file; pass files, not "
    "values, on the command line (`--password-file=/run/secrets/db`).",
    """
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
""",
    nsa="Kubernetes Secrets: do not place credentials in pod specs",
    kube_linter=("env-var-secret",),
    reports_secrets=True,
)

_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]*)(?:=(.*))?$", re.DOTALL)


def _arg_hits(args: list[Any]) -> Iterator[tuple[int, SecretMatch, str]]:
    """(index, match, flag or "") of credentials in a command/args list."""
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        m = _FLAG.match(arg)
        if m and m.group(2) is not None:
            found = detect_value(m.group(2), m.group(1))
            if found:
                yield i, found, m.group(1)
            continue
        if m and i + 1 < len(args) and isinstance(args[i + 1], str):
            nxt = args[i + 1]
            if not nxt.startswith("-"):
                found = detect_value(nxt, m.group(1))
                if found and found.kind.startswith("credential-name"):
                    yield i + 1, found, m.group(1)
                    continue
        found = detect_value(arg)  # formats anywhere, e.g. in a shell script argument
        if found:
            yield i, found, ""


@check(ENV_CREDENTIAL, on=Target.OBJECT)
def env_credential(obj: dict[str, Any]) -> Iterator[Violation]:
    w = Workload.of(obj)
    if w is None:
        return
    for c in w.containers:
        for i, env in enumerate(as_list(c.data.get("env"))):
            if not isinstance(env, dict) or "valueFrom" in env:
                continue
            name, value = env.get("name"), env.get("value")
            if not isinstance(value, str) or not isinstance(name, str):
                continue
            found = detect_value(value, name)
            if found is None:
                continue
            yield Violation(
                "S002",
                f"{c.pointer}/env/{i}/value",
                f"{c.label} sets {name} to a {found.description} ({found.masked}): "
                "use valueFrom.secretKeyRef",
                severity=found.severity,
            )
        for field in ("command", "args"):
            for i, found, flag in _arg_hits(as_list(c.data.get(field))):
                what = f"{flag} " if flag else ""
                yield Violation(
                    "S002",
                    f"{c.pointer}/{field}/{i}",
                    f"{c.label} passes {what}a {found.description} in {field} "
                    f"({found.masked}): read it from a mounted Secret file instead",
                    severity=found.severity,
                )


# --------------------------------------------------------------------------- S003 ConfigMaps

CONFIGMAP_CREDENTIAL = _rule(
    "S003",
    "credential-in-configmap",
    "Credential in a ConfigMap",
    Severity.HIGH,
    "A ConfigMap value is a credential, or a configuration file inside it (`.properties`, "
    "`.env`, YAML, JSON, INI) has a credential-named entry with a real-looking literal "
    "(`spring.datasource.password=…`) or a value recognised by format (private keys, tokens, "
    "URLs with a password). The severity is that of the worst value in the key.",
    "ConfigMaps are not meant for confidential data: they are readable by any role that can "
    "read configuration, mounted without restriction, never encrypted at rest, and printed by "
    "`kubectl get -o yaml` and most dashboards.",
    "Move the value to a Secret (from a secret manager) and mount or reference it; keep the "
    "rest of the file in the ConfigMap with a reference (`${DB_PASSWORD}`, a file path).",
    """
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/app
    spring.datasource.password=${DB_PASSWORD}
""",
    nsa="Kubernetes Secrets: do not place credentials in ConfigMaps",
    reports_secrets=True,
)

_PAIR = re.compile(
    r"""^\s*(?:export\s+|-\s+)?["']?(?P<k>[A-Za-z_][\w.\-]*)["']?\s*[:=]\s*(?P<v>.*?)\s*,?\s*$"""
)
_TRAILING_COMMENT = re.compile(r"\s+[#;]\s.*$")


def _unquote(value: str) -> str:
    value = _TRAILING_COMMENT.sub("", value).strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _file_hits(text: str) -> list[tuple[SecretMatch, str]]:
    """Credentials in an embedded configuration file: (match, "line N: key") pairs."""
    hits: list[tuple[SecretMatch, str]] = []
    for start, end, fmt in iter_format_matches(text):
        line = text.count("\n", 0, start) + 1
        hits.append(
            (
                SecretMatch(fmt.kind, Severity.HIGH, mask(text[start:end]), fmt.description),
                f"line {line}",
            )
        )
    if hits:
        return hits
    for n, raw in enumerate(text.splitlines(), 1):
        if len(raw) > 4096:
            continue
        m = _PAIR.match(raw)
        if not m:
            continue
        value = _unquote(m.group("v"))
        if not value or value[0] in "{[|>":
            continue
        found = detect_value(value, m.group("k"))
        if found is not None:
            hits.append((found, f"line {n}: {m.group('k')}"))
    return hits


def _configmap_hits(key: str, value: str) -> list[tuple[SecretMatch, str]]:
    if "\n" in value.strip():
        return _file_hits(value)
    found = detect_value(value, key)
    return [(found, key)] if found is not None else []


@check(CONFIGMAP_CREDENTIAL, on=Target.OBJECT)
def configmap_credential(obj: dict[str, Any]) -> Iterator[Violation]:
    if obj.get("kind") != "ConfigMap" or obj.get("apiVersion") != "v1":
        return
    for key, value in as_dict(obj.get("data")).items():
        if not isinstance(value, str):
            continue
        hits = _configmap_hits(str(key), value)
        if not hits:
            continue
        found, where = _worst(hits)
        more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
        at = f'ConfigMap key "{key}"' + ("" if where == key else f" {where}")
        yield Violation(
            "S003",
            f"/data/{escape(str(key))}",
            f"{at} holds a {found.description} ({found.masked}){more}: move it to a Secret",
            severity=found.severity,
        )


# --------------------------------------------------------------------------- S004 annotations

ANNOTATION_CREDENTIAL = _rule(
    "S004",
    "credential-in-annotation",
    "Credential in an annotation",
    Severity.HIGH,
    "An annotation of any object (or of a workload's pod template) holds a credential "
    "recognised by format, or `kubectl.kubernetes.io/last-applied-configuration` holds a "
    "Secret's `data`/`stringData` (left there by `kubectl apply` of a Secret manifest).",
    "Annotations are metadata: readable with the object by every role that can `get` or "
    "`list` it, copied by tools, shown by dashboards, and never encrypted at rest. A Secret "
    "applied with `kubectl apply` keeps a copy of its values in the last-applied annotation, "
    "readable even after the data is rotated through another path.",
    "Remove the credential from the annotation and rotate it; create Secrets with "
    "`kubectl create secret`, `kubectl apply --server-side`, or from a secret manager, so that "
    "no last-applied copy is kept.",
    """
kubectl create secret generic db --from-file=password=./password.txt \\
  --dry-run=client -o yaml | kubectl apply --server-side -f -
""",
    refs=(
        SECRET_DOC,
        GOOD_PRACTICES,
        "https://kubernetes.io/docs/reference/labels-annotations-taints/",
    ),
    reports_secrets=True,
)

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _last_applied_secret(value: str) -> str | None:
    """The keys of a Secret's values kept in a last-applied annotation (None: none)."""
    try:
        applied = json.loads(value)
    except ValueError:
        return None
    if not isinstance(applied, dict) or applied.get("kind") != "Secret":
        return None
    keys = [
        str(k)
        for field in ("data", "stringData")
        for k, v in as_dict(applied.get(field)).items()
        if isinstance(v, str) and v.strip()
    ]
    return ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "") if keys else None


def _annotation_hits(
    annotations: dict[str, Any], pointer: str
) -> Iterator[tuple[str, str, Severity]]:
    for key, value in annotations.items():
        if not isinstance(value, str):
            continue
        ptr = f"{pointer}/{escape(str(key))}"
        if key == LAST_APPLIED:
            keys = _last_applied_secret(value)
            if keys:
                yield (
                    ptr,
                    f"annotation {key} keeps a copy of the Secret's values ({keys})",
                    (Severity.HIGH),
                )
                continue
        found = detect_value(value)
        if found is not None:
            yield (
                ptr,
                f"annotation {key} holds a {found.description} ({found.masked})",
                (found.severity),
            )


@check(ANNOTATION_CREDENTIAL, on=Target.OBJECT)
def annotation_credential(obj: dict[str, Any]) -> Iterator[Violation]:
    meta = as_dict(obj.get("metadata"))
    places = [(as_dict(meta.get("annotations")), "/metadata/annotations")]
    w = Workload.of(obj)
    if w is not None and w.meta_pointer != "/metadata":
        places.append((w.annotations, f"{w.meta_pointer}/annotations"))
    for values, pointer in places:
        for ptr, message, severity in _annotation_hits(values, pointer):
            yield Violation("S004", ptr, message + ": remove it and rotate it", severity=severity)
