"""Health probes of long-running containers: liveness (K032) and readiness (K033)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Rule, Severity, Violation
from hardhull.models.workload import Workload
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule


def _probe_rule(code: str, probe: str, why: str, checkov: str) -> Rule:
    return workload_rule(
        code,
        f"{probe}-probe-missing",
        f"No {probe} probe",
        Severity.LOW,
        what=f"A long-running container has no `{probe}Probe`.",
        why=why,
        fix=f"Add a `{probe}Probe` that checks the application's own health endpoint.",
        example=f"""
{probe}Probe:
  httpGet:
    path: /healthz
    port: 8080
  periodSeconds: 10
""",
        checkov=(checkov,),
        kube_linter=(f"no-{probe}-probe",),
        refs=(
            "https://kubernetes.io/docs/tasks/configure-pod-container/"
            "configure-liveness-readiness-startup-probes/",
        ),
    )


def _probe_missing(w: Workload, rule: Rule, field: str) -> Iterator[Violation]:
    """One finding per app container of a long-running workload without ``field``."""
    if not w.long_running:
        return
    for c in w.containers:
        if c.kind == "containers" and not isinstance(c.data.get(field), dict):
            yield Violation(rule.code, c.pointer, f"{c.label} has no {field}")


LIVENESS = _probe_rule(
    "K032",
    "liveness",
    why="Without a liveness probe a hung process keeps its pod forever; availability is a "
    "security property too.",
    checkov="CKV_K8S_8",
)


# K032
@check(LIVENESS, on=Target.WORKLOAD)
def liveness_probe_missing(w: Workload) -> Iterator[Violation]:
    return _probe_missing(w, LIVENESS, "livenessProbe")


READINESS = _probe_rule(
    "K033",
    "readiness",
    why="Without a readiness probe traffic reaches pods that are not ready, and rolling updates "
    "cannot stop a broken release.",
    checkov="CKV_K8S_9",
)


# K033
@check(READINESS, on=Target.WORKLOAD)
def readiness_probe_missing(w: Workload) -> Iterator[Violation]:
    return _probe_missing(w, READINESS, "readinessProbe")
