"""A realistic Kubernetes audit log for the runtime tests and benchmark (issue #12, section 4):
``audit.k8s.io/v1`` ``Event`` objects as the API server's log and webhook backends write them
(level ``RequestResponse``, stages ``ResponseStarted`` for long-running requests and
``ResponseComplete`` otherwise, the authorization annotations, request and response objects).

- :data:`ATTACKS`: scripted attacks, each a name and the events it makes: exec and attach into
  a pod, port-forward, an ephemeral debug container, a privileged pod, a hostPath pod of the
  host's root, host network/PID/IPC pods, a cluster-admin binding, a wildcard ClusterRole,
  secrets read by an unexpected user, anonymous requests allowed, a NodePort Service, a
  ConfigMap holding a credential, a ServiceAccount created in kube-system, hardhull's own
  webhook deleted, a mutating webhook created, the audit configuration changed (OpenShift's
  APIServer), a burst of forbidden requests with a stolen ServiceAccount token.
- :func:`benign` ``(n, seed)``: ordinary traffic: controllers renewing leases and updating
  endpoints and pod status, kubelets patching node status, an operator (``kubernetes-admin``)
  listing and reading, a CI ServiceAccount applying a hardened Deployment in its namespace,
  health probes of the anonymous user.
- :func:`cluster_operations`: normal operations that look like attacks (the control plane's
  privileged pods in kube-system, kubelets reading Secrets, a CA injector patching a webhook).
- :func:`event` builds one event; :func:`jsonl` writes events as JSON lines.

Deterministic for a seed; times advance by a few milliseconds per event.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 12, 6, 9, 0, 0, tzinfo=UTC)
ADMIN = {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]}
ATTACKER = {
    "username": "dev-intern@example.com",
    "uid": "oidc:7c1e",
    "groups": ["developers", "system:authenticated"],
}
ANONYMOUS = {"username": "system:anonymous", "groups": ["system:unauthenticated"]}
CI = {
    "username": "system:serviceaccount:shop:deployer",
    "uid": "5a0c8d4e-1f0b-4f6e-9a3e-0b6f4f9f2c11",
    "groups": ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
}
#: a ServiceAccount token used from outside the cluster, probing what it may do
STOLEN = {
    "username": "system:serviceaccount:shop:web",
    "uid": "0b9f6a3e-2c1d-4e8f-9a7b-5d4c3b2a1f00",
    "groups": ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
}
KCM = {"username": "system:kube-controller-manager", "groups": ["system:authenticated"]}
SCHEDULER = {"username": "system:kube-scheduler", "groups": ["system:authenticated"]}
_PLURAL = {
    "Pod": "pods",
    "Deployment": "deployments",
    "Service": "services",
    "ConfigMap": "configmaps",
    "Secret": "secrets",
    "ServiceAccount": "serviceaccounts",
    "ClusterRole": "clusterroles",
    "ClusterRoleBinding": "clusterrolebindings",
    "Lease": "leases",
    "Endpoints": "endpoints",
    "Node": "nodes",
}
_GROUP = {
    "deployments": ("apps", "v1"),
    "clusterroles": ("rbac.authorization.k8s.io", "v1"),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1"),
    "leases": ("coordination.k8s.io", "v1"),
    "validatingwebhookconfigurations": ("admissionregistration.k8s.io", "v1"),
    "mutatingwebhookconfigurations": ("admissionregistration.k8s.io", "v1"),
    "apiservers": ("config.openshift.io", "v1"),
}


class _Clock:
    def __init__(self, seed: int) -> None:
        self.now = T0
        self.rng = random.Random(seed)

    def tick(self) -> datetime:
        self.now += timedelta(milliseconds=self.rng.randint(1, 40))
        return self.now


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def event(
    clock: _Clock,
    user: dict[str, Any],
    verb: str,
    resource: str,
    *,
    namespace: str = "",
    name: str = "",
    subresource: str = "",
    code: int = 200,
    request_object: dict[str, Any] | None = None,
    response_object: dict[str, Any] | None = None,
    uri: str | None = None,
    stage: str = "ResponseComplete",
    decision: str = "allow",
    reason: str = "",
    query: str = "",
    user_agent: str = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
    source_ip: str = "10.0.12.7",
) -> dict[str, Any]:
    """One audit event (the fields the API server writes at level RequestResponse)."""
    group, version = _GROUP.get(resource, ("", "v1"))
    if uri is None:
        base = f"/apis/{group}/{version}" if group else "/api/v1"
        path = f"{base}/namespaces/{namespace}/{resource}" if namespace else f"{base}/{resource}"
        if (name and verb not in ("create", "list", "watch")) or (name and subresource):
            path += f"/{name}"
        if subresource:
            path += f"/{subresource}"
        uri = path + (f"?{query}" if query else "")
    received = clock.tick()
    ev: dict[str, Any] = {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "RequestResponse",
        "auditID": str(uuid.UUID(int=clock.rng.getrandbits(128))),
        "stage": stage,
        "requestURI": uri,
        "verb": verb,
        "user": user,
        "sourceIPs": [source_ip],
        "userAgent": user_agent,
        "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": _ts(received),
        "stageTimestamp": _ts(received + timedelta(milliseconds=3)),
        "annotations": {
            "authorization.k8s.io/decision": decision,
            "authorization.k8s.io/reason": reason,
        },
    }
    if resource:
        ref: dict[str, Any] = {"resource": resource, "apiVersion": version}
        if group:
            ref["apiGroup"] = group
        if namespace:
            ref["namespace"] = namespace
        if name:
            ref["name"] = name
        if subresource:
            ref["subresource"] = subresource
        ev["objectRef"] = ref
    if request_object is not None:
        ev["requestObject"] = request_object
    if response_object is not None:
        ev["responseObject"] = response_object
    return ev


def pod(
    name: str,
    namespace: str,
    image: str,
    *,
    container_security: dict[str, Any] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A Pod as kubectl sends it (before defaulting)."""
    container: dict[str, Any] = {"name": "app", "image": image}
    if container_security is not None:
        container["securityContext"] = container_security
    body: dict[str, Any] = {"containers": [container], **spec}
    if volumes:
        body["volumes"] = volumes
        container["volumeMounts"] = [
            {"name": v["name"], "mountPath": f"/mnt/{v['name']}"} for v in volumes
        ]
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


