"""Go binaries: the build information the Go linker embeds (``runtime/debug.BuildInfo``),
found by the ``\\xff Go buildinf:`` magic. Two layouts: Go ≥ 1.18 stores the Go version and
the module information inline after the 32-byte header (flag bit 2); older ones store two
pointers to Go strings, resolved here through the ELF program headers (PE and Mach-O
binaries of that age are not read). Yields the main module (unless its version is
``(devel)``), every dependency (replacements applied) and ``stdlib`` at the Go version."""

from __future__ import annotations

import struct

from hardhull.models.packages import Package
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError

MAGIC = b"\xff Go buildinf:"
EXECUTABLE_MAGICS = (b"\x7fELF", b"MZ", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
MAX_STRING = 16 << 20


def is_executable(data: bytes) -> bool:
    return data[:4].startswith(EXECUTABLE_MAGICS)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise CatalogError("Go build info: truncated length")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def _inline_string(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = _varint(data, pos)
    if n > MAX_STRING or pos + n > len(data):
        raise CatalogError("Go build info: string beyond the file")
    return data[pos : pos + n].decode("utf-8", errors="replace"), pos + n


class _Elf:
    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"\x7fELF") or len(data) < 64:
            raise CatalogError("Go build info in the pointer format outside an ELF binary")
        self.data = data
        cls, enc = data[4], data[5]
        if cls not in (1, 2) or enc not in (1, 2):
            raise CatalogError("ELF header: unknown class or byte order")
        e = "<" if enc == 1 else ">"
        self.loads: list[tuple[int, int, int]] = []
        if cls == 2:
            phoff, phentsize, phnum = (
                struct.unpack_from(e + "Q", data, 32)[0],
                *struct.unpack_from(e + "HH", data, 54),
            )
        else:
            phoff, phentsize, phnum = (
                struct.unpack_from(e + "I", data, 28)[0],
                *struct.unpack_from(e + "HH", data, 42),
            )
        for i in range(min(phnum, 4096)):
            off = phoff + i * phentsize
            if off + (56 if cls == 2 else 32) > len(data):
                raise CatalogError("ELF program headers beyond the file")
            if cls == 2:
                ptype, _, poff, vaddr, _, filesz = struct.unpack_from(e + "IIQQQQ", data, off)
            else:
                ptype, poff, vaddr, _, filesz = struct.unpack_from(e + "IIIII", data, off)
            if ptype == 1:
                self.loads.append((vaddr, poff, filesz))

    def read(self, addr: int, size: int) -> bytes:
        for vaddr, poff, filesz in self.loads:
            if vaddr <= addr and addr + size <= vaddr + filesz:
                start = poff + addr - vaddr
                if start + size <= len(self.data):
                    return self.data[start : start + size]
        raise CatalogError("Go build info: pointer outside the binary's loaded segments")


def _pointer_strings(data: bytes, at: int, ptr_size: int, big: bool) -> tuple[str, str]:
    elf = _Elf(data)
    e = ">" if big else "<"
    fmt = e + ("Q" if ptr_size == 8 else "I")

    def string_at(addr: int) -> str:
        hdr = elf.read(addr, 2 * ptr_size)
        ptr = struct.unpack_from(fmt, hdr, 0)[0]
        n = struct.unpack_from(fmt, hdr, ptr_size)[0]
        if n > MAX_STRING:
            raise CatalogError("Go build info: string too long")
        return elf.read(ptr, n).decode("utf-8", errors="replace") if n else ""

    if at + 16 + 2 * ptr_size > len(data):
        raise CatalogError("Go build info header truncated")
    vers_addr = struct.unpack_from(fmt, data, at + 16)[0]
    mod_addr = struct.unpack_from(fmt, data, at + 16 + ptr_size)[0]
    return string_at(vers_addr), string_at(mod_addr)


def build_info(data: bytes) -> tuple[str, str] | None:
    """(Go version, module info text) of a Go binary; None when the data holds no build info."""
    at = data.find(MAGIC)
    while at >= 0 and at + 32 <= len(data):
        ptr_size, flags = data[at + 14], data[at + 15]
        if ptr_size in (4, 8):
            if flags & 2:
                version, pos = _inline_string(data, at + 32)
                mod, _ = _inline_string(data, pos)
                return version, mod
            return _pointer_strings(data, at, ptr_size, bool(flags & 1))
        at = data.find(MAGIC, at + 1)
    return None


def _go_package(name: str, version: str, path: str) -> Package:
    # the purl-spec's golang type lowercases namespace and name (trivy does); the module path
    # itself is case-sensitive and is kept as the name
    namespace, _, bare = name.lower().rpartition("/")
    return Package(
        name=name,
        version=version,
        ecosystem="Go",
        purl=purl("golang", bare, version, namespace or None),
        path=path,
    )


def parse_go_binary(data: bytes, path: str) -> list[Package]:
    info = build_info(data)
    if info is None:
        return []
    go_version, mod = info
    if len(mod) >= 33 and mod[-17] == "\n":
        mod = mod[16:-16]
    out: list[Package] = []
    last: tuple[str, str] | None = None
    modules: list[tuple[str, str]] = []
    for line in mod.splitlines():
        f = line.split("\t")
        if f[0] in ("mod", "dep") and len(f) >= 3:
            modules.append((f[1], f[2]))
            last = modules[-1]
            if f[0] == "mod" and f[2] == "(devel)":
                modules.pop()
                last = None
        elif f[0] == "=>" and len(f) >= 3 and last is not None:
            modules[-1] = (f[1], f[2])
    for name, version in modules:
        if name and version and version != "(devel)":
            out.append(_go_package(name, version, path))
    v = go_version.split()[0] if go_version.split() else ""
    if v.startswith("go") and v[2:3].isdigit():
        out.append(_go_package("stdlib", "v" + v[2:], path))
    return out
