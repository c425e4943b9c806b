"""What the image checks (``rules/image``, codes I…) read about one container image: its
config, its layers, the files of the final filesystem (whiteouts applied) and the credentials
found in layer files while the layers were streamed, including files a later layer deleted.

The image reader (:mod:`hardhull.oci`) and the layer walk fill an :class:`ImageFacts`; the
checks never read a layer themselves.

Pointers locate findings: ``/config/User``, ``/config/Env/<i>``, ``/config/Labels/<key>``,
``/config/ExposedPorts/<port>``, ``/history/<i>/created_by`` (index into the config's
``history``), ``/files/<path>`` (a file of the final filesystem) and
``/layers/<i>/files/<path>`` (a file as layer *i* wrote it, which the final filesystem may not
have any more).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hardhull.models.packages import Distro

#: the kinds of :attr:`FileInfo.kind` (the values of :class:`hardhull.oci.model.MemberKind`)
FILE, DIR, SYMLINK, HARDLINK = "file", "dir", "symlink", "hardlink"


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One path of the final filesystem."""

    #: path inside the image, without a leading "/"
    path: str
    #: "file", "dir", "symlink", "hardlink", "char", "block" or "fifo"
    kind: str
    #: permission bits with setuid (0o4000), setgid (0o2000) and sticky (0o1000)
    mode: int
    uid: int
    gid: int
    size: int
    #: index of the layer that last wrote the path
    layer: int
    linkname: str = ""


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """One layer of the image, in order from the base."""

    #: the digest of its uncompressed content (the config's ``diff_id``): the same whichever
    #: transport or compression the image came in
    digest: str
    #: the history line that made it (``RUN …``, ``COPY …``), "" when the image has none
    created_by: str = ""
    #: index of that line in the config's ``history`` (-1 when unknown)
    history_index: int = -1


@dataclass(frozen=True, slots=True)
class FileSecret:
    """A credential found in a file as one layer wrote it."""

    path: str
    #: index of the layer whose copy of the file holds it
    layer: int
    line: int
    column: int
    #: what was found ("GitHub token", "private key (RSA)"), as the S rules say it
    kind: str
    #: the credential masked for display
    masked: str
    #: the credential as the file holds it (never shown: reports mask it)
    raw: str = field(default="", repr=False)
    #: the final filesystem no longer has this copy (deleted or overwritten by a later layer);
    #: the bytes are still in the image
    deleted: bool = False


@dataclass
class ImageFacts:
    """The subject of the image checks."""

    #: the reference as the user gave it
    ref: str
    #: the image config's ``config`` object (User, Env, ExposedPorts, Labels, Cmd, …)
    config: Mapping[str, Any]
    #: the image config's ``history`` list
    history: Sequence[Mapping[str, Any]]
    layers: Sequence[LayerInfo]
    #: the final filesystem: path (no leading "/") → what is there
    files: Mapping[str, FileInfo]
    distro: Distro | None = None
    secrets: Sequence[FileSecret] = ()
    #: end-of-life decisions are taken at this date
    as_of: date = field(default_factory=date.today)
    #: names the image gave itself (RepoTags, OCI ref annotation, the reference)
    names: Sequence[str] = ()

    def layer_label(self, index: int) -> str:
        """``layer 3 (sha256:0123456789ab, RUN apt-get install …)`` for messages."""
        if not 0 <= index < len(self.layers):
            return f"layer {index + 1}"
        layer = self.layers[index]
        digest = layer.digest[:19] if layer.digest.startswith("sha256:") else layer.digest[:12]
        created = " ".join(layer.created_by.split())
        if len(created) > 60:
            created = created[:57] + "…"
        return f"layer {index + 1} ({digest}{', ' + created if created else ''})"
