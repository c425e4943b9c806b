"""The compose rules of ``hardhull/rules/compose/resources.py`` (and the rows their cases
also trip): C020, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, BASE, Row, add, check, drop, edit

LIMITS = '        limits: {cpus: "0.5", memory: 128M, pids: 100}\n'


NO_DEPLOY = drop("    deploy:\n", "      resources:\n", LIMITS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NO_DEPLOY, [("C020", "2:3", f"{APP} sets no memory, CPU or PIDs limit", "low")]),
        (
            edit(BASE, (LIMITS, "        limits: {memory: 128M}\n")),
            [("C020", "11:9", f"{APP} sets no CPU or PIDs limit", "low")],
        ),
        (
            edit(BASE, (LIMITS, "        reservations: {memory: 64M}\n")),
            [("C020", "10:7", f"{APP} sets no memory, CPU or PIDs limit", "low")],
        ),
        (add("mem_limit: 128m\ncpus: 0.5\npids_limit: 100", NO_DEPLOY), []),
        (add("mem_limit: 128m\ncpu_quota: 50000\npids_limit: 100", NO_DEPLOY), []),
        (
            add("mem_limit: 128m\ncpu_shares: 512\npids_limit: 0", NO_DEPLOY),
            [("C020", "2:3", f"{APP} sets no CPU or PIDs limit", "low")],
        ),
    ],
)
def test_resource_limits(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)
