"""Pod Security Standards levels and policy versions (v1.0 … v1.LATEST, ``latest``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("privileged", "baseline", "restricted")
#: the newest policy version this release knows; ``latest`` evaluates as this
LATEST_MINOR = 37
_VERSION = re.compile(r"v?1\.(\d+)$")


class LevelError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class LevelVersion:
    level: str
    minor: int  # policy version v1.<minor>; LATEST_MINOR for "latest"

    @property
    def version(self) -> str:
        return f"v1.{self.minor}"

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"


def parse_version(text: str | None) -> int:
    if text is None or text == "" or text == "latest":
        return LATEST_MINOR
    m = _VERSION.match(text.strip())
    if not m:
        raise LevelError(f"invalid Pod Security version {text!r}: use v1.N or latest")
    minor = int(m.group(1))
    # upstream: versions newer than the evaluator evaluate as latest
    return min(minor, LATEST_MINOR)


def parse_level(text: str) -> str:
    t = text.strip().lower()
    if t not in LEVELS:
        raise LevelError(f"invalid Pod Security level {text!r}: use {', '.join(LEVELS)}")
    return t


def parse_level_version(level: str, version: str | None) -> LevelVersion:
    return LevelVersion(parse_level(level), parse_version(version))
