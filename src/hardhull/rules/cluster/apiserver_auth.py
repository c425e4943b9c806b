"""kube-apiserver authentication and authorization flags (A001–A004, A016, A017): anonymous
requests, static token files, the authorization modes, service account token lookup and the
unauthenticated insecure port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.cluster import APISERVER_DOC, cluster_rule
from hardhull.rules.cluster.flags import (
    APISERVER,
    LOOPBACK,
    BooleanFlag,
    component_flags,
    flag_rule,
)

AUTHN_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
AUTHZ_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/authorization/"

# --------------------------------------------------------------------------- authentication

ANONYMOUS = cluster_rule(
    "A001",
    "apiserver-anonymous-auth",
    "API server accepts anonymous requests",
    Severity.MEDIUM,
    what="kube-apiserver runs without `--anonymous-auth=false` (the default is true), and no "
    "`--authentication-config` file that could restrict anonymous access instead.",
    why="Requests without credentials are served as `system:anonymous` in group "
    "`system:unauthenticated`. Out of the box RBAC lets them read only health and version "
    "endpoints, but one careless binding to `system:unauthenticated` or `system:anonymous` "
    "opens the cluster to the internet. Note that kubeadm's liveness probes call `/livez` "
    "anonymously.",
    fix="Set `--anonymous-auth=false` (and give the probes credentials), or on Kubernetes 1.32+ "
    "use an AuthenticationConfiguration file whose `anonymous` section allows only the health "
    "endpoints.",
    example="""
apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
anonymous:
  enabled: true
  conditions:
    - path: /livez
    - path: /readyz
    - path: /healthz
""",
    cis="1.2.1",
    refs=(APISERVER_DOC, AUTHN_DOC),
)


# A001
@check(ANONYMOUS, on=Target.OBJECT, context=True)
def apiserver_anonymous_auth(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        value, ptr = f.boolean("anonymous-auth")
        if value is False:
            continue
        if value is None and f.has("authentication-config"):
            continue  # anonymous access is then configured in that file
        where = ptr or f.anchor
        how = "sets --anonymous-auth=true" if value else "does not set --anonymous-auth=false"
        flag = f.last("anonymous-auth")
        if flag is not None and flag.stray:
            how = (
                f'sets a bare --anonymous-auth, which means true ("{flag.stray}" in the next '
                "item is a separate argument, not its value; write --anonymous-auth=false)"
            )
        yield Violation("A001", where, f"{f.label()} {how}: unauthenticated requests are served")


TOKEN_FILE = cluster_rule(
    "A002",
    "apiserver-static-token-file",
    "API server authenticates with a static token or password file",
    Severity.HIGH,
    what="kube-apiserver sets `--token-auth-file` (or the removed `--basic-auth-file`).",
    why="Static tokens are long-lived cleartext credentials in a file on every control-plane "
    "node: they never expire, cannot be revoked without restarting the API server, and are "
    "often shared by people and scripts.",
    fix="Remove the flag and authenticate people with OIDC or client certificates and workloads "
    "with service account tokens.",
    example="""
# kube-apiserver: remove
#   - --token-auth-file=/etc/kubernetes/tokens.csv
# and use, for example:
    - --authentication-config=/etc/kubernetes/authn.yaml  # OIDC issuers
""",
    cis="1.2.2",
    refs=(APISERVER_DOC, AUTHN_DOC),
)


# A002
@check(TOKEN_FILE, on=Target.OBJECT, context=True)
def apiserver_static_token_file(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        for name in ("token-auth-file", "basic-auth-file"):
            flag = f.last(name)
            if flag is not None and flag.value:
                yield Violation(
                    "A002",
                    flag.pointer,
                    f"{f.label()} sets --{name}: static, never-expiring credentials",
                )


# --------------------------------------------------------------------------- authorization

ALWAYS_ALLOW = cluster_rule(
    "A003",
    "apiserver-always-allow",
    "API server authorizes every request",
    Severity.CRITICAL,
    what="kube-apiserver's `--authorization-mode` contains `AlwaysAllow`, or is not set at all "
    "(and no `--authorization-config` is given), in which case it defaults to `AlwaysAllow`.",
    why="Every authenticated user and service account is cluster-admin: RBAC is not consulted, "
    "so any pod's token can read every Secret and create privileged pods.",
    fix="Set `--authorization-mode=Node,RBAC`.",
    example="""
    - --authorization-mode=Node,RBAC
