"""Software bill of materials: catalogers that find installed packages in image files, the
CycloneDX and SPDX writers, and a reader for SBOMs from any tool. The package model is
:mod:`hardhull.models.packages` (:class:`Package`, :class:`Distro`); docs/sbom.md says what
each cataloger reads, the formats and the limits.

The catalogers work on file paths and bytes; the image reader feeds them while streaming
layers (image paths are relative to the root, without a leading "/"):

1. :func:`wants(path, size, mode) <wants>` for every regular file of every layer: whether the
   catalogers need it (package databases, language metadata, Java archives, executables that
   may be Go binaries; Go binaries and archives up to :data:`MAX_BINARY_SIZE` bytes).
2. :func:`catalog_file(path, data) <catalog_file>` → :class:`FileResult` as soon as a wanted
   file's bytes are read (then drop the bytes; keep the result): the packages in that file
   and, for dpkg ``info/*.list``, distroless ``status.d/*.md5sums`` and Python ``RECORD``,
   the files a package owns. Never raises on bad content: ``errors`` says why. A result
   depends only on the path and bytes, so a layer's results can be cached by its digest.
   Keep the results of the final filesystem: a later layer's result for a path replaces an
   earlier one, a whiteout deletes it; note the digest of the layer that last wrote each.
3. :func:`detect_distro(files) <detect_distro>` with the release files among them
   (``etc/os-release``, ``usr/lib/os-release``, ``etc/alpine-release``,
   ``etc/debian_version``; :data:`DISTRO_FILES`).
4. :func:`assemble(results, distro, layer_of, history) <assemble>` → ``list[Package]``: OS
   packages with the distro's ecosystem and purl (``distro=debian-12`` qualifier), the files
   they own, language packages that an OS package owns dropped (Debian's python3-* modules
   are not PyPI packages), each package's layer digest from ``layer_of`` (image path →
   digest of the layer that last wrote it). Optional ``history``: for a package database
   path, the ``(layer digest, FileResult)`` of every layer that wrote it, oldest first; OS
   packages then get the layer that installed or upgraded them, not the last layer that
   rewrote the database (keep the results of the database files of each layer for this).

Writers (need the optional extra ``sbom``; :class:`MissingExtra` otherwise):
:func:`write_cyclonedx` (CycloneDX 1.6 JSON) and :func:`write_spdx` (SPDX 2.3 JSON) return the
document as text. Reader: :func:`read_sbom(path) <read_sbom>` → ``(packages, distro)`` from a
CycloneDX or SPDX JSON file written by any tool; :class:`SbomError` names the file.
"""

from hardhull.sbom.assemble import assemble
from hardhull.sbom.catalog import MAX_BINARY_SIZE, catalog_file, wants
from hardhull.sbom.cyclonedx_writer import write_cyclonedx
from hardhull.sbom.distro import FILES as DISTRO_FILES
from hardhull.sbom.distro import detect_distro
from hardhull.sbom.formats import LAYER_PROPERTY, MissingExtra, SbomError
from hardhull.sbom.reader import read_sbom
from hardhull.sbom.result import CatalogError, FileResult
from hardhull.sbom.spdx_writer import write_spdx

__all__ = [
    "DISTRO_FILES",
    "LAYER_PROPERTY",
    "MAX_BINARY_SIZE",
    "CatalogError",
    "FileResult",
    "MissingExtra",
    "SbomError",
    "assemble",
    "catalog_file",
    "detect_distro",
    "read_sbom",
    "wants",
    "write_cyclonedx",
    "write_spdx",
]
