"""Shell analysis of ``RUN``: every simple command, with pipelines, lists and ``sh -c``.

What is analysed, as BuildKit runs it:

- the shell form text (``args_raw``), with any here-documents attached as the shell sees
  them (their bodies are data unless a shell reads them, see below);
- a here-document body when it *is* the script: ``RUN <<EOF`` alone (unless the body starts
  with a ``#!`` line naming a non-shell interpreter), or a shell reading it on standard input
  (``RUN bash <<EOF``, ``RUN sh -e <<EOF``, also inside such a script);
- the exec form: the argv itself, and its script when it is ``["sh", "-c", "..."]``.

``sh -c`` / ``bash -c`` strings (also behind ``sudo``, ``env``, ``nohup``, ``exec``, ``su -c``)
are parsed one level deep; their commands have ``via_sh_c`` set.

Parsing uses **tree-sitter** with the **tree-sitter-bash** grammar (both MIT, compiled C).
Every construct yields its simple commands: lists, pipelines, subshells, groups, ``if``,
``for``, ``while``, ``case``, functions, and command substitutions anywhere in a word
(``$(...)``, backticks, ``<(...)``, inside ``${...}`` and ``$((...))``). Where tree-sitter-bash
(0.25) builds a tree that is wrong for bash, the tree is corrected rather than trusted:

- here-documents: before parsing, each ``<<WORD`` is replaced by an input redirection of the
  same length and its body and terminator by blanks (:func:`_hide_heredocs`); the grammar
  misplaces heredocs that are followed on their line by ``&&``, ``|`` or another heredoc;
- a redirection after a list or pipeline (``a && b > f``, ``a | b 2>&1``) is attached by the
  grammar to the whole list; lists and pipelines are therefore rebuilt from the flat sequence
  of their commands and operators with the shell's own precedence (:meth:`_Walker._andor`),
  the redirection going to the last command;
- a redirection takes every following word as its target (``2>/dev/null cmd arg``): all
  targets but the first are the command's words;
- after a pipeline of three commands, a newline followed by a list (``a | b | c`` then
  ``d && e``) is read as a blank: such a newline is replaced by ``;`` (same length) and the
  script parsed again (:func:`_parse`);
- backquoted substitutions separated only by blanks (`` `id -u` `id -g` ``) are read as one:
  each is parsed on its own.

tree-sitter never fails: a script with a syntax error is parsed as far as it goes, and
commands inside the error regions are still found. Each such script is recorded in
:attr:`ShellAnalysis.fallbacks` (with the line of its first error); nothing raises.
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hardhull.formats.dockerfile.model import DockerfileError, Heredoc, Instruction
from hardhull.formats.dockerfile.parser import parse_heredoc_marker

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
WRAPPERS = frozenset({"sudo", "env", "nohup", "exec", "time", "command", "doas", "nice"})
#: nesting of statements and substitutions followed; deeper ones are recorded as a fallback
MAX_DEPTH = 100
#: here-document scripts (``bash <<EOF`` inside a ``bash <<EOF`` ...) followed
MAX_SCRIPT_DEPTH = 8
DEFAULT_SHELL = ("/bin/sh", "-c")
PARSER = "tree-sitter"


@dataclass(frozen=True)
class Command:
    """One simple command: its words (quotes removed), where it is and how it is connected.

    ``pipeline_position`` is the 0-based index in its pipeline (``pipeline_length`` elements;
    1 when not in a pipeline); ``piped_from``/``piped_into`` are the neighbouring commands.
    ``connector`` is the list operator before the command (``&&``, ``||``, ``;``, ``&``) or
    None. ``in_subshell``: inside ``( )``, ``$( )``, backticks or ``<( )``. ``source`` is
    ``"shell"`` (shell form), ``"heredoc"`` or ``"exec"`` (JSON form); ``parser`` is
    ``"tree-sitter"`` or ``"exec"`` (the argv of the exec form itself).
    """

    argv: list[str]
    line: int
    pipeline_position: int = 0
    pipeline_length: int = 1
    in_subshell: bool = False
    via_sh_c: bool = False
    assignments: list[str] = field(default_factory=list)
    connector: str | None = None
    source: str = "shell"
    parser: str = PARSER  # or "exec"
    piped_from: Command | None = field(default=None, repr=False, compare=False)
    piped_into: Command | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The program name: the last path component of ``argv[0]`` ("" if no words)."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


@dataclass(frozen=True)
class Fallback:
    """A script that is not valid shell as tree-sitter-bash reads it (or nests deeper than
    :data:`MAX_DEPTH`): its commands are those found around and inside the error."""

    line: int
    reason: str


@dataclass(frozen=True)
class ShellAnalysis:
    commands: list[Command]
    fallbacks: list[Fallback]
    #: set when the RUN is not analysed (a non-POSIX SHELL such as PowerShell)
    skipped: str = ""


# ---------------------------------------------------------------- positions


class _Lines:
    """Maps offsets of an analysed script to file lines."""

    def __init__(self, pairs: Sequence[tuple[int, int]]) -> None:
        self.offsets = [o for o, _ in pairs]
        self.lines = [line for _, line in pairs]

    def at(self, offset: int) -> int:
        i = bisect.bisect_right(self.offsets, offset) - 1
        return self.lines[max(i, 0)]

    @classmethod
    def text(cls, text: str, first_line: int) -> _Lines:
        pairs = [(0, first_line)]
        line = first_line
        start = 0
        while True:
            i = text.find("\n", start)
            if i < 0:
                break
            line += 1
            pairs.append((i + 1, line))
            start = i + 1
        return cls(pairs)


@dataclass
class _Cmd:
    """A command being built (mutable; frozen into :class:`Command` at the end)."""

    argv: list[str]
    pos: int
    line: int
    in_subshell: bool
    via_sh_c: bool
    assignments: list[str]
    connector: str | None
    source: str
    parser: str
    #: here-documents on its standard input (indices into the script's :class:`_HereDoc`s)
    heredoc_stdin: list[int] = field(default_factory=list)
    pipe_group: int = -1


# ---------------------------------------------------------------- here-documents


@dataclass(frozen=True)
class _HereDoc:
    """A here-document found by :func:`_hide_heredocs`."""

    #: offset of the placeholder word that stands for the delimiter
    key: int
    fd: int
    #: its index among the markers the Dockerfile parser sees (-1 if it does not)
    dockerfile_index: int
    #: offset and text of its body in the script (the body is empty when not there)
    body_start: int
    body: str


_HEREDOC_SCAN = re.compile(r"""[\\'"#\n]|<<|\(\(""")
_WORD_END = re.compile(r"""[\s;&|<>()'"\\]""")
_NOT_NEWLINE = re.compile(r"[^\n]")
#: characters after which a ``#`` starts a comment and digits start a word
_WORD_BREAK = frozenset(" \t\r\n;&|()")


def _quote_end(script: str, i: int) -> int:
    """The offset of the quote closing the one at ``i`` (the last offset if none)."""
    q = script[i]
    n = len(script)
    if q == "'":
        end = script.find("'", i + 1)
        return n - 1 if end < 0 else end
    j = i + 1
    while j < n:
        ch = script[j]
        if ch == q:
            return j
        j += 2 if ch == "\\" else 1
    return n - 1


def _word_end(script: str, i: int) -> int:
    """The end of the shell word starting at ``i`` (quotes and escapes honoured)."""
    n = len(script)
    while i < n:
        m = _WORD_END.search(script, i)
        if m is None:
            return n
        i = m.start()
        ch = script[i]
        if ch == "\\":
            i += 2
        elif ch in "'\"":
            i = _quote_end(script, i) + 1
        else:
            return i
    return n


def _arithmetic_end(script: str, i: int) -> int:
    """The offset after the ``))`` closing the ``((`` at ``i``."""
    depth = 0
    n = len(script)
    while i < n:
        ch = script[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth <= 0:
                return i + 1
        i += 1
    return n


def _marker(word: str) -> Heredoc | None:
    """The here-document of ``<<WORD`` (None for a bad one: ``<<'EOF`` unterminated)."""
    try:
        return parse_heredoc_marker(word)
    except DockerfileError:
        return None


def _hide_heredocs(script: str) -> tuple[str, list[_HereDoc]]:
    """``script`` with every here-document taken out, and the here-documents.

    ``<<EOF`` (``<<-EOF``, ``3<<'EOF'``, ``<< "EOF"``) becomes an input redirection of the same
    length, ``<____``, and its body and terminator line become blanks (newlines kept), so
    offsets and lines do not move. Quotes, escapes, comments and arithmetic ``((...))`` are
    honoured; ``<<<`` (a here-string) is left alone."""
    if "<<" not in script:
        return script, []
    pieces: list[str] = []
    docs: list[_HereDoc] = []
    pending: list[tuple[str, bool, int, int, int]] = []  # delimiter, strip, key, fd, index
    n = len(script)
    done = 0  # script[:done] is in pieces
    dockerfile_index = 0
    i = 0
    while i < n:
        m = _HEREDOC_SCAN.search(script, i)
        if m is None:
            break
        j = m.start()
        token = m.group()
        if token == "\\":
            i = j + 2
        elif token in ("'", '"'):
            i = _quote_end(script, j) + 1
        elif token == "#":
            if j == 0 or script[j - 1] in _WORD_BREAK:
                end = script.find("\n", j)
                i = n if end < 0 else end
            else:
                i = j + 1
        elif token == "((":
            i = _arithmetic_end(script, j)
        elif token == "\n":
            i = j + 1
            if pending:
                pieces.append(script[done:i])
                i = _take_bodies(script, i, pending, pieces, docs)
                done = i
                pending = []
        elif script.startswith("<<<", j):
            i = j + 3
        else:
            strip = script.startswith("<<-", j)
            word_start = j + 2 + strip
            while word_start < n and script[word_start] in " \t":
                word_start += 1
            end = _word_end(script, word_start)
            marker = _marker(script[j : j + 2 + strip] + script[word_start:end])
            if marker is None:
                i = j + 2
                continue
            digits = j
            while digits > 0 and script[digits - 1].isdigit():
                digits -= 1
            at_word = digits == 0 or script[digits - 1] in _WORD_BREAK
            fd = int(script[digits:j]) if digits < j and at_word else 0
            # the Dockerfile parser sees a marker only as a whole word: [digits]<<[-]WORD
            index = -1
            if at_word and word_start == j + 2 + strip:
                index = dockerfile_index
                dockerfile_index += 1
            pieces.append(script[done:j])
            pieces.append("<" + "_" * (end - j - 1))
            done = i = end
            pending.append((marker.delimiter, marker.strip_tabs, j + 1, fd, index))
    pieces.append(script[done:])
    for _, _, key, fd, index in pending:  # no body in the script (the Dockerfile has it)
        docs.append(_HereDoc(key, fd, index, n, ""))
    return "".join(pieces), docs


def _take_bodies(
    script: str,
    i: int,
    pending: list[tuple[str, bool, int, int, int]],
    pieces: list[str],
    docs: list[_HereDoc],
) -> int:
    """Blank the bodies and terminators of ``pending`` from line start ``i``; the offset after
    them."""
    n = len(script)
    for delimiter, strip, key, fd, index in pending:
        start = i
        body_end = n
        while i < n:
            end = script.find("\n", i)
            end = n if end < 0 else end
            line = script[i:end].rstrip("\r")
            if (line.lstrip("\t") if strip else line) == delimiter:
                body_end = i
                i = min(end + 1, n)
                break
            i = min(end + 1, n)
        docs.append(_HereDoc(key, fd, index, start, script[start:body_end]))
        pieces.append(_NOT_NEWLINE.sub(" ", script[start:i]))
    return i


# ---------------------------------------------------------------- tree-sitter


_LOCAL = threading.local()


def _parser() -> Parser:
    """A tree-sitter parser for bash, one per thread (a parser is not shared between
    threads; a parse keeps no state from the previous one)."""
    parser: Parser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        # imported here, not at module level: start-up time of scans without a Dockerfile
        import tree_sitter
        import tree_sitter_bash

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
        _LOCAL.parser = parser
    return parser


#: list operators: the ``connector`` of the command after them
_LIST_OPS = frozenset({"&&", "||", ";", "&"})
_PIPES = frozenset({"|", "|&"})
#: nodes that are statements (everything else named is a word or a part of one)
_SIMPLE = frozenset(
    {
        "command",
        "declaration_command",
        "unset_command",
        "test_command",
        "variable_assignment",
        "variable_assignments",
    }
)
_ANDOR = frozenset({"list", "pipeline", "redirected_statement"})
#: clauses of a compound command: their first command is not connected by the operator
#: before a keyword (``while a; do b; done``: ``b`` has no connector)
_CLAUSES = frozenset({"do_group", "elif_clause", "else_clause", "case_item"})
_STATEMENTS = (
    _SIMPLE
    | _ANDOR
    | _CLAUSES
    | frozenset(
        {
            "program",
            "subshell",
            "compound_statement",
            "negated_command",
            "function_definition",
            "if_statement",
            "while_statement",
            "for_statement",
            "c_style_for_statement",
            "case_statement",
            "ERROR",
        }
    )
)
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
#: word parts kept as written (their commands are analysed separately)
_VERBATIM = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
    }
)
#: what a word of ``[ ... ]`` / ``[[ ... ]]`` is made of (expressions are taken apart)
_TEST_WORDS = _VERBATIM | frozenset(
    {
        "word",
        "string",
        "raw_string",
        "ansi_c_string",
        "translated_string",
        "concatenation",
        "number",
        "test_operator",
        "extglob_pattern",
        "regex",
        "variable_name",
        "brace_expression",
    }
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_BACKTICKS = re.compile(r"`(?:[^`\\]|\\.)*`", re.DOTALL)
_ESCAPE = re.compile(r"\\(\n|.)", re.DOTALL)
_ESCAPE_DQ = re.compile(r'\\([\n"\\$`])')


def _negated(node: Node) -> Node:
    """The statement of ``! statement`` (the grammar hangs redirections on the negation)."""
    while node.type == "negated_command":
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def _unescape(text: str) -> str:
    """An unquoted word part without its backslashes (``\\x`` is ``x``; ``\\`` + newline goes)."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def _unescape_dq(text: str) -> str:
    """Double-quoted text: a backslash escapes only ``"``, ``\\``, ``$``, backquote, newline."""
    if "\\" not in text:
        return text
    return _ESCAPE_DQ.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


#: one item of a list or pipeline: a statement and the redirections the grammar put around
#: the whole list (they are the last item's), or an operator
_Item = tuple["Node | None", list["Node"]] | str


class _Walker:
    """The commands of one parsed script."""

    def __init__(
        self,
        script: str,
        data: bytes,
        lines: _Lines,
        source: str,
        via: bool,
        base: int,
        heredocs: Sequence[_HereDoc],
    ) -> None:
        self.script = script
        self.data = data
        self.lines = lines
        self.source = source
        self.via = via
        self.base = base  # offset of the script in the text ``lines`` maps
        self.heredocs = {h.key: k for k, h in enumerate(heredocs)}
        self.chars: list[int] | None = None  # byte offset -> character offset, if not ASCII
        if len(data) != len(script):
            self.chars = [0] * (len(data) + 1)
            b = 0
            for c, ch in enumerate(script):
                o = ord(ch)
                size = 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
                for k in range(size):
                    self.chars[b + k] = c
                b += size
            self.chars[b] = len(script)
        self.out: list[_Cmd] = []
        self.groups: list[list[_Cmd]] = []
        self.too_deep = False
        #: newlines that end a command but that the grammar read across (see _parse); and
        #: the ones already replaced by ``;`` in ``data``
        self.breaks: set[int] = set()
        self.newlines: frozenset[int] = frozenset()

    # -- text

    def at(self, byte: int) -> int:
        return byte if self.chars is None else self.chars[byte]

    def text(self, node: Node) -> str:
        if self.chars is None:
            return self.script[node.start_byte : node.end_byte]
        return self.script[self.chars[node.start_byte] : self.chars[node.end_byte]]

    def value(self, node: Node) -> str:
        """A word (or part of one) as the shell passes it: quotes and escapes removed,
        expansions and substitutions kept as written."""
        kind = node.type
        if kind in _VERBATIM:
            return self.text(node)
        if kind == "raw_string":
            text = self.text(node)
            return text[1:-1] if len(text) > 1 and text.endswith("'") else text[1:]
        if kind == "ansi_c_string":
            text = self.text(node)
            return text[2:-1] if len(text) > 2 and text.endswith("'") else text[2:]
        if kind in ("string", "translated_string"):
            return self._double_quoted(node)
        if node.child_count == 0:
            return _unescape(self.text(node))
        parts: list[str] = []
        pos = node.start_byte
        for child in node.children:
            if child.start_byte > pos:
                parts.append(_unescape(self.script[self.at(pos) : self.at(child.start_byte)]))
            parts.append(self.value(child))
            pos = child.end_byte
        if node.end_byte > pos:
            parts.append(_unescape(self.script[self.at(pos) : self.at(node.end_byte)]))
        return "".join(parts)

    def _double_quoted(self, node: Node) -> str:
        start = self.at(node.start_byte)
        end = self.at(node.end_byte)
        text = self.script[start:end]
        opening = text.index('"') + 1 if '"' in text else len(text)
        closing = end - 1 if len(text) > opening and text.endswith('"') else end
        pos = start + opening
        parts: list[str] = []
        for child in node.children:
            if child.type in _VERBATIM:
                a = self.at(child.start_byte)
                parts.append(_unescape_dq(self.script[pos:a]))
                parts.append(self.text(child))
                pos = self.at(child.end_byte)
        parts.append(_unescape_dq(self.script[pos:closing]))
        return "".join(parts)

    # -- statements

    def statement(self, node: Node, sub: bool, connector: str | None, depth: int) -> list[_Cmd]:
        """The commands of a statement, in order of position (also appended to ``out``)."""
        if depth > MAX_DEPTH:
            self.too_deep = True
            return []
        kind = node.type
        if kind in _SIMPLE:
            return self._command(node, sub, connector, [], depth)
        if kind in _ANDOR:
            return self._andor(node, sub, connector, depth)
        if kind not in _STATEMENTS:
            return self._substitutions(node, sub, depth)
        return self._sequence(node, sub or kind == "subshell", connector, depth)

    def _sequence(self, node: Node, sub: bool, connector: str | None, depth: int) -> list[_Cmd]:
        """Statements one after another (a script, a group, a clause, an ``if``…): each is
        connected by the list operator just before it, the first one by ``connector``."""
        found: list[_Cmd] = []
        pending: str | None = None
        pending_end = 0
        seen = False
        for child in node.children:
            kind = child.type
            if not child.is_named:
                if child.start_byte in self.newlines:
                    pending = None  # a newline really, see _parse
                elif kind in _LIST_OPS:
                    pending, pending_end = kind, child.end_byte
                else:
                    pending = None  # a keyword, a parenthesis
                continue
            if kind == "comment":
                continue
            if kind not in _STATEMENTS:
                found += self._substitutions(child, sub, depth)
                pending = None
                continue
            op: str | None
            if kind in _CLAUSES or pending is None:
                op = None if seen else connector
            elif pending in (";", "&") and b"\n" in self.data[pending_end : child.start_byte]:
                op = None  # `a;` then a new line: bash reads a new list
            else:
                op = pending
            found += self.statement(child, sub, op, depth + 1)
            seen = True
            pending = None
        return found

    def _flatten(self, node: Node) -> list[_Item]:
        """The statements and operators of a list or pipeline, in order (without recursion:
        a long ``a && b && ...`` nests deeply)."""
        items: list[_Item] = []
        # a node to take apart, an operator, or the redirections after a list (its last
        # statement's)
        stack: list[Node | str | list[Node]] = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, str):
                items.append(cur)
                continue
            if isinstance(cur, list):
                last = items[-1] if items else None
                if isinstance(last, tuple):
                    items[-1] = (last[0], last[1] + cur)
                else:
                    items.append((None, cur))
                continue
            kind = cur.type
            if kind == "redirected_statement":
                body = cur.child_by_field_name("body")
                redirects = [c for c in cur.named_children if c != body and c.type != "comment"]
                if body is None:  # only redirections: a command without words
                    items.append((cur, []))
                elif body.type in _ANDOR:
                    stack.append(redirects)
                    stack.append(body)
                else:
                    items.append((_negated(body), redirects))
            elif kind in ("list", "pipeline") or (kind == "ERROR" and cur != node):
                for child in reversed(cur.children):
                    if child.is_named:
                        if child.type != "comment":
                            stack.append(child)
                    elif child.type in _LIST_OPS or child.type in _PIPES:
                        stack.append(child.type)
            else:
                items.append((_negated(cur), []))
        return items

    def _andor(self, node: Node, sub: bool, connector: str | None, depth: int) -> list[_Cmd]:
        """A list of pipelines, rebuilt from its commands and operators: the grammar nests
        ``a && b | c`` right but hangs a final redirection on the whole list."""
        items = self._flatten(node)
        found: list[_Cmd] = []
        op = connector
        pipeline: list[tuple[Node | None, list[Node]]] = []
        joined = True  # the next item continues the current pipeline
        for item in [*items, ";"]:
            if isinstance(item, tuple):
                if not joined and pipeline:
                    found += self._pipeline(pipeline, sub, op, depth)
                    pipeline, op = [], None
                pipeline.append(item)
                joined = False
            elif item in _PIPES:
                joined = True
            else:
                if pipeline:
                    found += self._pipeline(pipeline, sub, op, depth)
                    pipeline = []
                op = item
                joined = True
        return found

    def _pipeline(
        self,
        elements: list[tuple[Node | None, list[Node]]],
        sub: bool,
        connector: str | None,
        depth: int,
    ) -> list[_Cmd]:
        found: list[_Cmd] = []
        heads: list[_Cmd] = []
        for index, (node, redirects) in enumerate(elements):
            op = connector if index == 0 else None
            cmds: list[_Cmd] = []
            if node is not None and (node.type in _SIMPLE or node.type == "redirected_statement"):
                cmds = self._command(node, sub, op, redirects, depth + 1)
            else:
                if node is not None:
                    cmds = self.statement(node, sub, op, depth + 1)
                for red in redirects:
                    cmds += self._substitutions(red, sub, depth)
            if cmds and len(elements) > 1:
                heads.append(cmds[0])
            found += cmds
        if heads:
            for head in heads:
                head.pipe_group = len(self.groups)
            self.groups.append(heads)
        return found

    def _words(self, node: Node, into: list[Node], depth: int) -> None:
        """The word parts of a ``[ ... ]`` test, expressions taken apart."""
        for child in node.children:
            if not child.is_named or child.type in _TEST_WORDS or depth > MAX_DEPTH:
                into.append(child)
            elif child.type != "comment":
                self._words(child, into, depth + 1)

    def _command(
        self, node: Node, sub: bool, connector: str | None, redirects: list[Node], depth: int
    ) -> list[_Cmd]:
        parts: list[Node] = []
        redirects = list(redirects)
        kind = node.type
        if kind == "variable_assignment":
            parts.append(node)
        elif kind == "test_command":
            self._words(node, parts, depth)
        else:
            for child in node.children:
                if child.type in _REDIRECTS:
                    redirects.append(child)
                elif child.type != "comment":
                    parts.append(child)
        nested: list[_Cmd] = []
        for part in parts:
            nested += self._substitutions(part, sub, depth)
        heredocs: list[int] = []
        spans = [(p.start_byte, p.end_byte) for p in parts]
        for red in redirects:
            nested += self._substitutions(red, sub, depth)
            targets = red.children_by_field_name("destination")
            spans.append((red.start_byte, targets[0].end_byte if targets else red.end_byte))
            if not targets:
                continue
            # the grammar's target takes every following word: all but the first are the
            # command's (the first may come in pieces: `>/dev/null$X`)
            first = 1
            while first < len(targets) and targets[first].start_byte == targets[first - 1].end_byte:
                first += 1
            parts += targets[first:]
            doc = self.heredocs.get(self.at(targets[0].start_byte))
            if doc is not None:
                heredocs.append(doc)
        if kind != "test_command":
            self._check_newlines(spans)
        # zero-width parts are tokens the grammar says are missing
        parts = sorted((p for p in parts if p.end_byte > p.start_byte), key=lambda p: p.start_byte)
        first_redirect = min((r.start_byte for r in redirects), default=node.end_byte)
        while parts and parts[0].start_byte < first_redirect and self.text(parts[0]) == "!":
            parts.pop(0)  # `! ! a`: the grammar takes the second `!` for a word
        argv: list[str] = []
        assignments: list[str] = []
        words = argv  # the list the previous part went to
        end = -1
        for part in parts:
            kind = part.type
            text = self.text(part)
            if kind not in _QUOTED and ("\t" in text or " " in text):
                pieces = _source_words(text)
                if len(pieces) > 1:  # the grammar read several words as one (`a` `b`, `] {`)
                    if words and part.start_byte == end:
                        words[-1] += pieces.pop(0)
                    words = argv
                    argv += pieces
                    end = part.end_byte
                    continue
            value = _unescape(text) if kind == "word" else self.value(part)
            if words and part.start_byte == end:  # no blank between: the same word
                words[-1] += value
            elif not argv and (kind == "variable_assignment" or _ASSIGNMENT.match(text)):
                words = assignments
                assignments.append(value)
            else:
                words = argv
                argv.append(value)
            end = part.end_byte
        start = self.base + self.at(node.start_byte)
        cmd = _Cmd(
            argv=argv,
            pos=start,
            line=self.lines.at(start),
            in_subshell=sub,
            via_sh_c=self.via,
            assignments=assignments,
            connector=connector,
            source=self.source,
            parser=PARSER,
            heredoc_stdin=heredocs,
        )
        self.out.append(cmd)
        return [cmd, *nested]

    def _check_newlines(self, spans: list[tuple[int, int]]) -> None:
        """Note each unescaped newline between the words of one simple command: the grammar
        runs a command on into the next line after a pipeline of three (``a | b | c`` then
        ``d && e``); :func:`_parse` parses again with a ``;`` there."""
        spans.sort()
        for (_, a), (b, _) in itertools.pairwise(spans):
            gap = self.data[a:b]
            at = gap.find(b"\n")
            while at >= 0:
                if not gap[:at].endswith(b"\\"):
                    self.breaks.add(a + at)
                at = gap.find(b"\n", at + 1)

    def _substitutions(self, node: Node, sub: bool, depth: int) -> list[_Cmd]:
        """Commands inside ``$(...)``, backticks and ``<(...)`` anywhere in a word (also
        within ``${...}`` and ``$((...))``), and any statement the grammar left in it."""
        found: list[_Cmd] = []
        stack = [node]
        while stack:
            cur = stack.pop()
            kind = cur.type
            if kind in _SUBSTITUTIONS:
                spans = _backtick_spans(self.text(cur)) if kind == "command_substitution" else []
                if spans:
                    start = self.at(cur.start_byte)
                    for a, b in spans:
                        found += self._reparse(start + a + 1, start + b - 1, depth + 1)
                else:
                    found += self._sequence(cur, True, None, depth + 1)
            elif kind in _STATEMENTS and cur is not node:
                found += self.statement(cur, sub, None, depth + 1)
            elif cur.child_count:
                stack.extend(reversed(cur.children))
        return found

    def _reparse(self, start: int, end: int, depth: int) -> list[_Cmd]:
        """The commands of ``script[start:end]`` parsed on its own, in a subshell."""
        body = self.script[start:end]
        data = body.encode("utf-8", "surrogatepass")
        inner = _Walker(body, data, self.lines, self.source, self.via, self.base + start, ())
        inner.out, inner.groups = self.out, self.groups
        found = inner.statement(_parser().parse(data).root_node, True, None, depth)
        self.too_deep |= inner.too_deep
        return found


