"""The RBAC permission graph of a scanned set, and the RBAC authorizer's answers over it.

:func:`build` takes the objects of one scan (plain dicts) and indexes Roles, ClusterRoles
(aggregated ones resolved like the clusterrole-aggregation controller), RoleBindings,
ClusterRoleBindings, ServiceAccounts and the pod-bearing workloads that run as each service
account. :class:`Graph` then answers like the API server's RBAC authorizer
(``plugin/pkg/auth/authorizer/rbac``): ``can`` (``kubectl auth can-i``), ``who_can`` and
``effective`` (the rules a subject holds, each with the binding and role that grant it).

Every rule keeps the object that lists it and its JSON pointer (``/rules/2``), every subject
its pointer in the binding (``/subjects/0``), so findings can point at the exact line.
Objects are identified by their index in the list given to :func:`build`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.models.workload import (
    Workload,
    api_group,
    as_dict,
    as_list,
    object_name,
    object_namespace,
)
from hardhull.rbac.bootstrap import cluster_admin_objects, is_builtin
from hardhull.rbac.resources import BUILTIN, Resolver, ResourceArg, ResourceType
from hardhull.rbac.selectors import Selector, SelectorError, compile_selector, string_labels

RBAC_GROUP = "rbac.authorization.k8s.io"
SA_USER_PREFIX = "system:serviceaccount:"
ALL_SERVICE_ACCOUNTS = "system:serviceaccounts"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"

USER, GROUP, SERVICE_ACCOUNT = "User", "Group", "ServiceAccount"
_SUBJECT_KINDS = {
    "user": USER,
    "group": GROUP,
    "serviceaccount": SERVICE_ACCOUNT,
    "sa": SERVICE_ACCOUNT,
}


# ---------------------------------------------------------------------------------------------
# identities


@dataclass(frozen=True, order=True)
class ObjectRef:
    """Which input object: kind, name, namespace and its index in the list given to build()."""

    kind: str
    name: str
    namespace: str = ""
    index: int = -1  # -1: not an input object (a built-in, or a missing role)
    implicit_namespace: bool = False  # namespaced object without metadata.namespace

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"


@dataclass(frozen=True, order=True)
class Subject:
    """A subject as a binding names it; a ServiceAccount always carries its namespace."""

    kind: str  # User | Group | ServiceAccount
    name: str
    namespace: str = ""

    @property
    def username(self) -> str:
        """The user name the authenticator gives this subject ("" for a Group)."""
        if self.kind == SERVICE_ACCOUNT:
            return f"{SA_USER_PREFIX}{self.namespace}:{self.name}"
        return self.name if self.kind == USER else ""

    def __str__(self) -> str:
        if self.kind == SERVICE_ACCOUNT:
            return f"{SERVICE_ACCOUNT}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    @classmethod
    def service_account(cls, namespace: str, name: str) -> Subject:
        return cls(SERVICE_ACCOUNT, name, namespace)

    @classmethod
    def parse(cls, text: str) -> Subject:
        """``User/alice``, ``Group/devs``, ``ServiceAccount/NS/NAME`` (also ``sa/NS:NAME``) or
        a service account's user name ``system:serviceaccount:NS:NAME``."""
        text = text.strip()
        if text.startswith(SA_USER_PREFIX):
            sa = _sa_from_username(text)
            if sa is None:
                raise ValueError(f"{text!r}: expected system:serviceaccount:NAMESPACE:NAME")
            return sa
        kind_text, sep, name = text.partition("/")
        kind = _SUBJECT_KINDS.get(kind_text.lower())
        if not sep or kind is None or not name:
            raise ValueError(
                f"{text!r}: expected User/NAME, Group/NAME or ServiceAccount/NAMESPACE/NAME"
            )
        if kind != SERVICE_ACCOUNT:
            return cls(kind, name)
        ns, sep2, sa_name = name.partition("/") if "/" in name else name.partition(":")
        if not sep2 or not ns or not sa_name:
            raise ValueError(f"{text!r}: a service account is ServiceAccount/NAMESPACE/NAME")
        return cls(SERVICE_ACCOUNT, sa_name, ns)


