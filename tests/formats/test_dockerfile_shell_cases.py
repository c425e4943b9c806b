"""The commands of hand-written scripts, of every ``RUN`` of the corpus and of generated scripts.

The hand-written cases were held, before the move to tree-sitter, to the same result from
bashlex and from the tokenizer fast path; their expected commands are that result (one case
more now: ``${X:-$(date)}`` runs ``date``). The generated scripts are built from simple commands
whose words are known, joined by lists, pipelines, redirections and compound commands; the
analysis must give back exactly those commands, each with its line, pipeline position,
subshell and connector.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.formats.dockerfile import Instruction, parse_dockerfile
from hardhull.formats.dockerfile.shell import Command, analyse
from tests.conftest import SHARED

Key = tuple[list[str], int, int, int, bool, str | None, list[str]]


def _key(cmds: list[Command]) -> list[Key]:
    return [
        (c.argv, c.line, c.pipeline_position, c.pipeline_length, c.in_subshell, c.connector,
         c.assignments)
        for c in cmds
    ]  # fmt: skip


def _run(text: str) -> Instruction:
    return parse_dockerfile("FROM debian\n" + text).stages[0].instructions[-1]


CASES: list[tuple[str, list[Key]]] = [
    ("RUN apt-get update && apt-get install -y curl | tee /log; rm -rf /x\n", [
        (["apt-get", "update"], 2, 0, 1, False, None, []),
        (["apt-get", "install", "-y", "curl"], 2, 0, 2, False, "&&", []),
        (["tee", "/log"], 2, 1, 2, False, None, []),
        (["rm", "-rf", "/x"], 2, 0, 1, False, ";", []),
    ]),
    ('RUN ARCH="$(dpkg --print-architecture)" && curl -fsSL "https://x/$ARCH" | sh\n', [
        ([], 2, 0, 1, False, None, ["ARCH=$(dpkg --print-architecture)"]),
        (["dpkg", "--print-architecture"], 2, 0, 1, True, None, []),
        (["curl", "-fsSL", "https://x/$ARCH"], 2, 0, 2, False, "&&", []),
        (["sh"], 2, 1, 2, False, None, []),
    ]),
    ("RUN make -j$(nproc) && make install\n", [
        (["make", "-j$(nproc)"], 2, 0, 1, False, None, []),
        (["nproc"], 2, 0, 1, True, None, []),
        (["make", "install"], 2, 0, 1, False, "&&", []),
    ]),
    ("RUN x=$(curl -s https://x | sh) && echo $(id -u $(whoami))\n", [
        ([], 2, 0, 1, False, None, ["x=$(curl -s https://x | sh)"]),
        (["curl", "-s", "https://x"], 2, 0, 2, True, None, []),
        (["sh"], 2, 1, 2, True, None, []),
        (["echo", "$(id -u $(whoami))"], 2, 0, 1, False, "&&", []),
        (["id", "-u", "$(whoami)"], 2, 0, 1, True, None, []),
        (["whoami"], 2, 0, 1, True, None, []),
    ]),
    ("RUN set -x \\\n && (cd /src && ./configure && make) \\\n && rm -rf /src\n", [
        (["set", "-x"], 2, 0, 1, False, None, []),
        (["cd", "/src"], 3, 0, 1, True, "&&", []),
        (["./configure"], 3, 0, 1, True, "&&", []),
        (["make"], 3, 0, 1, True, "&&", []),
        (["rm", "-rf", "/src"], 4, 0, 1, False, "&&", []),
    ]),
    ("RUN ( cd /a && make ) && ( cd /b ; make install )\n", [
        (["cd", "/a"], 2, 0, 1, True, None, []),
        (["make"], 2, 0, 1, True, "&&", []),
        (["cd", "/b"], 2, 0, 1, True, "&&", []),
        (["make", "install"], 2, 0, 1, True, ";", []),
    ]),
    ("RUN echo 'options(repos = c(CRAN = \"x\"))' > /etc/R/Rprofile && echo '$(not run)'\n", [
        (["echo", 'options(repos = c(CRAN = "x"))'], 2, 0, 1, False, None, []),
        (["echo", "$(not run)"], 2, 0, 1, False, "&&", []),
    ]),
    ("RUN echo ${HOME} ${X:-$(date)} # a comment (with parens)\n", [
        (["echo", "${HOME}", "${X:-$(date)}"], 2, 0, 1, False, None, []),
        (["date"], 2, 0, 1, True, None, []),  # bashlex and the tokenizer did not see it
    ]),
    ("RUN curl -fsSL x -o /tmp/a \\\n    # comment line\n    && sh /tmp/a\n", [
        (["curl", "-fsSL", "x", "-o", "/tmp/a"], 2, 0, 1, False, None, []),
        (["sh", "/tmp/a"], 4, 0, 1, False, "&&", []),
    ]),
    ("RUN echo $((1 + 2)) && make\n", [  # bashlex could not parse it
        (["echo", "$((1 + 2))"], 2, 0, 1, False, None, []),
        (["make"], 2, 0, 1, False, "&&", []),
    ]),
    ("RUN echo `id -u` && make\n", [
        (["echo", "`id -u`"], 2, 0, 1, False, None, []),
        (["id", "-u"], 2, 0, 1, True, None, []),
        (["make"], 2, 0, 1, False, "&&", []),
    ]),
    ("RUN { echo a; echo b; } > /f && make\n", [
        (["echo", "a"], 2, 0, 1, False, None, []),
        (["echo", "b"], 2, 0, 1, False, ";", []),
        (["make"], 2, 0, 1, False, "&&", []),
    ]),
    ("RUN if [ -f /x ]; then rm /x; fi && for a in b c; do echo $a; done\n", [
        (["[", "-f", "/x", "]"], 2, 0, 1, False, None, []),
        (["rm", "/x"], 2, 0, 1, False, None, []),
        (["echo", "$a"], 2, 0, 1, False, "&&", []),
    ]),
    ('RUN v="$(awk \'{ print "x" }\' /f)" && make\n', [
        ([], 2, 0, 1, False, None, ["v=$(awk '{ print \"x\" }' /f)"]),
        (["awk", '{ print "x" }', "/f"], 2, 0, 1, True, None, []),
        (["make"], 2, 0, 1, False, "&&", []),
    ]),
    ("RUN f() { echo hi; } && f\n", [
        (["echo", "hi"], 2, 0, 1, False, None, []),
        (["f"], 2, 0, 1, False, "&&", []),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_cases(text: str, expected: list[Key]) -> None:
    run = _run(text)
    result = analyse(run)
    assert result.fallbacks == []
    assert _key(result.commands) == expected
    assert {c.parser for c in result.commands} == {"tree-sitter"}
    # `fast` is kept for callers and changes nothing
    assert _key(analyse(run, fast=True).commands) == expected


def test_subshell_commands_before_the_closing_paren() -> None:
    run = _run("RUN case $A in x) y;; esac; (cd /src && make install)\n")
    result = analyse(run)
    assert result.fallbacks == []
    assert [(c.argv, c.in_subshell, c.connector) for c in result.commands] == [
        (["y"], False, None),
        (["cd", "/src"], True, ";"),
        (["make", "install"], True, "&&"),
    ]


CORPUS = SHARED / "corpus" / "docker"


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared Docker corpus is not here")
def test_every_run_of_the_corpus_parses() -> None:
    """tree-sitter-bash reads every ``RUN`` of ../shared/corpus/docker without a syntax error
    (bashlex failed on one, with ``$(...)`` holding ``[ ... ]``)."""
    runs = 0
    errors: list[str] = []
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
                    runs += 1
                    if analyse(ins).fallbacks:
                        errors.append(f"{path.relative_to(CORPUS)}:{ins.start_line}")
    assert runs > 600
    assert errors == []


# ---------------------------------------------------------------- property: generated scripts


@dataclass(frozen=True)
class _Expected:
    argv: list[str]
    offset: int  # lines after the first line of the script
    position: int = 0
    length: int = 1
    subshell: bool = False
    connector: str | None = None
    assignments: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Piece:
    """Generated script text and the commands it must give."""

    text: str
    cmds: tuple[_Expected, ...]

    @property
    def lines(self) -> int:
        return self.text.count("\n")


def _shift(cmds: tuple[_Expected, ...], lines: int) -> tuple[_Expected, ...]:
    return tuple(replace(c, offset=c.offset + lines) for c in cmds)


# (source text, word) and words holding a substitution: (source, word, its command)
_WORDS = st.sampled_from(
    [
        ("curl", "curl"), ("-fsSL", "-fsSL"), ("https://x/i.sh", "https://x/i.sh"),
        ("'a b'", "a b"), ('"c  d"', "c  d"), ("\\$HOME", "$HOME"), ("${HOME}", "${HOME}"),
        ('"$HOME"/x', "$HOME/x"), ("e\\ f", "e f"), ("0777", "0777"), ("'<<no'", "<<no"),
        ("$((1 + 2))", "$((1 + 2))"), ("x=y", "x=y"), ('pre"fix"', "prefix"),
    ]
)  # fmt: skip
_SUBSTITUTED = st.sampled_from(
    [
        ("$(nproc)", "$(nproc)", ["nproc"]),
        ('"$(uname -m)"', "$(uname -m)", ["uname", "-m"]),
        ("`id -u`", "`id -u`", ["id", "-u"]),
        ("-j$(getconf _NPROCESSORS_ONLN)", "-j$(getconf _NPROCESSORS_ONLN)",
         ["getconf", "_NPROCESSORS_ONLN"]),
    ]
)  # fmt: skip
_NAMES = st.sampled_from(["apt-get", "make", "chmod", "tee", "tar", "/usr/bin/install", "pip3"])


@st.composite
def _simple(draw: st.DrawFn) -> _Piece:
    """A simple command: assignments, words, a substitution, redirections anywhere."""
    assigns = draw(st.lists(st.sampled_from(["A=1", "DEBIAN_FRONTEND=x"]), max_size=2))
    words = [(n, n) for n in [draw(_NAMES)]] + draw(st.lists(_WORDS, max_size=3))
    nested: list[list[str]] = []
    if draw(st.booleans()):
        source, word, inner = draw(_SUBSTITUTED)
        words.insert(draw(st.integers(1, len(words))), (source, word))
        nested.append(inner)
    texts = [*assigns, *(s for s, _ in words)]
    where = draw(st.sampled_from(["none", "before", "inside", "after"]))
    redirect = draw(st.sampled_from(["> /dev/null", "2>&1", "2>/dev/null", "< /etc/x", ">>/log"]))
    if where == "before":
        texts.insert(0, redirect)
    elif where == "inside":
        texts.insert(draw(st.integers(len(assigns) + 1, len(texts))), redirect)
    elif where == "after":
        texts.append(redirect)
    cmd = _Expected([w for _, w in words], 0, assignments=tuple(assigns))
    subs = tuple(_Expected(argv, 0, subshell=True) for argv in nested)
    return _Piece(" ".join(texts), (cmd, *subs))


@st.composite
def _pipeline(draw: st.DrawFn) -> _Piece:
    parts = draw(st.lists(_simple(), min_size=1, max_size=3))
    if len(parts) == 1:
        return parts[0]
    cmds: list[_Expected] = []
    for index, part in enumerate(parts):
        head, *rest = part.cmds
        cmds += [replace(head, position=index, length=len(parts)), *rest]
    return _Piece(" | ".join(p.text for p in parts), tuple(cmds))


_OPS = st.sampled_from([" && ", " || ", "; ", "\n", " &\n", " & "])


def _connect(first: _Expected, connector: str | None) -> _Expected:
    return replace(first, connector=connector)


@st.composite
def _list(draw: st.DrawFn, depth: int = 0) -> _Piece:
    """Pipelines and compound commands joined by list operators (newlines included)."""
    element = _pipeline() if depth >= 2 else st.one_of(_pipeline(), _compound(depth + 1))
    parts = draw(st.lists(element, min_size=1, max_size=4))
    text = ""
    cmds: list[_Expected] = []
    for index, part in enumerate(parts):
        connector: str | None = None
        if index:
            op = draw(_OPS)
            text += op
            connector = None if op.endswith("\n") else op.strip()
        lines = text.count("\n")
        shifted = _shift(part.cmds, lines)
        if shifted:
            shifted = (_connect(shifted[0], connector), *shifted[1:])
        text += part.text
        cmds += shifted
    return _Piece(text, tuple(cmds))


@st.composite
def _compound(draw: st.DrawFn, depth: int) -> _Piece:
    """A compound command around a list; its first command takes the list's connector."""
    body = draw(_list(depth))
    kind = draw(st.sampled_from(["subshell", "group", "if", "for", "while", "case", "function"]))
    head: tuple[_Expected, ...] = ()
    if kind == "subshell":
        text = f"( {body.text} )"
        inner = tuple(replace(c, subshell=True) for c in body.cmds)
    elif kind == "group":
        text = f"{{ {body.text}\n}}"
        inner = body.cmds
    elif kind == "if":
        text = f"if test -f /x; then\n{body.text}\nfi"
        head = (_Expected(["test", "-f", "/x"], 0),)
        inner = _shift(body.cmds, 1)
    elif kind == "for":
        text = f"for i in 1 2; do {body.text}\ndone"
        inner = body.cmds
    elif kind == "while":
        text = f"while false; do\n{body.text}; done"
        head = (_Expected(["false"], 0),)
        inner = _shift(body.cmds, 1)
    elif kind == "case":
        text = f"case $x in\n a|b) {body.text} ;;\n *) ;;\nesac"
        inner = _shift(body.cmds, 1)
    else:
        text = f"f() {{\n{body.text}\n}}"
        inner = _shift(body.cmds, 1)
    if inner and head:
        inner = (_connect(inner[0], None), *inner[1:])
    return _Piece(text, (*head, *inner))


def _assert_gives(text: str, script: _Piece, first_line: int) -> None:
    result = analyse(_run(text))
    assert result.fallbacks == [], (script.text, result.fallbacks)
    got = [
        (c.argv, c.line - first_line, c.pipeline_position, c.pipeline_length, c.in_subshell,
         c.connector, tuple(c.assignments))
        for c in result.commands
    ]  # fmt: skip
    want = [
        (c.argv, c.offset, c.position, c.length, c.subshell, c.connector, c.assignments)
        for c in script.cmds
    ]
    assert got == want, script.text


@settings(max_examples=300, deadline=None)
@given(_list())
def test_generated_scripts_give_their_commands(script: _Piece) -> None:
    # as a here-document script, newlines and all
    _assert_gives(f"RUN <<EOF\n{script.text}\nEOF\n", script, 3)
    # as shell form: the same script on continuation lines, where a newline cannot be (it
    # would end the RUN), so only scripts without list newlines are tried there
    if "\n" not in script.text:
        _assert_gives(f"RUN {script.text}\n", script, 2)
