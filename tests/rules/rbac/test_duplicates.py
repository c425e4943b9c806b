"""R014 and the analysis of a repository with one folder per environment: definitions of the
same RBAC object in different files are alternatives, each judged (issue #9, section 6).

Before: the analysis kept the last definition of each (kind, namespace, name) over the whole
scanned set, so the cluster-admin binding of one folder or the secrets-reading role of another
disappeared without a word."""

from __future__ import annotations

from hardhull.rbac import Subject, build
from tests.helpers.rbac_set import FileRow, cr, crb, findings_in, rb, role, sa

SECRETS = '- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n'
PODS = '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get"]\n'
ALSO = (
    ": each definition is judged on its own; applied together, the last one would replace the "
    "others"
)

FILES = {
    # prod: cluster-admin to alice; role app reads pods; runner's account opts out of the token
    "overlays/prod/rbac.yaml": crb("operators", "cluster-admin", "[{kind: User, name: alice}]")
    + cr("app", PODS)
    + crb("app", "app", "[{kind: ServiceAccount, name: prod-app, namespace: shop}]")
    + sa("shop", "runner")
    + rb("shop", "runner", "app", "[{kind: ServiceAccount, name: runner}]"),
    # dev: the same names; role app (in a sub-folder) reads secrets; runner's token is mounted
    "overlays/dev/rbac.yaml": crb("operators", "view", "[{kind: Group, name: devs}]")
    + sa("shop", "runner", "")
    + rb("shop", "runner", "app", "[{kind: ServiceAccount, name: runner}]"),
    "overlays/dev/roles/app.yaml": cr("app", SECRETS),
    "overlays/dev/roles/app-binding.yaml": crb(
        "app", "app", "[{kind: ServiceAccount, name: dev-app, namespace: shop}]"
    ),
    # one file: the later ClusterRole r replaces the earlier (its secrets rule is not judged);
    # Roles of the same name in different namespaces are different objects
    "one/file.yaml": cr("r", SECRETS) + cr("r", PODS) + role("a", "r", PODS) + role("b", "r", PODS),
}

EXPECTED: list[FileRow] = [
    (
        "one/file.yaml",
        "R014",
        4,
        12,
        "low",
        "ClusterRole/r is defined again later in this file: the later definition replaces this one",
    ),
    (
        "overlays/dev/rbac.yaml",
        "R014",
        4,
        12,
        "low",
        "ClusterRoleBinding/operators is also defined in overlays/prod/rbac.yaml" + ALSO,
    ),
    (
        "overlays/dev/rbac.yaml",
        "R013",
        10,
        12,
        "low",
        "ServiceAccount/shop/runner holds permissions (RoleBinding/shop/runner) and does not set "
        "automountServiceAccountToken: false: its token is mounted into every pod that runs as it",
    ),
    (
        "overlays/dev/rbac.yaml",
        "R014",
        10,
        12,
        "low",
        "ServiceAccount/shop/runner is also defined in overlays/prod/rbac.yaml" + ALSO,
    ),
    (
        "overlays/dev/rbac.yaml",
        "R014",
        15,
        12,
        "low",
        "RoleBinding/shop/runner is also defined in overlays/prod/rbac.yaml" + ALSO,
    ),
    (
        "overlays/dev/roles/app-binding.yaml",
        "R014",
        4,
        12,
        "low",
        "ClusterRoleBinding/app is also defined in overlays/prod/rbac.yaml" + ALSO,
    ),
    (
        "overlays/dev/roles/app.yaml",
        "R014",
        4,
        12,
        "low",
        "ClusterRole/app is also defined in overlays/prod/rbac.yaml" + ALSO,
    ),
    # the dev role, bound by the dev bindings only (the nearest definition of "app")
    (
        "overlays/dev/roles/app.yaml",
        "R002",
        8,
        11,
        "medium",
        "grants list on secrets cluster-wide (list and watch return every secret's full "
        "contents, not only names); held by ServiceAccount/shop/dev-app (cluster-wide, "
        "ClusterRoleBinding/app); ServiceAccount/shop/runner (in namespace shop, "
        "RoleBinding/shop/runner)",
    ),
    (
        "overlays/prod/rbac.yaml",
        "R014",
        4,
        12,
        "low",
        "ClusterRoleBinding/operators is also defined in overlays/dev/rbac.yaml" + ALSO,
    ),
    # the prod binding of cluster-admin, shadowed by dev's "operators" before
    (
        "overlays/prod/rbac.yaml",
        "R010",
        6,
        12,
        "critical",
        "binds ClusterRole/cluster-admin (every verb on every resource) cluster-wide to User/alice",
    ),
    (
        "overlays/prod/rbac.yaml",
        "R014",
        10,
        12,
        "low",
        "ClusterRole/app is also defined in overlays/dev/roles/app.yaml" + ALSO,
    ),
    (
        "overlays/prod/rbac.yaml",
        "R014",
        18,
        12,
        "low",
        "ClusterRoleBinding/app is also defined in overlays/dev/roles/app-binding.yaml" + ALSO,
    ),
    (
        "overlays/prod/rbac.yaml",
        "R014",
        24,
        12,
        "low",
        "ServiceAccount/shop/runner is also defined in overlays/dev/rbac.yaml" + ALSO,
    ),
    (
        "overlays/prod/rbac.yaml",
        "R014",
        29,
        12,
        "low",
        "RoleBinding/shop/runner is also defined in overlays/dev/rbac.yaml" + ALSO,
    ),
]


