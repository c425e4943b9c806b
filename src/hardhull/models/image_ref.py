"""Image references as a Dockerfile writes them (``FROM``, ``COPY --from``,
``RUN --mount=from``): :func:`parse_image` splits one into registry, path, tag and digest.

Docker Hub names are lower-cased and have no registry (``""``); ``scratch`` is not an image.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into its parts (see :func:`parse_image`)."""

    registry: str  # "" for Docker Hub
    path: str  # "library/python", "ubi8/ubi"
    tag: str
    digest: str

    @property
    def repo(self) -> str:
        """The last path component (``python``, ``ubi``)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def text(self) -> str:
        """The reference written back: ``registry/path:tag@digest`` (with what it has; registry
        and path lower-cased, no ``docker.io`` added)."""
        text = (self.registry + "/" if self.registry else "") + self.path
        return (
            text + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")
        )

    @property
    def official(self) -> bool:
        """A Docker Official Image (``python``, ``library/python``, ``docker.io/python``) or a
        well-known mirror of one."""
        if self.registry in ("", "docker.io", "index.docker.io", "registry-1.docker.io"):
            return self.path.count("/") == 0 or self.path.startswith("library/")
        if self.registry in ("public.ecr.aws", "mirror.gcr.io"):
            return self.path.startswith(("docker/library/", "library/")) or (
                self.registry == "mirror.gcr.io" and "/" not in self.path
            )
        return False


def parse_image(ref: str) -> ImageRef | None:
    """Split an image reference; None for ``scratch``, empty or malformed references."""
    ref = ref.strip()
    if not ref or ref.lower() == "scratch" or any(c.isspace() for c in ref):
        return None
    name, _, digest = ref.partition("@")
    registry = ""
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, name = first.lower(), rest
    path, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:
        path, tag = name, ""
    if not path:
        return None
    return ImageRef(registry, path.lower(), tag, digest)
