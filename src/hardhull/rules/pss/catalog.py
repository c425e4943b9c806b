"""Every Pod Security Standards rule (P001–P019), in code order, and by code."""

from __future__ import annotations

from hardhull.model import Rule
from hardhull.rules.pss import baseline, restricted

RULES: tuple[Rule, ...] = baseline.RULES + restricted.RULES

#: rule code → Rule
BY_CODE = {r.code: r for r in RULES}
