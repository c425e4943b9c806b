"""R015–R017: RBAC that grants nothing because of a mistake, each with the likely intent
(issue #9, section 6). Exact findings (code, line, column, severity, message), both ways."""

from __future__ import annotations

from tests.helpers.rbac_set import Row, cr, crb, findings, rb, role

CSR = (
    '- apiGroups: [""]\n  resources: ["certificatesigningrequests", "signers"]\n  verbs: ["get"]\n'
)
TEXT = (
    crb(
        "anon",
        "view",
        "[{kind: Group, name: system:anonymous}, {kind: User, name: system:authenticated}, "
        "{kind: Group, name: system:kube-scheduler}, {kind: Group, name: "
        "'system:serviceaccount:ci:deployer'}, {kind: User, name: "
        "'system:serviceaccounts:ci'}, {kind: Group, name: system:masters}, {kind: User, name: "
        "system:anonymous}]",
    )
    + cr(
        "csr",
        CSR
        + (
            '- apiGroups: ["", "apps"]\n  resources: ["deployments", "leases", "pods", '
            '"widgets"]\n  verbs: ["list"]\n'
        )
        + (
            '- apiGroups: ["extensions"]\n  resources: ["deployments", "ingresses"]\n  verbs: '
            '["get"]\n'
        )
        + '- apiGroups: ["metrics.k8s.io"]\n  resources: ["pods"]\n  verbs: ["get"]\n'
        + '- apiGroups: ["*"]\n  resources: ["deployments"]\n  verbs: ["get"]\n'
        + (
            '- apiGroups: ["apps"]\n  resources: ["deployments/scale", "ingresses"]\n  verbs: '
            '["get"]\n'
        ),
    )
    + rb("shop", "edit", "edit", "[{kind: Group, name: devs}]", kind="Role")
    + rb("shop", "sys", "system:aggregate-to-edit", "[{kind: Group, name: devs}]", kind="Role")
    + rb(
        "kube-system",
        "lock",
        "system::leader-locking-kube-scheduler",
        "[{kind: User, name: system:kube-scheduler}]",
        kind="Role",
    )
    + role("shop", "view", '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get"]\n')
    + rb("shop", "view", "view", "[{kind: Group, name: devs}]", kind="Role")
    + rb("shop", "mine", "my-role", "[{kind: Group, name: devs}]", kind="Role")
    + crb("crb-role", "edit", "[{kind: Group, name: devs}]", kind="Role")
)

