"""Only signed images (K042): the policy's verify-images rules, matching, and the hook through
the real webhook (uvicorn over TLS on 127.0.0.1, in this process so that the verifier is the
in-test stand-in for the registry below; the lead's end-to-end test uses a real registry)."""

from __future__ import annotations

import asyncio
import copy
import json
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hardhull.admission.policy import PolicyError, parse_policy
from hardhull.admission.server import AdmissionApp
from hardhull.admission.signatures import VerifiedImage, image_matches
from hardhull.admission.verification import ImageSignatureHook, pin
from hardhull.oci.model import ImageError
from hardhull.sign import SignError
from tests.helpers.admission import hardened_pod, review_body
from tests.helpers.server import free_port, install, make_bundle, metric, patched

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
UID = "705ab4f5-6393-11e8-b7cc-42010a800002"


def _pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


PEM = _pem()
#: the key inline in a policy (a YAML double-quoted string)
KEY = json.dumps(PEM)


class Registry:
    """The in-test verifier: reference → answer (a VerifiedImage or an exception to raise);
    unknown references have no signature. ``hold``: references whose call waits for
    ``release``. Counts calls and the most running at once."""

    def __init__(self, answers: Mapping[str, VerifiedImage | Exception]) -> None:
        self.answers = dict(answers)
        self.calls: list[str] = []
        self.hold: set[str] = set()
        self.release = threading.Event()
        self.active = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(
        self, reference: str, keys: Sequence[Any], annotations: Mapping[str, str]
    ) -> VerifiedImage:
        with self.lock:
            self.calls.append(reference)
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            if reference in self.hold:
                self.release.wait(30)
            assert keys, "the rule's keys reach the verifier"
            answer = self.answers.get(reference, SignError("no signature found"))
            if isinstance(answer, Exception):
                raise answer
            return answer
        finally:
            with self.lock:
                self.active -= 1


def signed(ref: str, digest: str = D1) -> VerifiedImage:
    return VerifiedImage(ref, digest, "key-1")


def pod(image: str, name: str = "web") -> dict[str, Any]:
    p = hardened_pod(name)
    p["spec"]["containers"][0]["image"] = image
    return p


def deployment(image: str) -> dict[str, Any]:
    spec = pod(image)["spec"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "team"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec},
        },
    }


# --------------------------------------------------------------------------- policy


def test_policy_reads_rules_keys_and_settings(tmp_path: Path) -> None:
    (tmp_path / "cosign.pub").write_text(PEM)
    indented = PEM.replace("\n", "\n        ")
    text = f"""\
verify-images:
  - images: ["my-registry/*", "*.example.com/team/*"]
    keys:
      - cosign.pub
      - |
        {indented}
    annotations: {{env: prod}}
    mode: warn
    mutate-digest: true
  - images: ghcr.io/org/*
    keys: {tmp_path / "cosign.pub"}
verify-images-cache: {{ttl: 10m, tag-ttl: 30s, size: 100}}
verify-images-concurrency: 3
"""
    p = parse_policy(text, str(tmp_path / "policy.yaml"))
    first, second = p.verify_images
    assert (first.index, first.images, first.mode, first.mutate_digest) == (
        0,
        ("my-registry/*", "*.example.com/team/*"),
        "warn",
        True,
    )
    assert [k.source for k in first.keys] == ["key file cosign.pub", "inline key 2"]
    assert first.keys[0].key_id == first.keys[1].key_id  # the same key, twice
    assert dict(first.annotations) == {"env": "prod"}
    assert (second.images, second.mode, second.mutate_digest) == (
        ("ghcr.io/org/*",),
        "enforce",
        False,
    )
    s = p.verify_settings
    assert (s.ttl, s.tag_ttl, s.size, s.per_registry) == (600.0, 30.0, 100, 3)
    assert parse_policy("").verify_images == ()


