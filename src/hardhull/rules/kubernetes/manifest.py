"""The manifest's own text: a key set twice in one mapping (K041)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule

FIELD_VALIDATION_DOC = (
    "https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation"
)

# K041
DUPLICATE_KEY = workload_rule(
    "K041",
    "duplicate-key",
    "Manifest sets the same key twice in one mapping",
    Severity.MEDIUM,
    what="A mapping of the manifest (YAML or JSON) has the same key twice, e.g. "
    "`privileged: false` and, a few lines below in the same securityContext, "
    "`privileged: true`. Reported at the second key, for any kind of object. A key that "
    "overrides what a merge key `<<` brought in is no duplicate, nor is a merge key given "
    "twice (kubectl's YAML reader merges both; in compose files it is an input error).",
    why="A reviewer reads the first value; the cluster gets the last one. `kubectl apply` "
    "converts YAML to JSON keeping the last value, so the API server never sees the "
    "duplicate and stores the last value (kubernetes/kubernetes#99286, #125885); strict "
    "field validation rejects duplicates only in a body that reaches it as written, and "
    "kustomize or YAML 1.2 readers refuse the file. One manifest then means different "
    "things to different tools, and a setting can hide behind its own harmless twin. "
    "hardhull judges the last value, the one the cluster would apply.",
    fix="Delete one of the two keys, keeping the value you intend.",
    example="""
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
""",
    category="kubernetes-manifest",
    refs=(
        FIELD_VALIDATION_DOC,
        "https://github.com/kubernetes/kubernetes/issues/99286",
        "https://github.com/kubernetes/kubernetes/issues/125885",
    ),
)


def _key(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


# K041
@check(DUPLICATE_KEY, on=Target.OBJECT, context=True)
def duplicate_key(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for pointer, first_line in ctx.duplicate_keys:
        where = f" (first on line {first_line})" if first_line else ""
        yield Violation(
            "K041",
            pointer,
            f"key '{_key(pointer)}' is set twice in one mapping{where}: "
            "this last value is the one applied",
        )
