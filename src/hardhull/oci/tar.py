"""A bounded tar header reader, shared by the layer streamer and the archive transports.

Python's :mod:`tarfile` reads PAX and GNU long-name headers whole into memory whatever their
declared size, keeps every ``TarInfo`` of a random-access archive, and raises a dozen kinds of
exception on damaged input; an image is untrusted input, so this reader parses the headers
itself, with every size bounded, and raises only :class:`~hardhull.oci.model.ImageError`.

- :class:`Source`: what the reader reads from (``read(n)`` exact unless at the end, ``skip(n)``).
- :class:`Header`: one entry, PAX/GNU overrides applied, its name as stored (not normalised).
- :func:`iter_headers`: the entries of an archive in order; the caller reads or skips
  ``Header.data_size`` bytes of content after each one (:func:`iter_headers` skips what is
  left, and the padding, when it advances).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Protocol

from hardhull.oci.model import ImageError

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)

#: the one-character type flags of the entries that are headers only (no content follows,
#: whatever the size field says: Go's archive/tar and tarfile agree)
HEADER_ONLY = frozenset(b"123456")
REGULAR = frozenset(b"07\0")
#: PAX and GNU meta entries, which describe the next entry
META = frozenset(b"xgLK")


class Source(Protocol):
    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, fewer only at the end of the data."""

    def skip(self, n: int) -> int:
        """Skip ``n`` bytes; returns how many there were (fewer only at the end)."""


class FileSource:
    """A :class:`Source` over a seekable file (an archive on disk): skipping seeks."""

    def __init__(self, fh: IO[bytes], end: int) -> None:
        self._fh = fh
        self._end = end

    def tell(self) -> int:
        return self._fh.tell()

    def read(self, n: int) -> bytes:
        return self._fh.read(n)

    def skip(self, n: int) -> int:
        pos = self._fh.tell()
        target = min(pos + n, self._end)
        self._fh.seek(target)
        return target - pos


@dataclass(slots=True)
class Header:
    #: name as stored (PAX ``path`` / GNU long name applied), decoded with surrogateescape
    name: str
    #: the type flag byte: ord("0") regular, ord("5") directory, …
    type: int
    mode: int
    uid: int
    gid: int
    #: the size the entry declares (0 for header-only types)
    size: int
    linkname: str
    #: bytes of content that follow the header (``size`` for content-bearing types)
    data_size: int


