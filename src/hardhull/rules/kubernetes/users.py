"""Who the containers run as: root or a low uid (K003–K005) and the root group (K034)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.fixes import set_field
from hardhull.model import JSONPatch, Severity, Violation
from hardhull.models.workload import Container, Workload, as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import workload_rule
from hardhull.rules.kubernetes.common import (
    container_labels,
    group_by_pointer,
    int_or_none,
    nearest_sc_pointer,
    verb_for,
)


def _windows_user(w: Workload, c: Container) -> Any:
    """The effective ``windowsOptions.runAsUserName`` (container overrides pod)."""
    for sc in (c.sc, w.pod_sc):
        name = as_dict(sc.get("windowsOptions")).get("runAsUserName")
        if name is not None:
            return name
    return None


NON_ROOT = workload_rule(
    "K003",
    "run-as-non-root",
    "Container may run as root",
    Severity.MEDIUM,
    what="Neither the container nor the pod sets `runAsNonRoot: true` or a non-zero `runAsUser`, "
    "so the image's `USER` (often root) decides.",
    why="Root in a container is root on the host's kernel: any escape, writable host mount or "
    "kernel bug is then exploited with uid 0.",
    fix="Set `runAsNonRoot: true` at pod level (the kubelet then refuses to start a root image) "
    "and a non-zero `runAsUser`, and build the image with a non-root `USER`.",
    example="""
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
""",
    pss="restricted: Running as Non-root",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
    nsa="Pod security: non-root containers and rootless container engines",
    kube_linter=("run-as-non-root",),
)


# K003
@check(NON_ROOT, on=Target.WORKLOAD)
def run_as_non_root(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        nonroot = w.effective(c, "runAsNonRoot")
        if nonroot.value is True:
            continue
        if w.windows:
            # Windows: the kubelet's runAsNonRoot test is on the user name; a user name other
            # than ContainerAdministrator is the Windows equivalent of a non-zero uid.
            name = _windows_user(w, c)
            if isinstance(name, str) and name and name.lower() != "containeradministrator":
                continue
        else:
            uid = int_or_none(w.effective(c, "runAsUser").value)
            if uid is not None and uid > 0:
                continue  # the process runs as that uid whatever runAsNonRoot says
            if uid == 0:
                continue  # K004 reports the explicit root uid
        items.append((nonroot.pointer or nearest_sc_pointer(c, "runAsNonRoot"), c))
    for ptr, cs in group_by_pointer(items):
        explicit = w.effective(cs[0], "runAsNonRoot")
        fix: JSONPatch | None
        if explicit.value is False:
            how = f"{verb_for(cs, 'sets', 'set')} runAsNonRoot: false"
            fix = [{"op": "replace", "path": ptr, "value": True}]
        else:
            how = "may run as root"
            fix = set_field(w.obj, f"{w.pod_sc_pointer}/runAsNonRoot", True) or None
        yield Violation(
            "K003",
            ptr,
            f"{container_labels(cs)} {how} (no runAsNonRoot: true and no non-zero runAsUser)",
            fix,
        )


ROOT_UID = workload_rule(
    "K004",
    "run-as-uid-0",
    "Container runs as uid 0",
    Severity.HIGH,
    what="The effective `runAsUser` of a container (its own, or the pod's) is 0.",
    why="The process is root: a container escape, a writable host path or a kernel bug gives "
    "root on the node.",
    fix="Use a non-zero uid (10000 or above avoids clashing with host users) and set "
    "`runAsNonRoot: true`.",
    example="""
securityContext:
  runAsUser: 10001
  runAsNonRoot: true
""",
    pss="restricted: Running as Non-root user",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
    nsa="Pod security: non-root containers and rootless container engines",
    trivy=("KSV105",),
    kube_linter=("run-as-non-root",),
)


# K004
@check(ROOT_UID, on=Target.WORKLOAD)
def run_as_uid_0(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        user = w.effective(c, "runAsUser")
        if int_or_none(user.value) == 0:
            items.append((user.pointer, c))
    for ptr, cs in group_by_pointer(items):
        yield Violation(
            "K004", ptr, f"{container_labels(cs)} {verb_for(cs, 'runs', 'run')} as uid 0 (root)"
        )


LOW_UID = workload_rule(
    "K005",
    "low-uid",
    "Container uid below 10000",
    Severity.LOW,
    what="The effective `runAsUser` is between 1 and 9999.",
    why="Low uids often exist on the host (system and login accounts). If the container escapes, "
    "it acts as that host user on host files it can reach.",
    fix="Run as a uid of 10000 or above that exists nowhere on the host.",
    example="""
securityContext:
  runAsUser: 10001
""",
    cis="CIS Kubernetes Benchmark v1.9 5.2.7",
)


# K005
@check(LOW_UID, on=Target.WORKLOAD)
def low_uid(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        user = w.effective(c, "runAsUser")
        v = int_or_none(user.value)
        if v is not None and 0 < v < 10000:
            items.append((user.pointer, c))
    for ptr, cs in group_by_pointer(items):
        v = w.effective(cs[0], "runAsUser").value
        yield Violation(
            "K005",
            ptr,
            f"{container_labels(cs)} {verb_for(cs, 'runs', 'run')} as low uid {v} (below 10000)",
        )


ROOT_GROUP = workload_rule(
    "K034",
    "root-group",
    "Runs with the root group",
    Severity.LOW,
    what="The effective `runAsGroup` is 0, or `fsGroup` or `supplementalGroups` contain 0.",
    why="Group 0 owns many sensitive files on the host and in images; a process in it can read "
    "or write them after an escape.",
    fix="Use a non-zero `runAsGroup` and `fsGroup`.",
    example="""
spec:
  securityContext:
    runAsGroup: 10001
    fsGroup: 10001
""",
    trivy=("KSV116",),
)


# K034
@check(ROOT_GROUP, on=Target.WORKLOAD)
def root_group(w: Workload) -> Iterator[Violation]:
    items: list[tuple[str, Container]] = []
    for c in w.containers:
        g = w.effective(c, "runAsGroup")
        if int_or_none(g.value) == 0:
            items.append((g.pointer, c))
    for ptr, cs in group_by_pointer(items):
        yield Violation(
            "K034", ptr, f"{container_labels(cs)} {verb_for(cs, 'runs', 'run')} with group 0"
        )
    if int_or_none(w.pod_sc.get("fsGroup")) == 0:
        yield Violation("K034", f"{w.pod_sc_pointer}/fsGroup", "pod sets fsGroup 0")
    for i, g in enumerate(as_list(w.pod_sc.get("supplementalGroups"))):
        if int_or_none(g) == 0:
            yield Violation(
                "K034", f"{w.pod_sc_pointer}/supplementalGroups/{i}", "pod adds group 0"
            )