BAD = [
    ("verify-images: {images: x}\n", "p.yaml:1: 'verify-images' must be a list of rules"),
    ("verify-images:\n  - keys: [k]\n", "p.yaml:2: verify-images[0]: 'images' is required"),
    (
        "verify-images:\n  - images: [a/*]\n",
        "p.yaml:2: verify-images[0]: 'keys' is required",
    ),
    (
        "verify-images:\n  - images: []\n    keys: [k]\n",
        "p.yaml:2: verify-images[0].images must be a non-empty list of strings",
    ),
    (
        "verify-images:\n  - images: [a/*]\n    keys: [/nonexistent/cosign.pub]\n",
        "p.yaml:3: verify-images[0].keys[0]: cannot read key file /nonexistent/cosign.pub: "
        "No such file or directory",
    ),
    (
        "verify-images:\n  - images: [a/*]\n    keys:\n      - |\n"
        "        -----BEGIN PUBLIC KEY-----\n        AAAA\n        -----END PUBLIC KEY-----\n",
        "p.yaml:4: verify-images[0].keys[0]: inline key 1: not a PEM public key",
    ),
    (
        "verify-images:\n  - images: [a/*]\n    keys: [k]\n    mode: deny\n",
        "p.yaml:4: verify-images[0].mode is 'deny'; expected one of enforce, warn, audit "
        "(to stop verifying, disable K042)",
    ),
    (
        "verify-images:\n  - images: [a/*]\n    keys: [k]\n    mutate-digest: 'yes'\n",
        "p.yaml:4: verify-images[0].mutate-digest must be true or false",
    ),
    (
        "verify-images:\n  - images: [a/*]\n    keys: [k]\n    annotations: {n: 1}\n",
        "p.yaml:4: verify-images[0].annotations: the value of 'n' must be a string (quote it)",
    ),
    (
        "verify-images:\n  - images: [a/*]\n    keys: [k]\n    key: [k]\n",
        "p.yaml:4: verify-images[0]: unknown key 'key'; known: images, keys, annotations, "
        "mode, mutate-digest",
    ),
    (
        "verify-images-cache: {ttl: 30s, tag-ttl: 5m}\n",
        "p.yaml:1: verify-images-cache: tag-ttl (300s) must not be longer than ttl (30s)",
    ),
    (
        "verify-images-cache:\n  ttl: soon\n",
        "p.yaml:2: verify-images-cache.ttl must be a positive duration (300, 300s, 5m, 1h)",
    ),
    (
        "verify-images-concurrency: 0\n",
        "p.yaml:1: 'verify-images-concurrency' must be a positive integer",
    ),
]


@pytest.mark.parametrize(("text", "error"), BAD)
def test_policy_errors_name_file_line_and_what(text: str, error: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    assert str(info.value).startswith(error), str(info.value)


def test_key_files_are_not_read_without_load_keys() -> None:
    """scan --policy and admission manifests: the key paths exist in the webhook's pod."""
    text = "verify-images:\n  - images: [a/*]\n    keys: [/etc/hardhull/verify-keys/cosign.pub]\n"
    (rule,) = parse_policy(text, "p.yaml", load_keys=False).verify_images
    assert rule.keys == ()


# --------------------------------------------------------------------------- matching

MATCHES = [
    ("my-registry/*", "my-registry/app:v1", True),
    ("my-registry/*", "my-registry/team/app@" + D1, True),  # * crosses /
    ("my-registry/*", "MY-REGISTRY/app:v1", True),  # a host name ignores case
    ("my-registry.io/*", "my-registry.io:443/app:v1", True),  # the HTTPS port is the host
    ("my-registry/*", "evil.com/my-registry/app:v1", False),  # anchored at the start
    ("my-registry/*", "my-registry-evil/app:v1", False),
    ("*.example.com/team/*", "reg.example.com/team/app:1", True),
    ("*.example.com/team/*", "reg.example.com/other/app:1", False),
    ("nginx", "nginx", True),
    ("nginx", "nginx:1.27", True),  # a pattern without tag names every tag
    ("nginx:*", "nginx", True),  # no tag is latest
    ("docker.io/library/nginx*", "nginx:1.27", True),  # Docker Hub made explicit
    ("docker.io/nginx:*", "library/nginx:1.27", True),
    ("index.docker.io/library/*", "nginx@" + D1, True),  # hub aliases folded
    ("nginx", "docker.io/library/nginx:1.27", True),
    ("nginx", "ghcr.io/nginx:1.27", False),
    ("ghcr.io/org/app:v?", "ghcr.io/org/app:v1", True),
    ("ghcr.io/org/app:v?", "ghcr.io/org/app:v10", False),
    ("ghcr.io/org/app@sha256:*", "ghcr.io/org/app:v1@" + D1, True),  # tag and digest
    ("ghcr.io/org/app:v1", "ghcr.io/org/app:v1@" + D1, True),
    ("ghcr.io/org/app:v2", "ghcr.io/org/app:v1", False),
    ("*", "not a reference", True),  # matched as written when unparseable
]


@pytest.mark.parametrize(("pattern", "image", "expected"), MATCHES)
def test_image_patterns(pattern: str, image: str, expected: bool) -> None:
    assert image_matches(pattern, image) is expected


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("my-registry/app:v1", f"my-registry/app@{D1}"),
        ("nginx", f"nginx@{D1}"),
        ("localhost:5000/team/app:v1", f"localhost:5000/team/app@{D1}"),
        (f"my-registry/app:v1@{D1}", f"my-registry/app:v1@{D1}"),  # already pinned: kept
        (f"my-registry/app@{D1}", f"my-registry/app@{D1}"),
    ],
)
def test_pin(image: str, pinned: str) -> None:
    assert pin(image, D1) == pinned


