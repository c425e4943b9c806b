"""Secrets hygiene: detectors of credentials in values and text, shared by every front end.

:func:`detect_value` judges one value (optionally with the name of the field or variable that
holds it); :func:`~hardhull.secrets.text.scan_text` finds format-recognisable secrets (private
keys, tokens, connection strings with passwords) anywhere in a text with line and column.
"""

from __future__ import annotations

from hardhull.secrets.detect import SecretMatch, detect_value, is_credential_name, mask

__all__ = ["SecretMatch", "detect_value", "is_credential_name", "mask"]
