"""CycloneDX 1.6 and SPDX 2.3 output, validated against the official schemas (CycloneDX's
as cyclonedx-python-lib ships it, SPDX's from spdx-spec: data/SOURCES.md), and read back;
SBOMs written by trivy read by :func:`read_sbom`."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from hardhull import sbom
from hardhull.models.packages import Distro, Package

from .conftest import DATA, catalog_tree

LAYER_A = "sha256:" + "a" * 64
LAYER_B = "sha256:" + "b" * 64
SITE = "usr/local/lib/python3.11/site-packages"


@pytest.fixture(scope="module")
def image(pip_target: Path) -> tuple[list[Package], Distro]:
    """This machine's dpkg database and a pip install, as two layers of an image."""
    if not Path("/var/lib/dpkg/status").is_file():
        pytest.skip("no dpkg database on this machine")
    results = catalog_tree(Path("/"), only=["var/lib/dpkg"])
    results.update(catalog_tree(pip_target, SITE))
    distro = sbom.detect_distro({"usr/lib/os-release": Path("/etc/os-release").read_bytes()})
    assert distro is not None
    layer_of = {path: LAYER_A for path in results}
    layer_of.update({path: LAYER_B for path in results if path.startswith(SITE)})
    return sbom.assemble(results, distro, layer_of), distro


def _cyclonedx_errors(text: str) -> object:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)


def test_cyclonedx_validates_and_reads_back(
    image: tuple[list[Package], Distro], tmp_path: Path
) -> None:
    packages, distro = image
    text = sbom.write_cyclonedx(packages, distro, name="probe", properties={"a": "b"})
    assert _cyclonedx_errors(text) is None
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6"
    (os_c,) = [c for c in doc["components"] if c["type"] == "operating-system"]
    assert (os_c["name"], os_c["version"]) == (distro.id, distro.version_id)
    jinja = next(c for c in doc["components"] if c["name"] == "Jinja2")
    assert jinja["purl"] == "pkg:pypi/jinja2@2.10"
    assert {"name": sbom.LAYER_PROPERTY, "value": LAYER_B} in jinja["properties"]
    out = tmp_path / "bom.json"
    out.write_text(text)
    back, back_distro = sbom.read_sbom(out)
    assert back_distro is not None and back_distro.id == distro.id
    assert sorted((p.purl, p.layer, p.path) for p in back) == sorted(
        (p.purl, p.layer, p.path) for p in packages
    )
    assert {p.ecosystem for p in back} == {"Debian", "PyPI"}


def test_spdx_validates_and_reads_back(image: tuple[list[Package], Distro], tmp_path: Path) -> None:
    packages, distro = image
    text = sbom.write_spdx(packages, distro, name="probe", created=datetime(2026, 1, 1, tzinfo=UTC))
    schema = json.loads((DATA / "spdx-schema-2.3.json").read_text())
    jsonschema.validate(json.loads(text), schema)
    doc = json.loads(text)
    (os_p,) = [p for p in doc["packages"] if p.get("primaryPackagePurpose") == "OPERATING_SYSTEM"]
    assert os_p["name"] == distro.id
    out = tmp_path / "bom.spdx.json"
    out.write_text(text)
    back, back_distro = sbom.read_sbom(out)
    assert back_distro is not None and back_distro.id == distro.id
    assert sorted((p.purl, p.layer, p.path) for p in back) == sorted(
        (p.purl, p.layer, p.path) for p in packages
    )
    # the same packages give the same document namespace
    assert (
        json.loads(
            sbom.write_spdx(
                packages, distro, name="probe", created=datetime(2026, 1, 1, tzinfo=UTC)
            )
        )["documentNamespace"]
        == doc["documentNamespace"]
    )


def test_empty_image_documents_validate() -> None:
    assert _cyclonedx_errors(sbom.write_cyclonedx([], None)) is None
    schema = json.loads((DATA / "spdx-schema-2.3.json").read_text())
    jsonschema.validate(json.loads(sbom.write_spdx([], None)), schema)


def test_read_sbom_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    with pytest.raises(sbom.SbomError, match=r"x\.json"):
        sbom.read_sbom(bad)
    bad.write_text('{"hello": 1}')
    with pytest.raises(sbom.SbomError, match="neither a CycloneDX nor an SPDX"):
        sbom.read_sbom(bad)
    with pytest.raises(sbom.SbomError, match=r"missing\.json"):
        sbom.read_sbom(tmp_path / "missing.json")


def _trivy() -> str:
    path = shutil.which("trivy") or "/tmp/peers/bin/trivy"
    if not Path(path).exists():
        pytest.skip("trivy not found (../shared/tools/install-peers.sh /tmp/peers installs it)")
    return path


