"""Positions of the values of one JSON text, as JSON pointers → (line, column)."""

from __future__ import annotations

import re

from hardhull.formats.yamlpos import Position, YamlError, YamlLimitError, load_all

#: characters YAML refuses but JSON strings may hold raw (C0 controls are invalid JSON anyway)
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def json_positions(segment: str, start: Position) -> dict[str, Position]:
    """Positions in one JSON value, through the YAML loader (JSON is YAML once tabs are spaces).

    Only positions are taken from YAML, data comes from :mod:`json` (``1e3`` is a number in
    JSON, a string in YAML 1.1). Raises :class:`YamlLimitError` on nesting over the bound.
    """
    return json_layout(segment, start)[0]


def json_layout(
    segment: str, start: Position
) -> tuple[dict[str, Position], list[tuple[str, Position, Position]]]:
    """:func:`json_positions` and the keys set twice in one object (pointer, where first,
    where again; :mod:`json` keeps the last value, as Go's ``encoding/json`` does)."""
    prepared = segment.replace("\t", " ")  # in valid JSON a tab can only be whitespace
    if "\\u" in prepared:  # libyaml refuses surrogate escapes; any same-length escape will do
        prepared = _SURROGATE_ESCAPE.sub(r"\\u00", prepared)
    prepared = _NOT_YAML.sub(" ", prepared)
    try:
        docs = load_all(prepared)
    except YamlLimitError:
        raise
    except YamlError:  # e.g. a key over libyaml's 1024-character limit: no positions, no harm
        return {}, []
    if not docs:
        return {}, []
    positions, duplicates = docs[0].positions, docs[0].duplicates
    line0, col0 = start
    if (line0, col0) == (1, 1):
        return positions, duplicates

    def shift(p: Position) -> Position:
        line, col = p
        return line + line0 - 1, col + col0 - 1 if line == 1 else col

    return (
        {p: shift(pos) for p, pos in positions.items()},
        [(p, shift(a), shift(b)) for p, a, b in duplicates],
    )
