"""The compose rules of ``hardhull/rules/compose/privileges.py`` (and the rows their cases
also trip): C019, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, BASE, Row, check, drop, edit

RO_MSG = f"{APP} has a writable root filesystem (set read_only: true)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (drop("    read_only: true\n"), [("C019", "2:3", RO_MSG, "low")]),
        (edit(BASE, ("read_only: true", "read_only: false")), [("C019", "5:5", RO_MSG, "low")]),
        (edit(BASE, ("read_only: true", "read_only: yes")), []),
    ],
)
def test_read_only(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)
