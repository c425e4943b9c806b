"""Go binaries: Debian's skopeo and docker-registry (Go 1.19 build info, inline format), and
any module-mode Go binary on this machine checked against the Go version Debian records."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

from hardhull import sbom
from hardhull.sbom import gobin

from .conftest import need


def _built_with_go(deb: str) -> str:
    need("dpkg")
    out = subprocess.run(["dpkg", "-s", deb], capture_output=True, text=True).stdout
    m = re.search(r"golang-1\.\d+ \(= ([\d.]+)", out)
    if not m:
        pytest.skip(f"{deb}: no Built-Using golang")
    return m.group(1)


@pytest.mark.parametrize("tool", ["skopeo", "docker-registry"])
def test_debian_go_binaries(tool: str) -> None:
    path = Path(need(tool))
    data = path.read_bytes()
    image_path = str(path).lstrip("/")
    assert sbom.wants(image_path, len(data), 0o755)
    r = sbom.catalog_file(image_path, data)
    assert r.errors == ()
    stdlib = [p for p in r.packages if p.name == "stdlib"]
    assert [p.version for p in stdlib] == ["v" + _built_with_go(tool)]
    assert stdlib[0].purl == f"pkg:golang/stdlib@{stdlib[0].version}"
    assert stdlib[0].ecosystem == "Go"


def test_go_binary_owned_by_a_debian_package_is_dropped() -> None:
    skopeo = Path(need("skopeo"))
    if not Path("/var/lib/dpkg/info/skopeo.list").exists():
        pytest.skip("skopeo is not a Debian package here")
    results = {
        "var/lib/dpkg/status": sbom.catalog_file(
            "var/lib/dpkg/status", Path("/var/lib/dpkg/status").read_bytes()
        ),
        "var/lib/dpkg/info/skopeo.list": sbom.catalog_file(
            "var/lib/dpkg/info/skopeo.list", Path("/var/lib/dpkg/info/skopeo.list").read_bytes()
        ),
        str(skopeo).lstrip("/"): sbom.catalog_file(str(skopeo), skopeo.read_bytes()),
    }
    packages = sbom.assemble(results, None, {})
    assert not [p for p in packages if p.ecosystem == "Go"]
    assert [p.name for p in packages if p.name == "skopeo"] == ["skopeo"]


def test_scripts_and_non_go_executables_yield_nothing() -> None:
    assert sbom.catalog_file("usr/bin/script", b"#!/bin/sh\necho hi\n").packages == ()
    ls = Path("/bin/ls").read_bytes()
    assert sbom.catalog_file("bin/ls", ls) == sbom.FileResult()


def _old_format_elf(version: str, modinfo: str) -> bytes:
    """A 64-bit little-endian ELF laid out as Go 1.13-1.17's linker writes build info: the
    16-byte header (magic, pointer size 8, flags 0) followed by two pointers to Go string
    headers (pointer, length) in a loaded segment."""
    vaddr, base = 0x400000, 0x1000
    body = bytearray(0x1000)
    strings = bytearray()
    v_at = 0x200
    m_at = v_at + len(version.encode())
    strings += version.encode() + modinfo.encode()
    body[v_at : v_at + len(strings)] = strings
    hdr_at = 0x100  # string headers
    struct.pack_into("<QQ", body, hdr_at, vaddr + v_at, len(version.encode()))
    struct.pack_into("<QQ", body, hdr_at + 16, vaddr + m_at, len(modinfo.encode()))
    info = gobin.MAGIC + bytes([8, 0]) + struct.pack("<QQ", vaddr + hdr_at, vaddr + hdr_at + 16)
    body[0:32] = info
    ehdr = bytearray(64)
    ehdr[0:4] = b"\x7fELF"
    ehdr[4], ehdr[5] = 2, 1
    struct.pack_into("<Q", ehdr, 32, 64)  # e_phoff
    struct.pack_into("<HH", ehdr, 54, 56, 1)  # e_phentsize, e_phnum
    phdr = struct.pack("<IIQQQQQQ", 1, 5, base, vaddr, vaddr, len(body), len(body), 0x1000)
    out = bytearray(ehdr + phdr)
    out += b"\x00" * (base - len(out))
    return bytes(out + body)


def test_pre_go_1_18_pointer_format() -> None:
    sentinel = "0" * 16
    modinfo = (
        f"{sentinel}path\texample.com/app\nmod\texample.com/app\tv1.0.0\th1:x\n"
        "dep\tgolang.org/x/text\tv0.3.0\th1:y\n=>\tgolang.org/x/text\tv0.3.8\th1:z\n"
        f"dep\tgithub.com/pkg/errors\tv0.9.1\th1:w\n{sentinel}"
    )
    elf = _old_format_elf("go1.16.15", modinfo)
    got = {(p.name, p.version) for p in gobin.parse_go_binary(elf, "app")}
    assert got == {
        ("example.com/app", "v1.0.0"),
        ("golang.org/x/text", "v0.3.8"),
        ("github.com/pkg/errors", "v0.9.1"),
        ("stdlib", "v1.16.15"),
    }


def test_truncated_build_info_is_a_catalog_error() -> None:
    data = b"\x7fELF" + b"\x00" * 60 + gobin.MAGIC + bytes([8, 2]) + b"\x00" * 16 + b"\xff\xff"
    r = sbom.catalog_file("usr/bin/app", data)
    assert r.errors and r.packages == ()


def test_purls_of_mixed_case_module_paths_are_lowercased() -> None:
    """A module-mode Go binary of this machine with a mixed-case module path, if any: the
    name keeps the module path, the purl is lowercased as the purl-spec's golang type says."""
    for candidate in ("/usr/local/bin/terraform", "/tmp/peers/bin/trivy"):
        path = Path(candidate)
        if path.is_file():
            packages = gobin.parse_go_binary(path.read_bytes(), candidate)
            mixed = [p for p in packages if p.name != p.name.lower()]
            if mixed:
                p = mixed[0]
                assert p.purl == f"pkg:golang/{p.name.lower()}@{p.version}"
                return
    pytest.skip("no module-mode Go binary with a mixed-case module path on this machine")
