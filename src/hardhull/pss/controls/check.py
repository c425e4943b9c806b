"""What a Pod Security Standards control is made of (upstream ``policy/check.go``): the
forbidden outcome a check revision returns, and the row that dates each revision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from hardhull.models.workload import Workload

BASELINE = "baseline"
RESTRICTED = "restricted"


class Outcome(NamedTuple):
    """A forbidden result: upstream's reason and detail, and the offending fields."""

    reason: str
    detail: str
    pointers: tuple[str, ...]


CheckFn = Callable[[Workload], "Outcome | None"]


@dataclass(frozen=True)
class CheckDef:
    """One upstream check: its ID, level, our rule code, and its revisions by version."""

    check_id: str
    level: str  # "baseline" | "restricted"
    code: str
    control: str
    #: (first policy minor version, revision) pairs, strictly increasing
    versions: tuple[tuple[int, CheckFn], ...]
    #: baseline check IDs this restricted check replaces wherever it applies
    overrides: tuple[str, ...] = ()

    def at(self, minor: int) -> CheckFn | None:
        """The revision in force at policy version v1.<minor>, or None before the first."""
        found: CheckFn | None = None
        for first, fn in self.versions:
            if first <= minor:
                found = fn
        return found
