"""``hardhull runtime --listen``: the HTTPS endpoint the API server's audit webhook posts to.

The kube-apiserver's webhook backend (``--audit-webhook-config-file``, a kubeconfig) POSTs
``application/json`` bodies to the server URL of that kubeconfig (its path included): each is
an ``audit.k8s.io/v1`` ``EventList`` (a batch in ``batch`` mode; the events of one request in
the ``blocking`` modes), whose items are ``Event`` objects without their own ``kind``. It
wants a 2xx, and retries anything else (any status, any connection error) with exponential
backoff before it drops the batch. It may authenticate with the client certificate of its
kubeconfig.

:class:`AuditWebhook` serves:

- ``POST`` (any path but ``/healthz``) of an ``EventList`` or a single audit ``Event``: each
  item goes to the ``process`` callback (``Runtime.process`` and the alert writers), one body
  at a time under a lock (``Runtime`` is not thread-safe, and an alert line is never
  interleaved with another's), then ``flush``; answers 200 with
  ``{"events": N, "skipped": M}``. Items that are not audit events are counted and skipped.
- 400 with the reason for a body that holds no audit event at all (not UTF-8, not JSON, not
  an object, another kind, an EventList without items or with only bad ones). The API server
  retries every answer but a 2xx (then drops the batch): nothing of such a body was processed,
  and a body with any event in it is answered 200, so a retry never duplicates an alert. 411
  without a ``Content-Length``; 413 over ``max_body`` bytes (read up to ``DRAIN`` and
  dropped; the connection is then closed); 415 for a ``Content-Encoding`` other than
  identity; 405 for other methods (``Allow: POST``); ``GET /healthz`` 200; 503 while
  stopping. Refused bodies count as skipped.
- TLS with :class:`hardhull.tlsreload.ReloadingTLS` (the admission server's reloader: new
  connections get renewed certificate files, checked every ``cert_check_seconds``);
  ``client_ca`` makes a client certificate signed by it required.

Why the standard library's ``ThreadingHTTPServer`` and not uvicorn (which the admission
server runs): the runtime is in the base install, and uvicorn is the ``admission`` extra; the
endpoint's work is a JSON decode and the rules, serialised anyway, so an event loop buys
nothing; a thread per connection serves the few keep-alive connections API servers hold. The
TLS handshake runs in the connection's thread (with a timeout), never in the accepting one, so
a slow or silent client cannot stall the others.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hardhull.runtime.engine import BadLine, Event, read_events
from hardhull.tlsreload import ReloadingTLS

#: a batch of 400 events (the API server's default --audit-webhook-batch-max-size) at the
#: RequestResponse level can be several MiB; --audit-webhook-truncate-max-batch-size is 10 MiB
MAX_BODY = 32 * 1024 * 1024
#: seconds a connection may take for its TLS handshake, and may stay idle between requests
HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 120.0
#: a refused body up to this size is read (and dropped) before the answer; a larger one is not
DRAIN = 256 * 1024 * 1024

Warn = Callable[[str], None]


def parse_listen(text: str) -> tuple[str, int]:
    """``ADDR:PORT`` (``[v6]:PORT``) into host and port; ValueError with the reason."""
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ValueError(f"{text!r}: expected ADDR:PORT (e.g. 127.0.0.1:9765)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"{text!r}: the port must be 0-65535")
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


class _WarnHandler(logging.Handler):
    """The reloader's log records as the command's warning lines."""

    def __init__(self, warn: Warn) -> None:
        super().__init__()
        self.warn = warn

    def emit(self, record: logging.LogRecord) -> None:
        self.warn(f"warning: {record.getMessage()}")


def reloading_tls(cert: str, key: str, client_ca: str | None, warn: Warn) -> ReloadingTLS:
    """The serving certificate (and client CA), reload failures reported through ``warn``;
    :class:`hardhull.tlsreload.TLSError` when the files are not usable."""
    log = logging.getLogger("hardhull.runtime.listen")
    log.handlers[:] = [_WarnHandler(warn)]
    log.propagate = False
    log.setLevel(logging.WARNING)
    return ReloadingTLS(cert, key, client_ca=client_ca, log=log)


class AuditWebhook:
    """See the module docstring."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        process: Callable[[Event], None],
        flush: Callable[[], None],
        warn: Warn,
        tls: ReloadingTLS | None = None,
        max_body: int = MAX_BODY,
        cert_check_seconds: float = 10.0,
        on_skip: Callable[[int], None] | None = None,
    ) -> None:
        self.process = process
        #: told how many items each skip is (the metrics' bad input count)
        self.on_skip = on_skip
        self.flush = flush
        self.warn = warn
        self.tls = tls
        self.max_body = max_body
        self.cert_check_seconds = cert_check_seconds
        #: bodies refused and items skipped; bodies answered 200
        self.skipped = 0
        self.batches = 0
        self.closing = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.server = _Server((host, port), self)
        bound = self.server.server_address
        self.host, self.port = str(bound[0]), int(bound[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    # ------------------------------------------------------------------ requests

    def receive(self, body: bytes, where: str) -> tuple[int, dict[str, Any]]:
        """One POSTed body: the status and the JSON answer."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._reject(where, "the body is not UTF-8")
        if not text.strip():
            return self._reject(where, "an empty body (expected an audit EventList)")
        events: list[Event] = []
        bad: list[str] = []
        for item in read_events([text], where):
            if isinstance(item, BadLine):
                bad.append(item.why)
            else:
                events.append(item)
        if bad and not events:
            return self._reject(where, "; ".join(dict.fromkeys(bad)))
        with self._lock:
            if self.closing:
                return 503, {"error": "stopping"}
            for why in dict.fromkeys(bad):
                self.warn(f"warning: {where}: {why} (skipped)")
            self._skip(len(bad))
            failed = 0
            for event in events:
                try:
                    self.process(event)
                except Exception as exc:  # one event's failure never stops the batch
                    failed += 1
                    self.warn(f"warning: {where}: an event failed: {exc!r} (skipped)")
            self._skip(failed)
            self.batches += 1
            self.flush()
        return 200, {"events": len(events) - failed, "skipped": len(bad) + failed}

    def refused(self) -> None:
        """A body refused unread (411, 413, 415): counted as skipped."""
        with self._lock:
            self._skip(1)

    def _skip(self, n: int) -> None:
        self.skipped += n
        if n and self.on_skip is not None:
            self.on_skip(n)

    def _reject(self, where: str, why: str) -> tuple[int, dict[str, Any]]:
        self.refused()
        self.warn(f"warning: {where}: {why}")
        return 400, {"error": why}

    # ------------------------------------------------------------------ running

    def serve(self, stop: threading.Event) -> None:
        """Serve until ``stop`` is set; then finish the body being processed and return."""
        threads = [threading.Thread(target=self.server.serve_forever, args=(0.2,), daemon=True)]
        if self.tls is not None and self.cert_check_seconds > 0:
            threads.append(threading.Thread(target=self._watch, daemon=True))
        for t in threads:
            t.start()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            self._stop.set()
            self.server.shutdown()
            self.server.server_close()
            with self._lock:  # a body being processed is finished first
                self.closing = True

    def _watch(self) -> None:
        tls = self.tls
        assert tls is not None
        while not self._stop.wait(self.cert_check_seconds):
            try:
                if tls.check():
                    self.warn(f"reloaded the serving certificate from {tls.cert}")
            except Exception as exc:  # never let the watcher die
                self.warn(f"warning: certificate check failed: {exc!r}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], hook: AuditWebhook) -> None:
        self.hook = hook
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        tls = self.hook.tls
        conn = request
        if tls is not None:
            request.settimeout(HANDSHAKE_TIMEOUT)
            try:
                conn = tls.context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError) as exc:
                self.hook.warn(
                    f"warning: {_peer(client_address)}: TLS handshake failed: {_reason(exc)}"
                )
                return
        try:
            _Handler(conn, client_address, self)
        finally:
            if conn is not request:
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]  # the exception being handled, on one line: no traceback
        if not isinstance(exc, ConnectionError | TimeoutError | ssl.SSLError):
            self.hook.warn(f"warning: {_peer(client_address)}: {exc!r}")


def _peer(address: Any) -> str:
    try:
        return f"{address[0]}:{address[1]}"
    except (TypeError, IndexError):
        return str(address)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    return str(exc) or type(exc).__name__


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hardhull"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log; errors are reported by the hook

    def _send(
        self, status: int, body: dict[str, Any] | str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        if isinstance(body, str):
            data, ctype = body.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(body).encode() + b"\n", "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def do_GET(self) -> None:
        if self._path() == "/healthz":
            self._send(200, "ok\n")
        else:
            self._refuse(405, "use POST", (("Allow", "POST"),))

    do_HEAD = do_GET

    def _length(self) -> int | None:
        """The Content-Length; None when absent (or chunked), -1 when not a length."""
        length = self.headers.get("Content-Length")
        if length is None or "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        try:
            return int(length) if int(length) >= 0 else -1
        except ValueError:
            return -1

    def _refuse(self, status: int, why: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        """Answer without using the body, then close: the body is read and dropped first (up
        to DRAIN bytes), so that a client sending it whole before it reads still gets the
        answer and not a reset connection."""
        size = self._length()
        if size is not None and 0 < size <= DRAIN:
            while size > 0:
                got = self.rfile.read(min(size, 1 << 16))
                if not got:
                    break
                size -= len(got)
        self.close_connection = True
        self._send(status, {"error": why}, headers)

    def handle_expect_100(self) -> bool:
        size = self._length()
        hook = self.server.hook
        if self.command == "POST" and size is not None and size > hook.max_body:
            self._too_large(size)  # before the client sends it
            return False
        return super().handle_expect_100()

    def _too_large(self, size: int) -> None:
        hook = self.server.hook
        hook.warn(
            f"warning: {_peer(self.client_address)} POST {self._path()}: a body of {size} "
            f"bytes, over --max-body-bytes {hook.max_body}"
        )
        hook.refused()
        self._refuse(413, f"the body is over {hook.max_body} bytes")

    def do_POST(self) -> None:
        hook = self.server.hook
        if self._path() == "/healthz":
            self._refuse(405, "use GET", (("Allow", "GET, HEAD"),))
            return
        where = f"{_peer(self.client_address)} POST {self._path()}"
        encoding = self.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            hook.refused()
            self._refuse(415, f"Content-Encoding {encoding!r} is not supported")
            return
        size = self._length()
        if size is None:
            hook.refused()
            self._refuse(411, "a Content-Length is required")
            return
        if size < 0:
            hook.refused()
            self._refuse(400, "a bad Content-Length")
            return
        if size > hook.max_body:
            self._too_large(size)
            return
        body = self.rfile.read(size)
        if len(body) < size:
            self.close_connection = True  # the client went away
            return
        status, answer = hook.receive(body, where)
        self._send(status, answer)

    def _not_allowed(self) -> None:
        self._refuse(405, "use POST", (("Allow", "POST"),))

    do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _not_allowed


__all__ = ["MAX_BODY", "AuditWebhook", "is_loopback", "parse_listen", "reloading_tls"]
