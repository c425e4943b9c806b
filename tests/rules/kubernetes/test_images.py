"""The workload rules of ``hardhull/rules/kubernetes/images.py``:
K027, K028, K029, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import pytest

from tests.helpers.kubernetes import (
    APP,
    BASE,
    C0,
    DIGEST,
    HARDENED_INIT,
    IMAGE,
    at,
    check,
    ctr,
    edit,
    scan_text,
    spec,
)


def with_image(image: str, extra: str = "") -> str:
    text = ctr(extra) if extra else BASE
    return edit(text, (f"image: {IMAGE}", f"image: {image}"))


@pytest.mark.parametrize(
    ("image", "code", "message", "severity"),
    [
        ("nginx", "K027", "uses image 'nginx' without a tag", "medium"),
        ("nginx:latest", "K027", "uses image 'nginx:latest' with tag latest", "medium"),
        ("localhost:5000/app", "K027", "uses image 'localhost:5000/app' without a tag", "medium"),
        ("nginx:1.27.2", "K028", "image 'nginx:1.27.2' is not pinned by digest", "low"),
        ("localhost:5000/app:1.0", "K028", "image 'localhost:5000/app:1.0' is not pinned by digest",
         "low"),
    ],
)  # fmt: skip
def test_k027_k028_images(image: str, code: str, message: str, severity: str) -> None:
    text = with_image(image)
    check(text, (code, f"{C0}/image", "image:", f"{APP} {message}", severity))


@pytest.mark.parametrize(
    "image",
    [
        f"nginx@{DIGEST}",
        f"nginx:latest@{DIGEST}",
        f"localhost:5000/app@{DIGEST}",
        "$IMAGE",
        "${REGISTRY}/app",
        '"{{ image }}"',
    ],
)
def test_k027_k028_pinned_or_placeholder(image: str) -> None:
    assert scan_text(with_image(image)) == []


def test_k029_pull_policy() -> None:
    text = with_image("nginx:1.27.2", "imagePullPolicy: IfNotPresent")
    check(
        text,
        ("K028", f"{C0}/image", "image:", f"{APP} image 'nginx:1.27.2' is not pinned by digest",
         "low"),
        ("K029", f"{C0}/imagePullPolicy", "imagePullPolicy",
         f"{APP} uses imagePullPolicy IfNotPresent with mutable image 'nginx:1.27.2'", "low"),
    )  # fmt: skip
    assert scan_text(ctr("imagePullPolicy: IfNotPresent")) == []  # pinned by digest
    assert scan_text(with_image("nginx:1.27.2", "imagePullPolicy: Always")) == [
        ("K028", f"{C0}/image", at(with_image("nginx:1.27.2", "imagePullPolicy: Always"), "image:"),
         f"{APP} image 'nginx:1.27.2' is not pinned by digest", "low")
    ]  # fmt: skip


def test_k027_init_container_latest() -> None:
    init = HARDENED_INIT.replace(f"image: {IMAGE}", "image: busybox:latest")
    check(
        spec(init),
        ("K027", "/spec/initContainers/0/image", "image: busybox",
         "init container \"init\" uses image 'busybox:latest' with tag latest", "medium"),
    )  # fmt: skip


def test_k042_reported_by_the_webhook_hook_never_by_the_scan() -> None:
    """K042 needs the registry: the admission webhook's verify-images hook reports it (the
    full behaviour is in tests/admission/test_verify_images.py), the scan never does."""
    import asyncio
    import json as _json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from hardhull.admission.policy import parse_policy
    from hardhull.admission.signatures import VerifiedImage
    from hardhull.admission.verification import ImageSignatureHook
    from hardhull.sign import SignError

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    policy = parse_policy(
        f"verify-images:\n  - images: [reg.example/*]\n    keys: [{_json.dumps(pem)}]\n"
    )

    def verify(ref: str, keys: object, annotations: object) -> VerifiedImage:
        if ref == "reg.example/signed:1":
            return VerifiedImage(ref, "sha256:" + "1" * 64, "k")
        raise SignError("no signature found")

    hook = ImageSignatureHook(policy.verify_images, verify)

    def pod(image: str) -> dict[str, object]:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "app", "image": image}]}}  # fmt: skip

    found = asyncio.run(hook.check_within(pod("reg.example/unsigned:1"), 5.0))
    assert [(v.code, v.pointer, v.message) for v in found] == [
        (
            "K042",
            "/spec/containers/0/image",
            "container \"app\" image 'reg.example/unsigned:1' is not signed by a trusted key: "
            "no signature found",
        )
    ]
    assert asyncio.run(hook.check_within(pod("reg.example/signed:1"), 5.0)) == []
    assert [r[0] for r in scan_text(with_image("reg.example/unsigned:1"))] == ["K028"]
