"""Project configuration: ``.hardhull.yaml`` or ``[tool.hardhull]`` in pyproject.toml, the
nearest one from the working directory up to the repository root (:func:`find_config`).

Keys use the CLI flag names (``fail-on``, ``policy``, ``exclude``, ``pss-level``, …) plus
``disable`` (rule codes switched off), ``severity`` (code → severity overrides) and
``ignore-vulnerabilities`` (advisories an image or SBOM scan leaves out, each with a reason and
optionally an expiry date and a package: :class:`VulnIgnore`).
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
    "ignore-vulnerabilities", "ignore-unfixed", "db",
}  # fmt: skip


#: the values a key may take (the choices of its CLI flag)
CHOICES = {
    "fail-on": ("info", "low", "medium", "high", "critical", "never"),
    "format": ("text", "json", "sarif", "junit"),
    "pss-level": ("privileged", "baseline", "restricted"),
}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class VulnIgnore:
    """An advisory left out of image and SBOM scans: by its ID or any alias (``CVE-…``,
    ``GHSA-…``), for every package or one (``package``: its name), until ``expires`` (the
    entry stops applying after that day and a warning says so)."""

    id: str
    reason: str
    package: str = ""
    expires: date | None = None

    def applies(self, ids: set[str], package: str, today: date) -> bool:
        if self.id.upper() not in ids:
            return False
        if self.package and self.package.lower() != package.lower():
            return False
        return self.expires is None or today <= self.expires


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
    #: image and SBOM scans: advisories left out, advisories without a fix left out, the
    #: advisory database
    ignore_vulnerabilities: list[VulnIgnore] = field(default_factory=list)
    ignore_unfixed: bool = False
    db: str | None = None

    #: the YAML text the configuration was read from, to say on which line a value is
    text: str = field(default="", repr=False)

    def where(self, key: str, code: str) -> str:
        """``FILE:LINE`` of the entry of ``key`` that names ``code`` (``FILE`` alone when
        the line is not known: TOML, or a value written another way)."""
        if not self.text:
            return self.path
        # start-up time: the positions are read only when a warning needs one
        from hardhull.formats.yamlpos import YamlError, load_all

        try:
            docs = load_all(self.text)
        except YamlError:
            return self.path
        if not docs or not isinstance(docs[0].data, dict):
            return self.path
        value = docs[0].data.get(key)
        pointer = ""
        if isinstance(value, list):
            pointer = next(
                (f"/{key}/{i}" for i, v in enumerate(value) if str(v).upper() == code), ""
            )
        elif isinstance(value, dict):
            pointer = next((f"/{key}/{k}" for k in value if str(k).upper() == code), "")
        elif isinstance(value, str) and value.upper() == code:
            pointer = f"/{key}"
        line = docs[0].positions.get(pointer, (0, 0))[0] if pointer else 0
        return f"{self.path}:{line}" if line else self.path


def _from_mapping(data: Any, path: str) -> Config:
    if data is None:
        return Config(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    unknown = set(data) - KEYS
    if unknown:
        hint = ""
        if any(str(k).startswith("verify-images") for k in unknown):
            # the scan verifies no signature: the webhook's policy file holds these
            hint = (
                "; verify-images belongs in the admission policy file (the file `policy:` "
                "names), which the webhook verifies images with"
            )
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"known: {', '.join(sorted(KEYS))}{hint}"
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
    cfg.ignore_vulnerabilities = _vuln_ignores(data.get("ignore-vulnerabilities"), path)
    unfixed = data.get("ignore-unfixed", False)
    if not isinstance(unfixed, bool):
        raise ConfigError(f"{path}: 'ignore-unfixed' must be true or false")
    cfg.ignore_unfixed = unfixed
    db = data.get("db")
    if db is not None and not isinstance(db, str):
        raise ConfigError(f"{path}: 'db' must be a path")
    cfg.db = db
    mfs = data.get("max-file-size")
    if mfs is not None:
        if not isinstance(mfs, int) or isinstance(mfs, bool) or mfs <= 0:
            raise ConfigError(f"{path}: 'max-file-size' must be a positive number of bytes")
        cfg.max_file_size = mfs
    return cfg


def _vuln_ignores(value: Any, path: str) -> list[VulnIgnore]:
    """The ``ignore-vulnerabilities`` entries: ``{id, reason, package?, expires?}`` each."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{path}: 'ignore-vulnerabilities' must be a list of entries")
    out = []
    for i, item in enumerate(value):
        where = f"{path}: 'ignore-vulnerabilities' entry {i + 1}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a mapping with 'id' and 'reason'")
        unknown = sorted(str(k) for k in item if k not in ("id", "reason", "package", "expires"))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        vid, reason = item.get("id"), item.get("reason")
        if not isinstance(vid, str) or not vid.strip():
            raise ConfigError(f"{where} needs an 'id' (an advisory ID or alias)")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where} ({vid}) needs a 'reason'")
        package = item.get("package", "")
        if not isinstance(package, str):
            raise ConfigError(f"{where} ({vid}): 'package' must be a package name")
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(
                    f"{where} ({vid}): 'expires' must be a date (YYYY-MM-DD)"
                ) from None
        if expires is not None and not isinstance(expires, date):
            raise ConfigError(f"{where} ({vid}): 'expires' must be a date (YYYY-MM-DD)")
        out.append(VulnIgnore(vid.strip(), reason.strip(), package.strip(), expires))
    return out


