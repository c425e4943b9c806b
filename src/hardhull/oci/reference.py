"""Registry image references, parsed per the distribution reference grammar with Docker Hub's
normalisation.

- :func:`parse_reference` — ``[docker://]NAME[:TAG][@DIGEST]`` to a :class:`Reference`;
  raises :class:`ReferenceError` (a ``ValueError``) naming what is wrong.
- :func:`validate_digest`, :func:`validate_repository`, :func:`validate_selector` (a tag or a
  digest), :func:`is_loopback`.
- :class:`Reference` — ``registry`` (``docker.io`` for Docker Hub, else ``host[:port]``),
  ``repository`` (``library/nginx``), ``tag``, ``digest``; ``endpoint`` is the host the
  registry API answers on (``registry-1.docker.io`` for Docker Hub); ``str()`` is the
  normalised reference (``docker.io/library/nginx:latest``).

A reference with neither tag nor digest gets the tag ``latest``. The first path component is a
registry when it contains ``.`` or ``:``, is ``localhost``, or has upper-case letters (as
Docker decides); otherwise the image is on Docker Hub, where a one-component name is under
``library/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
DOCKER_HUB_ENDPOINT = "registry-1.docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REMOTE_NAME = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(
    rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
#: the hex length each registered algorithm must have
_DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}
_NAME_MAX = 255


class ReferenceError(ValueError):
    """A malformed image reference; the message quotes it and says what is wrong."""


@dataclass(frozen=True)
class Reference:
    registry: str
    repository: str
    tag: str = ""
    digest: str = ""

    @property
    def endpoint(self) -> str:
        """``host[:port]`` the registry API is served on."""
        return DOCKER_HUB_ENDPOINT if self.registry == DOCKER_HUB else self.registry

    @property
    def host(self) -> str:
        """The registry's host name or address, without port or IPv6 brackets."""
        reg = self.registry
        if reg.startswith("["):
            return reg[1 : reg.index("]")]
        return reg.rsplit(":", 1)[0] if ":" in reg else reg

    @property
    def name(self) -> str:
        """``registry/repository``, without tag or digest."""
        return f"{self.registry}/{self.repository}"

    @property
    def selector(self) -> str:
        """What the manifest is asked for: the digest when pinned, else the tag."""
        return self.digest or self.tag

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out


def _fail(text: str, why: str) -> ReferenceError:
    return ReferenceError(f"invalid image reference {text!r}: {why}")


def validate_digest(digest: str) -> str:
    """``digest`` if it is ``algorithm:hex`` with the algorithm's hex length; else ValueError."""
    if not _DIGEST.fullmatch(digest):
        raise ValueError(f"{digest!r} is not a digest (expected sha256:<64 hex digits>)")
    algo, hexpart = digest.split(":", 1)
    want = _DIGEST_HEX.get(algo)
    if want is None:
        raise ValueError(f"digest {digest!r}: unsupported algorithm {algo!r}")
    if len(hexpart) != want:
        raise ValueError(f"digest {digest!r}: {algo} needs {want} hex digits")
    if hexpart != hexpart.lower():
        raise ValueError(f"digest {digest!r}: hex digits must be lower case")
    return digest


def validate_repository(name: str) -> str:
    """``name`` if it is a repository path (``library/nginx``); else ValueError."""
    if not _REMOTE_NAME.fullmatch(name) or len(name) > _NAME_MAX:
        raise ValueError(f"{name!r} is not a repository name")
    return name


def validate_selector(selector: str) -> str:
    """``selector`` if it is a tag or a digest (what a manifest is asked by); else ValueError."""
    if ":" in selector:
        return validate_digest(selector)
    if not _TAG.fullmatch(selector):
        raise ValueError(f"{selector!r} is neither a tag nor a digest")
    return selector


def parse_reference(text: str) -> Reference:
    """Parse ``[docker://]NAME[:TAG][@DIGEST]``; see the module docstring."""
    raw = text.strip()
    if raw.startswith("docker://"):
        raw = raw[len("docker://") :]
    if not raw:
        raise _fail(text, "empty")
    if any(c.isspace() for c in raw):
        raise _fail(text, "contains white space")
    digest = ""
    if "@" in raw:
        raw, digest = raw.split("@", 1)
        try:
            validate_digest(digest)
        except ValueError as exc:
            raise _fail(text, str(exc)) from None
    tag = ""
    last = raw.rsplit("/", 1)[-1]
    if ":" in last:
        raw, tag = raw.rsplit(":", 1)
        if not _TAG.fullmatch(tag):
            raise _fail(text, f"tag {tag!r} is not valid (letters, digits, _ . -, at most 128)")
    if not raw:
        raise _fail(text, "no repository name")
    first, sep, rest = raw.partition("/")
    if sep and (any(c in first for c in ".:") or first == "localhost" or first != first.lower()):
        registry, path = first, rest
        if not _DOMAIN.fullmatch(registry):
            raise _fail(text, f"registry {registry!r} is not a host name or host:port")
    else:
        registry, path = DOCKER_HUB, raw
    if registry.lower() in _HUB_ALIASES:
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if path != path.lower():
        raise _fail(text, "repository name must be lower case")
    if not _REMOTE_NAME.fullmatch(path):
        raise _fail(
            text,
            f"repository {path!r} is not valid (lower-case letters, digits and separators "
            "between them, components joined by /)",
        )
    if len(f"{registry}/{path}") > _NAME_MAX:
        raise _fail(text, f"name longer than {_NAME_MAX} characters")
    if not tag and not digest:
        tag = "latest"
    return Reference(registry=registry, repository=path, tag=tag, digest=digest)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, without port) is this machine's loopback:
    ``localhost``, 127.0.0.0/8 or ::1."""
    import ipaddress

    h = host.strip("[]").lower().rstrip(".")
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False
