"""Streaming the members of one layer, once, front to back, never touching the host filesystem.

- :class:`Limits`: the bounds untrusted layers are read within (defaults sized for real images).
- :func:`iter_members`: ``(Member, MemberReader)`` for each tar entry of a layer stream.
- :class:`MemberReader`: the entry's content, readable on demand until the iterator advances.
- :func:`compression_of`: ``"gzip"``, ``"zstd"`` or ``"tar"`` from a stream's first bytes.

The compression is recognised by magic bytes, never by media type (registries and tools label
layers inconsistently). Member paths are normalised (:func:`normalise_path`); an entry that
would leave the image root, a hard link to something outside it or not yet seen, a sparse or
unknown entry type, a decompression bomb, too many entries, a truncated or corrupt stream: all
raise :class:`~hardhull.oci.model.ImageError` naming the layer digest (and the member).
Symbolic links are recorded with their target as stored and never followed; device files and
FIFOs are recorded and have no content. Whiteout entries (``.wh.*``) are yielded like any
other member: :mod:`hardhull.oci.index` interprets them.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

from hardhull.oci.model import ImageError, LayerRef, Member, MemberKind
from hardhull.oci.tar import Header, iter_headers

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_OTHER_MAGIC = {b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x04\x22\x4d\x18": "lz4"}

_IN_CHUNK = 256 * 1024
_OUT_CHUNK = 1024 * 1024
#: reads longer than this gather into one buffer (see _Inflater._read_big)
_BIG_READ = 4 * 1024 * 1024

_KINDS = {
    ord("0"): MemberKind.FILE,
    ord("7"): MemberKind.FILE,
    0: MemberKind.FILE,
    ord("1"): MemberKind.HARDLINK,
    ord("2"): MemberKind.SYMLINK,
    ord("3"): MemberKind.CHAR,
    ord("4"): MemberKind.BLOCK,
    ord("5"): MemberKind.DIR,
    ord("6"): MemberKind.FIFO,
}

GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one layer (and, for ``max_paths``, on the whole image index)."""

    #: uncompressed bytes of one layer
    max_layer_bytes: int = 32 * GiB
    #: uncompressed / compressed, checked once a layer has inflated past ``ratio_after`` bytes
    max_ratio: int = 250
    ratio_after: int = 256 * MiB
    #: tar entries in one layer (PAX and long-name headers count)
    max_members: int = 1_000_000
    #: paths in the whole image index
    max_paths: int = 4_000_000
    #: characters in a member name or link target
    max_name: int = 4096
    #: bytes of one PAX or GNU long-name header
    max_meta: int = 1 * MiB
    #: bytes ``MemberReader.read()`` returns whole (larger members are read in pieces)
    max_read: int = 256 * MiB


DEFAULT_LIMITS = Limits()


