"""Which front end reads a file: Kubernetes YAML/JSON, Dockerfile, compose file, daemon.json.

Decided by file name first (the names Docker and Compose themselves look for), then, for
YAML, by content inside the Kubernetes handler (a compose file under another name).
"""

from __future__ import annotations

import fnmatch
import os
import re

KUBERNETES = "kubernetes"
DOCKERFILE = "dockerfile"
COMPOSE = "compose"
DAEMON = "daemon"

_DOCKERFILE_GLOBS = (
    "dockerfile",
    "dockerfile.*",
    "dockerfile-*",
    "dockerfile_*",
    "*.dockerfile",
    "containerfile",
    "containerfile.*",
    "containerfile-*",
    "containerfile_*",
)
#: suffixes of files named like a Dockerfile that are something else (source code, editor
#: files, docs); the name alone does not make them Dockerfiles
_NOT_DOCKERFILE = (
    *(".yaml", ".yml", ".json", ".md", ".txt", ".sh", ".py", ".vim", ".el", ".go", ".rs"),
    *(".js", ".ts", ".rb", ".java", ".lua", ".toml", ".ini", ".cfg", ".bak", ".orig", ".swp"),
    *(".html", ".lock", ".ps1", ".bat", ".xml", ".diff", ".patch", ".rst", ".adoc", ".snap"),
)
#: template suffixes: a Dockerfile template is not a Dockerfile until rendered
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".in", ".erb")
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
    # not `Dockerfile.yaml`, `dockerfile.py`, `Dockerfile.j2` and the like
    if any(fnmatch.fnmatchcase(name, g) for g in _DOCKERFILE_GLOBS) and not name.endswith(
        (*_NOT_DOCKERFILE, *_TEMPLATE_SUFFIXES)
    ):
        return DOCKERFILE
    if any(fnmatch.fnmatchcase(name, g) for g in _COMPOSE_GLOBS):
        return COMPOSE
    if name == "daemon.json":
        return DAEMON
    if name.endswith(_YAML_EXTS):
        return KUBERNETES
    return None


def template_reason(path: str) -> str | None:
    """Why a file named like a Dockerfile template (``Dockerfile.j2``, ``Dockerfile.in``…)
    is skipped, or None."""
    name = os.path.basename(path).lower()
    stem, suffix = os.path.splitext(name)
    if suffix in _TEMPLATE_SUFFIXES and any(
        fnmatch.fnmatchcase(stem, g) for g in _DOCKERFILE_GLOBS
    ):
        return f"Dockerfile template ({suffix}): render it first, then scan the result"
    return None


def looks_like_dockerfile(text: str) -> bool:
    """Does the first instruction of ``text`` (after comments, blank lines and parser
    directives) start a Dockerfile (``FROM``, ``ARG``)?"""
    for raw in text.splitlines():
        line = raw.strip().lower()
        if not line:
            continue
        if line.startswith(_DOCKERFILE_START):
            return True
        if line.startswith("#"):
            continue
        return False
    return False


def kind_of_named(path: str) -> str:
    """The front end for a file the user named explicitly (or stdin): YAML unless recognised."""
    return kind_of(path) or KUBERNETES


_DOCKERFILE_START = ("from ", "from\t", "arg ", "arg\t", "# syntax=", "#syntax=", "# escape=")


def input_kind(path: str, text: str) -> str:
    """The front end for one input; standard input is recognised by its content."""
    if path != "<stdin>":
        kind = kind_of_named(path)
        exact = os.path.basename(path).lower() in ("dockerfile", "containerfile")
        if kind == DOCKERFILE and not exact and not looks_like_dockerfile(text):
            # `prod.Dockerfile` holding Python: judged by content, like any other file
            return KUBERNETES
        return kind
    return DOCKERFILE if looks_like_dockerfile(text) else KUBERNETES


#: a mapping key at the start of a line (YAML, block or in a list item) or anywhere in JSON
_KEY = r"""(?:^[ \t]*(?:-[ \t]+)?["']?{0}["']?[ \t]*:|"{0}"[ \t\r\n]*:)"""
_API_VERSION = re.compile(_KEY.format("apiVersion"), re.MULTILINE)
_KIND = re.compile(_KEY.format("kind"), re.MULTILINE)
#: a compose file's top-level ``services:`` key (at the first column)
_SERVICES = re.compile(r"""^["']?services["']?[ \t]*:""", re.MULTILINE)
_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "kustomization"})


def evidently_ours(path: str, text: str) -> bool:
    """Is a YAML/JSON file that does not parse evidently meant for hardhull (so its syntax
    error is an input error), rather than some other YAML/JSON-like file (``tsconfig.json``
    with comments, an Ansible/Jinja ``vars.yml``) that is ignored?

    Evident are: a file whose name Docker, Compose or kustomize look for; text with both an
    ``apiVersion`` and a ``kind`` key (a Kubernetes manifest); text with a top-level
    ``services`` key (a compose file)."""
    name = os.path.basename(path).lower()
    if name in _KUSTOMIZATION_NAMES or kind_of(path) in (DOCKERFILE, COMPOSE, DAEMON):
        return True
    if _API_VERSION.search(text) is not None and _KIND.search(text) is not None:
        return True
    return _SERVICES.search(text) is not None
