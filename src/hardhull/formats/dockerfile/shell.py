"""Shell analysis of ``RUN``: every simple command, with pipelines, lists and ``sh -c``.

What is analysed, as BuildKit runs it:

- the shell form text (``args_raw``), with any here-documents attached as the shell sees
  them (their bodies are data unless a shell reads them, see below);
- a here-document body when it *is* the script: ``RUN <<EOF`` alone (unless the body starts
  with a ``#!`` line naming a non-shell interpreter), or a shell reading it on standard input
  (``RUN bash <<EOF``, ``RUN sh -e <<EOF``);
- the exec form: the argv itself, and its script when it is ``["sh", "-c", "..."]``.

``sh -c`` / ``bash -c`` strings (also behind ``sudo``, ``env``, ``nohup``, ``exec``, ``su -c``)
are parsed one level deep; their commands have ``via_sh_c`` set.

Parsing uses **bashlex** (a port of bash's own grammar). bashlex lacks some syntax
(``case``, arithmetic ``$((...))``, some here-document forms) and then raises; the script is
then split by a small tokenizer (:func:`_fallback`) that honours quotes, ``$(...)``, backticks
and escapes and splits on unquoted ``&&``, ``||``, ``;``, ``&``, ``|`` and newlines. Every use
of the fallback is recorded in :attr:`ShellAnalysis.fallbacks`; nothing raises.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.formats.dockerfile.model import Heredoc, Instruction
from hardhull.formats.dockerfile.parser import parse_heredoc_marker

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
WRAPPERS = frozenset({"sudo", "env", "nohup", "exec", "time", "command", "doas", "nice"})
_RESERVED_LEAD = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "("})
_RESERVED_ONLY = frozenset({"fi", "done", "esac", "}", ")", ";;", "in"})
_SKIP_SEGMENT = frozenset({"for", "case", "select", "function"})
#: scripts longer than this go straight to the fallback (bashlex is slow on huge inputs)
MAX_BASHLEX = 100_000
MAX_DEPTH = 200
DEFAULT_SHELL = ("/bin/sh", "-c")
#: syntax only bashlex handles exactly: substitutions, subshells, groups, here-documents,
#: compound commands, tests; a script without any of it is a plain list of simple commands
_COMPOUND = re.compile(
    r"[`()]|(?<!\$)\{|<<|\[\[|(?:^|[\s;&|])(?:case|for|while|until|if|then|else|elif|fi|do|"
    r"done|esac|function|select|!)(?=[\s;&|]|$)"
)


@dataclass(frozen=True)
class Command:
    """One simple command: its words (quotes removed), where it is and how it is connected.

    ``pipeline_position`` is the 0-based index in its pipeline (``pipeline_length`` elements;
    1 when not in a pipeline); ``piped_from``/``piped_into`` are the neighbouring commands.
    ``connector`` is the list operator before the command (``&&``, ``||``, ``;``, ``&``) or
    None. ``in_subshell``: inside ``( )``, ``$( )``, backticks or ``<( )``. ``source`` is
    ``"shell"`` (shell form), ``"heredoc"`` or ``"exec"`` (JSON form); ``parser`` is
    ``"bashlex"``, ``"fallback"`` or ``"exec"``.
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
    parser: str = "bashlex"  # or "fallback", "exec", "tokenizer" (fast path, see analyse)
    piped_from: Command | None = field(default=None, repr=False, compare=False)
    piped_into: Command | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The program name: the last path component of ``argv[0]`` ("" if no words)."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


@dataclass(frozen=True)
class Fallback:
    """A script bashlex could not parse, analysed with the fallback tokenizer instead."""

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
    heredoc_stdin: list[int] = field(default_factory=list)
    pipe_group: int = -1
    pipe_index: int = 0
    pipe_len: int = 1


class _BashlexFailed(Exception):
    pass


# ---------------------------------------------------------------- bashlex walk


