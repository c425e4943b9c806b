"""The compose rules of ``hardhull/rules/compose/users.py`` (and the rows their cases
also trip): C018, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, BASE, Row, add, check, drop, edit

NO_USER = drop('    user: "10001:10001"\n')


UNSET_MSG = f"{APP} does not set user: image 'registry.example.com/app:1.4.2' decides (often root)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            edit(BASE, ('user: "10001:10001"', "user: root")),
            [("C018", "4:5", f"{APP} runs as root (user: root)", "medium")],
        ),
        (
            edit(BASE, ('user: "10001:10001"', 'user: "0:0"')),
            [("C018", "4:5", f"{APP} runs as root (user: 0:0)", "medium")],
        ),
        (
            edit(BASE, ('user: "10001:10001"', "user: 0")),
            [("C018", "4:5", f"{APP} runs as root (user: 0)", "medium")],
        ),
        (NO_USER, [("C018", "3:5", UNSET_MSG, "low")]),
        (edit(BASE, ('user: "10001:10001"', 'user: "${UID}:${GID}"')), []),
        (edit(BASE, ('user: "10001:10001"', "user: app")), []),
        (add("build: .", NO_USER), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "grafana/grafana:11.1.0")), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "docker.io/bitnami/redis:7.2")), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "gcr.io/distroless/static:nonroot")), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "${IMAGE}")), []),
    ],
)
def test_user(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)
