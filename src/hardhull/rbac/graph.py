"""The RBAC permission graph of a scanned set, and the RBAC authorizer's answers over it.

:class:`Graph` (made by :func:`hardhull.rbac.builder.build`) indexes Roles, ClusterRoles,
RoleBindings, ClusterRoleBindings, ServiceAccounts and the pod-bearing workloads that run as
each service account, and answers like the API server's RBAC authorizer
(``plugin/pkg/auth/authorizer/rbac``): ``can`` (``kubectl auth can-i``), ``who_can`` and
``effective`` (the rules a subject holds, each with the binding and role that grant it).
Objects are identified by their index in the list given to ``build``.
"""

from __future__ import annotations

from collections.abc import Iterable

from hardhull.rbac.identities import (
    GROUP,
    SERVICE_ACCOUNT,
    USER,
    Identity,
    ObjectRef,
    Subject,
    is_valid,
)
from hardhull.rbac.model import (
    Binding,
    BoundSubject,
    Grant,
    PodRunner,
    Problem,
    Request,
    Role,
    ServiceAccount,
)
from hardhull.rbac.resources import Resolver, ResourceArg


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
        #: every definition of each (kind, namespace, name), in input order (input objects only)
        self.definitions: dict[tuple[str, str, str], list[ObjectRef]] = {}
        #: (kind, namespace, name) → the definitions kept: one, or one per file with ``origins``
        self.role_variants: dict[tuple[str, str, str], list[Role]] = {}
        #: (namespace, name) → the ServiceAccount definitions kept, as ``role_variants``
        self.service_account_variants: dict[tuple[str, str], list[ServiceAccount]] = {}
        # ("user", name) / ("group", name) → the bindings naming it
        self._index: dict[tuple[str, str], list[tuple[Binding, BoundSubject]]] = {}

    def index_subjects(self) -> None:
        """Index the subjects of every binding by user name and group (what
        :meth:`bindings_for` looks up); called once the bindings are final."""
        self._index.clear()
        for b in self.bindings:
            for bound in b.subjects:
                key = (
                    ("group", bound.subject.name)
                    if bound.subject.kind == GROUP
                    else ("user", bound.subject.username)
                )
                self._index.setdefault(key, []).append((b, bound))

    # -- views ------------------------------------------------------------------------------

    @property
    def bindings(self) -> list[Binding]:
        out = list(self.cluster_bindings)
        for ns in sorted(self.role_bindings):
            out.extend(self.role_bindings[ns])
        return out

    @property
    def all_roles(self) -> list[Role]:
        """Every Role and ClusterRole kept, alternatives from other files included."""
        return [r for variants in self.role_variants.values() for r in variants]

    @property
    def all_cluster_roles(self) -> list[Role]:
        return [r for r in self.all_roles if r.ref.kind == "ClusterRole"]

    def role_at(self, ref: ObjectRef) -> Role | None:
        """The kept role defined by this object."""
        for r in self.role_variants.get((ref.kind, ref.namespace, ref.name), []):
            if r.ref == ref:
                return r
        return None

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
                if not is_valid(bound.subject):
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


def _applies(identity: Identity, s: Subject) -> bool:
    """``appliesToUser``: service account namespaces are already defaulted at build time."""
    if s.kind == USER:
        return bool(s.name) and identity.user == s.name
    if s.kind == GROUP:
        return s.name in identity.groups
    if s.kind == SERVICE_ACCOUNT:
        return bool(s.namespace) and identity.user == s.username
    return False
