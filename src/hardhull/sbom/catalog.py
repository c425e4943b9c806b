"""Which image files the catalogers read (:func:`wants`) and what one file yields
(:func:`catalog_file`)."""

from __future__ import annotations

import stat
from collections.abc import Callable

from hardhull.models.packages import Package
from hardhull.sbom import apk, distro, dpkg, gobin, java, npm, python, rpm
from hardhull.sbom.paths import basename, norm
from hardhull.sbom.result import CatalogError, FileResult

#: the largest Go binary or Java archive read (bytes); bigger ones are not cataloged
MAX_BINARY_SIZE = 128 << 20
#: the largest package database or metadata file read (dpkg status, apk installed, rpmdb)
MAX_DATABASE_SIZE = 512 << 20
MAX_METADATA_SIZE = 16 << 20

DPKG_ROOT = "var/lib/dpkg/"
DPKG_STATUS = "var/lib/dpkg/status"
DPKG_INFO = "var/lib/dpkg/info/"
DPKG_STATUS_D = "var/lib/dpkg/status.d/"
APK_INSTALLED = "lib/apk/db/installed"
RPM_SQLITE = ("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite")
RPM_NDB = ("var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db")
RPM_BDB = ("var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages")


_NAMES = frozenset(
    {
        "status",
        "installed",
        "rpmdb.sqlite",
        "Packages.db",
        "Packages",
        "os-release",
        "alpine-release",
        "debian_version",
        "METADATA",
        "RECORD",
        "PKG-INFO",
        "package.json",
    }
)
_SUFFIXES = (".list", ".md5sums", ".egg-info", ".egg")


def _kind(path: str) -> str | None:
    """The cataloger for an image path, by name only."""
    name = path.rpartition("/")[2]
    if (
        name not in _NAMES
        and not name.endswith(_SUFFIXES)
        and not name.lower().endswith(java.ARCHIVE_SUFFIXES)
        and not path.startswith(DPKG_STATUS_D)
    ):
        return None
    if path == DPKG_STATUS:
        return "dpkg-status"
    if path.startswith(DPKG_INFO) and path.endswith(".list") and "/" not in path[len(DPKG_INFO) :]:
        return "dpkg-list"
    if path.startswith(DPKG_STATUS_D) and "/" not in path[len(DPKG_STATUS_D) :]:
        return "dpkg-md5sums" if path.endswith(".md5sums") else "dpkg-status"
    if path == APK_INSTALLED:
        return "apk"
    if path in RPM_SQLITE:
        return "rpm-sqlite"
    if path in RPM_NDB:
        return "rpm-ndb"
    if path in RPM_BDB:
        return "rpm-bdb"
    if path in distro.FILES:
        return "distro"
    parent_name = basename(path[: -len(name) - 1]) if "/" in path else ""
    if name == "METADATA" and parent_name.endswith(".dist-info"):
        return "python"
    if name == "RECORD" and parent_name.endswith(".dist-info"):
        return "python-record"
    if name == "PKG-INFO" and (parent_name.endswith(".egg-info") or parent_name == "EGG-INFO"):
        return "python"
    if name.endswith(".egg-info"):
        return "python"
    if name.endswith(".egg"):
        return "python-egg"
    if name == "package.json" and npm.is_package_json(path):
        return "npm"
    if name.lower().endswith(java.ARCHIVE_SUFFIXES):
        return "java"
    return None


def _is_clean(path: str) -> bool:
    return not path.startswith(("/", "./")) and "//" not in path and "/." not in path


def wants(path: str, size: int, mode: int) -> bool:
    """Whether the catalogers need this image file: call it for every regular file while
    streaming layers and read only those it accepts. ``mode`` is the tar mode (permission
    bits; if file-type bits are present they must say regular file). Executables (any x bit)
    up to :data:`MAX_BINARY_SIZE` are wanted as possible Go binaries."""
    fmt = stat.S_IFMT(mode)
    if fmt and fmt != stat.S_IFREG:
        return False
    p = path if _is_clean(path) else norm(path)
    kind = _kind(p)
    if kind is None:
        return bool(mode & 0o111) and 0 < size <= MAX_BINARY_SIZE
    if kind in ("java", "python-egg"):
        return size <= MAX_BINARY_SIZE
    if kind in ("dpkg-status", "apk", "rpm-sqlite", "rpm-ndb", "rpm-bdb"):
        return size <= MAX_DATABASE_SIZE
    return size <= MAX_METADATA_SIZE


def _packages(parse: Callable[[bytes, str], list[Package]]) -> Callable[[bytes, str], FileResult]:
    return lambda data, path: FileResult(packages=tuple(parse(data, path)))


def _gobin(data: bytes, path: str) -> FileResult:
    if not gobin.is_executable(data):
        return FileResult()
    return FileResult(packages=tuple(gobin.parse_go_binary(data, path)))


_CATALOGERS: dict[str, Callable[[bytes, str], FileResult]] = {
    "dpkg-status": _packages(dpkg.parse_status),
    "dpkg-list": lambda data, path: FileResult(
        owns=((dpkg.list_owner(path), dpkg.parse_list(data)),)
    ),
    "dpkg-md5sums": lambda data, path: FileResult(
        owns=((dpkg.list_owner(path), dpkg.parse_md5sums(data)),)
    ),
    "apk": _packages(apk.parse_installed),
    "rpm-sqlite": _packages(rpm.parse_sqlite),
    "rpm-ndb": _packages(rpm.parse_ndb),
    "rpm-bdb": _packages(rpm.parse_bdb),
    "python": _packages(python.parse_metadata),
    "python-egg": _packages(python.parse_egg),
    "python-record": lambda data, path: FileResult(
        owns=((path.rsplit("/", 1)[0], python.parse_record(data, path)),)
    ),
    "npm": _packages(npm.parse_package_json),
    "java": _packages(java.parse_archive),
    "distro": lambda data, path: FileResult(),
}


def catalog_file(path: str, data: bytes) -> FileResult:
    """Packages (and owned files) in one image file that :func:`wants` accepted. Never raises
    for bad content: a file that cannot be read gives a result whose ``errors`` say why."""
    p = norm(path)
    kind = _kind(p)
    fn = _CATALOGERS.get(kind) if kind else _gobin
    if fn is None:
        return FileResult()
    try:
        return fn(data, p)
    except CatalogError as e:
        return FileResult(errors=(f"{p}: {e}",))
    except RecursionError:
        return FileResult(errors=(f"{p}: nested too deeply",))
