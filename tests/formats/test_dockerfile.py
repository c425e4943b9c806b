from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.formats.dockerfile import (
    DockerfileError,
    Heredoc,
    Instruction,
    Mount,
    expand,
    parse_dockerfile,
    parse_mount,
    variables_at,
)


def _summary(text: str) -> list[tuple[str, str, int, int]]:
    df = parse_dockerfile(text)
    return [(i.keyword, i.args_raw, i.start_line, i.end_line) for i in df.instructions]


def _error(text: str) -> tuple[int, str]:
    with pytest.raises(DockerfileError) as info:
        parse_dockerfile(text)
    return info.value.line, info.value.message


# ---------------------------------------------------------------- directives and escape


def test_backtick_escape_with_windows_paths() -> None:
    text = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "COPY C:\\src\\app.exe `\n"
        "     C:\\app\\\n"
        "RUN dir C:\\app\\ `\n"
        "    && echo done\n"
    )
    df = parse_dockerfile(text)
    assert df.escape == "`"
    assert df.directives == {"escape": "`"}
    copy, run = df.stages[0].instructions
    assert copy == Instruction(
        keyword="COPY",
        args_raw="C:\\src\\app.exe      C:\\app\\",
        start_line=3,
        end_line=4,
        stage_index=0,
        args=["C:\\src\\app.exe", "C:\\app\\"],
        original="COPY C:\\src\\app.exe      C:\\app\\",
    )
    assert run.args_raw == "dir C:\\app\\     && echo done"
    assert (run.start_line, run.end_line) == (5, 6)


def test_backslash_escape_does_not_continue_after_backtick_directive() -> None:
    df = parse_dockerfile("# escape=`\nFROM x\nRUN echo a \\\nRUN echo b\n")
    assert [i.args_raw for i in df.instructions] == ["x", "echo a \\", "echo b"]


def test_syntax_and_check_directives() -> None:
    df = parse_dockerfile(
        "# syntax=docker/dockerfile:1.7\n#check=skip=JSONArgsRecommended\nFROM alpine\n"
    )
    assert df.directives == {
        "syntax": "docker/dockerfile:1.7",
        "check": "skip=JSONArgsRecommended",
    }


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine\n# syntax=foo\n",  # after an instruction
        "# a comment\n# syntax=foo\nFROM alpine\n",  # after another comment
        "\n# syntax=foo\nFROM alpine\n",  # after a blank line
        "# unknown=1\n# syntax=foo\nFROM alpine\n",  # after an unknown directive
    ],
)
def test_syntax_directive_only_before_anything_else(text: str) -> None:
    assert parse_dockerfile(text).directives == {}


def test_directive_errors() -> None:
    assert _error("# escape=x\nFROM a\n") == (
        1,
        "invalid escape token 'x' does not match ` or \\",
    )
    assert _error("# syntax=a\n# syntax=b\nFROM a\n") == (
        2,
        "only one syntax parser directive can be used",
    )


# ---------------------------------------------------------------- continuations


def test_continuation_with_comments_and_blank_lines_inside() -> None:
    text = (
        "FROM debian\n"
        "RUN apt-get update \\\n"
        "    # refresh the index first\n"
        "\n"
        "  # another comment\n"
        "    && apt-get install -y curl\n"
        'CMD ["bash"]\n'
    )
    df = parse_dockerfile(text)
    assert _summary(text) == [
        ("FROM", "debian", 1, 1),
        ("RUN", "apt-get update     && apt-get install -y curl", 2, 6),
        ("CMD", '["bash"]', 7, 7),
    ]
    assert df.warnings == [
        "line 2: empty continuation line found in: "
        "RUN apt-get update     && apt-get install -y curl"
    ]
    run = df.instructions[1]
    assert run.line_at(0) == 2
    assert run.line_at(run.args_raw.index("&&")) == 6


def test_empty_continuation_lines_and_trailing_backslash_at_eof() -> None:
    assert _summary("FROM a\nRUN echo \\\n\n   \nhi\nRUN echo \\") == [
        ("FROM", "a", 1, 1),
        ("RUN", "echo hi", 2, 5),
        ("RUN", "echo", 6, 6),
    ]


def test_escaped_escape_is_not_a_continuation() -> None:
    assert _summary("FROM a\nRUN echo \\\\\nRUN b\n") == [
        ("FROM", "a", 1, 1),
        ("RUN", "echo \\\\", 2, 2),
        ("RUN", "b", 3, 3),
    ]


