"""Dockerfile rules about what the final image offers and carries: administration ports it
exposes (D019), no ``HEALTHCHECK`` (D020), build tools left in it (D021)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, stage_label
from hardhull.models.image_ref import parse_image
from hardhull.models.package_managers import (
    installed_packages,
    package_name,
    program,
    removed_packages,
)
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import DOCKER_REF, dockerfile_rule

EXPOSE_ADMIN = dockerfile_rule(
    "D019",
    "expose-admin-port",
    "Remote administration port exposed",
    Severity.MEDIUM,
    what="The final image `EXPOSE`s port 22 (SSH), 2375 (Docker API without TLS; high) or 2376 "
    "(Docker API with TLS).",
    why="An SSH server in a container is a second, unmonitored way in with its own credentials "
    "and patching; an exposed Docker API is full control of the host (2375 without any "
    "authentication).",
    fix="Remove the port and the daemon behind it: use `kubectl exec`/`docker exec` for "
    "debugging, and never publish the Docker API; if a Docker-in-Docker image is intended, "
    "expose 2376 with mutual TLS only.",
    example="""
EXPOSE 8080
""",
    trivy=("DS004",),
    checkov=("CKV_DOCKER_1",),
    refs=(DOCKER_REF + "#expose",),
)

_ADMIN_PORTS = {
    22: ("SSH", Severity.MEDIUM),
    2375: ("the Docker API without TLS", Severity.HIGH),
    2376: ("the Docker API", Severity.MEDIUM),
}


# D019
@check(EXPOSE_ADMIN, on=Target.DOCKERFILE)
def expose_admin_port(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "EXPOSE":
                continue
            for k, raw in enumerate(ins.args):
                value = f.expand_in(st, j, raw) or raw
                port_text = value.split("/", 1)[0]
                lo, _, hi = port_text.partition("-")
                if not lo.isdigit() or (hi and not hi.isdigit()):
                    continue
                first, last = int(lo), int(hi or lo)
                for port, (what, sev) in _ADMIN_PORTS.items():
                    if first <= port <= last:
                        yield Violation(
                            "D019",
                            f"/stages/{st.index}/instructions/{j}/args/{k}",
                            f"EXPOSE {raw} publishes {what} (port {port})",
                            None,
                            sev,
                        )


HEALTHCHECK = dockerfile_rule(
    "D020",
    "missing-healthcheck",
    "No HEALTHCHECK in the final image",
    Severity.LOW,
    what="The final stage (and the stages it is built from) has no `HEALTHCHECK`. Not reported "
    "for images without a shell or tools to run one (`scratch`, distroless, Chainguard "
    "static images), for images marked as Kubernetes-targeted (a `io.k8s.*` or "
    "`io.openshift.*` label, or a comment mentioning Kubernetes, k8s, liveness or readiness "
    'probes; a license header such as "Copyright The Kubernetes Authors" or a '
    "commented-out instruction does not count), and when `HEALTHCHECK NONE` states the "
    "choice. Kubernetes ignores `HEALTHCHECK` (it uses probes): disable this rule "
    "(`disable: [D020]`) if your images only run there.",
    why="Without a health check Docker, Compose and Swarm only know whether the process is "
    "running, not whether it works: a hung server keeps receiving traffic and is never "
    "restarted.",
    fix="Add a `HEALTHCHECK` that exercises the service cheaply, or `HEALTHCHECK NONE` with a "
    "comment when the orchestrator probes it.",
    example="""
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\
  CMD ["/app/healthcheck"]
