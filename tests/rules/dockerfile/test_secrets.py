"""The Dockerfile rules of ``hardhull/rules/dockerfile/secrets.py``:
D005, D006, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found

GH_TOKEN = "ghp_R8x2Lq9ZkT4vB7nW1cY5mP3sD6fH0jA2gE8u"


def test_d005_literal_secrets(tmp_path: Path) -> None:
    text = f"""
    ARG GITHUB_TOKEN={GH_TOKEN}
    FROM python:3.13-slim
    ENV DB_PASSWORD=hunter2hunter2Xq9 DATABASE_URL=postgres://app:Xk29fLq0aZ@db/app
    ARG DEPLOY_KEY={GH_TOKEN}
    """
    assert found(tmp_path, text, "D005") == [
        (
            "D005",
            1,
            5,
            "ARG GITHUB_TOKEN holds a credential: GitHub token (ghp_…(40 chars))",
            "high",
        ),
        (
            "D005",
            3,
            5,
            "ENV DB_PASSWORD holds a credential: literal value in a credential-named field "
            "(hu…(17 chars))",
            "medium",
        ),
        (
            "D005",
            3,
            35,
            "ENV DATABASE_URL holds a credential: URL with an embedded password (post…(25 chars))",
            "high",
        ),
        (
            "D005",
            4,
            5,
            "ARG DEPLOY_KEY holds a credential: GitHub token (ghp_…(40 chars))",
            "high",
        ),
    ]


def test_d005_build_arguments(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim
    ARG NPM_TOKEN
    ARG TOKEN
    ARG VERSION=1
    ENV NPM_TOKEN=$NPM_TOKEN SECRET_KEY=${SECRET_KEY} API_TOKEN=$TOKEN APP_VERSION=$VERSION
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    """
    assert found(tmp_path, text, "D005") == [
        (
            "D005",
            5,
            5,
            "ENV NPM_TOKEN stores build argument $NPM_TOKEN in the image configuration",
            "high",
        ),
        (
            "D005",
            5,
            51,
            "ENV API_TOKEN stores build argument $TOKEN in the image configuration",
            "high",
        ),
        (
            "D005",
            6,
            1,
            "RUN uses credential build argument $NPM_TOKEN: its value is recorded in the image "
            "history",
            "medium",
        ),
    ]


def test_d005_negative(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim
    ARG NPM_TOKEN
    RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci
    ENV DB_PASSWORD_FILE=/run/secrets/db DB_PASSWORD=changeme API_KEY="" TOKEN_URL=https://x/t
    ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY NODE_VERSION=22.12.0
    """
    assert found(tmp_path, text, "D005") == []


def test_d006_secret_files(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    COPY .npmrc /root/.npmrc
    FROM debian:trixie-slim
    COPY id_ed25519 .env .env.example ca.pem server.key nodesource.gpg.key tls-key.pem /x/
    COPY id_rsa.pub kubeconfig config/.aws/credentials ["a", "b"] /y/
    """
    msg = "; use RUN --mount=type=secret"
    assert found(tmp_path, text, "D006") == [
        ("D006", 2, 6, f"COPY copies credential file .npmrc into build stage 'b'{msg}", "medium"),
        ("D006", 4, 6, f"COPY copies credential file id_ed25519 into the image{msg}", "high"),
        ("D006", 4, 17, f"COPY copies environment file .env into the image{msg}", "high"),
        ("D006", 4, 42, f"COPY copies private key server.key into the image{msg}", "high"),
        ("D006", 4, 72, f"COPY copies private key tls-key.pem into the image{msg}", "high"),
        ("D006", 5, 17, f"COPY copies credential file kubeconfig into the image{msg}", "high"),
        (
            "D006",
            5,
            28,
            f"COPY copies credential file .aws/credentials into the image{msg}",
            "high",
        ),
    ]


def test_d006_negative(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    COPY .env.sample certs/fullchain.pem repo-signing.key *.pem $KEY_FILE /x/
    COPY <<EOF /app/.env
    A=1
    EOF
    """
    assert found(tmp_path, text, "D006") == []
