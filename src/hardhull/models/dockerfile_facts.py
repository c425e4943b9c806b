"""What the Dockerfile checks read: a parsed Dockerfile with its context and shared indexes.

:func:`dockerfile_facts` builds a :class:`DockerfileFacts` from the parsed file, a
:class:`DockerContext` (what the front end learned about the file's surroundings: the
``as_of`` date for end-of-life decisions and whether a ``.dockerignore`` is next to the file)
and the file's lines. The facts compute lazily what several checks need: the shell analysis of
every ``RUN`` (:class:`RunCommand`), the stages that end up in the final image, the effective
``USER``, the variables in scope. The small instruction readers at the end
(:func:`env_pairs`, :func:`copy_sources`, :func:`cache_mount`, …) are shared by checks of
several topics.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from hardhull.formats.dockerfile.model import Dockerfile, Instruction, Stage
from hardhull.formats.dockerfile.shell import Command, analyse
from hardhull.formats.dockerfile.variables import expand, global_arg_values


@dataclass(frozen=True)
class DockerContext:
    """What a Dockerfile check may know beyond the file: the date end-of-life is judged at and
    whether a ``.dockerignore`` sits next to the Dockerfile (None: unknown, e.g. stdin)."""

    as_of: date
    dockerignore: bool | None = None


@dataclass(frozen=True)
class RunCommand:
    """One simple command of a ``RUN`` with where it is."""

    stage: int
    index: int  # instruction index in the stage
    k: int  # command index in the RUN's analysis
    ins: Instruction
    cmd: Command

    @property
    def pointer(self) -> str:
        return f"/stages/{self.stage}/instructions/{self.index}/commands/{self.k}"

    def argv_pointer(self, m: int) -> str:
        return f"{self.pointer}/argv/{m}"

    @property
    def onbuild_note(self) -> str:
        """What a message adds when the command is an ``ONBUILD`` trigger, else ``""``."""
        if self.ins.keyword == "ONBUILD":
            return " (ONBUILD: in the build of every image made FROM this one)"
        return ""


@dataclass
class DockerfileFacts:
    """The parsed Dockerfile, its context, and indexes the checks share (computed lazily)."""

    df: Dockerfile
    ctx: DockerContext
    #: the comment lines of the file (for markers such as "probed by Kubernetes")
    comment_lines: list[str] = field(default_factory=list)
    _commands: dict[int, list[Command]] = field(default_factory=dict, repr=False)
    _users: dict[int, tuple[str | None, int, int]] = field(default_factory=dict, repr=False)

    # ---- stages

    @functools.cached_property
    def final(self) -> Stage:
        """The last stage: the one the image is built from."""
        return self.df.stages[-1]

    def parent(self, st: Stage) -> Stage | None:
        """The earlier stage this stage is built ``FROM``, if it is one."""
        if st.unresolved and not st.base_image:
            return None
        ref = self.df.stage(st.base_image)
        if ref is not None and ref.index < st.index:
            return ref
        return None

    def chain(self, st: Stage) -> list[Stage]:
        """The stage and the stages it is built on, nearest first."""
        out = [st]
        seen = {st.index}
        cur = self.parent(st)
        while cur is not None and cur.index not in seen:
            out.append(cur)
            seen.add(cur.index)
            cur = self.parent(cur)
        return out

    @functools.cached_property
    def final_chain(self) -> frozenset[int]:
        """Indexes of the stages whose layers make up the final image."""
        return frozenset(s.index for s in self.chain(self.final))

    def root_stage(self, st: Stage) -> Stage:
        """The first stage of the chain ``st`` is built on (the one with an external image)."""
        return self.chain(st)[-1]

    @functools.cached_property
    def globals(self) -> dict[str, str | None]:
        """Values of the global ARGs (declared before the first FROM)."""
        return global_arg_values(self.df)

    # ---- RUN commands

    def shell_of(self, st: Stage, upto: int) -> list[str] | None:
        """The ``SHELL`` in force before instruction ``upto`` of ``st`` (inherited from the stages
        it is built on); None for the default shell."""
        shell: list[str] | None = None
        for j, ins in enumerate(st.instructions):
            if j >= upto:
                break
            if ins.keyword == "SHELL" and ins.json_form:
                shell = list(ins.json_form)
        if shell is None:
            parent = self.parent(st)
            if parent is not None:
                return self.shell_of(parent, len(parent.instructions))
        return shell

    def commands(self, st: Stage, index: int) -> list[Command]:
        """The simple commands of ``RUN`` ``index`` of ``st``; empty for a RUN no check can
        act on (no keyword any check looks for: analysing shell is the costly part)."""
        ins = st.instructions[index]
        key = id(ins)
        cached = self._commands.get(key)
        if cached is None:
            if st.index not in self.final_chain:
                wanted = _BUILD_STAGE_WORDS
            elif len(self.df.stages) == 1:
                wanted = _SINGLE_STAGE_WORDS
            else:
                wanted = _FINAL_WORDS
            text = ins.args_raw if not ins.heredocs else run_text(ins)
            if ins.json_form is not None:
                text = " ".join(ins.json_form)
            if wanted.search(text.lower()) is None:
                cached = []
            else:
                # an ONBUILD trigger runs in the derived image's build, with its SHELL
                shell = None if ins.keyword == "ONBUILD" else self.shell_of(st, index)
                cached = list(analyse(ins, shell, fast=True).commands)
            self._commands[key] = cached
        return cached

    def run_instructions(
        self, stages: Iterable[Stage] | None = None, onbuild: bool = False
    ) -> Iterator[tuple[Stage, int, Instruction]]:
        """(stage, index, instruction) of every ``RUN`` of the given stages (default: all) and,
        with ``onbuild``, of every ``ONBUILD RUN``."""
        for st in self.df.stages if stages is None else stages:
            for j, ins in enumerate(st.instructions):
                if ins.keyword == "RUN" or (
                    onbuild
                    and ins.keyword == "ONBUILD"
                    and ins.onbuild is not None
                    and ins.onbuild.keyword == "RUN"
                ):
                    yield st, j, ins

    def runs(
        self, stages: Iterable[Stage] | None = None, onbuild: bool = False
    ) -> Iterator[RunCommand]:
        """Every simple command of every ``RUN`` of the given stages (default: all); with
        ``onbuild``, also of the ``ONBUILD RUN`` triggers (they run in the builds of images
        built ``FROM`` this one)."""
        for st, j, ins in self.run_instructions(stages, onbuild):
            for k, cmd in enumerate(self.commands(st, j)):
                yield RunCommand(st.index, j, k, ins, cmd)

    def runs_matching(
        self, pattern: re.Pattern[str], onbuild: bool = False
    ) -> Iterator[RunCommand]:
        """:meth:`runs` of every stage, only for the ``RUN`` (and, with ``onbuild``,
        ``ONBUILD RUN``) instructions whose lower-cased text ``pattern`` finds something in."""
        for st, j, ins in self.run_instructions(None, onbuild):
            text = ins.original + "".join(h.body for h in ins.heredocs)
            if pattern.search(text.lower()) is None:
                continue
            for k, cmd in enumerate(self.commands(st, j)):
                yield RunCommand(st.index, j, k, ins, cmd)

    @functools.cached_property
    def final_stages(self) -> list[Stage]:
        """The stages whose layers make up the final image, in file order."""
        return [s for s in self.df.stages if s.index in self.final_chain]

    # ---- users

    def user_of(self, st: Stage) -> tuple[str | None, int, int]:
        """(effective USER at the end of the stage or None if never set in its chain, stage
        index and instruction index of the USER instruction, or -1)."""
        cached = self._users.get(st.index)
        if cached is not None:
            return cached
        result: tuple[str | None, int, int] = (None, st.index, -1)
        parent = self.parent(st)
        if parent is not None:
            result = self.user_of(parent)
        for j, ins in enumerate(st.instructions):
            if ins.keyword == "USER" and ins.args:
                result = (self.expand_in(st, j, ins.args[0]), st.index, j)
        self._users[st.index] = result
        return result

    def variables(self, st: Stage, index: int) -> dict[str, str | None]:
        """Variables in scope at instruction ``index`` of ``st`` (ARG defaults and ENV)."""
        values: dict[str, str | None] = {}
        parent = self.parent(st)
        if parent is not None:
            values.update(self.env_of(parent))
        args: dict[str, str | None] = {}
        for j, ins in enumerate(st.instructions):
            if j >= index:
                break
            if ins.keyword == "ARG":
                for word in ins.args:
                    name, eq, default = word.partition("=")
                    if eq:
                        args[name] = self._expand({**values, **args}, default)
                    else:
                        args[name] = self.globals.get(name)
            elif ins.keyword == "ENV":
                for k in range(0, len(ins.args) - 1, 2):
                    values[ins.args[k]] = self._expand({**values, **args}, ins.args[k + 1])
        return {**args, **values}

    def env_of(self, st: Stage) -> dict[str, str | None]:
        """The ENV of the image a stage produces (inherited through earlier stages)."""
        return {
            k: v
            for k, v in self.variables(st, len(st.instructions)).items()
            if any(k in self._env_names(s) for s in self.chain(st))
        }

    def _env_names(self, st: Stage) -> set[str]:
        names: set[str] = set()
        for ins in st.instructions:
            if ins.keyword == "ENV":
                names.update(ins.args[k] for k in range(0, len(ins.args) - 1, 2))
        return names

    def _expand(self, env: dict[str, str | None], text: str) -> str | None:
        try:
            exp = expand(text, env, self.df.escape)
        except Exception:
            return None
        return None if exp.unresolved else exp.value

    def expand_in(self, st: Stage, index: int, text: str) -> str | None:
        """``text`` with the variables in scope substituted; None if one has no known value."""
        if "$" not in text:
            return self._expand({}, text)
        return self._expand(self.variables(st, index), text)

    # ---- comments and labels

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """Every ``LABEL`` of every stage, unquoted (a later value wins)."""
        out: dict[str, str] = {}
        for st in self.df.stages:
            for ins in st.instructions:
                if ins.keyword == "LABEL":
                    for k in range(0, len(ins.args) - 1, 2):
                        key = unquote(ins.args[k])
                        out[key] = unquote(ins.args[k + 1])
        return out


# what the checks look for in RUN commands, by the kind of stage (see DockerfileFacts.commands)
# verification switched off (D023, D024): flags and variables, looked for in every stage
_VERIFY_WORDS = (
    r"|trusted-host|strict-ssl|sslverify|allow-?unauth|force-yes|allow-untrusted|gpgcheck"
    r"|--nosignature|--nodigest|--noverify|--nofiledigest|trusted=yes|ssl_no_verify"
    r"|tls_reject|strict_ssl|trusted_host|httpsverify|goinsecure|gosumdb|goflags"
    r"|allow-insecure"
)
# matched against the lower-cased text: a case-insensitive alternation is several times slower
_BUILD_STAGE_WORDS = re.compile(r"curl|wget|sudo|npm" + _VERIFY_WORDS)
_FINAL_WORDS = re.compile(
    r"curl|wget|sudo|npm|chmod|apt|apk|yum|dnf|pip|python|gem|\bgo\b|passwd|usermod|useradd|"
    r"zypper" + _VERIFY_WORDS
)
_SINGLE_STAGE_WORDS = re.compile(
    r"curl|wget|sudo|npm|chmod|apt|apk|yum|dnf|pip|python|gem|make|cc|\+\+|clang|javac|mvn|"
    r"gradle|ninja|meson|bazel|rustc|\bant\b|configure|\bgo\b|cargo|passwd|usermod|useradd|"
    r"zypper" + _VERIFY_WORDS
)


def unquote(text: str) -> str:
    """``text`` without one pair of surrounding single or double quotes."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def stage_label(st: Stage) -> str:
    """How messages name a stage: ``stage 'build'``, or ``stage 0`` when it has no name."""
    return f"stage {st.name!r}" if st.name else f"stage {st.index}"


