"""RBAC rules R001–R013 on the peers' own test cases, and on traps of our own.

Each case restates, as a small manifest set written here, the facts of one test case of Trivy
(trivy-checks ``KSV0xx`` rego tests), Checkov (``tests/kubernetes/checks/example_*``) or
kube-linter (``tests/checks/*.yml``, ``pkg/templates/*/template_test.go``), named in a comment.
Expected findings are exact: (code, line, pointer, severity). Where hardhull deliberately
differs from the peer, the comment says so (docs/peer-cases.md, "RBAC", explains why).
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac import HDR, SA, USER, Row, bind, role, rows

CASES: dict[str, tuple[str, list[Row]]] = {
    # ---------------------------------------------------------------- Trivy
    # KSV041/KSV113 test_manage_secrets: get on secrets in every API group (a Role, unbound):
    # the wildcard group and the secrets read, both latent and namespaced (low)
    "trivy_ksv113_get_secrets_any_group": (
        role("pod-reader", '- apiGroups: ["*"]\n  resources: ["secrets"]\n  verbs: ["get"]\n'),
        [
            ("R001", 6, "/rules/0/apiGroups/0", "low"),
            ("R002", 8, "/rules/0/verbs/0", "low"),
        ],
    ),
    # KSV041 test_manage_verb_list, as a bound ClusterRole: list returns every secret's
    # contents cluster-wide (medium, Trivy critical)
    "trivy_ksv041_list_secrets_bound": (
        role(
            "lister",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n',
            cluster=True,
        )
        + bind("lister", "lister", SA),
        [("R002", 8, "/rules/0/verbs/0", "medium")],
    ),
    # KSV041 test_manage_verb_update / _patch / _deletecollection: write-only on secrets does not
    # reveal them (deliberate difference: Trivy reports, we do not)
    "trivy_ksv041_update_secrets_only": (
        role(
            "writer",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["update", "patch"]\n',
            cluster=True,
        )
        + bind("writer", "writer", SA),
        [],
    ),
    # KSV041 test_manage_not_secret_resource: "secrets1" is not secrets (both agree: no R002)
    "trivy_ksv041_not_secret_resource": (
        role("other", '- apiGroups: [""]\n  resources: ["secrets1"]\n  verbs: ["list"]\n'),
        [],
    ),
    # KSV044 (any verb, any resource, any group) bound cluster-wide to a user
    "trivy_ksv044_any_any_bound": (
        role("god", '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n', cluster=True)
        + bind("god", "god", USER),
        [
            ("R001", 8, "/rules/0/verbs/0", "high"),
            ("R010", 14, "/subjects/0", "critical"),
        ],
    ),
    # KSV045 (any verb) on deployments, latent Role
    "trivy_ksv045_any_verb": (
        role("dep", '- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["*"]\n'),
        [("R001", 8, "/rules/0/verbs/0", "low")],
    ),
    # KSV046 (any resource) in the core group with write verbs, bound cluster-wide
    "trivy_ksv046_any_resource": (
        role(
            "core-writer",
            '- apiGroups: [""]\n  resources: ["*"]\n  verbs: ["get", "create"]\n',
            cluster=True,
        )
        + bind("core-writer", "core-writer", SA),
        [("R001", 7, "/rules/0/resources/0", "high")],
    ),
    # KSV047 get on nodes/proxy, bound cluster-wide
    "trivy_ksv047_nodes_proxy": (
        role(
            "proxy",
            '- apiGroups: [""]\n  resources: ["nodes/proxy"]\n  verbs: ["get"]\n',
            cluster=True,
        )
        + bind("proxy", "proxy", SA),
        [("R006", 8, "/rules/0/verbs/0", "high")],
    ),
    # KSV053 create on pods/exec, KSV054 pods/attach (Role bound in its namespace)
    "trivy_ksv053_ksv054_exec_attach": (
        role(
            "debug",
            '- apiGroups: [""]\n  resources: ["pods/exec", "pods/attach"]\n  verbs: ["create"]\n',
        )
        + bind("debug", "debug", SA, ns="test", ref_kind="Role"),
        [("R003", 8, "/rules/0/verbs/0", "medium")],
    ),
    # KSV111 cluster-admin bound by a RoleBinding (full control of that namespace)
    "trivy_ksv111_cluster_admin_rolebinding": (
        bind("admins", "cluster-admin", USER, ns="test"),
        [("R010", 6, "/subjects/0", "high")],
    ),
    # KSV114 webhook configurations writable, bound cluster-wide
    "trivy_ksv114_webhooks": (
        role(
            "hooks",
            '- apiGroups: ["admissionregistration.k8s.io"]\n'
            '  resources: ["mutatingwebhookconfigurations"]\n  verbs: ["create", "update"]\n',
            cluster=True,
        )
        + bind("hooks", "hooks", SA),
        [("R009", 8, "/rules/0/verbs/0", "high")],
    ),
    # ---------------------------------------------------------------- Checkov
    # CKV_K8S_49 role-failed-1: resources "*" but verbs [""]: matches no request, grants
    # nothing (deliberate difference: Checkov fails it, we report nothing)
    "checkov_ckv49_empty_verb": (
        role(
            "fail-1", '- apiGroups: ["", "extensions", "apps"]\n  resources: ["*"]\n  verbs: [""]\n'
        ),
        [],
    ),
    # CKV_K8S_49 role-failed-2: "*" among the verbs
    "checkov_ckv49_star_verb": (
        role(
            "fail-2",
            '- apiGroups: ["", "extensions", "apps"]\n  resources: ["example"]\n'
            '  verbs: ["example", "*"]\n',
        ),
        [("R001", 8, "/rules/0/verbs/1", "low")],
    ),
    # CKV_K8S_49 role-failed-3: "*" among the API groups (ClusterRole, latent)
    "checkov_ckv49_star_group": (
        role(
            "fail-3",
            '- apiGroups: ["*", "extensions", "apps"]\n  resources: ["example"]\n'
            '  verbs: ["example"]\n',
            cluster=True,
        ),
        [("R001", 6, "/rules/0/apiGroups/0", "low")],
    ),
    # CKV_K8S_49 role-passed-2: no rules at all
    "checkov_ckv49_no_rules": (
        f"---\n{HDR}kind: Role\nmetadata: {{name: p, namespace: t}}\nrules:\n",
        [],
    ),
    # CKV_K8S_155 failed-1: create on mutating webhooks (latent ClusterRole: one step lower)
    "checkov_ckv155_create_mutating": (
        role(
            "fail-1",
            '- apiGroups: ["admissionregistration.k8s.io"]\n'
            '  resources: ["mutatingwebhookconfigurations"]\n  verbs: ["create", "list"]\n'
            '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get"]\n',
            cluster=True,
        ),
        [("R009", 8, "/rules/0/verbs/0", "medium")],
    ),
    # CKV_K8S_155 failed-2: patch on validating webhooks
    "checkov_ckv155_patch_validating": (
        role(
            "fail-2",
            '- apiGroups: ["admissionregistration.k8s.io"]\n'
            '  resources: ["validatingwebhookconfigurations"]\n  verbs: ["patch"]\n',
            cluster=True,
        ),
        [("R009", 8, "/rules/0/verbs/0", "medium")],
    ),
    # CKV_K8S_155 passed-2: read-only on webhooks (every group: the wildcard is R001's)
    "checkov_ckv155_read_only": (
        role(
            "pass-2",
            '- apiGroups: ["*"]\n  resources: ["validatingwebhookconfigurations"]\n'
            '  verbs: ["get", "list", "watch"]\n',
            cluster=True,
        ),
        [("R001", 6, "/rules/0/apiGroups/0", "low")],
    ),
    # CKV_K8S_156 failed-1: approval subresource and approve on signers in one role
    "checkov_ckv156_approve_both": (
        role(
            "fail-1",
            '- apiGroups: ["certificates.k8s.io"]\n'
            '  resources: ["certificatesigningrequests/approval"]\n  verbs: ["update", "get"]\n'
            '- apiGroups: ["certificates.k8s.io"]\n  resources: ["signers"]\n'
            '  verbs: ["approve"]\n',
            cluster=True,
        ),
        [
            ("R008", 8, "/rules/0/verbs/0", "medium"),
            ("R008", 11, "/rules/1/verbs/0", "medium"),
        ],
    ),
    # CKV_K8S_156 failed-3: the same through "*" (approve) and "*/approval" (update)
    "checkov_ckv156_wildcard_forms": (
        role(
            "fail-3",
            '- apiGroups: ["certificates.k8s.io"]\n  resources: ["*"]\n  verbs: ["approve"]\n'
            '- apiGroups: ["certificates.k8s.io"]\n  resources: ["*/approval"]\n'
            '  verbs: ["update"]\n',
            cluster=True,
        ),
        [
            ("R001", 7, "/rules/0/resources/0", "medium"),
            ("R008", 8, "/rules/0/verbs/0", "medium"),
            ("R008", 11, "/rules/1/verbs/0", "medium"),
        ],
    ),
    # CKV_K8S_157 role-failed-2: every verb on roles and rolebindings (bind and escalate)
    "checkov_ckv157_bind_roles": (
        role(
            "fail-2",
            '- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["rolebindings", "roles"]\n'
            '  verbs: ["*"]\n',
        ),
        [
            ("R001", 8, "/rules/0/verbs/0", "low"),
            ("R005", 8, "/rules/0/verbs/0", "medium"),
        ],
    ),
    # CKV_K8S_157 clusterrole-passed-1: create on clusterrolebindings without bind
    "checkov_ckv157_create_bindings_only": (
        role(
            "pass-1",
            '- apiGroups: ["rbac.authorization.k8s.io"]\n'
            '  resources: ["clusterrolebindings", "configmaps"]\n'
            '  verbs: ["get", "create", "delete", "list"]\n',
            cluster=True,
        ),
        # configmaps are core, not RBAC: the R016 hint (issue #9)
        [("R016", 7, "/rules/0/resources/1", "low")],
    ),
    # CKV_K8S_158 clusterrole-failed-1: escalate on roles
    "checkov_ckv158_escalate": (
        role(
            "fail-1",
            '- apiGroups: [""]\n  resources: ["nodes"]\n  verbs: ["list", "get"]\n'
            '- apiGroups: ["rbac.authorization.k8s.io", ""]\n  resources: ["roles"]\n'
            '  verbs: ["get", "escalate"]\n',
            cluster=True,
        ),
        [("R005", 11, "/rules/1/verbs/1", "medium")],
    ),
    # CKV_K8S_158 clusterrole-passed-1: ordinary verbs on RBAC objects
    "checkov_ckv158_no_escalate": (
        role(
            "pass-1",
            '- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["clusterroles"]\n'
            '  verbs: ["get", "create", "delete", "list"]\n'
            '- apiGroups: [""]\n  resources: ["pods", "roles"]\n'
            '  verbs: ["update", "patch", "get"]\n',
            cluster=True,
        ),
        # roles are RBAC, not core: the R016 hint (issue #9)
        [("R016", 10, "/rules/1/resources/1", "low")],
    ),
    # ---------------------------------------------------------------- kube-linter
    # access-to-secrets TestRoleWithNoAccessToSecrets: a bound Role reads secrets (namespaced)
    "kubelinter_access_to_secrets_role": (
        role(
            "role1",
            '- apiGroups: [""]\n  resources: ["secrets", "configmap"]\n'
            '  verbs: ["get", "list", "watch", "create", "delete"]\n',
            ns="dev",
        )
        + bind(
            "rb1",
            "role1",
            "[{kind: ServiceAccount, name: a1, namespace: dev}]",
            ns="dev",
            ref_kind="Role",
        ),
        [("R002", 8, "/rules/0/verbs/1", "low")],
    ),
    # access-to-secrets TestClusterRoleWithAggregationRule: "*" core resources read through an
    # aggregated ClusterRole bound cluster-wide (found on the member that lists the rule)
    "kubelinter_access_to_secrets_aggregated": (
        f"---\n{HDR}kind: ClusterRole\nmetadata: {{name: agg}}\n"
        "aggregationRule:\n  clusterRoleSelectors: [{matchLabels: {app: test1}}]\nrules: []\n"
        + role(
            "member",
            '- apiGroups: [""]\n  resources: ["*"]\n  verbs: ["get", "list", "watch"]\n',
            cluster=True,
            meta=", labels: {app: test1}",
        )
        + bind("crb1", "agg", SA),
        [("R001", 14, "/rules/0/resources/0", "medium")],
    ),
    # access-to-create-pods: a bound Role creates pods where no privileged account lives
    # (deliberate difference: kube-linter reports every pod creator; we report it when the
    # scanned set shows a privileged account in reach, or cluster-wide)
    "kubelinter_create_pods_no_victim": (
        role("role1", '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["create"]\n', ns="dev")
        + bind(
            "rb1",
            "role1",
            "[{kind: ServiceAccount, name: a1, namespace: dev}]",
            ns="dev",
            ref_kind="Role",
        ),
        [],
    ),
    # the same with a privileged service account in the namespace: reported, naming it
    "kubelinter_create_pods_with_victim": (
        role("role1", '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["create"]\n', ns="dev")
        + bind(
            "rb1",
            "role1",
            "[{kind: ServiceAccount, name: a1, namespace: dev}]",
            ns="dev",
            ref_kind="Role",
        )
        + bind("rb2", "admin", "[{kind: ServiceAccount, name: ops, namespace: dev}]", ns="dev"),
        [("R004", 8, "/rules/0/verbs/0", "high")],
    ),
    # cluster-admin-role-binding: cluster-admin by a ClusterRoleBinding is critical; the
    # built-in admin role bound cluster-wide is high (kube-linter's "dont-fire": we differ)
    "kubelinter_cluster_admin_binding": (
        bind("rb-admin", "admin", "[{kind: ServiceAccount, name: a1, namespace: dev}]")
        + bind("rb-cadmin", "cluster-admin", "[{kind: ServiceAccount, name: a1, namespace: dev}]"),
        [
            ("R010", 6, "/subjects/0", "high"),
            ("R010", 12, "/subjects/0", "critical"),
        ],
    ),
    # wildcard-in-rules: every verb on secrets
    "kubelinter_wildcard_secrets": (
        role("role1", '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["*"]\n', ns="dev"),
        [
            ("R001", 8, "/rules/0/verbs/0", "low"),
            ("R002", 8, "/rules/0/verbs/0", "low"),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_peer_case(case: str) -> None:
    text, expected = CASES[case]
    assert rows(text) == expected
