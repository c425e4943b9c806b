"""Compile parsed Falco conditions into Python closures, once, at load.

Public API: ``Extract`` = ``Callable[[str, str | None], Any]`` (``extract(field, arg)`` gives an
event's value: ``str``/``int``/``bool``/``bytes``/list, or ``None`` when the event has none);
``Evaluator`` = ``Callable[[Extract], bool]``; ``compile_condition(expr, source, macros, lists)
-> Evaluator``; ``compile_resolved(expr, source)`` (an expression already resolved);
:class:`Fields` (one event's values, each extracted once) and ``compile_fast(expr, source)
-> FastEvaluator`` (the condition as one generated Python function over ``Fields``; what the
loader runs), ``compile_closures`` (the same as a closure per node), ``as_evaluator``;
``resolve(expr, macros, lists) -> Expr`` (macros inlined, lists expanded);
``evt_types(expr) -> frozenset[str] | None`` (the ``evt.type`` values a resolved condition can
match; ``None`` = any); ``check_fields(expr, source)``; :class:`CompileError` (message, position
inside the condition, ``unknown_field`` when it is about an unknown field).

Semantics (libsinsp's ``sinsp_filter_check::compare``): a missing value makes a check false
(``not`` of it true); ``exists`` is true when the value is there. String fields compare as
strings, numbers as integers, ``bool`` as ``true``/``false``, IP addresses/networks with
:mod:`ipaddress`. List fields (``is_list``) allow only ``exists``, ``in`` (every extracted value
is in the set) and ``intersects`` (some value is); ancestor fields (``proc.aname`` without an
index) match when any ancestor does. ``glob`` is fnmatch without path rules, ``regex`` is an
anchored full match, ``pmatch`` matches a path equal to or under one of the prefixes,
``bcontains``/``bstartswith`` take hex bytes.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import ipaddress
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

from hardhull.falco import FalcoError
from hardhull.falco.fields import FieldInfo, lookup
from hardhull.falco.grammar import (
    And,
    Check,
    Expr,
    FieldRef,
    Ident,
    ListValue,
    Not,
    Or,
    Pos,
    Transform,
    Value,
    unescape,
    walk,
)

Extract = Callable[[str, str | None], Any]
Evaluator = Callable[[Extract], bool]
Getter = Callable[[Extract], Any]


class Fields(dict[tuple[str, str | None], Any]):
    """One event's field values, keyed by ``(field, arg)``, each extracted once, on first use
    (``__missing__``), and shared by every rule and output the event meets. Callable as an
    :data:`Extract` too, so that anything written against ``extract(field, arg)`` takes it."""

    __slots__ = ("_extract",)

    def __init__(self, extract: Extract | None = None) -> None:
        super().__init__()
        self._extract = extract

    def __missing__(self, key: tuple[str, str | None]) -> Any:
        # (a source's subclass reads its event here without the extra call)
        value = self[key] = None if self._extract is None else self._extract(key[0], key[1])
        return value

    def __call__(self, field: str, arg: str | None = None) -> Any:
        return self[(field, arg)]


#: a compiled condition over one event's :class:`Fields`
FastEvaluator = Callable[[Fields], bool]

_MULTI = ("proc.aname", "proc.aexe", "proc.aexepath", "proc.acmdline", "proc.apid")


class CompileError(FalcoError):
    """A condition that parses but cannot be compiled (unknown macro/field, bad value…)."""

    def __init__(
        self, message: str, pos: Pos | None = None, unknown_field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.unknown_field = unknown_field

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------
# macro and list resolution


def _list_items(name: str, lists: Mapping[str, list[str]]) -> list[str] | None:
    return lists.get(name)


def _expand_items(items: list[str], lists: Mapping[str, list[str]]) -> list[str]:
    out: list[str] = []
    for item in items:
        ref = lists.get(item)
        if ref is not None:
            out.extend(ref)
        else:
            out.append(item)
    return out


def resolve(expr: Expr, macros: Mapping[str, Expr], lists: Mapping[str, list[str]]) -> Expr:
    """``expr`` with every macro reference inlined and every list name expanded."""
    return _resolve(expr, macros, lists, ())


def _resolve(
    expr: Expr,
    macros: Mapping[str, Expr],
    lists: Mapping[str, list[str]],
    active: tuple[str, ...],
) -> Expr:
    if isinstance(expr, Ident):
        if expr.name in active:
            raise CompileError(f"macro '{expr.name}' references itself", expr.pos)
        body = macros.get(expr.name)
        if body is None:
            raise CompileError(f"Undefined macro '{expr.name}' used in filter.", expr.pos)
        return _resolve(body, macros, lists, (*active, expr.name))
    if isinstance(expr, And):
        return And([_resolve(c, macros, lists, active) for c in expr.children], expr.pos)
    if isinstance(expr, Or):
        return Or([_resolve(c, macros, lists, active) for c in expr.children], expr.pos)
    if isinstance(expr, Not):
        return Not(_resolve(expr.child, macros, lists, active), expr.pos)
    right = expr.right
    if isinstance(right, ListValue):
        right = ListValue(_expand_items(right.items, lists), right.pos)
    elif isinstance(right, Value) and right.ident and expr.op in ("in", "intersects", "pmatch"):
        items = lists.get(right.text)
        right = ListValue(list(items) if items is not None else [right.text], right.pos)
    return Check(expr.left, expr.op, right, expr.pos)


def evt_types(expr: Expr) -> frozenset[str] | None:
    """The event types a resolved condition can match (``None``: not constrained)."""
    return field_values(expr, "evt.type")


def field_values(expr: Expr, name: str) -> frozenset[str] | None:
    """The values the (argument-less, untransformed) field ``name`` must have for a resolved
    condition to hold (``None``: not constrained): from ``name = v`` and ``name in (…)``
    checks, intersected across ``and``, united across ``or`` when every branch constrains it.
    An event whose value is outside the set (or missing) cannot match."""
    if isinstance(expr, Check):
        left = expr.left
        if isinstance(left, FieldRef) and left.name == name and left.arg is None:
            if expr.op in ("=", "==") and isinstance(expr.right, Value):
                return frozenset([expr.right.text])
            if expr.op in ("in", "intersects") and isinstance(expr.right, ListValue):
                return frozenset(expr.right.items)
        return None
    if isinstance(expr, And):
        found: frozenset[str] | None = None
        for c in expr.children:
            t = field_values(c, name)
            if t is not None:
                found = t if found is None else found & t
        return found
    if isinstance(expr, Or):
        acc: set[str] = set()
        for c in expr.children:
            t = field_values(c, name)
            if t is None:
                return None
            acc |= t
        return frozenset(acc)
    return None


# ---------------------------------------------------------------------------------------
# fields and values


def _field_info(ref: FieldRef, source: str) -> FieldInfo:
    info = lookup(source, ref.name)
    if info is None:
        raise CompileError(
            f"filter_check called with nonexistent field {ref.name}", ref.pos, ref.name
        )
    if info.arg == "required" and ref.arg is None:
        raise CompileError(f"field '{ref.name}' requires an argument", ref.pos)
    if info.arg == "none" and ref.arg is not None and not info.name.endswith("."):
        raise CompileError(f"field '{ref.name}' does not support arguments", ref.pos)
    return info


def check_fields(expr: Expr, source: str) -> None:
    """Raise :class:`CompileError` for the first field ``source`` does not know."""
    for node in walk(expr):
        if isinstance(node, Check):
            for side in (node.left, node.right):
                if isinstance(side, Transform):
                    _field_info(side.field(), source)
                elif isinstance(side, FieldRef):
                    _field_info(side, source)


def _as_number(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return v
    if isinstance(v, str):
        try:
            return int(v, 0) if v[:2].lower() == "0x" else int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                return None
    return None


def _as_bool(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        low = v.lower()
        if low == "true":
            return True
        if low == "false":
            return False
    if isinstance(v, int):
        return v != 0
    return None


def _as_ip(v: Any) -> Any:
    try:
        return ipaddress.ip_address(str(v))
    except ValueError:
        return None


def _as_text(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, str) else str(v)


_COERCE: dict[str, Callable[[Any], Any]] = {
    "number": _as_number,
    "bool": _as_bool,
    "ipaddr": _as_ip,
    "ipnet": _as_ip,
    "string": _as_text,
    "bytes": lambda v: v if isinstance(v, bytes) else _as_text(v).encode(),
}


def _constant(text: str, typ: str, op: str, pos: Pos) -> Any:
    if op in ("bcontains", "bstartswith"):
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise CompileError(f"'{text}' is not a valid hex byte string", pos) from None
    if typ == "number":
        n = _as_number(text)
        if n is None:
            raise CompileError(f"'{text}' is not a valid number", pos)
        return n
    if typ == "bool":
        b = _as_bool(text)
        if b is None:
            raise CompileError(f"'{text}' is not a valid boolean", pos)
        return b
    if typ == "ipaddr":
        ip = _as_ip(text)
        if ip is None:
            raise CompileError(f"'{text}' is not a valid IP address", pos)
        return ip
    if typ == "ipnet":
        try:
            return ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise CompileError(f"'{text}' is not a valid IP network", pos) from None
    return text


def _b64(v: Any) -> Any:
    try:
        return base64.b64decode(_as_text(v), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


_TRANSFORM: dict[str, Callable[[Any], Any]] = {
    "tolower": lambda v: _as_text(v).lower(),
    "toupper": lambda v: _as_text(v).upper(),
    "b64": _b64,
    "basename": lambda v: posixpath.basename(_as_text(v)),
    "len": lambda v: len(v) if isinstance(v, str | bytes) else len(_as_text(v)),
}


def transform_value(name: str, v: Any) -> Any:
    """Apply transformer ``name`` to an extracted value (lists element-wise, except ``len``)."""
    if v is None or name == "val":
        return v
    if name == "len":
        return len(v) if isinstance(v, list | tuple) else _TRANSFORM["len"](v)
    fn = _TRANSFORM[name]
    if isinstance(v, list | tuple):
        return [fn(x) for x in v]
    return fn(v)


def _getter(node: FieldRef | Transform, source: str) -> tuple[Getter, str, bool]:
    """(value getter, resulting type, is_list) of a field or a transformer chain."""
    if isinstance(node, FieldRef):
        info = _field_info(node, source)
        name, arg = node.name, node.arg

        def get(ex: Extract) -> Any:
            return ex(name, arg)

        return get, info.type, info.is_list
    inner, typ, is_list = _getter(node.child, source)
    if node.name == "val":
        return inner, typ, is_list
    if node.name == "len":

        def get_len(ex: Extract) -> Any:
            v = inner(ex)
            if v is None:
                return None
            if isinstance(v, list | tuple):
                return len(v)
            return _TRANSFORM["len"](v)

        return get_len, "number", False
    if typ not in ("string", "bytes"):
        raise CompileError(
            f"can't add field transformer: type '{typ}' is not supported by "
            f"'{node.name}' transformer applied on field '{node.field().name}'",
            node.pos,
        )
    fn = _TRANSFORM[node.name]

    def get_tr(ex: Extract) -> Any:
        v = inner(ex)
        if v is None:
            return None
        if isinstance(v, list | tuple):
            return [fn(x) for x in v]
        return fn(v)

    return get_tr, "string", is_list


def _pmatch(value: str, prefixes: list[str]) -> bool:
    for p in prefixes:
        base = p.rstrip("/") or "/"
        if value in (base, p):
            return True
        if value.startswith(base if base.endswith("/") else base + "/"):
            return True
    return False


def _glob(pattern: str, ci: bool) -> Callable[[Any], bool]:
    rx = re.compile(fnmatch.translate(pattern), re.S | (re.I if ci else 0))
    return lambda v: rx.match(v) is not None


def _binary(op: str, const: Any, typ: str, pos: Pos) -> Callable[[Any], bool]:
    """A predicate on one coerced value for a string/number operator."""
    if op in ("=", "=="):
        if typ == "ipnet":
            return lambda v: v in const
        return lambda v: bool(v == const)
    if op == "!=":
        if typ == "ipnet":
            return lambda v: v not in const
        return lambda v: bool(v != const)
    if op in ("<", "<=", ">", ">="):
        if typ in ("bool", "ipaddr", "ipnet"):
            raise CompileError(f"operator '{op}' is not supported on type {typ}", pos)
        import operator as _o

        cmp = {"<": _o.lt, "<=": _o.le, ">": _o.gt, ">=": _o.ge}[op]
        return lambda v: bool(cmp(v, const))
    if typ not in ("string", "bytes"):
        raise CompileError(f"operator '{op}' is not supported on type {typ}", pos)
    if op == "contains":
        return lambda v: const in v
    if op == "icontains":
        low = const.lower()
        return lambda v: low in v.lower()
    if op == "startswith":
        return lambda v: v.startswith(const)
    if op == "endswith":
        return lambda v: v.endswith(const)
    if op == "bcontains":
        return lambda v: const in (v if isinstance(v, bytes) else v.encode())
    if op == "bstartswith":
        return lambda v: (v if isinstance(v, bytes) else v.encode()).startswith(const)
    if op in ("glob", "iglob"):
        return _glob(const, op == "iglob")
    if op == "regex":
        try:
            rx = re.compile(const, re.S)
        except re.error as exc:
            raise CompileError(f"invalid regular expression '{const}': {exc}", pos) from None
        return lambda v: rx.fullmatch(v) is not None
    raise CompileError(f"unknown operator '{op}'", pos)  # pragma: no cover


#: a check the code generator inlines: (operator, (field, arg), constant, the check of a
#: value of another type, the type it inlines: ``str`` or ``int``)
_Hint = tuple[str, tuple[str, str | None], Any, Callable[[Any], bool], type]
_INLINE = {
    "=": "_v == {c}",
    "==": "_v == {c}",
    "!=": "_v != {c}",
    "in": "_v in {c}",
    "startswith": "_v.startswith({c})",
    "endswith": "_v.endswith({c})",
    "contains": "{c} in _v",
    "<": "_v < {c}",
    "<=": "_v <= {c}",
    ">": "_v > {c}",
    ">=": "_v >= {c}",
}
_INLINE_STR = ("=", "==", "!=", "in", "startswith", "endswith", "contains")
_INLINE_INT = ("=", "==", "!=", "in", "<", "<=", ">", ">=")


def _compile_check(node: Check, source: str, hints: list[_Hint] | None = None) -> Evaluator:
    get, typ, is_list = _getter(node.left, source)
    op = node.op
    coerce = _COERCE.get(typ, _as_text)
    name = node.left.field().name if isinstance(node.left, Transform) else node.left.name
    multi = name in _MULTI and isinstance(node.left, FieldRef) and node.left.arg is None
    if op == "exists":

        def exists(ex: Extract) -> bool:
            v = get(ex)
            return v is not None and not (isinstance(v, list | tuple) and not v)

        return exists
    if is_list and op not in ("in", "intersects"):
        raise CompileError(
            f"list filter '{name}' only supports operators 'exists', 'in' and 'intersects'",
            node.pos,
        )
    right = node.right
    if isinstance(right, Transform):
        rget, _rtyp, _rlist = _getter(right, source)
        return _compile_rhs_field(get, rget, op, typ, coerce, node.pos)
    if op in ("in", "intersects", "pmatch"):
        items = right.items if isinstance(right, ListValue) else [right.text] if right else []
        if op == "pmatch":
            prefixes = list(items)

            def pm(ex: Extract) -> bool:
                v = get(ex)
                if v is None:
                    return False
                vals = v if isinstance(v, list | tuple) else [v]
                return any(_pmatch(_as_text(x), prefixes) for x in vals)

            return pm
        consts = [_constant(i, typ, op, node.pos) for i in items]
        if typ == "ipnet":
            nets = list(consts)

            def member(x: Any) -> bool:
                return x is not None and any(x in n for n in nets)

        else:
            try:
                cset = frozenset(consts)
            except TypeError:  # pragma: no cover
                cset = frozenset()

            def member(x: Any) -> bool:
                return x in cset

        every = is_list and op == "in"

        def decide_in(v: Any) -> bool:
            if v is None:
                return False
            if isinstance(v, list | tuple):
                if not v:
                    return False
                vals = [coerce(x) for x in v]
                return all(member(x) for x in vals) if every else any(member(x) for x in vals)
            return member(coerce(v))

        if typ == "string" and isinstance(node.left, FieldRef):
            fname, farg = node.left.name, node.left.arg
            members = cset

            def inlist_str(ex: Extract) -> bool:
                v = ex(fname, farg)
                if type(v) is str:  # the common case, without a call per step
                    return v in members
                return decide_in(v)

            if hints is not None:
                hints.append(("in", (fname, farg), members, decide_in, str))
            return inlist_str
        if typ == "number" and isinstance(node.left, FieldRef) and hints is not None:
            # an integer is its own coerced value (a bool is not: type() is not int)
            hints.append(("in", (node.left.name, node.left.arg), cset, decide_in, int))
        return lambda ex: decide_in(get(ex))
    assert isinstance(right, Value)
    const = _constant(right.text, typ, op, right.pos)
    if typ == "ipnet" and op in ("=", "==", "!="):
        const = ipaddress.ip_network(right.text, strict=False)
    pred = _binary(op, const, typ, node.pos)

    def decide(v: Any) -> bool:
        if v is None:
            return False
        if isinstance(v, list | tuple):
            if not multi:
                v = v[0] if len(v) == 1 else None
                if v is None:
                    return False
            else:
                for x in v:
                    c = coerce(x)
                    if c is not None and pred(c):
                        return True
                return False
        c = coerce(v)
        return c is not None and pred(c)

    if typ == "string" and isinstance(node.left, FieldRef):
        fname, farg = node.left.name, node.left.arg

        def check_str(ex: Extract) -> bool:
            v = ex(fname, farg)
            if type(v) is str:  # the common case, without a call per step
                return pred(v)
            return decide(v)

        if hints is not None and op in _INLINE_STR and isinstance(const, str):
            hints.append((op, (fname, farg), const, decide, str))
        return check_str
    if (
        hints is not None
        and typ == "number"
        and isinstance(node.left, FieldRef)
        and op in _INLINE_INT
        and type(const) in (int, float)
        and not multi
    ):
        hints.append((op, (node.left.name, node.left.arg), const, decide, int))
    return lambda ex: decide(get(ex))


def _compile_rhs_field(
    get: Getter,
    rget: Getter,
    op: str,
    typ: str,
    coerce: Callable[[Any], Any],
    pos: Pos,
) -> Evaluator:
    if op in ("bcontains", "bstartswith", "pmatch", "regex", "glob", "iglob"):
        raise CompileError(f"operator '{op}' does not support right-hand side fields", pos)

    def rhs(ex: Extract) -> bool:
        v = get(ex)
        r = rget(ex)
        if v is None or r is None:
            return False
        rvals = [coerce(x) for x in (r if isinstance(r, list | tuple) else [r])]
        lvals = [coerce(x) for x in (v if isinstance(v, list | tuple) else [v])]
        if op in ("in", "intersects"):
            if op == "in":
                return bool(lvals) and all(x in rvals for x in lvals)
            return any(x in rvals for x in lvals)
        if not rvals or not lvals:
            return False
        try:
            return _binary(op, rvals[0], typ, pos)(lvals[0])
        except TypeError:
            return False

    return rhs


def compile_condition(
    expr: Expr,
    source: str,
    macros: Mapping[str, Expr] | None = None,
    lists: Mapping[str, list[str]] | None = None,
) -> Evaluator:
    """Compile ``expr`` (macros and lists resolved first) into one closure over ``extract``."""
    resolved = resolve(expr, macros or {}, lists or {})
    return compile_resolved(resolved, source)


def compile_resolved(expr: Expr, source: str) -> Evaluator:
    """Compile an expression :func:`resolve` already returned (fields are checked)."""
    return as_evaluator(compile_fast(expr, source))


def compile_closures(expr: Expr, source: str) -> Evaluator:
    """The closure form of a resolved expression: one closure per node, over any
    :data:`Extract`. :func:`compile_fast` falls back to it; tests compare the two."""
    check_fields(expr, source)
    return _compile(expr, source)


def as_evaluator(fast: FastEvaluator) -> Evaluator:
    """``fast`` over any :data:`Extract` (wrapped in :class:`Fields` unless it is one)."""

    def evaluate(ex: Extract) -> bool:
        return fast(ex if isinstance(ex, Fields) else Fields(ex))

    return evaluate


def compile_fast(expr: Expr, source: str) -> FastEvaluator:
    """Compile a resolved expression into one Python function over :class:`Fields`.

    The condition becomes a single expression of Python's own ``and``/``or``/``not`` (no call
    per node), with the common string checks (``=``, ``!=``, ``in``, ``startswith``,
    ``endswith``, ``contains`` on a string field) inlined as a dictionary lookup and one
    comparison; every other check calls the closure :func:`_compile_check` made for it, and a
    string check meeting a value that is not a string (a list, a missing value) calls the same
    closure's slow path, so both forms decide alike. The generated source holds only names
    this function makes (``_c0``, ``_c1``…, ``f``, ``_v``): constants and closures are bound in
    its namespace, never written into the code, so no text of a rule file is ever compiled as
    Python. A condition nested too deeply for Python's parser keeps the closures.
    """
    check_fields(expr, source)
    names: dict[str, Any] = {}
    try:
        code = f"def _evaluate(f):\n    return {_emit(expr, source, names)}\n"
        namespace = _run(code, names)
    except (_TooDeep, SyntaxError, RecursionError, MemoryError):
        return _compile(expr, source)  # a Fields is an Extract
    fast: FastEvaluator = namespace["_evaluate"]
    return fast


def compile_batch(
    items: list[tuple[Expr, Any, FastEvaluator]], source: str
) -> Callable[[Fields], list[Any]]:
    """One generated function deciding several resolved conditions in turn (the candidate
    rules of an event), giving the values of those that hold, in order: what
    :func:`compile_fast` makes of each, without a call per condition. ``items`` are
    (condition, value to give, its :func:`compile_fast` function, used for a condition too
    deep to inline)."""
    names: dict[str, Any] = {}
    lines = ["def _batch(f):", "    out = []"]
    for expr, value, fast in items:
        out = _bind(names, value)
        try:
            test = _emit(expr, source, names)
            compile(test, "<falco condition>", "eval")  # within the parser's limits?
        except (_TooDeep, SyntaxError, RecursionError, MemoryError):
            test = f"{_bind(names, fast)}(f)"
        lines += [f"    if {test}:", f"        out.append({out})"]
    lines.append("    return out")
    try:
        namespace = _run("\n".join(lines) + "\n", names)
    except (SyntaxError, RecursionError, MemoryError):  # pragma: no cover - each line parsed
        pairs = [(value, fast) for _expr, value, fast in items]
        return lambda f: [value for value, fast in pairs if fast(f)]
    batch: Callable[[Fields], list[Any]] = namespace["_batch"]
    return batch


def _bind(names: dict[str, Any], value: Any) -> str:
    name = f"_c{len(names)}"
    names[name] = value
    return name


def _emit(e: Expr, source: str, names: dict[str, Any], depth: int = 0) -> str:
    """A resolved expression as Python source over ``f`` (see :func:`compile_fast`)."""
    if depth > _MAX_NESTING:
        raise _TooDeep
    if isinstance(e, Check):
        hints: list[_Hint] = []
        closure = _compile_check(e, source, hints)
        if not hints:
            return f"{_bind(names, closure)}(f)"
        op, key, const, slow, typ = hints[0]
        test = _INLINE[op].format(c=_bind(names, const))
        k, other = _bind(names, key), _bind(names, slow)
        return f"({test} if type(_v := f[{k}]) is {typ.__name__} else {other}(_v))"
    if isinstance(e, Not):
        return f"(not {_emit(e.child, source, names, depth + 1)})"
    if isinstance(e, And):
        return "(" + " and ".join(_emit(c, source, names, depth + 1) for c in e.children) + ")"
    if isinstance(e, Or):
        return "(" + " or ".join(_emit(c, source, names, depth + 1) for c in e.children) + ")"
    raise CompileError(f"Undefined macro '{e.name}' used in filter.", e.pos)


def _run(code: str, names: dict[str, Any]) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__builtins__": {"type": type, "str": str, "int": int}, **names}
    exec(compile(code, "<falco condition>", "exec"), namespace)  # names only: see compile_fast
    return namespace


#: nesting beyond which a condition keeps its closures (Python's parser allows 200 levels of
#: brackets; each node adds at most three)
_MAX_NESTING = 50


class _TooDeep(Exception):
    pass


def _compile(expr: Expr, source: str) -> Evaluator:
    if isinstance(expr, Check):
        return _compile_check(expr, source)
    if isinstance(expr, Not):
        inner = _compile(expr.child, source)
        return lambda ex: not inner(ex)
    # the closure form runs only where the generated one cannot (compile_fast)
    if isinstance(expr, And):
        parts = tuple(_compile(c, source) for c in expr.children)
        return lambda ex: all(p(ex) for p in parts)
    if isinstance(expr, Or):
        alts = tuple(_compile(c, source) for c in expr.children)
        return lambda ex: any(p(ex) for p in alts)
    raise CompileError(f"Undefined macro '{expr.name}' used in filter.", expr.pos)


def unquote_item(item: str) -> str:
    """A list item as a value: quoted items (``'"a b"'``) lose their quotes."""
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return unescape(item)
    return item
