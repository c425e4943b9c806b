"""Reading container images without a container engine: transports (docker-archive, OCI
layout, OCI archive, registries), manifests and platform selection, and layers streamed as
tar members with the limits that untrusted input needs. No rule here: the image checks
(``rules/image``) and the SBOM catalogers read what this package yields.

Public API:

- :func:`open_image` (``ref`` as skopeo spells it) → :class:`~hardhull.oci.model.Image`;
  close it with ``image.close()``.
- :func:`hardhull.oci.walk.walk` (image, visitor) → :class:`~hardhull.oci.index.FileIndex`:
  every layer streamed once, the members the caller wants handed over with their content.
- :func:`hardhull.oci.layers.iter_members`: one layer's members, for callers that need less.
- :class:`~hardhull.oci.layers.Limits`: the bounds on untrusted layers.

The shared vocabulary is in :mod:`hardhull.oci.model`; docs/images.md describes the
transports and limits for users.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from hardhull.oci.manifest import DEFAULT_PLATFORM
from hardhull.oci.model import Image, ImageError, Platform

#: the local transports, longest prefix first
LOCAL_TRANSPORTS = ("docker-archive:", "oci-archive:", "oci:")


def _split(rest: str) -> tuple[str, str]:
    """``PATH[:MORE]`` split at the first ":" (skopeo's rule: the path holds no ":")."""
    path, _, more = rest.partition(":")
    return path, more


def open_image(ref: str, *, platform: Platform = DEFAULT_PLATFORM, insecure: bool = False) -> Image:
    """The image ``ref`` names: ``docker-archive:PATH[:NAME:TAG|:@N]`` (a bare path ending in
    ``.tar`` too), ``oci:DIR[:TAG]``, ``oci-archive:PATH[:TAG]``, ``docker://REF`` or a bare
    registry reference. ``platform`` picks the image of a multi-arch index; ``insecure``
    allows plain HTTP to a registry on loopback. Raises :class:`ImageError`."""
    if ref.startswith("docker-archive:"):
        path, selector = _split(ref[len("docker-archive:") :])
        return _local("open_docker_archive", path, selector, ref, platform)
    if ref.startswith("oci-archive:"):
        path, tag = _split(ref[len("oci-archive:") :])
        return _local("open_oci_archive", path, tag, ref, platform)
    if ref.startswith("oci:"):
        path, tag = _split(ref[len("oci:") :])
        from hardhull.oci.layout import open_oci_dir  # here: a command loads what it uses

        if not path:
            raise ImageError(f"{ref}: no directory given")
        return open_oci_dir(path, tag, ref=ref, platform=platform)
    if ref.endswith(".tar") and not ref.startswith("docker://"):
        return _local("open_docker_archive", ref, "", ref, platform)
    try:
        module = importlib.import_module("hardhull.oci.registry")
    except ModuleNotFoundError as exc:
        if exc.name != "hardhull.oci.registry":
            raise
        raise ImageError(f"{ref}: reading from a registry is not available in this build") from None
    opener = cast(Callable[..., Image], module.open_registry_image)
    return opener(ref, platform=platform, insecure=insecure)


def _local(func: str, path: str, more: str, ref: str, platform: Platform) -> Image:
    from hardhull.oci import archive  # here: a command loads what it uses

    if not path:
        raise ImageError(f"{ref}: no path given")
    opener = cast(Callable[..., Image], getattr(archive, func))
    return opener(path, more, ref=ref, platform=platform)


__all__ = ["DEFAULT_PLATFORM", "Image", "ImageError", "Platform", "open_image"]
