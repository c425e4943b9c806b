"""The image reader's two caches (``frontends/image_read.LayerCache``): a second read of the
same image replays no layer and gives the same facts, packages and credentials as a read
without cache; an image sharing base layers streams only its own; a damaged entry is read
again, never trusted."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from hardhull.frontends.image_read import ImageRead, LayerCache, read_image
from hardhull.oci import open_image
from tests.oci.builder import Spec, image, layer, write_oci
from tests.oci.conftest import base_specs

TOKEN = "ghp_" + "Lq3Wm8Zx2Kp7Rt5Vb9Nc4Hd6Jf1Gs0Ya8EuT"


def _layers() -> list[bytes]:
    return [
        layer([*base_specs(), Spec("etc/os-release", data=b'ID=debian\nVERSION_ID="12"\n')]),
        layer([Spec("app", "dir", mode=0o755), Spec("app/.env", data=f"T={TOKEN}\n".encode())]),
        layer([Spec("app/.wh..env"), Spec("app/run", data=b"#!/bin/sh\n", mode=0o4755)]),
    ]


def _read(root: Path, tag: str, cache: LayerCache | None) -> ImageRead:
    img = open_image(f"oci:{root}:{tag}")
    try:
        return read_image(img, cache=cache)
    finally:
        img.close()


def _view(r: ImageRead) -> dict[str, Any]:
    f = r.facts
    return {
        "files": dict(f.files.items()),
        "distro": f.distro,
        "secrets": list(f.secrets),
        "packages": r.packages,
        "errors": r.catalog_errors,
        "layers": list(f.layers),
    }


def test_second_read_replays_nothing_and_agrees(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": image(_layers())})
    cache = LayerCache(str(tmp_path / "cache" / "layers"))
    plain = _read(root, "1", None)
    first = _read(root, "1", cache)
    assert first.cached == []
    assert len(list((tmp_path / "cache" / "images").iterdir())) == 1
    second = _read(root, "1", cache)
    assert second.cached == [0, 1, 2]
    assert _view(plain) == _view(first) == _view(second)
    # what the checks rely on is there: the deleted credential, masked, in layer 1
    (secret,) = second.facts.secrets
    assert (secret.path, secret.layer, secret.deleted) == ("app/.env", 1, True)
    assert TOKEN not in secret.masked
    assert second.facts.files["app/run"].mode == 0o4755


def test_per_layer_cache_serves_an_image_sharing_base_layers(tmp_path: Path) -> None:
    layers = _layers()
    extra = layer([Spec("opt/new.txt", data=b"new")])
    root = write_oci(tmp_path / "oci", {"1": image(layers), "2": image([*layers, extra])})
    cache = LayerCache(str(tmp_path / "cache" / "layers"))
    _read(root, "1", cache)
    shared = _read(root, "2", cache)
    assert shared.cached == [0, 1, 2]  # the new top layer is streamed
    assert _view(shared) == _view(_read(root, "2", None))


def test_without_the_image_entry_the_layers_are_replayed(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": image(_layers())})
    cache = LayerCache(str(tmp_path / "cache" / "layers"))
    first = _read(root, "1", cache)
    for entry in (tmp_path / "cache" / "images").iterdir():
        entry.unlink()
    again = _read(root, "1", cache)
    assert again.cached == [0, 1, 2]
    assert _view(again) == _view(first)


def test_a_damaged_image_entry_is_read_again(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": image(_layers())})
    cache = LayerCache(str(tmp_path / "cache" / "layers"))
    first = _read(root, "1", cache)
    (entry,) = (tmp_path / "cache" / "images").iterdir()
    for damage in (
        b"not zlib",
        zlib.compress(b'{"paths": ["a"], "packed": []}'),  # columns of unequal length
        zlib.compress(b'{"paths": ["a"], "packed": ["x"]}'),  # not an entry
        zlib.compress(b"[1, 2]"),
    ):
        entry.write_bytes(damage)
        again = _read(root, "1", cache)
        assert _view(again) == _view(first)
        assert again.cached == [0, 1, 2]  # from the layers' entries, not the damaged one


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    root = write_oci(tmp_path / "oci", {"1": image(_layers())})
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory would be")
    cache = LayerCache(str(blocked / "layers"))
    assert _view(_read(root, "1", cache)) == _view(_read(root, "1", None))


def test_a_local_file_claiming_another_layers_digest_is_read(tmp_path: Path) -> None:
    # local layouts and archives are not hashed whole: a blob may claim any digest. A layout
    # whose blob claims the digest of a layer cached from another file must be read, not
    # answered with that layer's results (which would hide what the blob really holds)
    import shutil

    honest = write_oci(tmp_path / "honest", {"1": image(_layers())})
    cache = LayerCache(str(tmp_path / "cache" / "layers"))
    clean = _read(honest, "1", cache)
    forged = tmp_path / "forged"
    shutil.copytree(honest, forged)
    digest = clean.facts.layers[0].digest  # the diff_id; the blob is found by the manifest
    img = open_image(f"oci:{forged}:1")
    try:
        blob_digest = img.layers[0].digest
    finally:
        img.close()
    evil = layer([*base_specs(), Spec("root/.netrc", data=f"password {TOKEN}\n".encode())])
    (forged / "blobs" / "sha256" / blob_digest.split(":")[1]).write_bytes(evil)
    got = _read(forged, "1", cache)
    assert got.cached == []  # copies are other files: every layer is read again
    assert "root/.netrc" in got.facts.files and "root/.netrc" not in clean.facts.files
    assert digest == got.facts.layers[0].digest  # it still claims the honest digest
