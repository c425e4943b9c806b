"""Namespace rules (A070, A071): does a namespace enforce a Pod Security Standard through
Pod Security Admission's labels, and not the privileged one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import as_dict
from hardhull.pss.namespaces import ENFORCE
from hardhull.registry import Target, check
from hardhull.rules.cluster import PSA_DOC, cluster_rule

#: namespaces that Kubernetes itself creates and that run node-level system pods
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
_WARN = "pod-security.kubernetes.io/warn"
_AUDIT = "pod-security.kubernetes.io/audit"


def _namespace(obj: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The name and labels of a v1 Namespace object (None: not one, unnamed, or one of the
    Kubernetes system namespaces, which the rules do not report)."""
    if obj.get("kind") != "Namespace" or obj.get("apiVersion") != "v1":
        return None
    meta = as_dict(obj.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name or name in SYSTEM_NAMESPACES:
        return None
    return name, as_dict(meta.get("labels"))


NS_NO_PSA = cluster_rule(
    "A070",
    "namespace-without-pod-security",
    "Namespace does not enforce a Pod Security Standard",
    Severity.MEDIUM,
    what="A Namespace has no `pod-security.kubernetes.io/enforce` label. The Kubernetes system "
    "namespaces (kube-system, kube-public, kube-node-lease) are not reported.",
    why="Pod Security Admission then applies the cluster's default level, which is `privileged` "
    "unless the API server's AdmissionConfiguration says otherwise: any pod, including "
    "privileged pods with host mounts, is admitted into the namespace. `warn` and `audit` "
    "labels only report violations; they do not stop them.",
    fix="Label the namespace with the strictest level its workloads pass (`restricted`, else "
    "`baseline`) and pin the version you tested against. `hardhull pss DIR` tells which level "
    "the namespace's workloads pass.",
    example="""
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
""",
    category="cluster-config",
    cis="5.2.1",
    nsa="Pod security: Pod Security Admission",
    refs=(
        PSA_DOC,
        "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
    ),
)


# A070
@check(NS_NO_PSA, on=Target.OBJECT)
def namespace_without_pod_security(obj: dict[str, Any]) -> Iterator[Violation]:
    ns = _namespace(obj)
    if ns is None:
        return
    name, labels = ns
    if ENFORCE in labels:
        return
    soft = [k.rsplit("/", 1)[-1] for k in (_WARN, _AUDIT) if k in labels]
    extra = f" ({' and '.join(soft)} only report violations)" if soft else ""
    where = "/metadata/labels" if "labels" in as_dict(obj.get("metadata")) else "/metadata"
    yield Violation(
        "A070",
        where,
        f"namespace {name!r} has no pod-security.kubernetes.io/enforce label: the cluster "
        f"default (privileged unless configured) admits any pod{extra}",
    )


NS_PRIVILEGED = cluster_rule(
    "A071",
    "namespace-privileged-pod-security",
    "Namespace enforces the privileged Pod Security Standard",
    Severity.MEDIUM,
    what="A Namespace other than the Kubernetes system namespaces sets "
    "`pod-security.kubernetes.io/enforce: privileged`.",
    why="The privileged level allows everything: host namespaces, host paths, privileged "
    "containers. Any workload in the namespace (or anyone who can create pods there) can take "
    "over the node. The label is an explicit opt-out of Pod Security Admission.",
    fix="Use `baseline` or `restricted`. Keep `privileged` only for a dedicated namespace of "
    "node agents (CNI, CSI, log collectors) that need host access, restrict who can create "
    "pods there, and suppress this finding on that namespace with a reason.",
    example="""
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
""",
    category="cluster-config",
    cis="5.2.1",
    nsa="Pod security: Pod Security Admission",
    refs=(PSA_DOC, "https://kubernetes.io/docs/concepts/security/pod-security-standards/"),
)


# A071
@check(NS_PRIVILEGED, on=Target.OBJECT)
def namespace_privileged_pod_security(obj: dict[str, Any]) -> Iterator[Violation]:
    ns = _namespace(obj)
    if ns is None:
        return
    name, labels = ns
    level = labels.get(ENFORCE)
    if level != "privileged":  # PSA accepts only the exact lower-case level names
        return
    yield Violation(
        "A071",
        f"/metadata/labels/{escape(ENFORCE)}",
        f"namespace {name!r} enforces the privileged Pod Security Standard: any pod, "
        "including privileged pods with host access, is admitted",
    )