# --------------------------------------------------------------------------- the hook


def _hook(reg: Registry, extra: str = "", clock: Any = time.monotonic) -> ImageSignatureHook:
    policy = parse_policy(
        f"verify-images:\n  - images: [my-registry/*]\n    keys: [{KEY}]\n{extra}", "p.yaml"
    )
    return ImageSignatureHook(policy.verify_images, reg, policy.verify_settings, clock=clock)


def test_every_container_of_every_pod_bearing_kind_is_checked() -> None:
    reg = Registry({"my-registry/app:v1": signed("my-registry/app:v1")})
    hook = _hook(reg)
    p = pod("my-registry/app:v1")
    spec = p["spec"]
    spec["initContainers"] = [dict(spec["containers"][0], name="init", image="my-registry/i:1")]
    spec["ephemeralContainers"] = [{"name": "dbg", "image": "my-registry/dbg:1"}]
    spec["containers"].append(dict(spec["containers"][0], name="side", image="docker.io/other:1"))
    found = asyncio.run(hook.check_within(p, 5.0))
    assert [(v.code, v.pointer, v.message) for v in found] == [
        (
            "K042",
            "/spec/initContainers/0/image",
            "init container \"init\" image 'my-registry/i:1' is not signed by a trusted key: "
            "no signature found",
        ),
        (
            "K042",
            "/spec/ephemeralContainers/0/image",
            "ephemeral container \"dbg\" image 'my-registry/dbg:1' is not signed by a trusted "
            "key: no signature found",
        ),
    ]
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c", "namespace": "team"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "job", "image": "my-registry/job:1"}]}}}}},
    }  # fmt: skip
    (v,) = asyncio.run(hook.check_within(cron, 5.0))
    assert v.pointer == "/spec/jobTemplate/spec/template/spec/containers/0/image"
    assert not hook.applies({"apiVersion": "v1", "kind": "ConfigMap", "data": {}})
    assert not hook.applies(pod("docker.io/other:1"))  # no rule names it: nothing to do


def test_all_matching_rules_must_verify() -> None:
    calls: list[tuple[str, int]] = []

    def verify(ref: str, keys: Sequence[Any], ann: Mapping[str, str]) -> VerifiedImage:
        calls.append((ref, len(keys)))
        if ann.get("team") == "a":
            raise SignError("annotation team is 'b', not 'a'")
        return signed(ref)

    policy = parse_policy(
        f"verify-images:\n  - images: [my-registry/*]\n    keys: [{KEY}]\n"
        f"  - images: ['*/app:*']\n    keys: [{KEY}]\n    annotations: {{team: a}}\n",
        "p.yaml",
    )
    hook = ImageSignatureHook(policy.verify_images, verify)
    (v,) = asyncio.run(hook.check_within(pod("my-registry/app:v1"), 5.0))
    assert v.message.endswith("is not signed by a trusted key: annotation team is 'b', not 'a'")
    assert sorted(calls) == [("my-registry/app:v1", 1), ("my-registry/app:v1", 1)]
    assert asyncio.run(hook.check_within(pod("my-registry/db:v1"), 5.0)) == []  # rule 1 only


