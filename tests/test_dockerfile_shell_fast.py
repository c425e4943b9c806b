"""The tokenizer fast path of the shell analysis gives exactly what bashlex gives.

``analyse(run, fast=True)`` splits scripts made of lists, pipelines, subshells and ``$(...)``
substitutions with the tokenizer (``parser == "tokenizer"``) and leaves everything else to
bashlex. Each case here is analysed both ways and must give the same commands (words, line,
pipeline position and length, subshell, ``sh -c``, connector, assignments); the case also
states which parser the fast path used.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.formats.dockerfile import DockerfileError, Instruction, parse_dockerfile
from hardhull.formats.dockerfile.shell import Command, analyse

Key = tuple[list[str], int, int, int, bool, bool, str | None, list[str], str]


def _key(cmds: list[Command]) -> list[Key]:
    return [
        (c.argv, c.line, c.pipeline_position, c.pipeline_length, c.in_subshell, c.via_sh_c,
         c.connector, c.assignments, c.source)
        for c in cmds
    ]  # fmt: skip


def _run(text: str) -> Instruction:
    return parse_dockerfile("FROM debian\n" + text).stages[0].instructions[-1]


CASES = [
    # (RUN instruction, parser the fast path uses: "fallback" where bashlex fails too)
    ("RUN apt-get update && apt-get install -y curl | tee /log; rm -rf /x\n", "tokenizer"),
    ('RUN ARCH="$(dpkg --print-architecture)" && curl -fsSL "https://x/$ARCH" | sh\n', "tokenizer"),
    ("RUN make -j$(nproc) && make install\n", "tokenizer"),
    ("RUN x=$(curl -s https://x | sh) && echo $(id -u $(whoami))\n", "tokenizer"),
    ("RUN set -x \\\n && (cd /src && ./configure && make) \\\n && rm -rf /src\n", "tokenizer"),
    ("RUN ( cd /a && make ) && ( cd /b ; make install )\n", "tokenizer"),
    ("RUN echo 'options(repos = c(CRAN = \"x\"))' > /etc/R/Rprofile && echo '$(not run)'\n",
     "tokenizer"),
    ("RUN echo ${HOME} ${X:-$(date)} # a comment (with parens)\n", "tokenizer"),
    ("RUN curl -fsSL x -o /tmp/a \\\n    # comment line\n    && sh /tmp/a\n", "tokenizer"),
    ("RUN echo $((1 + 2)) && make\n", "fallback"),  # bashlex lacks arithmetic: fallback
    ("RUN echo `id -u` && make\n", "bashlex"),
    ("RUN { echo a; echo b; } > /f && make\n", "bashlex"),
    ("RUN if [ -f /x ]; then rm /x; fi && for a in b c; do echo $a; done\n", "bashlex"),
    ('RUN v="$(awk \'{ print "x" }\' /f)" && make\n', "bashlex"),
    ("RUN f() { echo hi; } && f\n", "bashlex"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "parser"), CASES)
def test_fast_path_equals_bashlex(text: str, parser: str) -> None:
    run = _run(text)
    slow = analyse(run)
    fast = analyse(run, fast=True)
    assert fast.fallbacks == slow.fallbacks
    assert bool(slow.fallbacks) == (parser == "fallback")
    assert _key(fast.commands) == _key(slow.commands)
    assert {c.parser for c in fast.commands} == {parser}
    for a, b in zip(fast.commands, slow.commands, strict=True):
        assert (a.piped_into is None) == (b.piped_into is None)


def test_subshell_commands_before_the_closing_paren() -> None:
    # the fallback tokenizer (bashlex cannot parse `case`): the command just before ")" ran
    # in the subshell too
    run = _run("RUN case $A in x) y;; esac; (cd /src && make install)\n")
    result = analyse(run)
    assert len(result.fallbacks) == 1
    assert [(c.argv, c.in_subshell) for c in result.commands][-2:] == [
        (["cd", "/src"], True),
        (["make", "install"], True),
    ]


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "docker"


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared Docker corpus is not here")
def test_fast_path_equals_bashlex_on_the_corpus() -> None:
    """Every RUN of ../shared/corpus/docker that bashlex parses: same commands both ways,
    except the one script where bashlex drops the backslash of ``"\\n"`` in double quotes
    (bash keeps it; the tokenizer is right)."""
    differ: list[str] = []
    for dirpath, _, names in os.walk(CORPUS):
        for name in names:
            if not name.startswith("Dockerfile"):
                continue
            path = Path(dirpath) / name
            df = parse_dockerfile(path.read_text(errors="replace"), str(path))
            for stage in df.stages:
                for ins in stage.instructions:
                    if ins.keyword != "RUN":
                        continue
                    slow = analyse(ins)
                    if slow.fallbacks:
                        continue
                    if _key(analyse(ins, fast=True).commands) != _key(slow.commands):
                        differ.append(f"{path.relative_to(CORPUS)}:{ins.start_line}")
    assert differ == ["jessfraz+dockerfiles/gitserver/Dockerfile:13"]


# ---------------------------------------------------------------- property: random scripts
# bashlex itself misreads a comment glued to an operator (`a;# c` gives a command `c`) and a
# `$(...)` inside single quotes glued to a word (`x'$(no)'` gives a command `no`); bash and
# the tokenizer do not. The pieces keep those apart so that bashlex is a valid reference.

_PIECES = st.sampled_from(
    [
        "curl -fsSL x", "sh", "make install", "cd /src", "a=b", "echo 'x (y)' ", 'echo "a b"',
        "$(id -u)", '"$(nproc)"', "${HOME}", "x=$(uname -m)", " # note", "-o /tmp/f", "\\\n",
        " && ", " || ", " ; ", " | ", "\n", " ", "(", ")", "( ", " )", "$(echo a | sh)",
        "tar -xz -C /", "echo \\$x", " '$(no)' ", "-j$(nproc)",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=14).map("".join))
def test_fast_path_equals_bashlex_on_random_scripts(script: str) -> None:
    try:
        run = _run("RUN " + script.replace("\n", " \\\n") + "\n")
    except DockerfileError:
        return
    slow = analyse(run)
    if slow.fallbacks:
        return  # bashlex cannot parse it: nothing to compare with
    fast = analyse(run, fast=True)
    assert _key(fast.commands) == _key(slow.commands), script