def _decode(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _number(field: bytes, what: str) -> int:
    if field and field[0] & 0x80:
        if field[0] != 0x80:
            raise ImageError(f"{what}: negative number in a tar header")
        return int.from_bytes(field[1:], "big")
    text = field.split(b"\0", 1)[0].strip(b" ")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise ImageError(f"{what}: bad number {text[:20]!r} in a tar header") from None


def _checksum_ok(hdr: bytes) -> bool:
    stored = hdr[148:156].split(b"\0", 1)[0].strip(b" ")
    try:
        want = int(stored, 8)
    except ValueError:
        return False
    unsigned = sum(hdr) - sum(hdr[148:156]) + 8 * 32
    if want == unsigned:
        return True
    signed = unsigned - 2 * sum(b for b in hdr if b >= 128)
    return want == signed


def _pax(data: bytes, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:  # NUL padding
            break
        space = data.find(b" ", pos, pos + 24)
        if space < 0:
            raise ImageError(f"{what}: malformed PAX header record")
        try:
            length = int(data[pos:space])
        except ValueError:
            raise ImageError(f"{what}: malformed PAX header record length") from None
        end = pos + length
        if length <= space - pos + 1 or end > len(data) or data[end - 1] != 0x0A:
            raise ImageError(f"{what}: malformed PAX header record")
        key, eq, value = data[space + 1 : end - 1].partition(b"=")
        if not eq:
            raise ImageError(f"{what}: malformed PAX header record (no '=')")
        out[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos = end
    return out


def _pax_int(value: str, key: str, what: str) -> int:
    if not value.isdigit() or len(value) > 20:
        raise ImageError(f"{what}: bad PAX {key} {value[:20]!r}")
    return int(value)


def iter_headers(
    src: Source,
    what: str,
    *,
    max_entries: int,
    max_meta: int,
    max_name: int,
    max_size: int,
    after_each: Callable[[Header], int] | None = None,
    require_end: bool = False,
) -> Iterator[Header]:
    """The entries of the tar read from ``src``, in order. ``what`` names the archive in
    errors ("layer sha256:…"). After each entry is yielded, the content the consumer did not
    read is skipped: ``after_each(header)`` returns how many bytes of the entry's content are
    still unread (default: all of it). Bounded by ``max_entries`` (every header, meta ones
    included), ``max_meta`` (bytes of one PAX / GNU long-name entry), ``max_name`` (a name or
    link target) and ``max_size`` (one entry's declared size). An archive that ends inside a
    header or content is an error; one that ends on a header boundary without the
    end-of-archive blocks is accepted, as Go's archive/tar (and so Docker) accepts it, unless
    ``require_end`` (compressed layers: a zstd stream cut at a block boundary decompresses to a
    clean prefix, so the end marker is the one sign it is whole)."""
    entries = 0
    pax: dict[str, str] = {}
    long_name: str | None = None
    long_link: str | None = None
    pending_meta = False
    while True:
        hdr = src.read(BLOCK)
        if len(hdr) < BLOCK:
            if hdr or pending_meta:
                raise ImageError(f"{what}: truncated archive (ends inside a tar header)")
            if require_end:
                raise ImageError(f"{what}: truncated archive (no end-of-archive marker)")
            return
        if hdr == ZERO_BLOCK:
            if pending_meta:
                raise ImageError(f"{what}: extended header with no entry after it")
            return
        entries += 1
        if entries > max_entries:
            raise ImageError(f"{what}: more than {max_entries} tar entries (limit)")
        if not _checksum_ok(hdr):
            raise ImageError(
                f"{what}: not a tar archive or corrupt (bad header checksum, entry {entries})"
            )
        typ = hdr[156]
        size = _number(hdr[124:136], what)
        if typ in META:
            if size > max_meta:
                raise ImageError(f"{what}: extended header of {size} bytes (limit {max_meta})")
            data = src.read(size)
            if len(data) < size:
                raise ImageError(f"{what}: truncated archive (ends inside an extended header)")
            pad = -size % BLOCK
            if src.skip(pad) < pad:
                raise ImageError(f"{what}: truncated archive (ends inside an extended header)")
            pending_meta = True
            if typ == ord("x"):
                pax.update(_pax(data, what))
            elif typ == ord("L"):
                long_name = _decode(data)
            elif typ == ord("K"):
                long_link = _decode(data)
            else:  # "g": global header, which no image tool relies on; parsed and ignored
                _pax(data, what)
            continue
        pending_meta = False
        if hdr[257:263] == b"ustar\0" and hdr[345] != 0:
            name = _decode(hdr[345:500]) + "/" + _decode(hdr[0:100])
        else:
            name = _decode(hdr[0:100])
        linkname = _decode(hdr[157:257])
        uid = _number(hdr[108:116], what)
        gid = _number(hdr[116:124], what)
        if long_name is not None:
            name, long_name = long_name, None
        if long_link is not None:
            linkname, long_link = long_link, None
        if pax:
            if any(k.startswith("GNU.sparse.") for k in pax):
                raise ImageError(f"{what}: member {name!r}: sparse files are not supported")
            name = pax.get("path", name)
            linkname = pax.get("linkpath", linkname)
            if "size" in pax:
                size = _pax_int(pax["size"], "size", what)
            if "uid" in pax:
                uid = _pax_int(pax["uid"], "uid", what)
            if "gid" in pax:
                gid = _pax_int(pax["gid"], "gid", what)
            pax = {}
        if len(name) > max_name or len(linkname) > max_name:
            raise ImageError(f"{what}: member name longer than {max_name} characters")
        if typ in HEADER_ONLY:
            data_size = 0
            size = 0
        elif typ in REGULAR:
            data_size = size
        else:
            raise ImageError(f"{what}: member {name!r}: unsupported tar entry type {chr(typ)!r}")
        if size > max_size:
            raise ImageError(f"{what}: member {name!r} declares {size} bytes (limit {max_size})")
        header = Header(
            name,
            typ,
            _number(hdr[100:108], what) & 0o7777,
            uid,
            gid,
            size,
            linkname,
            data_size,
        )
        yield header
        left = after_each(header) if after_each is not None else data_size
        left += -data_size % BLOCK
        if left and src.skip(left) < left:
            raise ImageError(f"{what}: member {name!r}: truncated archive (ends inside content)")
