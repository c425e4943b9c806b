"""Registry credentials from Docker's client configuration, and ``WWW-Authenticate`` challenges.

- :func:`load_credentials` — the :class:`Credentials` for a registry (``docker.io`` or
  ``host[:port]``) from ``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``:
  ``credHelpers`` / ``credsStore`` (``docker-credential-NAME get``, when that program is on
  ``PATH``), then ``auths`` (``auth`` = base64 of ``user:password``, or ``username`` and
  ``password``, and ``identitytoken``). Keys are matched as Docker matches them: by host name,
  with or without scheme and path, and Docker Hub under any of its names
  (``https://index.docker.io/v1/``, ``index.docker.io``, ``docker.io``,
  ``registry-1.docker.io``). ``None`` when nothing is configured.
- :func:`parse_challenges` — the challenges of a ``WWW-Authenticate`` header.

Secrets never appear in a repr or an error message; a broken configuration raises
:class:`~hardhull.oci.model.ImageError` naming the file and what is wrong with it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardhull.oci.model import ImageError
from hardhull.oci.reference import DOCKER_HUB

#: the key ``docker login`` writes for Docker Hub, and the server URL its helpers are asked for
HUB_SERVER = "https://index.docker.io/v1/"
_HUB_HOSTS = ("index.docker.io", "docker.io", "registry-1.docker.io")
_HELPER_TIMEOUT = 30.0


@dataclass(frozen=True)
class Credentials:
    """A user name and password, or an identity (refresh) token; the secrets are not shown in
    the repr."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    #: where they came from ("~/.docker/config.json auths", "docker-credential-pass"), for errors
    source: str = ""


@dataclass(frozen=True)
class Challenge:
    scheme: str
    params: dict[str, str]


def docker_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``."""
    env = os.environ if env is None else env
    base = env.get("DOCKER_CONFIG")
    if base:
        return Path(base) / "config.json"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".docker" / "config.json"


def _hostname(key: str) -> str:
    """Docker's ``ConvertToHostname``: the key without scheme and path."""
    k = key.strip()
    for prefix in ("http://", "https://"):
        if k.lower().startswith(prefix):
            k = k[len(prefix) :]
            break
    return k.split("/", 1)[0].lower()


def _candidates(registry: str) -> tuple[str, ...]:
    return _HUB_HOSTS if registry == DOCKER_HUB else (registry.lower(),)


def _server_url(registry: str) -> str:
    return HUB_SERVER if registry == DOCKER_HUB else registry


Runner = Callable[[list[str], str], "subprocess.CompletedProcess[str]"]


def _run_helper(argv: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=_HELPER_TIMEOUT,
        check=False,
    )


def _from_helper(name: str, registry: str, run: Runner) -> Credentials | None:
    program = f"docker-credential-{name}"
    path = shutil.which(program)
    if path is None:
        return None
    try:
        proc = run([path, "get"], _server_url(registry))
    except (OSError, subprocess.SubprocessError) as exc:
        raise ImageError(
            f"credential helper {program} could not run: {type(exc).__name__}"
        ) from None
    if proc.returncode != 0:
        # "credentials not found in native keychain" is the protocol's "no entry"
        if "not found" in (proc.stdout + proc.stderr).lower():
            return None
        raise ImageError(f"credential helper {program} failed (exit {proc.returncode})")
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        raise ImageError(f"credential helper {program} printed no JSON object") from None
    if not isinstance(data, dict):
        raise ImageError(f"credential helper {program} printed no JSON object")
    user, secret = data.get("Username"), data.get("Secret")
    if not isinstance(user, str) or not isinstance(secret, str) or not secret:
        return None
    if user == "<token>":
        return Credentials(identity_token=secret, source=program)
    return Credentials(username=user, password=secret, source=program)


def _from_auths(entry: Any, where: str) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    user, password = entry.get("username"), entry.get("password")
    user = user if isinstance(user, str) else ""
    password = password if isinstance(password, str) else ""
    encoded = entry.get("auth")
    if isinstance(encoded, str) and encoded:
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ImageError(f"{where}: an 'auth' value is not base64 of user:password") from None
        if ":" not in decoded:
            raise ImageError(f"{where}: an 'auth' value is not base64 of user:password")
        user, password = decoded.split(":", 1)
    token = entry.get("identitytoken")
    token = token if isinstance(token, str) else ""
    if not token and not (user or password):
        return None
    return Credentials(username=user, password=password, identity_token=token, source=where)


def load_credentials(
    registry: str,
    *,
    env: Mapping[str, str] | None = None,
    run: Runner = _run_helper,
) -> Credentials | None:
    """The credentials configured for ``registry`` (``docker.io`` or ``host[:port]``); see the
    module docstring."""
    path = docker_config_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImageError(f"{path}: cannot be read ({type(exc).__name__})") from None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImageError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(config, dict):
        raise ImageError(f"{path}: not a JSON object")
    hosts = _candidates(registry)

    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key, name in helpers.items():
            if isinstance(name, str) and name and _hostname(key) in hosts:
                creds = _from_helper(name, registry, run)
                if creds is not None:
                    return creds
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        creds = _from_helper(store, registry, run)
        if creds is not None:
            return creds

    auths = config.get("auths")
    if not isinstance(auths, dict):
        return None
    where = f"{path} auths"
    exact = [HUB_SERVER, *hosts] if registry == DOCKER_HUB else [registry]
    for key in exact:
        if key in auths:
            creds = _from_auths(auths[key], where)
            if creds is not None:
                return creds
    for key, entry in auths.items():
        if isinstance(key, str) and _hostname(key) in hosts:
            creds = _from_auths(entry, where)
            if creds is not None:
                return creds
    return None


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]+))\s*(?:,|$)')
_SCHEME = re.compile(rf"\s*,?\s*({_TOKEN})(?:\s+|$)")


def parse_challenges(header: str) -> list[Challenge]:
    """The challenges of a ``WWW-Authenticate`` value (RFC 7235), e.g.
    ``Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"``;
    scheme names are lower-cased, parameter names too; an unquoted value runs to the next
    comma or space (leniently: a URL is accepted unquoted). Unparseable text ends the list."""
    out: list[Challenge] = []
    pos = 0
    while pos < len(header):
        m = _SCHEME.match(header, pos)
        if not m:
            break
        scheme, pos = m.group(1).lower(), m.end()
        params: dict[str, str] = {}
        while pos < len(header):
            p = _PARAM.match(header, pos)
            if not p:
                break
            value = p.group(2) if p.group(2) is not None else p.group(3)
            params[p.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            pos = p.end()
        out.append(Challenge(scheme, params))
    return out
