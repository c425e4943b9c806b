"""Dockerfile rule about the user the container runs as (D004)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, stage_label
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import BEST, DOCKER_REF, dockerfile_rule

ROOT_USER = dockerfile_rule(
    "D004",
    "image-runs-as-root",
    "Image runs as root",
    Severity.MEDIUM,
    what="The final stage (the image that is shipped) runs its process as root: no `USER` in it "
    "or in the stages it is built from (reported on its `FROM`; medium), or the last `USER` "
    "is `root`, `0` or `0:…` (reported on that `USER`; high). A `USER` in another, earlier "
    "stage does not carry over; a stage built `FROM` an earlier stage inherits that stage's "
    "`USER`. Images known to default to a non-root user (distroless `:nonroot` tags, "
    "Chainguard images, Bitnami images, `*-unprivileged`) and Windows base images are not "
    "reported; `FROM scratch` without `USER` runs as uid 0 and is reported.",
    why="A process running as root in the container is root on the host as soon as anything "
    "goes wrong: a kernel or runtime vulnerability, a mounted socket or host path, an added "
    "capability. Running as an unprivileged user removes a whole class of escalations and is "
    "required by the Pod Security `restricted` profile (`runAsNonRoot`).",
    fix="Create an unprivileged user (or use a numeric uid, which Kubernetes can verify) and end "
    "the final stage with `USER`. Do root-only work (package installs) before the `USER` "
    "line.",
    example="""
FROM debian:trixie-slim
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app
COPY --chown=10001:10001 app /app
USER 10001:10001
ENTRYPOINT ["/app"]
""",
    cis="4.1 Ensure that a user for the container has been created",
    trivy=("DS002",),
    checkov=("CKV_DOCKER_3",),
    refs=(DOCKER_REF + "#user", BEST + "#user"),
)

_NONROOT_IMAGE = re.compile(
    r"(^|/)distroless/.*:(.*-)?nonroot(-.*)?$|^cgr\.dev/chainguard/(?!.*-dev(@|$))"
    r"|(^|/)bitnami/|-unprivileged(:|@|$)|(^|/)nginx-unprivileged"
)
_WINDOWS_IMAGE = re.compile(r"windows|nanoserver|servercore|mcr\.microsoft\.com/dotnet/framework")


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("root", "0")


# D004
@check(ROOT_USER, on=Target.DOCKERFILE)
def image_runs_as_root(f: DockerfileFacts) -> Iterator[Violation]:
    final = f.final
    root = f.root_stage(final)
    base = root.base_image.lower()
    if _WINDOWS_IMAGE.search(base):
        return
    user, sidx, j = f.user_of(final)
    if user is None and j < 0:
        if root.unresolved and not base:
            return
        if _NONROOT_IMAGE.search(base):
            return
        elsewhere = [
            st
            for st in f.df.stages
            if st.index not in f.final_chain
            and any(ins.keyword == "USER" for ins in st.instructions)
        ]
        note = (
            f" (the USER of {stage_label(elsewhere[0])} does not carry over)" if elsewhere else ""
        )
        yield Violation(
            "D004",
            f"/stages/{final.index}",
            f"final {stage_label(final)} sets no USER: the container runs as the base image's "
            f"user (root for almost all images){note}",
        )
        return
    if user is not None and _is_root(user):
        ins = f.df.stages[sidx].instructions[j]
        yield Violation(
            "D004",
            f"/stages/{sidx}/instructions/{j}",
            f"the image runs as root: last USER is {ins.args[0]}",
            severity=Severity.HIGH,
        )