class _Walker:
    def __init__(self, lines: _Lines, source: str, via: bool, base: int) -> None:
        self.lines = lines
        self.source = source
        self.via = via
        self.base = base  # offset of the script in the text ``lines`` maps
        self.out: list[_Cmd] = []
        self.groups = 0

    def walk(self, node: Any, sub: bool, connector: str | None, depth: int) -> list[_Cmd]:
        """The commands of ``node`` in order; returns them (also appended to ``out``)."""
        if depth > MAX_DEPTH:
            raise _BashlexFailed("nesting too deep")
        kind = getattr(node, "kind", "")
        found: list[_Cmd] = []
        if kind == "command":
            found += self._command(node, sub, connector, depth)
        elif kind == "list":
            op = connector
            first = True
            for part in node.parts:
                if part.kind == "operator":
                    op = part.op
                    continue
                found += self.walk(part, sub, op if not first else connector, depth + 1)
                first = False
        elif kind == "pipeline":
            elements = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
            group = self.groups
            self.groups += 1
            heads: list[_Cmd] = []
            for index, part in enumerate(elements):
                cmds = self.walk(part, sub, connector if index == 0 else None, depth + 1)
                if cmds:
                    head = cmds[0]
                    head.pipe_group, head.pipe_index, head.pipe_len = (
                        group,
                        index,
                        len(elements),
                    )
                    heads.append(head)
                found += cmds
        elif kind == "compound":
            is_sub = bool(node.list) and getattr(node.list[0], "word", "") == "("
            first = True
            for part in node.list:
                if part.kind in ("reservedword", "operator"):
                    continue
                found += self.walk(part, sub or is_sub, connector if first else None, depth + 1)
                first = False
            for red in getattr(node, "redirects", []) or []:
                found += self._word_subs(red, sub, depth)
        elif kind in ("if", "for", "while", "until", "function"):
            first = True
            for part in node.parts:
                if part.kind in ("reservedword", "operator", "pipe"):
                    continue
                if part.kind == "word":
                    found += self._word_subs(part, sub, depth)
                    continue
                found += self.walk(part, sub, connector if first else None, depth + 1)
                first = False
        elif kind in ("word", "redirect", "assignment"):
            found += self._word_subs(node, sub, depth)
        return found

    def _word_subs(self, node: Any, sub: bool, depth: int) -> list[_Cmd]:
        """Commands inside ``$(...)``, backticks and ``<(...)`` of a word."""
        found: list[_Cmd] = []
        stack: list[Any] = [node]
        seen = 0
        while stack:
            cur = stack.pop()
            seen += 1
            if seen > 10_000:
                raise _BashlexFailed("word too complex")
            kind = getattr(cur, "kind", "")
            if kind in ("commandsubstitution", "processsubstitution"):
                found += self.walk(cur.command, True, None, depth + 1)
                continue
            for attr in ("parts", "output"):
                child = getattr(cur, attr, None)
                if isinstance(child, list):
                    stack.extend(reversed(child))
                elif child is not None and hasattr(child, "kind"):
                    stack.append(child)
        return found

    def _command(self, node: Any, sub: bool, connector: str | None, depth: int) -> list[_Cmd]:
        argv: list[str] = []
        assigns: list[str] = []
        heredocs: list[int] = []
        nested: list[_Cmd] = []
        for part in node.parts:
            if part.kind == "word":
                argv.append(part.word)
                nested += self._word_subs(part, sub, depth)
            elif part.kind == "assignment":
                if argv:
                    argv.append(part.word)
                else:
                    assigns.append(part.word)
                nested += self._word_subs(part, sub, depth)
            elif part.kind == "redirect":
                if part.type in ("<<", "<<-") and getattr(part, "input", None) in (None, 0):
                    out = getattr(part, "output", None)
                    word = getattr(out, "word", "")
                    if word[:1].isalpha():
                        heredocs.append(ord(word[0].upper()) - ord("A"))
                nested += self._word_subs(part, sub, depth)
        start = node.pos[0]
        cmd = _Cmd(
            argv=argv,
            pos=self.base + start,
            line=self.lines.at(self.base + start),
            in_subshell=sub,
            via_sh_c=self.via,
            assignments=assigns,
            connector=connector,
            source=self.source,
            parser="bashlex",
            heredoc_stdin=heredocs,
        )
        self.out.append(cmd)
        return [cmd, *nested]


