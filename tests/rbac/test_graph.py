"""The RBAC permission graph: the authorizer's matching, scoping, aggregation and subjects.

Cases follow the Kubernetes RBAC documentation (Role/ClusterRole, RoleBinding/
ClusterRoleBinding, referring to resources and subjects, aggregated ClusterRoles) and the rule
matching of ``pkg/apis/rbac/v1/evaluation_helpers.go`` / ``plugin/pkg/auth/authorizer/rbac``.
Manifests go through the real loader (``parse_text``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.frontends.kubernetes import parse_text
from hardhull.rbac import (
    Grant,
    Graph,
    Identity,
    ResourceArg,
    SelectorError,
    Subject,
    build,
    compile_selector,
    parse_resource,
)


def load(text: str, **kw: object) -> Graph:
    parsed = parse_text("rbac.yaml", text)
    assert parsed.errors == [] and parsed.skipped == []
    return build([o.data for o in parsed.objects], **kw)  # type: ignore[arg-type]


def how(grant: Grant | None) -> str | None:
    """binding | referenced role | rule source + pointer | scope ('*' = cluster-wide)."""
    if grant is None:
        return None
    scope = "*" if grant.scope is None else grant.scope
    return f"{grant.binding} | {grant.role} | {grant.rule.source}{grant.rule.pointer} | {scope}"


BASE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {namespace: dev, name: pod-reader}
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "watch", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: dev, name: read-pods}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "watch", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: development, name: read-secrets}
subjects:
- {kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-secrets-global}
subjects:
- {kind: Group, name: manager, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-ops}
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create"]
- apiGroups: ["apps", "extensions"]
  resources: ["*/scale"]
  verbs: ["update", "patch"]
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["my-config"]
  verbs: ["get", "update", "list"]
- apiGroups: [""]
  resources: ["pods/*"]
  verbs: ["delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: prod, name: ops}
subjects:
- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: pod-ops, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: wild}
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: sandbox, name: runner-wild}
subjects:
- {kind: ServiceAccount, name: runner}
roleRef: {kind: ClusterRole, name: wild, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules:
- nonResourceURLs: ["/healthz", "/healthz/*"]
  verbs: ["get", "post"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: health}
subjects:
- {kind: Group, name: "system:serviceaccounts:monitoring", apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: health, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: dev, name: health-ns}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: health, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ghost}
subjects:
- {kind: User, name: ghost, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: does-not-exist, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auditors-view}
subjects:
- {kind: Group, name: auditors, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
"""

JANE = Subject("User", "jane")
DAVE = Subject("User", "dave")
MANAGER = Subject("Group", "manager")
OPS = Subject("Group", "ops")
RUNNER = Subject.service_account("sandbox", "runner")
PROM = Subject.service_account("monitoring", "prometheus")

RB_PODS = "RoleBinding/dev/read-pods | Role/dev/pod-reader | Role/dev/pod-reader"
RB_SECRETS = "RoleBinding/development/read-secrets | ClusterRole/secret-reader"
CRB_SECRETS = "ClusterRoleBinding/read-secrets-global | ClusterRole/secret-reader"
OPS_RB = "RoleBinding/prod/ops | ClusterRole/pod-ops | ClusterRole/pod-ops"
WILD = "RoleBinding/sandbox/runner-wild | ClusterRole/wild | ClusterRole/wild/rules/0 | sandbox"
HEALTH = "ClusterRoleBinding/health | ClusterRole/health | ClusterRole/health/rules/0 | *"

