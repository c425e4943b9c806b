"""The RBAC analysis behind the rules: a member role of an aggregated ClusterRole is judged with
the aggregate's bindings. Exact findings (code, line, column, severity, message)."""

from __future__ import annotations

import pytest

from tests.helpers.rbac_set import SA_OP, Row, cr, crb, findings, sa

CASES: dict[str, tuple[str, list[Row]]] = {
    # aggregation: the member role's rule is judged with the aggregate's bindings
    "aggregation": (
        sa("ops", "op")
        + cr(
            "secrets-part",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["watch"]\n',
            labels="example.com/aggregate-to-ops: 'true'",
        )
        + """---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops-all}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-ops: "true"}}]
rules: []
"""
        + crb("ops-all", "ops-all", SA_OP)
        + cr(
            "view-secrets",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["get"]\n',
            labels="rbac.authorization.k8s.io/aggregate-to-view: 'true'",
        ),
        [
            (
                "R002",
                13,
                11,
                "medium",
                (
                    "grants watch on secrets cluster-wide (list and watch return every "
                    "secret's full contents, not only names); held by ServiceAccount/ops/op"
                    " (cluster-wide, ClusterRoleBinding/ops-all, through "
                    "ClusterRole/ops-all)"
                ),
            ),
            (
                "R002",
                34,
                11,
                "low",
                (
                    "grants get on secrets cluster-wide; held by everyone bound to the "
                    "built-in view role (aggregated)"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rbac_rules_exact(case: str) -> None:
    text, expected = CASES[case]
    assert findings(text) == expected
