"""A Dockerfile parser with the semantics of BuildKit's frontend (``dockerfile/parser`` and
``dockerfile/instructions``), written from reading them.

Two passes, as in BuildKit:

1. Lines to nodes: parser directives (``# syntax=``, ``# escape=``, ``# check=``) only on the
   leading lines, comments, line continuations with the active escape character (comment and
   blank lines inside a continuation are skipped; blank ones give a warning), builder flags
   (``--name=value`` words after the keyword), the per-instruction argument forms (JSON array
   or shell form, ``ENV``/``LABEL`` pairs, ``ONBUILD`` triggers) and here-documents of
   ``ADD``/``COPY``/``RUN`` (not in JSON form), read after the instruction line.
2. Nodes to instructions: argument counts, the flags each instruction accepts, ``FROM`` stage
   names, ``ONBUILD`` triggers, ``SHELL`` JSON form, ``RUN --mount`` values; then stages, with
   global ``ARG`` defaults substituted into ``FROM``.

The first error is raised as :class:`DockerfileError` with its line; nothing else escapes.
Everything is iterative; a line is bounded like BuildKit's scanner (64 KiB).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from hardhull.formats.dockerfile.model import (
    Dockerfile,
    DockerfileError,
    Heredoc,
    Instruction,
    Mount,
    Stage,
)
from hardhull.formats.dockerfile.variables import expand

#: BuildKit's line scanner refuses longer lines (bufio.MaxScanTokenSize - 1)
MAX_LINE = 65535
#: Go's encoding/json refuses deeper nesting
MAX_JSON_DEPTH = 10000

# Go's unicode.IsSpace
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_WS = re.compile(r"[\t\v\f\r ]+")
_DIRECTIVE = re.compile(
    r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z"
)
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC = re.compile(r"(\d*)<<(-?)([^<]*)\Z")
_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*\Z")
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)

_HEREDOC_KEYWORDS = frozenset({"add", "copy", "run"})
_KNOWN = frozenset(
    {
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
        "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume",
        "workdir",
    }
)  # fmt: skip

_BOOL, _STRING, _STRINGS = 0, 1, 2
#: the builder flags each instruction accepts (BuildKit's stable frontend, plus RUN --security)
_FLAGS: dict[str, dict[str, int]] = {
    "from": {"platform": _STRING},
    "copy": {
        "chown": _STRING, "chmod": _STRING, "from": _STRING, "link": _BOOL,
        "parents": _BOOL, "exclude": _STRINGS,
    },
    "add": {
        "chown": _STRING, "chmod": _STRING, "link": _BOOL, "keep-git-dir": _BOOL,
        "checksum": _STRING, "exclude": _STRINGS, "unpack": _BOOL,
    },
    "run": {"mount": _STRINGS, "network": _STRING, "security": _STRING},
    "healthcheck": {
        "interval": _STRING, "timeout": _STRING, "start-period": _STRING,
        "start-interval": _STRING, "retries": _STRING,
    },
}  # fmt: skip


@dataclass
class _Node:
    """One instruction of pass 1 (BuildKit's ``parser.Node``)."""

    cmd: str  # the keyword as written
    original: str
    flags: list[str]
    rest: str  # arguments after the flags, trimmed
    rest_offset: int  # offset of ``rest`` in the joined line of the top-level node
    args: list[str] = field(default_factory=list)
    is_json: bool = False
    child: _Node | None = None
    heredocs: list[Heredoc] = field(default_factory=list)
    start: int = 0
    end: int = 0
    segments: tuple[tuple[int, int], ...] = ()


class _Directives:
    def __init__(self) -> None:
        self.escape = "\\"
        self.done = False
        self.seen: dict[str, str] = {}

    def line(self, text: str) -> None:
        if self.done:
            return
        m = _DIRECTIVE.match(text)
        if not m:
            self.done = True
            return
        key = m.group(1).lower()
        if key not in _VALID_DIRECTIVES:
            self.done = True
            return
        if key in self.seen:
            raise DockerfileError(f"only one {key} parser directive can be used")
        value = m.group(2)
        self.seen[key] = value
        if key == "escape":
            if value not in ("`", "\\"):
                raise DockerfileError(f"invalid escape token '{value}' does not match ` or \\")
            self.escape = value


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit's continuation rule: the escape character ends the line (spaces and tabs may
    follow) and is not itself escaped. Returns the line without it and whether the line ends."""
    stripped = line.rstrip(" \t")
    if stripped.endswith(escape) and (len(stripped) == 1 or stripped[-2] != escape):
        return stripped[:-1], False
    return line, True


def _trim_newline(raw: str) -> str:
    return raw.rstrip("\r\n")


def _go_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------- pass 1: argument forms


def _extract_flags(line: str) -> tuple[str, list[str]]:
    """BuildKit's extractBuilderFlags: leading ``--`` words (quotes and ``\\`` honoured)."""
    words: list[str] = []
    n = len(line)
    pos = 0
    while True:
        while pos < n and line[pos] in GO_SPACE:
            pos += 1
        if pos >= n:
            return "", words
        if not line.startswith("--", pos):
            return line[pos:], words
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\":
                    if pos + 1 == n:
                        quote = ""
                        pos += 1
                        continue
                    pos += 1
                    word.append(line[pos])
                else:
                    word.append(ch)
                pos += 1
                continue
            if ch in GO_SPACE:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
            elif ch == "\\":
                if pos + 1 < n:
                    pos += 1
                    word.append(line[pos])
            else:
                word.append(ch)
            pos += 1
        text = "".join(word)
        if text == "--":
            return line[pos:], words
        if blank_ok or text:
            words.append(text)


