"""RBAC checks (codes R001–R013) over the permission graph of the whole scanned set.

Every rule here is a *set check*: it sees all Kubernetes objects of one scan, because whether a
Role is dangerous depends on who is bound to it, where, and which service accounts share the
namespace. The graph (:func:`hardhull.rbac.build`) is built once per scan and every rule reads
one shared analysis (cached on the identity of the object list the engine hands to all set
checks).

Where findings go:

- permissions (R001–R009) on the exact rule entry that grants them, ``/rules/N/verbs/M`` (or
  ``/resources/M``, ``/apiGroups/M`` for a wildcard), in the Role or ClusterRole that lists the
  rule (for an aggregated ClusterRole: in the member role that contributes it);
- bindings (R010–R012) on the subject, ``/subjects/N``;
- token automount (R013) on the ServiceAccount, or on the workload when the account is not in
  the set.

Severity follows who holds the permission (see docs/rbac.md, "Severity"): the rule's
cluster-wide severity when a ClusterRoleBinding (or aggregation into the built-in
admin/edit/view roles) grants it, a lower one when only RoleBindings do, at most medium when
nothing in the set binds the role (latent), and low when only ``system:`` components hold it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_dict, as_list, get
from hardhull.rbac.graph import (
    ANONYMOUS,
    AUTHENTICATED,
    GROUP,
    SA_USER_PREFIX,
    SERVICE_ACCOUNT,
    UNAUTHENTICATED,
    USER,
    Binding,
    Graph,
    ObjectRef,
    PolicyRule,
    Role,
    Subject,
    build,
)
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily

RBAC_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
CIS = "CIS Kubernetes Benchmark v1.9 "
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, Authentication and authorization"

READ_VERBS = ("list", "watch", "get")  # in the order findings point at them
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
AGGREGATE_LABELS = {
    f"rbac.authorization.k8s.io/aggregate-to-{name}": name for name in ("admin", "edit", "view")
}
#: the groups every (authenticated / unauthenticated) request is in: bindings to them are public
PUBLIC_GROUPS = {UNAUTHENTICATED: Severity.CRITICAL, AUTHENTICATED: Severity.HIGH}
#: built-in roles the API server itself binds to the public groups: harmless by design
HARMLESS_BUILTIN = frozenset({"system:discovery", "system:basic-user", "system:public-info-viewer"})
#: (API group, resource) of pods and every built-in controller that creates pods
POD_CREATORS = (
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
)


_rule = RuleFamily(
    "kubernetes-rbac", refs=(RBAC_DOC, GOOD_PRACTICES), cis_prefix=CIS, nsa_default=NSA
)


SCOPE_NOTE = (
    " The severity named is for a ClusterRoleBinding (or aggregation into the built-in admin, "
    "edit or view roles); when nothing in the scanned set binds the role (latent) it drops one "
    "step, to at most medium; when only `system:` components hold it, to low."
)

# --------------------------------------------------------------------------- rule metadata

WILDCARD = _rule(
    "R001",
    "rbac-wildcard",
    "RBAC rule uses a wildcard",
    Severity.HIGH,
    "A Role or ClusterRole rule lists `*` in `verbs` or `resources` (high), or only in "
    "`apiGroups` (medium). A rule granting every verb on every resource in every group is the "
    "`cluster-admin` rule set." + SCOPE_NOTE,
    "A wildcard grants what exists today and everything added later: every verb includes "
    "`escalate`, `bind`, `impersonate` and `deletecollection`; every resource includes "
    "secrets, `pods/exec` and the RBAC objects themselves; every group includes each CRD "
    "installed later. Nobody reviews what a wildcard will mean next release.",
    "List the verbs, resources and API groups the workload really uses (the audit log or "
    "`kubectl auth can-i --list` of a test run shows them).",
    """
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch", "patch"]
""",
    cis="5.1.3",
    trivy=("KSV044", "KSV045", "KSV046"),
    checkov=("CKV_K8S_49",),
    kube_linter=("wildcard-in-rules",),
)

SECRETS = _rule(
    "R002",
    "rbac-secrets-read",
    "RBAC rule grants read access to secrets",
    Severity.MEDIUM,
    "A rule grants `get`, `list` or `watch` on `secrets` without `resourceNames`. `list` and "
    "`watch` return every secret with its full contents, not only names. Medium cluster-wide, "
    "low in a namespace or for `get` alone (names must be known). Medium, not high: ingress "
    "controllers, cert-manager and most operators need it, so it is a privilege to review and "
    "scope, not a mistake by itself. Rules limited by `resourceNames` are the recommended "
    "form and are not reported." + SCOPE_NOTE,
    "Secrets hold service account tokens, TLS keys, registry and database credentials: "
    "reading them is borrowing every identity they hold. Operators that manage secrets "
    "really need it; that is still a privilege to keep to the namespaces and names they use.",
    "Grant `get` on the named secrets only, in a Role in the namespace that holds them; "
    "mount secrets into pods instead of reading them through the API.",
    """
kind: Role
metadata: {name: read-tls, namespace: shop}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["shop-tls"]
    verbs: ["get"]
