"""K100: would Pod Security Admission reject this workload in its namespace?

Evaluated against the ``pod-security.kubernetes.io/enforce`` level and version of the
object's Namespace when the scanned set contains it, else against ``--pss-level`` /
``--pss-version`` (default restricted, latest); a label laxer than that level does not lower
it when the scan gates on an admission policy (``ScanFacts.pss_floor``). The per-control
detail is in the ``hardhull pss`` command and in the K rules; this finding predicts the
deploy-time outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Rule, Severity, Violation
from hardhull.models.workload import Workload, object_namespace
from hardhull.pss.evaluate import evaluate_pss
from hardhull.pss.levels import LEVELS, LevelVersion
from hardhull.registry import Target, check, register

PSS_REJECTS = register(
    Rule(
        code="K100",
        slug="pod-security-admission",
        title="Fails the namespace's Pod Security Standard",
        severity=Severity.HIGH,
        category="pod-security-standards",
        what="The workload fails the Pod Security Standard level and version that its "
        "namespace enforces (label `pod-security.kubernetes.io/enforce` on a Namespace in the "
        "scanned set; high), or the default level of the scan (`--pss-level`, default "
        "restricted; medium) when the scanned set does not say. When the scan gates on an "
        "admission policy (its default), a label laxer than the policy's level does not lower "
        "it: the webhook enforces its level in every namespace.",
        why="Pod Security Admission rejects such pods at deploy time: a Deployment is "
        "accepted but its pods are never created. Catching it in CI saves a failed rollout; "
        "and each failing control is a hardening gap of its own.",
        fix="Fix the controls listed in the message (`hardhull pss FILE` explains each one "
        "with upstream's words), or run the workload in a namespace whose level allows it.",
        example="""
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest""".strip("\n"),
        references=(
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        ),
        pss="baseline and restricted: every control",
        cis="CIS Kubernetes Benchmark v1.9 5.2.1",
    )
)


def pss_violation(
    obj: dict[str, Any], lv: LevelVersion, namespace: str, origin: str = ""
) -> Violation | None:
    """K100 at ``lv``: the level ``namespace`` enforces, else (``namespace`` empty) the
    default level of the scan or policy, set by ``origin`` ("" when it is the built-in one)."""
    if lv.level == "privileged":
        return None
    failures = evaluate_pss(obj, lv)
    if not failures:
        return None
    controls = ", ".join(dict.fromkeys(f"{f.reason}" for f in failures))
    if namespace:
        why = f"namespace {namespace!r} enforces {lv}: pods will be rejected"
        sev = None
    else:
        why = f"the level set by {origin}" if origin else "the default level"
        sev = Severity.MEDIUM
    pointer = next((p for f in failures for p in f.pointers), "")
    return Violation("K100", pointer, f"fails Pod Security {lv} ({why}): {controls}", None, sev)


def _laxer(a: LevelVersion, b: LevelVersion) -> bool:
    return LEVELS.index(a.level) < LEVELS.index(b.level)


# K100
@check(PSS_REJECTS, on=Target.WORKLOAD, context=True)
def pod_security_admission(w: Workload, ctx: ObjectContext) -> Iterator[Violation]:
    """K100: judged at the level of the object's Namespace when the scanned set holds it,
    else at the default level (``--pss-level``, or the webhook's policy)."""
    ns = object_namespace(ctx.obj)
    lv = ctx.facts.namespace_levels.get(ns)
    if lv is not None and ctx.facts.pss_floor and _laxer(lv, ctx.facts.pss_default):
        lv = None  # the webhook's level holds in this namespace too
    v = pss_violation(ctx.obj, lv or ctx.facts.pss_default, ns if lv else "", ctx.facts.pss_origin)
    if v is not None:
        yield v