def _parse_words(rest: str, escape: str) -> list[str]:
    """BuildKit's parseWords: whitespace separated words, quotes and escapes kept."""
    words: list[str] = []
    word: list[str] = []
    n = len(rest)
    pos = 0
    in_word = False
    quote = ""
    blank_ok = False
    while pos < n:
        ch = rest[pos]
        if not in_word and not quote:
            if ch in GO_SPACE:
                pos += 1
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if pos + 1 == n:
                    quote = ""
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch in GO_SPACE:
            if blank_ok or word:
                words.append("".join(word))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in "'\"":
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    if (in_word or quote) and (blank_ok or word):
        words.append("".join(word))
    return words


def _json_depth(text: str) -> int:
    depth = best = 0
    in_str = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
        i += 1
    return best


_JSON_TOKEN = re.compile(
    r'[ \t\n\r]*(?:(?P<s>"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")'
    r"|(?P<p>[\[\]{},:])|(?P<v>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null))"
)


def _json_valid_iterative(text: str) -> bool:
    """Syntax check of deeply nested JSON without recursion (Python's json recurses)."""
    stack: list[str] = []
    state = "value"
    pos = 0
    n = len(text)
    while True:
        m = _JSON_TOKEN.match(text, pos)
        if not m:
            return state == "after" and not stack and not text[pos:].strip(" \t\n\r")
        pos = m.end()
        tok = m.group("p")
        if state in ("value_or_close", "key_or_close") and tok in ("]", "}"):
            if (tok == "]") != (stack[-1] == "["):
                return False
            stack.pop()
            state = "after"
            continue
        if state == "value_or_close":
            state = "value"
        elif state == "key_or_close":
            state = "key"
        if state == "value":
            if tok is None:
                state = "after"
            elif tok == "[":
                stack.append(tok)
                state = "value_or_close"
            elif tok == "{":
                stack.append(tok)
                state = "key_or_close"
            else:
                return False
        elif state == "key":
            if m.group("s") is None:
                return False
            state = "colon"
        elif state == "colon":
            if tok != ":":
                return False
            state = "value"
        else:  # after a value
            if not stack or tok is None:
                return False
            if tok == ",":
                state = "value" if stack[-1] == "[" else "key"
            elif tok in ("]", "}") and (tok == "]") == (stack[-1] == "["):
                stack.pop()
            else:
                return False
        if pos >= n and stack:
            return False


_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


def _reject_constant(name: str) -> object:
    raise ValueError(name)


def _parse_json(rest: str) -> list[str] | None:
    """BuildKit's parseJSON: a JSON array of strings, None when the text is not a JSON array.

    A JSON array with other items is an error (BuildKit rejects it rather than falling back
    to the shell form)."""
    text = rest.lstrip(GO_SPACE)
    if not text.startswith("["):
        return None
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        return None
    if depth > 200:
        if not _json_valid_iterative(text):
            return None
        raise DockerfileError(_NOT_STRINGS)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise DockerfileError(_NOT_STRINGS)
    return value


