"""Variable substitution in Dockerfile words, with BuildKit's ARG/ENV scoping.

:func:`expand` processes one word the way BuildKit's shell lexer does for ``FROM``, ``COPY``,
``ENV`` and the like: quotes are removed, the escape character escapes the next character,
``$VAR``, ``${VAR}``, ``${VAR:-word}``, ``${VAR-word}``, ``${VAR:+word}``, ``${VAR+word}``,
``${VAR:?msg}`` and ``${VAR?msg}`` are substituted. Unset variables expand to the empty string
(as in BuildKit) and are reported in ``unresolved`` so a check can tell "unknown at scan time"
from "empty". Other parameter forms (``${VAR#p}``, ``${VAR%p}``, ``${VAR/p/r}``) are kept as
written and reported unresolved.

:func:`variables_at` gives the variables visible to an instruction: the stage's ``ARG`` and
``ENV`` declared before it; a global ``ARG`` (before the first ``FROM``) is only visible in a
stage that declares it again with ``ARG NAME``; ``ENV`` wins over ``ARG`` of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hardhull.formats.dockerfile.model import Dockerfile, DockerfileError, Instruction

MAX_NESTING = 32

Env = Mapping[str, "str | None"]


@dataclass(frozen=True)
class Expansion:
    value: str
    unresolved: tuple[str, ...] = ()


def _name_end(text: str, i: int) -> int:
    n = len(text)
    while i < n and (text[i].isalnum() or text[i] == "_"):
        i += 1
    return i


def _find_brace_end(text: str, i: int, escape: str) -> int:
    """Index of the ``}`` closing a ``${`` whose body starts at ``i``, or -1."""
    depth = 1
    n = len(text)
    quote = ""
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote == '"':
                i += 1
        elif ch == escape:
            i += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "$" and i + 1 < n and text[i + 1] == "{":
            depth += 1
            i += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class _Expander:
    def __init__(self, env: Env, escape: str) -> None:
        self.env = env
        self.escape = escape
        self.unresolved: list[str] = []

    def lookup(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None and name not in self.unresolved:
            self.unresolved.append(name)
        return value

    def word(self, text: str, depth: int) -> str:
        if depth > MAX_NESTING:
            raise DockerfileError(f"variable substitution nested deeper than {MAX_NESTING}")
        out: list[str] = []
        i = 0
        n = len(text)
        esc = self.escape
        while i < n:
            ch = text[i]
            if ch == esc:
                if i + 1 < n:
                    out.append(text[i + 1])
                i += 2
            elif ch == "'":
                end = text.find("'", i + 1)
                if end < 0:
                    raise DockerfileError(
                        "unexpected end of statement while looking for matching single-quote"
                    )
                out.append(text[i + 1 : end])
                i = end + 1
            elif ch == '"':
                i = self._double(text, i + 1, out, depth)
            elif ch == "$":
                i = self._dollar(text, i, out, depth)
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    def _double(self, text: str, i: int, out: list[str], depth: int) -> int:
        n = len(text)
        esc = self.escape
        while i < n:
            ch = text[i]
            if ch == '"':
                return i + 1
            if ch == esc and i + 1 < n and text[i + 1] in ('"', "$", esc):
                out.append(text[i + 1])
                i += 2
            elif ch == "$":
                i = self._dollar(text, i, out, depth)
            else:
                out.append(ch)
                i += 1
        raise DockerfileError("unexpected end of statement while looking for matching double-quote")

    def _dollar(self, text: str, i: int, out: list[str], depth: int) -> int:
        n = len(text)
        if i + 1 >= n:
            out.append("$")
            return i + 1
        nxt = text[i + 1]
        if nxt == "{":
            end = _find_brace_end(text, i + 2, self.escape)
            if end < 0:
                raise DockerfileError(f"missing '}}' in {text[i:]!r}")
            out.append(self._brace(text[i + 2 : end], text[i : end + 1], depth))
            return end + 1
        j = _name_end(text, i + 1)
        if j == i + 1:
            out.append("$")
            return i + 1
        out.append(self.lookup(text[i + 1 : j]) or "")
        return j

    def _brace(self, body: str, whole: str, depth: int) -> str:
        j = _name_end(body, 0)
        name = body[:j]
        rest = body[j:]
        if not name:
            raise DockerfileError(f"bad substitution: {whole!r}")
        if not rest:
            return self.lookup(name) or ""
        colon = rest.startswith(":")
        op = rest[1:2] if colon else rest[:1]
        word = rest[2:] if colon else rest[1:]
        if op not in ("-", "+", "?"):
            if name not in self.unresolved:
                self.unresolved.append(name)
            return whole
        value = self.lookup(name)
        present = bool(value) if colon else value is not None
        if op == "-":
            return (value or "") if present else self.word(word, depth + 1)
        if op == "+":
            return self.word(word, depth + 1) if present else ""
        if not present:
            message = self.word(word, depth + 1) or "is not allowed to be unset"
            raise DockerfileError(f"{name}: {message}")
        return value or ""


def expand(text: str, env: Env, escape: str = "\\") -> Expansion:
    """Expand ``text`` as one word; raises :class:`DockerfileError` (line 0) on bad syntax."""
    ex = _Expander(env, escape)
    value = ex.word(text, 0)
    return Expansion(value, tuple(ex.unresolved))


def _arg_pairs(ins: Instruction) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for word in ins.args:
        name, eq, default = word.partition("=")
        pairs.append((name, default if eq else None))
    return pairs


def global_arg_values(df: Dockerfile) -> dict[str, str | None]:
    """Values of the global ARGs (declared before the first FROM), defaults expanded in order."""
    env: dict[str, str | None] = {}
    for ins in df.global_args:
        for name, default in _arg_pairs(ins):
            if default is None:
                env.setdefault(name, None)
            else:
                env[name] = _safe_expand(default, env, df.escape)
    return env


def _safe_expand(text: str, env: Env, escape: str) -> str:
    try:
        return expand(text, env, escape).value
    except DockerfileError:
        return text


def variables_at(df: Dockerfile, instruction: Instruction) -> dict[str, str | None]:
    """Variables visible to ``instruction`` (None: declared without a value at parse time)."""
    if instruction.stage_index < 0:
        values = global_arg_values(df)
        env = {}
        for ins in df.global_args:
            if ins is instruction:
                break
            for name, _ in _arg_pairs(ins):
                env[name] = values.get(name)
        return env
    stage = df.stages[instruction.stage_index]
    globals_ = global_arg_values(df)
    args: dict[str, str | None] = {}
    envs: dict[str, str] = {}
    for ins in stage.instructions:
        if ins is instruction:
            break
        current = {**args, **envs}
        if ins.keyword == "ARG":
            for name, default in _arg_pairs(ins):
                if name in envs:
                    continue
                if default is not None:
                    args[name] = _safe_expand(default, current, df.escape)
                else:
                    args[name] = globals_.get(name)
        elif ins.keyword == "ENV":
            for k in range(0, len(ins.args) - 1, 2):
                envs[ins.args[k]] = _safe_expand(ins.args[k + 1], current, df.escape)
                current = {**args, **envs}
    return {**args, **envs}