def test_caches_digest_and_tag_ttl() -> None:
    now = [0.0]
    reg = Registry({"my-registry/app:v1": signed("my-registry/app:v1")})
    hook = _hook(reg, "verify-images-cache: {ttl: 300s, tag-ttl: 60s}\n", clock=lambda: now[0])
    assert asyncio.run(hook.check_within(pod("my-registry/app:v1"), 5.0)) == []
    assert asyncio.run(hook.check_within(pod("my-registry/app:v1"), 5.0)) == []
    assert reg.calls == ["my-registry/app:v1"]  # the second from the tag cache
    # the digest it resolved to is verified for ttl, however the pod names it
    assert asyncio.run(hook.check_within(pod(f"my-registry/app@{D1}"), 5.0)) == []
    assert asyncio.run(hook.check_within(pod(f"docker.io/my-registry/app:v9@{D1}"), 5.0)) == []
    assert reg.calls == ["my-registry/app:v1"]
    now[0] = 61.0  # the tag is asked again after tag-ttl; the digest is still verified
    reg.answers["my-registry/app:v1"] = signed("my-registry/app:v1", D2)
    assert asyncio.run(hook.check_within(pod("my-registry/app:v1"), 5.0)) == []
    assert asyncio.run(hook.check_within(pod(f"my-registry/app@{D1}"), 5.0)) == []
    assert reg.calls == ["my-registry/app:v1", "my-registry/app:v1"]
    # a denial is kept for tag-ttl, then asked again; a registry error is never kept
    assert len(asyncio.run(hook.check_within(pod("my-registry/no:1"), 5.0))) == 1
    assert len(asyncio.run(hook.check_within(pod("my-registry/no:1"), 5.0))) == 1
    assert reg.calls.count("my-registry/no:1") == 1
    now[0] = 200.0
    assert len(asyncio.run(hook.check_within(pod("my-registry/no:1"), 5.0))) == 1
    assert reg.calls.count("my-registry/no:1") == 2
    reg.answers["my-registry/down:1"] = ImageError("registry unreachable")
    for _ in range(2):
        with pytest.raises(Exception, match="registry unreachable"):
            asyncio.run(hook.check_within(pod("my-registry/down:1"), 5.0))
    assert reg.calls.count("my-registry/down:1") == 2


def test_a_verified_digest_other_than_the_pinned_one_is_denied() -> None:
    ref = f"my-registry/app@{D2}"
    reg = Registry({ref: signed(ref, D1)})
    (v,) = asyncio.run(_hook(reg).check_within(pod(ref), 5.0))
    assert v.message.endswith(
        f"is not signed by a trusted key: the signature is for {D1}, not {D2}"
    )


def test_concurrency_is_limited_per_registry_host() -> None:
    images = [f"my-registry/app{i}:1" for i in range(6)] + ["my-registry.other.io/x:1"]
    reg = Registry({i: signed(i) for i in images})
    reg.hold = set(images)
    policy = parse_policy(
        f"verify-images:\n  - images: ['my-registry*']\n    keys: [{KEY}]\n"
        "verify-images-concurrency: 2\n",
        "p.yaml",
    )
    hook = ImageSignatureHook(policy.verify_images, reg, policy.verify_settings)

    async def go() -> list[Any]:
        jobs = [asyncio.ensure_future(hook.check_within(pod(i), 20.0)) for i in images]
        while True:  # two calls for Docker Hub's my-registry/*, one for the other host
            await asyncio.sleep(0.01)
            with reg.lock:
                if reg.active == 3:
                    break
        await asyncio.sleep(0.1)  # nothing else may start while they hold their slots
        with reg.lock:
            assert (reg.active, len(reg.calls)) == (3, 3)
        reg.release.set()
        return list(await asyncio.gather(*jobs))

    assert asyncio.run(go()) == [[]] * len(images)
    assert reg.most == 3 and len(reg.calls) == len(images)