# (case, subject, verb, resource, namespace, api_group, name, expected)
CASES: list[tuple[str, Subject, str, str, str | None, str, str, str | None]] = [
    (
        "role grants in its namespace",
        JANE,
        "get",
        "pods",
        "dev",
        "",
        "",
        f"{RB_PODS}/rules/0 | dev",
    ),
    ("role binding in A does not grant in B", JANE, "get", "pods", "prod", "", "", None),
    ("role binding does not grant cluster-wide", JANE, "list", "pods", None, "", "", None),
    ("verb not in the rule", JANE, "delete", "pods", "dev", "", "", None),
    (
        "RoleBinding to a ClusterRole grants in the binding's namespace",
        DAVE,
        "get",
        "secrets",
        "development",
        "",
        "",
        f"{RB_SECRETS} | ClusterRole/secret-reader/rules/0 | development",
    ),
    (
        "RoleBinding to a ClusterRole: not in another namespace",
        DAVE,
        "get",
        "secrets",
        "dev",
        "",
        "",
        None,
    ),
    ("RoleBinding to a ClusterRole: not cluster-wide", DAVE, "list", "secrets", None, "", "", None),
    (
        "ClusterRoleBinding grants cluster-wide",
        MANAGER,
        "list",
        "secrets",
        None,
        "",
        "",
        f"{CRB_SECRETS} | ClusterRole/secret-reader/rules/0 | *",
    ),
    (
        "ClusterRoleBinding grants in every namespace",
        MANAGER,
        "watch",
        "secrets",
        "kube-system",
        "",
        "",
        f"{CRB_SECRETS} | ClusterRole/secret-reader/rules/0 | *",
    ),
    (
        "subresource listed: pods/log",
        OPS,
        "get",
        "pods/log",
        "prod",
        "",
        "",
        f"{OPS_RB}/rules/0 | prod",
    ),
    ("pods/exec needs create, not get", OPS, "get", "pods/exec", "prod", "", "", None),
    ("pods/exec create", OPS, "create", "pods/exec", "prod", "", "", f"{OPS_RB}/rules/1 | prod"),
    ("pods/exec does not grant pods", OPS, "create", "pods", "prod", "", "", None),
    ("pods does not cover pods/status", OPS, "get", "pods/status", "prod", "", "", None),
    ("pods/* is no wildcard", OPS, "delete", "pods/eviction", "prod", "", "", None),
    (
        "*/scale matches deployments/scale",
        OPS,
        "update",
        "deployments/scale",
        "prod",
        "apps",
        "",
        f"{OPS_RB}/rules/2 | prod",
    ),
    (
        "*/scale matches statefulsets/scale",
        OPS,
        "patch",
        "statefulsets/scale",
        "prod",
        "apps",
        "",
        f"{OPS_RB}/rules/2 | prod",
    ),
    (
        "*/scale does not match the resource itself",
        OPS,
        "update",
        "deployments",
        "prod",
        "apps",
        "",
        None,
    ),
    ("apiGroup must match", OPS, "update", "deployments/scale", "prod", "", "", None),
    (
        "resourceNames: the named object",
        OPS,
        "get",
        "configmaps",
        "prod",
        "",
        "my-config",
        f"{OPS_RB}/rules/3 | prod",
    ),
    ("resourceNames: another object", OPS, "get", "configmaps", "prod", "", "other", None),
    ("resourceNames: a collection without a name", OPS, "list", "configmaps", "prod", "", "", None),
    (
        "resourceNames: list by metadata.name",
        OPS,
        "list",
        "configmaps",
        "prod",
        "",
        "my-config",
        f"{OPS_RB}/rules/3 | prod",
    ),
    (
        "resourceNames never allow create (no name)",
        OPS,
        "create",
        "configmaps",
        "prod",
        "",
        "",
        None,
    ),
    ("request verb * needs a * rule", OPS, "*", "pods", "prod", "", "", None),
    (
        "wildcards: any verb, group, resource",
        RUNNER,
        "escalate",
        "roles",
        "sandbox",
        "rbac.authorization.k8s.io",
        "",
        WILD,
    ),
    (
        "wildcards: custom resources too",
        RUNNER,
        "delete",
        "widgets",
        "sandbox",
        "example.com",
        "w1",
        WILD,
    ),
    (
        "wildcard resource covers subresources",
        RUNNER,
        "create",
        "pods/exec",
        "sandbox",
        "",
        "",
        WILD,
    ),
    (
        "wildcards bound by RoleBinding stay in its namespace",
        RUNNER,
        "get",
        "nodes",
        None,
        "",
        "",
        None,
    ),
    (
        "a service account's user name is the service account",
        Subject("User", "system:serviceaccount:sandbox:runner"),
        "list",
        "secrets",
        "sandbox",
        "",
        "",
        WILD,
    ),
    (
        "nonResourceURL exact, via the namespace's SA group",
        PROM,
        "get",
        "/healthz",
        None,
        "",
        "",
        HEALTH,
    ),
    ("nonResourceURL trailing *", PROM, "get", "/healthz/etcd", "monitoring", "", "", HEALTH),
    ("nonResourceURL without * is exact", PROM, "get", "/healthzx", None, "", "", None),
    ("nonResourceURL verb", PROM, "put", "/healthz", None, "", "", None),
    (
        "SA group of another namespace",
        Subject.service_account("default", "prometheus"),
        "get",
        "/healthz",
        None,
        "",
        "",
        None,
    ),
    ("RoleBinding never grants nonResourceURLs", JANE, "get", "/healthz", "dev", "", "", None),
    (
        "dangling roleRef grants nothing",
        Subject("User", "ghost"),
        "get",
        "pods",
        None,
        "",
        "",
        None,
    ),
    (
        "built-in role not in the set grants nothing offline",
        Subject("Group", "auditors"),
        "get",
        "pods",
        "dev",
        "",
        "",
        None,
    ),
]


