"""The compose rules of ``hardhull/rules/compose/credentials.py`` (and the rows their cases
also trip): C021, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

from hardhull.secrets.detect import detect_value
from tests.helpers.compose import APP, add, at, check

PASSWORD = "Xk9mQ2vLp8zR4wTt"


TOKEN = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"


def _detected(value: str, key: str) -> str:
    m = detect_value(value, key)
    assert m is not None
    return f"{m.description} ({m.masked})"


def test_literal_credentials(tmp_path: Path) -> None:
    text = add(
        f"""
        environment:
          - DB_PASSWORD={PASSWORD}
          - DB_USER=shop
          - API_TOKEN=${{API_TOKEN}}
          - ADMIN_PASSWORD=${{ADMIN_PASSWORD:-admin}}
          - REDIS_URL=redis://:${{REDIS_PASSWORD}}@redis:6379/0
          - POSTGRES_PASSWORD_FILE=/run/secrets/db_password
          - ALLOW_EMPTY_PASSWORD=yes
          - SHELL_ONLY
        build:
          context: .
          args:
            NPM_TOKEN: {TOKEN}
        """
    )
    expected = [
        (
            "C021",
            at(text, "DB_PASSWORD="),
            f"{APP} environment DB_PASSWORD: {_detected(PASSWORD, 'DB_PASSWORD')}",
            detect_value(PASSWORD, "DB_PASSWORD").severity.label,  # type: ignore[union-attr]
        ),
        (
            "C021",
            at(text, "ADMIN_PASSWORD="),
            f"{APP} environment ADMIN_PASSWORD falls back to a literal when unset: "
            + _detected("admin", "ADMIN_PASSWORD"),
            "low",
        ),
        (
            "C021",
            at(text, "NPM_TOKEN"),
            f"{APP} build argument NPM_TOKEN: {_detected(TOKEN, 'NPM_TOKEN')}",
            "high",
        ),
    ]
    check(tmp_path, text, expected)


def test_literal_credential_mapping_form_and_merge_key(tmp_path: Path) -> None:
    text = f"x-env: &env\n  SECRET_KEY: {PASSWORD}\n" + add(
        """
            environment:
              <<: *env
              DEBUG: "false"
              DB_PASSWORD: ${DB_PASSWORD}
            """
    )
    check(
        tmp_path,
        text,
        [
            (
                "C021",
                at(text, "<<"),
                f"{APP} environment SECRET_KEY: {_detected(PASSWORD, 'SECRET_KEY')}",
                "medium",
            )
        ],
    )