def _bashlex_commands(
    script: str, lines: _Lines, source: str, via: bool, base: int
) -> tuple[list[_Cmd], dict[int, list[_Cmd]]]:
    from hardhull.formats.dockerfile.bashlex_loader import load_bashlex

    bashlex = load_bashlex()

    if len(script) > MAX_BASHLEX:
        raise _BashlexFailed(f"script longer than {MAX_BASHLEX} characters")
    try:
        trees = bashlex.parse(script)
    except Exception as e:  # bashlex raises many types (ParsingError, NotImplementedError, ...)
        raise _BashlexFailed(f"{type(e).__name__}: {e}") from None
    walker = _Walker(lines, source, via, base)
    for tree in trees:
        walker.walk(tree, False, None, 0)
    cmds = sorted(walker.out, key=lambda c: c.pos)
    groups: dict[int, list[_Cmd]] = {}
    for c in cmds:
        if c.pipe_group >= 0:
            groups.setdefault(c.pipe_group, []).append(c)
    return cmds, groups


# ---------------------------------------------------------------- fallback tokenizer


_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "\n")
_OPERATOR_START = frozenset(o[0] for o in _OPERATORS)
#: characters the tokenizer never treats specially (quotes, escapes, substitutions, comments,
#: blanks, parentheses, redirections and operators excluded)
_PLAIN = re.compile(r"[^'\"\\$`#\s()<>&|;]+")


def _fallback(
    script: str, lines: _Lines, source: str, via: bool, base: int
) -> tuple[list[_Cmd], dict[int, list[_Cmd]]]:
    """Split on unquoted list/pipe operators and newlines, honouring quotes; never raises."""
    cmds: list[_Cmd] = []
    groups: dict[int, list[_Cmd]] = {}
    words: list[str] = []
    word: list[str] = []
    word_started = False
    seg_start = -1
    connector: str | None = None
    pipe_group = -1
    group_count = 0
    sub_depth = 0
    sub_at_start = False
    skip_redirect = False
    pending_heredocs: list[tuple[str, bool]] = []
    seg_heredocs: list[int] = []
    heredoc_count = 0
    n = len(script)
    i = 0

    def end_word() -> None:
        nonlocal word, word_started, skip_redirect
        if word_started:
            if skip_redirect:
                skip_redirect = False
            else:
                words.append("".join(word))
        word = []
        word_started = False

    def end_segment(op: str) -> None:
        nonlocal words, seg_start, connector, pipe_group, group_count, sub_at_start, seg_heredocs
        end_word()
        argv = list(words)
        while argv and argv[0] in _RESERVED_LEAD:
            argv.pop(0)
        if argv and argv[0] == "case" and "in" in argv:
            argv = argv[argv.index("in") + 1 :]
        if argv and argv[0].endswith(")") and "(" not in argv[0]:
            argv.pop(0)  # a case pattern
        keep = bool(argv) and argv[0] not in _SKIP_SEGMENT and argv[0] not in _RESERVED_ONLY
        assigns: list[str] = []
        while keep and argv and _is_assignment(argv[0]):
            assigns.append(argv.pop(0))
        if keep and (argv or assigns):
            pos = base + max(seg_start, 0)
            cmd = _Cmd(
                argv=argv,
                pos=pos,
                line=lines.at(pos),
                in_subshell=sub_at_start or sub_depth > 0,
                via_sh_c=via,
                assignments=assigns,
                connector=connector,
                source=source,
                parser="fallback",
                heredoc_stdin=seg_heredocs,
            )
            if op == "|" or pipe_group >= 0:
                if pipe_group < 0:
                    pipe_group = group_count
                    group_count += 1
                cmd.pipe_group = pipe_group
                groups.setdefault(pipe_group, []).append(cmd)
            cmds.append(cmd)
        if op != "|":
            pipe_group = -1
        words = []
        seg_heredocs = []
        seg_start = -1
        sub_at_start = False
        connector = None if op in ("\n", "|") else op

    while i < n:
        ch = script[i]
        if seg_start < 0 and ch not in " \t\r\n":
            seg_start = i
        if ch in "'\"":
            end = _quote_end(script, i)
            word.append(_unquote(script[i + 1 : end], ch))
            word_started = True
            i = end + 1
            continue
        if ch == "\\":
            if i + 1 < n and script[i + 1] != "\n":
                word.append(script[i + 1])
                word_started = True
            i += 2
            continue
        if ch == "$" and i + 1 < n and script[i + 1] in "({":
            end = _paren_end(script, i + 1)
            word.append(script[i : end + 1])
            word_started = True
            i = end + 1
            continue
        if ch == "`":
            end = script.find("`", i + 1)
            end = n - 1 if end < 0 else end
            word.append(script[i : end + 1])
            word_started = True
            i = end + 1
            continue
        if ch == "#" and not word_started:
            end = script.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in " \t\r":
            end_word()
            i += 1
            continue
        if ch == "(" and not word_started:
            sub_depth += 1
            if not words:
                sub_at_start = True
                seg_start = -1
            i += 1
            continue
        if ch == ")" and (not word_started or sub_depth > 0):
            end_word()  # "make)" closes the subshell after make
            if sub_depth > 0 and words:
                sub_at_start = True  # the command before the ")" ran in the subshell
            sub_depth = max(sub_depth - 1, 0)
            i += 1
            continue
        if ch in "<>":
            if word_started and all(c.isdigit() for c in word):
                word, word_started = [], False
            end_word()
            j = i
            while j < n and script[j] in "<>&|-":
                j += 1
            op_text = script[i:j]
            if op_text.startswith("<<") and not op_text.startswith("<<<"):
                k = j
                while k < n and script[k] in " \t":
                    k += 1
                e = k
                while e < n and script[e] not in " \t\r\n;&|<>()":
                    e += 1
                marker = parse_heredoc_marker("<<" + script[k:e]) if e > k else None
                if marker is not None:
                    pending_heredocs.append((marker.delimiter, op_text.endswith("-")))
                    seg_heredocs.append(heredoc_count)
                    heredoc_count += 1
                i = e
                continue
            skip_redirect = not script[j:].lstrip(" \t").startswith(("\n",)) and j < n
            if script[j - 1 : j] == "&" and j < n and script[j].isdigit():
                skip_redirect = False
                while j < n and script[j].isdigit():
                    j += 1
            i = j
            while i < n and script[i] in " \t":
                i += 1
            continue
        op = (
            next((o for o in _OPERATORS if script.startswith(o, i)), None)
            if ch in _OPERATOR_START
            else None
        )
        if op is not None:
            end_segment(op)
            i += len(op)
            if op == "\n" and pending_heredocs:
                i = _skip_heredocs(script, i, pending_heredocs)
                pending_heredocs = []
            continue
        # a run of characters that are all ordinary here (each would take this branch)
        m = _PLAIN.match(script, i)
        if m is not None:
            word.append(m.group())
            i = m.end()
        else:
            word.append(ch)
            i += 1
        word_started = True
    end_segment("\n")
    return cmds, groups


