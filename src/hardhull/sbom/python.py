"""Python: installed distributions' core metadata, ``*.dist-info/METADATA`` (wheels, pip),
``*.egg-info/PKG-INFO`` and a bare ``*.egg-info`` file (setuptools, Debian's python3-*
packages), eggs (``*.egg/EGG-INFO/PKG-INFO``, and zipped ``*.egg`` files), and
``*.dist-info/RECORD`` for the files a distribution owns."""

from __future__ import annotations

import csv
import io
import zipfile
from email.parser import BytesHeaderParser

from hardhull.models.packages import Package
from hardhull.sbom.paths import norm, parent
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError

_LICENSE_CLASSIFIER = "License :: OSI Approved :: "


def parse_metadata(data: bytes, path: str) -> list[Package]:
    """One package from a METADATA / PKG-INFO file (RFC 822 headers)."""
    if b"\x00" in data:
        raise CatalogError("binary data in Python package metadata")
    head = data.split(b"\n\n", 1)[0] if b"\n\n" in data else data
    try:
        msg = BytesHeaderParser().parsebytes(head)
    except Exception as e:  # the email parser is lenient; anything it raises is bad input
        raise CatalogError(f"Python package metadata: {e}") from None
    name, version = str(msg.get("Name") or "").strip(), str(msg.get("Version") or "").strip()
    if not name or not version:
        raise CatalogError("Python package metadata without Name or Version")
    lic = str(msg.get("License-Expression") or "").strip()
    if not lic:
        raw = str(msg.get("License") or "").strip()
        if raw and raw.upper() != "UNKNOWN" and "\n" not in raw and len(raw) <= 100:
            lic = raw
    if not lic:
        classifiers = [
            str(c).removeprefix(_LICENSE_CLASSIFIER)
            for c in msg.get_all("Classifier") or ()
            if str(c).startswith(_LICENSE_CLASSIFIER)
        ]
        lic = classifiers[0] if classifiers else ""
    return [
        Package(
            name=name,
            version=version,
            ecosystem="PyPI",
            purl=purl("pypi", name, version),
            licenses=(lic,) if lic else (),
            path=path,
        )
    ]


#: the largest PKG-INFO read from a zipped egg
MAX_EGG_METADATA = 1 << 20


def parse_egg(data: bytes, path: str) -> list[Package]:
    """The package of a zipped egg (its ``EGG-INFO/PKG-INFO``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("EGG-INFO/PKG-INFO")
            if info.file_size > MAX_EGG_METADATA:
                raise CatalogError("egg: PKG-INFO too large")
            meta = zf.read(info)
    except KeyError:
        raise CatalogError("egg without EGG-INFO/PKG-INFO") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise CatalogError(f"egg: {e}") from None
    return parse_metadata(meta, path)


def parse_record(data: bytes, path: str) -> tuple[str, ...]:
    """The files a RECORD lists, as image paths (they are relative to site-packages)."""
    if b"\x00" in data:
        raise CatalogError("binary data in a RECORD file")
    site = parent(parent(path))
    out = []
    try:
        for row in csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))):
            if row and row[0]:
                out.append(norm(f"{site}/{row[0]}") if not row[0].startswith("/") else norm(row[0]))
    except csv.Error as e:
        raise CatalogError(f"RECORD: {e}") from None
    return tuple(out)