_QUOTED = frozenset({"string", "raw_string", "ansi_c_string", "translated_string"})


def _group_end(text: str, i: int) -> int:
    """The offset after the ``)`` or ``}`` closing the bracket at ``i`` (quotes honoured)."""
    opening = text[i]
    closing = ")" if opening == "(" else "}"
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            i = _quote_end(text, i)
        elif ch == "\\":
            i += 1
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _source_words(text: str) -> list[str]:
    """``text`` split into words as the shell splits source text, quotes removed; for the
    rare part the grammar reads across a blank. Substitutions and expansions stay as
    written."""
    words: list[str] = []
    word: list[str] = []
    started = False
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in " \t\n":
            if started:
                words.append("".join(word))
                word, started = [], False
            i += 1
            continue
        started = True
        if ch == "'":
            end = _quote_end(text, i)
            word.append(text[i + 1 : end])
            i = end + 1
        elif ch == '"':
            end = _quote_end(text, i)
            word.append(_unescape_dq(text[i + 1 : end]))
            i = end + 1
        elif ch == "\\":
            if text[i + 1 : i + 2] != "\n":
                word.append(text[i + 1 : i + 2])
            i += 2
        elif ch == "`":
            m = _BACKTICKS.match(text, i)
            end = m.end() if m else n
            word.append(text[i:end])
            i = end
        elif text.startswith(("$(", "${", "<(", ">("), i):
            end = _group_end(text, i + 1)
            word.append(text[i:end])
            i = end
        else:
            word.append(ch)
            i += 1
    if started:
        words.append("".join(word))
    return words


