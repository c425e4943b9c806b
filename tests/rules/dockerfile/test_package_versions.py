"""The Dockerfile rules of ``hardhull/rules/dockerfile/package_versions.py``:
D017, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found


def test_d017_npm_install_with_lockfile(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim AS deps
    COPY package.json package-lock.json ./
    RUN npm install
    RUN npm install -g pnpm@9.1.0 && npm i --omit=dev && npm ci && npm install left-pad@1.3.0
    FROM node:22-bookworm-slim
    COPY package.json ./
    RUN npm install
    """
    assert found(tmp_path, text, "D017") == [
        ("D017", 3, 5, "npm install with a lockfile: use npm ci", "low"),
        ("D017", 4, 34, "npm i with a lockfile: use npm ci", "low"),
    ]
