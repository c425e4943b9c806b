"""A TLS server context that picks up renewed certificates without a restart.

Shared by the servers: the admission webhook (``hardhull.admission.tls`` adds uvicorn's
context factory) and the runtime's audit-webhook endpoint (``hardhull.runtime.listen``). It
sits in the lowest layer, imports only the standard library, and knows no server.

cert-manager (or a kubelet-projected Secret, which swaps a ``..data`` symlink) replaces
``tls.crt``/``tls.key`` on disk. :class:`ReloadingTLS` owns the ``ssl.SSLContext`` the
server listens with; when the files change it loads them into a *fresh* context and, only if
that worked, makes it current. The listening context's SNI callback (which OpenSSL calls on
every ClientHello, with or without a server name) moves each new connection to the current
context: new connections see the new certificate, open ones keep theirs.

Why not ``load_cert_chain`` on the live context: it is not atomic. With a half-written pair
(new certificate, old key) OpenSSL installs the certificate, then refuses the key, and the
live context is left with a mismatched pair that fails every handshake. Here such a pair just
fails to load; the previous one stays in use and the load is retried on the next check.

``client_ca`` (optional): the CA certificates a client must present a certificate signed by
(``CERT_REQUIRED``), as the API server does with the client certificate of its webhook
kubeconfig. The file is watched and reloaded with the pair.
"""

from __future__ import annotations

import logging
import os
import ssl
from typing import Any

Stamp = tuple[tuple[int, int, int], ...]


class TLSError(Exception):
    pass


def _stamp(*paths: str) -> Stamp:
    out = []
    for p in paths:
        st = os.stat(p)  # follows symlinks: a swapped ..data link changes the target's stamp
        out.append((st.st_mtime_ns, st.st_ino, st.st_size))
    return tuple(out)


def _context(cert: str, key: str, client_ca: str | None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    ctx.load_cert_chain(cert, key)
    if client_ca is not None:
        ctx.load_verify_locations(cafile=client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class ReloadingTLS:
    def __init__(
        self,
        cert: str,
        key: str,
        *,
        client_ca: str | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.cert = cert
        self.key = key
        self.client_ca = client_ca
        self.failures = 0
        self._log = log or logging.getLogger("hardhull.tls")
        self._paths = (cert, key) if client_ca is None else (cert, key, client_ca)
        try:
            self._stamp = _stamp(*self._paths)
            self.context = _context(cert, key, client_ca)
        except OSError as exc:
            raise TLSError(f"cannot read {exc.filename or cert}: {exc.strerror or exc}") from None
        except ssl.SSLError as exc:
            files = ", ".join(self._paths)
            what = "certificate and key" if client_ca is None else "certificate, key and CA"
            raise TLSError(f"{files}: not a usable {what}: {exc}") from None
        self.current = self.context
        self.context.sni_callback = self._pick

    def _pick(self, conn: Any, server_name: str | None, ctx: ssl.SSLContext) -> None:
        current = self.current
        if current is not ctx:
            conn.context = current

    def check(self) -> bool:
        """Reload when the files changed; True when a new pair is now in use."""
        try:
            stamp = _stamp(*self._paths)
        except OSError:
            return False  # mid-rotation: the files come back
        if stamp == self._stamp:
            return False
        try:
            fresh = _context(self.cert, self.key, self.client_ca)
        except (OSError, ssl.SSLError) as exc:
            self.failures += 1
            self._log.warning("certificate reload failed, keeping the previous one: %s", exc)
            return False  # keep the stamp: retried on the next check
        self.current = fresh
        self._stamp = stamp
        self._log.info("reloaded the serving certificate from %s", self.cert)
        return True


__all__ = ["ReloadingTLS", "TLSError"]
