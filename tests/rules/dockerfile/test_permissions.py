"""The Dockerfile rules of ``hardhull/rules/dockerfile/permissions.py``:
D010, D011, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found


def test_d010_sudo(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    RUN sudo apt-get update && sudo apt-get install -y x
    FROM debian:trixie-slim
    RUN su -c "sudo make install" && apt-get install -y sudo
    """
    assert found(tmp_path, text, "D010") == [
        ("D010", 2, 5, "RUN uses sudo: switch USER instead", "medium"),
        ("D010", 4, 12, "RUN uses sudo: switch USER instead", "medium"),
        (
            "D010",
            4,
            53,
            "installs sudo into the final image: a setuid-root program that lets the "
            "container's user regain root; remove it",
            "low",
        ),
    ]


def test_d010_negative(tmp_path: Path) -> None:
    # the sudo package in a build stage stays out of the image; "sudo" as a word is data
    text = (
        "FROM debian:trixie-slim AS build\nRUN apt-get install -y sudo\n"
        "FROM debian:trixie-slim\nRUN echo sudo > /x && apt-get install -y sudoku\n"
    )
    assert found(tmp_path, text, "D010") == []


def test_d011_world_writable(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    RUN chmod 777 /build
    FROM debian:trixie-slim
    RUN chmod 777 /app && chmod 1777 /tmp && chmod -R a+w /data && chmod g=u /etc/passwd \\
     && chmod 0644 x && chmod o+rwx y && chmod u+w z && chmod 2777 /shared
    COPY --chmod=666 a /a
    COPY --chmod=755 b /b
    """
    assert found(tmp_path, text, "D011") == [
        ("D011", 4, 11, "chmod 777 makes /app world-writable", "medium"),
        ("D011", 4, 51, "chmod a+w makes /data world-writable", "medium"),
        ("D011", 5, 27, "chmod o+rwx makes y world-writable", "medium"),
        ("D011", 5, 59, "chmod 2777 makes /shared world-writable", "medium"),
        ("D011", 6, 1, "COPY --chmod=666 makes files world-writable", "medium"),
    ]
