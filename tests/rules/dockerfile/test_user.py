"""The Dockerfile rules of ``hardhull/rules/dockerfile/user.py``:
D004, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.dockerfile import found


def test_d004_no_user(tmp_path: Path) -> None:
    text = """
    FROM golang:1.25 AS build
    USER nobody
    FROM debian:trixie-slim
    COPY --from=build /x /x
    """
    assert found(tmp_path, text, "D004") == [
        (
            "D004",
            3,
            1,
            "final stage 1 sets no USER: the container runs as the base image's user (root for "
            "almost all images) (the USER of stage 'build' does not carry over)",
            "medium",
        )
    ]


def test_d004_explicit_root(tmp_path: Path) -> None:
    text = "FROM debian:trixie-slim\nUSER app\nRUN true\nUSER 0:0\n"
    assert found(tmp_path, text, "D004") == [
        ("D004", 4, 1, "the image runs as root: last USER is 0:0", "high")
    ]


def test_d004_scratch_runs_as_root(tmp_path: Path) -> None:
    assert found(tmp_path, "FROM scratch\nCOPY app /app\n", "D004") == [
        (
            "D004",
            1,
            1,
            "final stage 0 sets no USER: the container runs as the base image's user (root for "
            "almost all images)",
            "medium",
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a stage built FROM an earlier stage inherits its USER
        "FROM debian:trixie-slim AS base\nUSER app\nFROM base\nCOPY x /x\n",
        # USER from a build argument with a default
        "FROM debian:trixie-slim\nARG UID=10001\nUSER ${UID}\n",
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n",
        "FROM cgr.dev/chainguard/static:latest\nCOPY app /app\n",
        "FROM bitnami/nginx:1.27\n",
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
        "FROM debian:trixie-slim\nUSER root\nRUN apt-get update\nUSER 10001:10001\n",
    ],
)
def test_d004_negative(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text, "D004") == []
