"""Dockerfile rules about the images a build starts from: end-of-life releases (D001), the
``latest`` tag or no tag (D002) and tags not pinned by digest (D003), for ``FROM`` and for
images pulled by ``COPY --from`` and ``RUN --mount=from``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.formats.dockerfile.model import Stage
from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, stage_label
from hardhull.models.eol import eol_hits
from hardhull.models.image_ref import ImageRef, parse_image
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import BEST, DOCKER_REF, dockerfile_rule

EOL_BASE = dockerfile_rule(
    "D001",
    "eol-base-image",
    "Base image has reached end of life",
    Severity.HIGH,
    what="A `FROM` uses a release of a distribution or language runtime that reached its end of "
    "life before the scan date (`--as-of`, default today): Ubuntu, Debian, Alpine, CentOS, "
    "RHEL/UBI, Amazon Linux, Node.js, Python, Go, Eclipse Temurin, and the deprecated "
    "`openjdk` and `adoptopenjdk` images. The version is read from the image tag "
    "(`python:3.8-slim-buster` is Python 3.8 on Debian 10; both are judged). Dates come from "
    "the table shipped with hardhull (`hardhull/data/eol.json`, see docs/dockerfile.md); "
    "tags without a version (`python:3`, `node:lts`, `latest`) are not judged here. In a "
    "build stage that is not part of the final image the finding is medium.",
    why="An end-of-life release gets no security fixes: every vulnerability found after that "
    "date stays in the image for good, and scanners report more of them each month. Debian "
    "is judged at the end of its LTS period, Ubuntu at the end of standard support (ESM "
    "needs an Ubuntu Pro subscription, which public images do not have).",
    fix="Move to a supported release of the same image (the message names the end-of-life "
    "date), rebuild, and schedule the next upgrade before its end of life.",
    example="""
# before: FROM python:3.8-slim-buster
FROM python:3.13-slim-trixie
""",
    cis="4.4 Ensure images are scanned and rebuilt to include security patches",
    refs=("https://endoflife.date/", DOCKER_REF + "#from"),
)


# D001
@check(EOL_BASE, on=Target.DOCKERFILE)
def eol_base_image(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        if f.parent(st) is not None or st.unresolved:
            continue
        ref = parse_image(st.base_image)
        if ref is None:
            continue
        hits = [h for h in eol_hits(ref) if h.eol < f.ctx.as_of]
        if not hits:
            continue
        if hits[0].deprecated:
            h = hits[0]
            msg = (
                f"base image {st.base_image} is deprecated: the {h.label} image gets no "
                f"updates since {h.eol.isoformat()}; use {h.replacement}"
            )
        else:
            ended = " and ".join(f"{h.label} on {h.eol.isoformat()}" for h in hits)
            msg = f"base image {st.base_image} is end of life: {ended} (no security updates)"
        if st.index in f.final_chain:
            yield Violation("D001", f"/stages/{st.index}/image", msg)
        else:
            yield Violation(
                "D001",
                f"/stages/{st.index}/image",
                f"{msg}; used by build {stage_label(st)}",
                None,
                Severity.MEDIUM,
            )


_ARG_DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-[^}]+\}")


def _external_froms(f: DockerfileFacts) -> Iterator[tuple[Stage, ImageRef]]:
    for st in f.df.stages:
        if f.parent(st) is not None:
            continue
        if st.unresolved and not _ARG_DEFAULTED.search(st.base_image_raw):
            # a build argument chooses the image: judge only what is written literally
            continue
        ref = parse_image(st.base_image)
        if ref is not None:
            yield st, ref


def _external_copies(f: DockerfileFacts) -> Iterator[tuple[str, str, ImageRef]]:
    """(pointer, how, image) of every ``COPY --from=<image>`` and ``RUN --mount=from=<image>``
    that names an image rather than a build stage (BuildKit pulls it, like a ``FROM``)."""
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            refs: list[tuple[str, str]] = []
            if ins.keyword == "COPY":
                src = ins.flag("from")
                if src:
                    refs.append((f"{ins.keyword} --from", src))
            elif ins.keyword == "RUN":
                refs += [("RUN --mount from", m.from_) for m in ins.mounts if m.from_]
            for how, src in refs:
                if "$" in src or f.df.stage(src) is not None:
                    continue
                ref = parse_image(src)
                if ref is not None:
                    yield f"/stages/{st.index}/instructions/{j}", how, ref


LATEST_TAG = dockerfile_rule(
    "D002",
    "base-image-latest",
    "Base image not pinned to a version",
    Severity.MEDIUM,
    what="A `FROM` names an image with the `latest` tag or with no tag at all (which means "
    "`latest`) and no digest. Stages built from earlier stages, `scratch`, and references "
    "whose tag comes from a build argument without a default are not reported. The same "
    "holds for images that `COPY --from=<image>` and `RUN --mount=from=<image>` pull: "
    "they are inputs of the build as much as the `FROM` image.",
    why="`latest` moves: the same Dockerfile builds a different image tomorrow, a rebuild can "
    "pull in a new major version that breaks the application or silently drops hardening, "
    "and nobody can tell which base a running image was built from.",
    fix="Name a version tag (and, for reproducible builds, the digest: see D003).",
    example="""
