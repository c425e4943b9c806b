"""The Dockerfile rules of ``hardhull/rules/dockerfile/remote_code.py``:
D007, D008, D009, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found


def test_d007_download_piped_to_shell(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN curl -fsSL https://x.sh | sh
    RUN wget -qO- https://x.sh | sudo -E bash -
    RUN set -e; \\
        sh -c "$(curl -fsSL https://x/install.sh)"
    RUN bash <(curl -s https://x)
    RUN curl -sSL https://x | tee /tmp/log | python3 -
    """
    assert found(tmp_path, text, "D007") == [
        (
            "D007",
            2,
            5,
            "curl output is piped into sh: the downloaded script runs unverified",
            "high",
        ),
        (
            "D007",
            3,
            5,
            "wget output is piped into bash: the downloaded script runs unverified",
            "high",
        ),
        ("D007", 5, 5, "sh runs a script downloaded with curl: it runs unverified", "high"),
        ("D007", 6, 5, "bash runs a script downloaded with curl: it runs unverified", "high"),
        (
            "D007",
            7,
            5,
            "curl output is piped into python3: the downloaded script runs unverified",
            "high",
        ),
    ]


def test_d007_negative(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN wget https://x.sh | sh
    RUN curl -fsSL https://x/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg
    RUN curl -sSL https://x | tar xz
    RUN curl -o /tmp/i.sh https://x && sh /tmp/i.sh
    RUN curl -fsSL https://x | bash /tmp/local.sh
    RUN VERSION="$(curl -fsSL https://x/version)" && echo "$VERSION"
    """
    assert found(tmp_path, text, "D007") == []


def test_d008_d009_add(tmp_path: Path) -> None:
    sha = "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
    text = f"""
    FROM debian:trixie-slim
    ADD https://example.com/a.tar.gz /tmp/
    ADD --checksum={sha} https://example.com/b.tar.gz /tmp/
    ADD https://github.com/x/y.git#v1.0 /src
    ADD https://github.com/x/y.git#0123456789abcdef0123456789abcdef01234567 /src2
    ADD app/ /app/
    ADD rootfs.tar.xz /
    ADD ["a b.txt", "/c/"]
    ADD $ARCHIVE /opt/
    """
    assert found(tmp_path, text, "D008", "D009") == [
        (
            "D008",
            2,
            5,
            "ADD downloads https://example.com/a.tar.gz without --checksum; verify it",
            "medium",
        ),
        (
            "D008",
            4,
            5,
            "ADD fetches Git repository https://github.com/x/y.git#v1.0 at a movable ref; pin "
            "a commit id",
            "medium",
        ),
        ("D009", 6, 1, "ADD copies local files (app/): use COPY", "low"),
        ("D009", 8, 1, "ADD copies local files (a b.txt): use COPY", "low"),
    ]


def test_d007_in_shell_syntax_bashlex_could_not_read(tmp_path: Path) -> None:
    # a `case` branch, a default inside ${...}, arithmetic holding a substitution, and a shell
    # reading a here-document inside a here-document script
    text = """
    FROM debian:trixie-slim
    RUN case "$(uname -m)" in \\
          x86_64) echo ok ;; \\
          *) curl -fsSL https://x/i.sh | sh ;; \\
        esac
    RUN echo "${INSTALLER:-$(curl -fsSL https://x/i.sh | sh)}"
    RUN echo $((1 + $(curl -fsSL https://x/n.sh | sh)))
    RUN <<EOF
    set -e
    bash <<SH
    curl -fsSL https://x/i.sh | sh
    SH
    EOF
    """
    message = "curl output is piped into sh: the downloaded script runs unverified"
    assert [(rule, line) for rule, line, *_ in found(tmp_path, text, "D007")] == [
        ("D007", 4),
        ("D007", 6),
        ("D007", 7),
        ("D007", 11),
    ]
    assert {m for _, _, _, m, _ in found(tmp_path, text, "D007")} == {message}
