"""Image findings go through the engine like any other document's: located by the image
reference and pointer, with the scan's disabled codes, severities and baseline."""

from __future__ import annotations

from datetime import date

from hardhull.engine import ScanOptions
from hardhull.engine.image import check_images
from hardhull.frontends.image import ImageDocument
from hardhull.model import Resource, Severity, fingerprint
from hardhull.models.image_facts import FileInfo, ImageFacts, LayerInfo


def facts() -> ImageFacts:
    return ImageFacts(
        ref="oci:build/app:1.0",
        config={"User": "", "ExposedPorts": {"22/tcp": {}}},
        history=[{"created_by": "ADD rootfs.tar /"}],
        layers=[LayerInfo("sha256:" + "a" * 64, "ADD rootfs.tar /", 0)],
        files={"opt/x": FileInfo("opt/x", "file", 0o4755, 0, 0, 5, 0)},
        as_of=date(2026, 12, 5),
    )


def rows(opts: ScanOptions) -> list[tuple[str, str, str, str, int]]:
    result = check_images([ImageDocument("oci:build/app:1.0", facts())], opts)
    assert result.errors == []
    return [
        (f.code, f.severity.label, f.location.path, f.pointer, f.location.line)
        for f in result.findings
    ]


def test_findings_are_located_by_reference_and_pointer() -> None:
    assert rows(ScanOptions()) == [
        ("I001", "medium", "oci:build/app:1.0", "/config/User", 0),
        ("I002", "medium", "oci:build/app:1.0", "/config/ExposedPorts/22~1tcp", 0),
        ("I004", "high", "oci:build/app:1.0", "/files/opt/x", 0),
    ]


def test_disable_severity_and_baseline() -> None:
    fp = fingerprint(
        "I004", "oci:build/app:1.0", Resource("Image", "oci:build/app:1.0"), "/files/opt/x"
    )
    opts = ScanOptions(
        disabled=frozenset({"I002"}),
        severity={"I001": Severity.HIGH},
        baseline=frozenset({fp}),
    )
    result = check_images([ImageDocument("oci:build/app:1.0", facts())], opts)
    assert [(f.code, f.severity.label) for f in result.findings] == [("I001", "high")]
    assert result.suppressed == {"baseline": 1}