def _skip_heredocs(script: str, i: int, pending: list[tuple[str, bool]]) -> int:
    n = len(script)
    for delim, strip in pending:
        while i < n:
            end = script.find("\n", i)
            end = n if end < 0 else end
            line = script[i:end].rstrip("\r")
            i = end + 1
            if (line.lstrip("\t") if strip else line) == delim:
                break
    return min(i, n)


def _quote_end(script: str, i: int) -> int:
    q = script[i]
    j = i + 1
    n = len(script)
    while j < n:
        if script[j] == q:
            return j
        if q == '"' and script[j] == "\\":
            j += 1
        j += 1
    return n - 1 if n - 1 > i else i


def _unquote(text: str, quote: str) -> str:
    if quote == "'":
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in '"\\$`\n':
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _paren_end(script: str, i: int) -> int:
    open_ch = script[i]
    close_ch = ")" if open_ch == "(" else "}"
    depth = 0
    n = len(script)
    j = i
    while j < n:
        ch = script[j]
        if ch in "'\"":
            j = _quote_end(script, j) + 1
            continue
        if ch == "\\":
            j += 2
            continue
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return n - 1


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return (
        bool(eq)
        and bool(name)
        and (name[0].isalpha() or name[0] == "_")
        and all(c.isalnum() or c == "_" for c in name)
    )


