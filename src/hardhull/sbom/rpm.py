"""rpm: the sqlite database (``var/lib/rpm/rpmdb.sqlite``, ``usr/lib/sysimage/rpm/
rpmdb.sqlite``; rpm ≥ 4.16, Fedora 33+, RHEL 9, Rocky/Alma 9, CBL-Mariner 2) and the NDB
one (``Packages.db`` in the same folders; SUSE Linux Enterprise 15, openSUSE Leap).

Each row of its ``Packages`` table is an rpm header blob: a big-endian index count and data
length, index entries (tag, type, offset, count) and the data store. The tags read are
name, version, release, epoch, arch, licence, source rpm and the file names (basenames,
dirnames, dirindexes; or the old flat filenames).

NDB (rpm's lib/backend/ndb/rpmpkg.c): a 32-byte little-endian header (magic ``RpmP``,
version 0, generation, number of 4 KiB slot pages), then the slots (magic ``Slot``, package
index, block offset, block count; blocks are 16 bytes; the header takes the first two slots);
a used slot points to a blob (magic ``BlbS``, package index, checksum, length) holding the
header.

Berkeley DB (``Packages`` in the same folders; RHEL/CentOS 7 and 8, UBI 8, Amazon Linux 2):
the hash access method's pages read directly (:func:`parse_bdb`), no Berkeley DB library.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Mapping

from hardhull.models.packages import Package
from hardhull.sbom.paths import norm
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError

TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH = 1000, 1001, 1002, 1003
TAG_LICENSE, TAG_ARCH, TAG_OLDFILENAMES, TAG_SOURCERPM = 1014, 1022, 1027, 1044
TAG_DIRINDEXES, TAG_BASENAMES, TAG_DIRNAMES = 1116, 1117, 1118

T_INT8, T_INT16, T_INT32, T_INT64 = 2, 3, 4, 5
T_STRING, T_BIN, T_STRING_ARRAY, T_I18NSTRING = 6, 7, 8, 9
_INT_FORMATS = {T_INT8: ("B", 1), T_INT16: ("H", 2), T_INT32: ("I", 4), T_INT64: ("Q", 8)}

#: bounds on one header (rpm's own limits: 0xffff entries, 256 MB data)
MAX_ENTRIES = 0xFFFF
MAX_DATA = 256 << 20

Value = str | tuple[str, ...] | tuple[int, ...]


def parse_header(blob: bytes) -> dict[int, Value]:
    """The tags this cataloger reads from one rpm header blob (without the lead magic)."""
    if len(blob) < 8:
        raise CatalogError("rpm header blob too short")
    il, dl = struct.unpack_from(">II", blob, 0)
    if il > MAX_ENTRIES or dl > MAX_DATA or 8 + 16 * il + dl > len(blob):
        raise CatalogError("rpm header blob: index or data length beyond the blob")
    base = 8 + 16 * il
    end_of_data = base + dl
    wanted = {
        TAG_NAME,
        TAG_VERSION,
        TAG_RELEASE,
        TAG_EPOCH,
        TAG_LICENSE,
        TAG_ARCH,
        TAG_OLDFILENAMES,
        TAG_SOURCERPM,
        TAG_DIRINDEXES,
        TAG_BASENAMES,
        TAG_DIRNAMES,
    }
    out: dict[int, Value] = {}
    for i in range(il):
        tag, typ, offset, count = struct.unpack_from(">iIiI", blob, 8 + 16 * i)
        if tag not in wanted:
            continue
        if offset < 0 or offset > dl or count > dl + 1:
            raise CatalogError(f"rpm header tag {tag}: offset or count beyond the data")
        if typ in (T_STRING, T_I18NSTRING, T_STRING_ARRAY):
            n = 1 if typ == T_STRING else count
            strings: list[str] = []
            pos = base + offset
            for _ in range(n):
                end = blob.find(b"\x00", pos, end_of_data)
                if end < 0:
                    raise CatalogError(f"rpm header tag {tag}: unterminated string")
                strings.append(blob[pos:end].decode("utf-8", errors="replace"))
                pos = end + 1
            out[tag] = strings[0] if typ == T_STRING else tuple(strings)
        elif typ in _INT_FORMATS:
            fmt, size = _INT_FORMATS[typ]
            if offset + size * count > dl:
                raise CatalogError(f"rpm header tag {tag}: integers beyond the data")
            out[tag] = struct.unpack_from(f">{count}{fmt}", blob, base + offset)
    return out


def _text(h: Mapping[int, Value], tag: int) -> str:
    v = h.get(tag)
    if isinstance(v, str):
        return v
    if isinstance(v, tuple) and v and isinstance(v[0], str):
        return v[0]
    return ""


def _files(h: Mapping[int, Value]) -> tuple[str, ...]:
    base, dirs, idx = h.get(TAG_BASENAMES), h.get(TAG_DIRNAMES), h.get(TAG_DIRINDEXES)
    if isinstance(base, tuple) and isinstance(dirs, tuple) and isinstance(idx, tuple):
        if len(base) != len(idx):
            raise CatalogError("rpm header: basenames and dirindexes differ in length")
        out = []
        for b, i in zip(base, idx, strict=True):
            if not isinstance(i, int) or not 0 <= i < len(dirs):
                raise CatalogError("rpm header: dirindex out of range")
            out.append(norm(f"{dirs[i]}{b}"))
        return tuple(out)
    old = h.get(TAG_OLDFILENAMES)
    if isinstance(old, tuple):
        return tuple(norm(str(p)) for p in old)
    return ()


def source_name(sourcerpm: str) -> str | None:
    """``openssl-3.0.7-27.el9.src.rpm`` → ``openssl``."""
    stem = sourcerpm.removesuffix(".rpm").removesuffix(".src").removesuffix(".nosrc")
    parts = stem.rsplit("-", 2)
    return parts[0] if len(parts) == 3 and parts[0] else None


def package_from_header(h: Mapping[int, Value], path: str) -> Package | None:
    name, version, release = _text(h, TAG_NAME), _text(h, TAG_VERSION), _text(h, TAG_RELEASE)
    if not name or not version or name == "gpg-pubkey":
        return None
    epoch_v = h.get(TAG_EPOCH)
    epoch = epoch_v[0] if isinstance(epoch_v, tuple) and epoch_v else None
    vr = f"{version}-{release}" if release else version
    full = f"{epoch}:{vr}" if epoch is not None else vr
    arch = _text(h, TAG_ARCH) or None
    src = source_name(_text(h, TAG_SOURCERPM))
    lic = _text(h, TAG_LICENSE)
    return Package(
        name=name,
        version=full,
        ecosystem="Red Hat",
        purl=purl(
            "rpm",
            name,
            vr,
            "redhat",
            {
                "arch": arch or "",
                "epoch": str(epoch) if epoch is not None else "",
                "upstream": _text(h, TAG_SOURCERPM),
            },
        ),
        source_name=src,
        source_version=full if src else None,
        arch=arch,
        licenses=(lic,) if lic else (),
        path=path,
        files=_files(h),
    )


def parse_sqlite(data: bytes, path: str) -> list[Package]:
    """Packages of an ``rpmdb.sqlite`` file's bytes (read in memory: never written to disk)."""
    if not data.startswith(b"SQLite format 3\x00") or len(data) < 100:
        raise CatalogError("not an SQLite database")
    # a database left in WAL mode opens read-only in memory only as a rollback-journal one
    buf = bytearray(data)
    buf[18:20] = b"\x01\x01"
    con = sqlite3.connect(":memory:")
    con.text_factory = bytes  # a corrupt page may hold any bytes where text was
    try:
        con.deserialize(bytes(buf))
        rows = con.execute("SELECT blob FROM Packages").fetchall()
    except (sqlite3.Error, ValueError, OverflowError, MemoryError) as e:
        raise CatalogError(f"rpm sqlite database: {e}") from None
    finally:
        con.close()
    out = []
    for (blob,) in rows:
        if not isinstance(blob, bytes):
            raise CatalogError("rpm sqlite database: a Packages row is not a blob")
        if (pkg := package_from_header(parse_header(blob), path)) is not None:
            out.append(pkg)
    return out