def _sa_from_username(user: str) -> Subject | None:
    rest = user.removeprefix(SA_USER_PREFIX)
    ns, sep, name = rest.partition(":")
    if not sep or not ns or not name or ":" in name:
        return None
    return Subject(SERVICE_ACCOUNT, name, ns)


@dataclass(frozen=True)
class Identity:
    """What the authorizer sees of a requester: a user name and groups (``user.Info``)."""

    user: str
    groups: frozenset[str]

    @classmethod
    def of(cls, subject: Subject, groups: Iterable[str] = ()) -> Identity:
        """The identity a subject authenticates as.

        A service account gets ``system:serviceaccounts``, ``system:serviceaccounts:NS`` and
        ``system:authenticated``; a user ``system:authenticated`` (``system:unauthenticated``
        for ``system:anonymous``) plus the ``groups`` given, since only the authenticator knows
        the rest; a Group stands for a member known only by that group.
        """
        extra = set(groups)
        if subject.kind == USER:
            sa = (
                _sa_from_username(subject.name) if subject.name.startswith(SA_USER_PREFIX) else None
            )
            if sa is not None:
                subject = sa
            else:
                default = UNAUTHENTICATED if subject.name == ANONYMOUS else AUTHENTICATED
                return cls(subject.name, frozenset({default, *extra}))
        if subject.kind == SERVICE_ACCOUNT:
            ns_group = f"{ALL_SERVICE_ACCOUNTS}:{subject.namespace}"
            implicit = {ALL_SERVICE_ACCOUNTS, ns_group, AUTHENTICATED}
            return cls(subject.username, frozenset(implicit | extra))
        return cls("", frozenset({subject.name, *extra}))


# ---------------------------------------------------------------------------------------------
# rules, roles, bindings


