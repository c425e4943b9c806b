"""S004: a credential in an annotation, or a Secret's values kept by ``kubectl apply`` in
``last-applied-configuration``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_dict
from hardhull.registry import Target, check
from hardhull.rules.secrets import GOOD_PRACTICES, SECRET_DOC, SECRETS
from hardhull.secrets.detect import detect_value

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
) -> Iterator[tuple[str, str, Severity, str]]:
    """(pointer, message, severity, value) of every annotation that holds a credential."""
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
                    value,
                )
                continue
        found = detect_value(value)
        if found is not None:
            yield (
                ptr,
                f"annotation {key} holds a {found.description} ({found.masked})",
                (found.severity),
                value,
            )


ANNOTATION_CREDENTIAL = SECRETS(
    "S004",
    "credential-in-annotation",
    "Credential in an annotation",
    Severity.HIGH,
    what="An annotation of any object (or of a workload's pod template) holds a credential "
    "recognised by format, or `kubectl.kubernetes.io/last-applied-configuration` holds a "
    "Secret's `data`/`stringData` (left there by `kubectl apply` of a Secret manifest).",
    why="Annotations are metadata: readable with the object by every role that can `get` or "
    "`list` it, copied by tools, shown by dashboards, and never encrypted at rest. A Secret "
    "applied with `kubectl apply` keeps a copy of its values in the last-applied annotation, "
    "readable even after the data is rotated through another path.",
    fix="Remove the credential from the annotation and rotate it; create Secrets with "
    "`kubectl create secret`, `kubectl apply --server-side`, or from a secret manager, so that "
    "no last-applied copy is kept.",
    example="""
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


# S004
@check(ANNOTATION_CREDENTIAL, on=Target.OBJECT)
def credential_in_annotation(obj: dict[str, Any]) -> Iterator[Violation]:
    meta = as_dict(obj.get("metadata"))
    places = [(as_dict(meta.get("annotations")), "/metadata/annotations")]
    w = Workload.of(obj)
    if w is not None and w.meta_pointer != "/metadata":
        places.append((w.annotations, f"{w.meta_pointer}/annotations"))
    for values, pointer in places:
        for ptr, message, severity, value in _annotation_hits(values, pointer):
            yield Violation(
                "S004",
                ptr,
                message + ": remove it and rotate it",
                severity=severity,
                secrets=(value,),
            )
