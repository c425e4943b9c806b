#!/usr/bin/env python3
"""Write a small ``docker save`` archive for ``make demo``: three layers with what
``hardhull image`` reports (an end-of-life Debian release, a setuid program, a credential
deleted by a later layer, root, SSH exposed). Standard library only; no container engine.

Usage: python examples/image/build_demo_image.py OUT.tar
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile

OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n'
#: shaped like a GitHub token so that the detectors recognise it; it grants nothing
TOKEN = "ghp_" + "DemoDemoDemoDemoDemoDemoDemoDemoDemo"


def layer(entries: list[tuple[str, bytes | None, int]]) -> bytes:
    """A layer tar: (path, content or None for a directory, mode)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data, mode in entries:
            info = tarfile.TarInfo(path)
            info.mode, info.mtime = mode, 1_700_000_000
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def main(out: str) -> None:
    layers = [
        ("ADD rootfs.tar.xz / # debian:10", layer([
            ("etc", None, 0o755), ("etc/os-release", OS_RELEASE, 0o644),
            ("usr/local/bin", None, 0o755), ("usr/local/bin/helper", b"#!/bin/sh\n", 0o4755),
        ])),
        ("COPY . /app # buildkit", layer([
            ("app", None, 0o755), ("app/.env", f"GITHUB_TOKEN={TOKEN}\n".encode(), 0o644),
        ])),
        ("RUN /bin/sh -c rm /app/.env", layer([("app/.wh..env", b"", 0o644)])),
    ]  # fmt: skip
    diff_ids = ["sha256:" + hashlib.sha256(data).hexdigest() for _, data in layers]
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "", "ExposedPorts": {"22/tcp": {}}, "Cmd": ["/app/run"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": text} for text, _ in layers],
    }).encode()  # fmt: skip
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    with tarfile.open(out, "w") as tar:
        names = []
        for diff_id, (_, data) in zip(diff_ids, layers, strict=True):
            names.append(diff_id.split(":")[1] + "/layer.tar")
            _add(tar, names[-1], data)
        _add(tar, config_name, config)
        manifest = [{"Config": config_name, "RepoTags": ["demo/app:1"], "Layers": names}]
        _add(tar, "manifest.json", json.dumps(manifest).encode())


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), 1_700_000_000
    tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main(sys.argv[1])
