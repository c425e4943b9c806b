"""RBAC: the permission graph of a scanned set and the RBAC authorizer's answers, offline.

    graph = build(objects)                      # plain dicts of one scan
    graph.can(Subject.parse("sa/monitoring:prometheus-k8s"), "list", "secrets")
    graph.who_can("create", "pods/exec", namespace="prod")
    graph.effective(Subject("User", "alice"))

See docs/rbac.md for the semantics and what offline analysis cannot know.
"""

from __future__ import annotations

from hardhull.rbac.graph import (
    ALL_SERVICE_ACCOUNTS,
    ANONYMOUS,
    AUTHENTICATED,
    UNAUTHENTICATED,
    Binding,
    BoundSubject,
    Grant,
    Graph,
    Identity,
    ObjectRef,
    PodRunner,
    PolicyRule,
    Problem,
    Request,
    Role,
    ServiceAccount,
    Subject,
    build,
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
