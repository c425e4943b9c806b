"""What one cataloged file yields, and the one error type the catalogers raise."""

from __future__ import annotations

from dataclasses import dataclass

from hardhull.models.packages import Package


class CatalogError(ValueError):
    """A package database or metadata file that cannot be read (truncated, corrupt, not the
    format its name says). The parsers raise only this; :func:`hardhull.sbom.catalog_file`
    turns it into :attr:`FileResult.errors`."""


@dataclass(frozen=True)
class FileResult:
    """Packages found in one image file, and, for files that only list what a package owns
    (dpkg ``info/*.list``, distroless ``status.d/*.md5sums``, Python ``RECORD``), those files.
    """

    packages: tuple[Package, ...] = ()
    #: (owner key, owned image paths without a leading "/"): the owner key is the dpkg package
    #: name (``name`` or ``name:arch``) or the ``*.dist-info`` directory of a RECORD
    owns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: why the file could not be read (empty when it could)
    errors: tuple[str, ...] = ()