@pytest.fixture(scope="module")
def base() -> Graph:
    return load(BASE)


@pytest.mark.parametrize(
    ("subject", "verb", "resource", "namespace", "group", "name", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_can(
    base: Graph,
    subject: Subject,
    verb: str,
    resource: str,
    namespace: str | None,
    group: str,
    name: str,
    expected: str | None,
) -> None:
    assert how(base.can(subject, verb, resource, namespace, api_group=group, name=name)) == expected


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


def test_subresource_as_argument_equals_slash_form(base: Graph) -> None:
    a = base.can(OPS, "create", "pods", "prod", subresource="exec")
    assert a == base.can(OPS, "create", "pods/exec", "prod")
    assert how(a) == f"{OPS_RB}/rules/1 | prod"
    arg = parse_resource("deployments.apps/scale")
    assert how(base.can(OPS, "update", arg, "prod")) == f"{OPS_RB}/rules/2 | prod"


def test_problems_dangling_and_builtin(base: Graph) -> None:
    assert [str(b.ref) for b in base.dangling] == ["ClusterRoleBinding/ghost"]
    builtin = [b for b in base.bindings if b.builtin_role]
    assert [(str(b.ref), b.role is None) for b in builtin] == [
        ("ClusterRoleBinding/auditors-view", True)
    ]
    assert [(str(p.ref), p.pointer, p.message) for p in base.problems] == [
        (
            "ClusterRoleBinding/ghost",
            "/roleRef",
            "dangling roleRef: ClusterRole/does-not-exist is not in the set",
        ),
        (
            "ClusterRoleBinding/auditors-view",
            "/roleRef",
            "ClusterRole/view is a built-in role: its rules are not in the set",
        ),
    ]


def test_rolebinding_to_role_of_another_namespace_is_dangling() -> None:
    g = load(
        """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {namespace: b, name: r}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: a, name: rb}
subjects: [{kind: User, name: u}]
roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
"""
    )
    assert [str(b.ref) for b in g.dangling] == ["RoleBinding/a/rb"]
    assert g.can(Subject("User", "u"), "get", "pods", "a") is None
    assert g.can(Subject("User", "u"), "get", "pods", "b") is None


def test_who_can_cluster_wide_and_in_namespace(base: Graph) -> None:
    cluster = [(str(s), how(g)) for s, g in base.who_can("list", "secrets")]
    assert cluster == [("Group/manager", f"{CRB_SECRETS} | ClusterRole/secret-reader/rules/0 | *")]
    dev = [(str(s), how(g)) for s, g in base.who_can("get", "secrets", "development")]
    assert dev == [
        ("Group/manager", f"{CRB_SECRETS} | ClusterRole/secret-reader/rules/0 | *"),
        ("User/dave", f"{RB_SECRETS} | ClusterRole/secret-reader/rules/0 | development"),
    ]
    sandbox = [str(s) for s, _ in base.who_can("get", "secrets", "sandbox")]
    assert sandbox == ["Group/manager", "ServiceAccount/sandbox/runner"]
    # the RoleBinding's subject had no namespace: it is the binding's
    (_, grant) = base.who_can("create", "pods/exec", "sandbox")[0]
    assert grant.subject_pointer == "/subjects/0"


def test_who_can_expands_service_account_groups() -> None:
    g = load(
        BASE
        + """
---
apiVersion: v1
kind: ServiceAccount
metadata: {namespace: monitoring, name: prometheus}
---
apiVersion: v1
kind: ServiceAccount
metadata: {namespace: other, name: prometheus}
"""
    )
    plain = [str(s) for s, _ in g.who_can("get", "/healthz")]
    assert plain == ["Group/system:serviceaccounts:monitoring"]
    expanded = [str(s) for s, _ in g.who_can("get", "/healthz", expand_groups=True)]
    assert expanded == [
        "Group/system:serviceaccounts:monitoring",
        "ServiceAccount/monitoring/prometheus",
    ]


def test_effective_lists_rules_with_scope_binding_and_role(base: Graph) -> None:
    got = [how(g) for g in base.effective(JANE)]
    assert got == [
        f"{RB_PODS}/rules/0 | dev",
        "RoleBinding/dev/health-ns | ClusterRole/health | ClusterRole/health/rules/0 | dev",
    ]
    assert [how(g) for g in base.effective(Subject("User", "dave"), groups=["manager"])] == [
        f"{CRB_SECRETS} | ClusterRole/secret-reader/rules/0 | *",
        f"{RB_SECRETS} | ClusterRole/secret-reader/rules/0 | development",
    ]
    rule = base.effective(OPS)[3].rule
    assert (rule.resources, rule.resource_names, rule.verbs) == (
        ("configmaps",),
        ("my-config",),
        ("get", "update", "list"),
    )
    assert rule.pointer == "/rules/3" and rule.source.index == 5


def test_rule_source_points_at_the_line(base: Graph) -> None:
    parsed = parse_text("rbac.yaml", BASE)
    rule = base.effective(OPS)[1].rule
    obj = parsed.objects[rule.source.index]
    assert obj.kind == "ClusterRole" and obj.data["metadata"]["name"] == "pod-ops"
    line, _ = obj.position(rule.pointer)
    assert BASE.splitlines()[line - 1].strip() == '- apiGroups: [""]'
    assert BASE.splitlines()[line].strip() == 'resources: ["pods/exec"]'


# ---- service accounts and their groups ----------------------------------------------------


def test_identity_of_service_account_user_and_anonymous() -> None:
    assert Identity.of(Subject.service_account("ns1", "app")) == Identity(
        "system:serviceaccount:ns1:app",
        frozenset({"system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated"}),
    )
    assert Identity.of(Subject("User", "alice"), ["devs"]) == Identity(
        "alice", frozenset({"system:authenticated", "devs"})
    )
    assert Identity.of(Subject("User", "system:anonymous")) == Identity(
        "system:anonymous", frozenset({"system:unauthenticated"})
    )


GROUPS = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: lister}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sas}
subjects: [{kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: lister, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: watcher}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: watcher, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: no-namespace}
subjects: [{kind: ServiceAccount, name: lost}]
roleRef: {kind: ClusterRole, name: watcher, apiGroup: rbac.authorization.k8s.io}
"""


def test_service_account_groups() -> None:
    g = load(GROUPS)
    sa = Subject.service_account("team", "app")
    assert how(g.can(sa, "list", "configmaps")) == (
        "ClusterRoleBinding/all-sas | ClusterRole/lister | ClusterRole/lister/rules/0 | *"
    )
    assert g.can(Subject("User", "alice"), "list", "configmaps") is None
    everyone = "ClusterRoleBinding/everyone | ClusterRole/watcher | ClusterRole/watcher/rules/0 | *"
    assert how(g.can(Subject("User", "alice"), "watch", "configmaps")) == everyone
    assert how(g.can(sa, "watch", "configmaps", "team")) == everyone
    assert g.can(Subject("User", "system:anonymous"), "watch", "configmaps") is None
    # a ServiceAccount subject of a ClusterRoleBinding needs a namespace
    assert [(str(p.ref), p.pointer) for p in g.problems] == [
        ("ClusterRoleBinding/no-namespace", "/subjects/0")
    ]
    assert g.bindings[2].subjects == ()


# ---- pods and their service accounts ------------------------------------------------------

WORKLOADS = """
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: team}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: team}
spec:
  template:
    spec:
      serviceAccountName: builder
      automountServiceAccountToken: false
      containers: [{name: c, image: nginx}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: team}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccount: legacy
          containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: nons}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: team}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {namespace: team, name: cm}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: team, name: default-cm}
