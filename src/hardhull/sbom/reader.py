"""Packages and the OS from a CycloneDX or SPDX JSON SBOM written by any tool (hardhull,
syft, trivy...), by purl: components or packages without a purl are skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from packageurl import PackageURL

from hardhull.models.packages import Distro, Package
from hardhull.sbom.formats import (
    LAYER_PROPERTY,
    PATH_PROPERTY,
    SOURCE_NAME_PROPERTY,
    SOURCE_VERSION_PROPERTY,
    SbomError,
)
from hardhull.sbom.purls import OS_ECOSYSTEMS

#: purl type → OSV ecosystem (OS types by namespace, see :func:`ecosystem_of`)
LANGUAGE_ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "maven": "Maven",
    "gem": "RubyGems",
    "cargo": "crates.io",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "swift": "SwiftURL",
    "cocoapods": "CocoaPods",
}
#: purl types of the scanned artefact itself (trivy's and syft's image component)
_NOT_PACKAGES = frozenset({"oci", "docker"})
_OS_NAMESPACES = {"redhat": "rhel", "rocky-linux": "rocky", "centos": "rhel"}
#: layer properties of other tools' CycloneDX output
_LAYER_PROPERTIES = (LAYER_PROPERTY, "aquasecurity:trivy:LayerDigest", "syft:location:0:layerID")
_SRC_NAME_PROPERTIES = (SOURCE_NAME_PROPERTY, "aquasecurity:trivy:SrcName")
_SRC_VERSION_PROPERTIES = (SOURCE_VERSION_PROPERTY, "aquasecurity:trivy:SrcVersion")


def ecosystem_of(p: PackageURL) -> str:
    if p.type in LANGUAGE_ECOSYSTEMS:
        return LANGUAGE_ECOSYSTEMS[p.type]
    if p.type in ("deb", "apk", "rpm"):
        ns = (p.namespace or "").lower()
        default = {"deb": "Debian", "apk": "Alpine", "rpm": "Red Hat"}[p.type]
        return OS_ECOSYSTEMS.get(_OS_NAMESPACES.get(ns, ns), default)
    return p.type


def _qualifiers(p: PackageURL) -> dict[str, str]:
    q = p.qualifiers
    return {str(k): str(v) for k, v in q.items()} if isinstance(q, dict) else {}


def package_from_purl(
    text: str, *, layer: str | None = None, path: str = "", src: tuple[str, str] = ("", "")
) -> Package | None:
    try:
        p = PackageURL.from_string(text)
    except ValueError:
        return None
    if not p.name or not p.version:
        return None
    if p.type in _NOT_PACKAGES:
        return None
    q = _qualifiers(p)
    version = p.version
    if p.type in ("deb", "rpm") and q.get("epoch") and ":" not in version:
        version = f"{q['epoch']}:{version}"
    if p.type == "maven":
        name = f"{p.namespace}:{p.name}" if p.namespace else p.name
    elif p.type in ("golang", "npm", "composer") and p.namespace:
        name = f"{p.namespace}/{p.name}"
    else:
        name = p.name
    src_name, src_version = src
    if not src_name and q.get("upstream"):
        up = q["upstream"]
        if p.type == "rpm":
            up = up.removesuffix(".rpm").removesuffix(".src")
            parts = up.rsplit("-", 2)
            up = parts[0] if len(parts) == 3 else up
        src_name, _, src_version = up.partition("@")
        src_name = src_name.strip()
        if "(" in src_name:  # syft's "glibc (2.36-9)"
            src_name, _, rest = src_name.partition("(")
            src_name, src_version = src_name.strip(), rest.rstrip(")").strip()
    return Package(
        name=name,
        version=version,
        ecosystem=ecosystem_of(p),
        purl=text,
        source_name=src_name or None,
        source_version=(src_version or version) if src_name else None,
        arch=q.get("arch") or None,
        path=path,
        layer=layer,
    )


def _distro_from_qualifier(value: str, namespace: str) -> Distro | None:
    """syft's ``distro=debian-12``, trivy's ``distro=3.14.0`` (the id is the namespace)."""
    if value[:1].isdigit():
        ident, version = namespace, value
    else:
        ident, _, version = value.rpartition("-")
        if not ident or not version[:1].isdigit():
            ident, version = value, ""
    return Distro(id=ident.lower(), version_id=version) if ident else None


def _props(c: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    props = c.get("properties")
    if isinstance(props, list):
        for prop in props:
            if isinstance(prop, dict) and isinstance(prop.get("name"), str):
                out.setdefault(prop["name"], str(prop.get("value", "")))
    return out


def _first(props: dict[str, str], names: tuple[str, ...]) -> str:
    return next((props[n] for n in names if props.get(n)), "")


def _cyclonedx(doc: dict[str, Any]) -> tuple[list[Package], Distro | None]:
    packages: list[Package] = []
    distro: Distro | None = None
    stack: list[Any] = list(doc.get("components") or [])
    meta = doc.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("component"), dict):
        stack.append(meta["component"])
    seen = 0
    while stack:
        c = stack.pop()
        seen += 1
        if seen > 1_000_000:
            raise SbomError("more than a million components")
        if not isinstance(c, dict):
            continue
        if isinstance(c.get("components"), list):
            stack.extend(c["components"])
        if c.get("type") == "operating-system" and isinstance(c.get("name"), str):
            distro = Distro(
                id=c["name"].lower(),
                version_id=str(c.get("version") or ""),
                pretty_name=str(c.get("description") or ""),
            )
            continue
        if not isinstance(c.get("purl"), str):
            continue
        props = _props(c)
        if props.get("aquasecurity:trivy:SrcVersion"):  # trivy splits epoch and release off
            v = props["aquasecurity:trivy:SrcVersion"]
            if props.get("aquasecurity:trivy:SrcRelease"):
                v = f"{v}-{props['aquasecurity:trivy:SrcRelease']}"
            if props.get("aquasecurity:trivy:SrcEpoch", "0") not in ("", "0"):
                v = f"{props['aquasecurity:trivy:SrcEpoch']}:{v}"
            props["aquasecurity:trivy:SrcVersion"] = v
        pkg = package_from_purl(
            c["purl"],
            layer=_first(props, _LAYER_PROPERTIES) or None,
            path=props.get(PATH_PROPERTY, ""),
            src=(_first(props, _SRC_NAME_PROPERTIES), _first(props, _SRC_VERSION_PROPERTIES)),
        )
        if pkg is not None:
            packages.append(pkg)
    return packages, distro


def _spdx(doc: dict[str, Any]) -> tuple[list[Package], Distro | None]:
    packages: list[Package] = []
    distro: Distro | None = None
    by_id: dict[str, str] = {}
    for a in doc.get("annotations") or ():  # document-level annotations naming a package
        if isinstance(a, dict) and str(a.get("comment", "")).startswith(f"{LAYER_PROPERTY}="):
            by_id[str(a.get("spdxElementId", ""))] = str(a["comment"]).split("=", 1)[1]
    for p in doc.get("packages") or ():
        if not isinstance(p, dict):
            continue
        if p.get("primaryPackagePurpose") in (
            "OPERATING-SYSTEM",
            "OPERATING_SYSTEM",
        ) and isinstance(p.get("name"), str):
            distro = Distro(id=p["name"].lower(), version_id=str(p.get("versionInfo") or ""))
            continue
        layer = by_id.get(str(p.get("SPDXID", "")), "")
        for a in p.get("annotations") or ():
            if isinstance(a, dict):
                comment = str(a.get("comment", ""))
                for prefix in (f"{LAYER_PROPERTY}=", "LayerDigest: "):
                    if comment.startswith(prefix):
                        layer = comment[len(prefix) :].strip()
        path = ""
        source_info = str(p.get("sourceInfo") or "")
        if f"{PATH_PROPERTY}=" in source_info:
            path = source_info.split(f"{PATH_PROPERTY}=", 1)[1].split(";")[0].strip()
        src = ("", "")
        for prefix in ("built package from: ", "source package "):  # trivy's, hardhull's
            if source_info.startswith(prefix):
                words = source_info[len(prefix) :].split(";")[0].split()
                if words:
                    src = (words[0], words[1] if len(words) > 1 else "")
        for ref in p.get("externalRefs") or ():
            if (
                isinstance(ref, dict)
                and ref.get("referenceType") == "purl"
                and isinstance(ref.get("referenceLocator"), str)
            ):
                pkg = package_from_purl(
                    ref["referenceLocator"], layer=layer or None, path=path, src=src
                )
                if pkg is not None:
                    packages.append(pkg)
                break
    return packages, distro


def read_sbom(path: str | Path) -> tuple[list[Package], Distro | None]:
    """Packages and OS of a CycloneDX (any 1.x) or SPDX 2.x JSON file. The OS is the
    CycloneDX ``operating-system`` component or the SPDX package whose primary purpose is
    OPERATING_SYSTEM (or OPERATING-SYSTEM), else the ``distro`` qualifier of an OS package's
    purl (syft's SPDX).
    Raises :class:`SbomError` naming the file when it is neither."""
    p = Path(path)
    try:
        doc = json.loads(p.read_bytes())
    except OSError as e:
        raise SbomError(f"{p}: {e.strerror or e}") from None
    except (ValueError, RecursionError) as e:
        raise SbomError(f"{p}: not JSON ({e})") from None
    if not isinstance(doc, dict):
        raise SbomError(f"{p}: neither a CycloneDX nor an SPDX JSON document")
    if doc.get("bomFormat") == "CycloneDX":
        packages, distro = _cyclonedx(doc)
    elif isinstance(doc.get("spdxVersion"), str):
        packages, distro = _spdx(doc)
    else:
        raise SbomError(f"{p}: neither a CycloneDX nor an SPDX JSON document")
    if distro is None:
        for pkg in packages:
            if pkg.ecosystem in OS_ECOSYSTEMS.values():
                purl = PackageURL.from_string(pkg.purl)
                q = _qualifiers(purl)
                if q.get("distro") and (
                    distro := _distro_from_qualifier(q["distro"], purl.namespace or "")
                ):
                    break
    return packages, distro
