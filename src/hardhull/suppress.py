"""Suppressions in the user's own files: object annotations and line comments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hardhull.models.workload import Workload, as_dict

ANNOTATION = "hardhull.dev/ignore"
_COMMENT = re.compile(r"#\s*hardhull:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
#: a prefix wildcard first: ``K0*`` is one prefix, not the code K0 and ``*`` (every rule)
_CODE = re.compile(r"[A-Z]+[0-9]*\*|[A-Z]+[0-9]+|\*|\ball\b", re.IGNORECASE)
ALL = "*"


def parse_codes(text: str) -> frozenset[str]:
    """Codes from ``"K001,K012"`` or ``"K001 K012: reason"``; ``*``/``all`` means every rule,
    ``K*`` or ``K0*`` every rule whose code starts so."""
    head = text.split(":", 1)[0]
    codes = {m.group(0).upper() for m in _CODE.finditer(head)}
    if "ALL" in codes:
        codes.discard("ALL")
        codes.add(ALL)
    return frozenset(codes)


def object_codes(obj: dict[str, Any]) -> frozenset[str]:
    """Codes suppressed by a Kubernetes object's ``hardhull.dev/ignore`` annotation and by
    its pod template's."""
    metas: list[Any] = [obj.get("metadata")]
    w = Workload.of(obj)
    if w is not None:
        metas.append(w.meta)
    return annotation_codes(metas)


def annotation_codes(metas: list[Any]) -> frozenset[str]:
    codes: set[str] = set()
    for meta in metas:
        value = as_dict(as_dict(meta).get("annotations")).get(ANNOTATION)
        if isinstance(value, str):
            codes |= parse_codes(value)
    return frozenset(codes)


def comment_codes(line: str) -> frozenset[str] | None:
    """Codes a ``# hardhull: ignore[...]`` comment on this line names (None: no comment)."""
    if "hardhull" not in line:
        return None
    m = _COMMENT.search(line)
    if m is None:
        return None
    if m.group(1) is None:
        return frozenset({ALL})
    return parse_codes(m.group(1))


def matches(codes: frozenset[str] | None, code: str) -> bool:
    if not codes:
        return False
    if ALL in codes or code in codes:
        return True
    return any(c.endswith("*") and code.startswith(c[:-1]) for c in codes)


#: the value of an annotation or label as it is written: ``hardhull.dev/ignore: "K001: why"``
#: (YAML), ``"hardhull.dev/ignore": "K001"`` (JSON), ``hardhull.dev/ignore=K001`` (labels)
_NAMED_VALUE = re.compile(
    r"""hardhull\.dev/ignore["']?\s*[:=]\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#"'][^\n#]*))"""
)


def named_codes(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, code, form) of each rule code that a suppression in ``text`` names, as
    written: ``# hardhull: ignore[...]`` comments and ``hardhull.dev/ignore`` annotations or
    labels (any file kind); ``form`` is ``comment`` or ``annotation``. Wildcards (``*``,
    ``all``) are left out; a prefix wildcard (``K0*``) is given with its star."""
    if "hardhull" not in text:
        return
    for number, line in enumerate(text.splitlines(), 1):
        if "hardhull" not in line:
            continue
        for m in _COMMENT.finditer(line):
            if m.group(1) is not None:
                yield from _codes_at(number, line, m.start(1), m.group(1), "comment")
        for m in _NAMED_VALUE.finditer(line):
            group = next(g for g in (1, 2, 3) if m.group(g) is not None)
            yield from _codes_at(number, line, m.start(group), m.group(group), "annotation")


def _codes_at(
    number: int, line: str, start: int, value: str, form: str
) -> Iterator[tuple[int, int, str, str]]:
    head = value.split(":", 1)[0]
    for c in _CODE.finditer(head):
        code = c.group(0).upper()
        if code not in ("*", "ALL"):
            yield number, start + c.start() + 1, code, form
