"""Base64 as the secrets detectors read it: decoded to text, or None."""

from __future__ import annotations

import base64
import binascii
import json

__all__ = ["b64_text", "b64url_json", "is_printable"]


def b64_text(value: str, *, strict: bool) -> str | None:
    """``value`` base64-decoded to UTF-8 text; None when it is not base64 or not text.

    ``strict``: the value as a Kubernetes ``data`` field holds it (whitespace ignored, every
    character must be of the base64 alphabet, padding required). Otherwise missing padding is
    added and characters outside the alphabet are skipped (a chunk cut out of a longer text).
    """
    try:
        if strict:
            raw = base64.b64decode("".join(value.split()), validate=True)
        else:
            raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_printable(text: str) -> bool:
    """Printable text, line breaks and tabs allowed."""
    return text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable()


def b64url_json(part: str) -> object:
    """A base64url-encoded JSON value (a JWT part, padding optional); None when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