# --------------------------------------------------------------------------- the webhook


class TLSWebhook:
    """The webhook's ASGI app served by uvicorn over TLS on 127.0.0.1, in a thread."""

    def __init__(self, tmp: Path, app: AdmissionApp) -> None:
        bundle = make_bundle("verify")
        install(bundle, tmp)
        self.app = app
        port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="on",
            log_level="warning",
            access_log=False,
            ssl_certfile=str(tmp / "tls.crt"),
            ssl_keyfile=str(tmp / "tls.key"),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        ctx = ssl.create_default_context(cadata=bundle.ca_pem.decode())
        self.client = httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=ctx, timeout=30)
        for _ in range(400):
            if self.server.started:
                break
            time.sleep(0.05)
        assert self.server.started, "the webhook did not start"

    def review(self, obj: dict[str, Any], path: str = "/validate", **kw: Any) -> dict[str, Any]:
        r = self.client.post(path, json=review_body(obj, **kw))
        assert r.status_code == 200, r.text
        return r.json()["response"]  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)


POLICY = """\
disable: [K027, K028, K029]
verify-images:
  - images: ["my-registry/*"]
    keys: [cosign.pub]
    mutate-digest: true
  - images: ["warn-registry/*"]
    keys: [cosign.pub]
    mode: warn
  - images: ["audit-registry/*"]
    keys: [cosign.pub]
    mode: audit
"""


@pytest.fixture
def webhook(tmp_path: Path) -> Iterator[tuple[TLSWebhook, Registry]]:
    (tmp_path / "cosign.pub").write_text(PEM)
    (tmp_path / "policy.yaml").write_text(POLICY)
    reg = Registry(
        {
            "my-registry/app:v1": signed("my-registry/app:v1"),
            "my-registry/other:v1": SignError("signed by another key"),
            "my-registry/down:v1": ImageError("my-registry/down:v1: registry unreachable"),
        }
    )
    from hardhull.admission.policy import load_policy

    app = AdmissionApp(load_policy(str(tmp_path / "policy.yaml")), verify=reg, cert_check_seconds=0)
    server = TLSWebhook(tmp_path, app)
    try:
        yield server, reg
    finally:
        server.stop()


def _metrics(w: TLSWebhook) -> str:
    return w.client.get("/metrics").text


def test_signed_admitted_and_pinned_unsigned_denied(webhook: tuple[TLSWebhook, Registry]) -> None:
    w, reg = webhook
    before = _metrics(w)
    assert w.review(pod("my-registry/app:v1")) == {
        "uid": UID,
        "allowed": True,
        "auditAnnotations": {"decision": "allow"},
    }
    assert w.review(pod("my-registry/app:v1"))["allowed"] is True
    assert reg.calls == ["my-registry/app:v1"]  # the second request: no verifier call

    out = w.review(pod("my-registry/unsigned:v1"))
    assert (out["allowed"], out["status"]["code"]) == (False, 403)
    assert out["status"]["message"] == (
        'hardhull: Pod team/web violates 1 enforced rule(s): K042 container "app" image '
        "'my-registry/unsigned:v1' is not signed by a trusted key: no signature found"
    )
    assert out["auditAnnotations"] == {"decision": "deny", "denied": "K042"}
    other = w.review(pod("my-registry/other:v1"))["status"]["message"]
    assert other.endswith("is not signed by a trusted key: signed by another key")
    assert w.review(pod("docker.io/library/nginx:1.27"))["allowed"] is True  # no rule names it

    # mutate-digest: the Deployment is pinned to the verified digest, other fields untouched
    dep = deployment("my-registry/app:v1")
    m = w.review(dep, "/mutate")
    assert m["allowed"] is True
    assert m["auditAnnotations"] == {"decision": "allow", "mutated": "K042"}
    fixed = patched(dep, m)
    expected = copy.deepcopy(dep)
    expected["spec"]["template"]["spec"]["containers"][0]["image"] = f"my-registry/app@{D1}"
    assert fixed == expected
    assert w.review(fixed)["allowed"] is True  # the pinned digest: verified from the cache
    assert "patch" not in w.review(pod("my-registry/unsigned:v1"), "/mutate")  # never unverified
    assert "patch" not in w.review(pod(f"my-registry/app@{D1}"), "/mutate")  # already pinned
    # no pinning of a Pod on UPDATE: a new image would restart its container
    old = pod("my-registry/app:v1")
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"x": "y"}
    assert "patch" not in w.review(new, "/mutate", operation="UPDATE", old=old)
    assert reg.calls == ["my-registry/app:v1", "my-registry/unsigned:v1", "my-registry/other:v1"]

    after = _metrics(w)
    name = "hardhull_admission_image_verifications_total"
    for result, n in (("verified", 1), ("denied", 2)):
        assert metric(after, name, result=result) - metric(before, name, result=result) == n
    hits = "hardhull_admission_image_verification_cache_hits_total"
    assert metric(after, hits) - metric(before, hits) >= 3
    lat = "hardhull_admission_registry_duration_seconds_count"
    assert metric(after, lat) - metric(before, lat) == 3
    assert (
        metric(after, "hardhull_admission_rule_mutations_total", rule="K042")
        - metric(before, "hardhull_admission_rule_mutations_total", rule="K042")
        == 1
    )


