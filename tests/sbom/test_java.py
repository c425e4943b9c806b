"""Java: the jars Maven downloaded into ~/.m2 (their repository path names the true
coordinates), Debian's /usr/share/java, and a war assembled from real jars."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hardhull import sbom
from hardhull.sbom import java

M2 = Path.home() / ".m2/repository"


def _m2_jars(limit: int = 300) -> list[tuple[Path, str, str, str]]:
    if not M2.is_dir():
        pytest.skip("no ~/.m2/repository on this machine (run mvn once)")
    out = []
    for jar in sorted(M2.rglob("*.jar")):
        parts = jar.relative_to(M2).parts
        group, artifact, version = ".".join(parts[:-3]), parts[-3], parts[-2]
        if jar.name == f"{artifact}-{version}.jar":
            out.append((jar, group, artifact, version))
    if not out:
        pytest.skip("no jars in ~/.m2/repository")
    return out[:limit]


def test_maven_repository_coordinates() -> None:
    exact = with_pom = 0
    for jar, group, artifact, version in _m2_jars():
        r = sbom.catalog_file(f"app/lib/{jar.name}", jar.read_bytes())
        assert r.errors == (), jar
        found = {(p.name, p.version) for p in r.packages}
        names = zipfile.ZipFile(jar).namelist()
        if f"META-INF/maven/{group}/{artifact}/pom.properties" in names:
            with_pom += 1
            assert (f"{group}:{artifact}", version) in found, jar
        # without pom.properties: the artifact and version from the file name, the group from
        # the manifest's Implementation-Vendor-Id when there is one (a vendor, not always
        # the Maven group: commons-chain says org.apache)
        assert (artifact, version) in {(n.rpartition(":")[2], v) for n, v in found}, jar
        exact += (f"{group}:{artifact}", version) in found
        for p in r.packages:
            assert p.ecosystem == "Maven" and p.path == f"app/lib/{jar.name}"
    assert with_pom > 0 and exact >= with_pom


def test_nested_archives_in_a_war() -> None:
    jars = [j for j in _m2_jars(60) if j[0].stat().st_size < 2 << 20][:5]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as war:
        war.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        for jar, *_ in jars:
            war.write(jar, f"WEB-INF/lib/{jar.name}")
    outer = sbom.catalog_file("srv/app.war", buf.getvalue()).packages
    inner = {
        (p.name, p.version)
        for jar, *_ in jars
        for p in sbom.catalog_file(jar.name, jar.read_bytes()).packages
    }
    assert {(p.name, p.version) for p in outer} == inner
    assert {p.path for p in outer} == {"srv/app.war"}


def test_nesting_is_bounded() -> None:
    jar, *_ = _m2_jars(1)[0]
    data = jar.read_bytes()
    for _ in range(java.MAX_DEPTH + 3):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("lib/inner.jar", data)
        data = buf.getvalue()
    assert sbom.catalog_file("deep.jar", data).packages == ()


def test_debian_jars_are_owned_and_dropped() -> None:
    java_dir = Path("/usr/share/java")
    jars = [j for j in sorted(java_dir.glob("*.jar")) if not j.is_symlink()][:20]
    if not jars or not Path("/var/lib/dpkg/status").is_file():
        pytest.skip("no Debian jars on this machine")
    results = {str(j).lstrip("/"): sbom.catalog_file(str(j), j.read_bytes()) for j in jars}
    assert any(r.packages for r in results.values())
    for lst in Path("/var/lib/dpkg/info").glob("*.list"):
        if "/usr/share/java/" in lst.read_text(errors="replace"):
            key = str(lst).lstrip("/")
            results[key] = sbom.catalog_file(key, lst.read_bytes())
    packages = sbom.assemble(results, None, {})
    assert not [p for p in packages if p.ecosystem == "Maven"]


def test_not_a_zip_is_a_catalog_error() -> None:
    r = sbom.catalog_file("app.jar", b"PK\x03\x04 broken")
    assert r.errors and "app.jar" in r.errors[0]
    assert not sbom.wants("huge.jar", sbom.MAX_BINARY_SIZE + 1, 0o644)
