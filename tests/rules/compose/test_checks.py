"""The compose rules together: the hardened ``BASE`` service trips none of them (each rule's
own cases are in the test module named after its rule module).

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.compose import BASE, check


def test_base_is_clean(tmp_path: Path) -> None:
    check(tmp_path, BASE, [])