def test_warn_and_audit_modes(webhook: tuple[TLSWebhook, Registry]) -> None:
    w, _ = webhook
    assert w.review(pod("warn-registry/app:1")) == {
        "uid": UID,
        "allowed": True,
        "warnings": [
            "K042: container \"app\" image 'warn-registry/app:1' is not signed by a trusted "
            "key: no signature found"
        ],
        "auditAnnotations": {"decision": "warn", "warned": "K042"},
    }
    assert w.review(pod("audit-registry/app:1")) == {
        "uid": UID,
        "allowed": True,
        "auditAnnotations": {"decision": "allow", "audited": "K042"},
    }


def test_registry_error_follows_on_error(webhook: tuple[TLSWebhook, Registry]) -> None:
    w, reg = webhook
    before = _metrics(w)
    out = w.review(pod("my-registry/down:v1"))
    after = _metrics(w)
    for name, labels in (
        ("hardhull_admission_errors_total", {"reason": "hook_error"}),
        ("hardhull_admission_image_verifications_total", {"result": "error"}),
    ):
        assert metric(after, name, **labels) - metric(before, name, **labels) == 1
    assert (out["allowed"], out["status"]["code"]) == (False, 500)
    assert out["status"]["message"] == (
        "hardhull: Pod team/web: K042 could not verify my-registry/down:v1: ImageError: "
        "my-registry/down:v1: registry unreachable; denied by on-error: deny"
    )
    assert out["auditAnnotations"] == {"decision": "deny", "errors": "K042"}
    # an unsigned image beside it is still denied for what it is
    two = pod("my-registry/down:v1")
    two["spec"]["containers"].append(
        dict(two["spec"]["containers"][0], name="b", image="my-registry/x:1")
    )
    out = w.review(two)
    assert (
        out["status"]["code"] == 403
        and "'my-registry/x:1' is not signed" in out["status"]["message"]
    )
    w.app.policy = parse_policy(POLICY.replace("cosign.pub", KEY) + "on-error: allow\n")
    out = w.review(pod("my-registry/down:v1"))
    assert out["allowed"] is True
    assert out["warnings"] == [
        "hardhull: K042 could not verify my-registry/down:v1: ImageError: my-registry/down:v1: "
        "registry unreachable"
    ]
    # a warn rule's registry error is a warning whatever on-error says
    reg.answers["warn-registry/down:1"] = OSError("connection refused")
    w.app.policy = parse_policy(POLICY.replace("cosign.pub", KEY))
    out = w.review(pod("warn-registry/down:1"))
    assert out["allowed"] is True
    assert out["warnings"] == [
        "K042: container \"app\" image 'warn-registry/down:1' could not be verified: OSError: "
        "connection refused"
    ]


