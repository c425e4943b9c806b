from __future__ import annotations

from hardhull.formats.dockerfile import Instruction, parse_dockerfile
from hardhull.formats.dockerfile.shell import Command, analyse, commands, shell_script_of


def _run(text: str, index: int = -1) -> Instruction:
    return parse_dockerfile("FROM debian\n" + text).stages[0].instructions[index]


def _flat(cmds: list[Command]) -> list[tuple[list[str], int, int, int, bool, bool, str | None]]:
    return [
        (c.argv, c.line, c.pipeline_position, c.pipeline_length, c.in_subshell, c.via_sh_c,
         c.connector)
        for c in cmds
    ]  # fmt: skip


def test_lists_pipelines_and_lines() -> None:
    run = _run(
        "RUN set -eux; \\\n"
        "    curl -fsSL https://example.com/install.sh | sh && \\\n"
        "    DEBIAN_FRONTEND=noninteractive sudo apt-get install -y curl || true; \\\n"
        "    (cd /tmp && chmod 777 x)\n"
    )
    cmds = commands(run)
    assert _flat(cmds) == [
        (["set", "-eux"], 2, 0, 1, False, False, None),
        (["curl", "-fsSL", "https://example.com/install.sh"], 3, 0, 2, False, False, ";"),
        (["sh"], 3, 1, 2, False, False, None),
        (["sudo", "apt-get", "install", "-y", "curl"], 4, 0, 1, False, False, "&&"),
        (["true"], 4, 0, 1, False, False, "||"),
        (["cd", "/tmp"], 5, 0, 1, True, False, ";"),
        (["chmod", "777", "x"], 5, 0, 1, True, False, "&&"),
    ]
    curl, sh = cmds[1], cmds[2]
    assert curl.piped_into is sh
    assert sh.piped_from is curl
    assert curl.piped_from is None
    assert cmds[3].assignments == ["DEBIAN_FRONTEND=noninteractive"]
    assert {c.parser for c in cmds} == {"tree-sitter"}


def test_sh_c_one_level_deep() -> None:
    run = _run(
        'RUN bash -c \'curl -s https://x | bash -c "sh -c id"\' && sudo sh -ec "rm -rf /x"\n'
    )
    got = [(c.argv, c.via_sh_c, c.pipeline_position) for c in commands(run)]
    assert got == [
        (["bash", "-c", 'curl -s https://x | bash -c "sh -c id"'], False, 0),
        (["curl", "-s", "https://x"], True, 0),
        (["bash", "-c", "sh -c id"], True, 1),  # not followed further
        (["sudo", "sh", "-ec", "rm -rf /x"], False, 0),
        (["rm", "-rf", "/x"], True, 0),
    ]


def test_exec_form() -> None:
    run = _run('RUN ["/bin/sh", "-c", "apt-get update && apt-get install -y git"]\n')
    assert _flat(commands(run)) == [
        (["/bin/sh", "-c", "apt-get update && apt-get install -y git"], 2, 0, 1, False, False,
         None),
        (["apt-get", "update"], 2, 0, 1, False, True, None),
        (["apt-get", "install", "-y", "git"], 2, 0, 1, False, True, "&&"),
    ]  # fmt: skip
    plain = _run('RUN ["chmod", "777", "/x"]\n')
    assert [(c.argv, c.source, c.parser) for c in commands(plain)] == [
        (["chmod", "777", "/x"], "exec", "exec")
    ]


def test_heredoc_script_and_data() -> None:
    df = parse_dockerfile(
        "FROM debian\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "wget -qO- https://x | bash\n"
        "EOF\n"
        "RUN cat <<'EOF' > /etc/motd && bash <<-SCRIPT\n"
        "rm -rf / | not a command\n"
        "EOF\n"
        "\tsudo id\n"
        "\tSCRIPT\n"
        "RUN <<EOF\n"
        "#!/usr/bin/env python3\n"
        "print('not shell')\n"
        "EOF\n"
    )
    script, mixed, python = df.stages[0].instructions
    assert [(c.argv, c.line, c.source, c.pipeline_position) for c in commands(script)] == [
        (["apt-get", "update"], 3, "heredoc", 0),
        (["wget", "-qO-", "https://x"], 4, "heredoc", 0),
        (["bash"], 4, "heredoc", 1),
    ]
    assert [(c.argv, c.line, c.source) for c in commands(mixed)] == [
        (["cat"], 6, "shell"),
        (["bash"], 6, "shell"),
        (["sudo", "id"], 9, "heredoc"),
    ]
    assert commands(python) == []


def test_case_and_arithmetic_are_analysed() -> None:
    # bashlex could not parse `case` nor `$((...))`: a tokenizer split this script instead
    run = _run(
        'RUN case "$ARCH" in amd64) url=a;; *) curl -fsSL x | sh;; esac \\\n'
        "    && echo $((1 + 2)) > /n; chmod 0777 '/a b'\n"
    )
    result = analyse(run)
    assert result.fallbacks == []
    assert [
        (c.argv, c.assignments, c.pipeline_position, c.connector, c.parser) for c in result.commands
    ] == [
        ([], ["url=a"], 0, None, "tree-sitter"),
        (["curl", "-fsSL", "x"], [], 0, None, "tree-sitter"),
        (["sh"], [], 1, None, "tree-sitter"),
        (["echo", "$((1 + 2))"], [], 0, "&&", "tree-sitter"),
        (["chmod", "0777", "/a b"], [], 0, ";", "tree-sitter"),
    ]
    assert result.commands[1].piped_into is result.commands[2]
    assert result.commands[4].line == 3


def test_syntax_error_is_counted_not_hidden() -> None:
    run = _run("RUN apt-get update && if then; curl x | sh; \\\n    rm -rf /x )\n")
    result = analyse(run)
    assert [f.line for f in result.fallbacks] == [2]
    assert result.fallbacks[0].reason.startswith("syntax error")
    assert [(c.argv, c.line, c.pipeline_position) for c in result.commands] == [
        (["apt-get", "update"], 2, 0),
        (["then"], 2, 0),
        (["curl", "x"], 2, 0),
        (["sh"], 2, 1),
        (["rm", "-rf", "/x"], 3, 0),
    ]


def test_non_posix_shell_is_skipped() -> None:
    run = _run("RUN Get-ChildItem C:\\\n")
    result = analyse(run, ["powershell", "-Command"])
    assert result.commands == []
    assert result.skipped == "SHELL powershell is not a POSIX shell"


def test_onbuild_run_and_bad_shell_text_never_raise() -> None:
    ob = _run("ONBUILD RUN apt-get install -y vim\n")
    assert [c.argv for c in commands(ob)] == [["apt-get", "install", "-y", "vim"]]
    for text in ["RUN echo 'unterminated\n", "RUN ((((\n", "RUN $(\n", "RUN <<<x | |\n"]:
        result = analyse(_run(text))
        assert result.fallbacks


def test_shell_script_of() -> None:
    assert shell_script_of(["sh", "-c", "x"]) == "x"
    assert shell_script_of(["/bin/bash", "-o", "pipefail", "-lc", "y"]) == "y"
    assert shell_script_of(["env", "A=1", "sh", "-c", "z"]) == "z"
    assert shell_script_of(["su", "app", "-c", "w"]) == "w"
    assert shell_script_of(["python", "-c", "x"]) is None
    assert shell_script_of(["sh", "script.sh"]) is None
