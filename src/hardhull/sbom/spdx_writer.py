"""SPDX 2.3 JSON, built with spdx-tools (optional extra ``sbom``), which validates the
document before writing it."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from hardhull.models.packages import Distro, Package
from hardhull.sbom.formats import LAYER_PROPERTY, PATH_PROPERTY, MissingExtra, SbomError

TOOL = "hardhull"


def _license(licensing: Any, value: str) -> Any:
    from spdx_tools.spdx.model import SpdxNoAssertion

    try:
        expr = licensing.parse(value, validate=True, strict=True)
    except Exception:  # license-expression raises several types for unknown licences
        return SpdxNoAssertion()
    return expr


def write_spdx(
    packages: Iterable[Package],
    distro: Distro | None,
    *,
    name: str = "image",
    version: str | None = None,
    created: datetime | None = None,
    properties: Mapping[str, str] | None = None,
) -> str:
    """An SPDX 2.3 JSON document describing the image (a package with primary purpose
    CONTAINER, ``properties`` in its comment) that CONTAINS the OS (primary purpose
    OPERATING-SYSTEM) and each package (LIBRARY, its purl as a PACKAGE-MANAGER external
    reference, its layer in an annotation ``hardhull:layer:digest=<digest>`` and its image
    path in the package's ``sourceInfo``)."""
    try:
        from license_expression import get_spdx_licensing
        from spdx_tools.spdx.model import (
            Actor,
            ActorType,
            Annotation,
            AnnotationType,
            CreationInfo,
            Document,
            ExternalPackageRef,
            ExternalPackageRefCategory,
            PackagePurpose,
            Relationship,
            RelationshipType,
            SpdxNoAssertion,
        )
        from spdx_tools.spdx.model import Package as SpdxPackage
        from spdx_tools.spdx.writer.write_utils import convert, validate_and_deduplicate
    except ImportError as e:  # pragma: no cover - the extra is installed in tests
        raise MissingExtra("spdx-tools") from e

    packages = list(packages)
    when = (created or datetime.now(UTC)).replace(microsecond=0)
    tool = Actor(ActorType.TOOL, TOOL)
    digest = hashlib.sha256("\n".join(sorted(p.purl for p in packages)).encode()).hexdigest()
    namespace = f"https://hardhull.dev/spdx/{name}-{uuid.UUID(digest[:32])}"
    root = SpdxPackage(
        spdx_id="SPDXRef-Image",
        name=name,
        download_location=SpdxNoAssertion(),
        version=version,
        files_analyzed=False,
        primary_package_purpose=PackagePurpose.CONTAINER,
        comment="; ".join(f"{k}={v}" for k, v in sorted((properties or {}).items())) or None,
    )
    spdx_packages = [root]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root.spdx_id)]
    annotations = []
    if distro is not None:
        spdx_packages.append(
            SpdxPackage(
                spdx_id="SPDXRef-OperatingSystem",
                name=distro.id,
                download_location=SpdxNoAssertion(),
                version=distro.version_id or None,
                files_analyzed=False,
                primary_package_purpose=PackagePurpose.OPERATING_SYSTEM,
                summary=distro.pretty_name or None,
            )
        )
        relationships.append(
            Relationship(root.spdx_id, RelationshipType.CONTAINS, "SPDXRef-OperatingSystem")
        )
    licensing = get_spdx_licensing()
    for i, pkg in enumerate(packages, 1):
        sid = f"SPDXRef-Package-{i}"
        declared = (
            _license(licensing, " AND ".join(f"({x})" for x in pkg.licenses))
            if pkg.licenses
            else SpdxNoAssertion()
        )
        source = f"{PATH_PROPERTY}={pkg.path}" if pkg.path else None
        if pkg.source_name:
            src = pkg.source_name + (f" {pkg.source_version}" if pkg.source_version else "")
            source = f"source package {src}" + (f"; {source}" if source else "")
        spdx_packages.append(
            SpdxPackage(
                spdx_id=sid,
                name=pkg.name,
                download_location=SpdxNoAssertion(),
                version=pkg.version,
                files_analyzed=False,
                license_concluded=SpdxNoAssertion(),
                license_declared=declared,
                copyright_text=SpdxNoAssertion(),
                source_info=source,
                primary_package_purpose=PackagePurpose.LIBRARY,
                external_references=[
                    ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", pkg.purl)
                ],
            )
        )
        relationships.append(Relationship(root.spdx_id, RelationshipType.CONTAINS, sid))
        if pkg.layer:
            annotations.append(
                Annotation(sid, AnnotationType.OTHER, tool, when, f"{LAYER_PROPERTY}={pkg.layer}")
            )
    doc = Document(
        creation_info=CreationInfo(
            spdx_version="SPDX-2.3",
            spdx_id="SPDXRef-DOCUMENT",
            name=name,
            document_namespace=namespace,
            creators=[tool],
            created=when,
        ),
        packages=spdx_packages,
        relationships=relationships,
        annotations=annotations,
    )
    try:
        validate_and_deduplicate(doc, validate=True, drop_duplicates=False)
    except ValueError as e:
        raise SbomError(f"SPDX document for {name} does not validate: {e}") from None
    data = convert(doc, None)
    # spdx-tools writes the enum name PACKAGE_MANAGER; the SPDX 2.3 schema and text spell
    # it PACKAGE-MANAGER (spdx/tools-python#813). The 2.3 schema spells the primary package
    # purpose OPERATING_SYSTEM (the text OPERATING-SYSTEM): the schema's form is kept.
    for pkg_dict in data.get("packages", ()):
        for ref in pkg_dict.get("externalRefs", ()):
            ref["referenceCategory"] = str(ref["referenceCategory"]).replace("_", "-")
    return json.dumps(data, indent=2)
