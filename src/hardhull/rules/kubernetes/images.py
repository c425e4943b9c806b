"""Container images: mutable tags (K027), no digest (K028), cached mutable tags (K029), and
images not signed by a trusted key (K042: the admission webhook's ``verify-images``; the scan
does not verify signatures).

References are read by :func:`hardhull.models.image_ref.parse_image`, the parser the Dockerfile
rules use: a Deployment and a Dockerfile judge the same image alike.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.image_ref import ImageRef, parse_image
from hardhull.models.workload import Container, Workload
from hardhull.registry import Target, check, register
from hardhull.rules.kubernetes import workload_rule


def _images(w: Workload) -> Iterator[tuple[Container, str, ImageRef, str]]:
    """Each container's image, as written and parsed by the one image-reference parser the
    Dockerfile rules use too (a reference it cannot read is not judged)."""
    for c in w.containers:
        img = c.data.get("image")
        if not isinstance(img, str) or not img.strip():
            continue
        if "$" in img or "{{" in img:
            continue  # a placeholder filled in by a tool: judged after rendering
        ref = parse_image(img)
        if ref is not None:
            yield c, img.strip(), ref, f"{c.pointer}/image"


IMAGE_TAG = workload_rule(
    "K027",
    "image-tag-mutable",
    "Image without tag or with :latest",
    Severity.MEDIUM,
    what="A container image has no tag, or the tag `latest`.",
    why="The image that runs changes whenever someone pushes, so builds are not reproducible, "
    "rollbacks do not roll back, and a compromised push reaches production unreviewed.",
    fix="Pin a version tag, and better, the digest: `registry/app:1.4.2@sha256:…`.",
    example="""
containers:
  - name: app
    image: registry.example.com/app:1.4.2@sha256:3f1b…
""",
    nsa="Supply chain: image integrity",
    checkov=("CKV_K8S_14",),
    kube_linter=("latest-tag",),
    refs=("https://kubernetes.io/docs/concepts/containers/images/#image-names",),
    trivy=("KSV013",),
)


# K027
@check(IMAGE_TAG, on=Target.WORKLOAD)
def image_tag_mutable(w: Workload) -> Iterator[Violation]:
    for c, img, ref, ptr in _images(w):
        if ref.digest:
            continue
        if not ref.tag:
            yield Violation("K027", ptr, f"{c.label} uses image {img!r} without a tag")
        elif ref.tag == "latest":
            yield Violation("K027", ptr, f"{c.label} uses image {img!r} with tag latest")


IMAGE_DIGEST = workload_rule(
    "K028",
    "image-not-pinned",
    "Image not pinned by digest",
    Severity.LOW,
    what="A container image is referenced by tag only, not by `@sha256:` digest.",
    why="Tags are mutable: the registry (or anyone who can push) can change what a tag points to; "
    "a digest names exactly one image.",
    fix="Append the digest: `image: nginx:1.27.2@sha256:<digest>` (tools such as crane or "
    "`docker buildx imagetools inspect` print it).",
    example="""
image: nginx:1.27.2@sha256:<digest>
""",
    nsa="Supply chain: image integrity",
    checkov=("CKV_K8S_15", "CKV_K8S_43"),
    refs=("https://kubernetes.io/docs/concepts/containers/images/#image-names",),
)


# K028
@check(IMAGE_DIGEST, on=Target.WORKLOAD)
def image_not_pinned(w: Workload) -> Iterator[Violation]:
    for c, img, ref, ptr in _images(w):
        if not ref.digest and ref.tag and ref.tag != "latest":
            yield Violation("K028", ptr, f"{c.label} image {img!r} is not pinned by digest")


PULL_POLICY = workload_rule(
    "K029",
    "image-pull-policy",
    "Cached image used for a mutable tag",
    Severity.LOW,
    what="A container sets `imagePullPolicy: IfNotPresent` or `Never` for an image referenced by "
    "a tag rather than a digest.",
    why="The node runs whatever it cached under that tag: possibly stale, and in a shared "
    "cluster an image another tenant pulled with credentials this pod does not have.",
    fix="Pin the image by digest (then IfNotPresent is exact), or use `imagePullPolicy: Always`.",
    example="""
image: registry.example.com/app:1.4.2@sha256:<digest>
imagePullPolicy: IfNotPresent
""",
    cis="CIS Kubernetes Benchmark v1.9 1.2.11 (AlwaysPullImages)",
    refs=("https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",),
)


# K029
@check(PULL_POLICY, on=Target.WORKLOAD)
def image_pull_policy(w: Workload) -> Iterator[Violation]:
    for c, img, ref, _ in _images(w):
        policy = c.data.get("imagePullPolicy")
        if policy in ("IfNotPresent", "Never") and not ref.digest:
            yield Violation(
                "K029",
                f"{c.pointer}/imagePullPolicy",
                f"{c.label} uses imagePullPolicy {policy} with mutable image {img!r}",
            )


# K042: no check here. Verifying a signature needs the registry, so the admission webhook runs
# it as an I/O hook (hardhull.admission.verification) for the images its policy's
# `verify-images` rules name; `hardhull scan` never reports it.
IMAGE_NOT_SIGNED = register(
    workload_rule(
        "K042",
        "image-not-signed",
        "Image not signed by a trusted key",
        Severity.HIGH,
        what="A container, init container or ephemeral container runs an image that a "
        "`verify-images` rule of the admission policy names, and no signature of the image "
        "verifies with the rule's public keys and required annotations (no signature found, "
        "signed by another key, a signature for another digest, an annotation mismatch). "
        "Reported by the admission webhook only: it resolves the image in its registry.",
        why="Only a signature binds the image that runs to the build that produced it: without "
        "one, anyone who can push to the registry, or tamper with it on the way, chooses what "
        "runs in the cluster.",
        fix="Sign the image with the trusted key (`hardhull sign --key cosign.key IMAGE` or "
        "`cosign sign --key cosign.key IMAGE`), with the annotations the rule requires; or run "
        "an image that is signed. With `mutate-digest: true` the webhook pins the verified "
        "digest, so what was verified is what runs.",
        example="""
# the admission policy
verify-images:
  - images: ["my-registry/*"]
    keys: [/etc/hardhull/verify-keys/cosign.pub]
    mutate-digest: true
""",
        nsa="Supply chain: image integrity",
        refs=(
            "https://docs.sigstore.dev/cosign/verifying/verify/",
            "https://kyverno.io/docs/policy-types/cluster-policy/verify-images/",
        ),
    )
)