subjects: [{kind: ServiceAccount, name: default, namespace: team}]
roleRef: {kind: Role, name: cm, apiGroup: rbac.authorization.k8s.io}
"""


def test_workloads_run_as_their_service_account() -> None:
    g = load(WORKLOADS)
    got = [(str(r.ref), str(r.service_account), r.pointer, r.automount) for r in g.runners]
    assert got == [
        ("Pod/team/p", "ServiceAccount/team/default", "", None),
        (
            "Deployment/team/d",
            "ServiceAccount/team/builder",
            "/spec/template/spec/serviceAccountName",
            False,
        ),
        (
            "CronJob/team/cj",
            "ServiceAccount/team/legacy",
            "/spec/jobTemplate/spec/template/spec/serviceAccount",
            None,
        ),
        ("Pod/default/nons", "ServiceAccount/default/default", "", None),
    ]
    assert g.runners[3].ref.implicit_namespace is True
    default_sa = Subject.service_account("team", "default")
    assert [str(r.ref) for r in g.runners_of(default_sa)] == ["Pod/team/p"]
    assert how(g.can(g.runners[0].service_account, "get", "configmaps", "team")) == (
        "RoleBinding/team/default-cm | Role/team/cm | Role/team/cm/rules/0 | team"
    )
    sa = g.service_accounts[("team", "default")]
    assert (sa.automount, sa.automount_pointer) == (False, "/automountServiceAccountToken")
    assert [str(s) for s in g.known_service_accounts()] == [
        "ServiceAccount/default/default",
        "ServiceAccount/team/builder",
        "ServiceAccount/team/default",
        "ServiceAccount/team/legacy",
    ]


# ---- aggregation ---------------------------------------------------------------------------

AGGREGATION = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: x-admin}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-admin: "true"}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: x-edit
  labels: {example.com/aggregate-to-admin: "true"}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-edit: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: x-view
  labels: {example.com/aggregate-to-edit: "true"}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-view: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {example.com/aggregate-to-view: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels: {example.com/aggregate-to-edit: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [create, delete]}
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: a-secrets-admin
  labels: {example.com/aggregate-to-admin: "true"}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: nothing}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/no-such-label: "true"}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: by-expression}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions:
    - {key: example.com/aggregate-to-view, operator: Exists}
    - {key: tier, operator: NotIn, values: [gold]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: ns1, name: alice-admin}
subjects: [{kind: User, name: alice}]
roleRef: {kind: ClusterRole, name: x-admin, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-nothing}
subjects: [{kind: User, name: bob}]
roleRef: {kind: ClusterRole, name: nothing, apiGroup: rbac.authorization.k8s.io}
"""