@dataclass(frozen=True)
class Request:
    """The attributes of one request (``authorizer.Attributes``) that RBAC looks at."""

    verb: str
    resource: str = ""
    api_group: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""  # "" = cluster-scoped or all namespaces
    path: str = ""  # a non-resource URL; set → this is a non-resource request

    @property
    def is_resource(self) -> bool:
        return not self.path

    @property
    def combined_resource(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


@dataclass(frozen=True)
class PolicyRule:
    """One entry of a role's ``rules``, where it is written (the listing role and pointer)."""

    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    resource_names: tuple[str, ...]
    non_resource_urls: tuple[str, ...]
    source: ObjectRef
    pointer: str  # e.g. "/rules/2" in the source object

    @property
    def key(self) -> tuple[tuple[str, ...], ...]:
        """The rule's content, for equality regardless of where it is written."""
        return (
            self.verbs,
            self.api_groups,
            self.resources,
            self.resource_names,
            self.non_resource_urls,
        )

    def verb_matches(self, verb: str) -> bool:
        return any(v == "*" or v == verb for v in self.verbs)

    def api_group_matches(self, group: str) -> bool:
        return any(g == "*" or g == group for g in self.api_groups)

    def resource_matches(self, combined: str, subresource: str) -> bool:
        for r in self.resources:
            if r == "*" or r == combined:
                return True
            if subresource and r == f"*/{subresource}":
                return True
        return False

    def resource_name_matches(self, name: str) -> bool:
        return not self.resource_names or name in self.resource_names

    def non_resource_url_matches(self, path: str) -> bool:
        for url in self.non_resource_urls:
            if url == "*" or url == path:
                return True
            if url.endswith("*") and path.startswith(url.rstrip("*")):
                return True
        return False

    def allows(self, req: Request) -> bool:
        """``RuleAllows`` of the RBAC authorizer, exactly."""
        if not self.verb_matches(req.verb):
            return False
        if req.is_resource:
            return (
                self.api_group_matches(req.api_group)
                and self.resource_matches(req.combined_resource, req.subresource)
                and self.resource_name_matches(req.name)
            )
        return self.non_resource_url_matches(req.path)

    def __str__(self) -> str:
        parts = []
        for label, values in (
            ("apiGroups", self.api_groups),
            ("resources", self.resources),
            ("nonResourceURLs", self.non_resource_urls),
            ("resourceNames", self.resource_names),
            ("verbs", self.verbs),
        ):
            if values:
                shown = ", ".join(v or '""' for v in values)
                parts.append(f"{label}: [{shown}]")
        return "{" + "; ".join(parts) + "}"


@dataclass
class Role:
    """A Role or ClusterRole with its effective rules (aggregated ones: the controller's)."""

    ref: ObjectRef
    labels: dict[str, str]
    own_rules: tuple[PolicyRule, ...]
    selectors: tuple[Selector, ...] | None = None  # None: no aggregationRule
    rules: tuple[PolicyRule, ...] = ()
    aggregated_from: tuple[ObjectRef, ...] = ()
    obj: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def aggregated(self) -> bool:
        return self.selectors is not None


@dataclass(frozen=True)
class BoundSubject:
    subject: Subject
    pointer: str  # "/subjects/0" in the binding


@dataclass
class Binding:
    """A RoleBinding (scope: its namespace) or ClusterRoleBinding (scope: None, everywhere)."""

    ref: ObjectRef
    role_kind: str
    role_name: str
    role: Role | None  # None: the roleRef names a role that is not in the scanned set
    subjects: tuple[BoundSubject, ...]
    obj: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def scope(self) -> str | None:
        return self.ref.namespace if self.ref.kind == "RoleBinding" else None

    @property
    def builtin_role(self) -> bool:
        """The roleRef names a role the API server creates (``cluster-admin``, ``system:*``)."""
        ns = self.ref.namespace if self.role_kind == "Role" else ""
        return is_builtin(self.role_kind, self.role_name, ns)

    @property
    def dangling(self) -> bool:
        """The referenced role is neither in the set nor a built-in one: grants nothing."""
        return self.role is None and not self.builtin_role

    @property
    def role_ref(self) -> ObjectRef:
        """The referenced role (index -1 when it is missing)."""
        if self.role is not None:
            return self.role.ref
        ns = self.ref.namespace if self.role_kind == "Role" else ""
        return ObjectRef(self.role_kind, self.role_name, ns)


@dataclass(frozen=True)
class Grant:
    """Why a subject may do something: the binding, the role it references, the rule."""

    binding: ObjectRef
    role: ObjectRef  # the role the binding references
    rule: PolicyRule  # rule.source differs from role when the role is aggregated
    subject_pointer: str  # the subject's pointer in the binding
    scope: str | None  # the namespace the grant holds in; None: cluster-wide

    def __str__(self) -> str:
        where = f"in namespace {self.scope}" if self.scope is not None else "cluster-wide"
        via = "" if self.rule.source == self.role else f" (aggregated from {self.rule.source})"
        return f"{self.binding} → {self.role}{self.rule.pointer}{via} {where}"


@dataclass(frozen=True)
class ServiceAccount:
    ref: ObjectRef
    automount: bool | None  # automountServiceAccountToken; None: unset (the default is true)
    automount_pointer: str = ""


@dataclass(frozen=True)
class PodRunner:
    """A pod-bearing workload and the service account its pods run as."""

    ref: ObjectRef
    service_account: Subject
    pointer: str  # of serviceAccountName / serviceAccount; "" when it defaults to "default"
    automount: bool | None  # the pod spec's automountServiceAccountToken
    automount_pointer: str = ""


@dataclass(frozen=True)
class Problem:
    """Something in the RBAC objects that does not resolve as written (not a finding yet)."""

    ref: ObjectRef
    pointer: str
    message: str


# ---------------------------------------------------------------------------------------------
# the graph


def _norm_namespace(namespace: str | None) -> str:
    return "" if namespace in (None, "", "*") else str(namespace)


class Graph:
    def __init__(self, resolver: Resolver) -> None:
        self.roles: dict[tuple[str, str], Role] = {}  # (namespace, name)
        self.cluster_roles: dict[str, Role] = {}
        self.cluster_bindings: list[Binding] = []
        self.role_bindings: dict[str, list[Binding]] = {}  # namespace → bindings
        self.service_accounts: dict[tuple[str, str], ServiceAccount] = {}
        self.runners: list[PodRunner] = []
        self.problems: list[Problem] = []
        self.resolver = resolver
        # ("user", name) / ("group", name) → the bindings naming it
        self._index: dict[tuple[str, str], list[tuple[Binding, BoundSubject]]] = {}

    # -- views ------------------------------------------------------------------------------

    @property
    def bindings(self) -> list[Binding]:
        out = list(self.cluster_bindings)
        for ns in sorted(self.role_bindings):
            out.extend(self.role_bindings[ns])
        return out

    @property
    def dangling(self) -> list[Binding]:
        return [b for b in self.bindings if b.dangling]

    def runners_of(self, service_account: Subject) -> list[PodRunner]:
        return [r for r in self.runners if r.service_account == service_account]

    def known_service_accounts(self) -> list[Subject]:
        """Service accounts the set mentions: objects, workloads' accounts, binding subjects."""
        found = {Subject(SERVICE_ACCOUNT, name, ns) for ns, name in self.service_accounts}
        found.update(r.service_account for r in self.runners)
        for b in self.bindings:
            found.update(s.subject for s in b.subjects if s.subject.kind == SERVICE_ACCOUNT)
        return sorted(found, key=lambda s: (s.namespace, s.name))

    def parse_resource(self, text: str, subresource: str = "") -> ResourceArg:
        """``kubectl auth can-i``'s TYPE argument, resolved with the set's CRDs as well."""
        return self.resolver.parse(text, subresource)

    # -- the authorizer ---------------------------------------------------------------------

    def _request(
        self,
        verb: str,
        resource: str | ResourceArg,
        namespace: str | None,
        api_group: str,
        subresource: str,
        name: str,
    ) -> Request:
        if isinstance(resource, ResourceArg):
            return Request(
                verb,
                resource.resource,
                resource.api_group,
                subresource or resource.subresource,
                name,
                _norm_namespace(namespace),
            )
        if resource.startswith("/"):
            return Request(verb, path=resource)
        res, _, sub = resource.partition("/")
        return Request(verb, res, api_group, subresource or sub, name, _norm_namespace(namespace))

    def _scoped_bindings(self, req: Request) -> Iterable[Binding]:
        """The authorizer's visit order: ClusterRoleBindings, then the namespace's bindings."""
        yield from self.cluster_bindings
        if req.is_resource and req.namespace:
            yield from self.role_bindings.get(req.namespace, [])

    def authorize(self, identity: Identity, req: Request) -> Grant | None:
        for b in self._scoped_bindings(req):
            if b.role is None:
                continue
            bound = next((s for s in b.subjects if _applies(identity, s.subject)), None)
            if bound is None:
                continue
            for rule in b.role.rules:
                if rule.allows(req):
                    return Grant(b.ref, b.role.ref, rule, bound.pointer, b.scope)
        return None

    def can(
        self,
        subject: Subject,
        verb: str,
        resource: str | ResourceArg,
        namespace: str | None = None,
        api_group: str = "",
        subresource: str = "",
        name: str = "",
        groups: Iterable[str] = (),
    ) -> Grant | None:
        """``kubectl auth can-i VERB RESOURCE [-n NS] --as SUBJECT``: the first grant, or None.

        ``resource`` is a plural resource (``pods``), ``resource/subresource``, a
        :class:`ResourceArg`, or a non-resource URL starting with ``/``. ``namespace`` None
        (or "") asks cluster-wide: cluster-scoped resources or all namespaces, where only
        ClusterRoleBindings count. ``groups`` adds groups the authenticator would give a user.
        """
        req = self._request(verb, resource, namespace, api_group, subresource, name)
        return self.authorize(Identity.of(subject, groups), req)

    def who_can(
        self,
        verb: str,
        resource: str | ResourceArg,
        namespace: str | None = None,
        api_group: str = "",
        subresource: str = "",
        name: str = "",
        expand_groups: bool = False,
    ) -> list[tuple[Subject, Grant]]:
        """Every subject named by a binding that allows the request, with the grant.

        One entry per (subject, binding), ClusterRoleBindings first, in input order. With
        ``expand_groups``, the known service accounts that hold a granting group implicitly
        (``system:serviceaccounts[:NS]``, ``system:authenticated``) are listed after it.
        """
        req = self._request(verb, resource, namespace, api_group, subresource, name)
        out: list[tuple[Subject, Grant]] = []
        seen: set[tuple[Subject, ObjectRef]] = set()
        known = self.known_service_accounts() if expand_groups else []
        for b in self._scoped_bindings(req):
            if b.role is None:
                continue
            rule = next((r for r in b.role.rules if r.allows(req)), None)
            if rule is None:
                continue
            for bound in b.subjects:
                if not _valid_subject(bound.subject):
                    continue
                grant = Grant(b.ref, b.role.ref, rule, bound.pointer, b.scope)
                members = [bound.subject]
                if expand_groups and bound.subject.kind == GROUP:
                    members += [sa for sa in known if bound.subject.name in Identity.of(sa).groups]
                for member in members:
                    if (member, b.ref) not in seen:
                        seen.add((member, b.ref))
                        out.append((member, grant))
        return out

    def bindings_for(
        self, subject: Subject, groups: Iterable[str] = ()
    ) -> list[tuple[Binding, BoundSubject]]:
        """The bindings that apply to a subject (directly or through its groups)."""
        identity = Identity.of(subject, groups)
        keys = [("group", g) for g in sorted(identity.groups)]
        if identity.user:
            keys.insert(0, ("user", identity.user))
        found = {id(b) for key in keys for b, _ in self._index.get(key, [])}
        out: list[tuple[Binding, BoundSubject]] = []
        for b in self.bindings:  # ClusterRoleBindings, then RoleBindings by namespace
            if id(b) in found:
                # the first subject that applies, as the authorizer reports it
                bound = next(s for s in b.subjects if _applies(identity, s.subject))
                out.append((b, bound))
        return out

    def effective(self, subject: Subject, groups: Iterable[str] = ()) -> list[Grant]:
        """All rules a subject holds, each with its scope, binding and role (``can-i --list``).

        Rules of a ClusterRole bound by a RoleBinding hold only in that namespace; such a
        rule's nonResourceURLs grant nothing (non-resource requests see ClusterRoleBindings
        only) but the rule is listed as written.
        """
        out: list[Grant] = []
        for b, bound in self.bindings_for(subject, groups):
            if b.role is None:
                continue
            out.extend(Grant(b.ref, b.role.ref, r, bound.pointer, b.scope) for r in b.role.rules)
        return out


def _valid_subject(s: Subject) -> bool:
    if s.kind == SERVICE_ACCOUNT:
        return bool(s.namespace and s.name)
    return s.kind in (USER, GROUP) and bool(s.name)


def _applies(identity: Identity, s: Subject) -> bool:
    """``appliesToUser``: service account namespaces are already defaulted at build time."""
    if s.kind == USER:
        return bool(s.name) and identity.user == s.name
    if s.kind == GROUP:
        return s.name in identity.groups
    if s.kind == SERVICE_ACCOUNT:
        return bool(s.namespace) and identity.user == s.username
    return False


# ---------------------------------------------------------------------------------------------
# building


class _Builder:
    def __init__(self, default_namespace: str) -> None:
        self.default_namespace = default_namespace
        self.crd_types: list[ResourceType] = []
        self.graph = Graph(Resolver(BUILTIN))
        self.seen: dict[tuple[str, str, str], ObjectRef] = {}

    def problem(self, ref: ObjectRef, pointer: str, message: str) -> None:
        self.graph.problems.append(Problem(ref, pointer, message))

    def ref(self, obj: dict[str, Any], index: int, namespaced: bool) -> ObjectRef:
        kind = str(obj.get("kind"))
        ns = object_namespace(obj) if namespaced else ""
        implicit = namespaced and not ns
        ref = ObjectRef(
            kind,
            object_name(obj),
            ns or (self.default_namespace if namespaced else ""),
            index,
            implicit,
        )
        return ref

    def unique(self, ref: ObjectRef) -> None:
        key = (ref.kind, ref.namespace, ref.name)
        earlier = self.seen.get(key)
        if earlier is not None:
            self.problem(
                ref,
                "/metadata/name",
                f"{ref} is defined again (first at object "
                f"#{earlier.index}); the later definition wins",
            )
        self.seen[key] = ref

    def strings(self, ref: ObjectRef, value: Any, pointer: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(ref, pointer, "must be a list of strings; ignored")
            return ()
        out = []
        for i, v in enumerate(value):
            if isinstance(v, str):
                out.append(v)
            else:
                self.problem(ref, f"{pointer}/{i}", f"{v!r} is not a string; ignored")
        return tuple(out)

    def rules(self, ref: ObjectRef, obj: dict[str, Any]) -> tuple[PolicyRule, ...]:
        raw = obj.get("rules")
        if raw is not None and not isinstance(raw, list):
            self.problem(ref, "/rules", "rules must be a list; ignored")
        out = []
        for i, r in enumerate(as_list(raw)):
            p = f"/rules/{i}"
            if not isinstance(r, dict):
                self.problem(ref, p, "a rule must be a mapping; ignored")
                continue
            out.append(
                PolicyRule(
                    verbs=self.strings(ref, r.get("verbs"), p + "/verbs"),
                    api_groups=self.strings(ref, r.get("apiGroups"), p + "/apiGroups"),
                    resources=self.strings(ref, r.get("resources"), p + "/resources"),
                    resource_names=self.strings(ref, r.get("resourceNames"), p + "/resourceNames"),
                    non_resource_urls=self.strings(
                        ref, r.get("nonResourceURLs"), p + "/nonResourceURLs"
                    ),
                    source=ref,
                    pointer=p,
                )
            )
        return tuple(out)

    def add_role(self, obj: dict[str, Any], index: int) -> None:
        cluster = obj["kind"] == "ClusterRole"
        ref = self.ref(obj, index, namespaced=not cluster)
        self.unique(ref)
        labels = string_labels(as_dict(obj.get("metadata")).get("labels"))
        own = self.rules(ref, obj)
        role = Role(ref, labels, own, None, own, (), obj)
        if not cluster:
            if obj.get("aggregationRule") is not None:
                self.problem(ref, "/aggregationRule", "only a ClusterRole aggregates; ignored")
            self.graph.roles[(ref.namespace, ref.name)] = role
            return
        agg = obj.get("aggregationRule")
        if agg is not None:
            if not isinstance(agg, dict):
                self.problem(ref, "/aggregationRule", "aggregationRule must be a mapping; ignored")
            else:
                try:
                    sels = [compile_selector(s) for s in as_list(agg.get("clusterRoleSelectors"))]
                    role.selectors = tuple(sels)
                except SelectorError as exc:
                    self.problem(
                        ref,
                        "/aggregationRule/clusterRoleSelectors",
                        f"invalid selector ({exc}): the aggregation controller fails on it and "
                        "leaves the rules as written",
                    )
        self.graph.cluster_roles[ref.name] = role

    def add_binding(self, obj: dict[str, Any], index: int) -> Binding:
        cluster = obj["kind"] == "ClusterRoleBinding"
        ref = self.ref(obj, index, namespaced=not cluster)
        self.unique(ref)
        role_ref = as_dict(obj.get("roleRef"))
        role_kind = role_ref.get("kind") if isinstance(role_ref.get("kind"), str) else ""
        role_name = role_ref.get("name") if isinstance(role_ref.get("name"), str) else ""
        subjects: list[BoundSubject] = []
        for i, raw in enumerate(as_list(obj.get("subjects"))):
            p = f"/subjects/{i}"
            s = as_dict(raw)
            kind, name, ns = s.get("kind"), s.get("name"), s.get("namespace")
            if not isinstance(kind, str) or not isinstance(name, str) or not name:
                self.problem(ref, p, "a subject needs a kind and a name; ignored")
                continue
            if kind not in (USER, GROUP, SERVICE_ACCOUNT):
                self.problem(ref, p + "/kind", f"unknown subject kind {kind!r}: matches nobody")
                continue
            if kind == SERVICE_ACCOUNT:
                ns = ns if isinstance(ns, str) and ns else ("" if cluster else ref.namespace)
                if not ns:
                    self.problem(
                        ref,
                        p,
                        "a ServiceAccount subject of a ClusterRoleBinding needs a "
                        "namespace: it matches nobody",
                    )
                    continue
                subjects.append(BoundSubject(Subject(SERVICE_ACCOUNT, name, ns), p))
            else:
                subjects.append(BoundSubject(Subject(kind, name), p))
        binding = Binding(ref, str(role_kind), str(role_name), None, tuple(subjects), obj)
        if role_ref.get("apiGroup") not in (None, RBAC_GROUP):
            self.problem(ref, "/roleRef/apiGroup", f"roleRef.apiGroup must be {RBAC_GROUP}")
        if cluster:
            self.graph.cluster_bindings.append(binding)
        else:
            self.graph.role_bindings.setdefault(ref.namespace, []).append(binding)
        return binding

    def add_service_account(self, obj: dict[str, Any], index: int) -> None:
        ref = self.ref(obj, index, namespaced=True)
        self.unique(ref)
        am = obj.get("automountServiceAccountToken")
        am_ok = am if isinstance(am, bool) else None
        ptr = "/automountServiceAccountToken" if am_ok is not None else ""
        self.graph.service_accounts[(ref.namespace, ref.name)] = ServiceAccount(ref, am_ok, ptr)

    def add_workload(self, w: Workload, index: int) -> None:
        ref = self.ref(w.obj, index, namespaced=True)
        sa, ptr = "default", ""
        for fld in ("serviceAccountName", "serviceAccount"):
            v = w.spec.get(fld)
            if isinstance(v, str) and v:
                sa, ptr = v, f"{w.spec_pointer}/{fld}"
                break
        am = w.spec.get("automountServiceAccountToken")
        am_ok = am if isinstance(am, bool) else None
        am_ptr = f"{w.spec_pointer}/automountServiceAccountToken" if am_ok is not None else ""
        runner = PodRunner(ref, Subject(SERVICE_ACCOUNT, sa, ref.namespace), ptr, am_ok, am_ptr)
        self.graph.runners.append(runner)

    def add_crd(self, obj: dict[str, Any]) -> None:
        spec = as_dict(obj.get("spec"))
        names = as_dict(spec.get("names"))
        group, plural, kind = spec.get("group"), names.get("plural"), names.get("kind")
        if not (isinstance(group, str) and isinstance(plural, str) and isinstance(kind, str)):
            return
        short = tuple(s for s in as_list(names.get("shortNames")) if isinstance(s, str))
        singular = names.get("singular")
        if isinstance(singular, str) and singular and singular != kind.lower():
            short += (singular,)
        self.crd_types.append(
            ResourceType(plural, group, kind, short, spec.get("scope") != "Cluster")
        )

    def dedupe(self) -> None:
        """Later definitions of the same object replace earlier ones (as ``kubectl apply``)."""
        g = self.graph
        last = {(b.ref.kind, b.ref.namespace, b.ref.name): b.ref for b in g.bindings}
        g.cluster_bindings = [b for b in g.cluster_bindings if last[_key(b.ref)] == b.ref]
        for ns, bs in list(g.role_bindings.items()):
            g.role_bindings[ns] = [b for b in bs if last[_key(b.ref)] == b.ref]

    def link(self) -> None:
        g = self.graph
        for b in g.bindings:
            role: Role | None = None
            if b.role_kind == "ClusterRole":
                role = g.cluster_roles.get(b.role_name)
            elif b.role_kind == "Role":
                if b.scope is None:
                    self.problem(
                        b.ref,
                        "/roleRef/kind",
                        "a ClusterRoleBinding can only reference a ClusterRole: grants nothing",
                    )
                else:
                    role = g.roles.get((b.scope, b.role_name))
            else:
                self.problem(b.ref, "/roleRef/kind", f"unknown roleRef kind {b.role_kind!r}")
            b.role = role
            checkable = b.role_kind == "ClusterRole" or b.scope is not None
            if role is None and b.role_kind in ("Role", "ClusterRole") and checkable:
                if b.builtin_role:
                    msg = f"{b.role_ref} is a built-in role: its rules are not in the set"
                else:
                    msg = f"dangling roleRef: {b.role_ref} is not in the set"
                self.problem(b.ref, "/roleRef", msg)
            for bound in b.subjects:
                key = (
                    ("group", bound.subject.name)
                    if bound.subject.kind == GROUP
                    else ("user", bound.subject.username)
                )
                g._index.setdefault(key, []).append((b, bound))

    def aggregate(self) -> None:
        """The clusterrole-aggregation controller's steady state (least fixed point)."""
        g = self.graph
        aggregated = [r for r in g.cluster_roles.values() if r.selectors is not None]
        members: dict[str, list[Role]] = {}
        for r in aggregated:
            r.rules = ()
            picked: list[Role] = []
            for sel in r.selectors or ():
                matched = [c for c in g.cluster_roles.values() if sel.matches(c.labels)]
                picked.extend(
                    sorted(
                        (c for c in matched if c.ref.name != r.ref.name), key=lambda c: c.ref.name
                    )
                )
            members[r.ref.name] = picked
            names = dict.fromkeys(c.ref for c in picked)
            r.aggregated_from = tuple(names)
        changed = True
        rounds = 0
        while changed and rounds < 10_000:  # monotone: always converges
            changed = False
            rounds += 1
            for r in aggregated:
                rules: list[PolicyRule] = []
                keys: set[tuple[tuple[str, ...], ...]] = set()
                for c in members[r.ref.name]:
                    for rule in c.rules:
                        if rule.key not in keys:
                            keys.add(rule.key)
                            rules.append(rule)
                if tuple(rules) != r.rules:
                    r.rules = tuple(rules)
                    changed = True

    def finish(self) -> Graph:
        self.dedupe()
        self.aggregate()
        self.link()
        if self.crd_types:
            self.graph.resolver = Resolver((*BUILTIN, *self.crd_types))
        return self.graph


def _key(ref: ObjectRef) -> tuple[str, str, str]:
    return (ref.kind, ref.namespace, ref.name)


ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})


