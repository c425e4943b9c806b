"""Dockerfiles: an exact parser with BuildKit's semantics and shell analysis of ``RUN``."""

from __future__ import annotations

from hardhull.formats.dockerfile.model import (
    Dockerfile,
    DockerfileError,
    Heredoc,
    Instruction,
    Mount,
    Stage,
)
from hardhull.formats.dockerfile.parser import parse_dockerfile, parse_heredoc_marker, parse_mount
from hardhull.formats.dockerfile.variables import Expansion, expand, global_arg_values, variables_at

__all__ = [
    "Dockerfile",
    "DockerfileError",
    "Expansion",
    "Heredoc",
    "Instruction",
    "Mount",
    "Stage",
    "expand",
    "global_arg_values",
    "parse_dockerfile",
    "parse_heredoc_marker",
    "parse_mount",
    "variables_at",
]