def rules_of(g: Graph, name: str) -> list[str]:
    return [f"{r.source.name}{r.pointer}" for r in g.cluster_roles[name].rules]


def test_aggregation_chained_through_labels() -> None:
    g = load(AGGREGATION)
    assert rules_of(g, "x-view") == ["widgets-view/rules/0"]
    # x-view's rule and widgets-edit's identical rule appear once (the controller dedupes)
    assert rules_of(g, "x-edit") == ["widgets-edit/rules/0", "widgets-edit/rules/1"]
    # selected roles in name order; the aggregated role's own rules are replaced
    assert rules_of(g, "x-admin") == [
        "a-secrets-admin/rules/0",
        "widgets-edit/rules/0",
        "widgets-edit/rules/1",
    ]
    assert [str(r) for r in g.cluster_roles["x-admin"].aggregated_from] == [
        "ClusterRole/a-secrets-admin",
        "ClusterRole/x-edit",
    ]
    alice = Subject("User", "alice")
    assert how(g.can(alice, "delete", "widgets", "ns1", api_group="example.com")) == (
        "RoleBinding/ns1/alice-admin | ClusterRole/x-admin | ClusterRole/widgets-edit/rules/0 | ns1"
    )
    assert g.can(alice, "delete", "nodes") is None  # the written "*" rule was replaced
    assert g.can(alice, "get", "secrets", "ns2") is None


