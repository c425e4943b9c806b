"""The RBAC rules of ``hardhull/rules/rbac/escalation.py`` (and the rows their cases also trip):
R002, R004, R005, R008. Exact findings (code, line, column, severity, message), both ways.

Every case is a small manifest set scanned by the real engine (``scan`` over a real file), so
positions come from the real YAML loader and the set checks see what a user's scan sees.
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac_set import SA_OP, Row, cr, crb, findings, rb, role, sa

CASES: dict[str, tuple[str, list[Row]]] = {
    # R004: a deployer may create deployments in shop, where a secrets reader lives → high
    "create_pods_privileged_sa": (
        sa("shop", "deployer")
        + sa("shop", "backup")
        + role(
            "shop",
            "deploy",
            '- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["get", "create"]\n',
        )
        + rb("shop", "deploy", "deploy", "[{kind: ServiceAccount, name: deployer}]", kind="Role")
        + cr("secret-reader", '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n')
        + rb("shop", "backup", "secret-reader", "[{kind: ServiceAccount, name: backup}]"),
        [
            (
                "R004",
                18,
                18,
                "high",
                (
                    "grants create on deployments.apps in namespace shop, where privileged "
                    "service accounts live: ServiceAccount/shop/backup (reads secrets in "
                    "namespace shop) (a pod created there can run as any of them and use "
                    "its token); held by ServiceAccount/shop/deployer (in namespace shop, "
                    "RoleBinding/shop/deploy)"
                ),
            ),
            (
                "R002",
                32,
                11,
                "low",
                (
                    "grants list on secrets in namespace shop (list and watch return every "
                    "secret's full contents, not only names); held by "
                    "ServiceAccount/shop/backup (in namespace shop, "
                    "RoleBinding/shop/backup)"
                ),
            ),
        ],
    ),
    # R004 negative: the same deployer in a namespace without privileged accounts
    "create_pods_harmless_ns": (
        sa("web", "deployer")
        + sa("web", "app")
        + role(
            "web",
            "deploy",
            '- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["create"]\n',
        )
        + rb("web", "deploy", "deploy", "[{kind: ServiceAccount, name: deployer}]", kind="Role"),
        [],
    ),
    # R004: creating pods cluster-wide is always an escalation (kube-system)
    "create_pods_cluster": (
        cr("runner", '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["create"]\n')
        + crb("runner", "runner", "[{kind: User, name: ci}]"),
        [
            (
                "R004",
                8,
                11,
                "high",
                (
                    "grants create on pods cluster-wide: a pod created in any namespace can"
                    " run as any service account there and use its token, kube-system's "
                    "controllers (near cluster-admin) included; held by User/ci "
                    "(cluster-wide, ClusterRoleBinding/runner)"
                ),
            ),
        ],
    ),
    # R005: impersonating groups cluster-wide → critical; bind on named roles → medium
    "escalation": (
        cr(
            "impersonator",
            '- apiGroups: [""]\n  resources: ["users", "groups"]\n  verbs: ["impersonate"]\n',
        )
        + crb("impersonator", "impersonator", "[{kind: User, name: alice}]")
        + cr(
            "binder",
            '- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["clusterroles"]\n'
            '  resourceNames: ["view"]\n  verbs: ["bind"]\n'
            '- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["rolebindings"]\n'
            '  verbs: ["create"]\n',
        )
        + crb("binder", "binder", "[{kind: User, name: bob}]"),
        [
            (
                "R005",
                8,
                11,
                "critical",
                (
                    "grants impersonate on users, groups (act as other identities, "
                    "system:masters included) cluster-wide; held by User/alice "
                    "(cluster-wide, ClusterRoleBinding/impersonator)"
                ),
            ),
            (
                "R005",
                23,
                11,
                "medium",
                (
                    "grants bind on clusterroles (bind roles it does not hold, "
                    "cluster-admin included) cluster-wide; held by User/bob (cluster-wide, "
                    "ClusterRoleBinding/binder)"
                ),
            ),
        ],
    ),
    # R008: approval and any signer in one role → high on both lines
    "csr_any_signer": (
        sa("ops", "op")
        + cr(
            "approver",
            '- apiGroups: ["certificates.k8s.io"]\n'
            '  resources: ["certificatesigningrequests/approval"]\n  verbs: ["update"]\n'
            '- apiGroups: ["certificates.k8s.io"]\n  resources: ["signers"]\n'
            '  verbs: ["approve"]\n',
        )
        + crb("approver", "approver", SA_OP),
        [
            (
                "R008",
                13,
                11,
                "high",
                (
                    "grants update on certificatesigningrequests/approval cluster-wide "
                    "(with signer approval in the same role: can issue API client "
                    "certificates for any user or group, system:masters included); held by "
                    "ServiceAccount/ops/op (cluster-wide, ClusterRoleBinding/approver)"
                ),
            ),
            (
                "R008",
                16,
                11,
                "high",
                (
                    "grants approve on signers (any signer) cluster-wide (with signer "
                    "approval in the same role: can issue API client certificates for any "
                    "user or group, system:masters included); held by ServiceAccount/ops/op"
                    " (cluster-wide, ClusterRoleBinding/approver)"
                ),
            ),
        ],
    ),
    # R008: a custom signer only → medium; reading CSRs → nothing
    "csr_own_signer": (
        sa("ops", "op")
        + cr(
            "approver",
            '- apiGroups: ["certificates.k8s.io"]\n'
            '  resources: ["certificatesigningrequests"]\n  verbs: ["get", "list"]\n'
            '- apiGroups: ["certificates.k8s.io"]\n'
            '  resources: ["certificatesigningrequests/approval"]\n  verbs: ["update"]\n'
            '- apiGroups: ["certificates.k8s.io"]\n  resources: ["signers"]\n'
            '  resourceNames: ["example.com/serving"]\n  verbs: ["approve"]\n',
        )
        + crb("approver", "approver", SA_OP),
        [
            (
                "R008",
                16,
                11,
                "medium",
                (
                    "grants update on certificatesigningrequests/approval cluster-wide "
                    "(with approval limited to signers other than the API server client "
                    "ones); held by ServiceAccount/ops/op (cluster-wide, "
                    "ClusterRoleBinding/approver)"
                ),
            ),
            (
                "R008",
                20,
                11,
                "medium",
                (
                    "grants approve on signers (example.com/serving) cluster-wide (with "
                    "approval limited to signers other than the API server client ones); "
                    "held by ServiceAccount/ops/op (cluster-wide, "
                    "ClusterRoleBinding/approver)"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rbac_rules_exact(case: str) -> None:
    text, expected = CASES[case]
    assert findings(text) == expected