def test_deadline_per_on_error_and_the_late_call_fills_the_cache(
    webhook: tuple[TLSWebhook, Registry],
) -> None:
    w, reg = webhook
    reg.answers["my-registry/slow:v1"] = signed("my-registry/slow:v1")
    reg.hold = {"my-registry/slow:v1"}
    policy = POLICY.replace("cosign.pub", KEY)
    w.app.policy = parse_policy(policy + "timeout-ms: 1000\n")
    out = w.review(pod("my-registry/slow:v1"))
    assert out["allowed"] is False
    assert out["status"]["message"] == (
        "hardhull: Pod team/web: K042 could not verify my-registry/slow:v1: timeout: no answer "
        "within the request's timeout-ms; denied by on-error: deny"
    )
    w.app.policy = parse_policy(policy + "timeout-ms: 1000\non-error: allow\n")
    out = w.review(pod("my-registry/slow:v1"))
    assert out["allowed"] is True and out["auditAnnotations"]["errors"] == "K042"
    assert reg.calls == ["my-registry/slow:v1"]  # the two requests shared the one call
    reg.release.set()
    for _ in range(200):  # the call outlives the requests and fills the cache
        if w.app.signatures is None or not w.app.signatures.inflight:
            break
        time.sleep(0.05)
    assert w.review(pod("my-registry/slow:v1"))["auditAnnotations"] == {"decision": "allow"}
    assert reg.calls == ["my-registry/slow:v1"]


def test_k042_off_or_disabled_verifies_nothing(webhook: tuple[TLSWebhook, Registry]) -> None:
    w, reg = webhook
    w.app.policy = parse_policy(POLICY.replace("cosign.pub", KEY) + "rules: {K042: off}\n")
    assert w.review(pod("my-registry/unsigned:v1"))["allowed"] is True
    assert "patch" not in w.review(deployment("my-registry/app:v1"), "/mutate")
    assert reg.calls == []


# --------------------------------------------------------------------------- serve and scan


def test_serve_loads_the_keys_and_uses_the_registry_verifier(tmp_path: Path) -> None:
    """`hardhull admission serve --config`: keys read at start, the server's own registry
    verifier (here a loopback port nothing listens on: a registry error) behind on-error."""
    from tests.helpers.registry import free_port
    from tests.helpers.server import Server

    (tmp_path / "cosign.pub").write_text(PEM)
    host = f"127.0.0.1:{free_port()}"
    policy = (
        f"verify-images:\n  - images: ['{host}/*']\n"
        f"    keys: [{tmp_path / 'cosign.pub'}]\n"
        f"verify-images-insecure-registries: ['{host}']\n"
    )
    s = Server(tmp_path, policy)
    try:
        out = s.review(review_body(pod(f"{host}/app:v1")))
        assert out["allowed"] is False
        assert out["status"]["message"].startswith(
            f"hardhull: Pod team/web: K042 could not verify {host}/app:v1: ImageError: "
        )
        assert s.review(review_body(pod("other.example.com/app:v1")))["allowed"] is True
        assert '"event": "verification-error"' in s.output()
    finally:
        s.stop()


def test_serve_refuses_a_bad_key(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "bad.pub").write_text(
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    )
    (tmp_path / "policy.yaml").write_text(
        "verify-images:\n  - images: [a/*]\n    keys: [bad.pub]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "admission", "serve", "--config",
         str(tmp_path / "policy.yaml"), "--tls-cert", "x", "--tls-key", "y"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        f"hardhull: policy error: {tmp_path / 'policy.yaml'}:3: verify-images[0].keys[0]: "
        "key file bad.pub: not a PEM public key"
    )
    assert "Traceback" not in proc.stderr


