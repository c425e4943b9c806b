"""apk: ``lib/apk/db/installed``, the database apk-tools writes: one paragraph per package of
``X:value`` lines (``P`` name, ``V`` version, ``A`` arch, ``L`` licence, ``o`` origin, i.e.
the source package; ``F`` a directory, ``R`` a file in the last ``F``)."""

from __future__ import annotations

from hardhull.models.packages import Package
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError


def parse_installed(data: bytes, path: str) -> list[Package]:
    if b"\x00" in data:
        raise CatalogError("binary data in an apk database")
    out: list[Package] = []
    fields: dict[str, str] = {}
    files: list[str] = []
    directory = ""

    incomplete = 0

    def flush() -> None:
        nonlocal incomplete
        name, version = fields.get("P", ""), fields.get("V", "")
        if not (name and version):
            incomplete += 1
        else:
            arch = fields.get("A") or None
            origin = fields.get("o") or None
            lic = fields.get("L", "")
            out.append(
                Package(
                    name=name,
                    version=version,
                    ecosystem="Alpine",
                    purl=purl(
                        "apk",
                        name,
                        version,
                        "alpine",
                        {"arch": arch or "", "upstream": origin or ""},
                    ),
                    source_name=origin,
                    source_version=version if origin else None,
                    arch=arch,
                    licenses=(lic,) if lic else (),
                    path=path,
                    files=tuple(files),
                )
            )

    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            if fields:
                flush()
            fields, files, directory = {}, [], ""
            continue
        if len(line) < 2 or line[1] != ":":
            raise CatalogError(f"line {number}: not a 'X:value' line of an apk database")
        key, value = line[0], line[2:]
        if key == "F":
            directory = value.strip("/")
        elif key == "R":
            files.append(f"{directory}/{value}" if directory else value)
        else:
            fields.setdefault(key, value)
    if fields:
        flush()
    if not out and incomplete:
        raise CatalogError(
            f"{incomplete} record(s) without both a name (P:) and a version (V:), none complete"
        )
    return out
