"""Pod settings: the service account token mount (K030) and the default namespace (K031).

:func:`service_accounts_without_token` and :func:`token_decided_by_service_account` let K030
leave pods alone whose ServiceAccount, in the same scan, turns the mount off; the engine's
pre-pass (:mod:`hardhull.engine.prepass`) calls the first one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hardhull.context import ObjectContext
from hardhull.fixes import set_field
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_dict, object_name, object_namespace
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule

AUTOMOUNT = workload_rule(
    "K030",
    "service-account-token-mounted",
    "Service account token mounted automatically",
    Severity.LOW,
    what="The pod does not set `automountServiceAccountToken: false`.",
    why="Every process in the pod can read a token for the Kubernetes API; an attacker who gets "
    "code execution inherits the service account's permissions.",
    fix="Set `automountServiceAccountToken: false` on the pod (or its ServiceAccount) unless the "
    "application calls the Kubernetes API; if it does, give it a dedicated service account.",
    example="""
spec:
  automountServiceAccountToken: false
""",
    cis="CIS Kubernetes Benchmark v1.9 5.1.6",
    nsa="Pod security: protecting pod service account tokens",
    checkov=("CKV_K8S_38",),
    trivy=("KSV036",),
)


# K030
@check(AUTOMOUNT, on=Target.WORKLOAD, context=True)
def service_account_token_mounted(w: Workload, ctx: ObjectContext) -> Iterator[Violation]:
    if w.spec.get("automountServiceAccountToken") is False:
        return
    if token_decided_by_service_account(w.obj, ctx.facts.tokenless_service_accounts):
        return  # its ServiceAccount, in the scanned set, turns the mount off
    ptr = f"{w.spec_pointer}/automountServiceAccountToken"
    where = ptr if "automountServiceAccountToken" in w.spec else w.spec_pointer
    yield Violation(
        "K030",
        where,
        "pod mounts its service account token (set automountServiceAccountToken: false)",
        set_field(w.obj, ptr, False) or None,
    )


def service_accounts_without_token(
    objects: Sequence[Mapping[str, Any]],
) -> frozenset[tuple[str, str]]:
    """(namespace, name) of every ServiceAccount of a scanned set that sets
    ``automountServiceAccountToken: false``.

    The kubelet mounts the token unless the pod says otherwise, and when the pod is silent the
    ServiceAccount decides: such a pod gets no token. A scan learns these before the checks
    run (:attr:`~hardhull.context.ScanFacts.tokenless_service_accounts`), and K030 does not
    report pods whose ServiceAccount, in the same scan, already turns the mount off.
    """
    out: set[tuple[str, str]] = set()
    for obj in objects:
        if obj.get("kind") != "ServiceAccount" or obj.get("apiVersion") != "v1":
            continue
        if obj.get("automountServiceAccountToken") is not False:
            continue
        name = object_name(obj)
        if name:
            out.add((object_namespace(obj), name))
    return frozenset(out)


def token_decided_by_service_account(
    obj: Mapping[str, Any], sas: frozenset[tuple[str, str]]
) -> bool:
    """True when ``obj`` is a workload whose pod leaves ``automountServiceAccountToken`` unset
    and runs as a ServiceAccount of ``sas`` (same namespace as written in the manifests; an
    unset ``serviceAccountName`` is ``default``): its pods get no token, K030 does not apply.

    A pod-level ``automountServiceAccountToken: true`` overrides the ServiceAccount (the token
    is mounted), so that pod is not covered.
    """
    if not sas:
        return False
    w = Workload.of(obj)
    if w is None or w.spec.get("automountServiceAccountToken") is not None:
        return False
    sa = w.spec.get("serviceAccountName") or w.spec.get("serviceAccount") or "default"
    return isinstance(sa, str) and (object_namespace(obj), sa) in sas


DEFAULT_NS = workload_rule(
    "K031",
    "default-namespace",
    "Workload in the default namespace",
    Severity.LOW,
    what="The object sets `metadata.namespace: default`.",
    why="The default namespace usually has no policies, quotas or RBAC boundaries of its own; "
    "workloads there share them with everything deployed carelessly.",
    fix="Deploy into a dedicated namespace with its own NetworkPolicies, quotas and Pod Security "
    "labels.",
    example="""
metadata:
  namespace: shop
""",
    cis="CIS Kubernetes Benchmark v1.9 5.7.4",
    nsa="Network separation: namespaces",
)


# K031
@check(DEFAULT_NS, on=Target.WORKLOAD)
def default_namespace(w: Workload) -> Iterator[Violation]:
    if as_dict(w.obj.get("metadata")).get("namespace") == "default":
        yield Violation("K031", "/metadata/namespace", f"{w.kind} is in the default namespace")
