"""Software bill of materials: catalogers that find installed packages (OS package databases,
language package metadata, binaries) in image files, and the CycloneDX and SPDX writers. The
package model is :mod:`hardhull.models.packages`."""
