"""docs/runtime.md's list of the upstream ``syscall`` rules that can and cannot fire on
Tetragon's exported events is computed here, not written by hand (issue #12 §2).

A rule cannot fire on an event kind when its condition (macros and lists resolved, exceptions
left out: they only take matches away) is false whatever the values of the fields that kind
fills (:data:`hardhull.runtime.syscall.TETRAGON_FIELDS`): a check on a field the kind never
fills is false (Falco's "not available"), ``evt.type`` is known for ``process_exec``
(``execve``) and ``process_exit`` (``procexit``) and is never ``execve``/``execveat`` for
hooks (kprobes, tracepoints, LSM), and ``and``/``or``/``not`` combine true,
false and unknown as three-valued logic does.

Regenerate the block: ``python -m tests.runtime.test_syscall_docs``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from hardhull.falco.compile import resolve
from hardhull.falco.grammar import And, Check, Expr, FieldRef, ListValue, Not, Or, Transform, parse
from hardhull.falco.loader import Ruleset, load_files
from hardhull.runtime.syscall import TETRAGON_FIELDS

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT.parent / "shared" / "falco-rules"
DOC = ROOT / "docs" / "runtime.md"
BEGIN, END = "<!-- syscall-rules:begin -->", "<!-- syscall-rules:end -->"
LOADS = {
    "falco_rules.yaml": ["falco_rules.yaml"],
    "falco-incubating_rules.yaml": ["falco_rules.yaml", "falco-incubating_rules.yaml"],
    "falco-sandbox_rules.yaml": ["falco_rules.yaml", "falco-sandbox_rules.yaml"],
}
FIXED_TYPE = {"process_exec": "execve", "process_exit": "procexit"}
#: a hook's evt.type is any syscall but these (its event is the caller's: see syscall._hook)
NOT_HOOKED = frozenset({"execve", "execveat"})

Tri = bool | None  # None: unknown


def _fields(node: FieldRef | Transform) -> str:
    return node.field().name if isinstance(node, Transform) else node.name


def _tri(expr: Expr, have: frozenset[str], evt_type: str | None) -> Tri:
    if isinstance(expr, Check):
        names = [_fields(expr.left)]
        if isinstance(expr.right, Transform):
            names.append(_fields(expr.right))
        if any(n not in have for n in names):
            return False
        left = expr.left
        if evt_type is not None and isinstance(left, FieldRef) and left.name == "evt.type":
            right = expr.right
            if expr.op in ("=", "==") and right is not None and not isinstance(right, Transform):
                return evt_type == getattr(right, "text", None)
            if expr.op == "!=" and right is not None and not isinstance(right, Transform):
                return evt_type != getattr(right, "text", None)
            if expr.op in ("in", "intersects") and isinstance(right, ListValue):
                return evt_type in right.items
        if evt_type is None and isinstance(left, FieldRef) and left.name == "evt.type":
            right = expr.right
            if expr.op in ("=", "==") and getattr(right, "text", None) in NOT_HOOKED:
                return False
            listed = isinstance(right, ListValue) and set(right.items) <= NOT_HOOKED
            if expr.op in ("in", "intersects") and listed:
                return False
        return None
    if isinstance(expr, Not):
        inner = _tri(expr.child, have, evt_type)
        return None if inner is None else not inner
    if isinstance(expr, And):
        values = [_tri(c, have, evt_type) for c in expr.children]
        if False in values:
            return False
        return None if None in values else True
    if isinstance(expr, Or):
        values = [_tri(c, have, evt_type) for c in expr.children]
        if True in values:
            return True
        return None if None in values else False
    return None  # pragma: no cover - resolved expressions have no identifiers


def can_fire(ruleset: Ruleset, condition: str) -> list[str]:
    """The Tetragon event kinds on which a condition is not always false."""
    macros = {name: parse(text) for name, text in ruleset.macros.items()}
    resolved = resolve(parse(condition), macros, ruleset.lists)
    out = []
    for kind, have in TETRAGON_FIELDS.items():
        if _tri(resolved, have, FIXED_TYPE.get(kind)) is not False:
            out.append(kind)
    return out


def block() -> str:
    lines = [BEGIN, ""]
    for name, files in LOADS.items():
        rs = load_files([UPSTREAM / f for f in files])
        rules = [r for r in rs.rules if r.source == "syscall" and r.evaluate is not None]
        if name != "falco_rules.yaml":  # only the rules the file adds
            base = {r.name for r in load_files([UPSTREAM / "falco_rules.yaml"]).rules}
            rules = [r for r in rules if r.name not in base]
        can = [(r.name, can_fire(rs, r.condition)) for r in rules]
        yes = [f"{n} ({', '.join(x.removeprefix('process_') for x in k)})" for n, k in can if k]
        no = [n for n, k in can if not k]
        lines.append(
            f"- **{name}** ({len(rules)} `syscall` rules): can fire on Tetragon events: "
            + ("; ".join(yes) if yes else "none")
            + f". Cannot ({len(no)}): "
            + ("; ".join(no) if no else "none")
            + "."
        )
    lines += ["", END]
    return "\n".join(lines)


def _current() -> str:
    text = DOC.read_text()
    m = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, re.S)
    return m.group(0) if m else ""


def test_docs_list_is_the_computed_one() -> None:
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} not found (CI has ../shared beside the checkout)")
    assert _current() == block(), "run: python -m tests.runtime.test_syscall_docs"


def test_terminal_shell_cannot_fire_on_tetragon_events() -> None:
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} not found")
    rs = load_files([UPSTREAM / "falco_rules.yaml"])
    (rule,) = [r for r in rs.rules if r.name == "Terminal shell in container"]
    assert can_fire(rs, rule.condition) == []  # proc.tty is not exported by Tetragon
    assert can_fire(rs, "spawned_process and container and shell_procs") == ["process_exec"]


if __name__ == "__main__":
    text = DOC.read_text()
    new = block()
    old = _current()
    if not old:
        sys.exit(f"{DOC}: no {BEGIN} … {END} block")
    DOC.write_text(text.replace(old, new))
    print(f"{DOC}: updated")
