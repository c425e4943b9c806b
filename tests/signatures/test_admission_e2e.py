"""The issue's "Done when", end to end on loopback with every part real: keys from
``hardhull keygen``, an image copied into docker-registry by skopeo and signed with
``hardhull sign``, and ``hardhull admission serve`` (TLS) with a policy that admits only
``REGISTRY/team/*`` images signed by ``cosign.pub``: the unsigned pod is denied with the
reason, the signed one is admitted and, on /mutate, pinned to the digest that was verified."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.helpers.admission import hardened_pod, review_body
from tests.helpers.registry import Registry
from tests.helpers.server import Server, patched
from tests.signatures.test_cli_flows import hardhull, push


def _pod(image: str) -> dict[str, Any]:
    pod = copy.deepcopy(hardened_pod())
    pod["spec"]["containers"][0]["image"] = image
    return pod


def test_only_signed_images_are_admitted_and_pinned(reg: Registry, tmp_path: Path) -> None:
    assert hardhull("keygen", cwd=tmp_path).returncode == 0
    signed = push(reg, tmp_path, "team/app", "1.0.0", b"the app")
    unsigned = push(reg, tmp_path, "team/other", "1.0.0", b"not signed")
    elsewhere = push(reg, tmp_path, "vendor/tool", "1", b"outside the rule")
    sign = hardhull("sign", "--key", "cosign.key", "--insecure", signed, cwd=tmp_path)
    assert sign.returncode == 0, sign.stderr
    # signed by a key the policy does not name
    assert hardhull("keygen", "--output-key-prefix", "other", cwd=tmp_path).returncode == 0
    by_other = push(reg, tmp_path, "team/other-key", "1", b"signed by another key")
    assert hardhull("sign", "--key", "other.key", "--insecure", by_other,
                    cwd=tmp_path).returncode == 0  # fmt: skip
    # signed, then the tag moved to other content before any pod used it
    tampered = push(reg, tmp_path, "team/tampered", "1", b"as signed")
    assert hardhull("sign", "--key", "cosign.key", "--insecure", tampered,
                    cwd=tmp_path).returncode == 0  # fmt: skip
    push(reg, tmp_path, "team/tampered", "1", b"replaced after signing")
    digest = sign.stderr.split("names ", 1)[1].split(" ", 1)[0]
    policy = (
        "verify-images:\n"
        f"  - images: ['{reg.host}/team/*']\n"
        f"    keys: [{tmp_path / 'cosign.pub'}]\n"
        "    mutate-digest: true\n"
        f"verify-images-insecure-registries: ['{reg.host}']\n"
    )
    (tmp_path / "server").mkdir()
    server = Server(tmp_path / "server", policy)
    try:
        denied = server.review(review_body(_pod(unsigned)))
        assert denied["allowed"] is False
        message = denied["status"]["message"]
        assert "K042" in message and unsigned in message
        assert "no signature found for sha256:" in message
        ok = server.review(review_body(_pod(signed)))
        assert ok["allowed"] is True, ok
        mutated = server.review(review_body(_pod(signed)), "/mutate")
        pinned = patched(_pod(signed), mutated)
        assert pinned["spec"]["containers"][0]["image"] == f"{reg.host}/team/app@{digest}"
        # an image no rule names is not verified
        assert server.review(review_body(_pod(elsewhere)))["allowed"] is True
        other = server.review(review_body(_pod(by_other)))
        assert other["allowed"] is False
        assert "another key" in other["status"]["message"]
        moved = server.review(review_body(_pod(tampered)))
        assert moved["allowed"] is False
        assert "no signature found for sha256:" in moved["status"]["message"]
        # another build of the same repository, never signed
        unsigned_build = push(reg, tmp_path, "team/app", "1.0.1", b"unsigned build")
        again = server.review(review_body(_pod(unsigned_build)))
        assert again["allowed"] is False and "no signature found" in again["status"]["message"]
    finally:
        server.stop()
