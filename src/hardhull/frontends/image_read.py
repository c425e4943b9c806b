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
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from hardhull.models.image_facts import FileSecret, ImageFacts, LayerInfo, PackedFiles
from hardhull.models.packages import Distro, Package
from hardhull.oci.index import FileIndex
from hardhull.oci.layers import DEFAULT_LIMITS, Limits, MemberReader
from hardhull.oci.model import Image, LayerRef, Member, MemberKind
from hardhull.oci.walk import walk
from hardhull.paths import user_cache_dir
from hardhull.sbom import DISTRO_FILES, FileResult, assemble, catalog_file, detect_distro, wants
from hardhull.secrets.text import scan_text

#: bumped whenever what a layer yields changes (catalogers, detectors, the cache format)
ANALYSIS_VERSION = 2
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
    """Results on disk: per layer (one gzip'd JSON file per layer digest: an image sharing
    base layers reads only its own), and per image (one zlib'd JSON file per list of layer
    digests: the final file index, packages and credentials, so a second scan of the same
    image replays no layer at all). Damaged or unreadable entries are read again."""

    def __init__(self, directory: str | None = None) -> None:
        self.dir = directory or os.path.join(user_cache_dir(), "hardhull", "layers")
        self.images_dir = os.path.join(os.path.dirname(self.dir), "images")

    def _path(self, digest: str, directory: str | None = None, ext: str = "json.gz") -> str:
        algo, _, hexd = digest.partition(":")
        safe = "".join(c for c in hexd if c in "0123456789abcdef")
        return os.path.join(directory or self.dir, f"{algo}-{safe}-v{ANALYSIS_VERSION}.{ext}")

    def get(self, digest: str) -> LayerYield | None:
        try:
            with gzip.open(self._path(digest), "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
            return _from_json(doc)
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None  # a missing or damaged entry: read the layer

    def put(self, digest: str, value: LayerYield) -> None:
        data = json.dumps(_to_json(value), separators=(",", ":")).encode()
        self._write(self._path(digest), gzip.compress(data, compresslevel=1))

    def get_image(self, key: str) -> ImageContent | None:
        try:
            with open(self._path(key, self.images_dir, "json.z"), "rb") as fh:
                doc = json.loads(zlib.decompress(fh.read()))
            return _content_from_json(doc)
        except (OSError, ValueError, KeyError, TypeError, IndexError, zlib.error):
            return None  # a missing or damaged entry: read the image

    def put_image(self, key: str, value: ImageContent) -> None:
        data = json.dumps(_content_to_json(value), separators=(",", ":")).encode()
        self._write(self._path(key, self.images_dir, "json.z"), zlib.compress(data, 1))

    def _write(self, path: str, data: bytes) -> None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
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
        pkgs = tuple(_package(p) for p in r["packages"])
        catalog[path] = FileResult(
            pkgs, tuple((k, tuple(v)) for k, v in r["owns"]), tuple(r["errors"])
        )
    return LayerYield(
        [tuple(m) for m in doc["members"]],
        catalog,
        dict(doc["distro"]),
        [tuple(s) for s in doc["secrets"]],
    )


def _package(p: dict[str, Any]) -> Package:
    return Package(**{**p, "licenses": tuple(p["licenses"]), "files": tuple(p["files"])})


def _content_to_json(c: ImageContent) -> dict[str, Any]:
    packed, links = c.files.packed()
    return {
        "paths": list(packed),
        "packed": list(packed.values()),
        "links": links,
        "distro": asdict(c.distro) if c.distro is not None else None,
        "secrets": [
            [s.path, s.layer, s.line, s.column, s.kind, s.masked, s.deleted] for s in c.secrets
        ],
        "packages": [asdict(p) for p in c.packages],
        "errors": c.errors,
    }


def _content_from_json(doc: dict[str, Any]) -> ImageContent:
    paths, packed = doc["paths"], doc["packed"]
    if len(paths) != len(packed) or not all(type(v) is int for v in packed):
        raise ValueError("damaged")
    links = {str(k): str(v) for k, v in doc["links"].items()}
    distro = Distro(**doc["distro"]) if doc["distro"] is not None else None
    secrets = [
        FileSecret(p, lay, ln, col, k, m, deleted=bool(d))
        for p, lay, ln, col, k, m, d in doc["secrets"]
    ]
    return ImageContent(
        PackedFiles(dict(zip(paths, packed, strict=True)), links),
        distro,
        secrets,
        [_package(p) for p in doc["packages"]],
        [str(e) for e in doc["errors"]],
    )


def _member(t: Sequence[Any]) -> Member:
    return Member(t[0], MemberKind(t[1]), t[2], t[3], t[4], t[5], t[6])


class _LayerReader:
    """The visitor and hooks of :func:`hardhull.oci.walk.walk` that collect what each streamed
    layer yields (:class:`LayerYield`), and store it in the per-layer cache at the layer's end.
    The member list is written to the cache and dropped: only the (small) rest is kept."""

    def __init__(self, cache: LayerCache | None, limits: Limits, keys: list[str]) -> None:
        self.cache = cache
        self.limits = limits
        self.keys = keys
        self.yields: dict[int, LayerYield] = {}
        self.cached: list[int] = []

    def replay(self, i: int, layer: LayerRef) -> Iterable[Member] | None:
        hit = self.cache.get(self.keys[i]) if self.cache is not None else None
        if hit is None:
            self.yields[i] = LayerYield()
            return None
        self.cached.append(i)
        members, hit.members = hit.members, []
        self.yields[i] = hit
        return (_member(t) for t in members)

    def on_member(self, i: int, layer: LayerRef, m: Member) -> None:
        if self.cache is not None:
            self.yields[i].members.append(
                (m.path, m.kind.value, m.mode, m.uid, m.gid, m.size, m.linkname)
            )

    def want(self, m: Member) -> bool:
        if m.kind is not MemberKind.FILE or m.size <= 0 or m.size > self.limits.max_read:
            return False
        path = m.path
        return bool(
            wants(path, m.size, m.mode) or path in DISTRO_FILES or secret_candidate(path, m.size)
        )

    def visit(self, i: int, layer: LayerRef, m: Member, reader: MemberReader) -> None:
        out = self.yields[i]
        path = m.path
        data = reader.read()
        if wants(path, m.size, m.mode):
            out.catalog[path] = catalog_file(path, data)
        if path in DISTRO_FILES:
            out.distro_files[path] = data.decode("utf-8", "replace")
        if secret_candidate(path, m.size) and b"\x00" not in data[:8192]:
            text = data.decode("utf-8", "replace")
            for line, col, match in scan_text(text):
                out.secrets.append((path, line, col, match.description, match.masked))

    def on_layer_end(self, i: int, layer: LayerRef) -> None:
        y = self.yields[i]
        if self.cache is not None:
            self.cache.put(self.keys[i], y)
        y.members = []


@dataclass
class ImageRead:
    """An image read: the facts the image checks take, and its packages."""

    facts: ImageFacts
    packages: list[Package]
    #: layers served from the cache, by index
    cached: list[int] = field(default_factory=list)
    #: files a cataloger could not read (path: why)
    catalog_errors: list[str] = field(default_factory=list)


def read_image(
    image: Image,
    *,
    cache: LayerCache | None = None,
    limits: Limits = DEFAULT_LIMITS,
    as_of: date | None = None,
) -> ImageRead:
    """Read ``image`` once (see the module docstring). Raises :class:`ImageError`."""
    keys = [layer_key(image, layer) for layer in image.layers]
    key = _image_key(image, keys, limits)
    if cache is not None:
        whole = cache.get_image(key)
        if whole is not None:
            return _facts(image, whole, list(range(len(image.layers))), as_of)
    reader = _LayerReader(cache, limits, keys)
    index = walk(
        image,
        reader.visit,
        want=reader.want,
        limits=limits,
        replay=reader.replay,
        on_member=reader.on_member,
        on_layer_end=reader.on_layer_end,
    )
    yields = [reader.yields[i] for i in range(len(image.layers))]
    whole = _assemble(image, index, yields)
    if cache is not None:
        cache.put_image(key, whole)
    return _facts(image, whole, reader.cached, as_of)


def layer_key(image: Image, layer: LayerRef) -> str:
    """The cache key of a layer's results: its digest when the transport verifies digests
    (registries); else its digest bound to the stored bytes it was read from (a local file
    may claim any digest: it must not be served another file's results)."""
    if image.layer_source is None:
        return layer.digest
    source = image.layer_source(layer)
    return "sha256:" + hashlib.sha256(f"{layer.digest}|{source}".encode()).hexdigest()


def _image_key(image: Image, keys: list[str], limits: Limits) -> str:
    """What the read depends on: the layers' contents, in order, and the limits."""
    h = hashlib.sha256(f"v{ANALYSIS_VERSION}|{limits!r}".encode())
    for layer, key in zip(image.layers, keys, strict=True):
        h.update(f"|{key}|{layer.diff_id}".encode())
    return "sha256:" + h.hexdigest()


def _live(index: FileIndex, path: str, layer: int) -> bool:
    e = index.get(path)
    return e is not None and e.layer == layer


@dataclass
class ImageContent:
    """What an image's layers yield, whatever config or name it comes with: the part of a
    read that the image-level cache keeps."""

    files: PackedFiles
    distro: Distro | None
    secrets: list[FileSecret]
    packages: list[Package]
    #: files a cataloger could not read (path: why)
    errors: list[str]


def _assemble(image: Image, index: FileIndex, yields: list[LayerYield]) -> ImageContent:
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
    return ImageContent(index.files(), distro, secrets, packages, errors)


def _facts(image: Image, content: ImageContent, cached: list[int], as_of: date | None) -> ImageRead:
    config_doc = image.config
    cfg = config_doc.get("config")
    lines = config_doc.get("history")
    layers = [LayerInfo(lay.diff_id or lay.digest, lay.created_by, -1) for lay in image.layers]
    facts = ImageFacts(
        ref=image.ref,
        config=cfg if isinstance(cfg, dict) else {},
        history=[h for h in lines if isinstance(h, dict)] if isinstance(lines, list) else [],
        layers=layers,
        files=content.files,
        distro=content.distro,
        secrets=content.secrets,
        as_of=as_of or date.today(),
        names=list(image.names),
    )
    return ImageRead(facts, content.packages, cached, content.errors)


__all__ = [
    "ANALYSIS_VERSION",
    "ImageContent",
    "ImageRead",
    "LayerCache",
    "read_image",
    "secret_candidate",
]
