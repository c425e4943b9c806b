"""End-of-life facts about base images: which distribution or language runtime release an
image reference names, and when that release stopped getting security updates.

The dates come from the table shipped with hardhull (``hardhull/data/eol.json``, refreshed by
``tools/refresh_eol.py``); :func:`eol_hits` reads an :class:`~hardhull.models.image_ref.ImageRef`
and returns the releases it reveals, whatever their date (the caller compares with its own
``as_of``).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from hardhull.models.image_ref import ImageRef
from hardhull.models.packages import Distro


@functools.cache
def eol_table() -> dict[str, Any]:
    """The end-of-life table shipped with hardhull (``hardhull/data/eol.json``)."""
    text = resources.files("hardhull").joinpath("data/eol.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


_DEBIAN_CODENAMES = ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "wheezy")
_UBUNTU_IN_TAG = ("trusty", "xenial", "bionic", "focal", "jammy", "noble")


@dataclass(frozen=True)
class EolHit:
    """A release an image reference names, and when it reached its end of life (or, for a
    deprecated image, since when it gets no updates and what replaces it)."""

    label: str  # "Python 3.8"
    eol: date
    source: str
    deprecated: bool = False
    replacement: str = ""


def _release(product: str, cycle: str) -> EolHit | None:
    table = eol_table()["products"].get(product)
    if table is None:
        return None
    rel = table["releases"].get(cycle)
    if rel is None or not rel.get("eol"):
        return None
    label = f"{table['label']} {cycle}"
    if rel.get("codename"):
        label += f" ({rel['codename']})"
    return EolHit(label, date.fromisoformat(rel["eol"]), table["source"])


def _codename(product: str, name: str) -> str | None:
    for cycle, rel in eol_table()["products"][product]["releases"].items():
        if rel.get("codename", "").lower() == name:
            return str(cycle)
    return None


_NUM = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def _distro_in_tag(tag: str) -> EolHit | None:
    """A distribution release named inside a language image tag (``-buster``, ``-alpine3.12``,
    ``-focal``)."""
    low = tag.lower()
    for part in re.split(r"[-_]", low):
        if part in _DEBIAN_CODENAMES:
            cycle = _codename("debian", part)
            if cycle:
                return _release("debian", cycle)
        if part in _UBUNTU_IN_TAG:
            cycle = _codename("ubuntu", part)
            if cycle:
                return _release("ubuntu", cycle)
        m = re.fullmatch(r"alpine(\d+\.\d+)", part)
        if m:
            return _release("alpine", m.group(1))
    return None


def _runtime_cycle(tag: str, minor: bool) -> str | None:
    m = _NUM.match(tag)
    if m is None:
        return None
    if minor:
        return f"{m.group(1)}.{m.group(2)}" if m.group(2) is not None else None
    return m.group(1)


def eol_hits(ref: ImageRef) -> list[EolHit]:
    """End-of-life facts the image reference reveals (runtime first, then distribution)."""
    tag = ref.tag
    repo = ref.repo
    path = ref.path
    hits: list[EolHit] = []
    deprecated = eol_table()["deprecated_images"]
    official = ref.official
    if official and repo in deprecated and tag and "-ea" not in tag and tag[:1].isdigit():
        d = deprecated[repo]
        return [EolHit(repo, date.fromisoformat(d["since"]), d["source"], True, d["replacement"])]
    if not tag:
        return []
    low = tag.lower()
    # distributions
    if official and repo == "ubuntu":
        m = re.match(r"(\d+\.\d+)", low)
        cycle = m.group(1) if m else _codename("ubuntu", low.split("-", 1)[0])
        hit = _release("ubuntu", cycle) if cycle else None
        return [hit] if hit else []
    if official and repo == "debian":
        m = re.match(r"(\d+)", low)
        cycle = m.group(1) if m else _codename("debian", low.split("-", 1)[0])
        hit = _release("debian", cycle) if cycle else None
        return [hit] if hit else []
    if official and repo == "alpine":
        m = re.match(r"(\d+\.\d+)", low)
        hit = _release("alpine", m.group(1)) if m else None
        return [hit] if hit else []
    if (official and repo == "centos") or path in ("centos/centos", "centos"):
        m = re.match(r"(?:centos)?(\d+)", low)
        hit = _release("centos", m.group(1)) if m else None
        return [hit] if hit else []
    if (official and repo == "amazonlinux") or path == "amazonlinux/amazonlinux":
        m = re.match(r"(\d+)", low)
        cycle = m.group(1) if m else None
        if cycle and cycle.startswith("20") and len(cycle) == 4 and cycle != "2023":
            cycle = "1"  # the 2018.03-style Amazon Linux AMI releases
        hit = _release("amazonlinux", cycle) if cycle else None
        return [hit] if hit else []
    m = re.search(r"(?:^|/)(?:ubi|rhel)(\d+)(?:/|$|-)", path)
    if m and (
        ref.registry in ("registry.access.redhat.com", "registry.redhat.io")
        or path.startswith("redhat/")
    ):
        hit = _release("rhel", m.group(1))
        return [hit] if hit else []
    # language runtimes (official images), each with the distribution in the tag
    runtime: EolHit | None = None
    if official and repo == "python":
        cycle = _runtime_cycle(low, True) or ("2.7" if re.match(r"2(\D|$)", low) else None)
        runtime = _release("python", cycle) if cycle else None
    elif official and repo == "node":
        cycle = _runtime_cycle(low, False)
        if cycle == "0":
            cycle = None
        runtime = _release("node", cycle) if cycle else None
    elif official and repo == "golang":
        cycle = _runtime_cycle(low, True)
        runtime = _release("golang", cycle) if cycle else None
    elif official and repo == "eclipse-temurin":
        m2 = re.match(r"(\d+)", low)
        runtime = _release("eclipse-temurin", m2.group(1)) if m2 else None
    elif not (official and repo in _RUNTIME_IMAGES):
        return hits
    if runtime is not None:
        hits.append(runtime)
    distro = _distro_in_tag(low)
    if distro is not None:
        hits.append(distro)
    return hits


_RUNTIME_IMAGES = frozenset(
    {"python", "node", "golang", "eclipse-temurin", "ruby", "php", "perl", "rust", "maven",
     "gradle", "openjdk", "amazoncorretto", "ibm-semeru-runtimes", "sapmachine", "haskell",
     "elixir", "erlang", "julia", "clojure", "groovy", "nginx", "httpd", "redis", "postgres",
     "mysql", "mariadb", "mongo", "tomcat", "jetty", "pypy", "swift", "r-base", "dart"}
)  # fmt: skip


#: os-release ``ID`` → the product of the end-of-life table
_OS_RELEASE_PRODUCTS = {
    "debian": "debian",
    "ubuntu": "ubuntu",
    "alpine": "alpine",
    "centos": "centos",
    "rhel": "rhel",
    "amzn": "amazonlinux",
}


def distro_eol(distro: Distro) -> EolHit | None:
    """The end-of-life fact of the operating system an image's ``/etc/os-release`` names
    (``ID`` and ``VERSION_ID``, else ``VERSION_CODENAME``), whatever its date; None when the
    table does not know the release (rolling and development releases among them)."""
    product = _OS_RELEASE_PRODUCTS.get(distro.id.lower())
    if product is None:
        return None
    version = distro.version_id.strip()
    if product == "ubuntu" or product == "alpine":
        m = re.match(r"(\d+\.\d+)", version)
        cycle = m.group(1) if m else None
    elif product == "amazonlinux":
        m = re.match(r"(\d+)", version)
        cycle = m.group(1) if m else None
        if cycle and len(cycle) == 4 and cycle != "2023":
            cycle = "1"  # Amazon Linux AMI 2018.03
    else:
        m = re.match(r"(\d+)", version)
        cycle = m.group(1) if m else None
    if cycle is None and distro.codename and product in ("debian", "ubuntu"):
        cycle = _codename(product, distro.codename.lower())
    return _release(product, cycle) if cycle else None
