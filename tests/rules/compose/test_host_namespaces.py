"""The compose rules of ``hardhull/rules/compose/host_namespaces.py`` (and the rows their cases
also trip): C001, C002, C003, C004, C005, C006, C007,
positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, BASE, Row, add, at, check

PRIV = add("privileged: true")


HOST_CASES = [
    (PRIV, [("C001", at(PRIV, "privileged"), f"{APP} runs privileged", "critical")]),
    (add("privileged: false"), []),
    (add('privileged: "true"'), []),
]


for field, code, what, sev, benign in [
    ("network_mode", "C002", "network", "high", '"service:db"'),
    ("pid", "C003", "pid", "high", '"service:db"'),
    ("ipc", "C004", "ipc", "high", "shareable"),
    ("userns_mode", "C005", "user", "medium", '""'),
    ("uts", "C006", "uts", "low", '""'),
    ("cgroup", "C007", "cgroup", "medium", "private"),
]:
    text = add(f"{field}: host")
    msg = f"{APP} shares the host {what} namespace ({field}: host)"
    HOST_CASES.append((text, [(code, at(text, f"{field}: host"), msg, sev)]))
    HOST_CASES.append((add(f"{field}: {benign}"), []))


@pytest.mark.parametrize(("text", "expected"), HOST_CASES)
def test_privileged_and_host_namespaces(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


def test_version_1_net_host(tmp_path: Path) -> None:
    text = "\n".join(line[2:] for line in BASE.splitlines()[1:]) + "\n  net: host\n"
    assert text.startswith("app:\n  image:")
    check(
        tmp_path,
        text,
        [("C002", at(text, "net: host"), f"{APP} shares the host network namespace (net: host)",
          "high")],
    )  # fmt: skip