def compression_of(head: bytes) -> str:
    """``"gzip"``, ``"zstd"``, ``"tar"`` (anything else is read as tar and fails as one if it is
    not), or the name of a compression hardhull does not read (``"xz"``, ``"bzip2"``, ``"lz4"``)."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    for magic, name in _OTHER_MAGIC.items():
        if head.startswith(magic):
            return name
    return "tar"


def normalise_path(name: str, what: str) -> str:
    """``name`` relative to the image root: leading "/" and "." components dropped, ".."
    resolved; "" for the root itself. Raises ImageError when ".." leaves the root."""
    parts: list[str] = []
    for comp in name.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if not parts:
                raise ImageError(f"{what}: member {name!r} escapes the image root ('..')")
            parts.pop()
        else:
            parts.append(comp)
    return "/".join(parts)


class _Inflater:
    """Decompressed bytes of a layer stream with exact reads, counting what goes in and out."""

    def __init__(self, raw: IO[bytes], what: str, limits: Limits) -> None:
        self._raw = raw
        self._what = what
        self._limits = limits
        self._buf = b""
        self._pos = 0
        self.bytes_in = 0
        self.bytes_out = 0
        head = self._raw_read(8)
        self.compression = compression_of(head)
        if self.compression not in ("gzip", "zstd", "tar"):
            raise ImageError(f"{what}: {self.compression}-compressed layers are not supported")
        self._more: Callable[[], bytes]
        if self.compression == "tar":
            self._pending = head
            self._more = self._plain
        elif self.compression == "gzip":
            self._z: Any = zlib.decompressobj(31)
            self._pending = head
            self._more = self._gzip
        else:
            try:
                import zstandard  # imported here: only zstd layers need it
            except ImportError:  # pragma: no cover - the image extra installs it
                raise ImageError(
                    f"{what}: zstd layer, and the zstandard package is not installed "
                    "(pip install 'hardhull[image]')"
                ) from None
            self._zerr: type[Exception] = zstandard.ZstdError
            self._pending = head
            self._zr = zstandard.ZstdDecompressor().stream_reader(
                cast(IO[bytes], _Prefixed(head, self)), read_across_frames=True, read_size=_IN_CHUNK
            )
            self._more = self._zstd

    def _raw_read(self, n: int) -> bytes:
        data = self._raw.read(n)
        self.bytes_in += len(data)
        return data

    def _take_pending(self, n: int) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        return self._raw_read(n)

    def _plain(self) -> bytes:
        return self._take_pending(_OUT_CHUNK)

    def _gzip(self) -> bytes:
        z = self._z
        try:
            while True:
                if z.unconsumed_tail:
                    out: bytes = z.decompress(z.unconsumed_tail, _OUT_CHUNK)
                elif z.eof:
                    rest: bytes = z.unused_data or self._take_pending(_IN_CHUNK)
                    if not rest:
                        return b""
                    if not rest.startswith(GZIP_MAGIC[:1]):
                        raise ImageError(f"{self._what}: data after the gzip stream")
                    self._z = z = zlib.decompressobj(31)
                    out = z.decompress(rest, _OUT_CHUNK)
                else:
                    data = self._take_pending(_IN_CHUNK)
                    if not data:
                        raise ImageError(f"{self._what}: truncated gzip stream")
                    out = z.decompress(data, _OUT_CHUNK)
                if out:
                    return out
        except zlib.error as exc:
            raise ImageError(f"{self._what}: corrupt gzip stream ({exc})") from None

    def _zstd(self) -> bytes:
        try:
            out: bytes = self._zr.read(_OUT_CHUNK)
        except self._zerr as exc:
            raise ImageError(f"{self._what}: corrupt zstd stream ({exc})") from None
        return out

    def _next(self) -> bytes:
        out = self._more()
        if out:
            self.bytes_out += len(out)
            lim = self._limits
            if self.bytes_out > lim.max_layer_bytes:
                raise ImageError(
                    f"{self._what}: more than {lim.max_layer_bytes} bytes uncompressed (limit)"
                )
            if self.bytes_out > lim.ratio_after and self.bytes_out > lim.max_ratio * max(
                self.bytes_in, 1
            ):
                raise ImageError(
                    f"{self._what}: decompression bomb ({self.bytes_out} bytes from "
                    f"{self.bytes_in}, ratio above {lim.max_ratio})"
                )
        return out

    def read(self, n: int) -> bytes:
        buf, pos = self._buf, self._pos
        if len(buf) - pos >= n:
            self._pos = pos + n
            return buf[pos : pos + n]
        if n > _BIG_READ:
            return self._read_big(n)
        parts = [buf[pos:]]
        have = len(parts[0])
        while have < n:
            chunk = self._next()
            if not chunk:
                self._buf, self._pos = b"", 0
                return b"".join(parts)
            need = n - have
            if len(chunk) > need:
                parts.append(chunk[:need])
                self._buf, self._pos = chunk, need
                return b"".join(parts)
            parts.append(chunk)
            have += len(chunk)
        self._buf, self._pos = b"", 0
        return b"".join(parts)

    def _read_big(self, n: int) -> bytes:
        # gathered in one growing buffer whose bytes are handed over without a copy: a list of
        # chunks joined at the end would hold the content twice (a 100 MB binary, 200 MB)
        out = io.BytesIO()
        out.write(self._buf[self._pos :])
        self._buf, self._pos = b"", 0
        have = out.tell()
        while have < n:
            chunk = self._next()
            if not chunk:
                break
            need = n - have
            if len(chunk) > need:
                out.write(chunk[:need])
                self._buf, self._pos = chunk, need
                break
            out.write(chunk)
            have += len(chunk)
        return out.getvalue()

    def skip(self, n: int) -> int:
        avail = len(self._buf) - self._pos
        if avail >= n:
            self._pos += n
            return n
        done = avail
        self._buf, self._pos = b"", 0
        while done < n:
            chunk = self._next()
            if not chunk:
                return done
            need = n - done
            if len(chunk) > need:
                self._buf, self._pos = chunk, need
                return n
            done += len(chunk)
        return done


class _Prefixed:
    """The raw stream with the already-read magic bytes put back (for zstandard's reader)."""

    def __init__(self, head: bytes, owner: _Inflater) -> None:
        self._owner = owner
        self._head = head

    def read(self, n: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._owner._raw_read(n if n > 0 else _IN_CHUNK)


class MemberReader:
    """The content of one member, valid until the iterator that yielded it advances.
    ``read()`` returns the rest whole (at most ``Limits.max_read`` bytes: check
    ``Member.size`` first; beyond it, read in pieces with ``read(n)``)."""

    __slots__ = ("_cap", "_left", "_src", "_what")

    def __init__(self, src: _Inflater, size: int, cap: int, what: str) -> None:
        self._src = src
        self._left = size
        self._cap = cap
        self._what = what

    @property
    def remaining(self) -> int:
        return self._left

    def read(self, n: int = -1) -> bytes:
        if self._src is None:
            raise ValueError("member content read after the layer iterator moved on")
        if n < 0:
            if self._left > self._cap:
                raise ImageError(
                    f"{self._what}: {self._left} bytes, more than the {self._cap}-byte read cap"
                )
            n = self._left
        n = min(n, self._left)
        if not n:
            return b""
        data = self._src.read(n)
        self._left -= len(data)
        if len(data) < n:
            raise ImageError(f"{self._what}: truncated archive (ends inside content)")
        return data

    def _done(self) -> int:
        left = self._left
        self._src = None  # type: ignore[assignment]
        return left


def iter_members(
    stream: IO[bytes],
    layer: LayerRef,
    limits: Limits = DEFAULT_LIMITS,
    *,
    exists: Callable[[str], bool] | None = None,
) -> Iterator[tuple[Member, MemberReader]]:
    """Every entry of the layer read from ``stream`` (its stored bytes, compressed or not), in
    tar order, with its content reader. Entries naming the root itself are left out. A hard
    link must point to a member seen earlier in this layer or, when ``exists`` is given, to a
    path ``exists(path)`` knows (given by a caller that indexes the members as they come, so
    that it knows this layer's earlier members and the layers below)."""
    what = f"layer {layer.digest}"
    src = _Inflater(stream, what, limits)
    seen: set[str] = set()
    current: list[MemberReader] = []

    def after_each(_h: Header) -> int:
        return current.pop()._done() if current else _h.data_size

    for h in iter_headers(
        src,
        what,
        max_entries=limits.max_members,
        max_meta=limits.max_meta,
        max_name=limits.max_name,
        max_size=limits.max_layer_bytes,
        after_each=after_each,
        require_end=src.compression != "tar",
    ):
        path = normalise_path(h.name, what)
        if not path:
            continue
        kind = _KINDS[h.type]
        link = h.linkname
        if kind is MemberKind.HARDLINK:
            where = f"{what}: member {path!r}"
            target = normalise_path(link, where + " (hard link target)") if link else ""
            if not target:
                raise ImageError(f"{where}: hard link to the image root or to nothing")
            if not (target in seen if exists is None else exists(target)):
                raise ImageError(
                    f"{where}: hard link to {target!r}, which is not in this layer or below"
                )
            link = target
        if exists is None:
            seen.add(path)
        reader = MemberReader(src, h.data_size, limits.max_read, f"{what}: member {path!r}")
        current.append(reader)
        yield Member(path, kind, h.mode, h.uid, h.gid, h.size, link), reader