""",
    cis="5.1.2",
    trivy=("KSV041", "KSV113"),
    kube_linter=("access-to-secrets",),
)

POD_EXEC = _rule(
    "R003",
    "rbac-pod-exec",
    "RBAC rule grants exec, attach or port-forward into pods",
    Severity.HIGH,
    "A rule grants `create` or `get` (WebSocket clients use GET) on `pods/exec` or "
    "`pods/attach` (high cluster-wide, medium in a namespace), or on `pods/portforward` "
    "(one step lower)." + SCOPE_NOTE,
    "A shell in a pod is everything the pod has: its service account token, mounted "
    "secrets, its network position and, for a privileged pod, the node. Port-forwarding "
    "reaches pod ports past every NetworkPolicy.",
    "Drop exec/attach from automation roles; give humans time-bound access through a "
    "separate, audited role bound only while debugging (or use ephemeral debug containers "
    "under policy).",
    """
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
""",
    trivy=("KSV053", "KSV054"),
)

CREATE_PODS = _rule(
    "R004",
    "rbac-create-pods-escalation",
    "RBAC rule lets a subject run pods as a privileged service account",
    Severity.HIGH,
    "A rule grants `create` on pods or a pod controller (deployments, daemonsets, "
    "statefulsets, replicasets, jobs, cronjobs, replicationcontrollers) where a privileged "
    "service account lives: one that holds dangerous rights itself (reads secrets, "
    "cluster-admin-like, escalate/bind/impersonate, nodes/proxy, token or certificate "
    "minting, webhook writes) or whose pods run privileged. Held cluster-wide it is always "
    "reported (kube-system's controller accounts are such accounts in every cluster); in a "
    "namespace only when the scanned set shows a privileged account there. The message names "
    "the account. The same severity through a RoleBinding." + SCOPE_NOTE,
    "Whoever creates a pod chooses its `serviceAccountName`: the pod gets that account's "
    "token, so creating pods in a namespace is holding the rights of every account in it, "
    "and running privileged pods there is owning the node.",
    "Run privileged service accounts in their own namespace where nobody else creates pods; "
    "give deployers a namespace-scoped role; enforce Pod Security `restricted` where "
    "workloads are created.",
    """
kind: RoleBinding            # deployer may create workloads in shop only
metadata: {name: deployer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: workload-deployer}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
""",
    cis="5.1.4",
    trivy=("KSV048",),
    kube_linter=("access-to-create-pods",),
)

ESCALATE = _rule(
    "R005",
    "rbac-escalate-bind-impersonate",
    "RBAC rule grants escalate, bind or impersonate",
    Severity.HIGH,
    "A rule grants `escalate` or `bind` on roles/clusterroles, or `impersonate` on users, "
    "groups, service accounts, uids or user extras (`*` verbs included). Critical when "
    "impersonation of any user or group is held cluster-wide; medium when `resourceNames` "
    "limits the targets; high through a RoleBinding." + SCOPE_NOTE,
    "These verbs switch off RBAC's escalation prevention: `escalate` writes rules the holder "
    "does not have, `bind` binds roles it does not hold (cluster-admin included), "
    "`impersonate` acts as another user or group, `system:masters` included.",
    "Remove the verbs; controllers that must create bindings should get `bind` limited by "
    "`resourceNames` to the roles they hand out.",
    """
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    resourceNames: ["tenant-viewer"]
    verbs: ["bind"]
""",
    cis="5.1.8",
    trivy=("KSV043",),
    checkov=("CKV_K8S_157", "CKV_K8S_158"),
)

NODES_PROXY = _rule(
    "R006",
    "rbac-nodes-proxy",
    "RBAC rule grants access to the kubelet API through nodes/proxy",
    Severity.HIGH,
    "A rule grants a verb on `nodes/proxy`. Nodes are cluster-scoped: through a RoleBinding "
    "it grants nothing (reported low)." + SCOPE_NOTE,
    "`nodes/proxy` reaches the full kubelet API of every node through the API server, "
    "including `/exec` and `/run` in any pod on the node, bypassing admission and the "
    "`pods/exec` audit trail; a WebSocket GET is enough.",
    "Scrape metrics through `nodes/metrics` and `nodes/stats` (or the kubelet's own "
    "authenticated endpoint) instead of the proxy.",
    """
rules:
  - apiGroups: [""]
    resources: ["nodes/metrics", "nodes/stats"]
    verbs: ["get"]
""",
    trivy=("KSV047",),
)

SA_TOKEN = _rule(
    "R007",
    "rbac-serviceaccount-token",
    "RBAC rule grants creating service account tokens",
    Severity.HIGH,
    "A rule grants `create` on `serviceaccounts/token` (high cluster-wide, medium in a "
    "namespace)." + SCOPE_NOTE,
    "The TokenRequest API mints a token for any service account in scope: the holder "
    "becomes each of them, without running a pod.",
    "Remove it; components that need a token for another audience use their own projected "
    "token volume.",
    """
volumes:
  - name: token
    projected:
      sources:
        - serviceAccountToken: {audience: vault, expirationSeconds: 600, path: token}
""",
)

CSR_APPROVAL = _rule(
    "R008",
    "rbac-csr-approval",
    "RBAC rule grants approving certificate signing requests",
    Severity.HIGH,
    "A rule grants `update`/`patch` on `certificatesigningrequests/approval` or `approve` on "
    "`signers`. High when the same role holds both and the signers include the API server "
    "client signers; medium otherwise (approving needs both)." + SCOPE_NOTE,
    "Approving a CSR for the `kubernetes.io/kube-apiserver-client` signer issues a client "
    "certificate for any user and group, `system:masters` included: a credential that RBAC "
    "cannot revoke.",
    "Leave approval to the controller manager; a custom approver gets `approve` only on its "
    "own signer name.",
    """
rules:
  - apiGroups: ["certificates.k8s.io"]
    resources: ["signers"]
    resourceNames: ["example.com/my-signer"]
    verbs: ["approve"]
""",
    checkov=("CKV_K8S_156",),
)

WEBHOOKS = _rule(
    "R009",
    "rbac-webhook-config-write",
    "RBAC rule grants writing admission webhook configurations",
    Severity.HIGH,
    "A rule grants create, update, patch, delete or deletecollection on "
    "`validatingwebhookconfigurations` or `mutatingwebhookconfigurations`. Medium when "
    "`resourceNames` limits it to named configurations; low through a RoleBinding (the "
    "objects are cluster-scoped)." + SCOPE_NOTE,
    "A mutating webhook sees and rewrites every object it selects, secrets and pod specs "
    "included; deleting a validating webhook switches off the policy engine behind it.",
    "Let the operator manage only its own configurations (`resourceNames`), or have the "
    "configuration installed by the deployment pipeline instead of the running operator.",
    """
