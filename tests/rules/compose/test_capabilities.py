"""The compose rules of ``hardhull/rules/compose/capabilities.py`` (and the rows their cases
also trip): C001, C008, C009, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, BASE, Row, add, at, check, drop, edit

CAPS = add(
    """
    cap_add:
      - SYS_ADMIN
      - cap_net_raw
      - CHOWN
    """
)


NO_DROP = drop("    cap_drop: [ALL]\n")


DROP_RAW = edit(BASE, ("cap_drop: [ALL]", "cap_drop: [NET_RAW]"))


DROP_MSG = f"{APP} does not drop ALL capabilities (cap_drop: [ALL])"


CAP_CASES = [
    (
        CAPS,
        [
            ("C008", at(CAPS, "SYS_ADMIN"), f"{APP} adds capability SYS_ADMIN", "critical"),
            ("C008", at(CAPS, "cap_net_raw"), f"{APP} adds capability NET_RAW", "medium"),
        ],
    ),
    (add("cap_add: [NET_BIND_SERVICE, CHOWN]"), []),
    (NO_DROP, [("C009", "2:3", DROP_MSG, "low")]),
    (DROP_RAW, [("C009", at(DROP_RAW, "cap_drop"), DROP_MSG, "low")]),
    (edit(BASE, ("cap_drop: [ALL]", "cap_drop: [all]")), []),
    (edit(BASE, ("cap_drop: [ALL]", "cap_drop: [CAP_ALL]")), []),
    # privileged: C001 says it all
    (
        add("privileged: true", NO_DROP),
        [
            (
                "C001",
                at(add("privileged: true", NO_DROP), "privileged"),
                f"{APP} runs privileged",
                "critical",
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CAP_CASES)
def test_capabilities(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)
