"""dpkg: ``var/lib/dpkg/status`` (installed packages), ``var/lib/dpkg/info/*.list`` (the
files each owns), distroless ``var/lib/dpkg/status.d/<name>`` (one status paragraph per
file) and ``status.d/<name>.md5sums`` (its files)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.models.packages import Package
from hardhull.sbom.paths import basename, norm
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError

#: dpkg's package states whose files are not on disk; every other state (installed,
#: unpacked, half-configured, half-installed, triggers-awaited, triggers-pending) has them
NOT_INSTALLED = frozenset({"not-installed", "config-files"})
_SOURCE = re.compile(r"^(\S+)(?:\s+\((\S+)\))?\s*$")


def _paragraphs(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    key = ""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, ""
        elif line[0] in " \t":
            if key:  # continuation lines (Description, Conffiles): not needed, kept short
                continue
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        else:
            # the line itself is not echoed: a file in an image may hold anything
            raise CatalogError(f"line {number}: not a 'Field: value' line of a dpkg status file")
    if fields:
        yield fields


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise CatalogError("binary data in a dpkg status file")
    return data.decode("utf-8", errors="replace")


def parse_status(data: bytes, path: str) -> list[Package]:
    """Installed packages of a dpkg status file (or one distroless ``status.d`` file)."""
    out: list[Package] = []
    for f in _paragraphs(_decode(data)):
        name, version = f.get("Package", ""), f.get("Version", "")
        status = f.get("Status", "install ok installed").split()
        if not name or not version or (status and status[-1] in NOT_INSTALLED):
            continue
        arch = f.get("Architecture") or None
        src_name, src_version = None, None
        if m := _SOURCE.match(f.get("Source", "")):
            src_name, src_version = m.group(1), m.group(2) or version
        out.append(
            Package(
                name=name,
                version=version,
                ecosystem="Debian",
                purl=purl(
                    "deb",
                    name,
                    version,
                    "debian",
                    {"arch": arch or "", "upstream": src_name or ""},
                ),
                source_name=src_name,
                source_version=src_version if src_name else None,
                arch=arch,
                path=path,
            )
        )
    return out


def parse_list(data: bytes) -> tuple[str, ...]:
    """The files of a ``info/*.list`` file (absolute paths, one a line)."""
    text = _decode(data)
    return tuple(p for line in text.splitlines() if (p := norm(line.strip())))


def parse_md5sums(data: bytes) -> tuple[str, ...]:
    """The files of a ``*.md5sums`` file (``<md5>  <path>`` lines)."""
    out = []
    for line in _decode(data).splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2:
            out.append(norm(parts[1]))
    return tuple(p for p in out if p)


def list_owner(path: str) -> str:
    """The package key of ``var/lib/dpkg/info/<key>.list`` / ``status.d/<key>.md5sums``."""
    name = basename(path)
    return name.rsplit(".", 1)[0]
