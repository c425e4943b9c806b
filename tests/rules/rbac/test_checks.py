"""RBAC rules R001–R013: exact findings (code, line, column, severity, message), both ways.

Every case is a small manifest set scanned by the real engine (``scan`` over a real file), so
positions come from the real YAML loader and the set checks see what a user's scan sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from hardhull.rules import all_rules

Row = tuple[str, int, int, str, str]


def findings(text: str, tmp: Path | None = None) -> list[Row]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(tmp or d) / "rbac.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()  # engine.scan_kubernetes keeps objects only once set checks exist
        result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == []
    return [
        (f.rule.code, f.location.line, f.location.column, f.severity.label, f.message)
        for f in result.findings
        if f.rule.code.startswith("R")
    ]


def crb(name: str, role: str, subjects: str, kind: str = "ClusterRole") -> str:
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {name}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}
subjects: {subjects}
"""


def rb(ns: str, name: str, role: str, subjects: str, kind: str = "ClusterRole") -> str:
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {name}, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}
subjects: {subjects}
"""


def cr(name: str, rules: str, labels: str = "") -> str:
    meta = f"{{name: {name}, labels: {{{labels}}}}}" if labels else f"{{name: {name}}}"
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {meta}
rules:
{rules}"""


def role(ns: str, name: str, rules: str) -> str:
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: {name}, namespace: {ns}}}
rules:
{rules}"""


def sa(ns: str, name: str, extra: str = "automountServiceAccountToken: false") -> str:
    return f"""---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {ns}}}
{extra}
"""


SA_OP = "[{kind: ServiceAccount, name: op, namespace: ops}]"

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
                "high",
                (
                    "grants ClusterRole/cm in namespace shop to Group/system:authenticated:"
                    " every authenticated user and service account"
                ),
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
