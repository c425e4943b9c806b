"""S005: a credential in a file, whatever its kind (Helm values, CI configs, any YAML read).

Runs on the raw text of every file the scan reads, with the format detectors only (private
keys, provider tokens, JWTs, URLs with passwords): no name-based guesses, which need the
structure the other front ends give. A line that a rule with ``reports_secrets`` already
reports (S001–S004, D005, C021), suppressed or not, is not reported again.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import TextSubject
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.secrets import GOOD_PRACTICES, SECRETS

CREDENTIAL_IN_FILE = SECRETS(
    "S005",
    "credential-in-file",
    "Credential in a file",
    Severity.HIGH,
    what="A file the scan reads (of any kind: Helm values, CI configuration, a YAML file that "
    "is not a Kubernetes object) contains a value whose format proves it is a credential: a "
    "private key, a cloud or VCS token, a JWT, a URL or connection string with a password.",
    why="Anything committed stays in the repository's history and in every clone, fork, CI "
    "cache and image built from it; leaked tokens are found by scanners within minutes.",
    fix="Revoke and rotate the credential first, then remove it from the file and from the "
    "history, and load it at run time from a secret manager (External Secrets, Sealed "
    "Secrets, SOPS, your CI's secret store).",
    example="""
# values.yaml
database:
  existingSecret: shop-db        # a Secret created by External Secrets / Sealed Secrets
  passwordKey: password""",
    refs=(
        GOOD_PRACTICES,
        "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
    ),
    cis="CIS Kubernetes Benchmark v1.9 5.4.1",
)


# S005
@check(CREDENTIAL_IN_FILE, on=Target.TEXT)
def credential_in_file(item: TextSubject) -> Iterator[tuple[int, int, Violation]]:
    from hardhull.secrets.text import scan_text  # start-up time: only when a file is read

    seen: dict[str, int] = {}
    for line, column, match in scan_text(item.text):
        key = f"{match.kind}/{match.masked}"
        n = seen.get(key, 0)
        seen[key] = n + 1
        if line in item.secret_lines:
            continue  # a rule with reports_secrets reports this line already
        yield (
            line,
            column,
            Violation(
                "S005",
                f"/secret/{key}/{n}",
                f"{match.description} in the file ({match.masked})",
                None,
                match.severity,
            ),
        )
