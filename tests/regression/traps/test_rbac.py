"""RBAC traps: what the RBAC authorizer really grants, against what a pattern-matcher sees.

Each case is a small manifest set with its exact findings (code, line, pointer, severity);
messages are asserted where the message is the point of the case.
"""

from __future__ import annotations

import pytest

from tests.helpers.rbac import HDR, SA, USER, bind, role, rows

TRAPS: dict[str, tuple[str, list[tuple[str, int, str, str]]]] = {
    # every verb on named secrets: get/update/delete of those two only (list/watch with
    # resourceNames are limited to the named objects too, create cannot match a name): the
    # wildcard is reported, the secrets read is not (the recommended, scoped form)
    "star_verbs_named_secrets": (
        role(
            "tls",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  resourceNames: ["a-tls", "b-tls"]\n'
            '  verbs: ["*"]\n',
            cluster=True,
        )
        + bind("tls", "tls", SA),
        [("R001", 9, "/rules/0/verbs/0", "medium")],
    ),
    "read_named_secrets": (
        role(
            "tls",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  resourceNames: ["a-tls"]\n'
            '  verbs: ["get", "list", "watch"]\n',
            cluster=True,
        )
        + bind("tls", "tls", SA),
        [],
    ),
    # apiGroups [""] is the core group only; ["*"] is every group (a wildcard as well)
    "secrets_core_group": (
        role("r", '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n', cluster=True)
        + bind("r", "r", SA),
        [("R002", 8, "/rules/0/verbs/0", "medium")],
    ),
    "secrets_every_group": (
        role("r", '- apiGroups: ["*"]\n  resources: ["secrets"]\n  verbs: ["list"]\n', cluster=True)
        + bind("r", "r", SA),
        [("R001", 6, "/rules/0/apiGroups/0", "medium"), ("R002", 8, "/rules/0/verbs/0", "medium")],
    ),
    # "pods/*" is no wildcard to the authorizer (only "*" and "*/SUB" are): it grants nothing
    "pods_slash_star_is_literal": (
        role(
            "r",
            '- apiGroups: [""]\n  resources: ["pods/*"]\n  verbs: ["create", "get"]\n',
            cluster=True,
        )
        + bind("r", "r", SA),
        [],
    ),
    # "*/exec" is every exec subresource: pods/exec included
    "star_slash_exec": (
        role("r", '- apiGroups: [""]\n  resources: ["*/exec"]\n  verbs: ["create"]\n', cluster=True)
        + bind("r", "r", SA),
        [("R003", 8, "/rules/0/verbs/0", "high")],
    ),
    # a ClusterRole granted through a RoleBinding holds in that namespace only
    "clusterrole_by_rolebinding": (
        role(
            "reader",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n',
            cluster=True,
        )
        + bind("reader", "reader", SA, ns="shop"),
        [("R002", 8, "/rules/0/verbs/0", "low")],
    ),
    # aggregation labels: the rules join the built-in view role, held by everyone bound to it
    "aggregate_to_view": (
        role(
            "leak",
            '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n',
            cluster=True,
            meta=', labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}',
        ),
        [("R002", 8, "/rules/0/verbs/0", "medium")],
    ),
    # every authenticated user: view is critical (issue #9: on managed clusters that is every
    # account of the identity provider); the discovery role the API server binds itself to the
    # same group is not reported
    "system_authenticated": (
        bind("all-view", "view", "[{kind: Group, name: system:authenticated}]")
        + bind("disc", "system:discovery", "[{kind: Group, name: system:authenticated}]"),
        [("R011", 6, "/subjects/0", "critical")],
    ),
    # roleRef to a role that is not in the set (and not built in): grants nothing we can see,
    # except to a public subject, where the binding itself is the risk: critical (issue #9;
    # it was low, under the default gate)
    "dangling_roleref": (
        bind("x", "not-here", USER)
        + bind("y", "not-here", "[{kind: Group, name: system:unauthenticated}]"),
        [("R011", 12, "/subjects/0", "critical")],
    ),
    # apiGroup mistakes: a ServiceAccount with the RBAC group is rejected by the API server;
    # a Group with apiGroup "" is defaulted and valid; reported with a note, not dropped
    "subject_api_group_mistakes": (
        bind(
            "ci",
            "cluster-admin",
            "\n- {kind: ServiceAccount, name: ci, namespace: ci,"
            " apiGroup: rbac.authorization.k8s.io}"
            '\n- {kind: Group, name: devs, apiGroup: ""}',
        ),
        [("R010", 7, "/subjects/0", "critical"), ("R010", 8, "/subjects/1", "critical")],
    ),
    # a ServiceAccount without namespace: in a ClusterRoleBinding it matches nobody (the API
    # server rejects it); in a RoleBinding it is the binding's namespace
    "sa_without_namespace": (
        bind("crb", "cluster-admin", "[{kind: ServiceAccount, name: deployer}]")
        + bind("rb", "cluster-admin", "[{kind: ServiceAccount, name: deployer}]", ns="shop"),
        [("R010", 12, "/subjects/0", "high")],
    ),
    # an unknown subject kind (lowercase) matches nobody
    "subject_kind_lowercase": (bind("x", "cluster-admin", "[{kind: user, name: carol}]"), []),
    # impersonate written out on every core resource: the wildcard and the impersonation
    "impersonate_on_star": (
        role(
            "imp", '- apiGroups: [""]\n  resources: ["*"]\n  verbs: ["impersonate"]\n', cluster=True
        )
        + bind("imp", "imp", SA),
        [("R001", 7, "/rules/0/resources/0", "high"), ("R005", 8, "/rules/0/verbs/0", "critical")],
    ),
}


@pytest.mark.parametrize("case", sorted(TRAPS))
def test_rbac_trap(case: str) -> None:
    text, expected = TRAPS[case]
    assert rows(text) == expected


def _messages(text: str) -> list[str]:
    import tempfile
    from pathlib import Path

    from hardhull.engine import ScanOptions, scan
    from hardhull.rules import all_rules

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "rbac.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()
        return [f.message for f in scan([str(path)], ScanOptions(jobs=1)).findings]


def test_subject_api_group_note() -> None:
    msgs = _messages(TRAPS["subject_api_group_mistakes"][0])
    assert msgs == [
        "binds ClusterRole/cluster-admin (every verb on every resource) cluster-wide to "
        "ServiceAccount/ci/ci (as written the API server rejects the binding: a ServiceAccount "
        "subject takes apiGroup \"\", not 'rbac.authorization.k8s.io')",
        "binds ClusterRole/cluster-admin (every verb on every resource) cluster-wide to Group/devs",
    ]


def test_builtin_admin_cluster_wide_message() -> None:
    text = bind("ops", "edit", "[{kind: ServiceAccount, name: ops, namespace: ci}]")
    assert _messages(text) == [
        "binds the built-in edit role cluster-wide to ServiceAccount/ci/ops: every namespace's "
        "secrets, exec into and creating pods in every namespace (kube-system included), which "
        "is near cluster-admin; bind it with a RoleBinding in the namespaces the subject works in"
    ]


def test_empty_verb_grants_nothing() -> None:
    text = f"---\n{HDR}kind: ClusterRole\nmetadata: {{name: r}}\nrules:\n"
    text += '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: [""]\n'
    assert rows(text) == []
