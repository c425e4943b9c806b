"""parse_image: how a Dockerfile image reference splits into registry, path, tag and digest.

These cases pin today's behaviour; the Kubernetes side (image references in pod specs) is to
agree with them.
"""

from __future__ import annotations

import pytest

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
