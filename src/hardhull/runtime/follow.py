"""``hardhull runtime --input FILE --follow``: read a log's lines as they are appended, like
``tail -F``.

:class:`Follower` ``(path, stop, warn, interval=0.2)``: :meth:`Follower.files` yields, for
each file that appears at ``path`` in turn, an iterator of its complete lines (from the start
of the file), so that line numbers count from 1 in each. It survives what log writers and
rotators do:

- **rename rotation** (logrotate's default, the API server's own ``--audit-log-maxsize``):
  when ``path`` names another file than the one open, the open one is read to its end (what
  its writer added before switching), its unfinished last line is given as it is, and the new
  file is read from its start. While nothing is at ``path`` the open file is still read.
- **truncation** (logrotate's ``copytruncate``): a file shorter than what was read is read
  again from its start; the unfinished line before it is dropped.
- **a missing file**: waited for (said once), as ``tail -F`` does.
- **a partial last line** is kept until its newline arrives.

It polls: every ``interval`` seconds at the end of the file, one ``fstat``, one ``stat`` and
one ``read`` (nothing while lines keep coming: it reads on without sleeping). inotify would
wake sooner but needs ctypes or a dependency, is Linux-only, and misses changes on network
and some overlay file systems; 0.2 s is well under the API server's own batching delays.
``stop`` (a ``threading.Event``, set by SIGINT/SIGTERM) ends it within one interval.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

CHUNK = 1 << 20


class Follower:
    """See the module docstring."""

    def __init__(
        self,
        path: str,
        stop: threading.Event,
        warn: Callable[[str], None],
        *,
        interval: float = 0.2,
    ) -> None:
        self.path = path
        self.stop = stop
        self.warn = warn
        self.interval = interval
        self.rotations = 0
        self.truncations = 0
        self._file: BinaryIO | None = None
        self._ident: tuple[int, int] = (0, 0)
        self._pending = b""

    def files(self) -> Iterator[Iterator[str]]:
        """See the module docstring; each iterator is read to its end before the next."""
        try:
            while not self.stop.is_set():
                if self._file is None and not self._open():
                    continue
                yield self._lines()
        finally:
            if self._file is not None:
                self._file.close()
                self._file = None
            if self._pending:
                self.warn(
                    f"warning: {self.path}: stopped before the end of its last line "
                    f"({len(self._pending)} byte(s) without a newline)"
                )

    def _open(self) -> bool:
        warned = False
        while not self.stop.is_set():
            try:
                f = open(self.path, "rb")  # noqa: SIM115 - closed by files()
            except OSError as exc:
                if not warned:
                    self.warn(f"warning: {self.path}: {exc.strerror or exc}; waiting for it")
                    warned = True
                self.stop.wait(self.interval)
                continue
            st = os.fstat(f.fileno())
            self._file, self._ident = f, (st.st_dev, st.st_ino)
            self._pending = b""
            return True
        return False

    def _split(self, data: bytes) -> list[str]:
        data = self._pending + data
        *lines, self._pending = data.split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines]

    def _lines(self) -> Iterator[str]:
        f = self._file
        assert f is not None
        while not self.stop.is_set():
            data = f.read(CHUNK)
            if data:
                yield from self._split(data)
                continue
            # at the end: truncated, rotated, or nothing new yet
            if os.fstat(f.fileno()).st_size < f.tell():
                self.truncations += 1
                self.warn(f"{self.path}: truncated; reading it from the start")
                f.seek(0)
                self._pending = b""
                return
            try:
                st = os.stat(self.path)
            except OSError:
                st = None  # renamed away, the new one not created yet: keep reading this one
            if st is not None and (st.st_dev, st.st_ino) != self._ident:
                while data := f.read(CHUNK):  # what the writer added before it switched
                    yield from self._split(data)
                if self._pending:
                    yield self._pending.decode("utf-8", "replace")
                    self._pending = b""
                f.close()
                self._file = None
                self.rotations += 1
                self.warn(f"{self.path}: rotated; reading the new file")
                return
            self.stop.wait(self.interval)


__all__ = ["Follower"]
