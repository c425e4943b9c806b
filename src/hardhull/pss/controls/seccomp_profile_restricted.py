"""Upstream check ``seccompProfile_restricted`` (restricted): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_seccompProfile_restricted.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import RESTRICTED, CheckDef, Outcome
from hardhull.pss.controls.helpers import is_windows, join_quote, pluralize, setters
from hardhull.pss.controls.seccomp_profile_baseline import seccomp_fields


def seccomp_profile_restricted_1_19(w: Workload) -> Outcome | None:
    pod_bad, explicit, implicit, values, ex_ptrs, im_ptrs = seccomp_fields(w, required=True)
    if pod_bad or explicit:
        detail = (
            f"{setters(pod_bad, explicit)} must not set securityContext.seccompProfile.type to "
            f"{join_quote(sorted(values))}"
        )
        return Outcome("seccompProfile", detail, tuple(ex_ptrs))
    if implicit:
        detail = (
            f"pod or {pluralize('container', 'containers', len(implicit))} "
            f"{join_quote(implicit)} must set securityContext.seccompProfile.type to "
            '"RuntimeDefault" or "Localhost"'
        )
        return Outcome("seccompProfile", detail, tuple(im_ptrs))
    return None


def seccomp_profile_restricted_1_25(w: Workload) -> Outcome | None:
    if is_windows(w):
        return None
    return seccomp_profile_restricted_1_19(w)


CHECK = CheckDef(
    "seccompProfile_restricted",
    RESTRICTED,
    "P017",
    "Seccomp",
    ((19, seccomp_profile_restricted_1_19), (25, seccomp_profile_restricted_1_25)),
    overrides=("seccompProfile_baseline",),
)