def load_config(explicit: str | None = None, cwd: str = ".") -> Config:
    """Load ``explicit`` or the configuration :func:`find_config` finds; empty Config if none
    (:func:`discover` also gives the warnings of the search)."""
    return discover(explicit, cwd)[0]


def discover(explicit: str | None = None, cwd: str = ".") -> tuple[Config, list[str]]:
    """The configuration (``explicit``, else the nearest one found from ``cwd`` up) and the
    warnings of the search."""
    if explicit:
        return _relative_to_file(_load_file(explicit), explicit), []
    found, warnings = find_config(cwd)
    if found is None:
        return Config(), warnings
    if found.endswith(_TOOL):
        p = found[: -len(_TOOL)]
        return _relative_to_file(_from_mapping(_pyproject_tool(p), found), p), warnings
    return _relative_to_file(_load_file(found), found), warnings


_TOOL = " [tool.hardhull]"


def find_config(cwd: str = ".") -> tuple[str | None, list[str]]:
    """The configuration that applies in ``cwd``, and warnings about the ones passed over.

    Searched from ``cwd`` up to the repository root (the nearest directory holding ``.git``)
    or, outside a repository, the filesystem root; the nearest directory with one wins. In
    one directory ``.hardhull.yaml`` wins over ``.hardhull.yml``, and both over a
    ``pyproject.toml`` with a ``[tool.hardhull]`` table (one without is no configuration);
    the ones passed over in that directory are named in a warning. A pyproject.toml
    ``[tool.hardhull]`` is given as ``PATH [tool.hardhull]``. Paths are relative to ``cwd``
    (``./.hardhull.yaml``, ``../.hardhull.yaml``) unless ``cwd`` is absolute."""
    here = os.path.abspath(cwd)
    d = here
    while True:
        candidates = [n for n in CONFIG_NAMES if os.path.isfile(os.path.join(d, n))]
        pyproject = os.path.join(d, "pyproject.toml")
        if os.path.isfile(pyproject) and _pyproject_tool(_shown(pyproject, here, cwd)) is not None:
            candidates.append("pyproject.toml" + _TOOL)
        if candidates:
            shown = [_shown(os.path.join(d, n), here, cwd) for n in candidates]
            warnings = [
                f"{other} is ignored: {shown[0]} in the same directory configures hardhull "
                "(.hardhull.yaml wins over .hardhull.yml, both over pyproject.toml)"
                for other in shown[1:]
            ]
            return shown[0], warnings
        parent = os.path.dirname(d)
        if os.path.exists(os.path.join(d, ".git")) or parent == d:
            return None, []
        d = parent


def _shown(path: str, here: str, cwd: str) -> str:
    """``path`` as the user would write it from ``cwd``."""
    if os.path.isabs(cwd):
        return path
    rel = os.path.relpath(path, here)
    return rel if rel.startswith("..") else os.path.join(cwd, rel)


def _pyproject_tool(path: str) -> Any:
    """The ``[tool.hardhull]`` table of a pyproject.toml (None: there is none)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return data.get("tool", {}).get("hardhull")


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
    cfg = _from_mapping(data, path)
    cfg.text = text
    return cfg


def _relative_to_file(cfg: Config, path: str) -> Config:
    """A baseline path in a configuration file is relative to the file's directory."""
    if cfg.baseline and not os.path.isabs(cfg.baseline):
        cfg.baseline = os.path.join(os.path.dirname(path), cfg.baseline)
    if cfg.db and not os.path.isabs(cfg.db):
        cfg.db = os.path.join(os.path.dirname(path), cfg.db)
    return cfg