def test_aggregation_selector_matching_nothing_grants_nothing() -> None:
    g = load(AGGREGATION)
    assert rules_of(g, "nothing") == []
    assert g.can(Subject("User", "bob"), "get", "pods", "default") is None


def test_aggregation_match_expressions() -> None:
    g = load(AGGREGATION)
    assert rules_of(g, "by-expression") == ["widgets-view/rules/0"]


def test_aggregation_does_not_select_itself_and_bad_selector_keeps_rules() -> None:
    g = load(
        """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: self
  labels: {agg: "yes"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: broken}
aggregationRule:
  clusterRoleSelectors: [{matchExpressions: [{key: agg, operator: In}]}]
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
"""
    )
    assert rules_of(g, "self") == []
    assert rules_of(g, "broken") == ["broken/rules/0"]
    assert [(p.pointer, p.message.split(":")[0]) for p in g.problems] == [
        ("/aggregationRule/clusterRoleSelectors", "invalid selector (matchExpressions[0]")
    ]


def test_label_selectors() -> None:
    labels = {"app": "web", "tier": "gold"}
    assert compile_selector({}).matches(labels)
    assert compile_selector({"matchLabels": {"app": "web"}}).matches(labels)
    assert not compile_selector({"matchLabels": {"app": "web", "x": "y"}}).matches(labels)

    def expr(op: str, *values: str, key: str = "tier") -> bool:
        sel = {"matchExpressions": [{"key": key, "operator": op, "values": list(values)}]}
        return compile_selector(sel).matches(labels)

    assert (expr("In", "gold", "silver"), expr("In", "silver")) == (True, False)
    assert (expr("In", "gold", key="missing"), expr("NotIn", "gold", key="missing")) == (
        False,
        True,
    )
    assert (expr("NotIn", "gold"), expr("NotIn", "silver")) == (False, True)
    assert (expr("Exists"), expr("Exists", key="missing")) == (True, False)
    assert (expr("DoesNotExist"), expr("DoesNotExist", key="missing")) == (False, True)
    for bad in (
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
        {"matchExpressions": [{"key": "a", "operator": "in", "values": ["x"]}]},
        {"matchLabels": {"a": True}},
    ):
        with pytest.raises(SelectorError):
            compile_selector(bad)


# ---- parsing arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pods", ResourceArg("pods", "", "", True)),
        ("po", ResourceArg("pods", "", "", True)),
        ("Pod", ResourceArg("pods", "", "", True)),
        ("pods/exec", ResourceArg("pods", "", "exec", True)),
        ("secrets", ResourceArg("secrets", "", "", True)),
        ("deployments", ResourceArg("deployments", "apps", "", True)),
        ("deploy", ResourceArg("deployments", "apps", "", True)),
        ("deployments.apps", ResourceArg("deployments", "apps", "", True)),
        ("deployments.v1.apps/scale", ResourceArg("deployments", "apps", "scale", True)),
        ("deployments.extensions", ResourceArg("deployments", "extensions", "", False)),
        ("events", ResourceArg("events", "", "", True)),
        ("events.events.k8s.io", ResourceArg("events", "events.k8s.io", "", True)),
        (
            "csr/approval",
            ResourceArg("certificatesigningrequests", "certificates.k8s.io", "approval", True),
        ),
        ("widgets", ResourceArg("widgets", "", "", False)),
        ("*", ResourceArg("*", "", "", True)),
        ("*/scale", ResourceArg("*", "", "scale", True)),
    ],
)
def test_parse_resource(text: str, expected: ResourceArg) -> None:
    assert parse_resource(text) == expected