""",
    cis="4.6 Ensure that HEALTHCHECK instructions have been added to container images",
    trivy=("DS026",),
    checkov=("CKV_DOCKER_2",),
    refs=(DOCKER_REF + "#healthcheck",),
)

_MINIMAL_IMAGE = re.compile(
    r"(^|/)distroless/|^cgr\.dev/chainguard/(static|glibc-dynamic)|(^|/)busybox(:|@|$)"
)
_K8S_COMMENT = re.compile(r"^\s*#.*\b(kubernetes|k8s|liveness|readiness|openshift)\b", re.I)
#: comments that mention Kubernetes without saying where the image runs: license headers
#: ("Copyright 2016 The Kubernetes Authors") and commented-out instructions
_NOT_A_MARKER = re.compile(
    r"^\s*#\s*(?:.*\b(?:copyright|licen[cs]ed?|spdx-license-identifier)\b"
    r"|(?:from|run|cmd|entrypoint|copy|add|env|arg|label|user|expose|workdir)\s)",
    re.I,
)


# D020
@check(HEALTHCHECK, on=Target.DOCKERFILE)
def missing_healthcheck(f: DockerfileFacts) -> Iterator[Violation]:
    chain = f.chain(f.final)
    for st in chain:
        if any(ins.keyword == "HEALTHCHECK" for ins in st.instructions):
            return
    root = chain[-1]
    base = root.base_image.lower()
    if not base or base == "scratch" or _MINIMAL_IMAGE.search(base):
        return
    if any(k.startswith(("io.k8s.", "io.openshift.")) for k in f.labels):
        return
    if any(_K8S_COMMENT.match(line) and not _NOT_A_MARKER.match(line) for line in f.comment_lines):
        return
    yield Violation(
        "D020", f"/stages/{f.final.index}", f"final {stage_label(f.final)} has no HEALTHCHECK"
    )


BUILD_TOOLS = dockerfile_rule(
    "D021",
    "build-tools-in-final-image",
    "Build toolchain shipped in a single-stage image",
    Severity.LOW,
    what="A single-stage Dockerfile compiles software (`make`, `gcc`, `go build`, `mvn`, "
    "`gradle`, `cargo build`, `./configure`, …) and keeps the build tools in the image: "
    "it installs compilers and build tools (`gcc`, `g++`, `make`, `build-essential`, "
    "`golang`, `maven`, `gradle`, `cargo`, `git`, …) with apt, apk, yum, dnf or microdnf "
    "without removing them (`apk del .build-deps`, `apt-get purge`), or it is built on a "
    "toolchain image (`golang`, `maven`, `gradle`, `rust`, `gcc`). Images that do not "
    "compile are not reported (their tools are run-time dependencies), nor are multi-stage "
    "builds: a tool left in their final stage is most likely needed at run time.",
    why="Compilers, headers and version-control tools are not needed to run the application: "
    "they add hundreds of megabytes, vulnerabilities, and let an attacker who gets in "
    "build and run tools of their choice.",
    fix="Use a multi-stage build: compile in a builder stage, then `COPY --from=builder` only "
    "the artefacts into a minimal runtime image.",
    example="""
FROM golang:1.25-trixie AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
""",
    cis="4.3 Ensure that unnecessary packages are not installed in the container",
    refs=(DOCKER_REF, "https://docs.docker.com/build/building/multi-stage/"),
)

_TOOLS = frozenset(
    {"gcc", "g++", "clang", "make", "cmake", "build-essential", "build-base", "golang",
     "golang-go", "go", "maven", "gradle", "cargo", "rustc", "git", "autoconf", "automake",
     "libtool", "gcc-c++", "musl-dev", "libc-dev", "libc6-dev", "pkg-config", "pkgconf",
     "ninja-build", "bison", "flex", "default-jdk"}
)  # fmt: skip
_TOOLCHAIN_IMAGES = frozenset({"golang", "maven", "gradle", "rust", "gcc", "buildpack-deps"})
_COMPILERS = frozenset(
    {"make", "cmake", "gcc", "g++", "cc", "c++", "clang", "clang++", "javac", "mvn", "gradle",
     "ninja", "meson", "bazel", "rustc", "ant"}
)  # fmt: skip


def _compiles(argv: Sequence[str]) -> bool:
    """Whether a command builds software (the evidence that installed tools are build-only)."""
    name, i = program(argv)
    rest = list(argv[i + 1 :])
    if name in _COMPILERS or name.endswith("configure") or name in ("mvnw", "gradlew"):
        return True
    if name in ("go", "cargo") and rest[:1] and rest[0] in ("build", "install"):
        return True
    return bool(re.match(r"python[\d.]*$", name)) and rest[:1] == ["setup.py"]


# D021
@check(BUILD_TOOLS, on=Target.DOCKERFILE)
def build_tools_in_final_image(f: DockerfileFacts) -> Iterator[Violation]:
    if len(f.df.stages) != 1:
        return
    st = f.final
    runs = list(f.runs([st]))
    if not any(_compiles(rc.cmd.argv) for rc in runs):
        return
    removed: set[str] = set()
    for rc in runs:
        removed |= removed_packages(rc.cmd.argv)
    for rc in runs:
        pkgs, group = installed_packages(rc.cmd.argv)
        if group and group in removed:
            continue
        tools = [
            (n, p) for n, p in pkgs if package_name(p) in _TOOLS and package_name(p) not in removed
        ]
        if tools:
            names = ", ".join(p for _, p in tools[:6]) + (", …" if len(tools) > 6 else "")
            yield Violation(
                "D021",
                rc.argv_pointer(tools[0][0]),
                f"build tools stay in the final image ({names}): use a multi-stage build",
            )
    ref = parse_image(st.base_image)
    if ref is not None and ref.official and ref.repo in _TOOLCHAIN_IMAGES:
        yield Violation(
            "D021",
            f"/stages/{st.index}/image",
            f"the image is built on toolchain image {st.base_image} and ships it: "
            "use a multi-stage build",
        )
