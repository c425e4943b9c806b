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

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
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


#: every kind, in the order of their codes in :class:`PackedFiles`
KINDS = (FILE, DIR, SYMLINK, HARDLINK, "char", "block", "fifo")
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_LINK_CODES = frozenset({_KIND_CODE[SYMLINK], _KIND_CODE[HARDLINK]})

# one path's entry packed in one integer: kind 3 bits | mode 12 | layer 16 | uid 32 | gid 32 |
# size (the rest)
MODE_SHIFT, LAYER_SHIFT, UID_SHIFT, GID_SHIFT, SIZE_SHIFT = 3, 15, 31, 63, 95
U32 = 0xFFFFFFFF


def pack(kind: str, mode: int, uid: int, gid: int, size: int, layer: int) -> int:
    """One entry as :class:`PackedFiles` stores it (uid and gid below 2**32, layer 2**16)."""
    return (
        _KIND_CODE[kind]
        | (mode & 0o7777) << MODE_SHIFT
        | layer << LAYER_SHIFT
        | uid << UID_SHIFT
        | gid << GID_SHIFT
        | max(size, 0) << SIZE_SHIFT
    )


class PackedFiles(Mapping[str, FileInfo]):
    """The final filesystem as a read-only mapping path → :class:`FileInfo`, stored as one
    packed integer per path (links' targets aside) and unpacked only for the paths looked at:
    an image holds a hundred thousand paths, the checks look at a few hundred.

    :meth:`select` and :meth:`search` answer the checks' whole-image questions (which files
    are setuid, which paths look like credential files) without unpacking every entry.
    """

    __slots__ = ("_links", "_map")

    def __init__(self, packed: dict[str, int], links: Mapping[str, str] | None = None) -> None:
        self._map = packed
        self._links = links or {}

    def _info(self, path: str, v: int) -> FileInfo:
        code = v & 7
        return FileInfo(
            path,
            KINDS[code],
            (v >> MODE_SHIFT) & 0o7777,
            (v >> UID_SHIFT) & U32,
            (v >> GID_SHIFT) & U32,
            v >> SIZE_SHIFT,
            (v >> LAYER_SHIFT) & 0xFFFF,
            self._links.get(path, "") if code in _LINK_CODES else "",
        )

    def __getitem__(self, path: str) -> FileInfo:
        return self._info(path, self._map[path])

    def __contains__(self, path: object) -> bool:
        return path in self._map

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def packed(self) -> tuple[dict[str, int], Mapping[str, str]]:
        """The storage: path → packed entry (see :func:`pack`), and links' targets."""
        return self._map, self._links

    def select(
        self, kinds: Collection[str] | None = None, mode_any: int = 0
    ) -> Iterator[tuple[str, FileInfo]]:
        """The paths of one of ``kinds`` (every kind when None) with any of the ``mode_any``
        bits set (any mode when 0), in the order they were first written."""
        codes = None if kinds is None else frozenset(_KIND_CODE[k] for k in kinds)
        bits = (mode_any & 0o7777) << MODE_SHIFT
        for path, v in self._map.items():
            if (not bits or v & bits) and (codes is None or v & 7 in codes):
                yield path, self._info(path, v)


def select_files(
    files: Mapping[str, FileInfo], kinds: Collection[str] | None = None, mode_any: int = 0
) -> Iterator[tuple[str, FileInfo]]:
    """:meth:`PackedFiles.select` for any mapping of files."""
    if isinstance(files, PackedFiles):
        yield from files.select(kinds, mode_any)
        return
    for path, f in files.items():
        if (not mode_any or f.mode & mode_any) and (kinds is None or f.kind in kinds):
            yield path, f


def search_paths(
    files: Mapping[str, FileInfo], pattern: re.Pattern[str], tails: tuple[str, ...] = ()
) -> list[str]:
    """The paths in which ``pattern.search`` finds something, in the mapping's order. When
    every path the pattern can match ends with one of ``tails``, pass them: the paths are
    narrowed by ``str.endswith`` first (a hundred thousand regex searches cost a tenth of a
    second; the tails a few milliseconds)."""
    if tails:
        return [p for p in files if p.endswith(tails) and pattern.search(p)]
    return [p for p in files if pattern.search(p)]


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
