"""S003: a credential in a ConfigMap value, or in a configuration file embedded in one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import as_dict
from hardhull.registry import Target, check
from hardhull.rules.secrets import SECRETS
from hardhull.rules.secrets.embedded import file_hits, worst_hit
from hardhull.secrets.detect import detect_value
from hardhull.secrets.match import SecretMatch


def _configmap_hits(key: str, value: str) -> list[tuple[SecretMatch, str]]:
    if "\n" in value.strip():
        return file_hits(value)
    found = detect_value(value, key)
    return [(found, key)] if found is not None else []


CONFIGMAP_CREDENTIAL = SECRETS(
    "S003",
    "credential-in-configmap",
    "Credential in a ConfigMap",
    Severity.HIGH,
    what="A ConfigMap value is a credential, or a configuration file inside it (`.properties`, "
    "`.env`, YAML, JSON, INI) has a credential-named entry with a real-looking literal "
    "(`spring.datasource.password=…`) or a value recognised by format (private keys, tokens, "
    "URLs with a password). The severity is that of the worst value in the key.",
    why="ConfigMaps are not meant for confidential data: they are readable by any role that can "
    "read configuration, mounted without restriction, never encrypted at rest, and printed by "
    "`kubectl get -o yaml` and most dashboards.",
    fix="Move the value to a Secret (from a secret manager) and mount or reference it; keep the "
    "rest of the file in the ConfigMap with a reference (`${DB_PASSWORD}`, a file path).",
    example="""
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
    trivy=("AVD-KSV-0109",),
)


# S003
@check(CONFIGMAP_CREDENTIAL, on=Target.OBJECT)
def credential_in_configmap(obj: dict[str, Any]) -> Iterator[Violation]:
    if obj.get("kind") != "ConfigMap" or obj.get("apiVersion") != "v1":
        return
    for key, value in as_dict(obj.get("data")).items():
        if not isinstance(value, str):
            continue
        hits = _configmap_hits(str(key), value)
        if not hits:
            continue
        found, where = worst_hit(hits)
        more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
        at = f'ConfigMap key "{key}"' + ("" if where == key else f" {where}")
        yield Violation(
            "S003",
            f"/data/{escape(str(key))}",
            f"{at} holds a {found.description} ({found.masked}){more}: move it to a Secret",
            severity=found.severity,
            secrets=(value,),
        )
