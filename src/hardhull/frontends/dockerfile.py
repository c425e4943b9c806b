"""The Dockerfile front end: parse a Dockerfile into the facts its checks read, and locate
their findings.

It does the only I/O the checks need (is there a ``.dockerignore`` next to the file?) and
reads the ``as_of`` date for end-of-life decisions from the read options (default today).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from hardhull import suppress
from hardhull.context import ScanFacts, SubjectContext
from hardhull.formats.dockerfile.model import Dockerfile, DockerfileError, Instruction
from hardhull.frontends import kinds
from hardhull.frontends.interface import FrontEndOutput, ReadOptions, Subject
from hardhull.model import InputError, Resource
from hardhull.paths import printable_path, stable_path
from hardhull.registry import Target

if TYPE_CHECKING:
    from hardhull.frontends.files import TextInput
    from hardhull.models.dockerfile_facts import DockerfileFacts

#: ``LABEL hardhull.dev/ignore="D020: probed by Kubernetes"`` suppresses codes for the file
IGNORE_LABEL = "hardhull.dev/ignore"

_POINTER = re.compile(
    r"^/(?:stages/(?P<stage>\d+)(?:/(?P<image>image)|/instructions/(?P<ins>\d+))?"
    r"|instructions/(?P<gins>\d+))"
    r"(?:/args/(?P<arg>\d+)|/commands/(?P<cmd>\d+)(?:/argv/(?P<argv>\d+))?)?$"
)


#: characters that continue a word: a token found next to one is part of a longer word
_WORD_CHAR = re.compile(r"[\w.\-/@+~$]")


@dataclass
class DockerfileDocument:
    """A parsed Dockerfile as the engine locates findings in it."""

    path: str
    lines: list[str] | None
    facts: DockerfileFacts
    ignored: frozenset[str] = frozenset()
    _cache: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def ignore_codes(self) -> frozenset[str]:
        """Codes of ``LABEL hardhull.dev/ignore=…`` instructions."""
        return self.ignored

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        return [(Target.DOCKERFILE, self.facts, SubjectContext(self.facts, facts))]

    @property
    def df(self) -> Dockerfile:
        return self.facts.df

    @property
    def resource(self) -> Resource:
        # the path as fingerprints see it: `./repo/Dockerfile` and `repo/Dockerfile` agree
        return Resource(kind="Dockerfile", name=stable_path(printable_path(self.path)))

    def position(self, pointer: str) -> tuple[int, int]:
        """(line, column) of a pointer (1-based; (0, 0) when it names nothing)."""
        hit = self._cache.get(pointer)
        if hit is None:
            hit = self._position(pointer)
            self._cache[pointer] = hit
        return hit

    def _position(self, pointer: str) -> tuple[int, int]:
        m = _POINTER.match(pointer)
        if m is None:
            return (0, 0)
        df = self.df
        if m["gins"] is not None:
            k = int(m["gins"])
            if k >= len(df.instructions):
                return (0, 0)
            ins = df.instructions[k]
        else:
            i = int(m["stage"])
            if i >= len(df.stages):
                return (0, 0)
            st = df.stages[i]
            if m["ins"] is not None:
                j = int(m["ins"])
                if j >= len(st.instructions):
                    return (0, 0)
                ins = st.instructions[j]
                if m["cmd"] is not None:
                    return self._command_position(st.index, j, ins, m)
            else:
                ins = st.from_instruction
                if m["image"]:
                    return self._token(ins, ins.args[0] if ins.args else "")
        if m["arg"] is not None:
            n = int(m["arg"])
            args = ins.json_form if ins.json_form is not None else ins.args
            if n < len(args):
                return self._token(ins, args[n])
        return (ins.start_line, self._keyword_column(ins.start_line))

    def _command_position(
        self, stage: int, j: int, ins: Instruction, m: re.Match[str]
    ) -> tuple[int, int]:
        st = self.df.stages[stage]
        cmds = self.facts.commands(st, j)
        k = int(m["cmd"])
        if k >= len(cmds):
            return (ins.start_line, self._keyword_column(ins.start_line))
        # find the commands in order, so the second `npm` of a line is not the first one
        line, col, cursor = ins.start_line, 0, 0
        for n, c in enumerate(cmds[: k + 1]):
            c_line = c.line or ins.start_line
            if c_line != line or n == 0:
                line, cursor = c_line, 0
            found = self._find(line, c.argv[0], cursor) if c.argv else 0
            if found:
                col, cursor = found, found - 1 + len(c.argv[0])
            else:
                col = 0
        cmd = cmds[k]
        if m["argv"] is not None:
            n = int(m["argv"])
            if n < len(cmd.argv):
                start = max(col - 1, 0)
                for ln in range(line, max(line, ins.end_line) + 1):
                    at = self._find(ln, cmd.argv[n], start if ln == line else 0)
                    if at:
                        return (ln, at)
        return (line, col or self._keyword_column(line))

    def _find(self, line: int, token: str, start: int) -> int:
        """1-based column of ``token`` as a whole word in ``line`` at or after ``start``."""
        if not token or self.lines is None or not (0 < line <= len(self.lines)):
            return 0
        text = self.lines[line - 1]
        i = text.find(token, start)
        while i >= 0:
            before = text[i - 1] if i > 0 else " "
            after = text[i + len(token) : i + len(token) + 1] or " "
            if not (_WORD_CHAR.match(before) or _WORD_CHAR.match(after)):
                return i + 1
            i = text.find(token, i + 1)
        return 0

    def _token(self, ins: Instruction, token: str) -> tuple[int, int]:
        """The first place ``token`` is written within the instruction's lines."""
        first = True
        for line in range(ins.start_line, ins.end_line + 1):
            skip = self._keyword_column(line) + len(ins.keyword) if first else 0
            first = False
            for candidate in (token, token.strip("\"'")):
                c = self._find(line, candidate, max(skip - 1, 0))
                if c:
                    return (line, c)
        return (ins.start_line, self._keyword_column(ins.start_line))

    def _keyword_column(self, line: int) -> int:
        if self.lines is None or not (0 < line <= len(self.lines)):
            return 1
        text = self.lines[line - 1]
        return len(text) - len(text.lstrip()) + 1