def test_parse_resource_knows_the_sets_crds() -> None:
    g = load(
        """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions: []
"""
    )
    assert g.parse_resource("wd") == ResourceArg("widgets", "example.com", "", True)
    assert g.parse_resource("Widget/status") == ResourceArg(
        "widgets", "example.com", "status", True
    )


def test_parse_subject() -> None:
    assert Subject.parse("User/alice") == Subject("User", "alice")
    assert Subject.parse("group/system:masters") == Subject("Group", "system:masters")
    assert Subject.parse("ServiceAccount/kube-system/coredns") == Subject(
        "ServiceAccount", "coredns", "kube-system"
    )
    assert Subject.parse("sa/ns:app") == Subject("ServiceAccount", "app", "ns")
    assert Subject.parse("system:serviceaccount:ns:app") == Subject("ServiceAccount", "app", "ns")
    for bad in ("alice", "Robot/x", "ServiceAccount/app", "system:serviceaccount:ns"):
        with pytest.raises(ValueError):
            Subject.parse(bad)


# ---- odds and ends -------------------------------------------------------------------------


def test_later_definition_wins_and_is_reported() -> None:
    role = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [{apiGroups: [""], resources: [%s], verbs: [get]}]
---
"""
    g = load(
        role % "pods"
        + role % "secrets"
        + """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: User, name: u}]
