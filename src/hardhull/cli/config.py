"""Project configuration: ``.hardhull.yaml`` or ``[tool.hardhull]`` in pyproject.toml.

Keys use the CLI flag names (``fail-on``, ``policy``, ``exclude``, ``pss-level``, …) plus
``disable`` (rule codes switched off) and ``severity`` (code → severity overrides).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from hardhull.model import Severity

CONFIG_NAMES = (".hardhull.yaml", ".hardhull.yml")
KEYS = {
    "fail-on", "exclude", "pss-level", "pss-version", "disable", "severity",
    "max-file-size", "baseline", "format", "as-of", "select", "policy",
}  # fmt: skip


#: the values a key may take (the choices of its CLI flag)
CHOICES = {
    "fail-on": ("info", "low", "medium", "high", "critical", "never"),
    "format": ("text", "json", "sarif", "junit"),
    "pss-level": ("privileged", "baseline", "restricted"),
}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: str = ""
    fail_on: str | None = None
    exclude: list[str] = field(default_factory=list)
    pss_level: str | None = None
    pss_version: str | None = None
    disable: set[str] = field(default_factory=set)
    severity: dict[str, Severity] = field(default_factory=dict)
    max_file_size: int | None = None
    baseline: str | None = None
    format: str | None = None
    as_of: date | None = None
    select: list[str] = field(default_factory=list)
    #: the admission policy file the scan gates on (``--policy``)
    policy: str | None = None


def _from_mapping(data: Any, path: str) -> Config:
    if data is None:
        return Config(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"known: {', '.join(sorted(KEYS))}"
        )
    cfg = Config(path)

    def strlist(key: str) -> list[str]:
        v = data.get(key, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{path}: '{key}' must be a list of strings")
        return list(v)

    cfg.exclude = strlist("exclude")
    cfg.disable = {c.upper() for c in strlist("disable")}
    cfg.select = [c.upper() for c in strlist("select")]
    as_of = data.get("as-of")
    if as_of is not None:
        if isinstance(as_of, str):
            try:
                as_of = date.fromisoformat(as_of)
            except ValueError:
                raise ConfigError(f"{path}: 'as-of' must be a date (YYYY-MM-DD)") from None
        if not isinstance(as_of, date):
            raise ConfigError(f"{path}: 'as-of' must be a date (YYYY-MM-DD)")
        cfg.as_of = as_of
    for key in ("fail-on", "pss-level", "pss-version", "baseline", "format", "policy"):
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise ConfigError(f"{path}: '{key}' must be a string")
        choices = CHOICES.get(key)
        if v is not None and choices is not None and v not in choices:
            raise ConfigError(f"{path}: '{key}' must be one of {', '.join(choices)}, not {v!r}")
        setattr(cfg, key.replace("-", "_"), v)
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{path}: 'severity' must map rule codes to severities")
    for code, s in sev.items():
        try:
            cfg.severity[str(code).upper()] = Severity.parse(str(s))
        except ValueError as exc:
            raise ConfigError(f"{path}: severity of {code}: {exc}") from None
    mfs = data.get("max-file-size")
    if mfs is not None:
        if not isinstance(mfs, int) or isinstance(mfs, bool) or mfs <= 0:
            raise ConfigError(f"{path}: 'max-file-size' must be a positive number of bytes")
        cfg.max_file_size = mfs
    return cfg


def load_config(explicit: str | None = None, cwd: str = ".") -> Config:
    """Load ``explicit`` or the first configuration found in ``cwd``; empty Config if none."""
    if explicit:
        return _load_file(explicit)
    for name in CONFIG_NAMES:
        p = os.path.join(cwd, name)
        if os.path.isfile(p):
            return _load_file(p)
    p = os.path.join(cwd, "pyproject.toml")
    if os.path.isfile(p):
        try:
            with open(p, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{p}: {exc}") from None
        tool = data.get("tool", {}).get("hardhull")
        if tool is not None:
            return _from_mapping(tool, p + " [tool.hardhull]")
    return Config()


def _load_file(path: str) -> Config:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {exc.start}): save it as UTF-8") from None
    if path.endswith(".toml"):
        try:
            data: Any = tomllib.loads(text).get("tool", {}).get("hardhull")
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        return _from_mapping(data, path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise ConfigError(
            f"{path}{where}: invalid YAML" + (f": {problem}" if problem else "")
        ) from None
    except ValueError as exc:  # a scalar YAML cannot build, e.g. the date 2026-13-01
        raise ConfigError(f"{path}: invalid value: {exc}") from None
    return _from_mapping(data, path)
