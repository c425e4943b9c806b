"""From per-file results to the image's package list: OS packages get their distro's
ecosystem and purl, and the files they own; language packages in files an OS package owns
are dropped; every package gets the layer that brought it in."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from packageurl import PackageURL

from hardhull.models.packages import Distro, Package
from hardhull.sbom.catalog import DPKG_INFO, DPKG_ROOT
from hardhull.sbom.paths import parent
from hardhull.sbom.purls import (
    DEFAULT_OS_ECOSYSTEM,
    OS_ECOSYSTEMS,
    RPM_NAMESPACES,
    distro_qualifier,
)
from hardhull.sbom.result import FileResult

OS_TYPES = frozenset(DEFAULT_OS_ECOSYSTEM)


def _os_package(pkg: Package, distro: Distro | None) -> Package:
    p = PackageURL.from_string(pkg.purl)
    ecosystem = DEFAULT_OS_ECOSYSTEM[p.type]
    namespace = p.namespace
    if distro is not None:
        ecosystem = OS_ECOSYSTEMS.get(distro.id, ecosystem)
        namespace = RPM_NAMESPACES.get(distro.id, distro.id) if p.type == "rpm" else distro.id
    qualifiers = dict(p.qualifiers) if isinstance(p.qualifiers, dict) else {}
    if q := distro_qualifier(distro):
        qualifiers["distro"] = q
    purl = PackageURL(
        type=p.type, namespace=namespace, name=p.name, version=p.version, qualifiers=qualifiers
    ).to_string()
    return dataclasses.replace(pkg, ecosystem=ecosystem, purl=str(purl))


def _introduced(
    key: tuple[str, str, str | None], versions: Sequence[tuple[str, FileResult]]
) -> str | None:
    """The layer from which on every version of a database holds the package: the layer that
    installed it (or last upgraded it), though later layers rewrote the database."""
    layer = None
    for digest, r in reversed(versions):
        if not any((p.name, p.version, p.arch) == key for p in r.packages):
            break
        layer = digest
    return layer


def assemble(
    results: Mapping[str, FileResult],
    distro: Distro | None,
    layer_of: Mapping[str, str],
    history: Mapping[str, Sequence[tuple[str, FileResult]]] | None = None,
) -> list[Package]:
    """The image's packages from :func:`catalog_file` results keyed by image path.

    ``layer_of`` maps an image path to the digest of the layer that last wrote it. A
    language package's layer is that of its metadata file. An OS package's layer is, when
    ``history`` has its database file (image path → ``(layer digest, result)`` of every layer
    that wrote that file, oldest first, the last being the one in ``results``), the layer from
    which on every version of the database holds the package at that version: the layer that
    installed or upgraded it. Without it: the layer of its own record when it has one (dpkg
    ``info/<name>.list``, rewritten only when the package is installed or upgraded; distroless
    ``status.d/<name>``), else that of the database file. Sorted by ecosystem, name, version,
    path."""
    norm_layer = {k.lstrip("/"): v for k, v in layer_of.items()}
    norm_history = {k.lstrip("/"): v for k, v in (history or {}).items()}
    owned_by: dict[str, tuple[str, ...]] = {}
    record_of: dict[str, str] = {}
    for path, r in results.items():
        for key, files in r.owns:
            owned_by[key] = files
            record_of[key] = path.lstrip("/")

    packages: list[Package] = []
    # every file a dpkg list names is an OS package's, whether or not the status has it
    os_files: set[str] = {
        f for key, files in owned_by.items() if record_of[key].startswith(DPKG_ROOT) for f in files
    }
    for r in results.values():
        for pkg in r.packages:
            if not pkg.purl.startswith(tuple(f"pkg:{t}/" for t in OS_TYPES)):
                continue
            pkg = _os_package(pkg, distro)
            layer = norm_layer.get(pkg.path)
            if pkg.purl.startswith("pkg:deb/"):
                keys = [f"{pkg.name}:{pkg.arch}", pkg.name] if pkg.arch else [pkg.name]
                for key in keys:
                    if key in owned_by:
                        pkg = dataclasses.replace(pkg, files=owned_by[key])
                        if record_of[key].startswith(DPKG_INFO):
                            layer = norm_layer.get(record_of[key], layer)
                        break
            if pkg.path in norm_history:
                identity = (pkg.name, pkg.version, pkg.arch)
                layer = _introduced(identity, norm_history[pkg.path]) or layer
            pkg = dataclasses.replace(pkg, layer=layer)
            os_files.update(pkg.files)
            packages.append(pkg)

    for r in results.values():
        for pkg in r.packages:
            if pkg.purl.startswith(tuple(f"pkg:{t}/" for t in OS_TYPES)):
                continue
            where = pkg.path
            if where in os_files or (
                parent(where).endswith((".dist-info", ".egg-info")) and parent(where) in os_files
            ):
                continue
            files = owned_by.get(parent(where), ()) if pkg.ecosystem == "PyPI" else ()
            packages.append(
                dataclasses.replace(pkg, layer=norm_layer.get(where), files=files or pkg.files)
            )

    seen: set[tuple[str, str]] = set()
    out = []
    for pkg in sorted(packages, key=lambda p: (p.ecosystem, p.name, p.version, p.path, p.purl)):
        if (pkg.purl, pkg.path) not in seen:
            seen.add((pkg.purl, pkg.path))
            out.append(pkg)
    return out
