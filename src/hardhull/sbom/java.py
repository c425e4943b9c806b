"""Java archives (jar, war, ear, and Jenkins' jpi/hpi): every ``META-INF/maven/**/
pom.properties`` (the archive's own artifact and those shaded into it) and, when there is
none, ``META-INF/MANIFEST.MF`` and the file name; nested archives (``BOOT-INF/lib``,
``WEB-INF/lib``, ``lib/``...) are read too, to a bounded depth and size."""

from __future__ import annotations

import io
import re
import zipfile

from hardhull.models.packages import Package
from hardhull.sbom.paths import basename
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError

ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".jpi", ".hpi")
#: nesting depth of archives read inside an archive
MAX_DEPTH = 3
#: total bytes decompressed from one top-level archive (metadata and nested archives)
MAX_INFLATE = 256 << 20
MAX_MEMBERS = 100_000
_VERSION = re.compile(r"^[0-9A-Za-z][\w.+~-]*$")
_FILENAME = re.compile(r"^(?P<name>.+?)-(?P<version>\d[\w.+-]*?)(?:\.(?:jar|war|ear|jpi|hpi))$")


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_INFLATE

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > self.left:
            raise CatalogError("java archive: nested content beyond the size bound")
        data = zf.read(info)
        self.left -= len(data)
        return data


def _properties(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def _manifest(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    key = ""
    for line in data.decode("utf-8", errors="replace").splitlines():
        if line.startswith(" ") and key:
            out[key] += line[1:]
        elif ":" in line:
            key, _, v = line.partition(":")
            key = key.strip()
            out.setdefault(key, v.strip())
        elif not line.strip():
            key = ""  # only the main section is read
            if out:
                break
    return out


def _maven(group: str, artifact: str, version: str, path: str) -> Package:
    name = f"{group}:{artifact}" if group else artifact
    return Package(
        name=name,
        version=version,
        ecosystem="Maven",
        purl=purl("maven", artifact, version, group or None),
        path=path,
    )


def _archive(data: bytes, name: str, path: str, depth: int, budget: _Budget) -> list[Package]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise CatalogError(f"java archive {name}: {e}") from None
    if len(infos) > MAX_MEMBERS:
        raise CatalogError(f"java archive {name}: more than {MAX_MEMBERS} members")
    out: list[Package] = []
    manifest: dict[str, str] = {}
    try:
        for info in infos:
            n = info.filename
            if n.startswith("META-INF/maven/") and n.endswith("/pom.properties"):
                p = _properties(budget.read(zf, info))
                if p.get("artifactId") and p.get("version"):
                    out.append(_maven(p.get("groupId", ""), p["artifactId"], p["version"], path))
            elif n.upper() == "META-INF/MANIFEST.MF":
                manifest = _manifest(budget.read(zf, info))
        if not out:
            out.extend(_from_manifest(manifest, name, path))
        if depth < MAX_DEPTH:
            for info in infos:
                if info.filename.lower().endswith(ARCHIVE_SUFFIXES) and not info.is_dir():
                    inner = budget.read(zf, info)
                    out.extend(_archive(inner, info.filename, path, depth + 1, budget))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise CatalogError(f"java archive {name}: {e}") from None
    return out


def _from_manifest(m: dict[str, str], name: str, path: str) -> list[Package]:
    fm = _FILENAME.match(basename(name))
    artifact = fm.group("name") if fm else ""
    # the file name Maven and Gradle derive from the coordinates first: manifests are often
    # stale (commons-beanutils-1.7.0.jar says 1.6)
    candidates = (
        fm.group("version") if fm else "",
        m.get("Implementation-Version", ""),
        m.get("Bundle-Version", ""),
        m.get("Specification-Version", ""),
    )
    # a manifest may hold an unexpanded build expression ("task ':x:jar' property ...")
    version = next((v for v in candidates if _VERSION.match(v)), "")
    group = m.get("Implementation-Vendor-Id", "")
    if not _VERSION.match(group):
        group = ""
    if not artifact:
        artifact = m.get("Implementation-Title") or m.get("Bundle-SymbolicName", "").split(";")[0]
        artifact = artifact.strip()
    if not artifact or not version or " " in artifact:
        return []
    return [_maven(group, artifact, version, path)]


def parse_archive(data: bytes, path: str) -> list[Package]:
    """Packages of a Java archive's bytes; nested archives to :data:`MAX_DEPTH`, at most
    :data:`MAX_INFLATE` bytes decompressed in all."""
    seen: set[tuple[str, str]] = set()
    out = []
    for p in _archive(data, basename(path), path, 0, _Budget()):
        if (p.name, p.version) not in seen:
            seen.add((p.name, p.version))
            out.append(p)
    return out