def env_pairs(ins: Instruction) -> Iterator[tuple[int, str, str | None]]:
    """(argument index, name, value as written or None) of an ENV or ARG."""
    if ins.keyword == "ENV":
        for k in range(0, len(ins.args) - 1, 2):
            yield k, ins.args[k], ins.args[k + 1]
    else:
        for k, word in enumerate(ins.args):
            name, eq, default = word.partition("=")
            yield k, name, default if eq else None


def copy_sources(ins: Instruction) -> list[tuple[int, str]]:
    """(argument index, source) of a COPY/ADD (heredoc forms excluded)."""
    if ins.heredocs:
        return []
    args = ins.json_form if ins.json_form is not None else ins.args
    return [(k, unquote(a)) for k, a in enumerate(args[:-1])]


def cache_mount(ins: Instruction, *prefixes: str) -> bool:
    """Whether the instruction mounts a BuildKit cache on, inside or above one of the paths
    ``prefixes``."""
    return any(
        m.type == "cache" and any(m.target.rstrip("/").startswith(p) for p in prefixes)
        for m in ins.mounts
    ) or any(
        m.type == "cache" and any(p.startswith(m.target.rstrip("/") + "/") for p in prefixes)
        for m in ins.mounts
        if m.target
    )


def run_text(ins: Instruction) -> str:
    """The text of a ``RUN`` as written, with its heredoc bodies."""
    return ins.args_raw + "\n" + "\n".join(h.body for h in ins.heredocs)


def dockerfile_facts(
    df: Dockerfile, ctx: DockerContext, lines: Sequence[str] = ()
) -> DockerfileFacts:
    """The subject of the Dockerfile checks: the parsed file, its context and its comments."""
    return DockerfileFacts(df, ctx, [line for line in lines if line.lstrip().startswith("#")])
