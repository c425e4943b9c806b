"""The RBAC rules of ``hardhull/rules/rbac/bindings.py`` (and the rows their cases also trip):
R001, R002, R010, R011, R012. Exact findings (code, line, column, severity, message), both ways.

Every case is a small manifest set scanned by the real engine (``scan`` over a real file), so
positions come from the real YAML loader and the set checks see what a user's scan sees.
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac_set import Row, cr, crb, findings, rb, role

CASES: dict[str, tuple[str, list[Row]]] = {
    # R010 (and R001 on the custom all-powerful role); system:masters is not reported
    "cluster_admin": (
        crb("alice-admin", "cluster-admin", "[{kind: User, name: alice}]")
        + crb("masters", "cluster-admin", "[{kind: Group, name: system:masters}]")
        + cr("god", '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n')
        + rb("shop", "god", "god", "[{kind: ServiceAccount, name: ci, namespace: ci}]"),
        [
            (
                "R010",
                6,
                12,
                "critical",
                (
                    "binds ClusterRole/cluster-admin (every verb on every resource) "
                    "cluster-wide to User/alice"
                ),
            ),
            (
                "R001",
                20,
                11,
                "medium",
                (
                    "wildcard grants every verb on every resource in every API group "
                    "(cluster-admin) in namespace shop; held by ServiceAccount/ci/ci (in "
                    "namespace shop, RoleBinding/shop/god)"
                ),
            ),
            (
                "R010",
                26,
                12,
                "high",
                (
                    "binds ClusterRole/god (every verb on every resource) in namespace shop"
                    " to ServiceAccount/ci/ci"
                ),
            ),
        ],
    ),
    # R011: public groups; the built-in discovery role is not reported
    "public": (
        crb("anon-view", "view", "[{kind: Group, name: system:unauthenticated}]")
        + cr("healthz", '- nonResourceURLs: ["/healthz", "/livez"]\n  verbs: ["get"]\n')
        + crb("healthz", "healthz", "[{kind: User, name: system:anonymous}]")
        + cr("cm", '- apiGroups: [""]\n  resources: ["configmaps"]\n  verbs: ["get"]\n')
        + rb("shop", "everyone", "cm", "[{kind: Group, name: system:authenticated}]")
        + crb("discovery", "system:discovery", "[{kind: Group, name: system:authenticated}]"),
        [
            (
                "R011",
                6,
                12,
                "critical",
                (
                    "grants ClusterRole/view cluster-wide to Group/system:unauthenticated: "
                    "anyone who can reach the API server, without credentials"
                ),
            ),
            (
                "R011",
                19,
                12,
                "low",
                (
                    "grants ClusterRole/healthz cluster-wide to User/system:anonymous (the "
                    "role grants only non-resource URLs): anyone who can reach the API "
                    "server, without credentials"
                ),
            ),
            (
                "R011",
                33,
                12,
                "critical",
                (
                    "grants ClusterRole/cm in namespace shop to Group/system:authenticated:"
                    " every authenticated user and service account"
                ),
            ),
        ],
    ),
    # R011 whatever the role: one the set does not hold keeps the group's severity (it was low,
    # under the default gate: issue #9); a role of the set that grants nothing is low; an
    # aggregated one with no member in the set is not "nothing" (members come with CRDs)
    "public_unknown_role": (
        crb("a", "not-here", "[{kind: Group, name: system:unauthenticated}]")
        + crb("b", "not-here", "[{kind: Group, name: system:authenticated}]")
        + rb("shop", "c", "also-missing", "[{kind: User, name: system:anonymous}]", kind="Role")
        + cr("empty", "  []\n")
        + crb("d", "empty", "[{kind: Group, name: system:authenticated}]")
        + cr("agg", "  []\n").replace(
            "rules:", "aggregationRule: {clusterRoleSelectors: [{matchLabels: {x: y}}]}\nrules:"
        )
        + crb("e", "agg", "[{kind: Group, name: system:authenticated}]")
        + crb("f", "edit", "[{kind: Group, name: system:authenticated}]")
        + crb("g", "system:public-info-viewer", "[{kind: Group, name: system:unauthenticated}]"),
        [
            (
                "R011",
                6,
                12,
                "critical",
                "grants ClusterRole/not-here cluster-wide to Group/system:unauthenticated (the "
                "role is not in the scanned set): anyone who can reach the API server, without "
                "credentials",
            ),
            (
                "R011",
                12,
                12,
                "critical",
                "grants ClusterRole/not-here cluster-wide to Group/system:authenticated (the role "
                "is not in the scanned set): every authenticated user and service account",
            ),
            (
                "R011",
                18,
                12,
                "critical",
                "grants Role/shop/also-missing in namespace shop to User/system:anonymous (the "
                "role is not in the scanned set): anyone who can reach the API server, without "
                "credentials",
            ),
            (
                "R011",
                30,
                12,
                "low",
                "grants ClusterRole/empty cluster-wide to Group/system:authenticated (the role "
                "grants nothing as written): every authenticated user and service account",
            ),
            (
                "R011",
                43,
                12,
                "critical",
                "grants ClusterRole/agg cluster-wide to Group/system:authenticated: every "
                "authenticated user and service account",
            ),
            (
                "R011",
                49,
                12,
                "critical",
                "grants ClusterRole/edit cluster-wide to Group/system:authenticated: every "
                "authenticated user and service account",
            ),
        ],
    ),
    # R012: the default account: read role → medium; with secrets → high; named account → nothing
    "default_sa": (
        cr("cm", '- apiGroups: [""]\n  resources: ["configmaps"]\n  verbs: ["get"]\n')
        + rb("shop", "cm", "cm", "[{kind: ServiceAccount, name: default}]")
        + role("shop", "sec", '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n')
        + rb(
            "shop",
            "sec",
            "sec",
            "[{kind: User, name: system:serviceaccount:shop:default}]",
            kind="Role",
        )
        + rb("shop", "named", "cm", "[{kind: ServiceAccount, name: app}]"),
        [
            (
                "R012",
                14,
                12,
                "medium",
                (
                    "grants ClusterRole/cm in namespace shop to the default service account"
                    " of namespace shop: every pod there without a serviceAccountName gets "
                    "it"
                ),
            ),
            (
                "R002",
                22,
                11,
                "low",
                (
                    "grants list on secrets in namespace shop (list and watch return every "
                    "secret's full contents, not only names); held by "
                    "User/system:serviceaccount:shop:default (in namespace shop, "
                    "RoleBinding/shop/sec)"
                ),
            ),
            (
                "R012",
                28,
                12,
                "high",
                (
                    "grants Role/shop/sec (reads secrets) in namespace shop to the default "
                    "service account of namespace shop: every pod there without a "
                    "serviceAccountName gets it"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rbac_rules_exact(case: str) -> None:
    text, expected = CASES[case]
    assert findings(text) == expected
