"""What every image transport yields: an :class:`Image` (its config, its layers in order, the
platform chosen and the others an index offered) and, per layer, tar :class:`Member` values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any


class ImageError(Exception):
    """An image that cannot be read: the message names the reference (and the layer digest
    and member where one is at fault) and never echoes credentials."""


@dataclass(frozen=True, order=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


@dataclass(frozen=True)
class LayerRef:
    """One layer of an image, in order from the base."""

    #: digest of the blob as stored (compressed), "sha256:…"
    digest: str
    #: digest of the uncompressed tar (config ``rootfs.diff_ids``), "" if unknown
    diff_id: str
    media_type: str
    size: int
    #: the ``created_by`` of the history entry that made this layer (empty layers skipped)
    created_by: str = ""


@dataclass
class Image:
    """An image opened by a transport. ``open_layer`` returns the stored (possibly compressed)
    bytes of a layer as a stream, read once, front to back."""

    #: the reference as the user gave it ("docker-archive:app.tar", "localhost:5000/app:1")
    ref: str
    transport: str
    config: dict[str, Any]
    config_digest: str
    layers: list[LayerRef]
    open_layer: Callable[[LayerRef], IO[bytes]]
    #: digest of the manifest chosen (registries, OCI layouts); "" when there is none
    manifest_digest: str = ""
    platform: Platform | None = None
    #: the other platforms a multi-arch index offered
    other_platforms: list[Platform] = field(default_factory=list)
    #: tags or names the source gave the image (docker-archive RepoTags, OCI ref annotation)
    names: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None
    #: for transports that do not verify a layer's bytes against its digest (local archives
    #: and layouts: hashing every byte would double a scan), what identifies the stored bytes
    #: (file, member, size, modification time); None when digests are verified (registries).
    #: Caches key a local layer by digest *and* this, so a file that claims another layer's
    #: digest never gets that layer's cached results.
    layer_source: Callable[[LayerRef], str] | None = None


class MemberKind(enum.Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"


@dataclass(frozen=True)
class Member:
    """One entry of a layer tar, with its path normalised: relative to the image root, no
    leading "/", no "." or ".." components (a member that would leave the root is an error,
    not a Member)."""

    path: str
    kind: MemberKind
    mode: int
    uid: int
    gid: int
    size: int
    #: symlink target as stored, or the normalised path a hard link points to
    linkname: str = ""
