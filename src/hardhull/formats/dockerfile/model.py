"""The Dockerfile data model: what :func:`~hardhull.formats.dockerfile.parser.parse_dockerfile`
returns.

All values are frozen dataclasses. Line numbers are 1-based and refer to the file as given (a
byte-order mark does not count, ``\\r\\n`` is one line end).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from hardhull.model import InputError


class DockerfileError(Exception):
    """Malformed Dockerfile: a message and the 1-based line (and column, 0 = unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line:
            return f"line {self.line}: {self.message}"
        return self.message

    def input_error(self, path: str) -> InputError:
        """The error as the engine reports input problems (file, line, message)."""
        return InputError(path, self.message, self.line, self.column)


@dataclass(frozen=True)
class Heredoc:
    """One here-document of an ``ADD``, ``COPY`` or ``RUN`` instruction.

    ``body`` is the content BuildKit uses: the lines between the instruction and the
    terminator, line ends kept as written, with leading tabs removed from every line when
    the marker was ``<<-`` (``strip_tabs``). ``start_line`` is the line of the first body line
    (the line after the instruction or the previous terminator); ``end_line`` is the line of
    the terminator. ``quoted`` means the delimiter was (partly) quoted, so BuildKit does not
    expand variables in the body. ``fd`` is the file descriptor prefix (``3<<EOF``), 0 if none.
    """

    delimiter: str
    body: str
    start_line: int
    strip_tabs: bool
    quoted: bool
    end_line: int = 0
    fd: int = 0


@dataclass(frozen=True)
class Mount:
    """One ``RUN --mount=...`` value, parsed the way BuildKit reads it (a CSV of key=value).

    Values are as written (variables not expanded). ``readonly`` follows BuildKit's default:
    cache and tmpfs mounts are writable, the others read-only, unless ``ro``/``rw`` is given.
    """

    type: str
    target: str = ""
    source: str = ""
    id: str = ""
    from_: str = ""
    readonly: bool = True
    sharing: str = ""
    required: bool = False
    mode: str = ""
    uid: str = ""
    gid: str = ""
    size: str = ""
    env: str = ""
    raw: str = ""


@dataclass(frozen=True)
class Instruction:
    """One instruction, continuation lines joined.

    - ``keyword``: upper case (``RUN``); the text after it is ``args_raw`` minus the flags.
    - ``args_raw``: the arguments as written, continuation characters and the comment lines
      inside continuations removed, flags (``--mount=...``) not included.
    - ``args``: the arguments as BuildKit's parser splits them (JSON array items, whitespace
      separated words, or ``[key, value, ...]`` for ``ENV``/``LABEL``; quotes kept except in JSON).
    - ``flags``: ``--name=value`` flags by name, in order (a bare ``--link`` is ``["true"]``).
    - ``json_form``: the JSON array of the exec form, or None for the shell form.
    - ``onbuild``: the trigger of an ``ONBUILD`` instruction (``stage_index`` as its parent).
    - ``stage_index``: index of the stage the instruction belongs to, -1 before the first FROM.
    - ``original``: the whole joined instruction text.
    """

    keyword: str
    args_raw: str
    start_line: int
    end_line: int
    flags: dict[str, list[str]] = field(default_factory=dict)
    json_form: list[str] | None = None
    heredocs: list[Heredoc] = field(default_factory=list)
    onbuild: Instruction | None = None
    stage_index: int = -1
    args: list[str] = field(default_factory=list)
    original: str = ""
    mounts: list[Mount] = field(default_factory=list)
    #: (offset in args_raw, file line) where each physical line starts; see :meth:`line_at`
    line_map: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)

    def line_at(self, offset: int) -> int:
        """The file line of character ``offset`` of :attr:`args_raw`."""
        if not self.line_map:
            return self.start_line
        offsets = [o for o, _ in self.line_map]
        i = bisect.bisect_right(offsets, offset) - 1
        return self.line_map[max(i, 0)][1]

    def flag(self, name: str) -> str | None:
        """The last value of flag ``name`` or None when absent."""
        values = self.flags.get(name)
        return values[-1] if values else None


@dataclass(frozen=True)
class Stage:
    """One build stage: a ``FROM`` and the instructions up to the next ``FROM``.

    ``base_image`` is ``base_image_raw`` with the global ``ARG`` defaults substituted;
    ``unresolved`` names the variables it used that had no value at parse time (build
    arguments, ``BUILDPLATFORM`` and the like), which expanded to the empty string.
    ``name`` is lower case as BuildKit stores it; ``platform`` is the raw ``--platform`` value.
    """

    index: int
    name: str | None
    base_image: str
    base_image_raw: str
    platform: str | None
    from_instruction: Instruction
    instructions: list[Instruction] = field(default_factory=list)
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile. ``instructions`` is every instruction in file order (global ARGs,
    FROMs and stage instructions); ``warnings`` are what BuildKit warns about while parsing."""

    path: str
    directives: dict[str, str]
    escape: str
    global_args: list[Instruction]
    stages: list[Stage]
    instructions: list[Instruction]
    warnings: list[str] = field(default_factory=list)

    def stage(self, ref: str) -> Stage | None:
        """The stage a ``--from`` value names (a stage name or an index), if it is one."""
        low = ref.lower()
        for st in self.stages:
            if st.name == low:
                return st
        if ref.isdigit():
            i = int(ref)
            if i < len(self.stages):
                return self.stages[i]
        return None
