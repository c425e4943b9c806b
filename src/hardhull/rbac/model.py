"""The RBAC objects of a scan as the authorizer reads them: requests, rules, roles, bindings,
the grants that answer a request, and the service accounts and workloads that run as them.

Every rule keeps the object that lists it and its JSON pointer (``/rules/2``), every subject
its pointer in the binding (``/subjects/0``), so findings can point at the exact line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hardhull.rbac.bootstrap import is_builtin
from hardhull.rbac.identities import ObjectRef, Subject
from hardhull.rbac.selectors import Selector


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
