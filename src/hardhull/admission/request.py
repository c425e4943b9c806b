"""Parsing an AdmissionReview (admission.k8s.io/v1): the request the webhook judges, and the
kinds it judges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardhull.models.workload import as_dict

API_VERSION = "admission.k8s.io/v1"
KIND = "AdmissionReview"
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")
EVALUATED = frozenset({"CREATE", "UPDATE"})

RBAC_GROUP = "rbac.authorization.k8s.io"
WORKLOAD_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Pod"),
        ("", "ReplicationController"),
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("apps", "ReplicaSet"),
        ("batch", "Job"),
        ("batch", "CronJob"),
    }
)
RBAC_KINDS: frozenset[tuple[str, str]] = frozenset(
    (RBAC_GROUP, k) for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
)
SECRET_KINDS: frozenset[tuple[str, str]] = frozenset({("", "Secret")})
SUPPORTED_KINDS = WORKLOAD_KINDS | RBAC_KINDS | SECRET_KINDS

MAX_ERROR_TEXT = 300  # a ReviewError's message (it may quote a value of the request)


class ReviewError(Exception):
    """A request that is not a usable AdmissionReview. ``uid`` is None when it has none."""

    def __init__(self, message: str, uid: str | None = None, reason: str = "malformed") -> None:
        if len(message) > MAX_ERROR_TEXT:  # it may quote a huge value of the request
            message = message[: MAX_ERROR_TEXT - 3] + "..."
        super().__init__(message)
        self.message = message
        self.uid = uid
        self.reason = reason


@dataclass(frozen=True)
class Request:
    uid: str
    operation: str
    group: str
    version: str
    kind: str
    resource: str
    sub_resource: str
    name: str
    namespace: str
    username: str
    groups: tuple[str, ...]
    obj: dict[str, Any] | None
    old: dict[str, Any] | None
    dry_run: bool

    @property
    def kind_key(self) -> tuple[str, str]:
        return (self.group, self.kind)

    @property
    def what(self) -> str:
        meta = as_dict(as_dict(self.obj).get("metadata"))
        name = self.name or meta.get("name") or meta.get("generateName") or ""
        if not isinstance(name, str) or not name:
            return self.kind
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{name}"


def _str(value: Any, what: str, uid: str | None, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ReviewError(
            f"{what} must be a non-empty string" if required else f"{what} must be a string", uid
        )
    return value


def _show(value: Any) -> str:
    """A short rendering of a value of the request for an error message (never huge)."""
    if isinstance(value, str):
        return repr(value[:60]) + ("..." if len(value) > 60 else "")
    if isinstance(value, dict | list):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    return repr(value)[:60]


def parse_review(body: Any) -> Request:
    """Validate a decoded AdmissionReview (admission.k8s.io/v1) and extract its request."""
    if not isinstance(body, dict):
        raise ReviewError("the body is not a JSON object")
    req = body.get("request")
    if not isinstance(req, dict):
        raise ReviewError("no 'request' object in the AdmissionReview")
    raw_uid = req.get("uid")
    if not isinstance(raw_uid, str) or not raw_uid:
        raise ReviewError("request.uid is missing or not a string")
    uid = raw_uid
    if body.get("apiVersion") != API_VERSION:
        raise ReviewError(
            f"apiVersion is {_show(body.get('apiVersion'))}; "
            f"this webhook speaks {API_VERSION} only",
            uid,
        )
    if body.get("kind") != KIND:
        raise ReviewError(f"kind is {_show(body.get('kind'))}; expected {KIND}", uid)
    operation = req.get("operation")
    if operation not in OPERATIONS:
        raise ReviewError(
            f"request.operation is {_show(operation)}; expected one of {', '.join(OPERATIONS)}", uid
        )
    gvk = req.get("kind")
    if not isinstance(gvk, dict):
        raise ReviewError("request.kind must be an object {group, version, kind}", uid)
    kind = _str(gvk.get("kind"), "request.kind.kind", uid, required=True)
    group = _str(gvk.get("group"), "request.kind.group", uid)
    version = _str(gvk.get("version"), "request.kind.version", uid)
    res = req.get("resource")
    if res is not None and not isinstance(res, dict):
        raise ReviewError("request.resource must be an object {group, version, resource}", uid)
    resource = _str(as_dict(res).get("resource"), "request.resource.resource", uid)
    sub = _str(req.get("subResource"), "request.subResource", uid)
    name = _str(req.get("name"), "request.name", uid)
    namespace = _str(req.get("namespace"), "request.namespace", uid)
    user = req.get("userInfo")
    if user is not None and not isinstance(user, dict):
        raise ReviewError("request.userInfo must be an object", uid)
    username = _str(as_dict(user).get("username"), "request.userInfo.username", uid)
    groups_raw = as_dict(user).get("groups")
    if groups_raw is not None and (
        not isinstance(groups_raw, list) or not all(isinstance(g, str) for g in groups_raw)
    ):
        raise ReviewError("request.userInfo.groups must be a list of strings", uid)
    obj = req.get("object")
    old = req.get("oldObject")
    if operation in EVALUATED and not isinstance(obj, dict):
        raise ReviewError(f"request.object must be an object for {operation}", uid)
    if old is not None and not isinstance(old, dict):
        raise ReviewError("request.oldObject must be an object or null", uid)
    dry = req.get("dryRun")
    if dry is not None and not isinstance(dry, bool):
        raise ReviewError("request.dryRun must be a boolean", uid)
    api_version = f"{group}/{version}" if group else version
    return Request(
        uid=uid,
        operation=operation,
        group=group,
        version=version,
        kind=kind,
        resource=resource,
        sub_resource=sub,
        name=name,
        namespace=namespace,
        username=username,
        groups=tuple(groups_raw or ()),
        obj=_typed(obj, api_version, kind) if isinstance(obj, dict) else None,
        old=_typed(old, api_version, kind) if isinstance(old, dict) else None,
        dry_run=bool(dry),
    )


def _typed(obj: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """The object with apiVersion and kind (the API server sends them; fill them if absent)."""
    if isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str):
        return obj
    return {"apiVersion": api_version, "kind": kind, **obj}


def group_of(api_version: Any) -> str:
    """The API group of an ``apiVersion`` ("" for the core group)."""
    return (
        api_version.split("/", 1)[0] if isinstance(api_version, str) and "/" in api_version else ""
    )