# ---------------------------------------------------------------- sh -c


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
    def __init__(self, fast: bool = False) -> None:
        self.cmds: list[_Cmd] = []
        self.links: list[list[_Cmd]] = []
        self.fallbacks: list[Fallback] = []
        self.fast = fast

    def script(
        self,
        script: str,
        lines: _Lines,
        source: str,
        via: bool,
        base: int = 0,
        heredocs: Sequence[Heredoc] = (),
        nested_ok: bool = True,
    ) -> None:
        clean = script.replace("\r", " ")
        fast = _fast_split(clean, lines, source, via, base) if self.fast and not heredocs else None
        if fast is not None:
            cmds, groups = fast
        else:
            try:
                cmds, groups = _bashlex_commands(clean, lines, source, via, base)
            except _BashlexFailed as e:
                self.fallbacks.append(Fallback(lines.at(base), str(e)))
                cmds, groups = _fallback(clean, lines, source, via, base)
        self.links += [sorted(g, key=lambda c: c.pos) for g in groups.values()]
        for cmd in cmds:
            self.cmds.append(cmd)
            if nested_ok and not via:
                inner = shell_script_of(cmd.argv)
                if inner is not None:
                    self.script(inner, _Lines.text(inner, cmd.line), source, True)
            for k in cmd.heredoc_stdin:
                if 0 <= k < len(heredocs) and _reads_stdin_script(cmd.argv):
                    doc = heredocs[k]
                    self.script(doc.body, _Lines.text(doc.body, doc.start_line), "heredoc", via)


#: the compound syntax the tokenizer leaves to bashlex, once quotes, substitutions and
#: subshell parentheses are accounted for
_COMPOUND_REST = re.compile(
    r"[`]|(?<!\$)\{|<<|\[\[|(?:^|[\s;&|])(?:case|for|while|until|if|then|else|elif|fi|do|"
    r"done|esac|function|select|!)(?=[\s;&|]|$)"
)
#: a subshell opens where a command starts
_SUBSHELL_OPEN = re.compile(r"(?:^|[;&|\n(])[ \t]*\(")
_PARENS = re.compile(r"[()]")


_MASK_SPECIAL = re.compile(r"[\\`$\"'#]")
_MASK_SPECIAL_DQ = re.compile(r"[\\`$\"]")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _masked(script: str) -> tuple[str, list[tuple[int, int]]] | None:
    """``script`` with quoted text, comments, ``${...}`` and command substitutions blanked
    out (same length, newlines kept), and the ``(start, end)`` of every ``$(...)`` (``end``:
    its ``)``); None for what the tokenizer must not guess at (backticks, arithmetic ``$((``,
    unterminated quotes or substitutions, quotes inside a quoted substitution)."""
    pieces: list[str] = []
    subs: list[tuple[int, int]] = []
    n = len(script)
    i = 0
    in_double = False

    def keep(a: int, b: int) -> None:
        pieces.append(_NOT_NEWLINE.sub("_", script[a:b]) if in_double else script[a:b])

    def blank(a: int, b: int) -> None:
        pieces.append(_NOT_NEWLINE.sub("_", script[a:b]))

    while True:
        m = (_MASK_SPECIAL_DQ if in_double else _MASK_SPECIAL).search(script, i)
        if m is None:
            break
        j = m.start()
        keep(i, j)
        ch = script[j]
        if ch == "\\":
            blank(j, j + 2)
            i = j + 2
        elif ch == "`":
            return None
        elif ch == "$":
            if j + 1 < n and script[j + 1] in "({":
                if script.startswith("$((", j):
                    return None
                end = _paren_end(script, j + 1)
                if script[end : end + 1] != (")" if script[j + 1] == "(" else "}"):
                    return None
                if end <= j + 1 or (in_double and '"' in script[j:end]):
                    return None  # quotes inside a quoted substitution do not nest here
                if script[j + 1] == "(":
                    subs.append((j, end))
                blank(j, end + 1)
                i = end + 1
            else:
                keep(j, j + 1)
                i = j + 1
        elif ch == '"':
            in_double = not in_double
            blank(j, j + 1)
            i = j + 1
        elif ch == "'":
            end = script.find("'", j + 1)
            if end < 0:
                return None
            blank(j, end + 1)
            i = end + 1
        elif j == 0 or script[j - 1] in " \t\n;&|":  # a comment
            end = script.find("\n", j)
            end = n if end < 0 else end
            blank(j, end)
            i = end
        else:
            keep(j, j + 1)
            i = j + 1
    if in_double:
        return None
    keep(i, n)
    return "".join(pieces), subs


