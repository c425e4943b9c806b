"""The Dockerfile rules of ``hardhull/rules/dockerfile/image_surface.py``:
D019, D020, D021, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.dockerfile import found


def test_d019_expose(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    EXPOSE 22
    FROM docker:27-dind
    EXPOSE 2375 2376/tcp 8080 20-25 22/udp
    """
    assert found(tmp_path, text, "D019") == [
        ("D019", 4, 8, "EXPOSE 2375 publishes the Docker API without TLS (port 2375)", "high"),
        ("D019", 4, 13, "EXPOSE 2376/tcp publishes the Docker API (port 2376)", "medium"),
        ("D019", 4, 27, "EXPOSE 20-25 publishes SSH (port 22)", "medium"),
        ("D019", 4, 33, "EXPOSE 22/udp publishes SSH (port 22)", "medium"),
    ]


def test_d020_missing_healthcheck(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS base
    HEALTHCHECK CMD ["true"]
    FROM debian:trixie-slim
    CMD ["x"]
    """
    assert found(tmp_path, text, "D020") == [
        ("D020", 3, 1, "final stage 1 has no HEALTHCHECK", "low")
    ]


@pytest.mark.parametrize(
    "text",
    [
        'FROM debian:trixie-slim AS base\nHEALTHCHECK CMD ["true"]\nFROM base\n',
        "FROM debian:trixie-slim\nHEALTHCHECK NONE\n",
        'FROM debian:trixie-slim\n# liveness and readiness are Kubernetes probes\nCMD ["x"]\n',
        'FROM debian:trixie-slim\nLABEL io.k8s.description="worker"\n',
        "FROM scratch\nCOPY app /app\n",
        "FROM gcr.io/distroless/static-debian12:nonroot\n",
        'FROM debian:trixie-slim\nLABEL hardhull.dev/ignore="D020: probed by Kubernetes"\n',
    ],
)
def test_d020_negative(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text, "D020") == []


def test_d021_build_tools_single_stage(tmp_path: Path) -> None:
    text = """
    FROM golang:1.25-trixie
    RUN apt-get update && apt-get install -y --no-install-recommends gcc=4 make=4 \\
     && rm -rf /var/lib/apt/lists/*
    RUN go build -o /app .
    """
    assert found(tmp_path, text, "D021") == [
        (
            "D021",
            1,
            6,
            "the image is built on toolchain image golang:1.25-trixie and ships it: use a "
            "multi-stage build",
            "low",
        ),
        (
            "D021",
            2,
            66,
            "build tools stay in the final image (gcc=4, make=4): use a multi-stage build",
            "low",
        ),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # build dependencies removed in the same stage
        "FROM alpine:3.22\nRUN apk add --no-cache --virtual .build-deps gcc=1 make=2 && make "
        "&& apk del .build-deps\n",
        "FROM debian:trixie-slim\nRUN apt-get install -y gcc=4 && make && apt-get purge -y gcc\n",
        # tools needed at run time: nothing is compiled
        'FROM debian:trixie-slim\nRUN apt-get install -y git=1 clang=19\nENTRYPOINT ["git"]\n',
        # multi-stage: the builder keeps its tools
        "FROM golang:1.25 AS b\nRUN go build -o /app\nFROM debian:trixie-slim\nRUN "
        "apt-get install -y git=1 && make\n",
    ],
)
def test_d021_negative(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text, "D021") == []