""",
    cis="1.2.6",
    refs=(APISERVER_DOC, AUTHZ_DOC),
)


# A003
@check(ALWAYS_ALLOW, on=Target.OBJECT, context=True)
def apiserver_always_allow(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        modes = f.values("authorization-mode")
        if not modes:
            if f.has("authorization-config") or f.has("authorization-mode"):
                continue
            yield Violation(
                "A003",
                f.anchor,
                f"{f.label()} sets no --authorization-mode: it defaults to AlwaysAllow",
            )
            continue
        for mode, flag in modes:
            if mode == "AlwaysAllow":
                yield Violation(
                    "A003",
                    flag.pointer,
                    f"{f.label()} authorizes with AlwaysAllow: every authenticated request "
                    "is allowed",
                )
                break


NODE_RBAC = cluster_rule(
    "A004",
    "apiserver-authorization-node-rbac",
    "API server authorization lacks Node or RBAC",
    Severity.MEDIUM,
    what="kube-apiserver's `--authorization-mode` does not include both `Node` and `RBAC`.",
    why="Without the Node authorizer (and the NodeRestriction admission plugin) a kubelet's "
    "credentials can read every Secret and modify any node, so one compromised node becomes "
    "the cluster. Without RBAC, roles and bindings have no effect.",
    fix="Set `--authorization-mode=Node,RBAC` (add `Webhook` after them if you use one).",
    example="""
    - --authorization-mode=Node,RBAC
""",
    cis="1.2.7, 1.2.8",
    refs=(APISERVER_DOC, "https://kubernetes.io/docs/reference/access-authn-authz/node/"),
)


# A004
@check(NODE_RBAC, on=Target.OBJECT, context=True)
def apiserver_authorization_node_rbac(
    obj: dict[str, Any], ctx: ObjectContext
) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        modes = f.values("authorization-mode")
        names = {m for m, _ in modes}
        if not modes or "AlwaysAllow" in names:
            continue  # A003
        lacking = [m for m in ("Node", "RBAC") if m not in names]
        if lacking:
            yield Violation(
                "A004",
                modes[-1][1].pointer,
                f"{f.label()} --authorization-mode lacks {' and '.join(lacking)}",
            )


# --------------------------------------------------------------------------- tokens, HTTP port

SA_LOOKUP = cluster_rule(
    "A016",
    "apiserver-service-account-lookup-disabled",
    "API server does not check service account tokens against etcd",
    Severity.MEDIUM,
    what="kube-apiserver sets `--service-account-lookup=false` (the default is true).",
    why="The API server then accepts a legacy service account token after its ServiceAccount or "
    "Secret was deleted: revoking a leaked token by deleting its account does not work.",
    fix="Remove the flag or set `--service-account-lookup=true`.",
    example="""
    - --service-account-lookup=true
""",
    cis="1.2.21",
)

# A016
flag_rule(
    SA_LOOKUP,
    APISERVER,
    BooleanFlag(
        "service-account-lookup",
        want=True,
        unset=False,
        harm="deleted service accounts' tokens stay valid",
    ),
)


INSECURE_PORT = cluster_rule(
    "A017",
    "apiserver-insecure-port",
    "API server serves an unauthenticated HTTP port",
    Severity.CRITICAL,
    what="kube-apiserver sets `--insecure-port` to a non-zero port, or `--insecure-bind-address` "
    "(flags of Kubernetes before 1.24; the port defaulted to 8080 before 1.20).",
    why="The insecure port skips authentication and authorization entirely: whoever reaches it "
    "is cluster-admin. Bound beyond localhost, that is anyone on the network; on localhost, "
    "any process on the node (or any hostNetwork pod).",
    fix="Set `--insecure-port=0` and remove `--insecure-bind-address` (or upgrade: the flags are "
    "gone in 1.24).",
    example="""
    - --insecure-port=0
""",
)


# A017
@check(INSECURE_PORT, on=Target.OBJECT, context=True)
def apiserver_insecure_port(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-apiserver"):
        port, ptr = f.scalar("insecure-port")
        if port is not None and port.strip() not in ("0", ""):
            yield Violation(
                "A017",
                ptr,
                f"{f.label()} serves unauthenticated, unauthorized HTTP on port {port.strip()}",
            )
            continue
        addr, aptr = f.scalar("insecure-bind-address")
        if addr and addr.strip() not in LOOPBACK and (port is None or port.strip() != "0"):
            yield Violation(
                "A017",
                aptr,
                f"{f.label()} binds the insecure HTTP port to {addr.strip()}",
            )