def _split_ws(rest: str) -> list[str]:
    return _WS.split(rest) if rest else []


def _heredoc_words(line: str) -> list[str]:
    """Words of ``line`` as BuildKit's lexer gives them with raw quotes and escapes: split on
    unquoted whitespace; ``${...}`` stays one word."""
    words: list[str] = []
    word: list[str] = []
    n = len(line)
    i = 0
    quote = ""
    while i < n:
        ch = line[i]
        if quote:
            word.append(ch)
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < n:
                i += 1
                word.append(line[i])
            i += 1
            continue
        if ch in " \t\r\n":
            if word:
                words.append("".join(word))
                word = []
        elif ch in "'\"":
            quote = ch
            word.append(ch)
        elif ch == "\\" and i + 1 < n:
            word.append(ch)
            i += 1
            word.append(line[i])
        elif ch == "$" and i + 1 < n and line[i + 1] == "{":
            end = line.find("}", i)
            end = n - 1 if end < 0 else end
            word.append(line[i : end + 1])
            i = end
        else:
            word.append(ch)
        i += 1
    if word:
        words.append("".join(word))
    return words


def _unquote_heredoc_name(rest: str) -> list[str] | None:
    """The delimiter words of a heredoc marker with quotes and ``\\`` escapes removed."""
    words: list[str] = []
    word: list[str] = []
    started = False
    i = 0
    n = len(rest)
    while i < n:
        ch = rest[i]
        if ch in " \t\r\n":
            if started:
                words.append("".join(word))
                word, started = [], False
        elif ch == "'":
            end = rest.find("'", i + 1)
            if end < 0:
                raise DockerfileError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            word.append(rest[i + 1 : end])
            started = True
            i = end
        elif ch == '"':
            j = i + 1
            while j < n and rest[j] != '"':
                if rest[j] == "\\" and j + 1 < n and rest[j + 1] in '"\\$':
                    j += 1
                word.append(rest[j])
                j += 1
            if j >= n:
                raise DockerfileError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            started = True
            i = j
        elif ch == "\\":
            if i + 1 < n:
                i += 1
                word.append(rest[i])
            started = True
        else:
            word.append(ch)
            started = True
        i += 1
    if started:
        words.append("".join(word))
    return words


def parse_heredoc_marker(word: str) -> Heredoc | None:
    """A heredoc marker word (``<<EOF``, ``<<-"EOF"``, ``3<<EOF``) or None (BuildKit's
    ParseHeredoc). The returned value has no body yet."""
    m = _HEREDOC.match(word)
    if not m:
        return None
    rest = m.group(3)
    if not rest:
        return None
    names = _unquote_heredoc_name(rest)
    if names is None or len(names) != 1:
        return None
    name = names[0]
    raw_quotes = rest.count("'") + rest.count('"')
    quotes = name.count("'") + name.count('"')
    fd = int(m.group(1)) if m.group(1) else 0
    return Heredoc(
        delimiter=name,
        body="",
        start_line=0,
        strip_tabs=m.group(2) == "-",
        quoted=quotes != raw_quotes,
        fd=fd,
    )


def _new_node(line: str, escape: str, offset: int, depth: int = 0) -> _Node:
    """BuildKit's newNodeFromLine: keyword, flags and the argument form."""
    stripped = line.strip(GO_SPACE)
    lead = len(line) - len(line.lstrip(GO_SPACE))
    parts = _WS.split(stripped, maxsplit=1)
    cmd = parts[0]
    rest = ""
    flags: list[str] = []
    if len(parts) == 2:
        rest, flags = _extract_flags(parts[1])
        rest = rest.strip(GO_SPACE)
    rest_offset = offset + lead + len(stripped) - len(rest)
    node = _Node(cmd=cmd, original=line, flags=flags, rest=rest, rest_offset=rest_offset)
    low = cmd.lower()
    if low in ("add", "copy", "volume"):
        js = _parse_json(rest)
        node.is_json = js is not None
        node.args = js if js is not None else _split_ws(rest)
    elif low in ("cmd", "entrypoint", "run", "shell"):
        if rest:
            js = _parse_json(rest)
            node.is_json = js is not None
            node.args = js if js is not None else [rest]
    elif low in ("expose", "from"):
        node.args = _split_ws(rest)
    elif low == "arg":
        node.args = _parse_words(rest, escape)
    elif low in ("env", "label"):
        node.args = _name_val(rest, low.upper(), escape)
    elif low in ("maintainer", "stopsignal", "user", "workdir"):
        node.args = [rest] if rest else []
    elif low == "healthcheck":
        _health(node, rest)
    elif low == "onbuild":
        if rest and depth < 2:
            node.child = _new_node(rest, escape, rest_offset, depth + 1)
            node.args = [node.child.cmd, *node.child.args]
        elif rest:
            node.args = _split_ws(rest)
    return node


