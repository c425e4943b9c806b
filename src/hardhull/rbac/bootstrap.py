"""What hardhull knows of the API server's bootstrap RBAC policy without the manifests.

The API server creates default roles and bindings at start (``bootstrappolicy``). Their rules
change between releases (``admin``, ``edit`` and ``view`` are aggregated and grow with every
CRD that labels a ClusterRole ``aggregate-to-*``), so shipping them as data would state as fact
what only a given cluster knows. hardhull ships two things instead:

- the names: a binding to ``cluster-admin``, ``admin``, ``edit``, ``view`` or a ``system:`` role
  that is not in the scanned set is a reference to a built-in role, not a dangling one;
- ``cluster-admin`` and its binding to ``system:masters``, whose rules have been the same in
  every release with RBAC (everything, everywhere), added on request (``build(bootstrap=True)``).
"""

from __future__ import annotations

from typing import Any

#: the user-facing default ClusterRoles; every ``system:`` name is reserved for the system
USER_FACING = frozenset({"cluster-admin", "admin", "edit", "view"})
SYSTEM_PREFIX = "system:"
#: namespaced bootstrap Roles (kube-system / kube-public), by (namespace, name)
BOOTSTRAP_ROLES = frozenset(
    {
        ("kube-system", "extension-apiserver-authentication-reader"),
        ("kube-public", "system:controller:bootstrap-signer"),
    }
)


def is_builtin(kind: str, name: str, namespace: str = "") -> bool:
    """Whether a roleRef names a role the API server creates itself."""
    if kind == "ClusterRole":
        return name in USER_FACING or name.startswith(SYSTEM_PREFIX)
    if kind == "Role":
        return name.startswith(SYSTEM_PREFIX) or (namespace, name) in BOOTSTRAP_ROLES
    return False


def cluster_admin_objects() -> list[dict[str, Any]]:
    """``cluster-admin`` and its ClusterRoleBinding to ``system:masters``, as manifests."""
    labels = {"kubernetes.io/bootstrapping": "rbac-defaults"}
    meta = {"name": "cluster-admin", "labels": labels}
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": dict(meta),
            "rules": [
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                {"nonResourceURLs": ["*"], "verbs": ["*"]},
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": dict(meta),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "cluster-admin",
            },
            "subjects": [
                {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "Group",
                    "name": "system:masters",
                }
            ],
        },
    ]
