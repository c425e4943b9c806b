"""npm: ``package.json`` of installed packages, i.e. directly under a ``node_modules``
folder (``node_modules/<name>/package.json``, ``node_modules/@scope/<name>/package.json``).
The package.json files inside a package (tests, fixtures, sub-folders with ``"type"``) are not
packages and are skipped by :func:`is_package_json`."""

from __future__ import annotations

import json
from typing import Any

from hardhull.models.packages import Package
from hardhull.sbom.purls import purl
from hardhull.sbom.result import CatalogError


def is_package_json(path: str) -> bool:
    parts = path.split("/")
    if len(parts) < 3 or parts[-1] != "package.json":
        return False
    if parts[-3] == "node_modules" and not parts[-2].startswith("@"):
        return True
    return len(parts) >= 4 and parts[-4] == "node_modules" and parts[-3].startswith("@")


def _licenses(doc: dict[str, Any]) -> tuple[str, ...]:
    lic = doc.get("license")
    if isinstance(lic, str) and lic:
        return (lic,)
    if isinstance(lic, dict) and isinstance(lic.get("type"), str):
        return (lic["type"],)
    lics = doc.get("licenses")
    if isinstance(lics, list):
        out = [
            x["type"] if isinstance(x, dict) and isinstance(x.get("type"), str) else x for x in lics
        ]
        return tuple(x for x in out if isinstance(x, str) and x)
    return ()


def parse_package_json(data: bytes, path: str) -> list[Package]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise CatalogError(f"package.json: {e}") from None
    if not isinstance(doc, dict):
        raise CatalogError("package.json is not an object")
    name, version = doc.get("name"), doc.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return []
    namespace, _, bare = name.rpartition("/")
    return [
        Package(
            name=name,
            version=version,
            ecosystem="npm",
            purl=purl("npm", bare, version, namespace or None),
            licenses=_licenses(doc),
            path=path,
        )
    ]
