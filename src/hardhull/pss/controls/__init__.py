"""The Pod Security Standards controls, one module per upstream check, one pure function per
check revision.

Each function mirrors one ``VersionedCheck`` of kubernetes/pod-security-admission
(``policy/check_*.go``): same decision, same forbidden reason, same forbidden detail, on the
plain object dict instead of a decoded ``corev1.PodSpec``. :data:`CHECKS` lists the checks
(each module's ``CHECK`` row) in upstream's evaluation order with the policy versions at which
each revision starts; the evaluator (:mod:`hardhull.pss.evaluate`) turns that into one table per
level and version.

Decoding: upstream sees a typed, API-defaulted pod. Here a field counts as set when its key is
present with a non-null value (Go's non-nil pointer), booleans count only when they are real
booleans, and the two API defaults that change a verdict are applied: a volume without any
source is an ``emptyDir`` volume, and a Pod on the host network gets ``hostPort`` =
``containerPort`` on ports that do not set it.
"""

from __future__ import annotations

from hardhull.pss.controls import (
    allow_privilege_escalation,
    app_armor_profile,
    capabilities_baseline,
    capabilities_restricted,
    host_namespaces,
    host_path_volumes,
    host_ports,
    host_probes_and_host_lifecycle,
    privileged,
    proc_mount_baseline,
    proc_mount_restricted,
    restricted_volumes,
    run_as_non_root,
    run_as_user,
    se_linux_options,
    seccomp_profile_baseline,
    seccomp_profile_restricted,
    sysctls,
    windows_host_process,
)
from hardhull.pss.controls.check import CheckDef

__all__ = ["CHECKS", "MAX_MINOR"]

#: upstream's checks in its evaluation order (registration order: policy/check_*.go file names)
CHECKS: tuple[CheckDef, ...] = (
    allow_privilege_escalation.CHECK,
    app_armor_profile.CHECK,
    capabilities_baseline.CHECK,
    capabilities_restricted.CHECK,
    host_namespaces.CHECK,
    host_path_volumes.CHECK,
    host_ports.CHECK,
    host_probes_and_host_lifecycle.CHECK,
    privileged.CHECK,
    proc_mount_baseline.CHECK,
    proc_mount_restricted.CHECK,
    restricted_volumes.CHECK,
    run_as_non_root.CHECK,
    run_as_user.CHECK,
    se_linux_options.CHECK,
    seccomp_profile_baseline.CHECK,
    seccomp_profile_restricted.CHECK,
    sysctls.CHECK,
    windows_host_process.CHECK,
)

#: the highest first-version of any revision: ``latest`` and newer versions evaluate as this
MAX_MINOR = max(first for check in CHECKS for first, _ in check.versions)
