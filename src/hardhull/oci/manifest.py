"""Manifests, indexes and platform selection, shared by every transport.

- :data:`INDEX_TYPES`, :data:`MANIFEST_TYPES`: the media types of OCI and Docker schema 2.
- :func:`select_platform`: the manifest descriptor of an index for a platform, and the others.
- :func:`layer_refs`: the layers of a manifest with their ``diff_id`` and history line.
"""

from __future__ import annotations

from typing import Any

from hardhull.oci.model import ImageError, LayerRef, Platform

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})

DEFAULT_PLATFORM = Platform("linux", "amd64")

#: the variant an architecture has when none is named (containerd's normalisation)
_DEFAULT_VARIANT = {"arm64": "v8", "arm": "v7"}


def parse_platform(text: str) -> Platform:
    """``os/arch[/variant]`` (``--platform``); raises ValueError on anything else."""
    parts = text.strip().split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"platform {text!r}: expected os/arch[/variant], e.g. linux/amd64")
    return Platform(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def _platform_of(desc: dict[str, Any]) -> Platform | None:
    p = desc.get("platform")
    if not isinstance(p, dict):
        return None
    os_, arch = p.get("os"), p.get("architecture")
    if not isinstance(os_, str) or not isinstance(arch, str):
        return None
    variant = p.get("variant")
    return Platform(os_, arch, variant if isinstance(variant, str) else "")


def _matches(have: Platform, want: Platform) -> bool:
    if (have.os, have.architecture) != (want.os, want.architecture):
        return False
    default = _DEFAULT_VARIANT.get(want.architecture, "")
    return (have.variant or default) == (want.variant or default)


def is_index(doc: dict[str, Any], media_type: str = "") -> bool:
    """Whether a manifest document is an index (by its media type, else by its shape)."""
    mt = media_type or doc.get("mediaType") or ""
    return mt in INDEX_TYPES or (not mt and isinstance(doc.get("manifests"), list))


def select_platform(
    index: dict[str, Any], want: Platform = DEFAULT_PLATFORM, *, ref: str = ""
) -> tuple[dict[str, Any], list[Platform]]:
    """The descriptor of ``index`` for ``want`` and the other platforms it offers (attestation
    manifests, which have platform ``unknown/unknown``, are not platforms). Raises
    :class:`ImageError` naming the platforms there are when none matches."""
    chosen: dict[str, Any] | None = None
    others: list[Platform] = []
    for desc in index.get("manifests") or []:
        if not isinstance(desc, dict):
            continue
        plat = _platform_of(desc)
        if plat is None or plat.os == "unknown":
            continue
        if chosen is None and _matches(plat, want):
            chosen = desc
        elif plat not in others:
            others.append(plat)
    if chosen is None:
        offered = ", ".join(str(p) for p in others) or "none"
        raise ImageError(f"{ref}: no image for platform {want} (the index offers: {offered})")
    return chosen, others


def layer_refs(
    manifest: dict[str, Any], config: dict[str, Any], *, ref: str = ""
) -> list[LayerRef]:
    """The layers of ``manifest`` in order, each with its ``diff_id`` from ``config`` and the
    ``created_by`` of the history entry that made it (entries with ``empty_layer`` make none)."""
    layers = manifest.get("layers")
    if not isinstance(layers, list):
        raise ImageError(f"{ref}: manifest has no layers list")
    rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), dict) else {}
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    diff_ids = diff_ids if isinstance(diff_ids, list) else []
    history = [
        h for h in (config.get("history") or []) if isinstance(h, dict) and not h.get("empty_layer")
    ]
    out: list[LayerRef] = []
    for i, desc in enumerate(layers):
        if not isinstance(desc, dict) or not isinstance(desc.get("digest"), str):
            raise ImageError(f"{ref}: layer {i} has no digest")
        created = history[i].get("created_by", "") if i < len(history) else ""
        diff = diff_ids[i] if i < len(diff_ids) and isinstance(diff_ids[i], str) else ""
        size = desc.get("size")
        out.append(
            LayerRef(
                digest=desc["digest"],
                diff_id=diff,
                media_type=str(desc.get("mediaType", "")),
                size=size if isinstance(size, int) and not isinstance(size, bool) else -1,
                created_by=created if isinstance(created, str) else "",
            )
        )
    return out