def _attacks(clock: _Clock) -> dict[str, list[dict[str, Any]]]:
    def exec_into(subresource: str) -> list[dict[str, Any]]:
        return [
            event(
                clock,
                ATTACKER,
                "create",
                "pods",
                namespace="shop",
                name="web-7d9f",
                subresource=subresource,
                stage="ResponseStarted",
                code=101,
                query="command=sh&container=app&stdin=true&tty=true",
            ),
            event(
                clock,
                ATTACKER,
                "create",
                "pods",
                namespace="shop",
                name="web-7d9f",
                subresource=subresource,
                code=101,
                query="command=sh&container=app&stdin=true&tty=true",
            ),
        ]

    def create_pod(p: dict[str, Any]) -> list[dict[str, Any]]:
        meta = p["metadata"]
        return [
            event(
                clock,
                ATTACKER,
                "create",
                "pods",
                namespace=meta["namespace"],
                name=meta["name"],
                code=201,
                request_object=p,
                response_object=p,
            )
        ]

    binding = {
        "kind": "ClusterRoleBinding",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": "intern-admin"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "cluster-admin",
        },
        "subjects": [
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": ATTACKER["username"]}
        ],
    }
    wildcard = {
        "kind": "ClusterRole",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": "everything"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    }
    nodeport = {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {"name": "debug", "namespace": "shop"},
        "spec": {"type": "NodePort", "ports": [{"port": 22, "nodePort": 30022}]},
    }
    leaky = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "app-config", "namespace": "shop"},
        "data": {"settings": "aws_access_key_id=AKIAQYLPMN5HHHFPZAM2\nregion=eu-west-1"},
    }
    injector = {
        "kind": "MutatingWebhookConfiguration",
        "apiVersion": "admissionregistration.k8s.io/v1",
        "metadata": {"name": "sidecar-injector"},
        "webhooks": [
            {
                "name": "inject.example.net",
                "clientConfig": {"url": "https://203.0.113.50/mutate"},
                "rules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE"],
                        "resources": ["pods"],
                    }
                ],
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
            }
        ],
    }
    sa = {
        "kind": "ServiceAccount",
        "apiVersion": "v1",
        "metadata": {"name": "backdoor", "namespace": "kube-system"},
    }
    return {
        "exec into a pod": exec_into("exec"),
        "attach to a pod": exec_into("attach"),
        "port-forward to a pod": [
            event(
                clock,
                ATTACKER,
                "create",
                "pods",
                namespace="shop",
                name="db-0",
                subresource="portforward",
                code=101,
                stage="ResponseStarted",
            ),
        ],
        "ephemeral debug container": [
            event(
                clock,
                ATTACKER,
                "patch",
                "pods",
                namespace="shop",
                name="web-7d9f",
                subresource="ephemeralcontainers",
                code=200,
                request_object={
                    "spec": {
                        "ephemeralContainers": [
                            {"name": "debugger", "image": "busybox", "targetContainerName": "app"}
                        ]
                    }
                },
            ),
        ],
        "privileged pod": create_pod(
            pod(
                "miner",
                "shop",
                "docker.io/library/alpine:3.20",
                container_security={"privileged": True},
            )
        ),
        "hostPath pod of the host's root": create_pod(
            pod(
                "rootfs",
                "shop",
                "docker.io/library/alpine:3.20",
                volumes=[{"name": "host", "hostPath": {"path": "/"}}],
            )
        ),
        "hostNetwork pod": create_pod(
            pod("sniffer", "shop", "docker.io/library/alpine:3.20", hostNetwork=True)
        ),
        "hostPID pod": create_pod(
            pod("peek", "shop", "docker.io/library/alpine:3.20", hostPID=True)
        ),
        "hostIPC pod": create_pod(
            pod("shm", "shop", "docker.io/library/alpine:3.20", hostIPC=True)
        ),
        "cluster-admin binding": [
            event(
                clock,
                ATTACKER,
                "create",
                "clusterrolebindings",
                name="intern-admin",
                code=201,
                request_object=binding,
                response_object=binding,
            ),
        ],
        "wildcard ClusterRole": [
            event(
                clock,
                ATTACKER,
                "create",
                "clusterroles",
                name="everything",
                code=201,
                request_object=wildcard,
                response_object=wildcard,
            ),
        ],
        "secrets read by an unexpected user": [
            event(clock, ATTACKER, "get", "secrets", namespace="shop", name="db-password"),
            event(clock, ATTACKER, "list", "secrets", namespace="kube-system"),
        ],
        "anonymous request allowed": [
            event(
                clock,
                ANONYMOUS,
                "list",
                "pods",
                namespace="shop",
                source_ip="203.0.113.9",
                user_agent="curl/8.5.0",
                reason="RBAC: allowed by ClusterRoleBinding "
                '"anonymous-view" of ClusterRole "view" to User "system:anonymous"',
            ),
        ],
        "NodePort Service": [
            event(
                clock,
                ATTACKER,
                "create",
                "services",
                namespace="shop",
                name="debug",
                code=201,
                request_object=nodeport,
                response_object=nodeport,
            ),
        ],
        "ConfigMap with a credential": [
            event(
                clock,
                ATTACKER,
                "create",
                "configmaps",
                namespace="shop",
                name="app-config",
                code=201,
                request_object=leaky,
                response_object=leaky,
            ),
        ],
        "hardhull's webhook deleted": [
            event(
                clock,
                ATTACKER,
                "delete",
                "validatingwebhookconfigurations",
                name="hardhull-admission",
            ),
        ],
        "mutating webhook created": [
            event(
                clock,
                ATTACKER,
                "create",
                "mutatingwebhookconfigurations",
                name="sidecar-injector",
                code=201,
                request_object=injector,
                response_object=injector,
            ),
        ],
        "audit configuration changed": [
            event(
                clock,
                ATTACKER,
                "patch",
                "apiservers",
                name="cluster",
                request_object={"spec": {"audit": {"profile": "None"}}},
            ),
        ],
        "forbidden requests burst": [
            event(
                clock,
                STOLEN,
                verb,
                resource,
                namespace=ns,
                code=403,
                decision="forbid",
                source_ip="198.51.100.23",
                user_agent="python-requests/2.32.3",
            )
            for ns in ("default", "kube-system", "shop")
            for verb, resource in (("list", "secrets"), ("list", "pods"), ("create", "pods"))
        ],
        "ServiceAccount in kube-system": [
            event(
                clock,
                ATTACKER,
                "create",
                "serviceaccounts",
                namespace="kube-system",
                name="backdoor",
                code=201,
                request_object=sa,
                response_object=sa,
            ),
        ],
    }