def test_crlf_file() -> None:
    text = "FROM alpine\r\nRUN apk add \\\r\n    curl\r\n\r\nUSER app\r\n"
    assert _summary(text) == [
        ("FROM", "alpine", 1, 1),
        ("RUN", "apk add     curl", 2, 3),
        ("USER", "app", 5, 5),
    ]


def test_bom_and_indented_instructions_and_lowercase() -> None:
    df = parse_dockerfile("\ufeff  from alpine as Base\n\tcopy . /src\nrun make\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "COPY", "RUN"]
    assert df.stages[0].name == "base"
    assert df.instructions[0].original == "from alpine as Base"


# ---------------------------------------------------------------- heredocs


def test_heredocs() -> None:
    text = (
        "FROM alpine\n"
        "RUN <<EOF\n"
        "apk add curl\n"
        "EOF\n"
        'COPY <<-"CONF" <<SCRIPT /etc/app/\n'
        "\tkey = $value\n"
        "\tCONF\n"
        "echo $HOME\n"
        "SCRIPT\n"
        "RUN cat <<'A' > /a && 3<<B cat\n"
        "x\n"
        "A\n"
        "y\n"
        "B\n"
        'RUN echo "<<NOT" <<ALSO_NOT_\n'
        "ALSO_NOT_\n"
    )
    df = parse_dockerfile(text)
    run1, copy, run2, run3 = df.stages[0].instructions
    assert run1.heredocs == [Heredoc("EOF", "apk add curl\n", 3, False, False, 4)]
    assert (run1.start_line, run1.end_line) == (2, 4)
    assert copy.heredocs == [
        Heredoc("CONF", "key = $value\n", 6, True, True, 7),
        Heredoc("SCRIPT", "echo $HOME\n", 8, False, False, 9),
    ]
    assert copy.args == ['<<-"CONF"', "<<SCRIPT", "/etc/app/"]
    assert run2.heredocs == [
        Heredoc("A", "x\n", 11, False, True, 12),
        Heredoc("B", "y\n", 13, False, False, 14, fd=3),
    ]
    assert [h.delimiter for h in run3.heredocs] == ["ALSO_NOT_"]
    assert (run3.start_line, run3.end_line) == (15, 16)


def test_heredoc_not_read_in_json_form_or_other_instructions() -> None:
    # CMD does not take heredocs, so "EOF x" is read as the next instruction
    assert _error('FROM a\nRUN ["cat", "<<EOF"]\nCMD cat <<EOF\nEOF x\n') == (
        4,
        "unknown instruction: EOF",
    )
    assert _summary('FROM a\nRUN ["cat", "<<EOF"]\n') == [
        ("FROM", "a", 1, 1),
        ("RUN", '["cat", "<<EOF"]', 2, 2),
    ]


def test_heredoc_crlf_terminator_and_onbuild() -> None:
    df = parse_dockerfile("FROM a\r\nONBUILD RUN <<EOF\r\necho hi\r\nEOF\r\n")
    onbuild = df.instructions[1]
    assert onbuild.onbuild is not None
    assert onbuild.onbuild.heredocs == [Heredoc("EOF", "echo hi\r\n", 3, False, False, 4)]
    assert (onbuild.start_line, onbuild.end_line) == (2, 4)


def test_unterminated_heredoc() -> None:
    assert _error("FROM a\nRUN <<EOF\necho\nEOF \n") == (2, "unterminated heredoc")


def test_copy_heredoc_destination() -> None:
    assert _error("FROM a\nCOPY x <<EOF\nEOF\n") == (
        2,
        "COPY cannot accept a heredoc as a destination",
    )


# ---------------------------------------------------------------- stages, ARG, FROM


def test_global_args_substituted_into_from() -> None:
    text = (
        "ARG REGISTRY=docker.io\n"
        "ARG GO_VERSION=1.22\n"
        "ARG IMAGE=${REGISTRY}/library/golang\n"
        "ARG UNSET\n"
        "FROM --platform=$BUILDPLATFORM ${IMAGE}:${GO_VERSION} AS Build\n"
        "ARG GO_VERSION\n"
        "RUN go build ./...\n"
        "FROM ${RUNTIME:-gcr.io/distroless/static}${UNSET} AS runtime\n"
        "COPY --from=build /out/app /app\n"
    )
    df = parse_dockerfile(text)
    assert [a.args for a in df.global_args] == [
        ["REGISTRY=docker.io"],
        ["GO_VERSION=1.22"],
        ["IMAGE=${REGISTRY}/library/golang"],
        ["UNSET"],
    ]
    build, runtime = df.stages
    assert (build.index, build.name, build.platform) == (0, "build", "$BUILDPLATFORM")
    assert build.base_image == "docker.io/library/golang:1.22"
    assert build.base_image_raw == "${IMAGE}:${GO_VERSION}"
    assert build.unresolved == ()
    assert runtime.base_image == "gcr.io/distroless/static"
    assert runtime.unresolved == ("RUNTIME", "UNSET")
    copy = runtime.instructions[0]
    assert copy.flags == {"from": ["build"]}
    assert df.stage(copy.flag("from") or "") is build
    assert df.stage("0") is build
    assert [i.stage_index for i in df.instructions] == [-1, -1, -1, -1, 0, 0, 0, 1, 1]
    # scoping: a global ARG is visible in a stage only when redeclared there
    assert variables_at(df, build.instructions[1]) == {"GO_VERSION": "1.22"}
    assert variables_at(df, copy) == {}


def test_from_platform_buildplatform() -> None:
    df = parse_dockerfile("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n")
    st = df.stages[0]
    assert (st.name, st.base_image, st.platform) == ("build", "golang:1.22", "$BUILDPLATFORM")
    assert st.from_instruction.args == ["golang:1.22", "AS", "build"]


def test_env_and_arg_scoping() -> None:
    df = parse_dockerfile(
        'ARG V=1\nFROM a\nARG V\nENV P=/opt/$V X="a b"\nARG P=ignored\nENV Q ${P}/bin x\nRUN true\n'
    )
    run = df.stages[0].instructions[-1]
    assert variables_at(df, run) == {"V": "1", "P": "/opt/1", "X": "a b", "Q": "/opt/1/bin x"}
    assert df.stages[0].instructions[1].args == ["P", "/opt/$V", "X", '"a b"']


def test_expand() -> None:
    env = {"A": "x", "E": "", "N": None}
    assert expand("$A${A}${E:-d}${E-d}${N-d}${A:+p}${E:+p}", env).value == "xxddp"
    assert expand("'$A' \"$A\" \\$A", env).value == "$A x $A"
    assert expand("${N}$M", env).unresolved == ("N", "M")
    with pytest.raises(DockerfileError):
        expand("${A", env)


def test_stage_errors() -> None:
    assert _error("FROM a AS 1x\n") == (
        1,
        'invalid name for build stage: "1x", name can\'t start with a number or contain symbols',
    )
    assert _error("FROM a b\n") == (1, "FROM requires either one or three arguments")
    assert _error("FROM\n") == (1, "FROM requires either one or three arguments")
    assert _error("FROM a AS x\nFROM b AS X\n") == (2, 'duplicate stage name "x"')
    assert _error("ARG a\n") == (1, "dockerfile contains no stages to build")
    assert _error("# only a comment\n\n") == (2, "file with no instructions")
    assert _error("ARG x\nRUN make\nFROM a\n") == (2, "no build stage in current context")


# ---------------------------------------------------------------- flags, mounts, ONBUILD


def test_run_mounts() -> None:
    df = parse_dockerfile(
        "FROM node\n"
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
        "RUN --mount=type=cache,target=/root/.npm,sharing=locked \\\n"
        "    --mount=type=ssh --network=none --security=insecure npm ci\n"
        "RUN --mount=type=bind,from=build,source=/out,target=/mnt,rw true\n"
    )
    secret, cache, bind = df.stages[0].instructions
    assert secret.mounts == [
        Mount(
            type="secret",
            target="/root/.npmrc",
            id="npmrc",
            readonly=True,
            raw="type=secret,id=npmrc,target=/root/.npmrc",
        )
    ]
    assert secret.args_raw == "npm ci"
    assert cache.flags == {
        "mount": ["type=cache,target=/root/.npm,sharing=locked", "type=ssh"],
        "network": ["none"],
        "security": ["insecure"],
    }
    assert [(m.type, m.target, m.sharing, m.readonly) for m in cache.mounts] == [
        ("cache", "/root/.npm", "locked", False),
        ("ssh", "", "", True),
    ]
    assert bind.mounts[0].from_ == "build"
    assert bind.mounts[0].readonly is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("type=foo", 'unsupported mount type "foo"'),
        ("type=secret", "invalid secret mount. one of source, target required"),
        ("type=secret,id=a,source=b", "both source and id can't be set"),
        ("type=bind,sharing=locked", "invalid cache sharing set for bind mount"),
        ("type=bind,mode=0700", 'mode not allowed for "bind" type mounts'),
        ("target=/x,flag", "invalid field 'flag' must be a key=value pair"),
        ("type=cache,bogus=1", "unexpected key 'bogus' in 'bogus=1'"),
        ("from=$STAGE", "'from' doesn't support variable expansion, define alias stage instead"),
        ('target="/x', 'failed to parse csv mounts: bare " in non-quoted-field'),
        ("", "failed to parse csv mounts: EOF"),
    ],
)
def test_mount_errors(value: str, message: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse_mount(value)
    assert info.value.message == message
    # single quotes: BuildKit removes quotes from flag words before reading the CSV
    assert _error(f"FROM a\nRUN --mount='{value}' true\n") == (2, message)


def test_copy_flags_and_flag_errors() -> None:
    df = parse_dockerfile(
        "FROM a\nCOPY --chown=app:app --chmod=0644 --link --from=build a b\n"
        "ADD --checksum=sha256:abc --link=false https://x/y.tgz /y\n"
    )
    copy, add = df.stages[0].instructions
    assert copy.flags == {
        "chown": ["app:app"],
        "chmod": ["0644"],
        "link": ["true"],
        "from": ["build"],
    }
    assert add.flags == {"checksum": ["sha256:abc"], "link": ["false"]}
    assert _error("FROM a\nCOPY --bogus=1 a b\n") == (2, "unknown flag: bogus")
    assert _error("FROM a\nCOPY --from a b\n") == (2, "missing a value on flag: from")
    assert _error("FROM a\nCOPY --from=x --from=y a b\n") == (
        2,
        "duplicate flag specified: from",
    )
    assert _error("FROM a\nCOPY --link=maybe a b\n") == (
        2,
        "expecting boolean value for flag link, not: maybe",
    )
    assert _error("FROM a\nENV --x=1 A=b\n") == (2, "unknown flag: x")


def test_onbuild() -> None:
    df = parse_dockerfile("FROM a\nONBUILD RUN --mount=type=cache,target=/c make\n")
    ob = df.instructions[1]
    assert ob.keyword == "ONBUILD"
    assert ob.args == ["RUN", "make"]
    assert ob.onbuild is not None
    assert (ob.onbuild.keyword, ob.onbuild.args_raw, ob.onbuild.stage_index) == ("RUN", "make", 0)
    assert ob.onbuild.flags == {"mount": ["type=cache,target=/c"]}
    assert _error("FROM a\nONBUILD ONBUILD RUN x\n") == (
        2,
        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    )
    assert _error("FROM a\nONBUILD from b\n") == (2, "FROM isn't allowed as an ONBUILD trigger")
    assert _error("FROM a\nONBUILD\n") == (2, "ONBUILD requires at least one argument")


# ---------------------------------------------------------------- forms and argument checks


def test_json_and_shell_forms() -> None:
    df = parse_dockerfile(
        "FROM a\n"
        'CMD ["nginx", "-g", "daemon off;"]\n'
        "CMD nginx -g 'daemon off;'\n"
        'ENTRYPOINT ["a" , "b"] \n'
        'RUN ["a", "b"] && c\n'
        "RUN [not json]\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        'COPY ["a b", "/c d/"]\n'
        "VOLUME /data /logs\n"
        'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost"]\n'
        "HEALTHCHECK NONE\n"
    )
    forms = [(i.keyword, i.json_form, i.args) for i in df.stages[0].instructions]
    assert forms == [
        ("CMD", ["nginx", "-g", "daemon off;"], ["nginx", "-g", "daemon off;"]),
        ("CMD", None, ["nginx -g 'daemon off;'"]),
        ("ENTRYPOINT", ["a", "b"], ["a", "b"]),
        ("RUN", None, ['["a", "b"] && c']),
        ("RUN", None, ["[not json]"]),
        ("SHELL", ["/bin/bash", "-o", "pipefail", "-c"], ["/bin/bash", "-o", "pipefail", "-c"]),
        ("COPY", ["a b", "/c d/"], ["a b", "/c d/"]),
        ("VOLUME", None, ["/data", "/logs"]),
        (
            "HEALTHCHECK",
            ["curl", "-f", "http://localhost"],
            ["CMD", "curl", "-f", "http://localhost"],
        ),
        ("HEALTHCHECK", None, ["NONE"]),
    ]


def test_env_label_forms() -> None:
    df = parse_dockerfile(
        'FROM a\nENV A=1 B="two words" C=\\"q\nENV OLD value with spaces\nLABEL a.b=c "d e"=f\n'
    )
    env1, env2, label = df.stages[0].instructions
    assert env1.args == ["A", "1", "B", '"two words"', "C", '\\"q']
    assert env2.args == ["OLD", "value with spaces"]
    assert label.args == ["a.b", "c", '"d e"', "f"]


_NOT = "when using JSON array syntax, arrays must be comprised of strings only"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("FROM a\nFORM b\n", 2, "unknown instruction: FORM"),
        ('FROM a\nRUN ["a", 1]\n', 2, _NOT),
        ('FROM a\nCMD [["a"]]\n', 2, _NOT),
        ("FROM a\nENV A\n", 2, "ENV must have two arguments"),
        (
            "FROM a\nENV A=1 B\n",
            2,
            'Syntax error - can\'t find = in "B". Must be of the form: name=value',
        ),
        ("FROM a\nENV =1\n", 2, "ENV names can not be blank"),
        ("FROM a\nLABEL\n", 2, "LABEL requires at least one argument"),
        ("FROM a\nARG =x\n", 2, "ARG names can not be blank"),
        (
            "FROM a\nCOPY \\\n  onlyone\n",
            2,
            "COPY requires at least two arguments, but only "
            "one was provided. Destination could not be determined",
        ),
        ("FROM a\nWORKDIR\n", 2, "WORKDIR requires exactly one argument"),
        ("FROM a\nEXPOSE\n", 2, "EXPOSE requires at least one argument"),
        ('FROM a\nVOLUME [""]\n', 2, "VOLUME specified can not be an empty string"),
        ("FROM a\nSHELL /bin/bash -c\n", 2, "SHELL requires the arguments to be in JSON form"),
        ("FROM a\nSHELL []\n", 2, "SHELL requires at least one argument"),
        ("FROM a\nHEALTHCHECK CMD\n", 2, "Missing command after HEALTHCHECK CMD"),
        ("FROM a\nHEALTHCHECK NONE x\n", 2, "HEALTHCHECK NONE takes no arguments"),
        ("FROM a\nHEALTHCHECK FOO x\n", 2, 'Unknown type "FOO" in HEALTHCHECK (try CMD)'),
        (
            "FROM a\nHEALTHCHECK --interval=0.5ms CMD x\n",
            2,
            'Interval "interval" cannot be less than 1ms',
        ),
        ("FROM a\nHEALTHCHECK --retries=0 CMD x\n", 2, "--retries must be at least 1 (not 0)"),
        (
            "FROM a\nRUN x\n" + "#" * 70000 + "\n",
            3,
            "dockerfile line greater than max allowed size of 65535",
        ),
    ],
)
def test_malformed(text: str, line: int, message: str) -> None:
    assert _error(text) == (line, message)


