"""One pass over an image: each layer streamed once, the callers' members handed over with
their content, the final :class:`~hardhull.oci.index.FileIndex` returned.

Use::

    from hardhull.oci import open_image
    from hardhull.oci.walk import walk

    image = open_image("docker-archive:app.tar")
    try:
        found = []

        def visit(layer_index, layer, member, reader):
            # member: hardhull.oci.model.Member; reader.read() -> its bytes (check member.size
            # against Limits.max_read first, or read(n) in pieces); valid only during the call
            found.append((layer_index, member.path, reader.read()))

        index = walk(image, visit, want=lambda m: m.path == "etc/os-release")
    finally:
        image.close()
    # which of them the final image still has: the entry's layer is the one that wrote it
    live = [f for f in found if (e := index.get(f[1])) is not None and e.layer == f[0]]
    # what a layer wrote that a later one hid (still in that layer's blob)
    hidden = index.shadowed(0)

- ``visit(layer_index, layer, member, reader)`` is called for every member ``want(member)``
  accepts (every member when ``want`` is None), in layer order then tar order; whiteout
  markers are never visited. Content the visitor does not read is skipped.
- ``replay(layer_index, layer)``: when it returns a list of members (for instance from a
  per-layer cache), that layer is not opened: its members, whiteout markers included, are
  applied to the index as they are. Return None to stream the layer.
- ``on_member(layer_index, layer, member)`` is called for every member of a streamed layer,
  whiteout markers included, in tar order (what a per-layer cache records for ``replay``);
  ``on_layer_end(layer_index, layer)`` once a streamed layer has been read whole and applied
  (the moment to store what the layer yielded). Neither is called for a replayed layer.
- Errors in the image (I/O, limits, bad tar) raise :class:`~hardhull.oci.model.ImageError`
  naming the image reference and the layer digest; the visitor's own exceptions pass through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hardhull.oci.index import FileIndex, is_whiteout
from hardhull.oci.layers import DEFAULT_LIMITS, Limits, MemberReader, iter_members
from hardhull.oci.model import Image, ImageError, LayerRef, Member

Visitor = Callable[[int, LayerRef, Member, MemberReader], None]
MemberHook = Callable[[int, LayerRef, Member], None]
LayerHook = Callable[[int, LayerRef], None]


def walk(
    image: Image,
    visit: Visitor | None = None,
    *,
    want: Callable[[Member], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    replay: Callable[[int, LayerRef], Iterable[Member] | None] | None = None,
    on_member: MemberHook | None = None,
    on_layer_end: LayerHook | None = None,
    index: FileIndex | None = None,
) -> FileIndex:
    """Stream every layer of ``image`` once (see the module docstring); returns the index
    (``index`` when given, a new one otherwise)."""
    if index is None:
        index = FileIndex(limits)
    for i, layer in enumerate(image.layers):
        cached = replay(i, layer) if replay is not None else None
        try:
            if cached is not None:
                index.apply(i, cached)
                continue
            index.begin_layer(i)
            with image.open_layer(layer) as fh:
                for member, reader in iter_members(fh, layer, limits, exists=index.__contains__):
                    index.add(member)
                    if on_member is not None:
                        on_member(i, layer, member)
                    if (
                        visit is not None
                        and not is_whiteout(member.path)
                        and (want is None or want(member))
                    ):
                        visit(i, layer, member, reader)
            index.end_layer()
        except ImageError as exc:
            text = str(exc)
            if layer.digest not in text:
                text = f"layer {layer.digest}: {text}"
            raise ImageError(f"{image.ref}: {text}") from None
        except OSError as exc:
            raise ImageError(
                f"{image.ref}: layer {layer.digest}: cannot read ({exc.strerror or exc})"
            ) from None
        if on_layer_end is not None:
            on_layer_end(i, layer)
    return index
