"""Credentials in a configuration file embedded in a Secret or ConfigMap value (``.properties``,
``.env``, YAML, JSON, INI): by format anywhere, else by credential-named ``key: value`` lines."""

from __future__ import annotations

import re

from hardhull.model import Severity
from hardhull.secrets.detect import detect_value
from hardhull.secrets.formats import iter_format_matches
from hardhull.secrets.match import SecretMatch, mask


def worst_hit(items: list[tuple[SecretMatch, str]]) -> tuple[SecretMatch, str]:
    """The most severe of (match, where) pairs (the first of equals)."""
    return max(items, key=lambda it: it[0].severity)


_PAIR = re.compile(
    r"""^\s*(?:export\s+|-\s+)?["']?(?P<k>[A-Za-z_][\w.\-]*)["']?\s*[:=]\s*(?P<v>.*?)\s*,?\s*$"""
)
_TRAILING_COMMENT = re.compile(r"\s+[#;]\s.*$")


def _unquote(value: str) -> str:
    value = _TRAILING_COMMENT.sub("", value).strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def file_hits(text: str) -> list[tuple[SecretMatch, str]]:
    """Credentials in an embedded configuration file: (match, "line N: key") pairs."""
    hits: list[tuple[SecretMatch, str]] = []
    for start, end, fmt in iter_format_matches(text):
        line = text.count("\n", 0, start) + 1
        hits.append(
            (
                SecretMatch(fmt.kind, Severity.HIGH, mask(text[start:end]), fmt.description),
                f"line {line}",
            )
        )
    if hits:
        return hits
    for n, raw in enumerate(text.splitlines(), 1):
        if len(raw) > 4096:
            continue
        m = _PAIR.match(raw)
        if not m:
            continue
        value = _unquote(m.group("v"))
        if not value or value[0] in "{[|>":
            continue
        found = detect_value(value, m.group("k"))
        if found is not None:
            hits.append((found, f"line {n}: {m.group('k')}"))
    return hits
