"""Names shared by the SBOM writers and reader."""

from __future__ import annotations

#: CycloneDX property / SPDX annotation naming the digest of the layer that brought a
#: package in
LAYER_PROPERTY = "hardhull:layer:digest"
#: the image file that records the package
PATH_PROPERTY = "hardhull:package:path"
SOURCE_NAME_PROPERTY = "hardhull:package:source-name"
SOURCE_VERSION_PROPERTY = "hardhull:package:source-version"


class SbomError(ValueError):
    """An SBOM that cannot be read or written (the message names the file)."""


class MissingExtra(SbomError):
    """The SBOM writers need the optional ``sbom`` extra."""

    def __init__(self, module: str) -> None:
        super().__init__(
            f"writing SBOMs needs {module}: pip install 'hardhull[sbom]' (docs/sbom.md)"
        )
