"""Literal credentials in ``environment`` and build arguments (C021)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule
from hardhull.rules.compose.common import VARIABLE, resolve_default, scalar_text
from hardhull.secrets.detect import detect_value


def _credential_entries(s: Service) -> Iterator[tuple[str, Any, str, str]]:
    """(key, value, pointer, where) of environment entries and build arguments."""
    for key, (value, ptr) in s.pairs("environment").items():
        yield key, value, ptr, "environment"
    for key, (value, ptr) in s.pairs("build", "args").items():
        yield key, value, ptr, "build argument"


CREDENTIALS = compose_rule(
    "C021",
    "compose-literal-credential",
    "Credential written in the compose file",
    Severity.HIGH,
    what="An `environment` entry (list `KEY=VALUE` or mapping form) or a build argument "
    "(`build.args`) holds a literal credential: a known token format anywhere, or a value "
    "under a credential-like name (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, …). The severity is "
    "the secret detector's. A `${VAR}` reference is not a literal and is not reported; a "
    "`${VAR:-default}` whose default is a credential is reported as low (the default is used "
    "whenever the variable is unset). `*_FILE` entries naming a file (the Docker secrets "
    "convention) are not reported.",
    why="A credential in a compose file is in every clone, fork and CI log of the repository, "
    "cannot be rotated without a commit, and is visible to anyone who can run `docker "
    "inspect` on the host; build arguments are also stored in the image's history.",
    fix="Reference a variable (`${DB_PASSWORD}`, from an `.env` file kept out of version control "
    "or the CI's secret store) or, better, use Compose `secrets:` and the image's `*_FILE` "
    "variables. Rotate any credential that was committed.",
    example="""
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
secrets:
  db_password:
    environment: DB_PASSWORD
""",
    refs=("https://docs.docker.com/compose/how-tos/use-secrets/",),
    reports_secrets=True,
)


# C021
@check(CREDENTIALS, on=Target.COMPOSE)
def compose_literal_credential(s: Service) -> Iterator[Violation]:
    for key, value, ptr, where in _credential_entries(s):
        text = scalar_text(value)
        if not text or not key:
            continue
        if key.upper().endswith("_FILE") and text.startswith(("/", "./")):
            continue
        literal = resolve_default(text)
        if literal is None:
            # references to unknown variables: only what is left around them is literal
            literal = VARIABLE.sub("", text.replace("$$", "\x00")).replace("\x00", "$")
            fallback = False
        else:
            fallback = literal != text
        if not literal.strip():
            continue
        match = detect_value(literal, key)
        if match is None:
            continue
        if fallback:
            yield Violation(
                "C021",
                ptr,
                f"{s.label} {where} {key} falls back to a literal when unset: "
                f"{match.description} ({match.masked})",
                None,
                Severity.LOW,
                secrets=(literal, text),
            )
        else:
            yield Violation(
                "C021",
                ptr,
                f"{s.label} {where} {key}: {match.description} ({match.masked})",
                None,
                match.severity,
                secrets=(literal, text),
            )
