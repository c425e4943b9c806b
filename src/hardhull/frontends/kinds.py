"""Which front end reads a file: Kubernetes YAML/JSON, Dockerfile, compose file, daemon.json.

Decided by file name first (the names Docker and Compose themselves look for), then, for
YAML, by content inside the Kubernetes handler (a compose file under another name).
"""

from __future__ import annotations

import fnmatch
import os

KUBERNETES = "kubernetes"
DOCKERFILE = "dockerfile"
COMPOSE = "compose"
DAEMON = "daemon"

_DOCKERFILE_GLOBS = (
    "dockerfile",
    "dockerfile.*",
    "*.dockerfile",
    "containerfile",
    "containerfile.*",
)
_COMPOSE_GLOBS = (
    "compose.yaml",
    "compose.yml",
    "compose.*.yaml",
    "compose.*.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
    "docker-compose.*.yaml",
    "docker-compose.*.yml",
    "docker-compose-*.yaml",
    "docker-compose-*.yml",
)
_YAML_EXTS = (".yaml", ".yml", ".json")


def kind_of(path: str) -> str | None:
    """The front end for a file found while walking a directory, or None to leave it."""
    name = os.path.basename(path).lower()
    # not `Dockerfile.yaml`, `Dockerfile.md` and the like
    if any(fnmatch.fnmatchcase(name, g) for g in _DOCKERFILE_GLOBS) and not name.endswith(
        (*_YAML_EXTS, ".md", ".txt", ".sh")
    ):
        return DOCKERFILE
    if any(fnmatch.fnmatchcase(name, g) for g in _COMPOSE_GLOBS):
        return COMPOSE
    if name == "daemon.json":
        return DAEMON
    if name.endswith(_YAML_EXTS):
        return KUBERNETES
    return None


def kind_of_named(path: str) -> str:
    """The front end for a file the user named explicitly (or stdin): YAML unless recognised."""
    return kind_of(path) or KUBERNETES


_DOCKERFILE_START = ("from ", "from\t", "arg ", "arg\t", "# syntax=", "#syntax=", "# escape=")


def input_kind(path: str, text: str) -> str:
    """The front end for one input; standard input is recognised by its content."""
    if path != "<stdin>":
        return kind_of_named(path)
    for raw in text.splitlines():
        line = raw.strip().lower()
        if not line:
            continue
        if line.startswith(_DOCKERFILE_START):
            return DOCKERFILE
        if line.startswith("#"):
            continue
        return KUBERNETES
    return KUBERNETES
