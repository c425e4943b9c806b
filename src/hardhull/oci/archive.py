"""Image archives read in place, never extracted: ``docker-archive:PATH[:NAME:TAG|:@N]``
(``docker save``: the classic layout of ``manifest.json`` with ``<id>/layer.tar`` and the Docker
25+ one with an OCI layout inside) and ``oci-archive:PATH[:TAG]`` (a tar of an OCI layout).

- :class:`TarStore`: the regular files of an uncompressed tar on disk, indexed once (headers
  only, content skipped by seeking), symlinks and hard links between them resolved inside the
  archive; each file opened as a view of the archive at its offset.
- :func:`open_docker_archive`, :func:`open_oci_archive`: the :class:`~hardhull.oci.model.Image`.

The archive is untrusted like a layer: the same bounded tar reader, no name leaves it.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
from typing import IO, Any

from hardhull.oci.layers import GZIP_MAGIC, ZSTD_MAGIC, normalise_path
from hardhull.oci.layout import familiar, open_layout, platform_of_config, read_json
from hardhull.oci.manifest import layer_refs
from hardhull.oci.model import Image, ImageError, LayerRef, Platform
from hardhull.oci.tar import FileSource, iter_headers

DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
_MAX_ENTRIES = 1_000_000
_MAX_HOPS = 16


class _Slice(io.RawIOBase):
    """``size`` bytes at ``offset`` of a file descriptor, read with pread (views share the fd)."""

    def __init__(self, fd: int, offset: int, size: int) -> None:
        self._fd = fd
        self._pos = offset
        self._end = offset + size

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        n = min(len(buf), self._end - self._pos)
        if n <= 0:
            return 0
        data = os.pread(self._fd, n, self._pos)
        buf[: len(data)] = data
        self._pos += len(data)
        return len(data)


class TarStore:
    """The files of a tar archive on disk (see the module docstring)."""

    def __init__(self, path: str, ref: str) -> None:
        self._ref = ref
        try:
            fh = open(path, "rb")  # noqa: SIM115 - kept open until close()
        except OSError as exc:
            raise ImageError(f"{ref}: cannot open {path} ({exc.strerror})") from None
        self._fh = fh
        try:
            st = os.fstat(fh.fileno())
            self._identity = f"tar:{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
            self._files, links = self._index(fh)
            self._resolve(links)
        except BaseException:
            fh.close()
            raise

    def _index(self, fh: IO[bytes]) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
        head = fh.read(4)
        if head.startswith(GZIP_MAGIC) or head.startswith(ZSTD_MAGIC):
            raise ImageError(f"{self._ref}: the archive is compressed; decompress it first")
        end = fh.seek(0, os.SEEK_END)
        fh.seek(0)
        src = FileSource(fh, end)
        what = f"{self._ref}: archive"
        files: dict[str, tuple[int, int]] = {}
        links: dict[str, str] = {}
        for h in iter_headers(
            src, what, max_entries=_MAX_ENTRIES, max_meta=1 << 20, max_name=4096, max_size=end
        ):
            name = normalise_path(h.name, what)
            if h.type in (ord("0"), ord("7"), 0):
                files[name] = (src.tell(), h.size)
                links.pop(name, None)
            elif h.type == ord("2"):  # symlink: relative to the link's directory
                target = posixpath.join(posixpath.dirname(name), h.linkname)
                links[name] = normalise_path(target, what)
                files.pop(name, None)
            elif h.type == ord("1"):
                links[name] = normalise_path(h.linkname, what)
                files.pop(name, None)
        return files, links

    def _resolve(self, links: dict[str, str]) -> None:
        for name, target in links.items():
            for _ in range(_MAX_HOPS):
                if target in self._files:
                    self._files[name] = self._files[target]
                    break
                if target not in links:
                    break  # dangling: the name stays missing
                target = links[target]

    def exists(self, name: str) -> bool:
        return name in self._files

    def size(self, name: str) -> int:
        return self._files[name][1]

    def identity(self, name: str) -> str:
        """The archive file (device, inode, size, mtime) and the member's place in it."""
        offset, size = self._files[name]
        return f"{self._identity}:{offset}:{size}"

    def read(self, name: str, cap: int) -> bytes:
        offset, size = self._files[name]
        if size > cap:
            raise ImageError(f"{self._ref}: {name} is larger than {cap} bytes")
        return os.pread(self._fh.fileno(), size, offset)

    def open(self, name: str) -> IO[bytes]:
        if name not in self._files:
            raise ImageError(f"{self._ref}: {name} is missing from the archive")
        offset, size = self._files[name]
        return io.BufferedReader(_Slice(self._fh.fileno(), offset, size), 1 << 16)

    def close(self) -> None:
        self._fh.close()


