"""Checking images: the image checks run through the one loop on an
:class:`~hardhull.frontends.image.ImageDocument`, and their violations become findings with
the scan's severities, disabled codes and baseline, as for any other document."""

from __future__ import annotations

from collections.abc import Iterable

from hardhull.context import ScanFacts
from hardhull.engine import ScanOptions, check_document, findings_for
from hardhull.frontends.image import ImageDocument
from hardhull.model import ScanResult


def check_images(docs: Iterable[ImageDocument], opts: ScanOptions) -> ScanResult:
    """Every enabled image and vulnerability check on each image (or SBOM), as one result."""
    result = ScanResult()
    for doc in docs:
        violations, errors = check_document(doc, ScanFacts(), opts.disabled)
        findings_for(doc, violations, opts, result)
        result.errors.extend(errors)
        result.objects += 1
        result.scanned += 1
        result.images += 1
    result.findings.sort(key=lambda f: (f.location.path, f.rule.code, f.pointer, f.message))
    return result