def _name_val(rest: str, key: str, escape: str) -> list[str]:
    words = _parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _WS.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise DockerfileError(f"{key} must have two arguments")
        return [parts[0], parts[1]]
    out: list[str] = []
    for word in words:
        if "=" not in word:
            raise DockerfileError(
                f"Syntax error - can't find = in {_go_quote(word)}. Must be of the form: name=value"
            )
        k, _, v = word.partition("=")
        out += [k, v]
    return out


def _health(node: _Node, rest: str) -> None:
    sep = 0
    n = len(rest)
    while sep < n and rest[sep] not in GO_SPACE:
        sep += 1
    if sep == 0:
        return
    nxt = sep
    while nxt < n and rest[nxt] in GO_SPACE:
        nxt += 1
    typ = rest[:sep]
    cmd = rest[nxt:]
    node.args = [typ]
    if cmd:
        js = _parse_json(cmd)
        node.is_json = js is not None
        node.args += js if js is not None else [cmd]


def _can_contain_heredoc(node: _Node) -> bool:
    target = node
    if node.cmd.lower() == "onbuild" and node.child is not None:
        target = node.child
    return target.cmd.lower() in _HEREDOC_KEYWORDS and not target.is_json


def _heredocs_in(line: str) -> list[Heredoc]:
    if "<<" not in line:
        return []  # every marker has it; most instructions have none
    docs: list[Heredoc] = []
    for word in _heredoc_words(line):
        doc = parse_heredoc_marker(word)
        if doc is not None:
            docs.append(doc)
    return docs


def _lines(text: str) -> list[str]:
    if text.startswith("\ufeff"):
        text = text[1:]
    parts = text.split("\n")
    last = parts.pop()
    lines = [p + "\n" for p in parts]
    if last:
        lines.append(last)
    return lines


def _check_length(raw: str, number: int) -> None:
    if len(raw) > MAX_LINE // 4 and len(raw.encode("utf-8", "surrogatepass")) > MAX_LINE + 1:
        raise DockerfileError(
            f"dockerfile line greater than max allowed size of {MAX_LINE}", number
        )


def _pass1(text: str) -> tuple[list[_Node], _Directives, list[str], int]:
    lines = _lines(text)
    d = _Directives()
    nodes: list[_Node] = []
    warnings: list[str] = []
    n = len(lines)
    i = 0
    cur = 0
    while i < n:
        raw = lines[i]
        i += 1
        _check_length(raw, cur + 1)
        token = _trim_newline(raw).lstrip(GO_SPACE)
        try:
            d.line(token)
        except DockerfileError as e:
            raise DockerfileError(e.message, cur + 1) from None
        if token.startswith("#"):
            token = ""
        cur += 1
        start = cur
        line, end_of_line = _trim_continuation(token, d.escape)
        if end_of_line and not line:
            continue
        segments = [(0, cur)]
        has_empty = False
        while not end_of_line and i < n:
            raw = lines[i]
            i += 1
            _check_length(raw, cur + 1)
            token = _trim_newline(raw)
            cur += 1
            if token.lstrip(GO_SPACE).startswith("#"):
                continue
            if not token.lstrip(GO_SPACE):
                has_empty = True
                continue
            part, end_of_line = _trim_continuation(token, d.escape)
            segments.append((len(line), cur))
            line += part
        if has_empty:
            warnings.append(f"line {start}: empty continuation line found in: {line}")
        try:
            node = _new_node(line, d.escape, 0)
        except DockerfileError as e:
            raise DockerfileError(e.message, start) from None
        node.start = start
        node.segments = tuple(segments)
        if _can_contain_heredoc(node):
            try:
                markers = _heredocs_in(line)
            except DockerfileError as e:
                raise DockerfileError(e.message, start) from None
            for marker in markers:
                body: list[str] = []
                body_start = cur + 1
                terminated = False
                while i < n:
                    raw = lines[i]
                    i += 1
                    _check_length(raw, cur + 1)
                    cur += 1
                    candidate = _trim_newline(raw)
                    if marker.strip_tabs:
                        candidate = candidate.lstrip("\t")
                    if candidate == marker.delimiter:
                        terminated = True
                        break
                    body.append(raw)
                if not terminated:
                    raise DockerfileError("unterminated heredoc", start)
                content = "".join(body)
                if marker.strip_tabs:
                    content = _LEADING_TABS.sub("", content)
                node.heredocs.append(
                    Heredoc(
                        delimiter=marker.delimiter,
                        body=content,
                        start_line=body_start,
                        strip_tabs=marker.strip_tabs,
                        quoted=marker.quoted,
                        end_line=cur,
                        fd=marker.fd,
                    )
                )
        node.end = cur
        nodes.append(node)
    if not nodes:
        raise DockerfileError("file with no instructions", cur)
    return nodes, d, warnings, cur