def attacks(seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    """The scripted attacks: name → the events it makes (see the module docstring)."""
    return _attacks(_Clock(seed))


ATTACKS = tuple(attacks())


def benign(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` events of ordinary cluster traffic (see the module docstring)."""
    clock = _Clock(seed)
    rng = clock.rng
    hardened = pod(
        "web-7d9f",
        "shop",
        "registry.example.com/shop/web:1.4.2",
        container_security={
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
    )
    deployment = {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": hardened["spec"]},
        },
    }
    nodes = [f"node-{i}" for i in range(5)]
    makers: list[Any] = [
        lambda: event(
            clock,
            KCM,
            "update",
            "leases",
            namespace="kube-system",
            name="kube-controller-manager",
            user_agent="kube-controller-manager/v1.31.2",
            source_ip="10.0.0.10",
        ),
        lambda: event(
            clock,
            SCHEDULER,
            "update",
            "leases",
            namespace="kube-system",
            name="kube-scheduler",
            user_agent="kube-scheduler/v1.31.2",
            source_ip="10.0.0.10",
        ),
        lambda: event(
            clock,
            KCM,
            "update",
            "endpoints",
            namespace="shop",
            name="web",
            user_agent="kube-controller-manager/v1.31.2",
            source_ip="10.0.0.10",
        ),
        lambda: (
            lambda node: event(
                clock,
                {
                    "username": f"system:node:{node}",
                    "groups": ["system:nodes", "system:authenticated"],
                },
                "patch",
                "nodes",
                name=node,
                subresource="status",
                user_agent="kubelet/v1.31.2",
                source_ip="10.0.1.2",
            )
        )(rng.choice(nodes)),
        lambda: event(clock, ADMIN, "list", "pods", namespace="shop"),
        lambda: event(clock, ADMIN, "get", "deployments", namespace="shop", name="web"),
        lambda: event(
            clock,
            CI,
            "patch",
            "deployments",
            namespace="shop",
            name="web",
            request_object=deployment,
            response_object=deployment,
            user_agent="argocd-application-controller/v2.13",
        ),
        lambda: event(
            clock,
            ANONYMOUS,
            "get",
            "",
            uri="/readyz",
            decision="allow",
            user_agent="kube-probe/1.31",
            source_ip="10.0.1.2",
        ),
        lambda: event(
            clock,
            ANONYMOUS,
            "get",
            "",
            uri="/livez",
            decision="allow",
            user_agent="kube-probe/1.31",
            source_ip="10.0.1.2",
        ),
    ]
    for _ in range(n):
        yield rng.choice(makers)()


def cluster_operations(seed: int = 11) -> list[dict[str, Any]]:
    """Normal operations that look like the attacks: what rules must not report by default.
    The control plane creating a privileged, host-network kube-proxy pod in kube-system; a
    kubelet and the controller manager reading Secrets; cert-manager's CA injector patching a
    webhook's caBundle; probes and discovery by the anonymous user; a denied exec answered
    403 (reported: see the exec rule) is not here."""
    clock = _Clock(seed)
    proxy = pod(
        "kube-proxy-x7k2p",
        "kube-system",
        "registry.k8s.io/kube-proxy:v1.31.2",
        container_security={"privileged": True},
        volumes=[{"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
        hostNetwork=True,
    )
    daemonset = {
        "username": "system:serviceaccount:kube-system:daemon-set-controller",
        "groups": ["system:serviceaccounts", "system:authenticated"],
    }
    node = {"username": "system:node:node-1", "groups": ["system:nodes", "system:authenticated"]}
    cainjector = {
        "username": "system:serviceaccount:cert-manager:cert-manager-cainjector",
        "groups": ["system:serviceaccounts", "system:authenticated"],
    }
    return [
        event(clock, daemonset, "create", "pods", namespace="kube-system",
              name="kube-proxy-x7k2p", code=201, request_object=proxy, response_object=proxy,
              user_agent="kube-controller-manager/v1.31.2"),
        event(clock, node, "get", "secrets", namespace="shop", name="db-password",
              user_agent="kubelet/v1.31.2"),
        event(clock, node, "watch", "secrets", namespace="shop", user_agent="kubelet/v1.31.2"),
        event(clock, KCM, "list", "secrets", namespace="kube-system"),
        event(clock, cainjector, "patch", "validatingwebhookconfigurations",
              name="cert-manager-webhook",
              request_object={"webhooks": [{"name": "webhook.cert-manager.io",
                                            "clientConfig": {"caBundle": "LS0tLS1CRUdJTg=="}}]},
              user_agent="cainjector/v1.16.1"),
        event(clock, ANONYMOUS, "get", "", uri="/version", user_agent="kubectl/v1.31.2"),
        event(clock, ANONYMOUS, "get", "", uri="/healthz", user_agent="kube-probe/1.31"),
        event(clock, ADMIN, "get", "validatingwebhookconfigurations", name="hardhull-admission"),
        event(clock, ADMIN, "create", "pods", namespace="shop", name="web-7d9f",
              subresource="exec", stage="ResponseComplete", code=101,
              query="command=date&container=app"),
    ]  # fmt: skip


def jsonl(events: Iterable[dict[str, Any]]) -> str:
    """Events as JSON lines (the audit log backend's format)."""
    return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)


__all__ = ["ATTACKS", "STOLEN", "attacks", "benign", "cluster_operations", "event", "jsonl", "pod"]