def _fast_split(
    script: str, lines: _Lines, source: str, via: bool, base: int, depth: int = 0
) -> tuple[list[_Cmd], dict[int, list[_Cmd]]] | None:
    """The commands of a script the tokenizer splits exactly as bashlex does: lists and
    pipelines of simple commands, subshells ``( … )`` where a command starts, and words
    holding ``$(...)`` substitutions that are themselves such scripts (their commands follow
    the command they are in, ``in_subshell``, as bashlex gives them). None when anything
    else is there (groups, ``if``/``for``/``case``…, here-documents, backticks, arithmetic):
    bashlex then parses the script. ``tests/test_dockerfile_shell.py`` holds both parsers to
    the same result."""
    if depth > 8:
        return None
    masked = _masked(script)
    if masked is None:
        return None
    text, subs = masked
    if _COMPOUND_REST.search(text) is not None:
        return None
    opens = text.count("(")
    if opens != text.count(")") or opens != len(_SUBSHELL_OPEN.findall(text)):
        return None
    depth_now = 0
    for ch in _PARENS.findall(text) if opens else ():
        if ch == "(":
            depth_now += 1
        elif ch == ")":
            depth_now -= 1
            if depth_now < 0:
                return None
    cmds, groups = _fallback(script, lines, source, via, base)
    for c in cmds:
        c.parser = "tokenizer"
    if not subs:
        return cmds, groups
    nested: list[_Cmd] = []
    next_group = max(groups, default=-1) + 1
    for start, end in subs:
        body = script[start + 2 : end]
        inner = _fast_split(body, lines, source, via, base + start + 2, depth + 1)
        if inner is None:
            return None
        inner_cmds, inner_groups = inner
        for k, c in enumerate(inner_cmds):
            c.in_subshell = True
            if k == 0:
                c.connector = None
        for members in inner_groups.values():
            for c in members:
                c.pipe_group = next_group
            groups[next_group] = members
            next_group += 1
        nested += inner_cmds
    return sorted([*cmds, *nested], key=lambda c: c.pos), groups


def _placeholders(args_raw: str, count: int) -> tuple[str, int] | None:
    """``args_raw`` with each heredoc marker renamed to a same-length name bashlex can read
    (``A__``, ``B``...), and the number of markers; None if there are too many."""
    out: list[str] = []
    k = 0
    i = 0
    n = len(args_raw)
    for start, end, word in _word_spans(args_raw):
        marker = parse_heredoc_marker(word)
        if marker is None:
            continue
        if k >= 26:
            return None
        prefix_len = word.index("<<") + 2 + (1 if marker.strip_tabs else 0)
        width = end - start - prefix_len
        out.append(args_raw[i : start + prefix_len])
        out.append(chr(ord("A") + k) + "_" * (width - 1))
        i = end
        k += 1
    out.append(args_raw[i:n])
    return "".join(out), k


def _word_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    n = len(text)
    i = 0
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        start = i
        quote = ""
        while i < n:
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"':
                    i += 1
            elif ch in "'\"":
                quote = ch
            elif ch == "\\":
                i += 1
            elif ch in " \t\r\n":
                break
            i += 1
        i = min(i, n)
        spans.append((start, i, text[start:i]))
    return spans


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

    ``fast``: scripts without compound syntax (no substitutions, subshells, groups,
    here-documents, ``if``/``for``/``case``…) are split by the tokenizer instead of bashlex,
    which gives the same commands for them at a fraction of the cost; their commands have
    ``parser == "tokenizer"``."""
    if run.keyword == "ONBUILD" and run.onbuild is not None:
        run = run.onbuild
    shell = tuple(shell) if shell else DEFAULT_SHELL
    out = _Analysis(fast)
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
    if heredocs:
        renamed = _placeholders(text, len(heredocs))
        if renamed is not None:
            script, count = renamed
            # empty bodies with the renamed terminators, so bashlex sees complete heredocs
            ends: list[str] = []
            for _, _, word in _word_spans(script):
                marker = parse_heredoc_marker(word)
                if marker is not None:
                    ends.append(marker.delimiter)
            script = script + "".join("\n" + e for e in ends[:count]) + "\n"
            out.script(script, lines, "shell", False, heredocs=heredocs)
            return ShellAnalysis(_freeze(out), out.fallbacks)
    out.script(text, lines, "shell", False, heredocs=heredocs)
    return ShellAnalysis(_freeze(out), out.fallbacks)


def commands(
    run: Instruction, shell: Sequence[str] | None = None, fast: bool = False
) -> list[Command]:
    """Every simple command of a ``RUN`` (see :func:`analyse`)."""
    return analyse(run, shell, fast).commands
