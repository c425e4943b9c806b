from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.formats.dockerfile import DockerfileError, parse_dockerfile
from hardhull.formats.dockerfile.shell import analyse

_ALPHABET = st.sampled_from(
    [*"FROMRUNCOPYENVARGonbuild abc=$-{}[]\"'`\\#<>|&;:,.0123456789\t\r\n", "\u00a0", "é"]
)
_TOKENS = st.sampled_from(
    [
        "FROM a", "FROM a AS b", "RUN ", "COPY ", "ENV ", "ARG ", "ONBUILD ", "HEALTHCHECK ",
        "SHELL ", "CMD ", "<<EOF", "<<-'X'", "EOF", "X", "\\\n", "`\n", "# escape=`\n",
        "# syntax=x\n", "--mount=", "type=secret,id=a", "--from=", '["a", 1]', '["sh", "-c"]',
        "${A:-b}", "$A", "\n", " ", "\t", "#", "'", '"', "[", "]", "=", "\r\n",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=300) | st.lists(_TOKENS, max_size=40).map("".join))
def test_arbitrary_text_only_raises_dockerfile_error(text: str) -> None:
    try:
        df = parse_dockerfile(text)
    except DockerfileError as e:
        assert e.line >= 0
        return
    for ins in df.instructions:
        assert 1 <= ins.start_line <= ins.end_line
        if ins.keyword in ("RUN", "ONBUILD"):
            analyse(ins)  # never raises


_SHELL = st.sampled_from(
    [
        "a", "b c", " ", "\n", "\\\n", "\t", "&&", "||", "|", "|&", ";", ";;", "&", "(", ")", "{ ",
        " }", "$(", "`", "$((", "))", "((", "${", "}", "'", '"', "\\", "#", "<", ">", "2>&1", "<<",
        "<<-", "<<<", "EOF", "X", "if ", "then ", "elif ", "else ", "fi", "for x in ", "do ",
        "done", "while ", "until ", "case ", " in ", "esac", "f() ", "function ", "!", "[ ",
        " ]", "[[ ", " ]]", "=", "x=", "sh -c ", "bash <<X\n", "é", "\r",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_SHELL, max_size=60).map("".join))
def test_arbitrary_shell_never_raises(script: str) -> None:
    """Any shell text, as a shell-form RUN and as a here-document script: the analysis never
    raises and every command is on a line of its RUN."""
    texts = ["RUN " + script.replace("\n", " \\\n") + "\n", "RUN <<EOF\n" + script + "\nEOF\n"]
    for text in texts:
        try:
            df = parse_dockerfile("FROM a\n" + text)
        except DockerfileError:
            continue
        for ins in df.instructions:
            if ins.keyword != "RUN":
                continue
            result = analyse(ins)
            for cmd in result.commands:
                assert ins.start_line <= cmd.line <= ins.end_line, (script, cmd)
            for problem in result.fallbacks:
                assert ins.start_line <= problem.line <= ins.end_line, (script, problem)


_WORD = st.from_regex(r"[a-z][a-z0-9_./-]{0,7}", fullmatch=True)


@st.composite
def _dockerfile(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int]]]:
    lines: list[str] = []
    expected: list[tuple[str, int, int]] = []

    def filler() -> None:
        for _ in range(draw(st.integers(0, 2))):
            lines.append(draw(st.sampled_from(["", "# note", "   ", "  # indented"])))

    filler()
    for index in range(draw(st.integers(1, 8))):
        keyword = "FROM" if index == 0 else draw(st.sampled_from(["RUN", "COPY", "ENV", "FROM"]))
        words = draw(st.lists(_WORD, min_size=2, max_size=5))
        if keyword == "ENV":
            words = [f"{w}=v" for w in words]
        if keyword == "FROM":
            words = words[:1]
        start = len(lines) + 1
        pieces = [draw(st.sampled_from([keyword, keyword.lower()])) + " " + words[0]]
        for w in words[1:]:
            if draw(st.booleans()):
                pieces[-1] += " \\"
                if draw(st.booleans()):
                    pieces.append("  # inside")
                pieces.append("  " + w)
            else:
                pieces[-1] += " " + w
        lines.extend(pieces)
        if keyword == "RUN" and draw(st.booleans()):
            lines[-1] += " <<EOF"
            lines.extend(draw(st.lists(_WORD, max_size=3)))
            lines.append("EOF")
        expected.append((keyword, start, len(lines)))
        filler()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline, expected


@settings(max_examples=200, deadline=None)
@given(_dockerfile())
def test_generated_dockerfiles_round_trip(case: tuple[str, list[tuple[str, int, int]]]) -> None:
    text, expected = case
    df = parse_dockerfile(text)
    assert [(i.keyword, i.start_line, i.end_line) for i in df.instructions] == expected
    assert len(df.stages) == sum(1 for k, _, _ in expected if k == "FROM")
