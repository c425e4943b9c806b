"""Evaluate an object against a Pod Security Standards level and version, as upstream does.

Upstream's registry (kubernetes/pod-security-admission ``policy/registry.go``): for each
policy version every check runs the newest revision whose first version is at or below it;
``baseline`` runs the baseline checks; ``restricted`` runs the baseline checks that no
restricted check in force overrides, then the restricted checks; ``privileged`` runs nothing;
versions above the newest revision (and ``latest``) evaluate as that newest revision.

The per-level, per-version lists of revisions are built once, at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardhull.models.workload import Workload
from hardhull.pss.controls import CHECKS, MAX_MINOR
from hardhull.pss.controls.check import CheckDef, CheckFn
from hardhull.pss.levels import LevelVersion

__all__ = ["PSSFailure", "checks_for", "evaluate_pss"]


@dataclass(frozen=True)
class PSSFailure:
    """One control that forbids the pod: upstream's words and where in the object."""

    control: str  # upstream control name, e.g. "Privileged Containers"
    check_id: str  # upstream check ID, e.g. "privileged"
    reason: str  # upstream's forbidden reason, e.g. "privileged"
    detail: str  # upstream's forbidden detail
    pointers: tuple[str, ...]  # JSON pointers of the offending fields (or nearest parent)
    code: str  # our rule code, P001…


Table = tuple[tuple[CheckDef, CheckFn], ...]


def _build(level: str, minor: int) -> Table:
    active = [(c, fn) for c in CHECKS if (fn := c.at(minor)) is not None]
    if level == "baseline":
        return tuple((c, fn) for c, fn in active if c.level == "baseline")
    overridden = {o for c, _ in active if c.level == "restricted" for o in c.overrides}
    base = [(c, fn) for c, fn in active if c.level == "baseline" and c.check_id not in overridden]
    return (*base, *((c, fn) for c, fn in active if c.level == "restricted"))


_TABLES: dict[tuple[str, int], Table] = {
    (level, minor): _build(level, minor)
    for level in ("baseline", "restricted")
    for minor in range(MAX_MINOR + 1)
}


def checks_for(lv: LevelVersion) -> Table:
    """The check revisions upstream runs for this level and version, in its order."""
    if lv.level not in ("baseline", "restricted"):
        return ()
    return _TABLES[(lv.level, max(0, min(lv.minor, MAX_MINOR)))]


def evaluate_pss(obj: dict[str, Any], lv: LevelVersion) -> list[PSSFailure]:
    """Every control of ``lv`` that the object's pod (or pod template) fails. Pure."""
    table = checks_for(lv)
    if not table:
        return []
    w = Workload.of(obj)
    if w is None:
        return []
    out: list[PSSFailure] = []
    for check, fn in table:
        outcome = fn(w)
        if outcome is None:
            continue
        pointers = outcome.pointers or (w.spec_pointer,)
        out.append(
            PSSFailure(
                control=check.control,
                check_id=check.check_id,
                reason=outcome.reason,
                detail=outcome.detail,
                pointers=pointers,
                code=check.code,
            )
        )
    return out
