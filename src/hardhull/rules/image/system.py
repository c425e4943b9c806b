"""Image rules about the operating system and tools in the image: end-of-life OS (I008),
shells or package managers in an image that presents itself as distroless (I009), package
manager caches left behind (I010), compilers (I011)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from hardhull.model import Severity, Violation
from hardhull.models.eol import distro_eol
from hardhull.models.image_facts import DIR, FILE, HARDLINK, SYMLINK, ImageFacts
from hardhull.registry import Target, check
from hardhull.rules.image import image_rule

EOL_OS = image_rule(
    "I008",
    "eol-os",
    "Operating system has reached end of life",
    Severity.HIGH,
    what="The image's operating system (`/etc/os-release`, or `/etc/alpine-release`, "
    "`/etc/debian_version`) is a release that reached its end of life before the scan date: "
    "Debian, Ubuntu, Alpine, CentOS, RHEL, Amazon Linux, judged with the same table as D001 "
    "(`hardhull/data/eol.json`).",
    why="An end-of-life release gets no security fixes: every vulnerability found after that "
    "date stays in the image for good.",
    fix="Rebuild on a supported release of the same distribution (the message names the "
    "end-of-life date) and schedule the next upgrade before its end of life.",
    example="""
FROM debian:bookworm-slim
""",
    cis="4.4 Ensure images are scanned and rebuilt to include security patches",
    refs=("https://endoflife.date/",),
)


# I008
@check(EOL_OS, on=Target.IMAGE)
def image_eol_os(img: ImageFacts) -> Iterator[Violation]:
    if img.distro is None:
        return
    hit = distro_eol(img.distro)
    if hit is None or hit.eol >= img.as_of:
        return
    name = img.distro.pretty_name or f"{img.distro.id} {img.distro.version_id}".strip()
    yield Violation(
        "I008",
        "/files/etc/os-release",
        f"the image runs {name}: {hit.label} reached its end of life on {hit.eol.isoformat()} "
        "(no security updates)",
    )


DISTROLESS_TOOLS = image_rule(
    "I009",
    "distroless-with-tools",
    "Shell or package manager in a distroless image",
    Severity.INFO,
    what="The image presents itself as distroless (its name, a label such as "
    "`org.opencontainers.image.base.name`, or the `/var/lib/dpkg/status.d` package records of "
    "Google's distroless images without a dpkg status file) and yet holds a shell "
    "(`/bin/sh`, `bash`, `busybox`, …) or a package manager (`apt`, `dpkg`, `apk`, `rpm`, "
    "`dnf`, `pip`, …).",
    why="Distroless images are chosen because nothing in them lets an intruder run commands "
    "or install tools; a shell or package manager quietly undoes that (often a `:debug` "
    "variant or a `COPY --from` of a busybox).",
    fix="Build on the non-debug distroless variant and copy only the application into it; "
    "debug with ephemeral containers (`kubectl debug`) instead of a shell in the image.",
    example="""
