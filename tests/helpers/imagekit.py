"""Build container images for the image tests and benchmarks, the way a builder lays them out:
layers as tar streams (from files of this machine and files given in the test), whiteouts, a
config with history, written as a ``docker save`` archive (classic layout) or an OCI image
layout. Layers are streamed to disk while their digests are computed, so a multi-gigabyte
image costs no memory.

Nothing here reads images: that is hardhull's job, checked against these and against what
skopeo writes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


@dataclass
class Entry:
    """One member of a layer: a file with ``data``, a directory, a link, a whiteout
    (``kind="whiteout"`` deletes ``path``) or an opaque marker (``kind="opaque"`` on a
    directory hides what earlier layers put in it)."""

    path: str
    data: bytes = b""
    mode: int = 0o644
    kind: str = "file"  # file, dir, symlink, hardlink, whiteout, opaque
    linkname: str = ""
    uid: int = 0
    gid: int = 0


@dataclass
class Layer:
    """A layer: entries, plus host directories copied in (``(host path, image path)``)."""

    created_by: str
    entries: list[Entry] = field(default_factory=list)
    host: list[tuple[str, str]] = field(default_factory=list)
    #: file name endings of host files left out
    skip: tuple[str, ...] = ()


@dataclass
class Built:
    """A layer written to disk: uncompressed tar and, for OCI layouts, its gzip blob."""

    tar_path: Path
    diff_id: str
    size: int
    created_by: str


class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what passes to ``out``."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.sha.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)


def _host_members(host: str, target: str) -> Iterator[tuple[str, str]]:
    """(host path, image path) of every regular file, directory and symlink under ``host``."""
    root = Path(host)
    yield str(root), target
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        base = target if rel == "." else f"{target}/{rel}"
        for name in sorted(dirnames) + sorted(filenames):
            yield os.path.join(dirpath, name), f"{base}/{name}"


def _tarinfo(e: Entry) -> tuple[tarfile.TarInfo, bytes | None]:
    path = e.path.lstrip("/")
    if e.kind == "whiteout":
        head, _, name = path.rpartition("/")
        ti = tarfile.TarInfo((head + "/" if head else "") + ".wh." + name)
        return ti, b""
    if e.kind == "opaque":
        ti = tarfile.TarInfo(path.rstrip("/") + "/.wh..wh..opq")
        return ti, b""
    ti = tarfile.TarInfo(path)
    ti.mode, ti.uid, ti.gid, ti.mtime = e.mode, e.uid, e.gid, 1_700_000_000
    if e.kind == "dir":
        ti.type = tarfile.DIRTYPE
        return ti, None
    if e.kind == "symlink":
        ti.type, ti.linkname = tarfile.SYMTYPE, e.linkname
        return ti, None
    if e.kind == "hardlink":
        ti.type, ti.linkname = tarfile.LNKTYPE, e.linkname.lstrip("/")
        return ti, None
    ti.size = len(e.data)
    return ti, e.data


def write_layer(layer: Layer, out_dir: Path, name: str) -> Built:
    """Write ``layer`` as an uncompressed tar under ``out_dir``; its diff_id and size."""
    path = out_dir / f"{name}.tar"
    with path.open("wb") as raw:
        hashing = _Hashing(raw)
        with tarfile.open(fileobj=hashing, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
            for host, target in layer.host:
                for hpath, ipath in _host_members(host, target.strip("/")):
                    if layer.skip and hpath.endswith(layer.skip):
                        continue
                    try:
                        st = os.lstat(hpath)
                    except OSError:
                        continue
                    if not (
                        stat.S_ISREG(st.st_mode)
                        or stat.S_ISDIR(st.st_mode)
                        or stat.S_ISLNK(st.st_mode)
                    ):
                        continue
                    try:
                        ti = tar.gettarinfo(hpath, arcname=ipath)
                        if ti.isreg():
                            with open(hpath, "rb") as fh:
                                tar.addfile(ti, fh)
                        else:
                            tar.addfile(ti)
                    except OSError:
                        continue
            for e in layer.entries:
                ti, data = _tarinfo(e)
                tar.addfile(ti, io.BytesIO(data) if data is not None else None)
    return Built(path, "sha256:" + hashing.sha.hexdigest(), hashing.size, layer.created_by)


def config_json(
    built: list[Built],
    config: dict[str, Any],
    *,
    empty_history: Iterable[tuple[int, str]] = (),
    os_: str = "linux",
    arch: str = "amd64",
) -> bytes:
    """The image config: ``config`` (User, Env, ExposedPorts, …), the layers' diff_ids, and a
    history line per layer (plus ``empty_history``: (position, created_by) of lines that made
    no layer, e.g. ``USER``)."""
    history: list[dict[str, Any]] = [
        {"created": "2026-01-01T00:00:00Z", "created_by": b.created_by} for b in built
    ]
    for pos, text in sorted(empty_history, reverse=True):
        history.insert(
            pos, {"created": "2026-01-01T00:00:00Z", "created_by": text, "empty_layer": True}
        )
    doc = {
        "architecture": arch,
        "os": os_,
        "created": "2026-01-01T00:00:00Z",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [b.diff_id for b in built]},
        "history": history,
    }
    return json.dumps(doc, sort_keys=True).encode()


def write_docker_archive(
    path: Path, built: list[Built], config: bytes, repo_tags: list[str]
) -> Path:
    """A ``docker save`` tarball in the classic layout (manifest.json, <id>/layer.tar)."""
    config_hex = hashlib.sha256(config).hexdigest()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        layers = []
        for b in built:
            name = b.diff_id.split(":", 1)[1] + "/layer.tar"
            tar.add(str(b.tar_path), arcname=name)
            layers.append(name)
        _add_bytes(tar, f"{config_hex}.json", config)
        manifest = [{"Config": f"{config_hex}.json", "RepoTags": repo_tags, "Layers": layers}]
        _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
    return path


def write_oci_layout(
    directory: Path, built: list[Built], config: bytes, tag: str, *, compress: bool = True
) -> str:
    """An OCI image layout with one manifest tagged ``tag``; returns the manifest digest."""
    blobs = directory / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    (directory / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    layers = []
    for b in built:
        if compress:
            tmp = blobs / "tmp-layer"
            with b.tar_path.open("rb") as src, tmp.open("wb") as raw:
                hashing = _Hashing(raw)
                with gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=1, mtime=0) as gz:  # type: ignore[arg-type]
                    shutil.copyfileobj(src, gz, 1 << 20)
            digest = hashing.sha.hexdigest()
            tmp.rename(blobs / digest)
            layers.append(
                {"mediaType": OCI_LAYER_GZIP, "digest": f"sha256:{digest}", "size": hashing.size}
            )
        else:
            digest = b.diff_id.split(":", 1)[1]
            shutil.copyfile(b.tar_path, blobs / digest)
            layers.append({"mediaType": OCI_LAYER, "digest": b.diff_id, "size": b.size})
    cfg_digest = _blob(blobs, config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cfg_digest, "size": len(config)},
        "layers": layers,
    }
    mbytes = json.dumps(manifest).encode()
    m_digest = _blob(blobs, mbytes)
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": OCI_MANIFEST,
                "digest": m_digest,
                "size": len(mbytes),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    (directory / "index.json").write_text(json.dumps(index))
    return m_digest


def _blob(blobs: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return f"sha256:{digest}"


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime = len(data), 1_700_000_000
    tar.addfile(ti, io.BytesIO(data))
