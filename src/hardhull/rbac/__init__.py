"""RBAC: the permission graph of a scanned set and the RBAC authorizer's answers, offline.

    graph = build(objects)                      # plain dicts of one scan
    graph.can(Subject.parse("sa/monitoring:prometheus-k8s"), "list", "secrets")
    graph.who_can("create", "pods/exec", namespace="prod")
    graph.effective(Subject("User", "alice"))

See docs/rbac.md for the semantics and what offline analysis cannot know. The modules:
:mod:`.identities` (objects, subjects, identities), :mod:`.model` (rules, roles, bindings,
grants), :mod:`.graph` (the authorizer's answers), :mod:`.builder` (objects → graph, with
aggregation), :mod:`.resources` (resource names as kubectl takes them), :mod:`.selectors`,
:mod:`.bootstrap` (the built-in roles).
"""

from __future__ import annotations

from hardhull.rbac.builder import build
from hardhull.rbac.graph import Graph
from hardhull.rbac.identities import (
    ALL_SERVICE_ACCOUNTS,
    ANONYMOUS,
    AUTHENTICATED,
    UNAUTHENTICATED,
    Identity,
    ObjectRef,
    Subject,
)
from hardhull.rbac.model import (
    Binding,
    BoundSubject,
    Grant,
    PodRunner,
    PolicyRule,
    Problem,
    Request,
    Role,
    ServiceAccount,
)
from hardhull.rbac.resources import ResourceArg, parse_resource
from hardhull.rbac.selectors import SelectorError, compile_selector

__all__ = [
    "ALL_SERVICE_ACCOUNTS",
    "ANONYMOUS",
    "AUTHENTICATED",
    "UNAUTHENTICATED",
    "Binding",
    "BoundSubject",
    "Grant",
    "Graph",
    "Identity",
    "ObjectRef",
    "PodRunner",
    "PolicyRule",
    "Problem",
    "Request",
    "ResourceArg",
    "Role",
    "SelectorError",
    "ServiceAccount",
    "Subject",
    "build",
    "compile_selector",
    "parse_resource",
]
