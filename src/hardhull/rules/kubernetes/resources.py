"""Resource limits and requests (K024–K026)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Rule, Severity, Violation
from hardhull.models.workload import Container, Workload, as_dict
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule


def _resource_rule(
    code: str,
    slug: str,
    title: str,
    sev: Severity,
    what: str,
    why: str,
    trivy: tuple[str, ...],
    checkov: tuple[str, ...],
    kl: tuple[str, ...],
) -> Rule:
    return workload_rule(
        code,
        slug,
        title,
        sev,
        what=what,
        why=why,
        fix="Set requests to what the container normally uses and limits to what it may use "
        "at peak.",
        example="""
resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    cpu: 500m
    memory: 256Mi
""",
        cis="CIS Kubernetes Benchmark v1.9 5.7 (general policies)",
        nsa="Pod security: resource policies (denial of service)",
        trivy=trivy,
        checkov=checkov,
        kube_linter=kl,
        refs=("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",),
    )


def _resource_containers(w: Workload) -> Iterator[Container]:
    for c in w.containers:
        if c.kind != "ephemeralContainers":  # ephemeral containers cannot have resources
            yield c


def _res_where(c: Container, section: str) -> str:
    res = as_dict(c.data.get("resources"))
    if section in res:
        return f"{c.pointer}/resources/{section}"
    if "resources" in c.data:
        return f"{c.pointer}/resources"
    return c.pointer


def _has(c: Container, section: str, name: str) -> bool:
    return as_dict(as_dict(c.data.get("resources")).get(section)).get(name) not in (None, "")


def _pod_has(w: Workload, section: str, name: str) -> bool:
    """Pod-level resources (``spec.resources``, PodLevelResources): they bound every container
    that sets none of its own, so a container without its own value is not unbounded."""
    return as_dict(as_dict(w.spec.get("resources")).get(section)).get(name) not in (None, "")


MEMORY_LIMIT = _resource_rule(
    "K024",
    "memory-limit-missing",
    "No memory limit",
    Severity.MEDIUM,
    what="A container sets no `resources.limits.memory`.",
    why="Without a memory limit one container can exhaust the node's memory, trigger the OOM "
    "killer against other pods and take the node down (denial of service).",
    trivy=("KSV018",),
    checkov=("CKV_K8S_13",),
    kl=("unset-memory-requirements",),
)


# K024
@check(MEMORY_LIMIT, on=Target.WORKLOAD)
def memory_limit_missing(w: Workload) -> Iterator[Violation]:
    if _pod_has(w, "limits", "memory"):
        return
    for c in _resource_containers(w):
        if not _has(c, "limits", "memory"):
            yield Violation("K024", _res_where(c, "limits"), f"{c.label} has no memory limit")


CPU_LIMIT = _resource_rule(
    "K025",
    "cpu-limit-missing",
    "No CPU limit",
    Severity.LOW,
    what="A container sets no `resources.limits.cpu`.",
    why="Without a CPU limit a runaway or compromised container (a crypto-miner) can starve its "
    "neighbours on the node.",
    trivy=("KSV011",),
    checkov=("CKV_K8S_10", "CKV_K8S_11"),
    kl=("unset-cpu-requirements",),
)


# K025
@check(CPU_LIMIT, on=Target.WORKLOAD)
def cpu_limit_missing(w: Workload) -> Iterator[Violation]:
    if _pod_has(w, "limits", "cpu"):
        return
    for c in _resource_containers(w):
        if not _has(c, "limits", "cpu"):
            yield Violation("K025", _res_where(c, "limits"), f"{c.label} has no CPU limit")


REQUESTS = _resource_rule(
    "K026",
    "resource-requests-missing",
    "No CPU or memory request",
    Severity.LOW,
    what="A container sets no `resources.requests.cpu` or no `resources.requests.memory`.",
    why="Without requests the scheduler cannot place the pod sensibly and the pod is the first "
    "evicted under pressure (BestEffort QoS).",
    trivy=(),
    checkov=("CKV_K8S_10", "CKV_K8S_12"),
    kl=("unset-cpu-requirements", "unset-memory-requirements"),
)


# K026
@check(REQUESTS, on=Target.WORKLOAD)
def resource_requests_missing(w: Workload) -> Iterator[Violation]:
    for c in _resource_containers(w):
        # a limit without a request defaults the request to the limit
        missing = [
            n
            for n in ("cpu", "memory")
            if not _has(c, "requests", n)
            and not _has(c, "limits", n)
            and not _pod_has(w, "requests", n)
            and not _pod_has(w, "limits", n)
        ]
        if missing:
            yield Violation(
                "K026",
                _res_where(c, "requests"),
                f"{c.label} has no {' or '.join(missing)} request",
            )
