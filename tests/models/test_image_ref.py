"""parse_image: how a Dockerfile image reference splits into registry, path, tag and digest.

These cases pin today's behaviour; the Kubernetes side (image references in pod specs) is to
agree with them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from hardhull.models.image_ref import ImageRef, parse_image

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Docker Hub: no registry; the tag is what follows the last colon
        ("python:3.13-slim", ImageRef("", "python", "3.13-slim", "")),
        ("user/app", ImageRef("", "user/app", "", "")),
        ("docker.io/library/python:3.13", ImageRef("docker.io", "library/python", "3.13", "")),
        # a first component with a dot, a port or "localhost" is a registry
        ("quay.io/org/app", ImageRef("quay.io", "org/app", "", "")),
        ("localhost/app:1", ImageRef("localhost", "app", "1", "")),
        # a registry port is not a tag
        ("localhost:5000/app", ImageRef("localhost:5000", "app", "", "")),
        (
            "registry.example.com:5000/team/app:1.2",
            ImageRef("registry.example.com:5000", "team/app", "1.2", ""),
        ),
        # digests, with or without a tag
        (f"python@{DIGEST}", ImageRef("", "python", "", DIGEST)),
        (f"python:3.13@{DIGEST}", ImageRef("", "python", "3.13", DIGEST)),
        # case: registry and path are lower-cased, the tag is kept as written
        ("MyOrg/MyImage:Tag", ImageRef("", "myorg/myimage", "Tag", "")),
        (
            "Registry.Example.COM/Team/App:V1",
            ImageRef("registry.example.com", "team/app", "V1", ""),
        ),
        # surrounding blanks are ignored
        (" python:3 ", ImageRef("", "python", "3", "")),
    ],
)
def test_parse_image(text: str, expected: ImageRef) -> None:
    assert parse_image(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "scratch", "SCRATCH", "a b", ":tag"])
def test_parse_image_rejects(text: str) -> None:
    assert parse_image(text) is None


@pytest.mark.parametrize(
    ("text", "repo", "official"),
    [
        ("python:3", "python", True),
        ("library/python", "python", True),
        ("docker.io/python", "python", True),
        ("mirror.gcr.io/python:3", "python", True),
        ("public.ecr.aws/docker/library/python:3", "python", True),
        ("user/app", "app", False),
        ("ghcr.io/org/python:3", "python", False),
    ],
)
def test_repo_and_official(text: str, repo: str, official: bool) -> None:
    ref = parse_image(text)
    assert ref is not None
    assert (ref.repo, ref.official) == (repo, official)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("python", "python"),
        ("Registry.Example.COM:5000/Team/App:V1", "registry.example.com:5000/team/app:V1"),
        (f"python:3.13@{DIGEST}", f"python:3.13@{DIGEST}"),
        (f"ghcr.io/org/app@{DIGEST}", f"ghcr.io/org/app@{DIGEST}"),
    ],
)
def test_text(text: str, written: str) -> None:
    ref = parse_image(text)
    assert ref is not None
    assert ref.text == written


# ------------------------------------------------------------------ one parser, one verdict

_AGREEMENT_REFS = [
    "nginx",
    "nginx:latest",
    "nginx:1.27",
    f"nginx@{DIGEST}",
    f"nginx:1.27@{DIGEST}",
    "registry.example.com:5000/team/app",
    "registry.example.com:5000/team/app:2.1",
    "localhost/app:latest",
    "localhost:5000/app",
    "ghcr.io/Org/App:1.0",
    "docker.io/library/python:3.12-slim",
    "nginx:LATEST",
]


def _codes(tmp_path: Path, name: str, text: str) -> set[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = scan([str(path)], ScanOptions(jobs=1, as_of=date(2026, 12, 1)))
    assert result.errors == []
    return {f.code for f in result.findings}


@pytest.mark.parametrize("image", _AGREEMENT_REFS)
def test_a_deployment_and_a_dockerfile_judge_an_image_alike(tmp_path: Path, image: str) -> None:
    """K027 (no tag or latest) fires exactly when D002 does, K028 (not pinned by digest)
    exactly when D003 does: both read the reference with parse_image."""
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n"
        "    metadata: {labels: {app: web}}\n"
        f"    spec:\n      containers:\n      - name: web\n        image: {image}\n"
    )
    k = _codes(tmp_path, "deploy.yaml", deployment)
    d = _codes(tmp_path, "Dockerfile", f"FROM {image}\nUSER 10001\n")
    assert ("K027" in k) == ("D002" in d), (sorted(k), sorted(d))
    assert ("K028" in k) == ("D003" in d), (sorted(k), sorted(d))
    untagged = ("nginx", "registry.example.com:5000/team/app", "localhost:5000/app")
    mutable = image in (*untagged, "nginx:latest", "localhost/app:latest")
    assert ("K027" in k) is mutable
    assert ("K028" in k) is ("@" not in image and not mutable)