# before: FROM node
FROM node:22.12-bookworm-slim
""",
    trivy=("DS001",),
    checkov=("CKV_DOCKER_7",),
    hadolint=("DL3007",),
    refs=(DOCKER_REF + "#from", BEST + "#pin-base-image-versions"),
)


# D002
@check(LATEST_TAG, on=Target.DOCKERFILE)
def base_image_latest(f: DockerfileFacts) -> Iterator[Violation]:
    for st, ref in _external_froms(f):
        if ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        if st.unresolved:
            continue
        what = "the latest tag" if ref.tag else "no tag (latest)"
        yield Violation(
            "D002",
            f"/stages/{st.index}/image",
            f"base image {st.base_image} uses {what}: pin a version",
        )
    for ptr, how, ref in _external_copies(f):
        if ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        what = "the latest tag" if ref.tag else "no tag (latest)"
        yield Violation("D002", ptr, f"{how} image {ref.text} uses {what}: pin a version")


DIGEST_PIN = dockerfile_rule(
    "D003",
    "base-image-not-digest-pinned",
    "Base image not pinned by digest",
    Severity.LOW,
    what="A `FROM`, `COPY --from=<image>` or `RUN --mount=from=<image>` names an image by tag "
    "only, without `@sha256:…`. Reported once per image reference and not for images "
    "already reported by D002.",
    why="A tag is a mutable pointer: the registry (or anyone who can push to it) can move it to "
    "different content. A digest names exactly the bytes that were reviewed and scanned, so "
    "builds are reproducible and a compromised tag cannot slip into the image.",
    fix="Pin the digest next to the tag (`image:tag@sha256:…`) and let a bot (Renovate, "
    "Dependabot) update both together.",
    example="""
FROM python:3.13-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
""",
    refs=(DOCKER_REF + "#from", BEST + "#pin-base-image-versions"),
)


# D003
@check(DIGEST_PIN, on=Target.DOCKERFILE)
def base_image_not_digest_pinned(f: DockerfileFacts) -> Iterator[Violation]:
    seen: set[str] = set()
    for st, ref in _external_froms(f):
        if ref.digest or not ref.tag or ref.tag == "latest" or st.unresolved:
            continue
        if st.base_image in seen:
            continue
        seen.add(st.base_image)
        yield Violation(
            "D003",
            f"/stages/{st.index}/image",
            f"base image {st.base_image} is not pinned by digest",
        )
    for ptr, how, ref in _external_copies(f):
        text = ref.text
        if ref.digest or not ref.tag or ref.tag == "latest" or text in seen:
            continue
        seen.add(text)
        yield Violation("D003", ptr, f"{how} image {text} is not pinned by digest")
