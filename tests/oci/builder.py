"""Images built by the tests, with Python's tarfile, in every local layout hardhull reads.

- :func:`layer` → the uncompressed tar of a layer from :class:`Spec` entries (real files of this
  machine with :func:`real`, or made-up ones); :func:`compress` it (gzip, zstd or none).
- :func:`write_oci` / :func:`write_oci_archive` / :func:`write_docker_archive` (classic) /
  :func:`write_docker25`: an image of those layers in that layout.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TYPES = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "tar": "application/vnd.oci.image.layer.v1.tar",
}


@dataclass
class Spec:
    """One tar entry: ``kind`` is file, dir, symlink, hardlink, char, block, fifo."""

    path: str
    kind: str = "file"
    data: bytes = b""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    linkname: str = ""


_TYPES = {
    "file": tarfile.REGTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "char": tarfile.CHRTYPE,
    "block": tarfile.BLKTYPE,
    "fifo": tarfile.FIFOTYPE,
}


def real(path: str, arcname: str | None = None) -> Spec:
    """A regular file of this machine, as is (content and mode)."""
    p = Path(path)
    st = p.stat()
    return Spec(arcname or path.lstrip("/"), data=p.read_bytes(), mode=st.st_mode & 0o7777)


def layer(specs: list[Spec], *, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for s in specs:
            info = tarfile.TarInfo(s.path)
            info.type = _TYPES[s.kind]
            info.mode = s.mode
            info.uid, info.gid = s.uid, s.gid
            info.linkname = s.linkname
            info.mtime = 1_700_000_000
            if s.kind == "file":
                info.size = len(s.data)
                tf.addfile(info, io.BytesIO(s.data))
            else:
                tf.addfile(info)
    return buf.getvalue()


def compress(tar: bytes, how: str) -> bytes:
    if how == "gzip":
        return gzip.compress(tar, mtime=0)
    if how == "zstd":
        return zstandard.ZstdCompressor().compress(tar)
    return tar


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Built:
    """An image: its layers (uncompressed tars and stored blobs) and config."""

    tars: list[bytes]
    blobs: list[bytes]
    compressions: list[str]
    config: dict[str, Any]
    config_bytes: bytes = b""
    history: list[str] = field(default_factory=list)

    @property
    def diff_ids(self) -> list[str]:
        return [sha(t) for t in self.tars]


def image(
    tars: list[bytes],
    compressions: list[str] | None = None,
    *,
    arch: str = "amd64",
    variant: str = "",
    user: str = "",
) -> Built:
    comps = compressions or ["gzip"] * len(tars)
    blobs = [compress(t, c) for t, c in zip(tars, comps, strict=True)]
    config: dict[str, Any] = {
        "architecture": arch,
        "os": "linux",
        "config": {"User": user, "Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in tars]},
        "history": [{"created_by": f"RUN step {i}"} for i in range(len(tars))],
    }
    if variant:
        config["variant"] = variant
    raw = json.dumps(config, sort_keys=True).encode()
    return Built(tars, blobs, comps, config, raw)


def _put(root: Path, data: bytes) -> str:
    digest = sha(data)
    p = root / "blobs" / "sha256" / digest.split(":")[1]
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return digest


def _manifest(root: Path, img: Built) -> tuple[str, int]:
    cdigest = _put(root, img.config_bytes)
    layers = [
        {"mediaType": LAYER_TYPES[c], "digest": _put(root, b), "size": len(b)}
        for b, c in zip(img.blobs, img.compressions, strict=True)
    ]
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cdigest, "size": len(img.config_bytes)},
        "layers": layers,
    }
    raw = json.dumps(manifest).encode()
    return _put(root, raw), len(raw)


def _platform(img: Built) -> dict[str, str]:
    p = {"os": img.config["os"], "architecture": img.config["architecture"]}
    if img.config.get("variant"):
        p["variant"] = img.config["variant"]
    return p


def write_oci(root: Path, images: dict[str, Built | list[Built]]) -> Path:
    """An OCI layout: each tag names one image, or a multi-arch index of several."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    entries = []
    for tag, imgs in images.items():
        ann = {"org.opencontainers.image.ref.name": tag}
        if isinstance(imgs, list):
            manifests = []
            for img in imgs:
                digest, size = _manifest(root, img)
                manifests.append(
                    {
                        "mediaType": OCI_MANIFEST,
                        "digest": digest,
                        "size": size,
                        "platform": _platform(img),
                    }
                )
            raw = json.dumps(
                {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
            ).encode()
            entries.append(
                {
                    "mediaType": OCI_INDEX,
                    "digest": _put(root, raw),
                    "size": len(raw),
                    "annotations": ann,
                }
            )
        else:
            digest, size = _manifest(root, imgs)
            entries.append(
                {"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "annotations": ann}
            )
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    (root / "index.json").write_text(json.dumps(index))
    return root


def tar_dir(root: Path, out: Path) -> Path:
    """A tar of a directory's contents (names relative to it), sorted."""
    with tarfile.open(out, "w") as tf:
        for p in sorted(root.rglob("*")):
            tf.add(p, arcname=str(p.relative_to(root)), recursive=False)
    return out


def write_oci_archive(tmp: Path, images: dict[str, Built | list[Built]], out: Path) -> Path:
    return tar_dir(write_oci(tmp / "layout-for-archive", images), out)


def write_docker_archive(tmp: Path, images: dict[str, Built], out: Path) -> Path:
    """Classic ``docker save``: manifest.json, <id>/layer.tar (uncompressed), <hex>.json."""
    root = tmp / "docker-classic"
    root.mkdir(parents=True, exist_ok=True)
    manifest = []
    for tag, img in images.items():
        chex = sha(img.config_bytes).split(":")[1]
        (root / f"{chex}.json").write_bytes(img.config_bytes)
        layers = []
        for i, t in enumerate(img.tars):
            lid = hashlib.sha256(f"{chex}{i}".encode()).hexdigest()
            (root / lid).mkdir(exist_ok=True)
            (root / lid / "layer.tar").write_bytes(t)
            (root / lid / "VERSION").write_text("1.0")
            (root / lid / "json").write_text(json.dumps({"id": lid}))
            layers.append(f"{lid}/layer.tar")
        manifest.append({"Config": f"{chex}.json", "RepoTags": [tag], "Layers": layers})
    (root / "manifest.json").write_text(json.dumps(manifest))
    return tar_dir(root, out)


def write_docker25(tmp: Path, images: dict[str, Built], out: Path) -> Path:
    """Docker 25+ ``docker save``: an OCI layout (uncompressed layers) plus manifest.json."""
    root = tmp / "docker25"
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    manifest, entries = [], []
    for tag, img in images.items():
        plain = Built(img.tars, img.tars, ["tar"] * len(img.tars), img.config, img.config_bytes)
        digest, size = _manifest(root, plain)
        name = tag if "/" in tag else f"docker.io/library/{tag}"
        entries.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": size,
                "annotations": {
                    "io.containerd.image.name": name,
                    "org.opencontainers.image.ref.name": tag.rpartition(":")[2],
                },
            }
        )
        manifest.append(
            {
                "Config": "blobs/sha256/" + sha(img.config_bytes).split(":")[1],
                "RepoTags": [tag],
                "Layers": ["blobs/sha256/" + sha(t).split(":")[1] for t in img.tars],
            }
        )
    (root / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
    )
    (root / "manifest.json").write_text(json.dumps(manifest))
    return tar_dir(root, out)
