"""AdmissionReview bodies and pods for the webhook tests: a hardened and a privileged pod, the
bundled examples as review bodies, and hypothesis strategies of malformed reviews with the
checks every answer must pass."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from hardhull.admission import review
from hardhull.frontends.kubernetes import parse_text
from tests.conftest import ROOT

DIGEST = "sha256:" + "a" * 64

IMG = f"registry.example/app:1.0@{DIGEST}"

SAMPLE_POLICY = ROOT / "examples" / "admission" / "policy.yaml"

PLURAL = {
    "Pod": "pods",
    "Deployment": "deployments",
    "StatefulSet": "statefulsets",
    "DaemonSet": "daemonsets",
    "ReplicaSet": "replicasets",
    "ReplicationController": "replicationcontrollers",
    "Job": "jobs",
    "CronJob": "cronjobs",
    "Secret": "secrets",
    "ConfigMap": "configmaps",
    "Role": "roles",
    "ClusterRole": "clusterroles",
    "RoleBinding": "rolebindings",
    "ClusterRoleBinding": "clusterrolebindings",
}


def hardened_pod(name: str = "web", namespace: str = "team") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "uid": "5c1e3d4f-0000-4000-8000-1"},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "runAsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "app",
                    "image": IMG,
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "64Mi"},
                        "limits": {"cpu": "1", "memory": "128Mi"},
                    },
                    "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
                    "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
                }
            ],
        },
    }


def privileged_pod() -> dict[str, Any]:
    pod = hardened_pod()
    pod["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    return pod


def review_body(
    obj: dict[str, Any] | None,
    operation: str = "CREATE",
    *,
    old: dict[str, Any] | None = None,
    uid: str = "705ab4f5-6393-11e8-b7cc-42010a800002",
    namespace: str | None = None,
    username: str = "alice@example.com",
    groups: tuple[str, ...] = ("developers", "system:authenticated"),
    dry_run: bool = False,
    sub_resource: str | None = None,
) -> dict[str, Any]:
    """An AdmissionReview as the API server sends it (admission.k8s.io/v1)."""
    src = obj if obj is not None else old
    assert src is not None
    api_version = src["apiVersion"]
    group, _, version = api_version.rpartition("/")
    kind = src["kind"]
    gvk = {"group": group, "version": version, "kind": kind}
    gvr = {"group": group, "version": version, "resource": PLURAL.get(kind, f"{kind.lower()}s")}
    ns = namespace if namespace is not None else src.get("metadata", {}).get("namespace", "")
    request: dict[str, Any] = {
        "uid": uid,
        "kind": gvk,
        "resource": gvr,
        "requestKind": gvk,
        "requestResource": gvr,
        "name": src.get("metadata", {}).get("name", ""),
        "operation": operation,
        "userInfo": {"username": username, "uid": "u-1", "groups": list(groups)},
        "object": obj,
        "oldObject": old,
        "dryRun": dry_run,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": f"{operation.title()}Options"},
    }
    if ns:
        request["namespace"] = ns
    if sub_resource:
        request["subResource"] = sub_resource
        request["requestSubResource"] = sub_resource
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def example(path: str, kind: str = "Deployment") -> dict[str, Any]:
    p = ROOT / path
    for o in parse_text(str(p), p.read_text()).objects:
        if o.data["kind"] == kind:
            return o.data
    raise AssertionError(f"no {kind} in {path}")


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _bases() -> list[dict[str, Any]]:
    shop, hard = example("examples/insecure/shop.yaml"), example("examples/hardened/shop.yaml")
    return [
        review_body(hardened_pod()),
        review_body(privileged_pod()),
        review_body(shop),
        review_body(example("examples/admission/near-miss.yaml")),
        review_body(shop, "UPDATE", old=hard),
        review_body(hardened_pod(), sub_resource="ephemeralcontainers"),
    ]


BASES = _bases()

KEYS = st.sampled_from(
    [
        "securityContext", "containers", "initContainers", "ephemeralContainers", "spec",
        "metadata", "template", "capabilities", "add", "drop", "privileged", "image", "name",
        "volumes", "hostPath", "annotations", "seccompProfile", "type", "runAsUser", "env",
        "jobTemplate", "hostNetwork", "kind", "apiVersion", "uid", "operation", "object",
        "oldObject", "hardhull.dev/ignore", "serviceAccountName", "ports", "hostPort",
    ]
)  # fmt: skip

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        ["", "0", "ALL", "RuntimeDefault", "/", "~1", "-", "Pod", "CREATE", "UPDATE", "v1",
         "apps/v1", "Deployment", "Localhost", "Unconfined", "K005: x", "SYS_ADMIN", "\x00\u202e"]
    ),
)  # fmt: skip

VALUES = st.recursive(
    SCALARS,
    lambda c: st.one_of(
        st.lists(c, max_size=4), st.dictionaries(st.text(max_size=10) | KEYS, c, max_size=4)
    ),
    max_leaves=12,
)


def _paths(o: Any, p: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield p
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _paths(v, (*p, k))
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from _paths(v, (*p, i))


@st.composite
def reviews(draw: st.DrawFn) -> dict[str, Any]:
    """A real AdmissionReview with 1-4 places replaced or added: every field of the review
    and of the object gets wrong types, odd strings and unexpected structure."""
    body = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_paths(body))))
        if not path:
            continue
        parent: Any = body
        for k in path[:-1]:
            parent = parent[k]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(KEYS | st.text(max_size=8))] = draw(VALUES)
        else:
            parent[path[-1]] = draw(VALUES)
    return body


def check_answer_json(out: Any, uid: str) -> dict[str, Any]:
    assert (out["apiVersion"], out["kind"]) == ("admission.k8s.io/v1", "AdmissionReview")
    resp = out["response"]
    assert resp["uid"] == uid
    assert isinstance(resp["allowed"], bool)
    if not resp["allowed"]:
        assert resp["status"]["code"] in (400, 403, 500)
        assert 0 < len(resp["status"]["message"]) <= review.MAX_MESSAGE
    warnings = resp.get("warnings", [])
    assert len(warnings) <= review.MAX_WARNINGS
    for w in warnings:
        assert 0 < len(w) < 120
        # the API server drops a warning with control characters (unicode.IsControl)
        assert not CONTROL.search(w), w
    for value in resp.get("auditAnnotations", {}).values():
        assert len(value) <= review.MAX_ANNOTATION
    return resp  # type: ignore[no-any-return]
