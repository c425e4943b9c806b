"""CycloneDX 1.6 JSON, built with cyclonedx-python-lib (optional extra ``sbom``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from hardhull.models.packages import Distro, Package
from hardhull.sbom.formats import (
    LAYER_PROPERTY,
    PATH_PROPERTY,
    SOURCE_NAME_PROPERTY,
    SOURCE_VERSION_PROPERTY,
    MissingExtra,
)


def _disjunctive(factory: Any, value: str) -> Any:
    from cyclonedx.contrib.license.exceptions import InvalidSpdxLicenseException

    try:
        return factory.make_with_id(value)
    except InvalidSpdxLicenseException:
        return factory.make_with_name(value)


def write_cyclonedx(
    packages: Iterable[Package],
    distro: Distro | None,
    *,
    name: str = "image",
    version: str | None = None,
    properties: Mapping[str, str] | None = None,
) -> str:
    """A CycloneDX 1.6 JSON document: the image as ``metadata.component`` (type container,
    ``properties`` on it), the OS as an ``operating-system`` component, each package a
    ``library`` with its purl, licences and the ``hardhull:layer:digest`` and
    ``hardhull:package:path`` properties."""
    try:
        from cyclonedx.contrib.license.factories import LicenseFactory
        from cyclonedx.model import Property
        from cyclonedx.model.bom import Bom
        from cyclonedx.model.component import Component, ComponentType
        from cyclonedx.output.json import JsonV1Dot6
        from packageurl import PackageURL
    except ImportError as e:  # pragma: no cover - the extra is installed in tests
        raise MissingExtra("cyclonedx-python-lib") from e

    factory = LicenseFactory()
    bom = Bom()
    root = Component(
        type=ComponentType.CONTAINER,
        name=name,
        version=version,
        bom_ref=f"image:{name}",
        properties=[Property(name=k, value=v) for k, v in sorted((properties or {}).items())],
    )
    bom.metadata.component = root
    children: list[Component] = []
    if distro is not None:
        os_component = Component(
            type=ComponentType.OPERATING_SYSTEM,
            name=distro.id,
            version=distro.version_id or None,
            description=distro.pretty_name or None,
            bom_ref=f"os:{distro.id}@{distro.version_id}",
        )
        children.append(os_component)
    refs: set[str] = set()
    for pkg in packages:
        ref = pkg.purl
        n = 1
        while ref in refs:
            n += 1
            ref = f"{pkg.purl}#{n}"
        refs.add(ref)
        props = [Property(name=PATH_PROPERTY, value=pkg.path)] if pkg.path else []
        if pkg.layer:
            props.append(Property(name=LAYER_PROPERTY, value=pkg.layer))
        if pkg.source_name:
            props.append(Property(name=SOURCE_NAME_PROPERTY, value=pkg.source_name))
        if pkg.source_version:
            props.append(Property(name=SOURCE_VERSION_PROPERTY, value=pkg.source_version))
        if len(pkg.licenses) == 1:
            licenses = [factory.make_from_string(pkg.licenses[0])]
        else:
            licenses = [_disjunctive(factory, x) for x in pkg.licenses]
        children.append(
            Component(
                type=ComponentType.LIBRARY,
                name=pkg.name,
                version=pkg.version,
                purl=PackageURL.from_string(pkg.purl),
                bom_ref=ref,
                licenses=licenses,
                properties=props,
            )
        )
    for c in children:
        bom.components.add(c)
    bom.register_dependency(root, children)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return str(JsonV1Dot6(bom).output_as_string(indent=2))
