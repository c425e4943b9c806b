"""OCI image layouts (``oci:DIR[:TAG]``), wherever their files are: a directory, or a tar
(``oci-archive:``, and the layout inside a Docker 25+ ``docker save``) through a :class:`Store`.

- :class:`Store`: named files of a layout or archive (``blobs/sha256/…``, ``index.json``).
- :class:`DirStore`: a directory; names never leave it (``..``, symlinks out are errors).
- :func:`open_layout`: the :class:`~hardhull.oci.model.Image` a layout holds for a tag and a
  platform: ``index.json`` entries are matched by their ``org.opencontainers.image.ref.name``
  annotation (or containerd's ``io.containerd.image.name``), a multi-arch index (nested or
  the top level itself) by :func:`~hardhull.oci.manifest.select_platform`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import IO, Any, Protocol

from hardhull.oci.manifest import is_index, layer_refs, select_platform
from hardhull.oci.model import Image, ImageError, LayerRef, Platform

#: bytes of one JSON document (index, manifest, config) read whole
MAX_JSON = 16 * 1024 * 1024
REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")


class Store(Protocol):
    """The files of a layout or an archive, by relative name ("blobs/sha256/…")."""

    def exists(self, name: str) -> bool: ...

    def size(self, name: str) -> int: ...

    def read(self, name: str, cap: int) -> bytes: ...

    def open(self, name: str) -> IO[bytes]: ...

    def identity(self, name: str) -> str: ...

    def close(self) -> None: ...


class DirStore:
    """A layout directory. Every name is resolved inside it (symlinks included)."""

    def __init__(self, root: Path, ref: str) -> None:
        if not root.is_dir():
            raise ImageError(f"{ref}: {root} is not a directory")
        self._root = root.resolve()
        self._ref = ref

    def _path(self, name: str) -> Path:
        path = (self._root / name).resolve()
        if path != self._root and self._root not in path.parents:
            raise ImageError(f"{self._ref}: {name} points outside the layout directory")
        return path

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def size(self, name: str) -> int:
        return self._path(name).stat().st_size

    def identity(self, name: str) -> str:
        """The file (device, inode, size, modification time) holding ``name``."""
        try:
            st = self._path(name).stat()
        except OSError as exc:
            raise ImageError(f"{self._ref}: cannot read {name} ({exc.strerror})") from None
        return f"file:{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"

    def read(self, name: str, cap: int) -> bytes:
        path = self._path(name)
        try:
            with path.open("rb") as fh:
                data = fh.read(cap + 1)
        except OSError as exc:
            raise ImageError(f"{self._ref}: cannot read {name} ({exc.strerror})") from None
        if len(data) > cap:
            raise ImageError(f"{self._ref}: {name} is larger than {cap} bytes")
        return data

    def open(self, name: str) -> IO[bytes]:
        try:
            return self._path(name).open("rb")
        except OSError as exc:
            raise ImageError(f"{self._ref}: cannot read {name} ({exc.strerror})") from None

    def close(self) -> None:
        pass


def blob_name(digest: str, ref: str) -> str:
    """``blobs/ALG/HEX`` for a digest; a digest that is not one (a path) is an error."""
    if not _DIGEST.fullmatch(digest):
        raise ImageError(f"{ref}: invalid digest {digest[:80]!r}")
    alg, _, hexpart = digest.partition(":")
    return f"blobs/{alg}/{hexpart}"


def read_json(store: Store, name: str, ref: str, *, digest: str = "") -> tuple[Any, str]:
    """A JSON document of the store and its sha256 digest; checked against ``digest``
    (when it is a sha256 one)."""
    if not store.exists(name):
        raise ImageError(f"{ref}: {name} is missing")
    data = store.read(name, MAX_JSON)
    actual = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest.startswith("sha256:") and digest != actual:
        raise ImageError(f"{ref}: {name} does not match its digest {digest}")
    try:
        return json.loads(data), actual
    except (ValueError, RecursionError):
        raise ImageError(f"{ref}: {name} is not valid JSON") from None


def familiar(name: str) -> str:
    """A reference in its short form: "docker.io/library/x:latest" → "x:latest"; a tag of
    "latest" when none is given."""
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if "@" not in name and ":" not in name.rpartition("/")[2]:
        name += ":latest"
    return name


def _names(desc: dict[str, Any]) -> list[str]:
    ann = desc.get("annotations")
    if not isinstance(ann, dict):
        return []
    return [v for k in (REF_NAME, CONTAINERD_NAME) if isinstance(v := ann.get(k), str) and v]


def _tag_matches(desc: dict[str, Any], tag: str) -> bool:
    names = _names(desc)
    return tag in names or any(familiar(n) == familiar(tag) for n in names if "/" in n or ":" in n)


def platform_of_config(config: dict[str, Any]) -> Platform | None:
    os_, arch = config.get("os"), config.get("architecture")
    if not isinstance(os_, str) or not isinstance(arch, str):
        return None
    variant = config.get("variant")
    return Platform(os_, arch, variant if isinstance(variant, str) else "")


def _descriptors(doc: Any, name: str, ref: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("manifests"), list):
        raise ImageError(f"{ref}: {name} has no manifests list")
    return [d for d in doc["manifests"] if isinstance(d, dict)]


def open_layout(store: Store, *, ref: str, transport: str, tag: str, platform: Platform) -> Image:
    """The image of a layout (see the module docstring). The store is closed with the image
    (and at once on error)."""
    try:
        return _open_layout(store, ref=ref, transport=transport, tag=tag, platform=platform)
    except BaseException:
        store.close()
        raise


def _open_layout(store: Store, *, ref: str, transport: str, tag: str, platform: Platform) -> Image:
    top, _ = read_json(store, "index.json", ref)
    descs = _descriptors(top, "index.json", ref)
    all_names = sorted({n for d in descs for n in _names(d)})
    if tag:
        descs = [d for d in descs if _tag_matches(d, tag)]
        if not descs:
            have = ", ".join(all_names) or "none"
            raise ImageError(f"{ref}: no image tagged {tag!r} in the layout (tags: {have})")
    if not descs:
        raise ImageError(f"{ref}: the layout holds no image")
    others: list[Platform] = []
    chosen_platform: Platform | None = None
    if len(descs) > 1:
        if not all(isinstance(d.get("platform"), dict) for d in descs):
            have = ", ".join(all_names) or "untagged images"
            raise ImageError(
                f"{ref}: the layout holds {len(descs)} images: choose one with :TAG ({have})"
            )
        desc, others = select_platform({"manifests": descs}, platform, ref=ref)
        chosen_platform = platform
    else:
        desc = descs[0]
    names = _names(desc) or (_names(descs[0]) if len(descs) == 1 else [])
    for _depth in range(4):
        digest = desc.get("digest")
        if not isinstance(digest, str):
            raise ImageError(f"{ref}: a manifest descriptor has no digest")
        doc, _ = read_json(store, blob_name(digest, ref), ref, digest=digest)
        if not isinstance(doc, dict):
            raise ImageError(f"{ref}: manifest {digest} is not a JSON object")
        if is_index(doc, str(desc.get("mediaType") or "")):
            desc, others = select_platform(doc, platform, ref=ref)
            chosen_platform = platform
            names = names or _names(desc)
            continue
        break
    else:
        raise ImageError(f"{ref}: indexes nested more than 4 deep")
    manifest_digest = digest
    cdesc = doc.get("config")
    if not isinstance(cdesc, dict) or not isinstance(cdesc.get("digest"), str):
        raise ImageError(f"{ref}: manifest {manifest_digest} has no config")
    config, config_digest = read_json(
        store, blob_name(cdesc["digest"], ref), ref, digest=cdesc["digest"]
    )
    if not isinstance(config, dict):
        raise ImageError(f"{ref}: config {cdesc['digest']} is not a JSON object")
    layers = layer_refs(doc, config, ref=ref)
    paths = {}
    for layer in layers:
        name = blob_name(layer.digest, ref)
        if not store.exists(name):
            raise ImageError(f"{ref}: layer {layer.digest} is missing from the layout")
        paths[layer.digest] = name

    def open_layer(layer: LayerRef) -> IO[bytes]:
        return store.open(paths[layer.digest])

    return Image(
        ref=ref,
        transport=transport,
        config=config,
        config_digest=config_digest,
        layers=layers,
        open_layer=open_layer,
        manifest_digest=manifest_digest,
        platform=platform_of_config(config) or chosen_platform,
        other_platforms=others,
        names=names,
        close=store.close,
        layer_source=lambda layer: store.identity(paths[layer.digest]),
    )


def open_oci_dir(path: str, tag: str, *, ref: str, platform: Platform) -> Image:
    """``oci:DIR[:TAG]``."""
    root = Path(os.path.expanduser(path))
    if not root.exists():
        raise ImageError(f"{ref}: no such directory {path}")
    return open_layout(DirStore(root, ref), ref=ref, transport="oci", tag=tag, platform=platform)
