"""kube-apiserver admission plugin flags (A005–A008): plugins that must be enabled
(NodeRestriction, AlwaysPullImages), must not be (AlwaysAdmit) or must not be disabled
(ServiceAccount, NamespaceLifecycle)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.cluster import APISERVER_DOC, cluster_rule
from hardhull.rules.cluster.flags import APISERVER, AdmissionPlugin, component_flags, flag_rule

ADMISSION_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/"

ALWAYS_ADMIT = cluster_rule(
    "A005",
    "apiserver-always-admit",
    "AlwaysAdmit admission plugin enabled",
    Severity.HIGH,
    what="kube-apiserver's `--enable-admission-plugins` contains `AlwaysAdmit`.",
    why="AlwaysAdmit admits every request whatever the other admission plugins decide, which "
    "defeats admission control (Pod Security Admission, NodeRestriction, quotas). It is "
    "deprecated.",
    fix="Remove `AlwaysAdmit` from `--enable-admission-plugins`.",
    example="""
    - --enable-admission-plugins=NodeRestriction
""",
    cis="1.2.10",
    refs=(APISERVER_DOC, ADMISSION_DOC),
)

# A005
flag_rule(ALWAYS_ADMIT, APISERVER, AdmissionPlugin("AlwaysAdmit", enabled=False))


NODE_RESTRICTION = cluster_rule(
    "A006",
    "apiserver-node-restriction",
    "NodeRestriction admission plugin not enabled",
    Severity.MEDIUM,
    what="kube-apiserver's `--enable-admission-plugins` does not contain `NodeRestriction` (it is "
    "not in the default set).",
    why="NodeRestriction limits what a kubelet may modify to its own Node and the pods bound to "
    "it. Without it, stolen kubelet credentials can relabel other nodes (to attract "
    "workloads) and modify any pod's status.",
    fix="Add `NodeRestriction` to `--enable-admission-plugins` (together with "
    "`--authorization-mode=Node,RBAC`).",
    example="""
    - --enable-admission-plugins=NodeRestriction
""",
    cis="1.2.14",
    refs=(APISERVER_DOC, ADMISSION_DOC),
)

# A006
flag_rule(NODE_RESTRICTION, APISERVER, AdmissionPlugin("NodeRestriction", enabled=True))


ALWAYS_PULL = cluster_rule(
    "A007",
    "apiserver-always-pull-images",
    "AlwaysPullImages admission plugin not enabled",
    Severity.LOW,
    what="kube-apiserver's `--enable-admission-plugins` does not contain `AlwaysPullImages`.",
    why="Without it, a pod can run any image already cached on its node, including private "
    "images pulled with someone else's pull secret, simply by naming it with "
    "`imagePullPolicy: IfNotPresent`. In multi-tenant clusters this leaks private images "
    "across tenants.",
    fix="Add `AlwaysPullImages` to `--enable-admission-plugins` (every pod start then contacts "
    "the registry: plan for registry availability), or on Kubernetes 1.33+ use the kubelet's "
    "image pull credential verification.",
    example="""
    - --enable-admission-plugins=NodeRestriction,AlwaysPullImages
""",
    cis="1.2.11",
    refs=(APISERVER_DOC, ADMISSION_DOC),
)

# A007
flag_rule(ALWAYS_PULL, APISERVER, AdmissionPlugin("AlwaysPullImages", enabled=True))


ADMISSION_DISABLED = cluster_rule(
    "A008",
    "apiserver-essential-admission-disabled",
    "Essential admission plugin disabled",
    Severity.MEDIUM,
    what="kube-apiserver's `--disable-admission-plugins` contains `ServiceAccount` or "
    "`NamespaceLifecycle` (both are on by default).",
    why="Without ServiceAccount, pods can name service accounts that do not exist and token "
    "mounting is not managed; without NamespaceLifecycle, objects can be created in "
    "namespaces being deleted or that do not exist, escaping cleanup and policy.",
    fix="Remove them from `--disable-admission-plugins`.",
    example="""
# kube-apiserver: remove ServiceAccount and NamespaceLifecycle from
    - --disable-admission-plugins=
""",
    cis="1.2.12, 1.2.13",
    refs=(APISERVER_DOC, ADMISSION_DOC),
)


# A008
@check(ADMISSION_DISABLED, on=Target.OBJECT, context=True)
def apiserver_essential_admission_disabled(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        seen: dict[str, str] = {}
        for name, flag in f.values("disable-admission-plugins"):
            if name in ("ServiceAccount", "NamespaceLifecycle"):
                seen.setdefault(flag.pointer, "")
                seen[flag.pointer] += ("," if seen[flag.pointer] else "") + name
        for ptr, names in seen.items():
            yield Violation(
                "A008",
                ptr,
                f"{f.label()} disables the {names.replace(',', ' and ')} "
                "admission plugin" + ("s" if "," in names else ""),
            )