NDB_MAGIC = 0x506D7052  # "RpmP"
NDB_SLOT_MAGIC = 0x746F6C53  # "Slot"
NDB_BLOB_MAGIC = 0x53626C42  # "BlbS"
NDB_MAX_SLOT_PAGES = 2048
NDB_BLOCK = 16


def parse_ndb(data: bytes, path: str) -> list[Package]:
    """Packages of an NDB ``Packages.db`` file's bytes."""
    if len(data) < 32:
        raise CatalogError("rpm NDB database too short")
    magic, version, _, npages = struct.unpack_from("<IIII", data, 0)
    if magic != NDB_MAGIC or version != 0:
        raise CatalogError("not an rpm NDB database")
    if not 0 < npages <= NDB_MAX_SLOT_PAGES or npages * 4096 > len(data):
        raise CatalogError("rpm NDB database: slot pages beyond the file")
    out = []
    for i in range(2, npages * 4096 // 16):
        slot_magic, pkg_index, blk_offset, blk_count = struct.unpack_from("<IIII", data, i * 16)
        if slot_magic != NDB_SLOT_MAGIC:
            raise CatalogError(f"rpm NDB database: bad slot {i}")
        if pkg_index == 0:
            continue
        start = blk_offset * NDB_BLOCK
        if start + 16 > len(data) or blk_count * NDB_BLOCK > len(data) - start:
            raise CatalogError(f"rpm NDB database: package {pkg_index} beyond the file")
        blob_magic, blob_index, _, blob_len = struct.unpack_from("<IIII", data, start)
        if blob_magic != NDB_BLOB_MAGIC or blob_index != pkg_index:
            raise CatalogError(f"rpm NDB database: bad blob for package {pkg_index}")
        if blob_len > blk_count * NDB_BLOCK - 16:
            raise CatalogError(f"rpm NDB database: blob of package {pkg_index} too long")
        blob = data[start + 16 : start + 16 + blob_len]
        if (pkg := package_from_header(parse_header(blob), path)) is not None:
            out.append(pkg)
    return out


# Berkeley DB hash databases (var/lib/rpm/Packages: RHEL/CentOS 7 and 8, UBI 8, Amazon Linux 2),
# read-only and by page: the metadata page gives the byte order and page size; every hash
# page holds (key, value) items, rpm's values being the header blobs, inline or on a chain
# of overflow pages.
BDB_HASH_MAGIC = 0x00061561
BDB_P_HASH_UNSORTED, BDB_P_OVERFLOW, BDB_P_HASH = 2, 7, 13
BDB_H_KEYDATA, BDB_H_OFFPAGE = 1, 3
BDB_PAGE_HEADER = 26
BDB_MAX_PAGES = 1 << 20


def _bdb_value(data: bytes, e: str, page_size: int, page: int, item: int, end: int) -> bytes:
    """The bytes of one hash item (``item`` to ``end`` in page ``page``)."""
    base = page * page_size
    kind = data[base + item]
    if kind == BDB_H_KEYDATA:
        return data[base + item + 1 : base + end]
    if kind != BDB_H_OFFPAGE:
        raise CatalogError(f"rpm Berkeley DB: unsupported item type {kind} on page {page}")
    if item + 12 > page_size:
        raise CatalogError(f"rpm Berkeley DB: item beyond page {page}")
    pgno, total = struct.unpack_from(e + "II", data, base + item + 4)
    out = bytearray()
    seen = 0
    npages = len(data) // page_size
    while pgno and len(out) < total:
        seen += 1
        if pgno >= npages or seen > npages:
            raise CatalogError("rpm Berkeley DB: overflow chain leaves the file or loops")
        at = pgno * page_size
        nxt, _, length, _, ptype = struct.unpack_from(e + "IHHBB", data, at + 16)
        if ptype != BDB_P_OVERFLOW or length > page_size - BDB_PAGE_HEADER:
            raise CatalogError(f"rpm Berkeley DB: page {pgno} is not an overflow page")
        out += data[at + BDB_PAGE_HEADER : at + BDB_PAGE_HEADER + length]
        pgno = nxt
    if len(out) != total:
        raise CatalogError("rpm Berkeley DB: overflow chain shorter than its item")
    return bytes(out)


def parse_bdb(data: bytes, path: str) -> list[Package]:
    """Packages of a Berkeley DB hash ``Packages`` file's bytes."""
    if len(data) < 512:
        raise CatalogError("rpm Berkeley DB too short")
    for e in ("<", ">"):
        if struct.unpack_from(e + "I", data, 12)[0] == BDB_HASH_MAGIC:
            break
    else:
        raise CatalogError("not a Berkeley DB hash database")
    page_size = struct.unpack_from(e + "I", data, 20)[0]
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise CatalogError("rpm Berkeley DB: bad page size")
    npages = len(data) // page_size
    if npages > BDB_MAX_PAGES:
        raise CatalogError("rpm Berkeley DB: too many pages")
    out = []
    for page in range(1, npages):
        base = page * page_size
        entries, _, _, ptype = struct.unpack_from(e + "HHBB", data, base + 20)
        if ptype not in (BDB_P_HASH, BDB_P_HASH_UNSORTED):
            continue
        if BDB_PAGE_HEADER + 2 * entries > page_size:
            raise CatalogError(f"rpm Berkeley DB: page {page} has too many entries")
        offsets = struct.unpack_from(f"{e}{entries}H", data, base + BDB_PAGE_HEADER)
        # items are laid out from the page's end down: item i ends where item i-1 starts
        for i in range(1, entries, 2):  # values; keys (even indexes) are package numbers
            item, end = offsets[i], offsets[i - 1]
            if not BDB_PAGE_HEADER <= item < end <= page_size:
                raise CatalogError(f"rpm Berkeley DB: bad item offset on page {page}")
            value = _bdb_value(data, e, page_size, page, item, end)
            if len(value) <= 8:  # rpm's record 0: the next package number
                continue
            if (pkg := package_from_header(parse_header(value), path)) is not None:
                out.append(pkg)
    return out