def _backtick_spans(text: str) -> list[tuple[int, int]]:
    """The backquoted substitutions of ``text`` when the grammar read several as one
    (`` `id -u` `id -g` ``: it does when only blanks separate them); else none."""
    if not text.startswith("`") or "`" not in text[1:-1]:
        return []
    spans = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    if len(spans) < 2 or spans[-1][1] != len(text):
        return []
    for (_, a), (b, _) in itertools.pairwise(spans):
        if text[a:b].strip(" \t"):
            return []  # something else between them: the grammar read them right
    return spans


def _first_error(root: Node) -> Node | None:
    stack = [root]
    while stack:
        cur = stack.pop()
        if cur.is_error or cur.is_missing:
            return cur
        stack.extend(reversed([c for c in cur.children if c.has_error or c.is_missing]))
    return None


def _patch(text: str, offsets: list[int]) -> str:
    """``text`` with a ``;`` at each of ``offsets``."""
    chars = list(text)
    for i in offsets:
        chars[i] = ";"
    return "".join(chars)


def _parse(
    script: str, lines: _Lines, source: str, via: bool, base: int
) -> tuple[_Walker, list[_HereDoc], Fallback | None]:
    """Parse ``script`` (here-documents taken out) and collect its commands."""
    text, heredocs = _hide_heredocs(script)
    text = text.replace("\r", " ")
    data = text.encode("utf-8", "surrogatepass")
    newlines: set[int] = set()
    while True:
        root = _parser().parse(data).root_node
        walker = _Walker(text, data, lines, source, via, base, heredocs)
        walker.newlines = frozenset(newlines)
        walker.statement(root, False, None, 0)
        # a newline the grammar read across ends the command there: put a `;` in its place
        # (same length; connectors still see a newline) and parse again
        fix = {b for b in walker.breaks if data[b + 1 :].lstrip(b" \t")[:1] != b";"}
        if not fix or len(newlines) > 1000:
            break
        newlines |= fix
        patched = bytearray(data)
        for b in fix:
            patched[b] = ord(";")
        data = bytes(patched)
        text = _patch(text, [walker.at(b) for b in fix])
    problem: Fallback | None = None
    if root.has_error:
        error = _first_error(root) or root
        at = base + walker.at(error.start_byte)
        if error.is_missing:
            reason = f"syntax error: missing {error.type!r}"
        else:
            snippet = walker.text(error)
            snippet = snippet if len(snippet) <= 40 else snippet[:37] + "..."
            reason = f"syntax error near {snippet!r}"
        problem = Fallback(lines.at(at), reason)
    elif walker.too_deep:
        problem = Fallback(lines.at(base), f"nested deeper than {MAX_DEPTH} levels")
    return walker, heredocs, problem


