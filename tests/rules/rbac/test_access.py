"""The RBAC rules of ``hardhull/rules/rbac/access.py`` (and the rows their cases also trip):
R002, R003, R006, R007, R009. Exact findings (code, line, column, severity, message), both ways.

Every case is a small manifest set scanned by the real engine (``scan`` over a real file), so
positions come from the real YAML loader and the set checks see what a user's scan sees.
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac_set import SA_OP, Row, cr, crb, findings, rb, role, sa

CASES: dict[str, tuple[str, list[Row]]] = {
    # R002: list/watch cluster-wide → medium; get in a namespace → low
    "secrets": (
        sa("ops", "op")
        + cr(
            "reader",
            '- apiGroups: [""]\n  resources: ["secrets", "configmaps"]\n'
            '  verbs: ["get", "watch", "list"]\n',
        )
        + crb("reader", "reader", SA_OP)
        + role("ops", "getter", '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["get"]\n')
        + rb("ops", "getter", "getter", SA_OP, kind="Role"),
        [
            (
                "R002",
                13,
                27,
                "medium",
                (
                    "grants list, watch, get on secrets cluster-wide (list and watch return"
                    " every secret's full contents, not only names); held by "
                    "ServiceAccount/ops/op (cluster-wide, ClusterRoleBinding/reader)"
                ),
            ),
            (
                "R002",
                27,
                11,
                "low",
                (
                    "grants get on secrets in namespace ops; held by ServiceAccount/ops/op "
                    "(in namespace ops, RoleBinding/ops/getter)"
                ),
            ),
        ],
    ),
    # R002 negative: named secrets; held by a control-plane component only → low
    "secrets_named_and_component": (
        sa("ops", "op")
        + role(
            "ops",
            "tls",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  resourceNames: ["tls"]\n'
            '  verbs: ["get", "list", "watch"]\n',
        )
        + rb("ops", "tls", "tls", SA_OP, kind="Role")
        + cr("ctrl", '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n')
        + crb("ctrl", "ctrl", "[{kind: User, name: system:kube-controller-manager}]"),
        [
            (
                "R002",
                28,
                11,
                "low",
                (
                    "grants list on secrets cluster-wide (list and watch return every "
                    "secret's full contents, not only names); held only by system "
                    "components: User/system:kube-controller-manager (cluster-wide, "
                    "ClusterRoleBinding/ctrl)"
                ),
            ),
        ],
    ),
    # R003: exec cluster-wide → high; port-forward in a namespace → low; logs: nothing
    "exec": (
        sa("ops", "op")
        + cr(
            "debug",
            '- apiGroups: [""]\n  resources: ["pods/exec", "pods/log"]\n'
            '  verbs: ["create", "get"]\n',
        )
        + crb(
            "debug", "debug", "[{kind: Group, name: oncall, apiGroup: rbac.authorization.k8s.io}]"
        )
        + role(
            "ops",
            "pf",
            '- apiGroups: [""]\n  resources: ["pods/portforward"]\n  verbs: ["create"]\n',
        )
        + rb("ops", "pf", "pf", SA_OP, kind="Role")
        + role("ops", "logs", '- apiGroups: [""]\n  resources: ["pods/log"]\n  verbs: ["get"]\n')
        + rb("ops", "logs", "logs", SA_OP, kind="Role"),
        [
            (
                "R003",
                13,
                11,
                "high",
                (
                    "grants create, get on pods/exec cluster-wide (a shell in every pod in "
                    "scope, with its token and secrets); held by Group/oncall "
                    "(cluster-wide, ClusterRoleBinding/debug)"
                ),
            ),
            (
                "R003",
                27,
                11,
                "low",
                (
                    "grants create on pods/portforward in namespace ops (network access to "
                    "every pod port in scope, past NetworkPolicies); held by "
                    "ServiceAccount/ops/op (in namespace ops, RoleBinding/ops/pf)"
                ),
            ),
        ],
    ),
    # R006 and R007, with their harmless neighbours
    "nodes_proxy_and_token": (
        sa("ops", "op")
        + cr(
            "scraper",
            '- apiGroups: [""]\n  resources: ["nodes/metrics", "nodes/proxy"]\n  verbs: ["get"]\n',
        )
        + crb("scraper", "scraper", SA_OP)
        + role(
            "ops",
            "tokens",
            '- apiGroups: [""]\n  resources: ["serviceaccounts"]\n  verbs: ["get"]\n'
            '- apiGroups: [""]\n  resources: ["serviceaccounts/token"]\n  verbs: ["create"]\n',
        )
        + rb("ops", "tokens", "tokens", SA_OP, kind="Role"),
        [
            (
                "R006",
                13,
                11,
                "high",
                (
                    "grants get on nodes/proxy cluster-wide (the kubelet API of every node:"
                    " exec in any pod, unaudited); held by ServiceAccount/ops/op "
                    "(cluster-wide, ClusterRoleBinding/scraper)"
                ),
            ),
            (
                "R007",
                30,
                11,
                "medium",
                (
                    "grants create on serviceaccounts/token in namespace ops (a token for "
                    "any service account in scope); held by ServiceAccount/ops/op (in "
                    "namespace ops, RoleBinding/ops/tokens)"
                ),
            ),
        ],
    ),
    # R009: patch any webhook → high; patch its own → medium; read → nothing
    "webhooks": (
        sa("ops", "op")
        + cr(
            "injector",
            '- apiGroups: ["admissionregistration.k8s.io"]\n'
            '  resources: ["mutatingwebhookconfigurations"]\n  verbs: ["get", "list", "patch"]\n'
            '- apiGroups: ["admissionregistration.k8s.io"]\n'
            '  resources: ["validatingwebhookconfigurations"]\n  resourceNames: ["op"]\n'
            '  verbs: ["update"]\n',
        )
        + crb("injector", "injector", SA_OP),
        [
            (
                "R009",
                13,
                26,
                "high",
                (
                    "grants patch on mutatingwebhookconfigurations cluster-wide (intercept "
                    "or rewrite objects at admission, or switch policy off); held by "
                    "ServiceAccount/ops/op (cluster-wide, ClusterRoleBinding/injector)"
                ),
            ),
            (
                "R009",
                17,
                11,
                "medium",
                (
                    "grants update on validatingwebhookconfigurations cluster-wide "
                    "(intercept or rewrite objects at admission, or switch policy off); "
                    "held by ServiceAccount/ops/op (cluster-wide, "
                    "ClusterRoleBinding/injector)"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rbac_rules_exact(case: str) -> None:
    text, expected = CASES[case]
    assert findings(text) == expected
