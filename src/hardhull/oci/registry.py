"""A client for OCI / Docker registries (the distribution API), reading and writing.

- :func:`open_registry_image` — ``open_registry_image(ref, *, platform, insecure) -> Image``:
  an image from a registry (``docker://`` prefix optional, see :mod:`hardhull.oci.reference`).
  A multi-arch index is resolved to ``platform``; the others it offers are in
  ``Image.other_platforms``. The config is fetched and verified; ``Image.open_layer`` streams
  a layer blob, front to back, checking its digest and size as it is read (a mismatch, or a
  stream that ends early, raises :class:`ImageError` when the end is reached, or on closing
  the stream if at most 1 MiB was left unread: that rest is read then). ``Image.close``
  closes the streams still open without reading them.
- :class:`RegistryClient` — one registry: :meth:`~RegistryClient.get_manifest`,
  :meth:`~RegistryClient.get_blob`, :meth:`~RegistryClient.open_blob`,
  :meth:`~RegistryClient.blob_exists`, :meth:`~RegistryClient.push_blob`,
  :meth:`~RegistryClient.put_manifest`, :meth:`~RegistryClient.list_tags`,
  :meth:`~RegistryClient.referrers` (the referrers API, with the tag-schema fallback
  :func:`fallback_tag`).

HTTPS with the system trust store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured) and the
registry's own CAs from ``certs.d`` directories (:meth:`RegistryClient.certs_dirs`); plain
HTTP only with ``insecure=True`` and only to a loopback host (``localhost``, 127.0.0.0/8,
``::1``), refused otherwise. Authentication answers the registry's ``401``: ``Bearer``
(a token from the realm, anonymous or with the configured credentials, cached per scope) or
``Basic``; credentials come from Docker's configuration (:mod:`hardhull.oci.auth`) unless
given. Redirects are followed (5 at most) and the ``Authorization`` header is dropped when one
leaves the registry's origin. Every request has a timeout; manifests, configs, token replies
and error bodies are read up to a cap. Errors are :class:`ImageError` naming the reference
and the registry, never a credential or token.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import ipaddress
import json
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hardhull.oci.auth import Challenge, Credentials, load_credentials, parse_challenges
from hardhull.oci.manifest import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    is_index,
    layer_refs,
    select_platform,
)
from hardhull.oci.model import Image, ImageError, LayerRef, Platform
from hardhull.oci.reference import (
    ReferenceError,
    is_loopback,
    parse_reference,
    validate_digest,
    validate_repository,
    validate_selector,
)

#: what a manifest GET accepts, the OCI and Docker schema 2 manifests and indexes
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
MAX_MANIFEST_BYTES = 4 << 20
MAX_CONFIG_BYTES = 16 << 20
#: what a stream's close reads of a blob left unfinished, to check its digest
DRAIN_ON_CLOSE = 1 << 20
_MAX_TOKEN_BYTES = 1 << 20
_MAX_ERROR_BYTES = 64 << 10
_MAX_REDIRECTS = 5
_MAX_TAG_PAGES = 1000
DEFAULT_TIMEOUT = 30.0
_USER_AGENT = "hardhull"
_SCHEMA1 = (
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_AUTO: Any = object()


_SYSTEM_CONTEXTS: dict[tuple[str | None, str | None], ssl.SSLContext] = {}
_SYSTEM_LOCK = threading.Lock()


def _system_context() -> ssl.SSLContext:
    """``ssl.create_default_context()``, made once per trust-store setting (an SSLContext is
    safe to share between threads and connections)."""
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _SYSTEM_LOCK:
        context = _SYSTEM_CONTEXTS.get(key)
        if context is None:
            context = _SYSTEM_CONTEXTS[key] = ssl.create_default_context()
        return context


#: blobs larger than this are uploaded in chunks of this size
CHUNK_SIZE = 16 * 1024 * 1024


def fallback_tag(digest: str) -> str:
    """The tag under which the referrers of ``digest`` are kept where the registry has no
    referrers API (OCI distribution spec, "referrers tag schema"): ``sha256-<hex>``."""
    algo, _, hexpart = validate_digest(digest).partition(":")
    return f"{algo}-{hexpart}"


def _digest_of(data: bytes, algo: str = "sha256") -> str:
    return f"{algo}:{hashlib.new(algo, data).hexdigest()}"


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``: the digest a registry stores it under."""
    return _digest_of(data)


def _hasher(digest: str, where: str) -> Any:
    try:
        algo = validate_digest(digest).split(":", 1)[0]
    except ValueError as exc:
        raise ImageError(f"{where}: {exc}") from None
    return hashlib.new(algo)


