"""Judge one value: is it a credential? By value format (keys, tokens, connection strings,
also base64-encoded) and by field name.

Two kinds of evidence, kept apart on purpose:

- **Format**: the value itself proves it is a credential (a PEM private key, an ``AKIA…`` key
  ID, a ``ghp_…`` token, a JWT, ``postgres://user:pass@host``). Found anywhere, whatever the
  field is called; severity high.
- **Name**: the field is called like a credential (``DB_PASSWORD``, ``apiKey``) and holds a
  real-looking literal. Severity medium; never reported for references (``${VAR}``,
  ``/run/secrets/x``, ``{{ .Values.x }}``), placeholders (``changeme``, ``<password>``),
  booleans, small numbers, paths, public keys, certificates or digests; low for well-known
  default passwords (``postgres``, ``admin``).

Documented example credentials (AWS's ``…EXAMPLE`` keys, the Azurite development storage key,
jwt.io's sample token) are not reported at all: they are public and grant nothing.

The detectors live beside this module: :mod:`~hardhull.secrets.formats` (format),
:mod:`~hardhull.secrets.names` (names), :mod:`~hardhull.secrets.values` (references,
placeholders, values that cannot be secrets). Everything is a pure function over strings, safe
to call on every value of a scan.
"""

from __future__ import annotations

import re

from hardhull.model import Severity
from hardhull.secrets.encoding import b64_text, is_printable
from hardhull.secrets.formats import FORMAT_DETECTORS, is_aws_secret_value, iter_format_matches
from hardhull.secrets.match import SecretMatch, is_high_entropy, mask
from hardhull.secrets.names import is_aws_secret_name, is_credential_name, name_words
from hardhull.secrets.values import (
    DEFAULT_PASSWORDS,
    cannot_be_secret,
    is_known_public,
    is_placeholder,
    is_reference,
)

#: ``is_credential_name`` is re-exported: the Dockerfile and compose rules import it from here
__all__ = ["DETECTORS", "detect_value", "is_credential_name"]

_GCP = ("gcp-service-account", "Google Cloud service account key (JSON)")
_NAME_DEFAULT = (
    "credential-name-default",
    "well-known default password in a credential-named field",
)
_NAME_RANDOM = (
    "credential-name-high-entropy",
    "random-looking literal in a credential-named field",
)
_NAME_LITERAL = ("credential-name-literal", "literal value in a credential-named field")

#: (kind, description) of every detector a value can be found by (a detector added without
#: being listed here fails the canary test, tests/report/test_no_secrets.py)
DETECTORS: tuple[tuple[str, str], ...] = (
    *FORMAT_DETECTORS,
    _GCP,
    _NAME_DEFAULT,
    _NAME_RANDOM,
    _NAME_LITERAL,
)


_GCP_TYPE = re.compile(r"\"type\"\s*:\s*\"service_account\"")
_GCP_KEY = re.compile(r"\"private_key\"\s*:\s*\"")
_B64_VALUE = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")


def _format_match(v: str) -> SecretMatch | None:
    if _GCP_TYPE.search(v) and _GCP_KEY.search(v):
        for _s, _e, fmt in iter_format_matches(v):
            if fmt.kind == "private-key":
                return SecretMatch(_GCP[0], Severity.HIGH, mask(v), _GCP[1])
    for start, end, fmt in iter_format_matches(v):
        return SecretMatch(fmt.kind, Severity.HIGH, mask(v[start:end]), fmt.description)
    return None


def _decoded_match(v: str) -> SecretMatch | None:
    """A format-recognised credential inside a base64-encoded value."""
    if len(v) > 1_000_000 or not _B64_VALUE.fullmatch(v):
        return None
    decoded = b64_text(v, strict=False)
    if decoded is None or not is_printable(decoded):
        return None
    inner = _format_match(decoded)
    if inner is None:
        return None
    return SecretMatch(inner.kind, inner.severity, mask(v), inner.description + " (base64-encoded)")


def detect_value(value: str, key: str | None = None) -> SecretMatch | None:
    """Judge one value, optionally with the name of the field that holds it.

    Format detectors run whatever the name; a credential-named ``key`` adds the name-based
    detector (a real-looking literal: medium; a well-known default password: low). Returns the
    first credential found, or None.
    """
    if not isinstance(value, str):
        return None
    v = value.strip()
    if len(v) < 4:
        return None
    if key is not None and is_aws_secret_name(key) and is_aws_secret_value(v):
        return SecretMatch("aws-secret-access-key", Severity.HIGH, mask(v), "AWS secret access key")
    found = _format_match(v) or _decoded_match(v)
    if found is not None:
        return found
    if key is None or not is_credential_name(key):
        return None
    return _name_match(v, key)


_JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _documented_example(v: str) -> bool:
    """Public sample credentials (jwt.io's token, Azurite's key): valid format, grant nothing.

    A JWT-shaped value the JWT detector rejected (a sample, or no signature) is one of them.
    """
    if is_known_public(v):
        return True
    return bool(_JWT_SHAPE.fullmatch(v))


def _name_match(v: str, key: str) -> SecretMatch | None:
    if "\n" in v:  # a multi-line value (a file) is judged by its lines, not as one password
        return None
    if is_reference(v) or cannot_be_secret(v) or is_placeholder(v) or _documented_example(v):
        return None
    if re.sub(r"[^a-z0-9]", "", v.lower()) == re.sub(r"[^a-z0-9]", "", key.lower()):
        return None  # HF_TOKEN: "HF_TOKEN" names the value, it is not one
    low = v.lower()
    if low in DEFAULT_PASSWORDS or low in name_words(key):
        return SecretMatch(_NAME_DEFAULT[0], Severity.LOW, mask(v), _NAME_DEFAULT[1])
    if is_high_entropy(v):
        return SecretMatch(_NAME_RANDOM[0], Severity.MEDIUM, mask(v), _NAME_RANDOM[1])
    return SecretMatch(_NAME_LITERAL[0], Severity.MEDIUM, mask(v), _NAME_LITERAL[1])
