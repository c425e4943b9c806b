"""The one dispatch loop: every check of every front end, the set phase and the admission
webhook runs through :func:`run_checks`.

A check must never take a scan (or an admission review) down: each one runs on its own, and
one that raises is reported as a :class:`CheckError` while the others go on. A deadline, when
given, is checked before each check.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hardhull.context import Context
from hardhull.registry import Check


class DeadlineExceeded(Exception):
    """The deadline passed before every check had run."""


@dataclass(frozen=True)
class CheckError:
    """A check that raised: its rule code and the exception."""

    code: str
    error: BaseException


def run_checks(
    checks: Sequence[Check],
    subject: Any,
    ctx: Context,
    *,
    disabled: Iterable[str] = frozenset(),
    only: frozenset[str] | None = None,
    deadline: float | None = None,
) -> tuple[list[Any], list[CheckError]]:
    """Run ``checks`` on ``subject``: (everything they yielded, the checks that raised).

    ``disabled`` codes are skipped; with ``only``, every other code is too. ``deadline`` is a
    :func:`time.perf_counter` value: past it, :class:`DeadlineExceeded` is raised.
    """
    skip = disabled if isinstance(disabled, frozenset | set) else frozenset(disabled)
    out: list[Any] = []
    errors: list[CheckError] = []
    mark = 0
    for c in checks:
        code = c.rule.code
        if (skip and code in skip) or (only is not None and code not in only):
            continue
        if deadline is not None and time.perf_counter() > deadline:
            raise DeadlineExceeded(code)
        try:
            out.extend(c.fn(subject, ctx) if c.context else c.fn(subject))
        except Exception as exc:
            # a generator raises while it is consumed: what it yielded before goes too
            del out[mark:]
            errors.append(CheckError(code, exc))
        mark = len(out)
    return out, errors
