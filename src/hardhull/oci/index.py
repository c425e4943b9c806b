"""The image's filesystem as the runtime would see it: every layer applied in order, whiteouts
honoured, kept in memory as a flat, compact map of paths.

- :class:`FileIndex`: path → :class:`Entry` (kind, mode, uid, gid, size, link target, the index
  of the layer that last wrote it), plus, per layer, the :class:`Shadowed` entries it wrote that
  a later layer deleted or overwrote (they are still in the image, in that layer's blob).
- Feeding it: ``begin_layer(i)``, ``add(member)`` for each member of layer ``i`` in tar order
  (whiteout members included), ``end_layer()``; :meth:`FileIndex.apply` does the three for a
  list of members (a cached layer, for instance). :func:`hardhull.oci.walk.walk` does it all
  while streaming the layers.

Whiteouts follow the OCI image spec: ``DIR/.wh.NAME`` deletes ``DIR/NAME`` and everything under
it, ``DIR/.wh..wh..opq`` deletes everything under ``DIR``; both apply only to what the layers
below put there (a layer's own members are never hidden by its own whiteouts), and other
``.wh..wh.*`` names (aufs bookkeeping) are ignored. A non-directory written over a directory
replaces the directory's subtree too, as Docker and containerd apply it.

Each entry is stored as one packed integer (links' targets in a side map), about 170 bytes per
path with the path string; see docs/images.md for the measurement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from hardhull.models.image_facts import (
    GID_SHIFT,
    KINDS,
    LAYER_SHIFT,
    MODE_SHIFT,
    SIZE_SHIFT,
    U32,
    UID_SHIFT,
    PackedFiles,
)
from hardhull.oci.layers import DEFAULT_LIMITS, Limits
from hardhull.oci.model import ImageError, Member, MemberKind

WHITEOUT_PREFIX = ".wh."
OPAQUE = ".wh..wh..opq"

_KIND_CODES = list(MemberKind)
assert tuple(k.value for k in _KIND_CODES) == KINDS  # one packing for the index and the facts
_CODE = {k: i for i, k in enumerate(_KIND_CODES)}
_DIR_CODE = _CODE[MemberKind.DIR]
_LINKS = frozenset({_CODE[MemberKind.SYMLINK], _CODE[MemberKind.HARDLINK]})

# packed layout (hardhull.models.image_facts.pack): kind 3 bits | mode 12 | layer 16 | uid 32 |
# gid 32 | size (rest)
_MODE_SHIFT, _LAYER_SHIFT, _UID_SHIFT, _GID_SHIFT, _SIZE_SHIFT = (
    MODE_SHIFT,
    LAYER_SHIFT,
    UID_SHIFT,
    GID_SHIFT,
    SIZE_SHIFT,
)
_U32 = U32
MAX_LAYERS = 0xFFFF


class Entry(NamedTuple):
    kind: MemberKind
    mode: int
    uid: int
    gid: int
    size: int
    #: symlink target as stored, or the hard link's target path; "" otherwise
    linkname: str
    #: index (0 = base) of the layer that last wrote the path
    layer: int


class Shadowed(NamedTuple):
    """An entry a layer wrote that a later layer (``by``) deleted or overwrote."""

    path: str
    entry: Entry
    by: int
    deleted: bool


def is_whiteout(path: str) -> bool:
    """Whether a member path is a whiteout marker rather than a file of the image."""
    return path.rpartition("/")[2].startswith(WHITEOUT_PREFIX)


def _layer_of(packed: int) -> int:
    return (packed >> _LAYER_SHIFT) & 0xFFFF


class FileIndex:
    """The paths of an image after its layers so far (see the module docstring)."""

    __slots__ = ("_cur", "_limits", "_links", "_map", "_opaque", "_shadowed", "_wh", "layers")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self._map: dict[str, int] = {}
        self._links: dict[str, str] = {}
        self._shadowed: dict[int, list[Shadowed]] = {}
        self._limits = limits
        self._cur = -1
        self._wh: set[str] = set()
        self._opaque: set[str] = set()
        #: how many layers have been applied
        self.layers = 0

    # reading

    def __len__(self) -> int:
        return len(self._map)

    def __contains__(self, path: object) -> bool:
        return path in self._map

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def _entry(self, path: str, packed: int) -> Entry:
        kind = _KIND_CODES[packed & 7]
        return Entry(
            kind,
            (packed >> _MODE_SHIFT) & 0o7777,
            (packed >> _UID_SHIFT) & _U32,
            (packed >> _GID_SHIFT) & _U32,
            packed >> _SIZE_SHIFT,
            self._links.get(path, "") if (packed & 7) in _LINKS else "",
            _layer_of(packed),
        )

    def get(self, path: str) -> Entry | None:
        """The entry at ``path`` (normalised: no leading "/"), or None."""
        packed = self._map.get(path)
        return None if packed is None else self._entry(path, packed)

    def items(self) -> Iterator[tuple[str, Entry]]:
        """Every path and its entry, in the order they were first written."""
        for path, packed in self._map.items():
            yield path, self._entry(path, packed)

    def files(self) -> PackedFiles:
        """The paths so far as the image checks read them (a view: later layers change it)."""
        return PackedFiles(self._map, self._links)

    def shadowed(self, layer: int | None = None) -> list[Shadowed]:
        """The non-directory entries ``layer`` wrote that a later layer deleted or overwrote
        (all layers' when ``layer`` is None), in the order they were hidden."""
        if layer is not None:
            return list(self._shadowed.get(layer, ()))
        return [s for lay in sorted(self._shadowed) for s in self._shadowed[lay]]

    # writing

    def begin_layer(self, layer: int) -> None:
        if layer > MAX_LAYERS or layer < self.layers:
            raise ImageError(f"layer {layer}: out of order or more than {MAX_LAYERS} layers")
        self._cur = layer
        self._wh.clear()
        self._opaque.clear()

    def add(self, member: Member) -> None:
        """One member of the current layer, in tar order (whiteout markers included)."""
        path = member.path
        parent, _, base = path.rpartition("/")
        if base.startswith(WHITEOUT_PREFIX):
            if base == OPAQUE:
                self._opaque.add(parent)
            elif not base.startswith(".wh..wh."):
                name = base[len(WHITEOUT_PREFIX) :]
                if name:
                    self._wh.add(f"{parent}/{name}" if parent else name)
            return
        if member.uid > _U32 or member.gid > _U32:
            raise ImageError(f"member {path!r}: uid or gid out of range")
        cur = self._cur
        code = _CODE[member.kind]
        old = self._map.get(path)
        if old is not None and _layer_of(old) < cur:
            old_dir = (old & 7) == _DIR_CODE
            if not old_dir or code != _DIR_CODE:
                if not old_dir:
                    self._record(path, old, deleted=False)
                else:  # a directory replaced by a non-directory: its subtree goes too
                    self._opaque.add(path)
        elif old is None and len(self._map) >= self._limits.max_paths:
            raise ImageError(f"more than {self._limits.max_paths} paths in the image (limit)")
        self._map[path] = (
            code
            | member.mode << _MODE_SHIFT
            | cur << _LAYER_SHIFT
            | member.uid << _UID_SHIFT
            | member.gid << _GID_SHIFT
            | max(member.size, 0) << _SIZE_SHIFT
        )
        if code in _LINKS:
            self._links[path] = member.linkname
        else:
            self._links.pop(path, None)

    def end_layer(self) -> None:
        """Apply the current layer's whiteouts to the layers below it."""
        cur = self._cur
        prefixes: set[str] = set()
        for target in self._wh:
            old = self._map.get(target)
            if old is None or (old & 7) == _DIR_CODE:
                prefixes.add(target + "/")
            if old is not None and _layer_of(old) < cur:
                self._remove(target, old)
        for d in self._opaque:
            prefixes.add(d + "/" if d else "")
        if prefixes:
            self._remove_under(prefixes, cur)
        self._wh.clear()
        self._opaque.clear()
        self.layers = cur + 1

    def apply(self, layer: int, members: Iterable[Member]) -> None:
        """``begin_layer``, ``add`` each member, ``end_layer``."""
        self.begin_layer(layer)
        for m in members:
            self.add(m)
        self.end_layer()

    def _record(self, path: str, packed: int, *, deleted: bool) -> None:
        if (packed & 7) == _DIR_CODE:
            return
        entry = self._entry(path, packed)
        self._shadowed.setdefault(entry.layer, []).append(Shadowed(path, entry, self._cur, deleted))

    def _remove(self, path: str, packed: int) -> None:
        self._record(path, packed, deleted=True)
        del self._map[path]
        self._links.pop(path, None)

    def _remove_under(self, prefixes: set[str], cur: int) -> None:
        m = self._map
        if "" in prefixes:
            victims = [p for p, v in m.items() if _layer_of(v) < cur]
        elif len(prefixes) <= 64:
            starts = tuple(prefixes)
            victims = [p for p, v in m.items() if p.startswith(starts) and _layer_of(v) < cur]
        else:  # many: look each path's ancestors up instead (linear in depth, not in prefixes)
            victims = []
            for p, v in m.items():
                if _layer_of(v) >= cur:
                    continue
                i = p.rfind("/")
                while i > 0:
                    if p[: i + 1] in prefixes:
                        victims.append(p)
                        break
                    i = p.rfind("/", 0, i)
        for p in victims:
            self._remove(p, m[p])