def test_scan_policy_accepts_verify_images_and_verifies_nothing(tmp_path: Path) -> None:
    """scan --policy reads the webhook's policy file: verify-images is checked for form, its
    key files (paths in the webhook's pod) are not read, and no image is verified offline."""
    import subprocess
    import sys

    import yaml

    (tmp_path / "policy.yaml").write_text(
        "verify-images:\n  - images: ['*']\n    keys: [/etc/hardhull/verify-keys/cosign.pub]\n"
    )
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(pod(f"my-registry/app@{D1}")))
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", str(tmp_path / "pod.yaml"), "--policy",
         str(tmp_path / "policy.yaml"), "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "K042" not in proc.stdout
    (tmp_path / "policy.yaml").write_text("verify-images:\n  - images: ['*']\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", str(tmp_path / "pod.yaml"), "--policy",
         str(tmp_path / "policy.yaml")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "policy.yaml:2: verify-images[0]: 'keys' is required" in proc.stderr


def test_an_object_waives_k042_only_where_the_policy_names_it(
    webhook: tuple[TLSWebhook, Registry],
) -> None:
    w, _ = webhook
    p = pod("my-registry/unsigned:v1")
    p["metadata"]["annotations"] = {"hardhull.dev/ignore": "K042: vendor image"}
    base = POLICY.replace("cosign.pub", KEY)
    w.app.policy = parse_policy(base + "allow-object-exemptions: true\n")
    assert w.review(p)["status"]["code"] == 403  # `true` is not enough for K042
    w.app.policy = parse_policy(base + "allow-object-exemptions: [K042]\n")
    assert w.review(p) == {
        "uid": UID,
        "allowed": True,
        "auditAnnotations": {"decision": "allow", "exempted": "K042"},
    }


def test_kubectl_debug_and_cronjob_pinning(webhook: tuple[TLSWebhook, Registry]) -> None:
    """An ephemeral container added through pods/ephemeralcontainers is verified; a CronJob's
    verified image is pinned at its own pointer."""
    w, _ = webhook
    old = pod("my-registry/app:v1")
    new = copy.deepcopy(old)
    new["spec"]["ephemeralContainers"] = [{"name": "debug", "image": "my-registry/tools:1"}]
    out = w.review(new, operation="UPDATE", old=old, sub_resource="ephemeralcontainers")
    assert out["auditAnnotations"]["denied"] == "K042,K100"  # K100: its securityContext
    assert out["status"]["message"].endswith(
        "; K042 ephemeral container \"debug\" image 'my-registry/tools:1' is not signed by a "
        "trusted key: no signature found"
    )
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "team"},
        "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "job", "image": "my-registry/app:v1"}]}}}}},
    }  # fmt: skip
    m = w.review(cron, "/mutate")
    assert (
        patched(cron, m)["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
            "image"
        ]
        == f"my-registry/app@{D1}"
    )


def test_the_strictest_mode_of_the_rules_that_deny_stands() -> None:
    policy = parse_policy(
        f"verify-images:\n  - images: ['*']\n    keys: [{KEY}]\n    mode: audit\n"
        f"  - images: [my-registry/*]\n    keys: [{KEY}]\n"
        f"  - images: [my-registry/*]\n    keys: [{KEY}]\n    mode: warn\n",
        "p.yaml",
    )
    hook = ImageSignatureHook(policy.verify_images, Registry({}))
    found = asyncio.run(hook.check_within(pod("my-registry/app:1"), 5.0))
    assert [(v.message, getattr(v, "mode", None)) for v in found] == [
        (
            "container \"app\" image 'my-registry/app:1' is not signed by a trusted key: "
            "no signature found",
            "enforce",
        )
    ]


def test_insecure_registries_are_loopback_only() -> None:
    policy = parse_policy(
        "verify-images-insecure-registries: ['127.0.0.1:5000', 'localhost:5001', '[::1]:5002']\n"
    )
    assert policy.verify_settings.insecure_registries == (
        "127.0.0.1:5000",
        "localhost:5001",
        "[::1]:5002",
    )
    with pytest.raises(PolicyError) as exc:
        parse_policy("verify-images-insecure-registries: ['registry.example.com:5000']\n")
    assert str(exc.value) == (
        "<policy>:1: verify-images-insecure-registries[0]: 'registry.example.com:5000' is not on "
        "loopback (127.0.0.0/8, ::1, localhost): plain HTTP is allowed only there; use HTTPS"
    )
    with pytest.raises(PolicyError, match="must be a list of registry host:port names"):
        parse_policy("verify-images-insecure-registries: 127.0.0.1:5000\n")
