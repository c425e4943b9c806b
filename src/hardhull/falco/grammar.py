"""Falco condition grammar, as falcosecurity/libs ``userspace/libsinsp/filter/parser.cpp``.

Public API: ``parse(text) -> Expr``; AST nodes :class:`And`, :class:`Or`, :class:`Not`,
:class:`Ident` (macro reference), :class:`Check` (``left op right``), :class:`FieldRef`
(``name[arg]``), :class:`Transform` (``tolower(x)``, ``val(x)`` …), :class:`Value`,
:class:`ListValue`; :class:`ConditionError` with ``line``/``column`` (1-based, inside the
condition text); ``OPERATORS``, ``TRANSFORMERS``; ``walk(expr)``.

Grammar (precedence low → high): ``or`` < ``and`` < ``not`` < check/parentheses.
``and``/``or`` need a blank or ``(`` after them; ``not`` needs a blank or ``(``.
A check is a field (``a.b[arg]``, dots required) or a transformer over one, then a unary
operator (``exists``) or a binary one and its right side: numbers for ``< <= > >=``, a string
(quoted with ``"``/``'``, backslash escapes, or bare) or a transformer for string operators,
a parenthesised list ``(a, "b c")``, a list name or a transformer for ``in``/``intersects``/
``pmatch``. A bare identifier (no dots) is a macro reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from hardhull.falco import FalcoError

MAX_DEPTH = 100

UNARY_OPS = ("exists",)
NUM_OPS = ("<=", "<", ">=", ">")
# a word operator must be followed by a blank (libs lexes "glob " with the space)
STR_OPS = (
    "==",
    "=",
    "!=",
    "glob",
    "iglob",
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "regex",
)
LIST_OPS = ("intersects", "in", "pmatch")
OPERATORS = UNARY_OPS + NUM_OPS + STR_OPS + LIST_OPS
TRANSFORMERS = ("tolower", "toupper", "b64", "basename", "len")
ALL_TRANSFORMERS = ("val", *TRANSFORMERS)

_BLANK = " \t\b\r\n"
_RE_NOT = re.compile(r"not[ \t\b\r\n\f\v]+")
_RE_IDENT = re.compile(r"[a-zA-Z]+[a-zA-Z0-9_]*")
_RE_FIELD = re.compile(r"[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+")
_RE_FIELDARG = re.compile(r"[^\]\[\"'\s]+")
_RE_HEX = re.compile(r"0[xX][0-9a-zA-Z]+")
_RE_NUM = re.compile(r"[+\-]?[0-9]+\.?[0-9]*([eE][+\-][0-9]+)?")
_RE_BARE = re.compile(r"[^()\"'\s=,]+")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class ConditionError(FalcoError):
    """A condition that does not parse: the message and where (1-based line/column, offset)."""

    def __init__(self, message: str, line: int = 1, column: int = 1, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


@dataclass(frozen=True)
class Pos:
    offset: int
    line: int
    column: int


@dataclass
class FieldRef:
    name: str
    arg: str | None
    pos: Pos

    def text(self) -> str:
        return self.name if self.arg is None else f"{self.name}[{self.arg}]"


@dataclass
class Transform:
    name: str
    child: FieldRef | Transform
    pos: Pos

    def text(self) -> str:
        return f"{self.name}({self.child.text()})"

    def field(self) -> FieldRef:
        node: FieldRef | Transform = self
        while isinstance(node, Transform):
            node = node.child
        return node


@dataclass
class Value:
    text: str
    pos: Pos
    #: a bare identifier after a list operator (may name a list)
    ident: bool = False


@dataclass
class ListValue:
    items: list[str]
    pos: Pos


@dataclass
class Check:
    left: FieldRef | Transform
    op: str
    right: Value | ListValue | Transform | None
    pos: Pos


@dataclass
class Ident:
    name: str
    pos: Pos


@dataclass
class Not:
    child: Expr
    pos: Pos


@dataclass
class And:
    children: list[Expr] = field(default_factory=list)
    pos: Pos = Pos(0, 1, 1)


@dataclass
class Or:
    children: list[Expr] = field(default_factory=list)
    pos: Pos = Pos(0, 1, 1)


Expr = And | Or | Not | Check | Ident


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr``, depth first (macro references are not expanded)."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, And | Or):
            stack.extend(reversed(node.children))
        elif isinstance(node, Not):
            stack.append(node.child)


def unescape(quoted: str) -> str:
    """The text of a quoted string (delimiters removed, backslash escapes resolved)."""
    body = quoted[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            out.append(_ESCAPES.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.depth = 0
        self.last = ""

    # positions -------------------------------------------------------------------------
    def pos(self, offset: int | None = None) -> Pos:
        at = self.i if offset is None else offset
        line = self.text.count("\n", 0, at) + 1
        start = self.text.rfind("\n", 0, at) + 1
        return Pos(at, line, at - start + 1)

    def error(self, message: str, offset: int | None = None) -> ConditionError:
        p = self.pos(offset)
        return ConditionError(message, p.line, p.column, p.offset)

    def enter(self) -> None:
        self.depth += 1
        if self.depth >= MAX_DEPTH:
            raise self.error(f"exceeded max depth limit of {MAX_DEPTH}")

    # lexing ----------------------------------------------------------------------------
    def blank(self) -> bool:
        start = self.i
        while self.i < len(self.text) and self.text[self.i] in _BLANK:
            self.i += 1
        return self.i > start

    def lit(self, s: str) -> bool:
        if self.text.startswith(s, self.i):
            self.i += len(s)
            self.last = s
            return True
        return False

    def rgx(self, r: re.Pattern[str]) -> bool:
        m = r.match(self.text, self.i)
        if m is None or not m.group(0):
            return False
        self.i = m.end()
        self.last = m.group(0)
        return True

    def word_op(self, ops: tuple[str, ...], spaced: bool = False) -> bool:
        for op in ops:
            if not self.text.startswith(op, self.i):
                continue
            end = self.i + len(op)
            if spaced and op[-1].isalpha():
                if end >= len(self.text) or self.text[end] not in " ":
                    continue
                end += 1
            self.i = end
            self.last = op
            return True
        return False

    def quoted(self) -> bool:
        if self.i >= len(self.text) or self.text[self.i] not in "'\"":
            return False
        delim = self.text[self.i]
        j = self.i + 1
        prev = ""
        while j < len(self.text):
            c = self.text[j]
            if c == delim and prev != "\\":
                self.last = unescape(self.text[self.i : j + 1])
                self.i = j + 1
                return True
            prev = c if not (c == "\\" and prev == "\\") else ""
            j += 1
        return False

    def transformer(self, names: tuple[str, ...]) -> str | None:
        for name in names:
            if self.text.startswith(name + "(", self.i):
                self.i += len(name) + 1
                return name
        return None

    # grammar ---------------------------------------------------------------------------
    def parse(self) -> Expr:
        if not self.text:
            raise self.error("filter input string is empty")
        res = self.parse_or()
        if self.i != len(self.text):
            raise self.error(f"unexpected token after '{self.last}', expecting 'or', 'and'")
        return res

    def parse_or(self) -> Expr:
        self.enter()
        p = self.pos()
        self.blank()
        children = [self.parse_and()]
        self.blank()
        while self.lit("or"):
            if not self.blank():
                if self.lit("("):
                    children.append(self.embedded())
                else:
                    raise self.error("expected blank or '(' after 'or'")
            else:
                children.append(self.parse_and())
            self.blank()
        self.depth -= 1
        return children[0] if len(children) == 1 else Or(children, p)

    def parse_and(self) -> Expr:
        self.enter()
        p = self.pos()
        self.blank()
        children = [self.parse_not()]
        self.blank()
        while self.lit("and"):
            if not self.blank():
                if self.lit("("):
                    children.append(self.embedded())
                else:
                    raise self.error("expected blank or '(' after 'and'")
            else:
                children.append(self.parse_not())
            self.blank()
        self.depth -= 1
        return children[0] if len(children) == 1 else And(children, p)

    def parse_not(self) -> Expr:
        self.enter()
        p = self.pos()
        self.blank()
        negate = False
        while self.rgx(_RE_NOT):
            negate = not negate
        if self.lit("not("):
            negate = not negate
            child = self.embedded()
        else:
            child = self.parse_check()
        self.depth -= 1
        return Not(child, p) if negate else child

    def embedded(self) -> Expr:
        self.enter()
        self.blank()
        child = self.parse_or()
        self.blank()
        if not self.lit(")"):
            raise self.error("expected a ')' token")
        self.depth -= 1
        return child

    def parse_check(self) -> Expr:
        self.enter()
        self.blank()
        p = self.pos()
        if self.lit("("):
            res = self.embedded()
        elif self.rgx(_RE_FIELD):
            res = self.condition(self.field_rest(self.last, p), p)
        elif (name := self.transformer(TRANSFORMERS)) is not None:
            self.blank()
            res = self.condition(self.transform_rest(name, p), p)
        elif self.rgx(_RE_IDENT):
            res = Ident(self.last, p)
        else:
            raise self.error("expected a '(' token, a field check, or an identifier")
        self.depth -= 1
        return res

    def field_rest(self, name: str, p: Pos) -> FieldRef:
        arg = None
        if self.lit("["):
            if not self.quoted() and not self.rgx(_RE_FIELDARG):
                raise self.error(
                    "expected a valid field argument: a quoted string or a bare string"
                )
            arg = self.last
            if not self.lit("]"):
                raise self.error("expected a ']' token")
        return FieldRef(name, arg, p)

    def transform_rest(self, name: str, p: Pos) -> Transform:
        self.enter()
        self.blank()
        ap = self.pos()
        child: FieldRef | Transform | None = None
        if (inner := self.transformer(TRANSFORMERS)) is not None:
            self.blank()
            child = self.transform_rest(inner, ap)
        elif self.rgx(_RE_FIELD):
            child = self.field_rest(self.last, ap)
        if child is None:
            raise self.error(
                "expected a field or a nested valid transformer: "
                + ", ".join(f"'{t}'" for t in ALL_TRANSFORMERS)
            )
        self.blank()
        if not self.lit(")"):
            raise self.error("expected a ')' token closing the transformer")
        self.depth -= 1
        return Transform(name, child, p)

    def condition(self, left: FieldRef | Transform, p: Pos) -> Check:
        self.blank()
        if self.word_op(UNARY_OPS):
            return Check(left, "exists", None, p)
        self.blank()
        right: Value | ListValue | Transform
        if self.word_op(NUM_OPS):
            op = self.last
            right = self.num_value()
        elif self.word_op(STR_OPS, spaced=True):
            op = self.last
            right = self.str_value()
        elif self.word_op(LIST_OPS):
            op = self.last
            right = self.list_value()
        else:
            raise self.error(
                "expected a valid check operator: one of " + ", ".join(f"'{o}'" for o in OPERATORS)
            )
        return Check(left, op, right, p)

    def try_transformer(self) -> Transform | None:
        self.blank()
        p = self.pos()
        if self.lit("val("):
            self.blank()
            fp = self.pos()
            if not self.rgx(_RE_FIELD):
                raise self.error("expected a field within 'val' transformer")
            child = self.field_rest(self.last, fp)
            self.blank()
            if not self.lit(")"):
                raise self.error("expected a ')' token closing the transformer")
            return Transform("val", child, p)
        if (name := self.transformer(TRANSFORMERS)) is not None:
            self.blank()
            return self.transform_rest(name, p)
        return None

    def num_value(self) -> Value | Transform:
        self.blank()
        p = self.pos()
        if (t := self.try_transformer()) is not None:
            return t
        if self.rgx(_RE_HEX) or self.rgx(_RE_NUM):
            return Value(self.last, p)
        raise self.error(
            "expected a number value or a field with a valid transformer: "
            + ", ".join(f"'{t}'" for t in ALL_TRANSFORMERS)
        )

    def str_value(self, transformers: bool = True) -> Value | Transform:
        self.blank()
        p = self.pos()
        if transformers and (t := self.try_transformer()) is not None:
            return t
        if self.quoted() or self.rgx(_RE_BARE):
            return Value(self.last, p)
        if not transformers:
            raise self.error("expected a string value")
        raise self.error(
            "expected a string value or a field with a valid transformer: "
            + ", ".join(f"'{t}'" for t in ALL_TRANSFORMERS)
        )

    def list_value(self) -> Value | ListValue | Transform:
        self.blank()
        p = self.pos()
        if self.lit("("):
            items: list[str] = []
            self.blank()
            if self.quoted() or self.rgx(_RE_BARE):
                items.append(self.last)
                self.blank()
                while self.lit(","):
                    v = self.str_value(False)
                    assert isinstance(v, Value)
                    items.append(v.text)
                    self.blank()
            if not self.lit(")"):
                raise self.error("expected a ')' token")
            return ListValue(items, p)
        if (t := self.try_transformer()) is not None:
            return t
        if self.rgx(_RE_IDENT):
            return Value(self.last, p, ident=True)
        raise self.error(
            "expected a list, an identifier, or a field with a valid transformer: "
            + ", ".join(f"'{t}'" for t in ALL_TRANSFORMERS)
        )


def parse(text: str) -> Expr:
    """Parse one Falco condition; :class:`ConditionError` (with position) when it does not."""
    return _Parser(text).parse()