def _has_dockerignore(path: str) -> bool | None:
    if path in ("-", "<stdin>", ""):
        return None
    folder = os.path.dirname(path) or "."
    name = os.path.basename(path)
    return os.path.isfile(os.path.join(folder, ".dockerignore")) or os.path.isfile(
        os.path.join(folder, name + ".dockerignore")
    )


def _ignore_label(df: Dockerfile) -> frozenset[str]:
    codes: set[str] = set()
    for st in df.stages:
        for ins in st.instructions:
            if ins.keyword != "LABEL":
                continue
            for k in range(0, len(ins.args) - 1, 2):
                if ins.args[k].strip("\"'") == IGNORE_LABEL:
                    codes |= suppress.parse_codes(ins.args[k + 1].strip("\"'"))
    return frozenset(codes)


def as_of_date(opts: object) -> date:
    """The date end-of-life is judged at: ``opts.as_of`` (a date or ISO text) or today."""
    value = getattr(opts, "as_of", None)
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return date.today()


class DockerfileFrontEnd:
    """Dockerfiles (and Containerfiles): one document per file."""

    kind = kinds.DOCKERFILE

    def read(self, item: TextInput, opts: ReadOptions) -> FrontEndOutput:
        # imported here: the facts model is loaded only when a Dockerfile shows up
        from hardhull.formats.dockerfile.parser import parse_dockerfile
        from hardhull.models.dockerfile_facts import DockerContext, dockerfile_facts

        out = FrontEndOutput()
        text = item.text
        try:
            df = parse_dockerfile(text, item.path)
        except DockerfileError as e:
            out.errors.append(e.input_error(item.path))
            return out
        # lines as the parser counts them: "\n" ends a line, a trailing "\r" belongs to it
        lines = [ln.rstrip("\r") for ln in text.removeprefix("\ufeff").split("\n")]
        try:
            ctx = DockerContext(as_of=as_of_date(opts), dockerignore=_has_dockerignore(item.path))
        except ValueError as e:
            out.errors.append(InputError(item.path, f"invalid --as-of date: {e}"))
            return out
        facts = dockerfile_facts(df, ctx, lines)
        out.objects += 1
        out.documents = [DockerfileDocument(item.path, lines, facts, _ignore_label(df))]
        return out
