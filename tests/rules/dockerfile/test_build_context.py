"""The Dockerfile rules of ``hardhull/rules/dockerfile/build_context.py``:
D022, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found


def test_d022_context_without_dockerignore(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS build
    COPY . /src
    FROM debian:trixie-slim
    COPY --from=build /src/out /out
    COPY ./ /app
    """
    assert found(tmp_path, text, "D022", dockerignore=False) == [
        (
            "D022",
            5,
            6,
            "COPY ./ copies the whole build context and there is no .dockerignore",
            "medium",
        )
    ]
    assert found(tmp_path, text, "D022") == []


def test_d022_dockerfile_specific_ignore_file(tmp_path: Path) -> None:
    (tmp_path / "prod.Dockerfile.dockerignore").write_text(".git\n")
    text = "FROM debian:trixie-slim\nCOPY . /app\n"
    assert found(tmp_path, text, "D022", dockerignore=False, name="prod.Dockerfile") == []
