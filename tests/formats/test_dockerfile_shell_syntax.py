"""Shell syntax the analysis reads with tree-sitter-bash: compound commands, arithmetic,
functions, here-documents, nested substitutions, and the places where the grammar's own tree
is corrected (here-documents, redirections after a list, redirection targets)."""

from __future__ import annotations

from hardhull.formats.dockerfile import Instruction, parse_dockerfile
from hardhull.formats.dockerfile.shell import MAX_DEPTH, Command, analyse, commands

Row = tuple[list[str], int, int, int, bool, str | None]


def _run(text: str) -> Instruction:
    return parse_dockerfile("FROM debian\n" + text).stages[0].instructions[-1]


def _rows(cmds: list[Command]) -> list[Row]:
    """argv, line, pipeline position and length, in a subshell, connector."""
    return [
        (c.argv, c.line, c.pipeline_position, c.pipeline_length, c.in_subshell, c.connector)
        for c in cmds
    ]


def _clean(text: str) -> list[Command]:
    result = analyse(_run(text))
    assert result.fallbacks == [], result.fallbacks
    return result.commands


def test_case_branches_and_patterns() -> None:
    cmds = _clean(
        'RUN set -e && case "$(uname -m)" in \\\n'
        "      x86_64|amd64) ARCH=amd64 ;; \\\n"
        "      aarch64) ARCH=arm64; apt-get install -y qemu ;; \\\n"
        "      *) curl -fsSL https://x/install.sh | sh ;; \\\n"
        "    esac && make\n"
    )
    assert [(c.argv, c.assignments, c.line, c.connector) for c in cmds] == [
        (["set", "-e"], [], 2, None),
        (["uname", "-m"], [], 2, None),
        ([], ["ARCH=amd64"], 3, "&&"),  # the first command of the `case` takes its connector
        ([], ["ARCH=arm64"], 4, None),
        (["apt-get", "install", "-y", "qemu"], [], 4, ";"),
        (["curl", "-fsSL", "https://x/install.sh"], [], 5, None),
        (["sh"], [], 5, None),
        (["make"], [], 6, "&&"),
    ]
    assert cmds[1].in_subshell
    assert cmds[5].piped_into is cmds[6]


def test_arithmetic_expansion_and_command() -> None:
    cmds = _clean(
        "RUN echo $((1 + $(nproc) * 2)) && i=$((i+1)) && ((n = 1 << 3)) \\\n"
        "    && make -j$(( $(nproc) + 1 ))\n"
    )
    assert _rows(cmds) == [
        (["echo", "$((1 + $(nproc) * 2))"], 2, 0, 1, False, None),
        (["nproc"], 2, 0, 1, True, None),
        ([], 2, 0, 1, False, "&&"),
        (["make", "-j$(( $(nproc) + 1 ))"], 3, 0, 1, False, "&&"),
        (["nproc"], 3, 0, 1, True, None),
    ]
    assert cmds[2].assignments == ["i=$((i+1))"]


def test_functions_and_loops() -> None:
    cmds = _clean(
        'RUN set -e; install_tool() { curl -fsSL "$1" | tar -xz -C /usr/local/bin; } \\\n'
        "    && function cleanup { rm -rf /tmp/*; } \\\n"
        '    && for t in a b; do install_tool "https://x/$t.tgz"; done \\\n'
        '    && while read -r f; do chmod 0755 "$f"; done < <(ls /usr/local/bin) \\\n'
        "    && until false; do break; done; cleanup\n"
    )
    assert _rows(cmds) == [
        (["set", "-e"], 2, 0, 1, False, None),
        (["curl", "-fsSL", "$1"], 2, 0, 2, False, ";"),
        (["tar", "-xz", "-C", "/usr/local/bin"], 2, 1, 2, False, None),
        (["rm", "-rf", "/tmp/*"], 3, 0, 1, False, "&&"),
        (["install_tool", "https://x/$t.tgz"], 4, 0, 1, False, "&&"),
        (["read", "-r", "f"], 5, 0, 1, False, "&&"),
        (["chmod", "0755", "$f"], 5, 0, 1, False, None),
        (["ls", "/usr/local/bin"], 5, 0, 1, True, None),
        (["false"], 6, 0, 1, False, "&&"),
        (["break"], 6, 0, 1, False, None),
        (["cleanup"], 6, 0, 1, False, ";"),
    ]