roleRef: {kind: ClusterRole, name: r, apiGroup: rbac.authorization.k8s.io}
"""
    )
    u = Subject("User", "u")
    assert g.can(u, "get", "pods") is None
    assert (
        how(g.can(u, "get", "secrets"))
        == "ClusterRoleBinding/b | ClusterRole/r | ClusterRole/r/rules/0 | *"
    )
    assert g.cluster_roles["r"].ref.index == 1
    assert [p.message for p in g.problems] == [
        "ClusterRole/r is defined again (first at object #0); the later definition wins"
    ]


def test_bootstrap_cluster_admin_on_request() -> None:
    g = load(BASE, bootstrap=True)
    masters = Subject("Group", "system:masters")
    assert how(g.can(masters, "delete", "nodes")) == (
        "ClusterRoleBinding/cluster-admin | ClusterRole/cluster-admin"
        " | ClusterRole/cluster-admin/rules/0 | *"
    )
    assert how(g.can(masters, "get", "/metrics")) == (
        "ClusterRoleBinding/cluster-admin | ClusterRole/cluster-admin"
        " | ClusterRole/cluster-admin/rules/1 | *"
    )
    assert g.cluster_roles["cluster-admin"].ref.index == -1
    assert [str(s) for s, _ in g.who_can("*", "*")] == ["Group/system:masters"]
    assert load(BASE).can(masters, "delete", "nodes") is None


def test_bad_input_is_reported_not_raised() -> None:
    g = build(
        [
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "rules": "x"},
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": "c"},
                "rules": [{"verbs": "get", "resources": [1, "pods"], "apiGroups": [""]}, 7],
                "aggregationRule": [],
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": "rb"},
                "subjects": [None, {"kind": "Robot", "name": "r"}, {"kind": "User"}],
                "roleRef": "c",
            },
            "not an object",
            {"apiVersion": "v1", "kind": "Pod", "spec": []},
        ]
    )
    assert [(p.ref.kind, p.pointer) for p in g.problems] == [
        ("ClusterRole", "/rules"),
        ("ClusterRole", "/rules/0/verbs"),
        ("ClusterRole", "/rules/0/resources/0"),
        ("ClusterRole", "/rules/1"),
        ("ClusterRole", "/aggregationRule"),
        ("RoleBinding", "/subjects/0"),
        ("RoleBinding", "/subjects/1/kind"),
        ("RoleBinding", "/subjects/2"),
        ("RoleBinding", "/roleRef/kind"),
    ]
    assert g.runners == []


# ---- the shared corpus ---------------------------------------------------------------------


def corpus_objects(root: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for p in sorted(root.rglob("*")):
        if p.suffix in (".yaml", ".yml", ".json") and p.is_file():
            parsed = parse_text(str(p), p.read_text(encoding="utf-8", errors="replace"))
            out.extend(o.data for o in parsed.objects)
    return out


def test_corpus_builds(shared: Path) -> None:
    root = shared / "corpus" / "k8s"
    if not root.is_dir():
        pytest.skip(f"{root} not found")
    objects = corpus_objects(root)
    g = build(objects)
    assert g.cluster_roles and g.bindings and g.runners
    subjects = {bound.subject for b in g.bindings for bound in b.subjects}
    assert sum(len(g.effective(s)) for s in subjects) > 0
    readers = {str(s) for s, _ in g.who_can("list", "secrets", expand_groups=True)}
    assert "ServiceAccount/monitoring/kube-state-metrics" in readers
    # nothing in the corpus grants everything: only the API server's own cluster-admin binding
    everything = build(objects, bootstrap=True).who_can("*", "*", expand_groups=True)
    assert [str(s) for s, _ in everything] == ["Group/system:masters"]


def test_kube_prometheus_who_can_read_secrets(shared: Path) -> None:
    root = shared / "corpus" / "k8s" / "prometheus-operator+kube-prometheus" / "manifests"
    if not root.is_dir():
        pytest.skip(f"{root} not found")
    g = build(corpus_objects(root))
    got = [(str(s), how(gr)) for s, gr in g.who_can("list", "secrets")]
    assert got == [
        (
            "ServiceAccount/monitoring/kube-state-metrics",
            "ClusterRoleBinding/kube-state-metrics | ClusterRole/kube-state-metrics"
            " | ClusterRole/kube-state-metrics/rules/0 | *",
        ),
        (
            "ServiceAccount/monitoring/prometheus-operator",
            "ClusterRoleBinding/prometheus-operator | ClusterRole/prometheus-operator"
            " | ClusterRole/prometheus-operator/rules/2 | *",
        ),
    ]
    # kube-state-metrics may list and watch secrets, not get one
    assert [str(s) for s, _ in g.who_can("get", "secrets", "monitoring")] == [
        "ServiceAccount/monitoring/prometheus-operator"
    ]
    ksm = Subject.service_account("monitoring", "kube-state-metrics")
    assert [str(r.ref) for r in g.runners_of(ksm)] == ["Deployment/monitoring/kube-state-metrics"]
    assert [str(b.ref) for b in g.bindings if b.builtin_role] == [
        "ClusterRoleBinding/resource-metrics:system:auth-delegator",
        "RoleBinding/kube-system/resource-metrics-auth-reader",
    ]
    assert g.dangling == []


def test_first_applying_subject_and_clusterrolebinding_to_role() -> None:
    g = load(
        """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {namespace: a, name: r}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: a, name: both}
subjects:
- {kind: User, name: bob}
- {kind: Group, name: "system:authenticated"}
- {kind: User, name: alice}
roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb-to-role}
subjects: [{kind: User, name: alice}]
roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
"""
    )
    alice = Subject("User", "alice")
    assert [gr.subject_pointer for gr in g.effective(alice)] == ["/subjects/1"]
    assert g.can(alice, "get", "pods", "a") is not None
    assert g.can(alice, "get", "pods") is None
    assert [(str(p.ref), p.pointer) for p in g.problems] == [
        ("ClusterRoleBinding/crb-to-role", "/roleRef/kind")
    ]
