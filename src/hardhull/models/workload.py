"""The Kubernetes object model checks share: pod specs, containers, effective security context.

Everything here is pure and works on plain dicts, so the same code serves files, admission
requests and live clusters. Pointers are JSON pointers into the object as given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hardhull.formats.yamlpos import escape

#: kind → (pointer of the pod spec, pointer of the pod template metadata)
POD_PATHS: dict[str, tuple[str, str]] = {
    "Pod": ("/spec", "/metadata"),
    "PodTemplate": ("/template/spec", "/template/metadata"),
    "Deployment": ("/spec/template/spec", "/spec/template/metadata"),
    "StatefulSet": ("/spec/template/spec", "/spec/template/metadata"),
    "DaemonSet": ("/spec/template/spec", "/spec/template/metadata"),
    "ReplicaSet": ("/spec/template/spec", "/spec/template/metadata"),
    "ReplicationController": ("/spec/template/spec", "/spec/template/metadata"),
    "Job": ("/spec/template/spec", "/spec/template/metadata"),
    "CronJob": ("/spec/jobTemplate/spec/template/spec", "/spec/jobTemplate/spec/template/metadata"),
}
#: kind → the API groups in which that kind is the built-in workload kind. The same kind name in
#: any other group (``batch.volcano.sh`` Job, ``argoproj.io`` Rollout-like CRDs, …) is a
#: look-alike custom resource with its own schema, and no workload check applies to it.
WORKLOAD_GROUPS_BY_KIND: dict[str, frozenset[str]] = {
    "Pod": frozenset({""}),
    "PodTemplate": frozenset({""}),
    "ReplicationController": frozenset({""}),
    "Deployment": frozenset({"apps", "extensions"}),
    "ReplicaSet": frozenset({"apps", "extensions"}),
    "DaemonSet": frozenset({"apps", "extensions"}),
    "StatefulSet": frozenset({"apps"}),
    "Job": frozenset({"batch"}),
    "CronJob": frozenset({"batch"}),
}
CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")
LONG_RUNNING = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)


def api_group(api_version: Any) -> str:
    if not isinstance(api_version, str):
        return ""
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def is_builtin_workload(kind: Any, api_version: Any) -> bool:
    """True when ``kind``/``apiVersion`` name a built-in pod-bearing kind (not a look-alike CRD).

    The core group is spelled ``v1`` (no group, no slash); ``apps/v1``, ``batch/v1``,
    ``extensions/v1beta1`` and their beta versions name the others.
    """
    if not isinstance(kind, str) or not isinstance(api_version, str):
        return False
    groups = WORKLOAD_GROUPS_BY_KIND.get(kind)
    if groups is None:
        return False
    if "/" not in api_version:
        return "" in groups and api_version == "v1"
    group, version = api_version.split("/", 1)
    return group in groups and bool(version) and "/" not in version


def get(obj: Any, pointer: str) -> Any:
    """Resolve a JSON pointer; None when any step is missing or of the wrong type."""
    if not pointer:
        return obj
    cur = obj
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, dict):
            cur = cur.get(token)
        elif isinstance(cur, list):
            try:
                cur = cur[int(token)]
            except (ValueError, IndexError):
                return None
        else:
            return None
        if cur is None:
            return None
    return cur


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class Container:
    data: dict[str, Any]
    pointer: str
    kind: str  # "containers" | "initContainers" | "ephemeralContainers"
    index: int

    @property
    def name(self) -> str:
        n = self.data.get("name")
        return n if isinstance(n, str) and n else f"{self.kind}[{self.index}]"

    @property
    def label(self) -> str:
        kind = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}
        return f'{kind.get(self.kind, "container")} "{self.name}"'

    @property
    def sc(self) -> dict[str, Any]:
        return as_dict(self.data.get("securityContext"))

    @property
    def sc_pointer(self) -> str:
        return self.pointer + "/securityContext"


@dataclass(frozen=True)
class Effective:
    """A resolved security-context field: its value and where it was set ("" if nowhere)."""

    value: Any
    pointer: str


class Workload:
    """A pod-bearing object: its pod spec, template metadata and containers, with pointers."""

    def __init__(self, obj: dict[str, Any], spec_ptr: str, meta_ptr: str) -> None:
        self.obj = obj
        self.kind: str = obj.get("kind", "")
        self.spec_pointer = spec_ptr
        self.meta_pointer = meta_ptr
        self.spec: dict[str, Any] = as_dict(get(obj, spec_ptr))
        self.meta: dict[str, Any] = as_dict(get(obj, meta_ptr))
        self.annotations: dict[str, Any] = as_dict(self.meta.get("annotations"))
        self.pod_sc: dict[str, Any] = as_dict(self.spec.get("securityContext"))
        self.pod_sc_pointer = spec_ptr + "/securityContext"
        self.containers: list[Container] = []
        for field in CONTAINER_FIELDS:
            for i, c in enumerate(as_list(self.spec.get(field))):
                if isinstance(c, dict):
                    self.containers.append(Container(c, f"{spec_ptr}/{field}/{i}", field, i))

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> Workload | None:
        if not isinstance(obj, dict):
            return None
        kind = obj.get("kind")
        if not isinstance(kind, str) or not is_builtin_workload(kind, obj.get("apiVersion")):
            return None
        paths = POD_PATHS[kind]
        if not isinstance(get(obj, paths[0]), dict):
            return None
        return cls(obj, *paths)

    @property
    def long_running(self) -> bool:
        return self.kind in LONG_RUNNING and self.spec.get("restartPolicy") in (None, "Always")

    def effective(self, c: Container, field: str) -> Effective:
        """The kubelet's resolution: a container's field overrides the pod's field."""
        if field in c.sc and c.sc[field] is not None:
            return Effective(c.sc[field], f"{c.sc_pointer}/{field}")
        if field in self.pod_sc and self.pod_sc[field] is not None:
            return Effective(self.pod_sc[field], f"{self.pod_sc_pointer}/{field}")
        return Effective(None, "")

    def volumes(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for i, v in enumerate(as_list(self.spec.get("volumes"))):
            if isinstance(v, dict):
                yield i, v

    @property
    def windows(self) -> bool:
        """The pod declares ``spec.os.name: windows`` (Linux-only fields do not apply)."""
        return as_dict(self.spec.get("os")).get("name") == "windows"

    def mounts_of(self, volume: str) -> list[dict[str, Any]]:
        """Every ``volumeMounts`` entry, in any container, that mounts the named volume."""
        out: list[dict[str, Any]] = []
        for c in self.containers:
            for m in as_list(c.data.get("volumeMounts")):
                if isinstance(m, dict) and m.get("name") == volume:
                    out.append(m)
        return out

    def annotation_pointer(self, key: str) -> str:
        return f"{self.meta_pointer}/annotations/{escape(key)}"


def pod_spec_problem(obj: Mapping[str, Any]) -> str | None:
    """Why a built-in pod-bearing object has no pod spec to check, or None when it has one.

    A CronJob without ``jobTemplate``, a Deployment whose ``template`` has no ``spec``, a Pod
    whose ``spec`` is a list or null: the API server rejects all of them, and no workload
    check can run. Front ends report this as skipped (naming the missing pointer) instead of
    passing the object silently. Objects that are not built-in workloads return None.
    """
    if not isinstance(obj, dict):
        return None
    kind = obj.get("kind")
    if not isinstance(kind, str) or not is_builtin_workload(kind, obj.get("apiVersion")):
        return None
    spec_ptr = POD_PATHS[kind][0]
    cur: Any = obj
    walked = ""
    for token in spec_ptr[1:].split("/"):
        walked += "/" + token
        cur = cur.get(token) if isinstance(cur, dict) else None
        if cur is None:
            return f"{kind} has no {walked[1:].replace('/', '.')}: no workload check ran"
        if not isinstance(cur, dict):
            what = "a list" if isinstance(cur, list) else f"a {type(cur).__name__}"
            return (
                f"{kind} {walked[1:].replace('/', '.')} is {what}, not a mapping: "
                "no workload check ran"
            )
    return None


def object_namespace(obj: Mapping[str, Any]) -> str:
    ns = as_dict(obj.get("metadata")).get("namespace")
    return ns if isinstance(ns, str) else ""


def object_name(obj: Mapping[str, Any]) -> str:
    meta = as_dict(obj.get("metadata"))
    name = meta.get("name")
    if isinstance(name, str) and name:
        return name
    gen = meta.get("generateName")
    return f"{gen}*" if isinstance(gen, str) and gen else ""
