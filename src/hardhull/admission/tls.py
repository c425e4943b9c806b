"""The admission server's TLS: :class:`~hardhull.tlsreload.ReloadingTLS` (a context that picks
up renewed certificates without a restart; shared with the runtime's audit-webhook endpoint)
and uvicorn's context factory, one reloader per worker process.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from typing import Any

from hardhull import tlsreload
from hardhull.tlsreload import TLSError

log = logging.getLogger("hardhull.admission")


class ReloadingTLS(tlsreload.ReloadingTLS):
    """The shared reloader, logging as ``hardhull.admission`` (as it always did)."""

    def __init__(self, cert: str, key: str) -> None:
        super().__init__(cert, key, log=log)


#: the reloader of this process (one per worker), found by the app at startup
CURRENT: list[ReloadingTLS] = []


class TLSFactory:
    """uvicorn's ``ssl_context_factory``: picklable, so each worker process builds its own."""

    def __init__(self, cert: str, key: str) -> None:
        self.cert = cert
        self.key = key

    def __call__(self, config: Any, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        tls = ReloadingTLS(self.cert, self.key)
        CURRENT[:] = [tls]
        return tls.context


__all__ = ["CURRENT", "ReloadingTLS", "TLSError", "TLSFactory"]
