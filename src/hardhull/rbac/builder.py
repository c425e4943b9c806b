"""Building the RBAC graph of a scanned set: :func:`build`.

It takes the objects of one scan (plain dicts), reads Roles, ClusterRoles, RoleBindings,
ClusterRoleBindings, ServiceAccounts, CRDs and the pod-bearing workloads, resolves aggregated
ClusterRoles like the clusterrole-aggregation controller, links bindings to their roles, and
records what does not resolve as written (:class:`~hardhull.rbac.model.Problem`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hardhull.models.workload import (
    Workload,
    api_group,
    as_dict,
    as_list,
    object_name,
    object_namespace,
)
from hardhull.rbac.bootstrap import cluster_admin_objects
from hardhull.rbac.graph import Graph
from hardhull.rbac.identities import GROUP, RBAC_GROUP, SERVICE_ACCOUNT, USER, ObjectRef, Subject
from hardhull.rbac.model import (
    Binding,
    BoundSubject,
    PodRunner,
    PolicyRule,
    Problem,
    Role,
    ServiceAccount,
)
from hardhull.rbac.resources import BUILTIN, Resolver, ResourceType
from hardhull.rbac.selectors import SelectorError, compile_selector, string_labels


class _Builder:
    def __init__(self, default_namespace: str, origins: Sequence[str] | None) -> None:
        self.default_namespace = default_namespace
        self.origins = origins
        self.crd_types: list[ResourceType] = []
        self.graph = Graph(Resolver(BUILTIN))
        self.seen: dict[tuple[str, str, str], ObjectRef] = {}

    def origin(self, ref: ObjectRef) -> str:
        """The file an object comes from ("" when not known, or not an input object)."""
        if self.origins is None or not 0 <= ref.index < len(self.origins):
            return ""
        return self.origins[ref.index]

    def alternative(self, ref: ObjectRef, other: ObjectRef) -> bool:
        """Two definitions of one object are alternatives (both kept) when they come from
        different files: environments of one repository, not one apply."""
        if self.origins is None or ref.index < 0 or other.index < 0:
            return False
        return self.origin(ref) != self.origin(other)

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
        if earlier is not None and not self.alternative(ref, earlier):
            self.problem(
                ref,
                "/metadata/name",
                f"{ref} is defined again (first at object "
                f"#{earlier.index}); the later definition wins",
            )
        if ref.index >= 0:
            self.graph.definitions.setdefault(key, []).append(ref)
        self.seen[key] = ref

    def keep_variant(self, variants: list[Any], item: Any) -> None:
        """Add a definition to the definitions of its object, replacing the one of its file."""
        ref: ObjectRef = item.ref
        variants[:] = [v for v in variants if self.alternative(ref, v.ref)]
        variants.append(item)

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
        self.keep_variant(
            self.graph.role_variants.setdefault((ref.kind, ref.namespace, ref.name), []), role
        )
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
        account = ServiceAccount(ref, am_ok, ptr)
        self.graph.service_accounts[(ref.namespace, ref.name)] = account
        self.keep_variant(
            self.graph.service_account_variants.setdefault((ref.namespace, ref.name), []),
            account,
        )

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
        """Later definitions of the same object replace earlier ones (as ``kubectl apply``);
        with ``origins``, only those of the same file (other files' are alternatives)."""
        g = self.graph
        last = {self.variant_key(b.ref): b.ref for b in g.bindings}
        g.cluster_bindings = [
            b for b in g.cluster_bindings if last[self.variant_key(b.ref)] == b.ref
        ]
        for ns, bs in list(g.role_bindings.items()):
            g.role_bindings[ns] = [b for b in bs if last[self.variant_key(b.ref)] == b.ref]

    def variant_key(self, ref: ObjectRef) -> tuple[str, str, str, str]:
        origin = self.origin(ref) if ref.index >= 0 else "\0built-in"
        return (ref.kind, ref.namespace, ref.name, origin)

    def role_for(self, b: Binding, kind: str, namespace: str) -> Role | None:
        """The definition of a binding's role: with several (from several files), the one
        nearest the binding's file (the longest common folder), the last on a tie."""
        variants = self.graph.role_variants.get((kind, namespace, b.role_name), [])
        if len(variants) < 2:
            return None
        here = _folders(self.origin(b.ref))
        best = max(
            range(len(variants)),
            key=lambda i: (_common(here, _folders(self.origin(variants[i].ref))), i),
        )
        role: Role = variants[best]
        return role

    def link(self) -> None:
        g = self.graph
        for b in g.bindings:
            role: Role | None = None
            if b.role_kind == "ClusterRole":
                role = self.role_for(b, "ClusterRole", "") or g.cluster_roles.get(b.role_name)
            elif b.role_kind == "Role":
                if b.scope is None:
                    self.problem(
                        b.ref,
                        "/roleRef/kind",
                        "a ClusterRoleBinding can only reference a ClusterRole: grants nothing",
                    )
                else:
                    role = self.role_for(b, "Role", b.scope) or g.roles.get((b.scope, b.role_name))
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

    def aggregate(self) -> None:
        """The clusterrole-aggregation controller's steady state (least fixed point)."""
        g = self.graph
        every = g.all_cluster_roles
        aggregated = [r for r in every if r.selectors is not None]
        members: dict[ObjectRef, list[Role]] = {}
        for r in aggregated:
            r.rules = ()
            picked: list[Role] = []
            for sel in r.selectors or ():
                matched = [c for c in every if sel.matches(c.labels)]
                picked.extend(
                    sorted(
                        (c for c in matched if c.ref.name != r.ref.name),
                        key=lambda c: (c.ref.name, c.ref.index),
                    )
                )
            members[r.ref] = picked
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
                for c in members[r.ref]:
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
        self.graph.index_subjects()
        if self.crd_types:
            self.graph.resolver = Resolver((*BUILTIN, *self.crd_types))
        return self.graph


def _folders(path: str) -> list[str]:
    return path.replace("\\", "/").split("/")[:-1]


def _common(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})


def build(
    objects: Sequence[Any],
    default_namespace: str = "default",
    bootstrap: bool = False,
    origins: Sequence[str] | None = None,
) -> Graph:
    """Build the permission graph of one scanned set of objects (plain dicts).

    Namespaced objects without ``metadata.namespace`` are taken to be in ``default_namespace``
    (where ``kubectl apply`` would put them without ``-n``); their refs say so. With
    ``bootstrap``, the built-in ``cluster-admin`` ClusterRole and its binding to
    ``system:masters`` are added (index -1) unless the set defines them.

    ``origins`` (the file of each object) reads the set as a repository rather than one apply:
    definitions of the same object in different files (``overlays/prod``, ``overlays/dev``)
    are alternatives, all kept (each binding grants, each role is bound by the bindings
    nearest to it); within one file the later definition wins. ``graph.definitions`` lists
    every definition of each object either way.
    """
    b = _Builder(default_namespace, origins)
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
