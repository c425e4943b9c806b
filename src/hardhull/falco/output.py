"""Falco output strings: ``%field``, ``%field[arg]`` and ``%transformer(field)``.

Public API: ``compile_output(fmt, source) -> Formatter``; ``Formatter.render(extract) -> str``
and ``Formatter.fields`` (the ``output_fields`` keys, as Falco names them:
``proc.name``, ``ka.uri.param[command]``, ``tolower(proc.name)``);
``Formatter.values(extract) -> dict`` (those fields' values, ``None`` when missing);
:class:`OutputError` (``unknown_field`` when it names a field the source lacks).

As libsinsp's formatter: a ``%`` starts a field; the longest known field name is taken (so
``%proc.name.`` keeps the final dot as text); a missing value renders ``<NA>``; a list renders
``(a,b)``; booleans ``true``/``false``; a ``%`` not followed by a field is kept as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hardhull.falco import FalcoError
from hardhull.falco.compile import Extract, transform_value
from hardhull.falco.fields import lookup
from hardhull.falco.grammar import (
    TRANSFORMERS,
    Check,
    ConditionError,
    FieldRef,
    Pos,
    Transform,
    parse,
)

NA = "<NA>"
_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*")
_ARG = re.compile(r"\[([^\]]*)\]")


class OutputError(FalcoError):
    """An output string naming a field its source does not know (or a bad transformer)."""

    def __init__(self, message: str, unknown_field: str | None = None) -> None:
        super().__init__(message)
        self.unknown_field = unknown_field


def _text(v: Any) -> str:
    if v is None:
        return NA
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return "(" + ",".join(_text(x) for x in v) + ")"
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


@dataclass
class Formatter:
    parts: list[str | tuple[str, Callable[[Extract], Any]]]

    @property
    def fields(self) -> list[str]:
        return [p[0] for p in self.parts if isinstance(p, tuple)]

    def values(self, extract: Extract) -> dict[str, Any]:
        return {p[0]: p[1](extract) for p in self.parts if isinstance(p, tuple)}

    def render(self, extract: Extract) -> str:
        out: list[str] = []
        for p in self.parts:
            out.append(p if isinstance(p, str) else _text(p[1](extract)))
        return "".join(out)


def _known_prefix(name: str, source: str) -> str | None:
    comps = name.split(".")
    for n in range(len(comps), 1, -1):
        cand = ".".join(comps[:n])
        if lookup(source, cand) is not None:
            return cand
    return None


def _getter(node: FieldRef | Transform) -> Callable[[Extract], Any]:
    if isinstance(node, FieldRef):
        name, arg = node.name, node.arg
        return lambda ex: ex(name, arg)
    inner = _getter(node.child)
    tname = node.name
    return lambda ex: transform_value(tname, inner(ex))


def compile_output(fmt: str, source: str) -> Formatter:
    """Split ``fmt`` into literal text and field getters (checked against ``source``)."""
    parts: list[str | tuple[str, Callable[[Extract], Any]]] = []
    lit: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            lit.append(c)
            i += 1
            continue
        j = i + 1
        tr = next((t for t in TRANSFORMERS if fmt.startswith(t + "(", j)), None)
        if tr is not None:
            close = fmt.find(")", j)
            inner = fmt[j : close + 1] if close > 0 else ""
            try:
                expr = parse(inner + " exists") if inner else None
            except ConditionError as exc:
                raise OutputError(f"invalid transformer '%{inner}': {exc.message}") from None
            if not isinstance(expr, Check):
                raise OutputError(f"invalid transformer in output at '%{fmt[j : j + 20]}'")
            node = expr.left
            ref = node.field() if isinstance(node, Transform) else node
            if lookup(source, ref.name) is None:
                raise OutputError(f"invalid output field {ref.name}", ref.name)
            if lit:
                parts.append("".join(lit))
                lit = []
            parts.append((inner, _getter(node)))
            i = close + 1
            continue
        m = _NAME.match(fmt, j)
        if m is None or "." not in m.group(0):
            lit.append(c)
            i += 1
            continue
        name = _known_prefix(m.group(0), source)
        if name is None:
            raise OutputError(f"invalid output field {m.group(0)}", m.group(0))
        end = j + len(name)
        arg = None
        am = _ARG.match(fmt, end)
        if am is not None:
            arg = am.group(1)
            end = am.end()
        info = lookup(source, name)
        if info is not None and info.arg == "required" and arg is None:
            raise OutputError(f"output field '{name}' requires an argument")
        if lit:
            parts.append("".join(lit))
            lit = []
        key = name if arg is None else f"{name}[{arg}]"
        parts.append((key, _getter(FieldRef(name, arg, Pos(0, 1, 1)))))
        i = end
    if lit:
        parts.append("".join(lit))
    return Formatter(parts)