rules:
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["validatingwebhookconfigurations"]
    resourceNames: ["my-operator-webhook"]
    verbs: ["get", "update", "patch"]
""",
    trivy=("KSV114",),
    checkov=("CKV_K8S_155",),
)

CLUSTER_ADMIN = _rule(
    "R010",
    "rbac-cluster-admin-binding",
    "cluster-admin bound to a user, group or service account",
    Severity.CRITICAL,
    "A binding grants `cluster-admin`, or a role with an every-verb, every-resource, "
    "every-group rule, to a subject outside `system:` (critical for a ClusterRoleBinding, "
    "high for a RoleBinding: full control of that namespace). A ClusterRoleBinding of the "
    "built-in `admin` or `edit` role (when the scanned set does not define it) is reported "
    "high: they read every namespace's secrets and exec into and create pods everywhere.",
    "cluster-admin is every permission on every object: one stolen token or compromised "
    "pipeline owns the cluster, its secrets and its nodes.",
    "Bind a role with the permissions the subject uses, in the namespaces it works in; keep "
    "cluster-admin for break-glass access.",
    """
kind: RoleBinding
metadata: {name: deployer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
""",
    cis="5.1.1",
    trivy=("KSV111",),
    kube_linter=("cluster-admin-role-binding",),
)

PUBLIC_BINDING = _rule(
    "R011",
    "rbac-public-binding",
    "Role bound to anonymous, unauthenticated or all authenticated users",
    Severity.CRITICAL,
    "A binding names `system:anonymous`, `system:unauthenticated` (critical) or "
    "`system:authenticated` (high). The built-in discovery roles the API server binds to "
    "them itself are not reported; a role that grants only non-resource URLs is low.",
    "Anyone who can reach the API server is `system:unauthenticated`; on managed clusters "
    "`system:authenticated` can include every account of the identity provider, not just "
    "your organisation.",
    "Bind named users, groups of your identity provider, or service accounts.",
    """
subjects:
  - {kind: Group, name: "oidc:platform-team", apiGroup: rbac.authorization.k8s.io}
""",
    trivy=("KSV122",),
)

DEFAULT_SA = _rule(
    "R012",
    "rbac-default-service-account",
    "Permissions bound to a namespace's default service account",
    Severity.MEDIUM,
    "A binding grants a role to the `default` service account (medium; high when the role "
    "holds a permission R001–R009 report or is cluster-admin, admin or edit).",
    "Every pod that names no `serviceAccountName` runs as `default`: permissions given to it "
    "go to every such pod in the namespace, including ones added later for other purposes.",
    "Create a dedicated service account for the workload that needs the permissions and "
    "bind the role to it.",
    """
kind: ServiceAccount
metadata: {name: reporter, namespace: shop}
---
kind: RoleBinding
metadata: {name: reporter, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reporter}
subjects:
  - {kind: ServiceAccount, name: reporter, namespace: shop}
""",
    cis="5.1.5",
    checkov=("CKV_K8S_42",),
)

AUTOMOUNT = _rule(
    "R013",
    "rbac-token-automount",
    "Token of a service account with permissions mounted by default",
    Severity.LOW,
    "A ServiceAccount that a binding grants permissions to does not set "
    "`automountServiceAccountToken: false`, so its token is mounted into every pod that runs "
    "as it; reported on the ServiceAccount, or on the workload when the account is not in the "
    "set and the pod does not opt out. Pods that set `automountServiceAccountToken` "
    "explicitly have decided and are not reported. Low: the permissions themselves are "
    "judged by R001–R012.",
    "A token mounted where the process never calls the API is a credential for the first "
    "attacker in the container, with every permission of the account.",
    "Set `automountServiceAccountToken: false` on the ServiceAccount and `true` on the pod "
    "specs that call the API.",
    """
kind: ServiceAccount
metadata: {name: prometheus, namespace: monitoring}
automountServiceAccountToken: false
---
# in the pod template of the workload that calls the API:
spec:
  serviceAccountName: prometheus
  automountServiceAccountToken: true
""",
    cis="5.1.6",
    trivy=("KSV036",),
)


# --------------------------------------------------------------------------- subjects


def _sa_of(s: Subject) -> Subject | None:
    """The service account a subject stands for (a ServiceAccount, or its user name)."""
    if s.kind == SERVICE_ACCOUNT:
        return s
    if s.kind == USER and s.name.startswith(SA_USER_PREFIX):
        ns, sep, name = s.name.removeprefix(SA_USER_PREFIX).partition(":")
        if sep and ns and name and ":" not in name:
            return Subject(SERVICE_ACCOUNT, name, ns)
    return None


def _public(s: Subject) -> str:
    """The public group a subject is ("" if none): anonymous counts as unauthenticated."""
    if s.kind == GROUP and s.name in PUBLIC_GROUPS:
        return s.name
    if s.kind == USER and s.name == ANONYMOUS:
        return UNAUTHENTICATED
    return ""


def _component(s: Subject) -> bool:
    """A control-plane or system component (``system:kube-scheduler``, ``system:nodes``…).

    Service accounts, the public groups and the all-service-accounts groups are not: they
    are ordinary identities or everyone."""
    if _sa_of(s) is not None or _public(s) or s.kind == SERVICE_ACCOUNT:
        return False
    return s.name.startswith("system:") and not s.name.startswith("system:serviceaccounts")


def _subject_note(b: Binding, pointer: str) -> str:
    """A note when the API server would reject the subject as written (wrong ``apiGroup``).

    The finding stays: the binding states its intent, and the fix of the typo grants it."""
    raw = as_dict(get(b.obj, pointer))
    group, kind = raw.get("apiGroup"), raw.get("kind")
    if group in (None, ""):
        return ""  # defaulted: "" for a ServiceAccount, rbac.authorization.k8s.io otherwise
    if kind == SERVICE_ACCOUNT and group != "":
        return (
            f" (as written the API server rejects the binding: a ServiceAccount subject takes "
            f'apiGroup "", not {group!r})'
        )
    if kind in (USER, GROUP) and group != "rbac.authorization.k8s.io":
        return (
            f" (as written the API server rejects the binding: a {kind} subject takes apiGroup "
            f"rbac.authorization.k8s.io, not {group!r})"
        )
    return ""


def _valid(s: Subject) -> bool:
    if s.kind == SERVICE_ACCOUNT:
        return bool(s.name and s.namespace)
    return s.kind in (USER, GROUP) and bool(s.name)


# --------------------------------------------------------------------------- rule matching


def _raw_list(objects: Sequence[Any], rule: PolicyRule, field_name: str) -> list[Any]:
    idx = rule.source.index
    if not 0 <= idx < len(objects):
        return []
    return as_list(get(objects[idx], f"{rule.pointer}/{field_name}"))


def _pointer(objects: Sequence[Any], rule: PolicyRule, field_name: str, value: str) -> str:
    """The pointer of the entry ``value`` in the rule's list (the list itself if absent)."""
    for i, v in enumerate(_raw_list(objects, rule, field_name)):
        if v == value:
            return f"{rule.pointer}/{field_name}/{i}"
    return f"{rule.pointer}/{field_name}"


def _granted(
    rule: PolicyRule,
    group: str,
    resources: Iterable[str],
    verbs: Iterable[str],
    *,
    star: bool = False,
) -> tuple[list[str], list[str]]:
    """(resources matched, verbs granted) of a rule for one group; '*' verbs count.

    Resources match as the authorizer matches them: by name, or a subresource through
    ``*/SUB`` (``*/exec`` is every ``exec`` subresource; ``pods/*`` is no wildcard at all).
    A resource reached only through a bare ``*`` is R001's, unless ``star`` is set and the
    verb is named: verbs that are themselves the danger (``escalate``, ``bind``,
    ``impersonate``, ``approve``) written out on every resource."""
    if not rule.api_group_matches(group):
        return [], []
    named = [
        r
        for r in resources
        if r in rule.resources
        or ("/" in r and f"*/{r.partition('/')[2]}" in rule.resources)
        or (star and "*" in rule.resources and "*" not in rule.verbs)
    ]
    if not named:
        return [], []
    if "*" in rule.verbs:
        return named, ["*"]
    return named, [v for v in verbs if v in rule.verbs]


def _secrets(rule: PolicyRule) -> list[str]:
    if rule.resource_names:
        return []
    res, verbs = _granted(rule, "", ("secrets",), READ_VERBS)
    return verbs if res else []


def _exec(rule: PolicyRule) -> tuple[list[str], list[str]]:
    res, verbs = _granted(
        rule, "", ("pods/exec", "pods/attach", "pods/portforward"), ("create", "get")
    )
    return (res, verbs) if verbs else ([], [])


def _pod_creation(rule: PolicyRule) -> tuple[list[str], list[str]]:
    names: list[str] = []
    verb: list[str] = []
    for group, resource in POD_CREATORS:
        _, verbs = _granted(rule, group, (resource,), ("create",))
        if verbs:
            names.append(f"{resource}.{group}" if group else resource)
            verb = verbs
    return names, verb


def _escalation(rule: PolicyRule) -> list[tuple[str, list[str]]]:
    """[(verb, resources)] for escalate, bind and impersonate."""
    out: list[tuple[str, list[str]]] = []
    rbac = "rbac.authorization.k8s.io"
    for verb, targets in (
        ("escalate", ((rbac, ("roles", "clusterroles")),)),
        ("bind", ((rbac, ("roles", "clusterroles")),)),
        (
            "impersonate",
            (
                ("", ("users", "groups", "serviceaccounts")),
                ("authentication.k8s.io", ("uids",)),
            ),
        ),
    ):
        names: list[str] = []
        for group, resources in targets:
            res, verbs = _granted(rule, group, resources, (verb,), star=True)
            if verbs:
                names.extend(res)
        if names:
            out.append((verb, names))
    return out


def _nodes_proxy(rule: PolicyRule) -> list[str]:
    res, verbs = _granted(rule, "", ("nodes/proxy",), ("get", *WRITE_VERBS))
    return verbs if res else []


def _token(rule: PolicyRule) -> list[str]:
    res, verbs = _granted(rule, "", ("serviceaccounts/token",), ("create",))
    return verbs if res else []


def _csr(rule: PolicyRule) -> tuple[list[str], list[str]]:
    """(verbs on certificatesigningrequests/approval, verbs 'approve' on signers)."""
    group = "certificates.k8s.io"
    _, approval = _granted(
        rule, group, ("certificatesigningrequests/approval",), ("update", "patch")
    )
    _, signers = _granted(rule, group, ("signers",), ("approve",), star=True)
    return approval, signers


def _client_signers(rule: PolicyRule) -> bool:
    """Whether an ``approve signers`` rule covers the API server client signers."""
    if not rule.resource_names:
        return True
    return any(
        n in ("kubernetes.io/*", "kubernetes.io/kube-apiserver-client")
        or n.startswith("kubernetes.io/kube-apiserver-client")
        for n in rule.resource_names
    )


def _webhooks(rule: PolicyRule) -> tuple[list[str], list[str]]:
    res, verbs = _granted(
        rule,
        "admissionregistration.k8s.io",
        ("validatingwebhookconfigurations", "mutatingwebhookconfigurations"),
        WRITE_VERBS,
    )
    return (res, verbs) if verbs else ([], [])


def _full_wildcard(rule: PolicyRule) -> bool:
    return "*" in rule.verbs and "*" in rule.resources and "*" in rule.api_groups


#: API groups whose resources hold or reach credentials, workloads, policy or the API itself
SENSITIVE_GROUPS = frozenset(
    {"", "*", "apps", "batch", "extensions", "rbac.authorization.k8s.io", "policy",
     "admissionregistration.k8s.io", "certificates.k8s.io", "authentication.k8s.io",
     "apiextensions.k8s.io", "apiregistration.k8s.io", "networking.k8s.io", "storage.k8s.io"}
)  # fmt: skip
#: R001 levels: (cluster-wide, namespaced) severity
_LEVELS = {
    2: (Severity.HIGH, Severity.MEDIUM),
    1: (Severity.MEDIUM, Severity.LOW),
    0: (Severity.LOW, Severity.LOW),
}


def _groups_text(groups: Sequence[str]) -> str:
    return ", ".join(g or '"" (core)' for g in groups)


def _wildcard(rule: PolicyRule) -> tuple[str, str, int] | None:
    """(field of the first wildcard, what it grants, level 0-2) of a rule, or None.

    Level 2: every verb on every resource, or every resource of a sensitive group with
    write verbs; 1: every resource read-only in a sensitive group, every resource of other
    groups, every verb on named resources, or every group; 0: read-only on every resource
    of groups that hold no credentials or workloads (metrics, CRDs)."""
    fields = [
        f
        for f, vals in (
            ("verbs", rule.verbs),
            ("resources", rule.resources),
            ("apiGroups", rule.api_groups),
        )
        if "*" in vals
    ]
    if not fields or not rule.api_groups or not any(rule.verbs):
        return None  # verbs [""] (or none) match no request: the rule grants nothing
    if _full_wildcard(rule):
        return fields[0], "every verb on every resource in every API group (cluster-admin)", 2
    level = 0
    if "*" in rule.verbs:
        verbs = "every verb (delete and deletecollection included)"
        level = 1
    else:
        verbs = ", ".join(rule.verbs)
    if "*" in rule.resources:
        sensitive = any(g in SENSITIVE_GROUPS for g in rule.api_groups)
        read_only = all(v in READ_VERBS for v in rule.verbs)
        if "*" in rule.api_groups:
            where = "every API group"
        else:
            where = "API group " + _groups_text(rule.api_groups)
        core = " (secrets and pods/exec included)" if rule.api_group_matches("") else ""
        resources = f"every resource of {where}{core}"
        level = max(level, (2 if not read_only else 1) if sensitive else (0 if read_only else 1))
    else:
        shown = ", ".join(rule.resources[:3])
        more = f" and {len(rule.resources) - 3} more" if len(rule.resources) > 3 else ""
        resources = shown + more
        if "*" in rule.api_groups:
            resources += " in every API group (CRDs installed later included)"
            level = max(level, 1)
    return fields[0], f"{verbs} on {resources}", level


def _dangers(rule: PolicyRule) -> list[str]:
    """Short reasons why holding this rule makes an account privileged (for R004, R012)."""
    out: list[str] = []
    if _full_wildcard(rule):
        return ["holds every permission"]
    if "*" in rule.resources and "*" in rule.verbs:
        out.append("holds every verb on every resource of its API groups")
    elif (
        "*" in rule.resources
        and rule.api_group_matches("")
        and not rule.resource_names
        and any(v in rule.verbs for v in READ_VERBS)
    ):
        out.append("reads secrets")
    if _secrets(rule):
        out.append("reads secrets")
    if _exec(rule)[1] and any(r != "pods/portforward" for r in _exec(rule)[0]):
        out.append("execs into pods")
    if _escalation(rule):
        out.append("can " + "/".join(v for v, _ in _escalation(rule)))
    if _nodes_proxy(rule):
        out.append("proxies to kubelets")
    if _token(rule):
        out.append("mints service account tokens")
    if any(_csr(rule)):
        out.append("approves certificates")
    if _webhooks(rule)[1]:
        out.append("writes admission webhooks")
    return list(dict.fromkeys(out))


def _verbs_text(verbs: Sequence[str]) -> str:
    return ", ".join(verbs)


# --------------------------------------------------------------------------- exposure


@dataclass
class _Exposure:
    """Who holds the rules a role lists, and where."""

    cluster_role: bool
    bindings: list[tuple[Binding, Role]] = field(default_factory=list)  # (binding, role it names)
    builtin: list[str] = field(default_factory=list)  # admin/edit/view through labels

    @property
    def latent(self) -> bool:
        return not self.bindings and not self.builtin

    @property
    def cluster_wide(self) -> bool:
        return bool(self.builtin) or any(b.scope is None for b, _ in self.bindings)

    @property
    def components_only(self) -> bool:
        return (
            bool(self.bindings)
            and not self.builtin
            and all(
                _component(s.subject)
                for b, _ in self.bindings
                for s in b.subjects
                if _valid(s.subject)
            )
        )

    def severity(self, cluster: Severity, namespaced: Severity) -> Severity:
        base = cluster if self.cluster_wide or (self.latent and self.cluster_role) else namespaced
        if self.latent:
            return Severity(max(Severity.LOW, min(base - 1, Severity.MEDIUM)))
        if self.components_only:
            return min(base, Severity.LOW)
        return base

    def held(self, source: ObjectRef) -> str:
        if self.latent:
            return "not bound in the scanned set (latent: whoever is bound to it later gets it)"
        items: list[str] = []
        for b, role in self.bindings:
            where = "cluster-wide" if b.scope is None else f"in namespace {b.scope}"
            through = "" if role.ref == source else f", through {role.ref}"
            for s in b.subjects:
                if _valid(s.subject):
                    items.append(f"{s.subject} ({where}, {b.ref}{through})")
        items.extend(f"everyone bound to the built-in {n} role (aggregated)" for n in self.builtin)
        shown = "; ".join(items[:3])
        if len(items) > 3:
            shown += f"; and {len(items) - 3} more"
        prefix = "held only by system components: " if self.components_only else "held by "
        return prefix + shown


def _scope_text(exp: _Exposure) -> str:
    if exp.cluster_wide or (exp.latent and exp.cluster_role):
        return "cluster-wide"
    ns = sorted({b.scope for b, _ in exp.bindings if b.scope is not None})
    if exp.latent or not ns:
        return "in its namespace"
    return "in namespace " + ", ".join(ns)


# --------------------------------------------------------------------------- the analysis


Found = dict[str, list[tuple[int, Violation]]]


class _Analysis:
    def __init__(self, objects: Sequence[Any]) -> None:
        self.objects = objects
        self.graph: Graph = build(objects, bootstrap=True)
        self.found: Found = {}
        self._holders: dict[ObjectRef, list[tuple[Binding, Role]]] = {}
        self._members: dict[str, set[ObjectRef]] = {}
        for b in self.graph.bindings:
            if b.role is None or not any(_valid(s.subject) for s in b.subjects):
                continue
            for ref in self._closure(b.role):
                self._holders.setdefault(ref, []).append((b, b.role))
        self._privileged: dict[Subject, str] | None = None

    def _closure(self, role: Role) -> set[ObjectRef]:
        """The role and every role whose rules reach it through aggregation."""
        out: set[ObjectRef] = set()
        todo = [role]
        while todo:
            r = todo.pop()
            if r.ref in out:
                continue
            out.add(r.ref)
            for m in r.aggregated_from:
                member = self.graph.cluster_roles.get(m.name)
                if member is not None:
                    todo.append(member)
        return out

    def exposure(self, role: Role) -> _Exposure:
        cluster = role.ref.kind == "ClusterRole"
        exp = _Exposure(cluster, list(self._holders.get(role.ref, [])))
        if cluster:
            for label, name in AGGREGATE_LABELS.items():
                if role.labels.get(label) == "true" and name not in self.graph.cluster_roles:
                    exp.builtin.append(name)
        return exp

    def add(self, code: str, index: int, pointer: str, message: str, sev: Severity) -> None:
        if index < 0:
            return
        self.found.setdefault(code, []).append(
            (index, Violation(code, pointer, message, None, sev))
        )

    # -- privileged service accounts (R004) ---------------------------------------------

    def privileged(self) -> dict[Subject, str]:
        """Service accounts of the set that hold dangerous rights, with the reason."""
        if self._privileged is not None:
            return self._privileged
        out: dict[Subject, str] = {}
        for sa in self.graph.known_service_accounts():
            reasons: list[str] = []
            for b, bound in self.graph.bindings_for(sa):
                if bound.subject.kind == GROUP:
                    continue  # group grants are everyone's, not this account's
                where = "cluster-wide" if b.scope is None else f"in namespace {b.scope}"
                if b.role is None:
                    if b.builtin_role and b.role_name in ("cluster-admin", "admin", "edit"):
                        reasons.append(f"is bound to {b.role_name} {where}")
                    continue
                for rule in b.role.rules:
                    for d in _dangers(rule):
                        reasons.append(f"{d} {where}")
            pods = [
                str(r.ref)
                for r in self.graph.runners_of(sa)
                if r.ref.index >= 0 and _privileged_pod(self.objects[r.ref.index])
            ]
            if pods:
                more = f" and {len(pods) - 2} more" if len(pods) > 2 else ""
                reasons.append(f"runs privileged pods ({', '.join(pods[:2])}{more})")
            if reasons:
                out[sa] = ", ".join(dict.fromkeys(reasons))
        self._privileged = out
        return out

    # -- the rules ------------------------------------------------------------------------

    def run(self) -> Found:
        roles = [*self.graph.roles.values(), *self.graph.cluster_roles.values()]
        for role in sorted(roles, key=lambda r: r.ref.index):
            if role.ref.index < 0 or role.selectors is not None:
                continue  # built-in, or aggregated: its written rules are replaced
            exp = self.exposure(role)
            for rule in role.own_rules:
                self.rule_checks(rule, exp)
        for b in self.graph.bindings:
            if b.ref.index >= 0:
                self.binding_checks(b)
        self.automount()
        return self.found

    def rule_checks(self, rule: PolicyRule, exp: _Exposure) -> None:
        o, idx, held = self.objects, rule.source.index, exp.held(rule.source)
        scope = _scope_text(exp)
        # R001 wildcards
        wild = _wildcard(rule)
        if wild is not None:
            field_name, what, level = wild
            cluster, namespaced = _LEVELS[level]
            self.add(
                "R001",
                idx,
                _pointer(o, rule, field_name, "*"),
                f"wildcard grants {what} {scope}; {held}",
                exp.severity(cluster, namespaced),
            )
        # R002 secrets
        verbs = _secrets(rule)
        if verbs:
            listing = any(v in ("list", "watch", "*") for v in verbs)
            first = next(v for v in (*READ_VERBS, "*") if v in verbs)
            note = " (list and watch return every secret's full contents, not only names)"
            sev = (
                exp.severity(Severity.MEDIUM, Severity.LOW)
                if listing
                else exp.severity(Severity.LOW, Severity.LOW)
            )
            self.add(
                "R002",
                idx,
                _pointer(o, rule, "verbs", first),
                f"grants {_verbs_text(verbs)} on secrets {scope}{note if listing else ''}; {held}",
                sev,
            )
        # R003 exec / attach / port-forward
        res, verbs = _exec(rule)
        if verbs:
            shell = any(r != "pods/portforward" for r in res)
            sev = exp.severity(Severity.HIGH, Severity.MEDIUM)
            if not shell or rule.resource_names:
                sev = Severity(max(Severity.LOW, sev - 1))
            what = (
                "a shell in every pod in scope, with its token and secrets"
                if shell
                else "network access to every pod port in scope, past NetworkPolicies"
            )
            self.add(
                "R003",
                idx,
                _pointer(o, rule, "verbs", verbs[0]),
                f"grants {_verbs_text(verbs)} on {', '.join(res)} {scope} ({what}); {held}",
                sev,
            )
        # R004 pod creation where privileged service accounts live
        res, verbs = _pod_creation(rule)
        if verbs:
            self.pod_creation(rule, exp, res, verbs)
        # R005 escalate / bind / impersonate
        esc = _escalation(rule)
        if esc:
            sev = exp.severity(Severity.HIGH, Severity.HIGH)
            impersonates = any(v == "impersonate" and {"users", "groups"} & set(r) for v, r in esc)
            if rule.resource_names:
                sev = min(sev, Severity.MEDIUM)
            elif impersonates and exp.cluster_wide and not exp.components_only:
                sev = Severity.CRITICAL
            why = {
                "escalate": "write rules it does not hold",
                "bind": "bind roles it does not hold, cluster-admin included",
                "impersonate": "act as other identities, system:masters included",
            }
            text = "; ".join(f"{v} on {', '.join(r)} ({why[v]})" for v, r in esc)
            verb = esc[0][0] if esc[0][0] in rule.verbs else "*"
            self.add(
                "R005", idx, _pointer(o, rule, "verbs", verb), f"grants {text} {scope}; {held}", sev
            )
        # R006 nodes/proxy
        verbs = _nodes_proxy(rule)
        if verbs:
            sev = exp.severity(Severity.HIGH, Severity.LOW)
            self.add(
                "R006",
                idx,
                _pointer(o, rule, "verbs", verbs[0]),
                f"grants {_verbs_text(verbs)} on nodes/proxy {scope} (the kubelet API of every "
                f"node: exec in any pod, unaudited); {held}",
                sev,
            )
        # R007 serviceaccounts/token
        verbs = _token(rule)
        if verbs:
            self.add(
                "R007",
                idx,
                _pointer(o, rule, "verbs", verbs[0]),
                f"grants {_verbs_text(verbs)} on serviceaccounts/token {scope} (a token for any "
                f"service account in scope); {held}",
                exp.severity(Severity.HIGH, Severity.MEDIUM),
            )
        # R008 certificate approval
        approval, signers = _csr(rule)
        if approval or signers:
            self.csr(rule, exp, approval, signers)
        # R009 admission webhooks
        res, verbs = _webhooks(rule)
        if verbs:
            sev = exp.severity(Severity.HIGH, Severity.LOW)
            if rule.resource_names:
                sev = min(sev, Severity.MEDIUM)
            self.add(
                "R009",
                idx,
                _pointer(o, rule, "verbs", verbs[0]),
                f"grants {_verbs_text(verbs)} on {', '.join(res)} {scope} (intercept or "
                f"rewrite objects at admission, or switch policy off); {held}",
                sev,
            )

    def pod_creation(
        self, rule: PolicyRule, exp: _Exposure, res: list[str], verbs: list[str]
    ) -> None:
        holders = {
            sa for b, _ in exp.bindings for s in b.subjects if (sa := _sa_of(s.subject)) is not None
        }
        cluster = exp.cluster_wide or (exp.latent and exp.cluster_role)
        if cluster:
            namespaces: set[str] | None = None
        elif exp.latent:
            namespaces = {rule.source.namespace}
        else:
            namespaces = {b.scope for b, _ in exp.bindings if b.scope is not None}
        victims = [
            (sa, why)
            for sa, why in sorted(self.privileged().items())
            if sa not in holders and (namespaces is None or sa.namespace in namespaces)
        ]
        shown = "; ".join(f"{sa} ({why})" for sa, why in victims[:2])
        if len(victims) > 2:
            shown += f"; and {len(victims) - 2} more"
        what = f"grants {_verbs_text(verbs)} on {', '.join(res)} {_scope_text(exp)}"
        if cluster:
            what += (
                ": a pod created in any namespace can run as any service account there and use "
                "its token, kube-system's controllers (near cluster-admin) included"
            )
            if victims:
                what += f"; privileged accounts in the set: {shown}"
        elif victims:
            what += (
                f", where privileged service accounts live: {shown} (a pod created there can "
                "run as any of them and use its token)"
            )
        elif namespaces and "kube-system" in namespaces:
            what += (
                ": a pod created there can run as any kube-system controller account "
                "(near cluster-admin) and use its token"
            )
        else:
            return
        self.add(
            "R004",
            rule.source.index,
            _pointer(self.objects, rule, "verbs", verbs[0]),
            f"{what}; {exp.held(rule.source)}",
            exp.severity(Severity.HIGH, Severity.HIGH),
        )

    def csr(
        self, rule: PolicyRule, exp: _Exposure, approval: list[str], signers: list[str]
    ) -> None:
        role = self.graph.cluster_roles.get(rule.source.name)
        rules = role.rules if role is not None and rule.source.kind == "ClusterRole" else (rule,)
        has_approval = any(_csr(r)[0] for r in rules)
        client = [r for r in rules if _csr(r)[1]]
        both = has_approval and bool(client)
        dangerous = both and any(_client_signers(r) for r in client)
        sev = exp.severity(Severity.HIGH if dangerous else Severity.MEDIUM, Severity.LOW)
        if approval:
            what = f"grants {_verbs_text(approval)} on certificatesigningrequests/approval"
            verb = approval[0]
        else:
            names = ", ".join(rule.resource_names) or "any signer"
            what = f"grants approve on signers ({names})"
            verb = signers[0]
        if dangerous:
            consequence = (
                "with signer approval in the same role: can issue API client certificates for "
                "any user or group, system:masters included"
            )
        elif both:
            consequence = "with approval limited to signers other than the API server client ones"
        else:
            consequence = "approving also needs the other half (approval subresource and signer)"
        self.add(
            "R008",
            rule.source.index,
            _pointer(self.objects, rule, "verbs", verb),
            f"{what} {_scope_text(exp)} ({consequence}); {exp.held(rule.source)}",
            sev,
        )

    # -- bindings (R010–R012) ------------------------------------------------------------

    def binding_checks(self, b: Binding) -> None:
        role = b.role
        admin = (b.role_kind == "ClusterRole" and b.role_name == "cluster-admin") or (
            role is not None and any(_full_wildcard(r) for r in role.rules)
        )
        near_admin = (
            b.scope is None
            and role is None
            and b.role_kind == "ClusterRole"
            and b.role_name in ("admin", "edit")
        )
        where = "cluster-wide" if b.scope is None else f"in namespace {b.scope}"
        for bound in b.subjects:
            s = bound.subject
            if not _valid(s):
                continue
            public = _public(s)
            if public:
                self.public(b, bound.pointer, s, public, _subject_note(b, bound.pointer))
                continue
            if admin and not _component(s):
                self.add(
                    "R010",
                    b.ref.index,
                    bound.pointer,
                    f"binds {b.role_ref} (every verb on every resource) {where} to {s}"
                    + _subject_note(b, bound.pointer),
                    Severity.CRITICAL if b.scope is None else Severity.HIGH,
                )
            elif near_admin and not _component(s):
                self.add(
                    "R010",
                    b.ref.index,
                    bound.pointer,
                    f"binds the built-in {b.role_name} role cluster-wide to {s}"
                    f"{_subject_note(b, bound.pointer)}: every "
                    "namespace's secrets, exec into and creating pods in every namespace "
                    "(kube-system included), which is near cluster-admin; bind it with a "
                    "RoleBinding in the namespaces the subject works in",
                    Severity.HIGH,
                )
            sa = _sa_of(s)
            if sa is not None and sa.name == "default" and not b.dangling:
                self.default_sa(b, bound.pointer, sa, admin)

    def public(self, b: Binding, pointer: str, s: Subject, group: str, bad: str = "") -> None:
        if b.role is None and b.role_name in HARMLESS_BUILTIN:
            return
        note = ""
        sev = PUBLIC_GROUPS[group]
        if b.role is None and b.dangling:
            sev, note = Severity.LOW, " (the role is not in the scanned set)"
        elif b.role is not None and not any(r.resources for r in b.role.rules):
            sev, note = Severity.LOW, " (the role grants only non-resource URLs)"
        who = (
            "anyone who can reach the API server, without credentials"
            if group == UNAUTHENTICATED
            else "every authenticated user and service account"
        )
        where = "cluster-wide" if b.scope is None else f"in namespace {b.scope}"
        self.add(
            "R011",
            b.ref.index,
            pointer,
            f"grants {b.role_ref} {where} to {s}{note}{bad}: {who}",
            sev,
        )

    def default_sa(self, b: Binding, pointer: str, sa: Subject, admin: bool) -> None:
        dangers: list[str] = []
        if b.role is not None:
            for r in b.role.rules:
                dangers.extend(_dangers(r))
        strong = admin or (b.role_name in ("admin", "edit") and b.role is None)
        sev = Severity.HIGH if dangers or strong else Severity.MEDIUM
        note = f" ({', '.join(dict.fromkeys(dangers))})" if dangers else ""
        where = "cluster-wide" if b.scope is None else f"in namespace {b.scope}"
        self.add(
            "R012",
            b.ref.index,
            pointer,
            f"grants {b.role_ref}{note} {where} to the default service account of namespace "
            f"{sa.namespace}: every pod there without a serviceAccountName gets it",
            sev,
        )

    # -- token automount (R013) ----------------------------------------------------------

    def automount(self) -> None:
        direct: dict[Subject, list[Binding]] = {}
        for b in self.graph.bindings:
            if b.dangling or b.ref.index < 0:
                continue
            if b.role is not None and not b.role.rules:
                continue
            for s in b.subjects:
                sa = _sa_of(s.subject)
                if sa is not None and b not in direct.get(sa, []):
                    direct.setdefault(sa, []).append(b)
        for sa, bindings in sorted(direct.items()):
            if sa.name == "default":
                continue  # R012 reports permissions given to the default account
            via = ", ".join(str(b.ref) for b in bindings[:3])
            if len(bindings) > 3:
                via += f" and {len(bindings) - 3} more"
            obj = self.graph.service_accounts.get((sa.namespace, sa.name))
            runners = [
                r for r in self.graph.runners_of(sa) if r.automount is None and r.ref.index >= 0
            ]
            if obj is not None:
                if obj.automount is not None or obj.ref.index < 0:
                    continue  # false: not mounted; true: mounted on purpose
                pods = ", ".join(str(r.ref) for r in runners[:3])
                mounted = f" ({pods})" if pods else ""
                self.add(
                    "R013",
                    obj.ref.index,
                    "/metadata/name",
                    f"{sa} holds permissions ({via}) and does not set "
                    f"automountServiceAccountToken: false: its token is mounted into every pod "
                    f"that runs as it{mounted}",
                    Severity.LOW,
                )
                continue
            for r in runners:
                w = Workload.of(self.objects[r.ref.index])
                pointer = r.pointer or (w.spec_pointer if w is not None else "")
                self.add(
                    "R013",
                    r.ref.index,
                    pointer,
                    f"pods mount the token of {sa}, which holds permissions ({via}); set "
                    f"automountServiceAccountToken: false unless the app calls the API",
                    Severity.LOW,
                )


def _privileged_pod(obj: Any) -> bool:
    w = Workload.of(obj)
    if w is None:
        return False
    if w.spec.get("hostPID") is True or any(
        isinstance(as_dict(v).get("hostPath"), dict) for _, v in w.volumes()
    ):
        return True
    return any(c.sc.get("privileged") is True for c in w.containers)


# --------------------------------------------------------------------------- the checks


def analyse(objects: Sequence[Any]) -> Found:
    """All R findings of one scanned set (R001–R013 share it through the set's context)."""
    return _Analysis(objects).run()


def _checker(code: str) -> Callable[[SetContext], Iterator[tuple[int, Violation]]]:
    def rbac_rule(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
        yield from ctx.derived(analyse).get(code, [])

    rbac_rule.__name__ = f"check_{code}"
    return rbac_rule


for _r in (
    WILDCARD,
    SECRETS,
    POD_EXEC,
    CREATE_PODS,
    ESCALATE,
    NODES_PROXY,
    SA_TOKEN,
    CSR_APPROVAL,
    WEBHOOKS,
    CLUSTER_ADMIN,
    PUBLIC_BINDING,
    DEFAULT_SA,
    AUTOMOUNT,
):
    check(_r, on=Target.SET)(_checker(_r.code))