# ---------------------------------------------------------------- the real-world corpus

#: corpus files BuildKit rejects, with the reason (checked by hand against BuildKit's code)
EXPECTED_FAILURES: dict[str, tuple[int, str]] = {}


def _corpus(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and (
            p.name.startswith("Dockerfile")
            or p.name.endswith(".Dockerfile")
            or p.name.endswith(".dockerfile")
        )
    )


def test_corpus(shared: Path) -> None:
    root = shared / "corpus" / "docker"
    files = _corpus(root)
    assert len(files) == 285
    failures: dict[str, tuple[int, str]] = {}
    stages = instructions = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        try:
            df = parse_dockerfile(text, str(path))
        except DockerfileError as e:
            failures[str(path.relative_to(root))] = (e.line, e.message)
            continue
        stages += len(df.stages)
        instructions += len(df.instructions)
        for ins in df.instructions:
            assert 1 <= ins.start_line <= ins.end_line
    assert failures == EXPECTED_FAILURES
    assert stages > 285
    assert instructions > 2000


def test_error_as_input_error() -> None:
    with pytest.raises(DockerfileError) as info:
        parse_dockerfile("FROM a\nBOGUS x\n", "app/Dockerfile")
    assert str(info.value.input_error("app/Dockerfile")) == (
        "app/Dockerfile:2: unknown instruction: BOGUS"
    )
