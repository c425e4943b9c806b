"""The RBAC rules of ``hardhull/rules/rbac/wildcards.py`` (and the rows their cases also trip):
R001. Exact findings (code, line, column, severity, message), both ways.

Every case is a small manifest set scanned by the real engine (``scan`` over a real file), so
positions come from the real YAML loader and the set checks see what a user's scan sees.
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac_set import SA_OP, Row, cr, crb, findings, rb, role, sa

CASES: dict[str, tuple[str, list[Row]]] = {
    # R001: every resource of the core group, write verbs, bound cluster-wide → high
    "wildcard_resources": (
        sa("ops", "op")
        + cr("ops", '- apiGroups: [""]\n  resources: ["*"]\n  verbs: ["get", "patch"]\n')
        + crb("ops", "ops", SA_OP),
        [
            (
                "R001",
                12,
                15,
                "high",
                (
                    'wildcard grants get, patch on every resource of API group "" (core) '
                    "(secrets and pods/exec included) cluster-wide; held by "
                    "ServiceAccount/ops/op (cluster-wide, ClusterRoleBinding/ops)"
                ),
            ),
        ],
    ),
    # R001 negative: named verbs and resources only
    "no_wildcard": (
        sa("ops", "op")
        + cr("ops", '- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["get"]\n')
        + crb("ops", "ops", SA_OP),
        [],
    ),
    # R001: every verb on named resources, through a RoleBinding → low
    "wildcard_verbs_namespaced": (
        sa("ops", "op")
        + cr(
            "crd-owner", '- apiGroups: ["example.com"]\n  resources: ["widgets"]\n  verbs: ["*"]\n'
        )
        + rb("ops", "crd-owner", "crd-owner", SA_OP),
        [
            (
                "R001",
                13,
                11,
                "low",
                (
                    "wildcard grants every verb (delete and deletecollection included) on "
                    "widgets in namespace ops; held by ServiceAccount/ops/op (in namespace "
                    "ops, RoleBinding/ops/crd-owner)"
                ),
            ),
        ],
    ),
    # R001: the cluster-admin rule set, bound to nobody → medium (latent)
    "wildcard_latent": (
        cr("superuser", '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n'),
        [
            (
                "R001",
                8,
                11,
                "medium",
                (
                    "wildcard grants every verb on every resource in every API group "
                    "(cluster-admin) cluster-wide; not bound in the scanned set (latent: "
                    "whoever is bound to it later gets it)"
                ),
            ),
        ],
    ),
    # R001: read-only on every resource of a metrics group → low
    "wildcard_metrics": (
        sa("ops", "op")
        + cr(
            "metrics",
            '- apiGroups: ["custom.metrics.k8s.io"]\n  resources: ["*"]\n'
            '  verbs: ["get", "list"]\n',
        )
        + crb("metrics", "metrics", SA_OP),
        [
            (
                "R001",
                12,
                15,
                "low",
                (
                    "wildcard grants get, list on every resource of API group "
                    "custom.metrics.k8s.io cluster-wide; held by ServiceAccount/ops/op "
                    "(cluster-wide, ClusterRoleBinding/metrics)"
                ),
            ),
        ],
    ),
    # R001: a namespace's Role with every verb on everything, bound → medium, and R010 for
    # the binding (admin of the namespace: its secrets, pods/exec, its Roles and RoleBindings)
    "wildcard_namespace_admin": (
        sa("ops", "op")
        + role("ops", "ns-admin", '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n')
        + rb("ops", "ns-admin", "ns-admin", SA_OP, kind="Role"),
        [
            (
                "R001",
                13,
                11,
                "medium",
                (
                    "wildcard grants every verb on every resource in every API group "
                    "(cluster-admin) in namespace ops; held by ServiceAccount/ops/op (in "
                    "namespace ops, RoleBinding/ops/ns-admin)"
                ),
            ),
            (
                "R010",
                19,
                12,
                "high",
                "binds Role/ops/ns-admin (every verb on every resource) in namespace ops to "
                "ServiceAccount/ops/op",
            ),
        ],
    ),
    # R001 latent: the same Role bound to nobody
    "wildcard_namespace_latent": (
        role("ops", "ns-admin", '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n'),
        [
            (
                "R001",
                8,
                11,
                "low",
                (
                    "wildcard grants every verb on every resource in every API group "
                    "(cluster-admin) in its namespace; not bound in the scanned set (latent: "
                    "whoever is bound to it later gets it)"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rbac_rules_exact(case: str) -> None:
    text, expected = CASES[case]
    assert findings(text) == expected