EXPECTED: list[Row] = [
    (
        "R015",
        6,
        26,
        "low",
        "Group/system:anonymous has no members: the anonymous user is the User "
        "system:anonymous, in the Group system:unauthenticated; as written this subject grants "
        "nobody (kind: User is likely meant, which opens the role to anyone who can reach the "
        "API server, or delete it)",
    ),
    (
        "R015",
        6,
        64,
        "low",
        "system:authenticated is a group, not a user name: as written this subject grants "
        "nobody (kind: Group is likely meant)",
    ),
    (
        "R015",
        6,
        107,
        "low",
        "system:kube-scheduler is a user name, not a group: as written this subject grants "
        "nobody (kind: User is likely meant)",
    ),
    (
        "R015",
        6,
        151,
        "low",
        "system:serviceaccount:ci:deployer is the user name of ServiceAccount ci/deployer, not "
        "a group: as written this subject grants nobody (kind: ServiceAccount, name: deployer, "
        "namespace: ci is likely meant)",
    ),
    (
        "R015",
        6,
        208,
        "low",
        "system:serviceaccounts:ci is a group, not a user name: as written this subject grants "
        "nobody (kind: Group is likely meant)",
    ),
    (
        "R011",
        6,
        281,
        "critical",
        "grants ClusterRole/view cluster-wide to User/system:anonymous: anyone who can reach "
        "the API server, without credentials",
    ),
    (
        "R016",
        13,
        15,
        "low",
        'certificatesigningrequests, signers are not in API group "" (core) (served by '
        "certificates.k8s.io): the rule grants nothing on them; apiGroups: "
        '["certificates.k8s.io"] is likely meant',
    ),
    (
        "R016",
        16,
        30,
        "low",
        'leases is not in API groups "" (core), apps (served by coordination.k8s.io): the rule '
        'grants nothing on it; apiGroups: ["coordination.k8s.io"] is likely meant',
    ),
    (
        "R001",
        24,
        15,
        "low",
        "wildcard grants get on deployments in every API group (CRDs installed later included) "
        "cluster-wide; not bound in the scanned set (latent: whoever is bound to it later gets "
        "it)",
    ),
    (
        "R016",
        28,
        36,
        "low",
        "ingresses is not in API group apps (served by networking.k8s.io): the rule grants "
        'nothing on it; apiGroups: ["networking.k8s.io"] is likely meant',
    ),
    (
        "R017",
        34,
        48,
        "low",
        "roleRef names Role edit, which the scanned set does not define in namespace shop: "
        "edit is a built-in ClusterRole, so kind: ClusterRole is likely meant (granted in "
        "namespace shop only); as written the binding grants nothing",
    ),
    (
        "R017",
        40,
        48,
        "low",
        "roleRef names Role system:aggregate-to-edit, which the scanned set does not define in "
        "namespace shop: system: names are the API server's ClusterRoles, so kind: ClusterRole "
        "is likely meant (granted in namespace shop only); as written the binding grants "
        "nothing",
    ),
    (
        "R017",
        72,
        48,
        "low",
        "a ClusterRoleBinding can only reference a ClusterRole (the API server rejects roleRef "
        "kind Role): as written it grants nothing; kind: ClusterRole (name edit) is likely "
        "meant",
    ),
]


def test_mistakes_exact() -> None:
    # the subjects of the first binding: Group system:anonymous, User system:authenticated,
    # Group system:kube-scheduler, a service account's user name as a Group, a group as a
    # User, then two that are right (Group system:masters: nothing; User system:anonymous:
    # R011); the rules: CSR and signers in the core group, leases in core/apps, correct
    # entries (deployments in apps, extensions' legacy resources, metrics.k8s.io, "*"), and
    # ingresses in apps; the bindings: Role edit / system:… (R017), a kube-system system:
    # Role (nothing), Role view defined in the set (nothing), an unknown Role (nothing), and a
    # ClusterRoleBinding to a Role (R017)
    assert findings(TEXT) == EXPECTED


def test_deployments_in_the_core_group() -> None:
    text = cr("d", '- apiGroups: [""]\n  resources: ["deployments"]\n  verbs: ["get"]\n')
    assert findings(text) == [
        (
            "R016",
            7,
            15,
            "low",
            'deployments is not in API group "" (core) (served by apps): the rule grants nothing '
            'on it; apiGroups: ["apps"] is likely meant',
        )
    ]


def test_written_right_no_hint() -> None:
    text = (
        cr(
            "ok",
            '- apiGroups: ["certificates.k8s.io"]\n  resources: ["certificatesigningrequests",'
            ' "signers"]\n  verbs: ["get"]\n'
            '- apiGroups: ["", "events.k8s.io"]\n  resources: ["events"]\n  verbs: ["get"]\n'
            '- apiGroups: ["example.com"]\n  resources: ["deployments"]\n  verbs: ["get"]\n',
        )
        + crb(
            "ok", "ok", "[{kind: Group, name: system:nodes}, {kind: User, name: system:kube-proxy}]"
        )
        + role("shop", "admin", '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get"]\n')
        + rb("shop", "admin", "admin", "[{kind: Group, name: devs}]", kind="Role")
        + rb("shop", "edit", "edit", "[{kind: Group, name: devs}]")
    )
    assert [r for r in findings(text) if r[0] in ("R015", "R016", "R017")] == []