FROM gcr.io/distroless/static-debian12:nonroot
""",
    refs=("https://github.com/GoogleContainerTools/distroless",),
)

_DISTROLESS_WORDS = re.compile(r"distroless|chainguard|cgr\.dev|wolfi-base-static", re.I)
_SHELLS = ("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox")
_PACKAGE_MANAGERS = ("apt", "apt-get", "dpkg", "apk", "rpm", "yum", "dnf", "microdnf",
                     "zypper", "pip", "pip3")  # fmt: skip
_BIN_DIRS = ("bin/", "usr/bin/", "sbin/", "usr/sbin/", "usr/local/bin/", "busybox/")


def _claims_distroless(img: ImageFacts) -> bool:
    names = [*list(img.names), img.ref]
    labels = img.config.get("Labels")
    if isinstance(labels, Mapping):
        names += [str(v) for k, v in labels.items() if isinstance(k, str) and "base" in k]
    if any(_DISTROLESS_WORDS.search(n) for n in names):
        return True
    files = img.files
    return "var/lib/dpkg/status.d" in files and "var/lib/dpkg/status" not in files


# I009
@check(DISTROLESS_TOOLS, on=Target.IMAGE)
def image_distroless_with_tools(img: ImageFacts) -> Iterator[Violation]:
    if not _claims_distroless(img):
        return
    found = []
    for d in _BIN_DIRS:
        for name in _SHELLS + _PACKAGE_MANAGERS:
            f = img.files.get(d + name)
            if f is not None and f.kind in (FILE, SYMLINK, HARDLINK):
                found.append(d + name)
    if found:
        shown = ", ".join("/" + p for p in found[:6]) + (" …" if len(found) > 6 else "")
        yield Violation(
            "I009",
            f"/files/{found[0]}",
            f"the image presents itself as distroless but holds {len(found)} shell or "
            f"package manager path{'s' if len(found) != 1 else ''}: {shown}",
        )


PACKAGE_CACHE = image_rule(
    "I010",
    "package-cache-left",
    "Package manager cache left in the image",
    Severity.LOW,
    what="The image keeps what a package manager downloaded to install packages: apt's "
    "`/var/lib/apt/lists` and `/var/cache/apt/archives`, `/var/cache/apk`, `/var/cache/yum`, "
    "`/var/cache/dnf`, pip's `~/.cache/pip`, npm's `~/.npm`. The message gives the size "
    "and number of files; empty cache directories are not reported.",
    why="The cache adds size to every pull and every node, and stale package indexes make a "
    "later `apt-get install` in a derived image install outdated versions.",
    fix="Clean up in the same `RUN` that installs (`rm -rf /var/lib/apt/lists/*`, "
    "`apk add --no-cache`, `pip install --no-cache-dir`, `npm ci && npm cache clean --force`), "
    "or use a cache mount (`RUN --mount=type=cache,target=/var/cache/apt`).",
    example="""
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
""",
    refs=("https://docs.docker.com/build/building/best-practices/#apt-get",),
)

_CACHES = (
    ("var/lib/apt/lists", "apt package lists"),
    ("var/cache/apt/archives", "apt's downloaded packages"),
    ("var/cache/apk", "apk's cache"),
    ("var/cache/yum", "yum's cache"),
    ("var/cache/dnf", "dnf's cache"),
)
_HOME_CACHES = ((".cache/pip", "pip's cache"), (".npm/_cacache", "npm's cache"))
_HOMES = re.compile(r"^(?:root|home/[^/]+)/")
_CACHE_STARTS = ("var/", "root/", "home/")


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


# I010
@check(PACKAGE_CACHE, on=Target.IMAGE)
def image_package_cache(img: ImageFacts) -> Iterator[Violation]:
    totals: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    roots = {d: what for d, what in _CACHES}
    for path in img.files:
        if not path.startswith(_CACHE_STARTS):
            continue
        f = img.files[path]
        if f.kind != FILE or f.size == 0:
            continue
        root = None
        for d in roots:
            if path.startswith(d + "/"):
                root = d
                break
        if root is None and _HOMES.match(path):
            home = _HOMES.match(path)
            assert home is not None
            rest = path[home.end() :]
            for sub, what in _HOME_CACHES:
                if rest.startswith(sub + "/"):
                    root = home.group(0) + sub
                    labels[root] = what
                    break
        if root is None:
            continue
        if root == "var/lib/apt/lists" and path.endswith("/lock"):
            continue
        entry = totals.setdefault(root, [0, 0, f.layer])
        entry[0] += 1
        entry[1] += f.size
        entry[2] = max(entry[2], f.layer)
    for root in sorted(totals):
        count, size, layer = totals[root]
        what = roots.get(root) or labels[root]
        yield Violation(
            "I010",
            f"/files/{root}",
            f"/{root} holds {what}: {count} file{'s' if count != 1 else ''}, {_human(size)} "
            f"(last written by {img.layer_label(layer)})",
        )


COMPILERS = image_rule(
    "I011",
    "compilers-in-image",
    "Compilers in the image",
    Severity.INFO,
    what="The image holds a compiler or language toolchain (`gcc`, `g++`, `cc`, `clang`, "
    "`rustc`, `javac`, the Go toolchain). Expected in a build image; in an image that runs an "
    "application it is build tooling that was not left behind in a build stage.",
    why="An intruder with a compiler builds exploits and tools inside the container; the "
    "toolchain also adds hundreds of megabytes and packages with vulnerabilities of their "
    "own.",
    fix="Compile in a build stage and copy only the result into the final stage "
    "(`COPY --from=build /out/app /app`).",
    example="""
FROM golang:1.25 AS build
RUN go build -o /out/app ./cmd/app
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
""",
    refs=("https://docs.docker.com/build/building/multi-stage/",),
)

_COMPILER = re.compile(
    r"^(?:usr/(?:local/)?)?bin/(?:[a-z0-9_]+-linux-gnu-)?"
    r"(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|rustc|javac|tcc)(?:-[0-9.]+)?$"
    r"|^usr/local/go/bin/(go)$|^usr/lib/go-[0-9.]+/bin/(go)$"
)


# I011
@check(COMPILERS, on=Target.IMAGE)
def image_compilers(img: ImageFacts) -> Iterator[Violation]:
    found: dict[str, str] = {}
    for path in sorted(p for p in img.files if "bin/" in p):
        m = _COMPILER.match(path)
        if m and img.files[path].kind != DIR:
            tool = next(g for g in m.groups() if g)
            found.setdefault(tool, path)
    if found:
        first = next(iter(found.values()))
        names = ", ".join(f"{t} (/{p})" for t, p in found.items())
        yield Violation("I011", f"/files/{first}", f"the image holds compilers: {names}")
