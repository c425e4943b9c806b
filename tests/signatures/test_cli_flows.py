"""``hardhull keygen|sign|verify|attest|verify-attestation`` as users run them, on images
skopeo copied into Debian's docker-registry on 127.0.0.1 (issue #11, "Done when"): a signed
image verifies (both storage schemes); a tampered image (same tag, other content), a signature
by another key, a missing signature and a wrong annotation fail with the right message; an SBOM
attestation travels with the image."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.registry import Registry, skopeo_copy
from tests.oci.builder import Spec, image, layer, write_oci

PASSWORD = "correct horse battery staple"


def hardhull(*args: str, cwd: Path, password: str | None = PASSWORD) -> Any:
    env = {k: v for k, v in os.environ.items() if k != "COSIGN_PASSWORD"}
    if password is not None:
        env["COSIGN_PASSWORD"] = password
    env["XDG_CACHE_HOME"] = str(cwd / ".cache")
    return subprocess.run(
        [sys.executable, "-m", "hardhull", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def push(reg: Registry, tmp: Path, repo: str, tag: str, content: bytes) -> str:
    """An image of one layer (``content`` in /app/data), copied into the registry by skopeo."""
    root = write_oci(tmp / f"layout-{repo.replace('/', '-')}-{tag}-{len(content)}",
                     {tag: image([layer([Spec("app", "dir", mode=0o755),
                                         Spec("app/data", data=content)])])})  # fmt: skip
    skopeo_copy(f"oci:{root}:{tag}", f"docker://{reg.host}/{repo}:{tag}", tmp)
    return f"{reg.host}/{repo}:{tag}"


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    proc = hardhull("keygen", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "Private key written to cosign.key\nPublic key written to cosign.pub\n"
    proc = hardhull("keygen", "--output-key-prefix", "other", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path


def test_keygen_writes_cosign_files_and_keeps_them(keys: Path) -> None:
    key = (keys / "cosign.key").read_text()
    assert key.startswith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    assert stat.S_IMODE((keys / "cosign.key").stat().st_mode) == 0o600
    assert (keys / "cosign.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----\n")
    again = hardhull("keygen", cwd=keys)
    assert again.returncode == 2
    assert again.stderr == "hardhull: error: cosign.key exists (--force overwrites it)\n"
    assert (keys / "cosign.key").read_text() == key
    nopass = hardhull("keygen", "--output-key-prefix", "x", cwd=keys, password=None)
    assert nopass.returncode == 2
    assert "needs a password: set COSIGN_PASSWORD or run on a terminal" in nopass.stderr


def test_sign_then_verify_the_bundle(reg: Registry, keys: Path) -> None:
    ref = push(reg, keys, "team/app", "1.0.0", b"v1")
    signed = hardhull("sign", "--key", "cosign.key", "-a", "env=prod", "--insecure", ref,
                      cwd=keys)  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert "the tag 1.0.0 names sha256:" in signed.stderr
    assert "stored as a Sigstore bundle referrer" in signed.stderr
    ok = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=keys)
    assert ok.returncode == 0, ok.stderr
    (statement,) = json.loads(ok.stdout)
    assert statement["predicateType"] == "https://sigstore.dev/cosign/sign/v1"
    assert statement["subject"][0]["annotations"] == {"env": "prod"}
    digest = statement["subject"][0]["digest"]["sha256"]
    assert f"Verification for {reg.host}/team/app@sha256:{digest} --" in ok.stderr
    with_ann = hardhull("verify", "--key", "cosign.pub", "-a", "env=prod", "--insecure", ref,
                        cwd=keys)  # fmt: skip
    assert with_ann.returncode == 0, with_ann.stderr
    wrong = hardhull("verify", "--key", "cosign.pub", "-a", "env=dev", "--insecure", ref,
                     cwd=keys)  # fmt: skip
    assert wrong.returncode == 1
    assert "annotation mismatch: env=dev required, the signature has env=prod" in wrong.stderr
    other = hardhull("verify", "--key", "other.pub", "--insecure", ref, cwd=keys)
    assert other.returncode == 1
    assert "none verifies" in other.stderr and "another key" in other.stderr
    assert other.stdout == ""


def test_sign_then_verify_the_sig_tag(reg: Registry, keys: Path) -> None:
    ref = push(reg, keys, "team/legacy", "2", b"v2")
    signed = hardhull("sign", "--key", "cosign.key", "--store", "tag", "--insecure", ref,
                      cwd=keys)  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert ".sig" in signed.stderr
    ok = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=keys)
    assert ok.returncode == 0, ok.stderr
    (payload,) = json.loads(ok.stdout)
    assert payload["critical"]["type"] == "cosign container image signature"
    assert payload["critical"]["identity"]["docker-reference"] == f"{reg.host}/team/legacy"
    other = hardhull("verify", "--key", "other.pub", "--insecure", ref, cwd=keys)
    assert other.returncode == 1
    assert "the signature does not verify with this key" in other.stderr


def test_a_tampered_image_and_a_missing_signature_fail(reg: Registry, keys: Path) -> None:
    ref = push(reg, keys, "team/tamper", "1", b"original")
    assert hardhull("sign", "--key", "cosign.key", "--store", "both", "--insecure", ref,
                    cwd=keys).returncode == 0  # fmt: skip
    assert hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=keys).returncode == 0
    push(reg, keys, "team/tamper", "1", b"replaced by an attacker")  # same tag, other content
    bad = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=keys)
    assert bad.returncode == 1
    assert "not verified: no signature found for sha256:" in bad.stderr
    unsigned = push(reg, keys, "team/unsigned", "1", b"x")
    missing = hardhull("verify", "--key", "cosign.pub", "--insecure", unsigned, cwd=keys)
    assert missing.returncode == 1 and "no signature found for sha256:" in missing.stderr


def test_attest_an_sbom_and_verify_it(reg: Registry, keys: Path) -> None:
    ref = push(reg, keys, "team/attested", "1", b"sbom")
    sbom = keys / "sbom.cdx.json"
    # the image's own SBOM, as hardhull image writes it from the registry
    made = hardhull("image", "--insecure", ref, "-f", "cyclonedx", "-o", str(sbom), cwd=keys)
    assert made.returncode == 0, made.stderr
    assert json.loads(sbom.read_text())["bomFormat"] == "CycloneDX"
    done = hardhull("attest", "--key", "cosign.key", "--type", "cyclonedx", "--predicate",
                    str(sbom), "--store", "both", "--insecure", ref, cwd=keys)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok = hardhull("verify-attestation", "--key", "cosign.pub", "--type", "cyclonedx",
                  "--insecure", ref, cwd=keys)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    envelopes = [json.loads(line) for line in ok.stdout.splitlines()]
    assert len(envelopes) == 2  # the bundle and the .att tag
    for env in envelopes:
        assert env["payloadType"] == "application/vnd.in-toto+json"
    other_type = hardhull("verify-attestation", "--key", "cosign.pub", "--type", "spdxjson",
                          "--insecure", ref, cwd=keys)  # fmt: skip
    assert other_type.returncode == 1 and "predicate type" in other_type.stderr
    # an attestation is not a signature
    sig = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=keys)
    assert sig.returncode == 1 and "no signature found" in sig.stderr


def test_errors_are_clean(reg: Registry, keys: Path) -> None:
    ref = push(reg, keys, "team/errors", "1", b"e")
    bad_pw = hardhull("sign", "--key", "cosign.key", "--insecure", ref, cwd=keys,
                      password="hunter2-not-it")  # fmt: skip
    assert bad_pw.returncode == 2
    assert "wrong password" in bad_pw.stderr and "hunter2-not-it" not in bad_pw.stderr
    assert "Traceback" not in bad_pw.stderr
    local = hardhull("sign", "--key", "cosign.key", "oci:somewhere", cwd=keys)
    assert local.returncode == 2 and "signatures are kept in a registry" in local.stderr
    missing_key = hardhull("verify", "--key", "nope.pub", "--insecure", ref, cwd=keys)
    assert missing_key.returncode == 2
    assert missing_key.stderr == "hardhull: error: key nope.pub: No such file or directory\n"
    bad_ann = hardhull("sign", "--key", "cosign.key", "-a", "novalue", ref, cwd=keys)
    assert bad_ann.returncode == 2 and "expected KEY=VALUE" in bad_ann.stderr


def test_a_signature_copied_from_another_image_is_named(reg: Registry, keys: Path) -> None:
    # the .sig manifest of one image copied under another's digest tag: the payload names the
    # first image, and verify says so rather than "bad signature"
    from hardhull.oci.registry import RegistryClient
    from hardhull.signatures.storage import SIG, read_tag_layers, resolve, tag_of

    first = push(reg, keys, "team/copy-a", "1", b"a")
    second = push(reg, keys, "team/copy-b", "1", b"b")
    assert hardhull("sign", "--key", "cosign.key", "--store", "tag", "--insecure", first,
                    cwd=keys).returncode == 0  # fmt: skip
    client = RegistryClient(reg.host, insecure=True, credentials=None)
    a = resolve(client, "team/copy-a", "1")
    b = resolve(client, "team/copy-b", "1")
    sig = client.get_manifest("team/copy-a", tag_of(a.digest, SIG))
    for entry in read_tag_layers(a, SIG):
        client.push_blob("team/copy-b", entry.blob)
    client.push_blob("team/copy-b", client.get_blob("team/copy-a", sig.doc["config"]["digest"]))
    client.put_manifest("team/copy-b", tag_of(b.digest, SIG), sig.body, sig.media_type)
    bad = hardhull("verify", "--key", "cosign.pub", "--insecure", second, cwd=keys)
    assert bad.returncode == 1
    assert f"the signature is for another image: {a.digest} (wanted {b.digest})" in bad.stderr


def test_a_multi_arch_index_is_signed_as_a_whole(reg: Registry, keys: Path) -> None:
    # cosign signs the digest the tag names: for a multi-arch image, the index
    from hardhull.oci.registry import RegistryClient

    base = layer([Spec("etc", "dir", mode=0o755)])
    root = write_oci(keys / "multi", {"1": [image([base]), image([base], arch="arm64",
                                                                 variant="v8")]})  # fmt: skip
    skopeo_copy(f"oci:{root}:1", f"docker://{reg.host}/team/multi:1", keys, all_images=True)
    ref = f"{reg.host}/team/multi:1"
    signed = hardhull("sign", "--key", "cosign.key", "--insecure", ref, cwd=keys)
    assert signed.returncode == 0, signed.stderr
    index = RegistryClient(reg.host, insecure=True, credentials=None).get_manifest(
        "team/multi", "1"
    )
    assert index.is_index
    assert f"names {index.digest} now" in signed.stderr
    ok = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=keys)
    assert ok.returncode == 0, ok.stderr
    (statement,) = json.loads(ok.stdout)
    assert statement["subject"][0]["digest"]["sha256"] == index.digest.split(":")[1]
