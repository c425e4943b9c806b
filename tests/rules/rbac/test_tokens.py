"""The RBAC rules of ``hardhull/rules/rbac/tokens.py`` (and the rows their cases also trip):
R013. Exact findings (code, line, column, severity, message), both ways.

Every case is a small manifest set scanned by the real engine (``scan`` over a real file), so
positions come from the real YAML loader and the set checks see what a user's scan sees.
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac_set import Row, cr, findings, rb, sa

CASES: dict[str, tuple[str, list[Row]]] = {
    # R013: on the ServiceAccount; on the workload when the account is not in the set
    "automount": (
        sa("shop", "api", "")
        + sa("shop", "quiet")
        + cr("cm", '- apiGroups: [""]\n  resources: ["configmaps"]\n  verbs: ["get"]\n')
        + rb(
            "shop",
            "cm",
            "cm",
            "[{kind: ServiceAccount, name: api}, {kind: ServiceAccount, name: quiet},"
            " {kind: ServiceAccount, name: external}, {kind: ServiceAccount, name: explicit}]",
        )
        + """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: external
      containers: [{name: w, image: w}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: job, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: explicit
      automountServiceAccountToken: true
      containers: [{name: j, image: j}]
""",
        [
            (
                "R013",
                4,
                12,
                "low",
                (
                    "ServiceAccount/shop/api holds permissions (RoleBinding/shop/cm) and "
                    "does not set automountServiceAccountToken: false: its token is mounted"
                    " into every pod that runs as it"
                ),
            ),
            (
                "R013",
                32,
                7,
                "low",
                (
                    "pods mount the token of ServiceAccount/shop/external, which holds "
                    "permissions (RoleBinding/shop/cm); set automountServiceAccountToken: "
                    "false unless the app calls the API"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rbac_rules_exact(case: str) -> None:
    text, expected = CASES[case]
    assert findings(text) == expected