def shell_script_of(argv: Sequence[str]) -> str | None:
    """The script of ``sh -c SCRIPT`` (also behind sudo/env/nohup/exec, and ``su -c``)."""
    i = 0
    n = len(argv)
    while i < n and argv[i].rsplit("/", 1)[-1] in WRAPPERS:
        wrapper = argv[i].rsplit("/", 1)[-1]
        i += 1
        while i < n and (argv[i].startswith("-") or (wrapper == "env" and "=" in argv[i])):
            if wrapper in ("sudo", "doas") and argv[i] in ("-u", "-g", "-U", "-h", "-p", "-C"):
                i += 1
            if wrapper == "nice" and argv[i] == "-n":
                i += 1
            i += 1
    if i >= n:
        return None
    prog = argv[i].rsplit("/", 1)[-1]
    if prog == "su":
        for j in range(i + 1, n):
            if argv[j] in ("-c", "--command") and j + 1 < n:
                return argv[j + 1]
            if argv[j].startswith("--command="):
                return argv[j].split("=", 1)[1]
        return None
    if prog not in SHELLS:
        return None
    j = i + 1
    if prog == "busybox":
        if j >= n or argv[j] not in ("sh", "ash"):
            return None
        j += 1
    while j < n and argv[j].startswith(("-", "+")) and argv[j] not in ("-", "--"):
        opt = argv[j]
        if not opt.startswith("--") and "c" in opt[1:]:
            return argv[j + 1] if j + 1 < n else None
        if opt in ("-o", "+o", "-O", "+O"):
            j += 1
        j += 1
    return None


