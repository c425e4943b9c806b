"""Health probes of long-running containers: liveness (K032) and readiness (K033); probes and
lifecycle hooks the kubelet sends to another host (K036)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Rule, Severity, Violation
from hardhull.models.workload import Workload, as_dict
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import GATEKEEPER, workload_rule

PROBES_DOC = (
    "https://kubernetes.io/docs/tasks/configure-pod-container/"
    "configure-liveness-readiness-startup-probes/"
)


def _probe_rule(code: str, probe: str, why: str, checkov: tuple[str, ...]) -> Rule:
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
        checkov=checkov,
        kube_linter=(f"no-{probe}-probe",),
        refs=(PROBES_DOC,),
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
    checkov=("CKV_K8S_8", "CKV_K8S_9"),
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
    checkov=("CKV_K8S_8", "CKV_K8S_9"),
)


# K033
@check(READINESS, on=Target.WORKLOAD)
def readiness_probe_missing(w: Workload) -> Iterator[Violation]:
    return _probe_missing(w, READINESS, "readinessProbe")


#: where a container names a handler the kubelet runs: probes, then lifecycle hooks
PROBE_FIELDS = ("livenessProbe", "readinessProbe", "startupProbe")
HOOK_FIELDS = ("postStart", "preStop")
#: the handler actions that take a ``host`` (exec, grpc and sleep do not)
HOST_ACTIONS = ("httpGet", "tcpSocket")

PROBE_HOST = workload_rule(
    "K036",
    "probe-host",
    "Probe or lifecycle hook aimed at another host",
    Severity.MEDIUM,
    what="A liveness, readiness or startup probe, or a postStart/preStop hook, sets "
    "`httpGet.host` or `tcpSocket.host`: the kubelet connects to that address instead of the "
    "pod's own IP. Reported whatever Pod Security level the scan judges by (the Pod Security "
    "Standards' Host Probes / Lifecycle Hooks control only exists from v1.34, and K100 can be "
    "disabled). Low when the pod uses the host network: it reaches the node's network already.",
    why="The kubelet makes the request from the node, outside the pod's network namespace and "
    "its NetworkPolicies: a pod author can make it open connections to the node's loopback "
    "services, the cloud metadata endpoint, or any address the node reaches (server-side "
    "request forgery, kubernetes/kubernetes#99425). The author sees whether each request "
    "succeeds, and for an HTTP probe that ends in a redirect the response body appears in the "
    "pod's events.",
    fix="Remove `host` so that the kubelet probes the pod's own IP; probe a port the container "
    "itself serves (or use an `exec` or `grpc` probe).",
    example="""
livenessProbe:
  httpGet:
    path: /healthz
    port: 8080
""",
    pss="baseline: Host Probes / Lifecycle Hooks (v1.34+)",
    refs=(
        PROBES_DOC,
        "https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/",
        "https://github.com/kubernetes/kubernetes/issues/99425",
        GATEKEEPER + "pod-security-policy/host-probes-lifecycle",
    ),
)


# K036
@check(PROBE_HOST, on=Target.WORKLOAD)
def probe_host(w: Workload) -> Iterator[Violation]:
    host_network = w.spec.get("hostNetwork") is True
    for c in w.containers:
        handlers = [(p, c.data.get(p), f"{c.pointer}/{p}") for p in PROBE_FIELDS]
        hooks = as_dict(c.data.get("lifecycle"))
        handlers += [(f"{h} hook", hooks.get(h), f"{c.pointer}/lifecycle/{h}") for h in HOOK_FIELDS]
        for where, handler, ptr in handlers:
            for action in HOST_ACTIONS:
                host = as_dict(as_dict(handler).get(action)).get("host")
                if not isinstance(host, str) or not host:
                    continue
                how = " (the pod shares the node's network)" if host_network else ""
                yield Violation(
                    "K036",
                    f"{ptr}/{action}/host",
                    f"{c.label} {where} makes the kubelet connect to host {host!r}{how}",
                    None,
                    Severity.LOW if host_network else None,
                )