# ---------------------------------------------------------------- pass 2: instructions


def _parse_flags(node: _Node, keyword: str) -> dict[str, list[str]]:
    """BuildKit's BFlags.Parse for the flags ``keyword`` accepts."""
    known = _FLAGS.get(keyword, {})
    out: dict[str, list[str]] = {}
    for arg in node.flags:
        if not arg.startswith("--"):
            raise DockerfileError(f"arg should start with -- : {arg}")
        if arg == "--":
            break
        name, eq, value = arg[2:].partition("=")
        kind = known.get(name)
        if kind is None:
            raise DockerfileError(f"unknown flag: {name}")
        if name in out and kind != _STRINGS:
            raise DockerfileError(f"duplicate flag specified: {name}")
        if kind == _BOOL:
            if eq and not value:
                raise DockerfileError(f"missing a value on flag: {name}")
            low = value.lower()
            if low not in ("", "true", "false"):
                raise DockerfileError(f"expecting boolean value for flag {name}, not: {value}")
            out[name] = [low or "true"]
        else:
            if not eq:
                raise DockerfileError(f"missing a value on flag: {name}")
            out.setdefault(name, []).append(value)
    return out


def _err_one(keyword: str) -> DockerfileError:
    return DockerfileError(f"{keyword} requires exactly one argument")


def _err_least(keyword: str) -> DockerfileError:
    return DockerfileError(f"{keyword} requires at least one argument")


_DURATION = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+\Z")
_UNIT_NS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": 10**9, "m": 6 * 10**10}
_UNIT_NS["h"] = 60 * _UNIT_NS["m"]
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def _duration_ns(text: str) -> float | None:
    if text in ("0", "+0", "-0"):
        return 0.0
    if not _DURATION.match(text):
        return None
    total = sum(float(num) * _UNIT_NS[unit] for num, unit in _DURATION_PART.findall(text))
    return -total if text.startswith("-") else total


def _check_healthcheck(node: _Node, flags: dict[str, list[str]]) -> None:
    for name in ("interval", "timeout", "start-period", "start-interval"):
        value = flags.get(name, [""])[-1]
        if not value:
            continue
        ns = _duration_ns(value)
        if ns is None:
            raise DockerfileError(f"time: invalid duration {_go_quote(value)}")
        if ns < 10**6:
            raise DockerfileError(f'Interval "{name}" cannot be less than 1ms')
    retries = flags.get("retries", [""])[-1]
    if retries:
        if not re.fullmatch(r"[+-]?\d+", retries):
            raise DockerfileError(f"strconv.ParseInt: parsing {_go_quote(retries)}: invalid syntax")
        if int(retries) < 1:
            raise DockerfileError(f"--retries must be at least 1 (not {int(retries)})")


