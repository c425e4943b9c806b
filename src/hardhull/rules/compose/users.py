"""Services that run as root (C018)."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule
from hardhull.rules.compose.common import image_repository, scalar_text

#: images whose default user is not root (the image's USER), by repository prefix
NON_ROOT_IMAGES = (
    "grafana/grafana", "grafana/loki", "prom/", "quay.io/prometheus/", "elasticsearch",
    "kibana", "logstash", "docker.elastic.co/", "jenkins/jenkins", "sonarqube", "bitnami/",
    "nginxinc/nginx-unprivileged", "quay.io/keycloak/keycloak", "gcr.io/distroless/",
    "cgr.dev/chainguard/",
)  # fmt: skip


def runs_non_root(image: str) -> bool:
    repo, tag = image_repository(image)
    if "nonroot" in tag or "rootless" in tag or "unprivileged" in repo:
        return True
    if repo.startswith(("gcr.io/distroless/", "cgr.dev/chainguard/")):
        return "nonroot" in tag or repo.startswith("cgr.dev/")
    return any(repo == p.rstrip("/") or repo.startswith(p) for p in NON_ROOT_IMAGES if p)


def _is_root_user(text: str) -> bool:
    who = text.strip().split(":", 1)[0].strip()
    return who in ("root", "0")


ROOT_USER = compose_rule(
    "C018",
    "compose-runs-as-root",
    "Service runs as root",
    Severity.MEDIUM,
    what="A service sets `user` to root (`root`, `0`, `0:0`, `root:…`): medium. A service that "
    "does not set `user` runs as the image's user, often root: low, and not reported when the "
    "service builds its image here (`build:`, the Dockerfile's USER decides and the "
    "Dockerfile rules check it), for images known to run as a non-root user by default "
    "(Grafana, Prometheus, Elastic, Jenkins, SonarQube, Bitnami, distroless `nonroot`, "
    "`*-rootless`, `nginx-unprivileged`, …) or for a service defined only in part here. Many "
    "official images (postgres, mysql, redis, mongo) start as root and switch to a service "
    "user in their entrypoint: the main process is not root, the start is; which is why the "
    "unset case stays low.",
    why="Root in a container is root on the host's kernel, with only namespaces, capabilities and "
    "seccomp between it and the host; a root process can also rewrite anything in the image.",
    fix='Set `user:` to a non-root UID:GID the image supports (e.g. `"10001:10001"`), or use '
    "an image variant that runs as non-root.",
    example="""
services:
  app:
    image: registry.example.com/app:1.4.2
    user: "10001:10001"
""",
    cis="4.1",
)


# C018
@check(ROOT_USER, on=Target.COMPOSE)
def compose_runs_as_root(s: Service) -> Iterator[Violation]:
    got = s.get("user")
    if got is not None and got[0] is not None:
        text = scalar_text(got[0])
        if text is not None and _is_root_user(text):
            yield Violation("C018", got[1], f"{s.label} runs as root (user: {text})")
        return
    if not s.complete or s.has("build"):
        return
    image = scalar_text(s.value("image"))
    if image is None or "$" in image or runs_non_root(image):
        return
    got_image = s.get("image")
    yield Violation(
        "C018",
        got_image[1] if got_image is not None else s.pointer,
        f"{s.label} does not set user: image {image!r} decides (often root)",
        None,
        Severity.LOW,
    )