def _select(entries: list[dict[str, Any]], selector: str, ref: str) -> dict[str, Any]:
    def tags(e: dict[str, Any]) -> list[str]:
        t = e.get("RepoTags")
        return [x for x in t if isinstance(x, str)] if isinstance(t, list) else []

    every = ", ".join(t for e in entries for t in tags(e)) or "untagged images"
    if selector.startswith("@"):
        if not selector[1:].isdigit() or int(selector[1:]) >= len(entries):
            raise ImageError(f"{ref}: no image {selector} (the archive holds {len(entries)})")
        return entries[int(selector[1:])]
    if selector:
        want = familiar(selector)
        for e in entries:
            if any(familiar(t) == want for t in tags(e)):
                return e
        raise ImageError(f"{ref}: no image named {selector!r} in the archive ({every})")
    if len(entries) != 1:
        raise ImageError(
            f"{ref}: the archive holds {len(entries)} images: choose one with :NAME:TAG "
            f"or :@N ({every})"
        )
    return entries[0]


def _layer_digest(store: TarStore, name: str, diff_id: str) -> str:
    base = posixpath.basename(name)
    parent = posixpath.basename(posixpath.dirname(name))
    hexpart = base[:-4] if base.endswith(".tar") else base
    if (
        len(hexpart) == 64
        and all(c in "0123456789abcdef" for c in hexpart)
        and (base.endswith(".tar") or parent == "sha256")
    ):
        return "sha256:" + hexpart
    if diff_id:  # classic <id>/layer.tar: uncompressed, so its digest is its diff_id
        return diff_id
    digest = hashlib.sha256()
    with store.open(name) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def _from_manifest(store: TarStore, selector: str, ref: str) -> Image:
    doc, _ = read_json(store, "manifest.json", ref)
    if not isinstance(doc, list) or not doc or not all(isinstance(e, dict) for e in doc):
        raise ImageError(f"{ref}: manifest.json is not a list of images")
    entry = _select(doc, selector, ref)
    cname = entry.get("Config")
    lnames = entry.get("Layers")
    if not isinstance(cname, str) or not isinstance(lnames, list):
        raise ImageError(f"{ref}: manifest.json entry without Config or Layers")
    cname = normalise_path(cname, ref)
    config, config_digest = read_json(store, cname, ref)
    if not isinstance(config, dict):
        raise ImageError(f"{ref}: {cname} is not a JSON object")
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    diff_ids = diff_ids if isinstance(diff_ids, list) else []
    descs = []
    paths: dict[str, str] = {}
    for i, raw in enumerate(lnames):
        if not isinstance(raw, str):
            raise ImageError(f"{ref}: manifest.json layer {i} is not a file name")
        name = normalise_path(raw, ref)
        if not store.exists(name):
            raise ImageError(f"{ref}: layer {raw} is missing from the archive")
        diff = diff_ids[i] if i < len(diff_ids) and isinstance(diff_ids[i], str) else ""
        digest = _layer_digest(store, name, diff)
        paths[digest] = name
        descs.append({"digest": digest, "size": store.size(name), "mediaType": DOCKER_LAYER})
    layers = layer_refs({"layers": descs}, config, ref=ref)
    tags = entry.get("RepoTags")

    def open_layer(layer: LayerRef) -> IO[bytes]:
        return store.open(paths[layer.digest])

    return Image(
        ref=ref,
        transport="docker-archive",
        config=config,
        config_digest=config_digest,
        layers=layers,
        open_layer=open_layer,
        platform=platform_of_config(config),
        names=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        close=store.close,
        layer_source=lambda layer: store.identity(paths[layer.digest]),
    )


def open_docker_archive(path: str, selector: str, *, ref: str, platform: Platform) -> Image:
    """``docker-archive:PATH[:NAME:TAG|:@N]``: ``manifest.json`` when there is one (every
    ``docker save``, Docker 25+ included, writes it), else the OCI layout inside."""
    store = TarStore(os.path.expanduser(path), ref)
    if store.exists("manifest.json"):
        try:
            return _from_manifest(store, selector, ref)
        except BaseException:
            store.close()
            raise
    if store.exists("index.json"):
        if selector.startswith("@"):
            store.close()
            raise ImageError(f"{ref}: :@N needs a manifest.json in the archive")
        return open_layout(
            store, ref=ref, transport="docker-archive", tag=selector, platform=platform
        )
    store.close()
    raise ImageError(f"{ref}: not a docker save archive (no manifest.json or index.json)")


def open_oci_archive(path: str, tag: str, *, ref: str, platform: Platform) -> Image:
    """``oci-archive:PATH[:TAG]``: the OCI layout inside a tar, read in place."""
    store = TarStore(os.path.expanduser(path), ref)
    return open_layout(store, ref=ref, transport="oci-archive", tag=tag, platform=platform)