def _validate(node: _Node) -> dict[str, list[str]]:
    """Checks of BuildKit's instructions.ParseInstruction; returns the parsed flags."""
    kw = node.cmd.lower()
    args = node.args
    upper = kw.upper()
    if kw not in _KNOWN:
        raise DockerfileError(f"unknown instruction: {node.cmd}")
    if kw in ("env", "label"):
        flags = _parse_flags(node, kw)
        if not args:
            raise _err_least(upper)
        if any(not args[j] for j in range(0, len(args), 2)):
            raise DockerfileError(f"{upper} names can not be blank")
        return flags
    if kw in ("maintainer", "workdir", "user"):
        if len(args) != 1:
            raise _err_one(upper)
        return _parse_flags(node, kw)
    if kw in ("add", "copy"):
        if len(args) < 2:
            raise DockerfileError(
                f"{upper} requires at least two arguments, but only one was provided. "
                "Destination could not be determined"
            )
        flags = _parse_flags(node, kw)
        if parse_heredoc_marker(args[-1]) is not None:
            raise DockerfileError(f"{upper} cannot accept a heredoc as a destination")
        return flags
    if kw == "from":
        if len(args) == 3 and args[1].lower() == "as":
            if not _STAGE_NAME.match(args[2].lower()):
                raise DockerfileError(
                    f"invalid name for build stage: {_go_quote(args[2])}, "
                    "name can't start with a number or contain symbols"
                )
        elif len(args) != 1:
            raise DockerfileError("FROM requires either one or three arguments")
        return _parse_flags(node, kw)
    if kw == "onbuild":
        if not args:
            raise _err_least(upper)
        flags = _parse_flags(node, kw)
        trigger = args[0].strip(GO_SPACE).upper()
        if trigger == "ONBUILD":
            raise DockerfileError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        if trigger in ("MAINTAINER", "FROM"):
            raise DockerfileError(f"{trigger} isn't allowed as an ONBUILD trigger")
        return flags
    if kw in ("run", "cmd", "entrypoint"):
        return _parse_flags(node, kw)
    if kw == "healthcheck":
        if not args:
            raise _err_least(upper)
        typ = args[0].upper()
        if typ == "NONE":
            if len(args) != 1:
                raise DockerfileError("HEALTHCHECK NONE takes no arguments")
            return {}
        flags = _parse_flags(node, kw)
        if typ != "CMD":
            raise DockerfileError(f"Unknown type {_go_quote(typ)} in HEALTHCHECK (try CMD)")
        if len(args) == 1:
            raise DockerfileError("Missing command after HEALTHCHECK CMD")
        _check_healthcheck(node, flags)
        return flags
    if kw == "expose":
        if not args:
            raise _err_least(upper)
        return _parse_flags(node, kw)
    if kw == "volume":
        if not args:
            raise _err_least(upper)
        flags = _parse_flags(node, kw)
        if any(not a.strip(GO_SPACE) for a in args):
            raise DockerfileError("VOLUME specified can not be an empty string")
        return flags
    if kw == "stopsignal":
        if len(args) != 1:
            raise _err_one(upper)
        return {}
    if kw == "arg":
        if not args:
            raise _err_least(upper)
        flags = _parse_flags(node, kw)
        if any(a.startswith("=") for a in args):
            raise DockerfileError("ARG names can not be blank")
        return flags
    # shell
    flags = _parse_flags(node, kw)
    if not args:
        raise _err_least(upper)
    if not node.is_json:
        raise DockerfileError("SHELL requires the arguments to be in JSON form")
    return flags


# ---------------------------------------------------------------- RUN --mount


_MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
_SHARING = ("shared", "private", "locked")


