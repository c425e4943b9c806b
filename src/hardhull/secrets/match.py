"""What a detector returns, and how a value is shown and judged random: the masked
:class:`SecretMatch`, :func:`mask`, and Shannon entropy."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from hardhull.model import Severity

__all__ = ["SecretMatch", "is_high_entropy", "mask", "shannon_entropy"]


@dataclass(frozen=True)
class SecretMatch:
    """A credential found in a value. ``masked`` never contains the secret."""

    kind: str
    severity: Severity
    masked: str
    description: str


def mask(value: str) -> str:
    """``ghp_…(40 chars)``: at most the first 4 characters (fewer for short values), the length.

    Keeps ``len // 6`` characters, capped at 4: nothing of values under 6 characters, one of a
    6–11 character password, the (public) prefix of a long token.
    """
    v = value.strip()
    n = len(v)
    keep = min(4, n // 6)
    prefix = "".join(c if c.isprintable() and not c.isspace() else "?" for c in v[:keep])
    return f"{prefix}…({n} chars)"


def shannon_entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    counts: dict[str, int] = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    return -sum(k / n * math.log2(k / n) for k in counts.values())


_HEX = re.compile(r"[0-9a-fA-F]+")


def is_high_entropy(value: str) -> bool:
    """Random-looking: ≥ 16 characters over 3.0 bits/char for hex, 3.5 for anything else."""
    if len(value) < 16:
        return False
    threshold = 3.0 if _HEX.fullmatch(value) else 3.5
    return shannon_entropy(value) >= threshold