def _reads_stdin_script(argv: Sequence[str]) -> bool:
    """A shell with no ``-c`` and no script operand reads its script from standard input."""
    if not argv or argv[0].rsplit("/", 1)[-1] not in SHELLS:
        return False
    j = 1
    while j < len(argv) and argv[j].startswith(("-", "+")):
        if "c" in argv[j][1:] and not argv[j].startswith("--"):
            return False
        if argv[j] in ("-o", "+o", "-O", "+O"):
            j += 1
        j += 1
    return j >= len(argv)


# ---------------------------------------------------------------- driver


class _Analysis:
    def __init__(self) -> None:
        self.cmds: list[_Cmd] = []
        self.links: list[list[_Cmd]] = []
        self.fallbacks: list[Fallback] = []

    def script(
        self,
        script: str,
        lines: _Lines,
        source: str,
        via: bool,
        base: int = 0,
        heredocs: Sequence[Heredoc] = (),
        nested_ok: bool = True,
        depth: int = 0,
    ) -> None:
        """Analyse ``script``; ``heredocs``: the Dockerfile's here-documents of its markers."""
        walker, docs, problem = _parse(script, lines, source, via, base)
        if problem is not None:
            self.fallbacks.append(problem)
        self.links += [sorted(g, key=lambda c: c.pos) for g in walker.groups]
        for cmd in sorted(walker.out, key=lambda c: c.pos):
            self.cmds.append(cmd)
            if nested_ok and not via:
                inner = shell_script_of(cmd.argv)
                if inner is not None:
                    self.script(inner, _Lines.text(inner, cmd.line), source, True)
            for k in cmd.heredoc_stdin:
                doc = docs[k]
                if doc.fd != 0 or depth >= MAX_SCRIPT_DEPTH or not _reads_stdin_script(cmd.argv):
                    continue
                if 0 <= doc.dockerfile_index < len(heredocs):
                    given = heredocs[doc.dockerfile_index]
                    body_lines = _Lines.text(given.body, given.start_line)
                    self.script(given.body, body_lines, "heredoc", via, depth=depth + 1)
                elif doc.body:  # a here-document inside the script itself
                    self.script(
                        doc.body, lines, "heredoc", via, base + doc.body_start, depth=depth + 1
                    )


