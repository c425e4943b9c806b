"""S001: a Secret manifest that commits its values (``data``/``stringData``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import as_dict
from hardhull.registry import Target, check
from hardhull.rules.secrets import ESO, GOOD_PRACTICES, SEALED, SECRET_DOC, SECRETS, SOPS
from hardhull.rules.secrets.embedded import file_hits, worst_hit
from hardhull.secrets.detect import detect_value
from hardhull.secrets.encoding import b64_text
from hardhull.secrets.values import is_placeholder, is_reference

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


def _secret_values(obj: dict[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    """(pointer, key, plain value) of every Secret value; None for a binary value, "" for a
    value that is no string (a template artefact such as ``{{TOKEN}}``)."""
    for field in ("data", "stringData"):
        for key, value in as_dict(obj.get(field)).items():
            ptr = f"/{field}/{escape(str(key))}"
            if not isinstance(value, str):
                yield ptr, str(key), "{{}}" if value is not None else ""
            elif field == "data":
                plain = b64_text(value, strict=True)
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
        hits = file_hits(text)
        if not hits:
            return None, ""
        worst, where = worst_hit(hits)
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


def _raw_values(obj: dict[str, Any]) -> tuple[str, ...]:
    """Every value of the Secret as the manifest holds it (base64 text for ``data``)."""
    return tuple(
        v
        for field in ("data", "stringData")
        for v in as_dict(obj.get(field)).values()
        if isinstance(v, str) and v.strip()
    )


def _is_core_secret(obj: dict[str, Any]) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _keys(keys: list[str]) -> str:
    return ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "")


SECRET_MANIFEST = SECRETS(
    "S001",
    "secret-manifest-committed",
    "Secret manifest with its values committed",
    Severity.HIGH,
    what="A `Secret` object carries its values in `data` or `stringData`. Secrets whose values are "
    "all empty are not reported; Secrets whose values are all placeholders or references "
    "(`changeme`, `${DB_PASSWORD}`, `<token>`) are reported at low severity, since the file "
    "invites someone to fill in and commit the real value.",
    why="`data` is base64, not encryption: anyone who can read the repository, its forks, CI logs "
    "or the rendered manifests has the credential, and it stays in git history after it is "
    "removed. Rotating it becomes the only remedy.",
    fix="Keep the value out of git: create the Secret from a secret manager with the External "
    "Secrets Operator, commit an encrypted SealedSecret or a SOPS-encrypted file instead, or "
    "create the Secret out of band. Rotate any credential that was committed.",
    example="""
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


# S001
@check(SECRET_MANIFEST, on=Target.OBJECT)
def secret_manifest_committed(obj: dict[str, Any]) -> Iterator[Violation]:
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
            secrets=_raw_values(obj),
        )
    elif placeholders:
        yield Violation(
            "S001",
            placeholders[0][0],
            f"{label} holds only placeholder values ({_keys([k for _, k in placeholders])}): "
            "fill it from a secret manager rather than editing real values into this file",
            severity=Severity.LOW,
        )