def test_if_elif_else_groups_and_subshells() -> None:
    cmds = _clean(
        "RUN if [ -f /a ]; then rm /a; elif [[ -d /b ]]; then rm -r /b; else touch /c; fi \\\n"
        "    && { echo a; echo b; } > /f && (cd /src && make) | tee /log && ! grep -q x /y\n"
    )
    assert _rows(cmds) == [
        (["[", "-f", "/a", "]"], 2, 0, 1, False, None),
        (["rm", "/a"], 2, 0, 1, False, None),
        (["[[", "-d", "/b", "]]"], 2, 0, 1, False, None),
        (["rm", "-r", "/b"], 2, 0, 1, False, None),
        (["touch", "/c"], 2, 0, 1, False, None),
        (["echo", "a"], 3, 0, 1, False, "&&"),
        (["echo", "b"], 3, 0, 1, False, ";"),
        (["cd", "/src"], 3, 0, 2, True, "&&"),
        (["make"], 3, 0, 1, True, "&&"),
        (["tee", "/log"], 3, 1, 2, False, None),
        (["grep", "-q", "x", "/y"], 3, 0, 1, False, "&&"),
    ]
    assert cmds[7].piped_into is cmds[9]


def test_nested_substitutions() -> None:
    cmds = _clean(
        'RUN v="$(curl -s "$(cat /url)" | sh)" \\\n'
        "    && echo `id -u` `id -g` ${TOKEN:-$(cat /run/secrets/t)} <(wget -qO- x) \\\n"
        '    && cp "$(which a)" /x/`which b`\n'
    )
    assert _rows(cmds) == [
        ([], 2, 0, 1, False, None),
        (["curl", "-s", "$(cat /url)"], 2, 0, 2, True, None),
        (["cat", "/url"], 2, 0, 1, True, None),
        (["sh"], 2, 1, 2, True, None),
        (["echo", "`id -u`", "`id -g`", "${TOKEN:-$(cat /run/secrets/t)}", "<(wget -qO- x)"],
         3, 0, 1, False, "&&"),
        (["id", "-u"], 3, 0, 1, True, None),
        (["id", "-g"], 3, 0, 1, True, None),
        (["cat", "/run/secrets/t"], 3, 0, 1, True, None),
        (["wget", "-qO-", "x"], 3, 0, 1, True, None),
        (["cp", "$(which a)", "/x/`which b`"], 4, 0, 1, False, "&&"),
        (["which", "a"], 4, 0, 1, True, None),
        (["which", "b"], 4, 0, 1, True, None),
    ]  # fmt: skip
    assert cmds[0].assignments == ['v=$(curl -s "$(cat /url)" | sh)']


def test_words_quotes_and_escapes() -> None:
    cmds = _clean(
        'RUN echo \'a b\' "c $HOME \\"d\\" \\n" e\\ f \\$g "$(echo "x y")" $\'h\' pre"fix"\'ed\'\n'
    )
    assert cmds[0].argv == [
        "echo", "a b", 'c $HOME "d" \\n', "e f", "$g", '$(echo "x y")', "h", "prefixed",
    ]  # fmt: skip
    assert cmds[1].argv == ["echo", "x y"]


def test_heredocs_in_the_shell_form() -> None:
    df = parse_dockerfile(
        "FROM debian\n"
        "RUN cat <<EOF | sh && bash <<-'SCRIPT' && cat <<A <<B > /f\n"
        "curl x | sh\n"
        "EOF\n"
        "\tapt-get install -y git\n"
        "\tSCRIPT\n"
        "a $(not run)\n"
        "A\n"
        "b\n"
        "B\n"
    )
    run = df.stages[0].instructions[-1]
    assert [(c.argv, c.line, c.source, c.pipeline_position) for c in commands(run)] == [
        (["cat"], 2, "shell", 0),
        (["sh"], 2, "shell", 1),
        (["bash"], 2, "shell", 0),
        (["apt-get", "install", "-y", "git"], 5, "heredoc", 0),  # bash reads it
        (["cat"], 2, "shell", 0),
    ]
    assert analyse(run).fallbacks == []