def _run_trivy(
    trivy: str, root: Path, fmt: str, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    """``trivy rootfs`` of a directory, offline (the license scanner needs no database)."""
    cache = tmp_path_factory.getbasetemp() / "trivy-cache"
    cmd = [trivy, "rootfs", "--quiet", "--scanners", "license", "--cache-dir", str(cache)]
    proc = subprocess.run(
        [*cmd, "--format", fmt, str(root)], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        pytest.skip(f"trivy failed: {proc.stderr[-300:]}")
    return proc


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx-json"])
def test_reads_trivy_sboms(
    fmt: str, pip_target: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """trivy's own SBOM of a root filesystem (Alpine's database, a pip install) read back:
    the same packages as hardhull's catalogers find there."""
    trivy = _trivy()
    root = tmp_path / "root"
    (root / "lib/apk/db").mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copy(DATA / "alpine-3.14/installed", root / "lib/apk/db/installed")
    shutil.copy(DATA / "alpine-3.14/os-release", root / "etc/os-release")
    shutil.copytree(pip_target, root / SITE)
    proc = _run_trivy(trivy, root, fmt, tmp_path_factory)
    out = tmp_path / "trivy.json"
    out.write_text(proc.stdout)
    theirs, distro = sbom.read_sbom(out)
    assert distro is not None and (distro.id, distro.version_id) == ("alpine", "3.14.0")
    results = catalog_tree(root)
    ours = sbom.assemble(
        results, sbom.detect_distro({"etc/os-release": (root / "etc/os-release").read_bytes()}), {}
    )
    assert {(p.ecosystem, p.name.lower(), p.version) for p in theirs} == {
        (p.ecosystem, p.name.lower(), p.version) for p in ours
    }
    ssl = next(p for p in theirs if p.name == "libssl1.1")
    assert (ssl.source_name, ssl.arch) == ("openssl", "armv7")


def test_same_packages_as_trivy_on_this_debian_machine(
    pip_target: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A root filesystem made of this machine's dpkg database, its Debian python3 modules,
    its global npm packages, a Debian Go binary and a pip install: trivy and hardhull find
    the same packages (Debian's python3 modules once, as Debian packages), with the same
    source packages."""
    trivy = _trivy()
    if not Path("/var/lib/dpkg/status").is_file() or not Path("/etc/debian_version").is_file():
        pytest.skip("not a Debian machine")
    root = tmp_path / "root"
    for rel in ("etc/os-release", "etc/debian_version", "var/lib/dpkg/status"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path("/") / rel, root / rel)
    (root / "var/lib/dpkg/info").mkdir()
    for lst in Path("/var/lib/dpkg/info").glob("*.list"):
        shutil.copy(lst, root / "var/lib/dpkg/info" / lst.name)
    metadata = ("METADATA", "PKG-INFO", "RECORD", "package.json")
    for src in (Path("/usr/lib/python3/dist-packages"), Path("/usr/lib/node_modules")):
        for f in src.rglob("*"):
            keep = f.name in metadata or f.name.endswith(".egg-info")
            if keep and f.is_file() and not f.is_symlink():
                dest = root / str(f).lstrip("/")
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(f, dest)
    skopeo = shutil.which("skopeo")
    if skopeo:
        (root / "usr/bin").mkdir(parents=True)
        shutil.copy(skopeo, root / "usr/bin/skopeo")
    shutil.copytree(pip_target, root / SITE)
    proc = _run_trivy(trivy, root, "cyclonedx", tmp_path_factory)
    (tmp_path / "trivy.json").write_text(proc.stdout)
    theirs, _ = sbom.read_sbom(tmp_path / "trivy.json")
    distro = sbom.detect_distro({"etc/os-release": (root / "etc/os-release").read_bytes()})
    ours = sbom.assemble(catalog_tree(root), distro, {})

    def key(p: Package) -> tuple[str, str, str]:
        return (p.ecosystem, p.name.lower(), p.version)

    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    assert {p.ecosystem for p in ours} >= {"Debian", "PyPI"}
    source = {p.name: (p.source_name, p.source_version) for p in theirs if p.ecosystem == "Debian"}
    assert {
        p.name: (p.source_name or p.name, p.source_version or p.version)
        for p in ours
        if p.ecosystem == "Debian"
    } == source


def test_the_image_itself_is_not_a_package(tmp_path: Path) -> None:
    """trivy and syft describe the scanned image with an oci (or docker) purl."""
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {
            "component": {
                "type": "container",
                "name": "alpine:3.14",
                "purl": "pkg:oci/alpine@sha256%3A0a?repository_url=index.docker.io",
            }
        },
        "components": [
            {
                "type": "library",
                "name": "musl",
                "purl": "pkg:apk/alpine/musl@1.2.2-r3?distro=3.14.0",
            }
        ],
    }
    (tmp_path / "bom.json").write_text(json.dumps(doc))
    packages, distro = sbom.read_sbom(tmp_path / "bom.json")
    assert [(p.name, p.ecosystem) for p in packages] == [("musl", "Alpine")]
    assert distro is not None and (distro.id, distro.version_id) == ("alpine", "3.14.0")