def _csv_fields(value: str) -> list[str]:
    """One CSV record as Go's encoding/csv reads it (comma separated, ``"`` quoting)."""
    if value == "":
        raise DockerfileError("failed to parse csv mounts: EOF")
    fields: list[str] = []
    i = 0
    n = len(value)
    while True:
        if i < n and value[i] == '"':
            buf: list[str] = []
            i += 1
            while True:
                if i >= n:
                    raise DockerfileError(
                        'failed to parse csv mounts: extraneous or missing " in quoted-field'
                    )
                if value[i] == '"':
                    if i + 1 < n and value[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(value[i])
                i += 1
            if i < n and value[i] != ",":
                raise DockerfileError(
                    'failed to parse csv mounts: extraneous or missing " in quoted-field'
                )
            fields.append("".join(buf))
        else:
            end = value.find(",", i)
            end = n if end < 0 else end
            text = value[i:end]
            if '"' in text:
                raise DockerfileError('failed to parse csv mounts: bare " in non-quoted-field')
            fields.append(text)
            i = end
        if i >= n:
            return fields
        i += 1  # the comma


def _bool(key: str, value: str) -> bool:
    low = value.lower()
    if low in ("1", "t", "true"):
        return True
    if low in ("0", "f", "false"):
        return False
    raise DockerfileError(f"invalid value for {key}: {value}")


def parse_mount(value: str) -> Mount:
    """One ``--mount`` value, with BuildKit's checks (values with ``$`` are not checked,
    as BuildKit expands them first)."""
    m: dict[str, str] = {"type": "bind"}
    readonly: bool | None = None
    required = False
    for fld in _csv_fields(value):
        key, eq, val = fld.partition("=")
        key = key.lower()
        if not eq:
            if key in ("readonly", "ro"):
                readonly = True
            elif key in ("readwrite", "rw"):
                readonly = False
            elif key == "required" and m["type"] in ("secret", "ssh"):
                required = True
            elif key == "required":
                raise DockerfileError(f"unexpected key '{key}' for mount type '{m['type']}'")
            else:
                raise DockerfileError(f"invalid field '{fld}' must be a key=value pair")
            continue
        if key == "from" and re.search(r"\$.", val):
            raise DockerfileError(
                f"'{key}' doesn't support variable expansion, define alias stage instead"
            )
        dynamic = "$" in val
        if key == "type":
            low = val.lower()
            if low not in _MOUNT_TYPES and not dynamic:
                raise DockerfileError(f"unsupported mount type {_go_quote(val)}")
            m["type"] = low
        elif key in ("from", "id", "env"):
            m[key] = val
        elif key in ("source", "src"):
            m["source"] = val
        elif key in ("target", "dst", "destination"):
            m["target"] = val
        elif key in ("readonly", "ro"):
            readonly = _bool(key, val) if not dynamic else True
        elif key in ("readwrite", "rw"):
            readonly = (not _bool(key, val)) if not dynamic else False
        elif key == "required":
            if m["type"] not in ("secret", "ssh"):
                raise DockerfileError(f"unexpected key '{key}' for mount type '{m['type']}'")
            required = _bool(key, val) if not dynamic else True
        elif key == "size":
            if m["type"] != "tmpfs":
                raise DockerfileError(f"unexpected key '{key}' for mount type '{m['type']}'")
            m["size"] = val
        elif key == "sharing":
            if val.lower() not in _SHARING and not dynamic:
                raise DockerfileError(f"unsupported sharing value {_go_quote(val)}")
            m["sharing"] = val.lower()
        elif key in ("mode", "uid", "gid"):
            digits = "01234567" if key == "mode" else "0123456789"
            if not dynamic and (not val or any(c not in digits for c in val)):
                raise DockerfileError(f"invalid value {val} for {key}")
            m[key] = val
        else:
            raise DockerfileError(f"unexpected key '{key}' in '{fld}'")
    typ = m["type"]
    if typ not in ("secret", "ssh", "cache"):
        for key in ("mode", "uid", "gid"):
            if key in m:
                raise DockerfileError(f'{key} not allowed for "{typ}" type mounts')
    if typ == "secret":
        if m.get("from"):
            raise DockerfileError("secret mount should not have a from")
        if m.get("sharing"):
            raise DockerfileError("secret mount should not define sharing")
        if not (m.get("source") or m.get("target") or m.get("id") or m.get("env")):
            raise DockerfileError("invalid secret mount. one of source, target required")
        if m.get("source") and m.get("id"):
            raise DockerfileError("both source and id can't be set")
    if m.get("sharing") and typ != "cache":
        raise DockerfileError(f"invalid cache sharing set for {typ} mount")
    if readonly is None:
        readonly = typ not in ("cache", "tmpfs")
    return Mount(
        type=typ,
        target=m.get("target", ""),
        source=m.get("source", ""),
        id=m.get("id", ""),
        from_=m.get("from", ""),
        readonly=readonly,
        sharing=m.get("sharing", ""),
        required=required,
        mode=m.get("mode", ""),
        uid=m.get("uid", ""),
        gid=m.get("gid", ""),
        size=m.get("size", ""),
        env=m.get("env", ""),
        raw=value,
    )


# ---------------------------------------------------------------- assembly


def _instruction(node: _Node, stage_index: int, strict: bool = True) -> Instruction:
    try:
        flags = _validate(node)
        mounts = [parse_mount(v) for v in flags.get("mount", [])]
    except DockerfileError:
        if strict:
            raise
        flags, mounts = {}, []
    kw = node.cmd.lower()
    child = None
    if node.child is not None:
        node.child.start, node.child.end = node.start, node.end
        node.child.heredocs = node.heredocs
        node.child.segments = node.segments
        child = _instruction(node.child, stage_index, strict=False)
    line_map = tuple(
        (max(off - node.rest_offset, 0), line)
        for off, line in node.segments
        if off <= node.rest_offset + len(node.rest) or off == 0
    )
    return Instruction(
        keyword=node.cmd.upper(),
        args_raw=node.rest,
        start_line=node.start,
        end_line=node.end,
        flags=flags,
        json_form=(
            list(node.args[1:] if kw == "healthcheck" else node.args) if node.is_json else None
        ),
        heredocs=list(node.heredocs) if child is None else [],
        onbuild=child,
        stage_index=stage_index,
        args=list(node.args),
        original=node.original,
        mounts=mounts,
        line_map=_dedupe(line_map),
    )


def _dedupe(pairs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for off, line in pairs:
        if out and out[-1][0] == off:
            out[-1] = (off, line)
        else:
            out.append((off, line))
    return tuple(out)


def parse_dockerfile(text: str, path: str = "Dockerfile") -> Dockerfile:
    """Parse a Dockerfile; raises :class:`DockerfileError` with the line of the first error."""
    nodes, directives, warnings, _ = _pass1(text)
    global_args: list[Instruction] = []
    instructions: list[Instruction] = []
    stage_parts: list[tuple[Instruction, list[Instruction]]] = []
    for node in nodes:
        stage_index = len(stage_parts) - 1
        kw = node.cmd.lower()
        try:
            if kw == "from":
                stage_index += 1
            ins = _instruction(node, stage_index)
            if kw != "from" and kw != "arg" and not stage_parts:
                raise DockerfileError("no build stage in current context")
        except DockerfileError as e:
            raise DockerfileError(e.message, node.start) from None
        instructions.append(ins)
        if kw == "from":
            stage_parts.append((ins, []))
        elif not stage_parts:
            global_args.append(ins)
        else:
            stage_parts[-1][1].append(ins)
    if not stage_parts:
        raise DockerfileError("dockerfile contains no stages to build", 1)
    meta = _meta_args(global_args, directives.escape)
    stages: list[Stage] = []
    seen: set[str] = set()
    for index, (frm, body) in enumerate(stage_parts):
        name = frm.args[2].lower() if len(frm.args) == 3 else None
        if name is not None:
            if name in seen:
                raise DockerfileError(f"duplicate stage name {_go_quote(name)}", frm.start_line)
            seen.add(name)
        raw = frm.args[0]
        try:
            exp = expand(raw, meta, directives.escape)
        except DockerfileError as e:
            raise DockerfileError(
                f"failed to process {_go_quote(raw)}: {e.message}", frm.start_line
            ) from None
        stages.append(
            Stage(
                index=index,
                name=name,
                base_image=exp.value,
                base_image_raw=raw,
                platform=frm.flag("platform"),
                from_instruction=frm,
                instructions=body,
                unresolved=exp.unresolved,
            )
        )
    return Dockerfile(
        path=path,
        directives=dict(directives.seen),
        escape=directives.escape,
        global_args=global_args,
        stages=stages,
        instructions=instructions,
        warnings=warnings,
    )


def _meta_args(global_args: list[Instruction], escape: str) -> dict[str, str | None]:
    env: dict[str, str | None] = {}
    for ins in global_args:
        for word in ins.args:
            name, eq, default = word.partition("=")
            if not eq:
                env.setdefault(name, None)
                continue
            try:
                env[name] = expand(default, env, escape).value
            except DockerfileError as e:
                raise DockerfileError(e.message, ins.start_line) from None
    return env
