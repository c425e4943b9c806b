"""Secrets hygiene: detectors of credentials in values and text, shared by every front end.

:func:`detect_value` judges one value (optionally with the name of the field or variable that
holds it); :func:`~hardhull.secrets.text.scan_text` finds format-recognisable secrets (private
keys, tokens, connection strings with passwords) anywhere in a text with line and column.

Modules: :mod:`~hardhull.secrets.detect` (judge one value), :mod:`~hardhull.secrets.formats`
(credentials by format), :mod:`~hardhull.secrets.names` (credential names),
:mod:`~hardhull.secrets.values` (references, placeholders, values that are no secret),
:mod:`~hardhull.secrets.match` (the masked result), :mod:`~hardhull.secrets.encoding` (base64),
:mod:`~hardhull.secrets.text` (scan a whole text).
"""

from __future__ import annotations

from hardhull.secrets.detect import DETECTORS, detect_value
from hardhull.secrets.match import SecretMatch, mask
from hardhull.secrets.names import is_credential_name
from hardhull.secrets.redact import redact, secret_spans

__all__ = [
    "DETECTORS",
    "SecretMatch",
    "detect_value",
    "is_credential_name",
    "mask",
    "redact",
    "secret_spans",
]