def _clean(text: str, limit: int = 200) -> str:
    """Registry-supplied text made safe to print: one line, printable, bounded."""
    out = "".join(c if c.isprintable() else " " for c in text).strip()
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``no_proxy`` (comma-separated: ``*``, host names matching themselves and their
    subdomains, with or without a leading dot, optional ``:port``, IP addresses and CIDR
    ranges) exempts ``host``."""
    host = host.lower().strip("[]")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if entry.startswith("[") and "]" in entry:
            entry, _, rest = entry[1:].partition("]")
            if rest.startswith(":") and rest[1:] != str(port):
                continue
        elif entry.count(":") == 1:
            entry, _, p = entry.partition(":")
            if p != str(port):
                continue
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        name = entry.lstrip(".")
        if host == name or host.endswith("." + name):
            return True
    return False


@dataclass(frozen=True)
class Manifest:
    """A manifest or index as the registry served it."""

    body: bytes
    media_type: str
    digest: str
    doc: dict[str, Any]

    @property
    def is_index(self) -> bool:
        return is_index(self.doc, self.media_type)


@dataclass
class _Url:
    scheme: str
    host: str
    port: int
    target: str  # path and query

    @classmethod
    def parse(cls, url: str) -> _Url:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {_clean(url)}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return cls(parts.scheme, parts.hostname, port, target)

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host.lower(), self.port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.target}"


class _Response:
    """An HTTP response and the connection it came on; closing one closes both."""

    def __init__(self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse):
        self.conn = conn
        self.resp = resp
        self.status = resp.status

    def header(self, name: str) -> str:
        return self.resp.getheader(name) or ""

    def read(self, cap: int, what: str) -> bytes:
        length = self.header("Content-Length")
        if length.isdigit() and int(length) > cap:
            self.close()
            raise ImageError(f"{what} is {int(length)} bytes, more than the {cap} allowed")
        data = self.resp.read(cap + 1)
        self.close()
        if len(data) > cap:
            raise ImageError(f"{what} is larger than the {cap} bytes allowed")
        return data

    def close(self) -> None:
        self.resp.close()
        self.conn.close()


class _BlobStream(io.RawIOBase):
    """A blob read from the network, hashed as it goes and checked at its end."""

    def __init__(self, response: _Response, digest: str, size: int, where: str) -> None:
        super().__init__()
        self._response = response
        self._digest = digest
        self._size = size
        self._where = where
        self._hash = _hasher(digest, where)
        self._count = 0
        self._checked = False
        self._abandoned = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._checked:
            return 0
        try:
            n = self._response.resp.readinto(buffer)
        except http.client.IncompleteRead:
            raise ImageError(f"{self._where}: the registry closed the stream early") from None
        except TimeoutError:
            raise ImageError(f"{self._where}: timed out reading the blob") from None
        except OSError as exc:
            raise ImageError(f"{self._where}: reading the blob failed ({exc.strerror})") from None
        if n == 0:
            self._check()
            return 0
        self._hash.update(memoryview(buffer)[:n])
        self._count += n
        if 0 <= self._size < self._count:
            raise ImageError(f"{self._where}: blob is larger than its {self._size} bytes")
        return int(n)

    def _check(self) -> None:
        self._checked = True
        if self._size >= 0 and self._count != self._size:
            raise ImageError(
                f"{self._where}: blob is {self._count} bytes, its descriptor says {self._size}"
            )
        got = f"{self._digest.split(':', 1)[0]}:{self._hash.hexdigest()}"
        if got != self._digest:
            raise ImageError(f"{self._where}: digest mismatch (the blob's content is {got})")

    def abandon(self) -> None:
        """Close without reading what remains (nor checking the digest)."""
        self._abandoned = True
        self.close()

    def close(self) -> None:
        """Close; a reader that stopped short of the end (a tar reader stops at the archive's
        end marker, before the padding) has the rest read and the digest checked here when at
        most :data:`DRAIN_ON_CLOSE` bytes remain, so a mismatch still raises."""
        if self.closed:
            return
        try:
            if not self._checked and not self._abandoned:
                left = self._size - self._count if self._size >= 0 else self._response.resp.length
                if left is not None and left <= DRAIN_ON_CLOSE:
                    buf = bytearray(1 << 16)
                    while self.readinto(buf):
                        pass
        finally:
            self._response.close()
            super().close()


class _BufferedBlob(io.BufferedReader):
    """The buffered stream handed out; when garbage-collected unclosed it is abandoned (no
    reading, no check), so a finaliser never raises."""

    def __del__(self) -> None:
        raw = self.raw
        if isinstance(raw, _BlobStream) and not raw.closed:
            raw._abandoned = True
        super().__del__()


class RegistryClient:
    """One registry (``docker.io`` or ``host[:port]``, as :class:`Reference` names it).

    ``credentials``: omitted, they are looked up in Docker's configuration when the registry
    first asks for them; ``None`` means anonymous. ``context`` prefixes every error (the
    reference the user gave). Not thread-safe; streams from :meth:`open_blob` have their own
    connection and may be read while the client makes other requests."""

    def __init__(
        self,
        registry: str,
        *,
        insecure: bool = False,
        credentials: Credentials | None = _AUTO,
        timeout: float = DEFAULT_TIMEOUT,
        context: str = "",
        env: Mapping[str, str] | None = None,
    ) -> None:
        from hardhull.oci.reference import DOCKER_HUB, DOCKER_HUB_ENDPOINT

        self.registry = registry
        self.endpoint = DOCKER_HUB_ENDPOINT if registry == DOCKER_HUB else registry
        self.insecure = insecure
        self.timeout = timeout
        self._context = context or registry
        self._env = env
        self._credentials: Credentials | None = credentials
        self._credentials_loaded = credentials is not _AUTO
        if not self._credentials_loaded:
            self._credentials = None
        try:
            host = _Url.parse(f"http://{self.endpoint}/").host
        except ValueError:
            raise ImageError(f"{self._context}: {registry!r} is not a registry host") from None
        if insecure and not is_loopback(host):
            raise ImageError(
                f"{self._context}: --insecure (plain HTTP) is allowed only for registries on "
                f"loopback (localhost, 127.0.0.0/8, ::1); {host} is not: use HTTPS"
            )
        scheme = "http" if insecure else "https"
        self._base = f"{scheme}://{self.endpoint}"
        self._ssl = self._context_for_host()
        self._tokens: dict[str, tuple[str, float]] = {}
        self._basic = False

    def certs_dirs(self) -> list[Path]:
        """Where a CA for this registry may be dropped, as for Docker and podman:
        ``/etc/docker/certs.d/HOST[:PORT]/*.crt``, ``/etc/containers/certs.d/…`` and the
        rootless ``$XDG_CONFIG_HOME/{docker,containers}/certs.d/…`` (``~/.config``)."""
        env = os.environ if self._env is None else self._env
        home = env.get("HOME") or str(Path.home())
        config = Path(env.get("XDG_CONFIG_HOME") or Path(home) / ".config")
        bases = [Path("/etc/docker/certs.d"), Path("/etc/containers/certs.d")]
        bases += [config / "docker" / "certs.d", config / "containers" / "certs.d"]
        return [b / self.endpoint for b in bases]

    def _context_for_host(self) -> ssl.SSLContext:
        """The system trust store, plus the CAs ``certs.d`` holds for this registry. Without
        any, one context per process (per ``SSL_CERT_FILE``/``SSL_CERT_DIR``) is shared:
        loading the system store costs tens of milliseconds, a client per image verified at
        admission would pay it every time."""
        files: list[Path] = []
        for d in self.certs_dirs():
            try:
                files += sorted(d.glob("*.crt")) if d.is_dir() else []
            except OSError:
                continue
        if not files:
            return _system_context()
        context = ssl.create_default_context()
        for f in files:
            try:
                context.load_verify_locations(cafile=str(f))
            except (OSError, ssl.SSLError, ValueError):
                raise ImageError(
                    f"{self._context}: {f}: not a PEM certificate this registry can trust"
                ) from None
        return context

    def __repr__(self) -> str:
        return f"RegistryClient({self.registry!r}, insecure={self.insecure})"

    # -- errors ---------------------------------------------------------------------------

    def _fail(self, what: str) -> ImageError:
        return ImageError(f"{self._context}: registry {self.endpoint}: {what}")

    def _status_error(self, resp: _Response, what: str) -> ImageError:
        detail, body = "", b""
        try:
            body = resp.read(_MAX_ERROR_BYTES, "error body")
            errors = json.loads(body).get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                code, msg = errors[0].get("code", ""), errors[0].get("message", "")
                detail = _clean(f"{code}: {msg}" if code and msg else str(code or msg))
        except (ImageError, ValueError, AttributeError, OSError, http.client.HTTPException):
            pass
        finally:
            resp.close()
        hints = {
            401: "authentication failed",
            403: "access denied",
            404: "not found",
            429: "too many requests (rate limited)",
        }
        status = hints.get(resp.status, f"HTTP {resp.status}")
        if resp.status == 400 and b"HTTP request to an HTTPS server" in body:
            detail = "the registry speaks HTTPS: leave out --insecure"
        return self._fail(f"{what}: {status}" + (f" ({detail})" if detail else ""))

    # -- transport ------------------------------------------------------------------------

    def _check_scheme(self, url: _Url) -> None:
        if url.scheme == "http" and not (self.insecure and is_loopback(url.host)):
            raise self._fail(
                f"refusing plain HTTP to {url.host} (only a loopback registry with --insecure "
                "may be reached without TLS)"
            )

    def _proxy_for(self, url: _Url) -> _Url | None:
        """The ``https_proxy`` / ``HTTPS_PROXY`` for an HTTPS request, unless the host is on
        loopback or matches ``no_proxy`` / ``NO_PROXY``. Plain HTTP (loopback only) is never
        proxied."""
        if url.scheme != "https" or is_loopback(url.host):
            return None
        env = os.environ if self._env is None else self._env
        proxy = env.get("https_proxy") or env.get("HTTPS_PROXY") or ""
        if not proxy:
            return None
        no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
        if _bypassed(url.host, url.port, no_proxy):
            return None
        try:
            parsed = _Url.parse(proxy if "://" in proxy else f"http://{proxy}")
        except ValueError:
            raise self._fail("https_proxy is not an http:// URL") from None
        if parsed.scheme != "http":
            raise self._fail("https_proxy: only http:// proxies are supported")
        return parsed

    def _connect(self, url: _Url) -> tuple[http.client.HTTPConnection, str]:
        """A connection to ``url``'s origin, through the proxy if there is one; and a
        description of the way ("host:port", or "host:port via proxy P:Q") for errors."""
        self._check_scheme(url)
        way = f"{url.host}:{url.port}"
        if url.scheme != "https":
            return http.client.HTTPConnection(url.host, url.port, timeout=self.timeout), way
        proxy = self._proxy_for(url)
        if proxy is None:
            conn = http.client.HTTPSConnection(
                url.host, url.port, timeout=self.timeout, context=self._ssl
            )
            return conn, way
        conn = http.client.HTTPSConnection(
            proxy.host, proxy.port, timeout=self.timeout, context=self._ssl
        )
        env = os.environ if self._env is None else self._env
        parts = urllib.parse.urlsplit(env.get("https_proxy") or env.get("HTTPS_PROXY") or "")
        tunnel_headers = {}
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            raw = f"{user}:{password}".encode()
            tunnel_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(raw).decode()
        conn.set_tunnel(url.host, url.port, headers=tunnel_headers)
        return conn, f"{way} via proxy {proxy.host}:{proxy.port}"

    def _send_once(
        self, method: str, url: _Url, headers: dict[str, str], body: bytes | None
    ) -> _Response:
        conn, way = self._connect(url)
        try:
            conn.request(method, url.target, body=body, headers=headers)
            resp = conn.getresponse()
        except ssl.SSLCertVerificationError as exc:
            conn.close()
            where = f"/etc/docker/certs.d/{self.endpoint}/ca.crt or SSL_CERT_FILE"
            raise self._fail(
                f"TLS certificate of {url.host} not trusted ({_clean(exc.verify_message or '')}; "
                f"a private CA goes in {where})"
            ) from None
        except ssl.SSLError as exc:
            conn.close()
            hint = ""
            if "WRONG_VERSION_NUMBER" in str(exc) or "record layer" in str(exc):
                hint = (
                    ": it does not speak HTTPS (a plain-HTTP registry on loopback needs --insecure)"
                )
            raise self._fail(f"TLS with {url.host} failed{hint}") from None
        except TimeoutError:
            conn.close()
            raise self._fail(f"{way}: timed out after {self.timeout:g} s") from None
        except socket.gaierror:
            conn.close()
            raise self._fail(f"cannot resolve host {url.host}") from None
        except ConnectionRefusedError:
            conn.close()
            raise self._fail(f"{way}: connection refused") from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            why = getattr(exc, "strerror", None) or type(exc).__name__
            if str(exc).startswith("Tunnel connection failed"):
                # http.client's message: the proxy's status line, nothing of ours
                why = "the proxy refused the tunnel (" + _clean(str(exc).split(":", 1)[-1]) + ")"
            raise self._fail(f"{way}: {why}") from None
        return _Response(conn, resp)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None = None,
        authorization: str = "",
    ) -> _Response:
        """One request, following redirects; ``Authorization`` only to the first origin."""
        try:
            target = _Url.parse(url)
        except ValueError as exc:
            raise self._fail(str(exc)) from None
        origin = target.origin
        for _ in range(_MAX_REDIRECTS + 1):
            sent = dict(headers)
            sent.setdefault("User-Agent", _USER_AGENT)
            if authorization and target.origin == origin:
                sent["Authorization"] = authorization
            resp = self._send_once(method, target, sent, body)
            if resp.status not in _REDIRECTS or method not in ("GET", "HEAD"):
                return resp
            location = resp.header("Location")
            resp.close()
            if not location:
                raise self._fail(f"redirect {resp.status} without a Location")
            try:
                target = _Url.parse(urllib.parse.urljoin(str(target), location))
            except ValueError as exc:
                raise self._fail(f"redirect to {exc}") from None
        raise self._fail(f"more than {_MAX_REDIRECTS} redirects")

    # -- authentication -------------------------------------------------------------------

    def _creds(self) -> Credentials | None:
        if not self._credentials_loaded:
            self._credentials_loaded = True
            try:
                self._credentials = load_credentials(self.registry, env=self._env)
            except ImageError as exc:
                raise ImageError(f"{self._context}: {exc}") from None
        return self._credentials

    def _authorization(self, scope: str) -> str:
        token = self._tokens.get(scope)
        if token and token[1] > time.monotonic():
            return f"Bearer {token[0]}"
        if self._basic:
            creds = self._creds()
            if creds and (creds.username or creds.password):
                raw = f"{creds.username}:{creds.password}".encode()
                return "Basic " + base64.b64encode(raw).decode("ascii")
        return ""

    def _authenticate(self, challenges: list[Challenge], scope: str) -> bool:
        """Prepare the answer to a 401; False when there is none to give."""
        by_scheme = {c.scheme: c for c in challenges}
        if "bearer" in by_scheme:
            self._fetch_token(by_scheme["bearer"], scope)
            return True
        if "basic" in by_scheme:
            creds = self._creds()
            if creds is None or not (creds.username or creds.password):
                raise self._fail(self._no_credentials())
            if self._basic:
                return False
            self._basic = True
            return True
        return False

    def _no_credentials(self) -> str:
        return (
            f"authentication required and no credentials for {self.registry} are configured "
            "(docker login, or DOCKER_CONFIG pointing to a config.json with them)"
        )

    def _fetch_token(self, challenge: Challenge, scope: str) -> None:
        realm = challenge.params.get("realm", "")
        try:
            url = _Url.parse(realm)
        except ValueError:
            raise self._fail("the Bearer challenge has no usable realm") from None
        creds = self._creds()
        service = challenge.params.get("service", "")
        # the scope this client needs, and whatever else the registry's challenge names
        scopes = [scope]
        scopes += [s for s in challenge.params.get("scope", "").split(" ") if s not in ("", scope)]
        headers = {"Accept": "application/json"}
        if creds and creds.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": creds.identity_token,
                "service": service,
                "scope": " ".join(scopes),
                "client_id": _USER_AGENT,
            }
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form).encode()
            resp = self._send("POST", str(url), headers, body)
        else:
            query = [("service", service)] if service else []
            query += [("scope", s) for s in scopes]
            sep = "&" if "?" in url.target else "?"
            target = str(url) + (sep + urllib.parse.urlencode(query) if query else "")
            auth = ""
            if creds and (creds.username or creds.password):
                raw = f"{creds.username}:{creds.password}".encode()
                auth = "Basic " + base64.b64encode(raw).decode("ascii")
            resp = self._send("GET", target, headers, authorization=auth)
        if resp.status in (401, 403):
            resp.close()
            if creds:
                raise self._fail(
                    f"the token server {url.host} rejected the credentials from {creds.source}"
                )
            raise self._fail(self._no_credentials())
        if resp.status != 200:
            raise self._status_error(resp, f"token from {url.host}")
        try:
            data = json.loads(self._read(resp, _MAX_TOKEN_BYTES, "token reply"))
        except ValueError:
            raise self._fail(f"the token server {url.host} sent no JSON") from None
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise self._fail(f"the token server {url.host} sent no token")
        expires = data.get("expires_in")
        life = float(expires) if isinstance(expires, int | float) and expires > 0 else 60.0
        # a little early, so a token does not expire between the check and the request
        self._tokens[scope] = (token, time.monotonic() + max(life - 5.0, 1.0))

    def _request(
        self,
        method: str,
        path: str,
        *,
        scope: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> _Response:
        """A request to the registry (``path`` under its base URL, or an absolute URL),
        authenticating on a 401 once."""
        url = path if path.startswith(("http://", "https://")) else self._base + path
        hdrs = dict(headers or {})
        try:
            own = _Url.parse(url).origin == _Url.parse(self._base).origin
        except ValueError as exc:
            raise self._fail(str(exc)) from None
        if not own:
            # a Location or Link to another host gets no credentials, and answers no challenge
            return self._send(method, url, hdrs, body)
        resp = self._send(method, url, hdrs, body, authorization=self._authorization(scope))
        if resp.status != 401:
            return resp
        challenges = parse_challenges(resp.header("WWW-Authenticate"))
        resp.close()
        self._tokens.pop(scope, None)
        if not challenges or not {c.scheme for c in challenges} & {"bearer", "basic"}:
            raise self._fail("authentication required with a scheme other than Bearer or Basic")
        if self._authenticate(challenges, scope):
            resp = self._send(method, url, hdrs, body, authorization=self._authorization(scope))
            if resp.status != 401:
                return resp
            resp.close()
        creds = self._credentials
        if creds is not None:
            raise self._fail(f"authentication failed with the credentials from {creds.source}")
        raise self._fail(self._no_credentials())

    # -- reading --------------------------------------------------------------------------

    def _scope(self, repository: str, *actions: str) -> str:
        """The token scope for ``repository``, which is checked here: every public method
        passes its repository through this before it builds a path."""
        try:
            validate_repository(repository)
        except ValueError as exc:
            raise self._fail(str(exc)) from None
        return f"repository:{repository}:{','.join(actions or ('pull',))}"

    def _hash_for(self, digest: str, where: str) -> Any:
        try:
            return _hasher(digest, where)
        except ImageError as exc:
            raise self._fail(str(exc)) from None

    def _selector(self, reference: str) -> str:
        try:
            return validate_selector(reference)
        except ValueError as exc:
            raise self._fail(str(exc)) from None

    def get_manifest(
        self, repository: str, reference: str, *, expected_digest: str = ""
    ) -> Manifest:
        """The manifest or index ``reference`` (a tag or a digest) of ``repository``. Fetched
        by digest (or with ``expected_digest``), its bytes must have that digest."""
        where = f"manifest {reference} of {repository}"
        self._selector(reference)
        if not expected_digest and ":" in reference:
            expected_digest = reference
        resp = self._request(
            "GET",
            f"/v2/{repository}/manifests/{reference}",
            scope=self._scope(repository),
            headers={"Accept": MANIFEST_ACCEPT},
        )
        if resp.status != 200:
            raise self._status_error(resp, where)
        media_type = resp.header("Content-Type").split(";", 1)[0].strip()
        header_digest = resp.header("Docker-Content-Digest")
        body = self._read(resp, MAX_MANIFEST_BYTES, where)
        if expected_digest:
            self._hash_for(expected_digest, where)
            algo = expected_digest.split(":", 1)[0]
            got = _digest_of(body, algo)
            if got != expected_digest:
                raise self._fail(f"{where}: digest mismatch (the registry sent {got})")
            digest = expected_digest
        else:
            digest = _digest_of(body)
            if header_digest.startswith("sha256:") and header_digest != digest:
                raise self._fail(
                    f"{where}: digest mismatch (Docker-Content-Digest {_clean(header_digest)}, "
                    f"the content is {digest})"
                )
        try:
            doc = json.loads(body)
        except ValueError:
            raise self._fail(f"{where}: not JSON") from None
        if not isinstance(doc, dict):
            raise self._fail(f"{where}: not a JSON object")
        declared = doc.get("mediaType")
        if media_type in _SCHEMA1 or declared in _SCHEMA1 or doc.get("schemaVersion") == 1:
            raise self._fail(f"{where}: Docker schema 1 manifests are not supported")
        if media_type not in (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST):
            media_type = declared if isinstance(declared, str) else ""
        return Manifest(body=body, media_type=media_type, digest=digest, doc=doc)

    def _read(self, resp: _Response, cap: int, where: str) -> bytes:
        try:
            return resp.read(cap, where)
        except ImageError as exc:
            raise self._fail(str(exc)) from None
        except (OSError, http.client.HTTPException):
            resp.close()
            raise self._fail(f"{where}: the connection failed while reading") from None

    def _get_blob_response(self, repository: str, digest: str, where: str) -> _Response:
        resp = self._request(
            "GET", f"/v2/{repository}/blobs/{digest}", scope=self._scope(repository)
        )
        if resp.status != 200:
            raise self._status_error(resp, where)
        return resp

    def get_blob(self, repository: str, digest: str, *, max_bytes: int = MAX_CONFIG_BYTES) -> bytes:
        """A small blob (a config, a signature), whole, verified against ``digest``."""
        where = f"blob {digest} of {repository}"
        hasher = self._hash_for(digest, where)
        resp = self._get_blob_response(repository, digest, where)
        data = self._read(resp, max_bytes, where)
        hasher.update(data)
        got = f"{digest.split(':', 1)[0]}:{hasher.hexdigest()}"
        if got != digest:
            raise self._fail(f"{where}: digest mismatch (the content is {got})")
        return data

    def open_blob(self, repository: str, digest: str, *, size: int = -1) -> IO[bytes]:
        """A blob as a stream, read front to back; its digest (and ``size`` when given) are
        checked as it reaches its end, which raises :class:`ImageError` on a mismatch."""
        where = f"blob {digest} of {repository}"
        self._hash_for(digest, where)
        resp = self._get_blob_response(repository, digest, where)
        full = f"{self._context}: registry {self.endpoint}: {where}"
        return _BufferedBlob(_BlobStream(resp, digest, size, full), 1 << 16)

    def blob_exists(self, repository: str, digest: str) -> bool:
        where = f"blob {digest} of {repository}"
        self._hash_for(digest, where)
        resp = self._request(
            "HEAD", f"/v2/{repository}/blobs/{digest}", scope=self._scope(repository)
        )
        resp.close()
        if resp.status == 200:
            return True
        if resp.status == 404:
            return False
        raise self._fail(f"{where}: HTTP {resp.status}")

    def list_tags(self, repository: str) -> list[str]:
        """Every tag of ``repository``, following the registry's pagination."""
        tags: list[str] = []
        path = f"/v2/{repository}/tags/list"
        for _ in range(_MAX_TAG_PAGES):
            resp = self._request("GET", path, scope=self._scope(repository))
            if resp.status != 200:
                raise self._status_error(resp, f"tags of {repository}")
            link = resp.header("Link")
            try:
                data = json.loads(self._read(resp, MAX_MANIFEST_BYTES, f"tags of {repository}"))
            except ValueError:
                raise self._fail(f"tags of {repository}: not JSON") from None
            page = data.get("tags") if isinstance(data, dict) else None
            tags += [t for t in page or [] if isinstance(t, str)]
            m = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link)
            if not m:
                return tags
            path = urllib.parse.urljoin(self._base + path, m.group(1))
        raise self._fail(f"tags of {repository}: more than {_MAX_TAG_PAGES} pages")

    def referrers(
        self, repository: str, digest: str, *, artifact_type: str = ""
    ) -> list[dict[str, Any]]:
        """The descriptors of the manifests whose ``subject`` is ``digest``: from the
        referrers API, else (a registry without it answers 404) from the index tagged
        :func:`fallback_tag`; ``[]`` when there is neither. ``artifact_type`` filters."""
        where = f"referrers of {digest} in {repository}"
        self._hash_for(digest, where)
        tag = fallback_tag(digest)
        path = f"/v2/{repository}/referrers/{digest}"
        if artifact_type:
            path += "?" + urllib.parse.urlencode({"artifactType": artifact_type})
        resp = self._request(
            "GET", path, scope=self._scope(repository), headers={"Accept": OCI_INDEX}
        )
        if resp.status == 200:
            try:
                doc = json.loads(self._read(resp, MAX_MANIFEST_BYTES, where))
            except ValueError:
                raise self._fail(f"{where}: not JSON") from None
        elif resp.status == 404:
            resp.close()
            try:
                doc = self.get_manifest(repository, tag).doc
            except ImageError as exc:
                if ": not found" in str(exc):
                    return []
                raise
        else:
            raise self._status_error(resp, where)
        found = doc.get("manifests") if isinstance(doc, dict) else None
        out = [d for d in found or [] if isinstance(d, dict)]
        if artifact_type:
            out = [d for d in out if d.get("artifactType") == artifact_type]
        return out

    def has_referrers_api(self, repository: str, digest: str) -> bool:
        """Whether the registry serves the referrers API (``200``; a registry without it
        answers ``404``: writers then keep the referrers tag index themselves)."""
        where = f"referrers of {digest} in {repository}"
        self._hash_for(digest, where)
        resp = self._request(
            "GET",
            f"/v2/{repository}/referrers/{digest}",
            scope=self._scope(repository),
            headers={"Accept": OCI_INDEX},
        )
        resp.close()
        if resp.status in (200, 404):
            return resp.status == 200
        raise self._status_error(resp, where)

    # -- writing --------------------------------------------------------------------------

    def push_blob(self, repository: str, data: bytes, *, chunk_size: int = CHUNK_SIZE) -> str:
        """Upload ``data`` as a blob unless the registry has it; returns its digest. Up to
        ``chunk_size`` bytes in one request (POST, then PUT with the digest: the monolithic
        upload); larger blobs in chunks (PATCH with ``Content-Range`` each, following the
        ``Location`` every answer gives, then the closing PUT), as the distribution spec's
        chunked upload."""
        digest = _digest_of(data)
        scope = self._scope(repository, "pull", "push")
        where = f"upload of blob {digest} to {repository}"
        head = self._request("HEAD", f"/v2/{repository}/blobs/{digest}", scope=scope)
        head.close()
        if head.status == 200:
            return digest
        resp = self._request("POST", f"/v2/{repository}/blobs/uploads/", scope=scope, body=b"")
        if resp.status != 202:
            raise self._status_error(resp, where)
        location = self._location(resp, where)
        rest = data
        if len(data) > chunk_size > 0:
            offset = 0
            while offset < len(data):
                chunk = data[offset : offset + chunk_size]
                resp = self._request(
                    "PATCH",
                    location,
                    scope=scope,
                    headers={
                        "Content-Type": "application/octet-stream",
                        "Content-Length": str(len(chunk)),
                        "Content-Range": f"{offset}-{offset + len(chunk) - 1}",
                    },
                    body=chunk,
                )
                if resp.status != 202:
                    raise self._status_error(resp, f"{where} (chunk at byte {offset})")
                location = self._location(resp, where)
                offset += len(chunk)
            rest = b""
        url = location + ("&" if "?" in location else "?")
        url += urllib.parse.urlencode({"digest": digest})
        resp = self._request(
            "PUT",
            url,
            scope=scope,
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Length": str(len(rest)),
            },
            body=rest,
        )
        if resp.status != 201:
            raise self._status_error(resp, where)
        resp.close()
        return digest

    def _location(self, resp: _Response, where: str) -> str:
        """The absolute upload URL a ``202`` answer names (the next request goes there)."""
        location = resp.header("Location")
        resp.close()
        if not location:
            raise self._fail(f"{where}: the registry gave no upload location")
        return urllib.parse.urljoin(self._base + "/", location)

    def put_manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        """Store a manifest (or index) under ``reference`` (a tag, or its digest); returns
        its digest."""
        digest = _digest_of(body)
        where = f"push of manifest {reference} to {repository}"
        self._selector(reference)
        if ":" in reference and reference != digest:
            raise self._fail(f"{where}: the manifest's digest is {digest}")
        resp = self._request(
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            scope=self._scope(repository, "pull", "push"),
            headers={"Content-Type": media_type, "Content-Length": str(len(body))},
            body=body,
        )
        if resp.status not in (200, 201):
            raise self._status_error(resp, where)
        said = resp.header("Docker-Content-Digest")
        resp.close()
        if said.startswith("sha256:") and said != digest:
            raise self._fail(f"{where}: the registry stored {_clean(said)}, not {digest}")
        return digest


@dataclass
class _Opened:
    client: RegistryClient
    repository: str
    streams: list[IO[bytes]] = field(default_factory=list)

    def open_layer(self, layer: LayerRef) -> IO[bytes]:
        stream = self.client.open_blob(self.repository, layer.digest, size=layer.size)
        self.streams.append(stream)
        return stream

    def close(self) -> None:
        for s in self.streams:
            raw = getattr(s, "raw", None)
            if isinstance(raw, _BlobStream):
                raw.abandon()
            s.close()
        self.streams.clear()


def _platform_of(desc: Mapping[str, Any] | None, config: Mapping[str, Any]) -> Platform | None:
    src = desc.get("platform") if desc else None
    if not isinstance(src, dict):
        src = config
    os_, arch, variant = src.get("os"), src.get("architecture"), src.get("variant")
    if not isinstance(os_, str) or not isinstance(arch, str):
        return None
    return Platform(os_, arch, variant if isinstance(variant, str) else "")


def open_registry_image(
    ref: str,
    *,
    platform: Platform,
    insecure: bool = False,
    credentials: Credentials | None = _AUTO,
    timeout: float = DEFAULT_TIMEOUT,
) -> Image:
    """The image ``ref`` (``[docker://]NAME[:TAG][@DIGEST]``) from its registry; see the
    module docstring. Raises :class:`ImageError`."""
    try:
        reference = parse_reference(ref)
    except ReferenceError as exc:
        raise ImageError(str(exc)) from None
    client = RegistryClient(
        reference.registry,
        insecure=insecure,
        credentials=credentials,
        timeout=timeout,
        context=ref,
    )
    repo = reference.repository
    manifest = client.get_manifest(repo, reference.selector)
    chosen: dict[str, Any] | None = None
    others: list[Platform] = []
    if manifest.is_index:
        chosen, others = select_platform(manifest.doc, platform, ref=ref)
        digest = chosen.get("digest")
        if not isinstance(digest, str):
            raise ImageError(f"{ref}: the index entry for {platform} has no digest")
        manifest = client.get_manifest(repo, digest)
        size = chosen.get("size")
        if isinstance(size, int) and size != len(manifest.body):
            raise ImageError(f"{ref}: manifest {digest} is not the size its index entry says")
        if manifest.is_index:
            raise ImageError(f"{ref}: nested image indexes are not supported")
    config_desc = manifest.doc.get("config")
    if not isinstance(config_desc, dict) or not isinstance(config_desc.get("digest"), str):
        raise ImageError(f"{ref}: manifest {manifest.digest} has no config descriptor")
    config_digest = config_desc["digest"]
    raw = client.get_blob(repo, config_digest)
    try:
        config = json.loads(raw)
    except ValueError:
        raise ImageError(f"{ref}: config {config_digest} is not JSON") from None
    if not isinstance(config, dict):
        raise ImageError(f"{ref}: config {config_digest} is not a JSON object")
    layers = layer_refs(manifest.doc, config, ref=ref)
    opened = _Opened(client, repo)
    return Image(
        ref=ref,
        transport="docker",
        config=config,
        config_digest=config_digest,
        layers=layers,
        open_layer=opened.open_layer,
        manifest_digest=manifest.digest,
        platform=_platform_of(chosen, config),
        other_platforms=others,
        names=[str(reference)],
        close=opened.close,
    )
