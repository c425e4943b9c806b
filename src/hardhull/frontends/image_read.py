"""Reading an image into what the image checks and the SBOM need, in one pass over its layers.

:func:`read_image` streams each layer of an opened :class:`~hardhull.oci.model.Image` once
(never to disk), builds the whiteout-applied file index, and hands the files that matter to
the SBOM catalogers (package databases, language metadata, binaries), the distribution
detection (``etc/os-release`` …) and the credential detectors of the S rules (text files up
to :data:`SECRET_MAX_BYTES`, outside the directories that hold only distribution data). What a
layer yields depends only on its bytes, so it is kept in a per-layer cache keyed by the layer
digest (:class:`LayerCache`, under the user cache directory): a second scan, or an image
sharing base layers, reads no layer again.

The cache never holds a credential: only its masked form, path, line and column.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from hardhull.models.image_facts import FileInfo, FileSecret, ImageFacts, LayerInfo
from hardhull.models.packages import Package
from hardhull.oci.index import Entry, FileIndex
from hardhull.oci.layers import DEFAULT_LIMITS, Limits, iter_members
from hardhull.oci.model import Image, ImageError, LayerRef, Member, MemberKind
from hardhull.paths import user_cache_dir
from hardhull.sbom import DISTRO_FILES, FileResult, assemble, catalog_file, detect_distro, wants
from hardhull.secrets.text import scan_text

#: bumped whenever what a layer yields changes (catalogers, detectors, the cache format)
ANALYSIS_VERSION = 1
#: text files larger than this are not searched for credentials
SECRET_MAX_BYTES = 2 * 1024 * 1024
#: where installed software lives, not the image's own files: the distribution's files
#: (``/usr/share``, ``/usr/lib``, package databases and caches) and language packages
#: (site-packages, node_modules, gems, Go's and Maven's module caches). Their credentials are
#: public samples, test keys and documentation (awscli's examples, moto's test CA), not the
#: image owner's; the image's own files (``/etc``, ``/root``, ``/home``, ``/app``, ``/opt``,
#: ``/usr/local/bin`` …) are searched, in every layer, deleted files included.
_NO_SECRETS_UNDER = (
    "usr/share/", "usr/lib/", "usr/lib64/", "usr/lib32/", "usr/libexec/", "usr/include/",
    "lib/", "lib64/", "lib32/", "usr/local/share/", "usr/local/include/", "usr/local/go/",
    "var/lib/dpkg/", "var/lib/apt/", "var/lib/rpm/", "lib/apk/", "var/cache/", "var/lib/yum/",
    "var/lib/dnf/", "proc/", "sys/", "dev/",
)  # fmt: skip
_NO_SECRETS_IN = (
    "/site-packages/", "/dist-packages/", "/node_modules/", "/.m2/repository/", "/gems/",
    "/go/pkg/mod/", "/bower_components/", "/.npm/_cacache/", "/.cache/pip/", "/.cargo/registry/",
)  # fmt: skip
#: file name endings that are never text worth searching
_NO_SECRETS_SUFFIX = (
    ".so", ".pyc", ".pyo", ".mo", ".gz", ".xz", ".bz2", ".zst", ".zip", ".whl", ".jar",
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".ttf", ".otf", ".woff", ".woff2", ".a", ".o",
    ".class", ".pdf", ".sqlite",
)  # fmt: skip


def secret_candidate(path: str, size: int) -> bool:
    """Whether a regular file is searched for credentials (see :data:`_NO_SECRETS_UNDER`)."""
    if not 0 < size <= SECRET_MAX_BYTES or path.startswith(_NO_SECRETS_UNDER):
        return False
    if path.endswith(_NO_SECRETS_SUFFIX) or ".so." in path:
        return False
    slashed = "/" + path
    return not any(part in slashed for part in _NO_SECRETS_IN)


@dataclass
class LayerYield:
    """What one layer yields, whatever image it is part of."""

    #: every member, whiteout markers included: (path, kind, mode, uid, gid, size, linkname)
    members: list[tuple[str, str, int, int, int, int, str]] = field(default_factory=list)
    catalog: dict[str, FileResult] = field(default_factory=dict)
    #: release files (os-release …) as text
    distro_files: dict[str, str] = field(default_factory=dict)
    #: (path, line, column, kind, masked)
    secrets: list[tuple[str, int, int, str, str]] = field(default_factory=list)


class LayerCache:
    """Per-layer results on disk, one gzip'd JSON file per layer digest."""

    def __init__(self, directory: str | None = None) -> None:
        self.dir = directory or os.path.join(user_cache_dir(), "hardhull", "layers")

    def _path(self, digest: str) -> str:
        algo, _, hexd = digest.partition(":")
        safe = "".join(c for c in hexd if c in "0123456789abcdef")
        return os.path.join(self.dir, f"{algo}-{safe}-v{ANALYSIS_VERSION}.json.gz")

    def get(self, digest: str) -> LayerYield | None:
        try:
            with gzip.open(self._path(digest), "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
            return _from_json(doc)
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None  # a missing or damaged entry: read the layer

    def put(self, digest: str, value: LayerYield) -> None:
        try:
            os.makedirs(self.dir, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as gz,
            ):
                gz.write(json.dumps(_to_json(value), separators=(",", ":")).encode())
            os.replace(tmp, self._path(digest))
        except OSError:
            pass  # a cache that cannot be written only costs time


def _to_json(y: LayerYield) -> dict[str, Any]:
    return {
        "members": y.members,
        "catalog": {p: _result_json(r) for p, r in y.catalog.items()},
        "distro": y.distro_files,
        "secrets": y.secrets,
    }


def _result_json(r: FileResult) -> dict[str, Any]:
    return {
        "packages": [asdict(p) for p in r.packages],
        "owns": [[k, list(v)] for k, v in r.owns],
        "errors": list(r.errors),
    }


def _from_json(doc: dict[str, Any]) -> LayerYield:
    catalog = {}
    for path, r in doc["catalog"].items():
        pkgs = tuple(
            Package(**{**p, "licenses": tuple(p["licenses"]), "files": tuple(p["files"])})
            for p in r["packages"]
        )
        catalog[path] = FileResult(
            pkgs, tuple((k, tuple(v)) for k, v in r["owns"]), tuple(r["errors"])
        )
    return LayerYield(
        [tuple(m) for m in doc["members"]],
        catalog,
        dict(doc["distro"]),
        [tuple(s) for s in doc["secrets"]],
    )


def _member(t: tuple[str, str, int, int, int, int, str]) -> Member:
    return Member(t[0], MemberKind(t[1]), t[2], t[3], t[4], t[5], t[6])


def _read_layer(
    image: Image, i: int, layer: LayerRef, index: FileIndex, limits: Limits
) -> LayerYield:
    out = LayerYield()
    index.begin_layer(i)
    with image.open_layer(layer) as fh:
        for m, reader in iter_members(fh, layer, limits, exists=index.__contains__):
            index.add(m)
            out.members.append((m.path, m.kind.value, m.mode, m.uid, m.gid, m.size, m.linkname))
            if m.kind is not MemberKind.FILE or m.size <= 0:
                continue
            path = m.path
            cat = wants(path, m.size, m.mode)
            rel = path in DISTRO_FILES
            sec = secret_candidate(path, m.size)
            if not (cat or rel or sec) or m.size > limits.max_read:
                continue
            data = reader.read()
            if cat:
                out.catalog[path] = catalog_file(path, data)
            if rel:
                out.distro_files[path] = data.decode("utf-8", "replace")
            if sec and b"\x00" not in data[:8192]:
                text = data.decode("utf-8", "replace")
                for line, col, match in scan_text(text):
                    out.secrets.append((path, line, col, match.description, match.masked))
    index.end_layer()
    return out


@dataclass
class ImageRead:
    """An image read: the facts the image checks take, and its packages."""

    facts: ImageFacts
    packages: list[Package]
    #: layers served from the cache, by index
    cached: list[int] = field(default_factory=list)
    #: files a cataloger could not read (path: why)
    catalog_errors: list[str] = field(default_factory=list)


def _info(path: str, e: Entry) -> FileInfo:
    return FileInfo(path, e.kind.value, e.mode, e.uid, e.gid, e.size, e.layer, e.linkname)


def read_image(
    image: Image,
    *,
    cache: LayerCache | None = None,
    limits: Limits = DEFAULT_LIMITS,
    as_of: date | None = None,
) -> ImageRead:
    """Read ``image`` once (see the module docstring). Raises :class:`ImageError`."""
    index = FileIndex(limits)
    yields: list[LayerYield] = []
    cached: list[int] = []
    for i, layer in enumerate(image.layers):
        hit = cache.get(layer.digest) if cache is not None else None
        try:
            if hit is not None:
                index.apply(i, (_member(t) for t in hit.members))
                cached.append(i)
                yields.append(hit)
                continue
            y = _read_layer(image, i, layer, index, limits)
        except ImageError as exc:
            text = str(exc)
            if layer.digest not in text:
                text = f"layer {layer.digest}: {text}"
            raise ImageError(f"{image.ref}: {text}") from None
        except OSError as exc:
            raise ImageError(f"{image.ref}: layer {layer.digest}: {exc.strerror or exc}") from None
        if cache is not None:
            cache.put(layer.digest, y)
        yields.append(y)
    return _assemble(image, index, yields, cached, as_of)


def _live(index: FileIndex, path: str, layer: int) -> bool:
    e = index.get(path)
    return e is not None and e.layer == layer


def _assemble(
    image: Image, index: FileIndex, yields: list[LayerYield], cached: list[int], as_of: date | None
) -> ImageRead:
    results: dict[str, FileResult] = {}
    layer_of: dict[str, str] = {}
    #: every layer's result for a path the final image has, oldest first (the layer that
    #: installed each OS package is found from the database's versions)
    history: dict[str, list[tuple[str, FileResult]]] = {}
    release: dict[str, bytes] = {}
    secrets: list[FileSecret] = []
    errors: list[str] = []
    for i, y in enumerate(yields):
        digest = image.layers[i].diff_id or image.layers[i].digest
        for path, r in y.catalog.items():
            history.setdefault(path, []).append((digest, r))
            if _live(index, path, i):
                results[path] = r
                layer_of[path] = digest
                errors.extend(f"/{path}: {e}" for e in r.errors)
        for path, text in y.distro_files.items():
            if _live(index, path, i):
                release[path] = text.encode()
        for path, line, col, kind, masked in y.secrets:
            secrets.append(
                FileSecret(path, i, line, col, kind, masked, deleted=not _live(index, path, i))
            )
    distro = detect_distro(release)
    live_history = {p: h for p, h in history.items() if p in results and len(h) > 1}
    packages = assemble(results, distro, layer_of, live_history)
    config_doc = image.config
    cfg = config_doc.get("config")
    lines = config_doc.get("history")
    layers = [LayerInfo(lay.diff_id or lay.digest, lay.created_by, -1) for lay in image.layers]
    facts = ImageFacts(
        ref=image.ref,
        config=cfg if isinstance(cfg, dict) else {},
        history=[h for h in lines if isinstance(h, dict)] if isinstance(lines, list) else [],
        layers=layers,
        files={path: _info(path, e) for path, e in index.items()},
        distro=distro,
        secrets=secrets,
        as_of=as_of or date.today(),
        names=list(image.names),
    )
    return ImageRead(facts, packages, cached, errors)


__all__ = ["ANALYSIS_VERSION", "ImageRead", "LayerCache", "read_image", "secret_candidate"]