def _freeze(analysis: _Analysis) -> list[Command]:
    ordered = analysis.cmds
    frozen: dict[int, Command] = {}
    position: dict[int, tuple[int, int]] = {}
    for group in analysis.links:
        for index, c in enumerate(group):
            position[id(c)] = (index, len(group))
    result: list[Command] = []
    for c in ordered:
        index, length = position.get(id(c), (0, 1))
        cmd = Command(
            argv=c.argv,
            line=c.line,
            pipeline_position=index,
            pipeline_length=length,
            in_subshell=c.in_subshell,
            via_sh_c=c.via_sh_c,
            assignments=c.assignments,
            connector=c.connector,
            source=c.source,
            parser=c.parser,
        )
        frozen[id(c)] = cmd
        result.append(cmd)
    for group in analysis.links:
        for a, b in itertools.pairwise(group):
            object.__setattr__(frozen[id(a)], "piped_into", frozen[id(b)])
            object.__setattr__(frozen[id(b)], "piped_from", frozen[id(a)])
    return result


def analyse(
    run: Instruction, shell: Sequence[str] | None = None, fast: bool = False
) -> ShellAnalysis:
    """Analyse the shell of a ``RUN`` (or ``ONBUILD RUN``); ``shell`` is the stage's active
    ``SHELL`` (default ``/bin/sh -c``). Never raises.

    ``fast`` is accepted for compatibility and has no effect: it chose a tokenizer for simple
    scripts, and tree-sitter parses them faster than that tokenizer split them."""
    del fast
    if run.keyword == "ONBUILD" and run.onbuild is not None:
        run = run.onbuild
    shell = tuple(shell) if shell else DEFAULT_SHELL
    out = _Analysis()
    if run.json_form is not None:
        argv = list(run.json_form)
        if argv:
            out.cmds.append(_Cmd(argv, 0, run.start_line, False, False, [], None, "exec", "exec"))
            inner = shell_script_of(argv)
            if inner is not None:
                out.script(inner, _Lines.text(inner, run.start_line), "exec", True)
        return ShellAnalysis(_freeze(out), out.fallbacks)
    if shell[0].rsplit("/", 1)[-1].lower() not in SHELLS:
        return ShellAnalysis([], [], skipped=f"SHELL {shell[0]} is not a POSIX shell")
    lines = _Lines(list(run.line_map) or [(0, run.start_line)])
    heredocs = run.heredocs
    text = run.args_raw
    if heredocs and parse_heredoc_marker(text.strip()) is not None:
        body = heredocs[0].body
        first = body.split("\n", 1)[0]
        interpreter = first[2:].split() if first.startswith("#!") else []
        names = [w.rsplit("/", 1)[-1] for w in interpreter[:2]]
        if (
            not interpreter
            or names[0] in SHELLS
            or (names[0] == "env" and names[1:2] and names[1] in SHELLS)
        ):
            out.script(body, _Lines.text(body, heredocs[0].start_line), "heredoc", False)
        return ShellAnalysis(_freeze(out), out.fallbacks)
    out.script(text, lines, "shell", False, heredocs=heredocs)
    return ShellAnalysis(_freeze(out), out.fallbacks)


def commands(
    run: Instruction, shell: Sequence[str] | None = None, fast: bool = False
) -> list[Command]:
    """Every simple command of a ``RUN`` (see :func:`analyse`)."""
    return analyse(run, shell, fast).commands
