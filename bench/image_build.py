#!/usr/bin/env python3
"""Build the benchmark image: a five-layer image of more than 2 GB made of real package
manager output on this machine, written once as a ``docker save`` archive and as an OCI
layout under ``.cache/bench-image/`` (reused while it exists; ``--force`` rebuilds).

Layers:

1. the operating system: this Debian machine's ``/etc``, dpkg database (``/var/lib/dpkg``),
   ``/usr/bin``, ``/usr/sbin``, ``/usr/lib/x86_64-linux-gnu``, ``/usr/lib/python3*`` (Debian's
   own Python packages, owned by dpkg) and ``/usr/share``;
2. Python packages installed by pip: the site-packages of the Python installation running
   this script, as ``/usr/local/lib/python3.11/site-packages``, and of its virtualenv, as
   ``/opt/venv/lib/python3.11/site-packages``;
3. npm packages: the global ``node_modules`` of this machine's node install;
4. an application directory holding two credential files;
5. one credential file deleted again (a whiteout), and the config: root user, SSH exposed.

Java archives are left out (``--no-java``, the default): trivy cannot scan an image with a jar
without downloading its Java database, which this machine's closed network does not allow.

Run from the repository root: ``.venv/bin/python bench/image_build.py [--force]``; prints the
paths. ``bench/image_scan.py`` builds it too when it is missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.imagekit import (  # noqa: E402 (after the path is set)
    Entry,
    Layer,
    config_json,
    write_docker_archive,
    write_layer,
    write_oci_layout,
)

OUT = ROOT / ".cache" / "bench-image"
ARCHIVE = OUT / "app.tar"
LAYOUT = OUT / "app-oci"
#: a GitHub token shaped credential, planted for the secret scanners (not a real token)
JAVA_ARCHIVES = (".jar", ".war", ".ear")
PLANTED = "ghp_" + "Zq7Wm2Lx9Kp4Rt6Vb8Nc1Hd3Jf5Gs0Ya2Eu4"
#: an AWS access key pair shaped credential that stays in the final image (not a real key)
PLANTED_AWS = ("AKIA" + "QX7RZ2LM4NP6TV3W", "wJq8" + "rT5yU2iO9pA3sD6fG1hJ4kL7zX0cV8bN5mQ2")


def _npm_root() -> str | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    out = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    root = out.stdout.strip()
    return root if out.returncode == 0 and Path(root).is_dir() else None


def layers(java: bool = False) -> list[Layer]:
    os_dirs = [
        "/etc",
        "/var/lib/dpkg",
        "/usr/bin",
        "/usr/sbin",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/python3",
        "/usr/lib/python3.11",
        "/usr/share",
    ]
    base = Layer(
        "ADD rootfs.tar.xz / # this machine's Debian files",
        host=[(d, d.lstrip("/")) for d in os_dirs if Path(d).is_dir()],
        skip=() if java else JAVA_ARCHIVES,
    )
    venv_site = sysconfig.get_paths()["purelib"]
    base_site = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})[
        "purelib"
    ]
    sites = [(base_site, "usr/local/lib/python3.11/site-packages")]
    if venv_site != base_site:
        sites.append((venv_site, "opt/venv/lib/python3.11/site-packages"))
    pip = Layer("RUN /bin/sh -c pip install -r requirements.txt", host=sites)
    npm_root = _npm_root()
    npm = Layer(
        "RUN /bin/sh -c npm install -g npm corepack",
        host=[(npm_root, "usr/local/lib/node_modules")] if npm_root else [],
    )
    app = Layer(
        "COPY . /app # buildkit",
        [
            Entry("app", kind="dir", mode=0o755),
            Entry("app/main.py", b"print('hello')\n"),
            Entry("app/.env", f"GITHUB_TOKEN={PLANTED}\n".encode()),
            Entry(
                "app/settings.py",
                f'AWS_ACCESS_KEY_ID = "{PLANTED_AWS[0]}"\n'
                f'AWS_SECRET_ACCESS_KEY = "{PLANTED_AWS[1]}"\n'.encode(),
            ),
        ],
    )
    clean = Layer("RUN /bin/sh -c rm /app/.env", [Entry("app/.env", kind="whiteout")])
    return [base, pip, npm, app, clean]


def build(force: bool = False) -> tuple[Path, Path]:
    """The archive and the layout, built when missing (or with ``force``)."""
    if ARCHIVE.exists() and (LAYOUT / "index.json").exists() and not force:
        return ARCHIVE, LAYOUT
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    work = OUT / "layers"
    work.mkdir()
    built = [write_layer(layer, work, f"layer{i}") for i, layer in enumerate(layers())]
    config = config_json(
        built,
        {"User": "", "ExposedPorts": {"22/tcp": {}}, "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]},
        empty_history=[(5, "EXPOSE map[22/tcp:{}]")],
    )
    write_docker_archive(ARCHIVE, built, config, ["bench/app:1"])
    write_oci_layout(LAYOUT, built, config, "1")
    shutil.rmtree(work)
    return ARCHIVE, LAYOUT


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild even if the image exists")
    args = ap.parse_args()
    t = time.perf_counter()
    archive, layout = build(args.force)
    size = archive.stat().st_size
    print(f"{archive} ({size / 1e9:.2f} GB), {layout}; {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