def test_every_environment_is_judged_and_the_collisions_reported() -> None:
    assert findings_in(FILES) == EXPECTED


def test_the_shadowed_binding_is_reported_whichever_folder_sorts_last() -> None:
    # "a-prod" sorts before "b-dev": the cluster-admin binding is the earlier definition
    files = {
        "a-prod/rb.yaml": crb("operators", "cluster-admin", "[{kind: User, name: alice}]"),
        "b-dev/rb.yaml": crb("operators", "view", "[{kind: Group, name: devs}]"),
    }
    assert [r[:2] for r in findings_in(files)] == [
        ("a-prod/rb.yaml", "R014"),
        ("a-prod/rb.yaml", "R010"),
        ("b-dev/rb.yaml", "R014"),
    ]


def test_no_collision_no_finding() -> None:
    files = {
        "prod/rb.yaml": crb("prod-operators", "view", "[{kind: Group, name: devs}]"),
        "dev/rb.yaml": crb("dev-operators", "view", "[{kind: Group, name: devs}]")
        + role("dev", "same", PODS),
        "other/role.yaml": role("prod", "same", PODS) + cr("same", PODS),
    }
    assert findings_in(files) == []


def _objects(text: str) -> list[dict[str, object]]:
    import yaml

    return [d for d in yaml.safe_load_all(text) if d]


def test_build_keeps_alternatives_only_with_origins() -> None:
    objects = _objects(
        crb("ops", "cluster-admin", "[{kind: User, name: alice}]")
        + crb("ops", "view", "[{kind: User, name: bob}]")
    )
    alice = Subject("User", "alice")
    # one apply (no origins, or one file): the later definition wins, as kubectl apply
    assert build(objects, bootstrap=True).can(alice, "delete", "nodes") is None
    assert (
        build(objects, bootstrap=True, origins=["a.yaml", "a.yaml"]).can(alice, "delete", "nodes")
        is None
    )
    # a repository: both are kept
    g = build(objects, bootstrap=True, origins=["prod/a.yaml", "dev/a.yaml"])
    assert g.can(alice, "delete", "nodes") is not None
    assert [str(r) for r in g.definitions[("ClusterRoleBinding", "", "ops")]] == [
        "ClusterRoleBinding/ops",
        "ClusterRoleBinding/ops",
    ]
    assert [p.message for p in g.problems] == [
        "ClusterRole/view is a built-in role: its rules are not in the set"
    ]
