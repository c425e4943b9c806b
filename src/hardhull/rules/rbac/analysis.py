"""The RBAC analysis of one scanned set, shared by every R rule: the permission graph, who
holds the rules each role lists (its :class:`Exposure`), and the privileged service accounts.

A check gets it with ``ctx.derived_from(analyse)``: computed on the first call, once per set.
The objects' files (``ctx.origins``) make definitions of one object in several files
alternatives, each judged (see :func:`hardhull.rbac.build`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.context import SetContext
from hardhull.model import Severity
from hardhull.models.workload import Workload, as_dict
from hardhull.rbac.builder import build
from hardhull.rbac.graph import Graph
from hardhull.rbac.identities import GROUP, ObjectRef, Subject, is_valid
from hardhull.rbac.model import Binding, PolicyRule, Role
from hardhull.rules.rbac.matching import dangers
from hardhull.rules.rbac.subjects import is_component

AGGREGATE_LABELS = {
    f"rbac.authorization.k8s.io/aggregate-to-{name}": name for name in ("admin", "edit", "view")
}


@dataclass
class Exposure:
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
                is_component(s.subject)
                for b, _ in self.bindings
                for s in b.subjects
                if is_valid(s.subject)
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
                if is_valid(s.subject):
                    items.append(f"{s.subject} ({where}, {b.ref}{through})")
        items.extend(f"everyone bound to the built-in {n} role (aggregated)" for n in self.builtin)
        shown = "; ".join(items[:3])
        if len(items) > 3:
            shown += f"; and {len(items) - 3} more"
        prefix = "held only by system components: " if self.components_only else "held by "
        return prefix + shown

    @property
    def scope_text(self) -> str:
        """Where the holders hold the role's rules, for a message."""
        if self.cluster_wide or (self.latent and self.cluster_role):
            return "cluster-wide"
        ns = sorted({b.scope for b, _ in self.bindings if b.scope is not None})
        if self.latent or not ns:
            return "in its namespace"
        return "in namespace " + ", ".join(ns)


def privileged_pod(obj: Any) -> bool:
    """A pod-bearing object whose pods share the host's PIDs, mount a host path or run a
    privileged container."""
    w = Workload.of(obj)
    if w is None:
        return False
    if w.spec.get("hostPID") is True or any(
        isinstance(as_dict(v).get("hostPath"), dict) for _, v in w.volumes()
    ):
        return True
    return any(c.sc.get("privileged") is True for c in w.containers)


class Analysis:
    """The graph of one set and what the R rules derive from it."""

    def __init__(self, objects: Sequence[Any], origins: Sequence[str] | None = None) -> None:
        self.objects = objects
        self.origins = origins
        self.graph: Graph = build(objects, bootstrap=True, origins=origins)
        self._holders: dict[ObjectRef, list[tuple[Binding, Role]]] = {}
        for b in self.graph.bindings:
            if b.role is None or not any(is_valid(s.subject) for s in b.subjects):
                continue
            for ref in self._closure(b.role):
                self._holders.setdefault(ref, []).append((b, b.role))

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
                member = self.graph.role_at(m)
                if member is not None:
                    todo.append(member)
        return out

    def exposure(self, role: Role) -> Exposure:
        cluster = role.ref.kind == "ClusterRole"
        exp = Exposure(cluster, list(self._holders.get(role.ref, [])))
        if cluster:
            for label, name in AGGREGATE_LABELS.items():
                if role.labels.get(label) == "true" and name not in self.graph.cluster_roles:
                    exp.builtin.append(name)
        return exp

    @functools.cached_property
    def role_rules(self) -> list[tuple[PolicyRule, Exposure]]:
        """The rules the roles of the set list, in the order of the set, each with who holds
        it (R001–R009 judge them). Built-in roles are not judged, nor the written rules of an
        aggregated ClusterRole (the aggregation replaces them)."""
        out: list[tuple[PolicyRule, Exposure]] = []
        for role in sorted(self.graph.all_roles, key=lambda r: r.ref.index):
            if role.ref.index < 0 or role.selectors is not None:
                continue
            exp = self.exposure(role)
            out.extend((rule, exp) for rule in role.own_rules if rule.source.index >= 0)
        return out

    @property
    def bindings(self) -> list[Binding]:
        """The bindings of the set (R010–R012 judge them), not the built-in ones."""
        return [b for b in self.graph.bindings if b.ref.index >= 0]

    @functools.cached_property
    def privileged(self) -> dict[Subject, str]:
        """Service accounts of the set that hold dangerous rights, with the reason (R004)."""
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
                    for d in dangers(rule):
                        reasons.append(f"{d} {where}")
            pods = [
                str(r.ref)
                for r in self.graph.runners_of(sa)
                if r.ref.index >= 0 and privileged_pod(self.objects[r.ref.index])
            ]
            if pods:
                more = f" and {len(pods) - 2} more" if len(pods) > 2 else ""
                reasons.append(f"runs privileged pods ({', '.join(pods[:2])}{more})")
            if reasons:
                out[sa] = ", ".join(dict.fromkeys(reasons))
        return out


def analyse(ctx: SetContext) -> Analysis:
    """The RBAC analysis of one scanned set (every R check asks for it through
    ``ctx.derived_from(analyse)``, so it is computed once per set)."""
    return Analysis(ctx.objects, ctx.origins)