def build(
    objects: Sequence[Any], default_namespace: str = "default", bootstrap: bool = False
) -> Graph:
    """Build the permission graph of one scanned set of objects (plain dicts).

    Namespaced objects without ``metadata.namespace`` are taken to be in ``default_namespace``
    (where ``kubectl apply`` would put them without ``-n``); their refs say so. With
    ``bootstrap``, the built-in ``cluster-admin`` ClusterRole and its binding to
    ``system:masters`` are added (index -1) unless the set defines them.
    """
    b = _Builder(default_namespace)
    indexed: list[tuple[int, Any]] = list(enumerate(objects))
    if bootstrap:
        defined = {
            (o.get("kind"), object_name(o))
            for o in objects
            if isinstance(o, dict) and api_group(o.get("apiVersion")) == RBAC_GROUP
        }
        indexed = [
            (-1, o)
            for o in cluster_admin_objects()
            if (o["kind"], o["metadata"]["name"]) not in defined
        ] + indexed
    for i, obj in indexed:
        if not isinstance(obj, dict):
            continue
        kind, group = obj.get("kind"), api_group(obj.get("apiVersion"))
        if group == RBAC_GROUP and kind in ROLE_KINDS:
            b.add_role(obj, i)
        elif group == RBAC_GROUP and kind in BINDING_KINDS:
            b.add_binding(obj, i)
        elif group == "" and kind == "ServiceAccount":
            b.add_service_account(obj, i)
        elif group == "apiextensions.k8s.io" and kind == "CustomResourceDefinition":
            b.add_crd(obj)
        else:
            w = Workload.of(obj)
            if w is not None:
                b.add_workload(w, i)
    return b.finish()
