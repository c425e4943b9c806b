"""Dockerfile rule about copying the whole build context without a ``.dockerignore``
(D022)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, copy_sources
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import dockerfile_rule

CONTEXT_COPY = dockerfile_rule(
    "D022",
    "copy-context-without-dockerignore",
    "Whole build context copied without .dockerignore",
    Severity.MEDIUM,
    what="A `COPY` or `ADD` in a stage of the final image copies the whole build context "
    "(`.`, `./`, `*`) and there is no `.dockerignore` (nor `<Dockerfile>.dockerignore`) "
    "next to the Dockerfile. Not reported when the input came from standard input.",
    why="Everything in the directory goes into the image: `.git` (with history and possibly "
    "credentials in its config), `.env` files, local keys, test data, build outputs. "
    "Secrets leak, images grow and caches break on every unrelated change.",
    fix="Add a `.dockerignore` that excludes at least `.git`, `.env*`, keys and local build "
    "output (or, better, an allow-list: `*` then `!src/` …), or copy only what is needed.",
    example="""
# .dockerignore
.git
.env*
*.pem
node_modules
""",
    refs=("https://docs.docker.com/build/concepts/context/#dockerignore-files",),
)


# D022
@check(CONTEXT_COPY, on=Target.DOCKERFILE)
def copy_context_without_dockerignore(f: DockerfileFacts) -> Iterator[Violation]:
    if f.ctx.dockerignore is not False:
        return
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from"):
                continue
            for k, src in copy_sources(ins):
                if src in (".", "./", "*", "./*", "./."):
                    yield Violation(
                        "D022",
                        f"/stages/{st.index}/instructions/{j}/args/{k}",
                        f"{ins.keyword} {src} copies the whole build context and there is no "
                        ".dockerignore",
                    )
                    break