def test_heredocs_inside_a_heredoc_script() -> None:
    run = _run(
        "RUN <<EOF\n"
        "set -e\n"
        "cat > /etc/app.conf <<'CONF' && chmod 0644 /etc/app.conf\n"
        "key = $(not a command)\n"
        "CONF\n"
        "python3 - <<PY | tee /log\n"
        "print('x')\n"
        "PY\n"
        "sh -e <<SH\n"
        "curl -fsSL https://x | sh\n"
        "SH\n"
        'echo "<<NOT" done\n'
        "EOF\n"
    )
    result = analyse(run)
    assert result.fallbacks == []
    assert [(c.argv, c.line, c.source, c.pipeline_position) for c in result.commands] == [
        (["set", "-e"], 3, "heredoc", 0),
        (["cat"], 4, "heredoc", 0),
        (["chmod", "0644", "/etc/app.conf"], 4, "heredoc", 0),
        (["python3", "-"], 7, "heredoc", 0),
        (["tee", "/log"], 7, "heredoc", 1),
        (["sh", "-e"], 10, "heredoc", 0),
        (["curl", "-fsSL", "https://x"], 11, "heredoc", 0),  # the shell reads its here-doc
        (["sh"], 11, "heredoc", 1),
        (["echo", "<<NOT", "done"], 13, "heredoc", 0),
    ]


def test_redirection_after_a_list_belongs_to_its_last_command() -> None:
    # the grammar hangs `2>/dev/null` on `apt-get update && curl x`, and pipes that list
    cmds = _clean("RUN apt-get update && curl -fsSL x 2>/dev/null | sh > /log 2>&1 || true\n")
    assert _rows(cmds) == [
        (["apt-get", "update"], 2, 0, 1, False, None),
        (["curl", "-fsSL", "x"], 2, 0, 2, False, "&&"),
        (["sh"], 2, 1, 2, False, None),
        (["true"], 2, 0, 1, False, "||"),
    ]
    assert cmds[1].piped_into is cmds[2]
    assert cmds[0].piped_into is None


def test_words_after_a_redirection_are_the_commands() -> None:
    # the grammar takes every word after `>` for its target
    cmds = _clean("RUN 2>/dev/null curl -fsSL x > /tmp/i.sh -o /dev/null && >/f A=1 sh /tmp/i.sh\n")
    assert [(c.argv, c.assignments) for c in cmds] == [
        (["curl", "-fsSL", "x", "-o", "/dev/null"], []),
        (["sh", "/tmp/i.sh"], ["A=1"]),
    ]
    assert [(c.argv, c.assignments) for c in _clean("RUN > /etc/motd\n")] == [([], [])]


def test_sh_c_scripts_use_the_same_parser() -> None:
    cmds = commands(_run("RUN sh -c 'case $x in y) curl -s x | bash ;; esac'\n"))
    assert [(c.argv, c.via_sh_c, c.pipeline_position) for c in cmds] == [
        (["sh", "-c", "case $x in y) curl -s x | bash ;; esac"], False, 0),
        (["curl", "-s", "x"], True, 0),
        (["bash"], True, 1),
    ]


def test_lines_with_non_ascii_text_and_crlf() -> None:
    df = parse_dockerfile(
        "FROM debian\r\nRUN echo 'héllo wörld ✓' && \\\r\n    curl -fsSL x | sh\r\n"
    )
    cmds = commands(df.stages[0].instructions[-1])
    assert [(c.argv, c.line) for c in cmds] == [
        (["echo", "héllo wörld ✓"], 2),
        (["curl", "-fsSL", "x"], 3),
        (["sh"], 3),
    ]


def test_long_lists_and_deep_nesting() -> None:
    many = " && ".join(f"echo {i}" for i in range(2000))
    cmds = _clean(f"RUN {many}\n")
    assert len(cmds) == 2000
    assert cmds[-1].argv == ["echo", "1999"]
    assert cmds[-1].connector == "&&"
    deep = "$(" * (MAX_DEPTH + 50) + "id" + ")" * (MAX_DEPTH + 50)
    result = analyse(_run(f"RUN echo {deep}\n"))
    assert result.commands[0].argv[0] == "echo"
    assert any("deeper" in f.reason for f in result.fallbacks)
