"""Pure AdmissionReview processing: exact responses for every kind of decision."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import jsonpatch
import pytest

from hardhull.admission import review
from hardhull.admission.policy import Policy, default_policy, load_policy, parse_policy
from hardhull.model import Violation
from hardhull.models.workload import Workload
from hardhull.registry import CHECKS, RULES, Target
from hardhull.rules import checks
from tests.helpers.admission import (
    IMG,
    SAMPLE_POLICY,
    example,
    hardened_pod,
    privileged_pod,
    review_body,
)


def validate(body: dict[str, Any], policy: Policy | None = None) -> dict[str, Any]:
    p = policy or default_policy("hardhull")
    return review.response(review.validate(review.parse_review(body), p))


def sample_policy() -> Policy:
    return load_policy(str(SAMPLE_POLICY), "hardhull")


UID = "705ab4f5-6393-11e8-b7cc-42010a800002"


def resp(**fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": UID, **fields},
    }


# --------------------------------------------------------------------------- decisions


def test_hardened_pod_allowed_exactly() -> None:
    assert validate(review_body(hardened_pod())) == resp(
        allowed=True, auditAnnotations={"decision": "allow"}
    )


def test_privileged_pod_denied_exactly_under_default_policy() -> None:
    msg = (
        'hardhull: Pod team/web violates 2 enforced rule(s): K001 container "app" runs '
        "privileged; K100 fails Pod Security restricted:v1.37 (the default level): privileged, "
        "allowPrivilegeEscalation != false, unrestricted "
        "capabilities"
    )
    assert validate(review_body(privileged_pod())) == resp(
        allowed=False,
        status={"code": 403, "message": msg},
        warnings=[
            'K002: container "app" does not disable privilege escalation (set '
            "allowPrivilegeEscalation: false)",
            'K006: container "app" has a writable root filesystem',
            'K007: container "app" does not drop ALL capabilities (capabilities.drop: ["ALL"])',
        ],
        auditAnnotations={"decision": "deny", "denied": "K001,K100", "warned": "K002,K006,K007"},
    )


def test_k100_says_the_default_level_only_when_the_policy_left_it_alone() -> None:
    """Issue #9, section 5: a policy that names the level is not "the default level"."""
    head = 'hardhull: Pod team/web violates 2 enforced rule(s): K001 container "app" runs '
    controls = "privileged, allowPrivilegeEscalation != false, unrestricted capabilities"
    for text, why in (
        ("", "the default level"),
        ("rules: {K001: enforce}\n", "the default level"),
        ("pss-level: restricted\n", "the level set by the policy"),
        ("pss-version: v1.30\n", "the level set by the policy"),
    ):
        version = "v1.30" if "v1.30" in text else "v1.37"
        answer = validate(review_body(privileged_pod()), parse_policy(text))
        assert answer["response"]["status"]["message"] == (
            f"{head}privileged; K100 fails Pod Security restricted:{version} ({why}): {controls}"
        )


def test_warn_and_audit_modes() -> None:
    pod = hardened_pod()
    del pod["spec"]["automountServiceAccountToken"]  # K030 (low)
    pod["spec"]["containers"][0]["image"] = "registry.example/app:1.0"  # K028 (low)
    policy = parse_policy("rules: {K030: audit}\n")
    assert validate(review_body(pod), policy) == resp(
        allowed=True,
        warnings=[
            "K028: container \"app\" image 'registry.example/app:1.0' is not pinned by digest"
        ],
        auditAnnotations={"decision": "warn", "warned": "K028", "audited": "K030"},
    )


def test_off_and_disable_drop_violations() -> None:
    pod = hardened_pod()
    del pod["spec"]["automountServiceAccountToken"]
    pod["spec"]["containers"][0]["image"] = "registry.example/app:1.0"
    policy = parse_policy("rules: {K030: off}\ndisable: [K028]\n")
    assert validate(review_body(pod), policy) == resp(
        allowed=True, auditAnnotations={"decision": "allow"}
    )


def test_severity_override_changes_the_mode() -> None:
    pod = hardened_pod()
    pod["spec"]["containers"][0]["image"] = "registry.example/app:1.0"
    policy = parse_policy("severity: {K028: high}\nseverity-modes: {high: enforce}\n")
    out = validate(review_body(pod), policy)["response"]
    assert out["allowed"] is False
    assert out["auditAnnotations"] == {"decision": "deny", "denied": "K028"}


def test_sample_policy_examples() -> None:
    policy = sample_policy()
    insecure = validate(review_body(example("examples/insecure/shop.yaml")), policy)["response"]
    assert insecure["allowed"] is False
    assert insecure["status"]["code"] == 403
    assert insecure["auditAnnotations"]["denied"] == "K001,K004,K008,K014,K018,K019,K027,K100"
    assert insecure["status"]["message"].startswith(
        "hardhull: Deployment default/shop violates 8 enforced rule(s): K001 container"
    )
    hardened = validate(review_body(example("examples/hardened/shop.yaml")), policy)
    assert hardened == resp(
        allowed=True, auditAnnotations={"decision": "allow", "exempted": "K005"}
    )
    near = validate(review_body(example("examples/admission/near-miss.yaml")), policy)["response"]
    assert near["allowed"] is False
    assert near["auditAnnotations"]["denied"] == "K100"


# --------------------------------------------------------------------------- exemptions


def test_namespace_exemptions_default_and_own() -> None:
    for ns in ("kube-system", "hardhull"):
        body = review_body(privileged_pod(), namespace=ns)
        assert validate(body) == resp(allowed=True, auditAnnotations={"exempt": f"namespace {ns}"})
    assert validate(review_body(privileged_pod()))["response"]["allowed"] is False


def test_user_and_group_exemptions() -> None:
    policy = parse_policy(
        "exempt-users: [ci-bot]\nexempt-groups: ['system:serviceaccounts:kube-system']\n"
    )
    by_user = review_body(privileged_pod(), username="ci-bot")
    assert validate(by_user, policy) == resp(
        allowed=True, auditAnnotations={"exempt": "user ci-bot"}
    )
    by_group = review_body(
        privileged_pod(),
        username="system:serviceaccount:kube-system:replicaset-controller",
        groups=("system:serviceaccounts", "system:serviceaccounts:kube-system"),
    )
    assert validate(by_group, policy) == resp(
        allowed=True, auditAnnotations={"exempt": "group system:serviceaccounts:kube-system"}
    )
    assert validate(review_body(privileged_pod()), policy)["response"]["allowed"] is False


def test_object_annotation_honoured_only_when_allowed() -> None:
    pod = privileged_pod()
    pod["metadata"]["annotations"] = {"hardhull.dev/ignore": "K001,K100: needs the GPU driver"}
    assert validate(review_body(pod))["response"]["allowed"] is False  # default: not allowed
    allowed = parse_policy("allow-object-exemptions: true\n")
    out = validate(review_body(pod), allowed)["response"]
    assert out["allowed"] is True
    assert out["auditAnnotations"] == {
        "decision": "warn",
        "warned": "K002,K006,K007",
        "exempted": "K001,K100",
    }
    only_k100 = parse_policy("allow-object-exemptions: [K100]\n")
    out = validate(review_body(pod), only_k100)["response"]
    assert out["allowed"] is False
    assert out["auditAnnotations"]["denied"] == "K001"
    assert out["auditAnnotations"]["exempted"] == "K100"


def test_template_annotation_counts_for_workloads() -> None:
    dep = example("examples/hardened/shop.yaml")  # K005 waived on the pod template
    out = validate(review_body(dep), parse_policy("allow-object-exemptions: [K005]\n"))
    assert out["response"]["auditAnnotations"] == {"decision": "allow", "exempted": "K005"}
    out = validate(review_body(dep), parse_policy("allow-object-exemptions: false\n"))
    assert out["response"]["warnings"] == [
        'K005: container "web" runs as low uid 1001 (below 10000)'
    ]


# --------------------------------------------------------------------------- operations


def test_delete_and_connect_pass() -> None:
    assert validate(review_body(None, "DELETE", old=privileged_pod())) == resp(allowed=True)
    body = review_body(privileged_pod(), "CONNECT", sub_resource="exec")
    body["request"]["object"] = {"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"]}
    assert validate(body) == resp(allowed=True)


def test_unknown_kind_and_other_subresources_pass() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "t"}}
    assert validate(review_body(cm)) == resp(allowed=True)
    crd = {"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "metadata": {"name": "j"}}
    body = review_body(crd)
    body["request"]["resource"]["resource"] = "jobs"
    assert validate(body) == resp(allowed=True)
    status = review_body(privileged_pod(), "UPDATE", old=privileged_pod(), sub_resource="status")
    assert validate(status) == resp(allowed=True)
    d = review.validate(review.parse_review(status), default_policy())
    assert (d.outcome, d.reason) == ("skip", "subresource status is not checked")


def test_ephemeral_container_subresource_is_checked() -> None:
    old = hardened_pod()
    new = copy.deepcopy(old)
    new["spec"]["ephemeralContainers"] = [
        {"name": "debug", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    ]
    body = review_body(new, "UPDATE", old=old, sub_resource="ephemeralcontainers")
    out = validate(body)["response"]
    assert out["allowed"] is False
    assert out["status"]["message"].startswith(
        'hardhull: Pod team/web violates 2 enforced rule(s): K001 ephemeral container "debug" '
        "runs privileged; K100"
    )
    # a hardened debug container is fine
    new["spec"]["ephemeralContainers"][0]["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
    }
    new["spec"]["ephemeralContainers"][0]["image"] = IMG
    out = validate(review_body(new, "UPDATE", old=old, sub_resource="ephemeralcontainers"))
    assert out["response"]["allowed"] is True


def _deployment() -> dict[str, Any]:
    return copy.deepcopy(example("examples/insecure/shop.yaml"))


def test_update_all_denies_existing_violations() -> None:
    old = _deployment()
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 5
    assert validate(review_body(new, "UPDATE", old=old))["response"]["allowed"] is False


def test_update_new_violations_only_lets_workloads_scale_and_roll() -> None:
    policy = parse_policy("updates: new-violations-only\n")
    old = _deployment()
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 5
    out = validate(review_body(scaled, "UPDATE", old=old), policy)["response"]
    assert out["allowed"] is True
    assert out["auditAnnotations"]["decision"] == "warn"
    assert "denied" not in out["auditAnnotations"]
    assert 'K001 (existing): container "web" runs privileged' in out["warnings"]
    # a roll to a new image keeps the existing violations: still allowed
    rolled = copy.deepcopy(old)
    rolled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27.2"
    assert validate(review_body(rolled, "UPDATE", old=old), policy)["response"]["allowed"]
    # a new violation is denied, and only it
    worse = copy.deepcopy(old)
    worse["spec"]["template"]["spec"]["hostPID"] = True
    out = validate(review_body(worse, "UPDATE", old=old), policy)["response"]
    assert out["allowed"] is False
    # K100 is not new: hostPID fails the "host namespaces" control that hostNetwork already did
    assert out["auditAnnotations"]["denied"] == "K015"
    assert out["status"]["message"] == (
        "hardhull: Deployment default/shop violates 1 enforced rule(s): K015 pod sets hostPID: true"
    )


def test_update_k100_is_new_when_a_control_is() -> None:
    policy = parse_policy("updates: new-violations-only\n")
    old = hardened_pod()
    old["spec"]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["securityContext"]["capabilities"] = {"add": ["NET_RAW"]}
    out = validate(review_body(new, "UPDATE", old=old), policy)["response"]
    assert out["allowed"] is False
    assert "K100" in out["auditAnnotations"]["denied"].split(",")
    same = copy.deepcopy(old)
    same["metadata"]["labels"] = {"x": "y"}
    out = validate(review_body(same, "UPDATE", old=old), policy)["response"]
    assert out["allowed"] is True


def test_update_touching_only_inert_fields_or_deleting_is_not_evaluated() -> None:
    old = privileged_pod()
    new = copy.deepcopy(old)
    new["metadata"]["finalizers"] = ["example.com/cleanup"]
    new["metadata"]["resourceVersion"] = "42"
    new["status"] = {"phase": "Running"}
    d = review.validate(review.parse_review(review_body(new, "UPDATE", old=old)), default_policy())
    assert (d.allowed, d.outcome, d.reason) == (True, "skip", "the update changes nothing checked")
    dying = copy.deepcopy(old)
    dying["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    dying["metadata"]["labels"] = {"a": "b"}
    d = review.validate(
        review.parse_review(review_body(dying, "UPDATE", old=old)), default_policy()
    )
    assert (d.allowed, d.reason) == (True, "the object is being deleted")


def test_dry_run_is_evaluated_identically() -> None:
    wet = validate(review_body(privileged_pod()))
    dry = validate(review_body(privileged_pod(), dry_run=True))
    assert wet == dry
    assert review.parse_review(review_body(privileged_pod(), dry_run=True)).dry_run is True


# --------------------------------------------------------------------------- RBAC and Secrets


def _crb(role: str, subject: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "b"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [subject],
    }


def test_rbac_objects_are_checked_alone() -> None:
    bob = {"kind": "User", "name": "bob", "apiGroup": "rbac.authorization.k8s.io"}
    out = validate(review_body(_crb("cluster-admin", bob)))["response"]
    assert out["allowed"] is False
    assert out["status"]["message"] == (
        "hardhull: ClusterRoleBinding b violates 1 enforced rule(s): R010 binds "
        "ClusterRole/cluster-admin (every verb on every resource) cluster-wide to User/bob"
    )
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "reader", "namespace": "team"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}],
    }
    assert validate(review_body(role)) == resp(
        allowed=True,
        warnings=[
            "R002: grants get on secrets in its namespace; not bound in the scanned set "
            "(latent: whoever is bound to it later..."
        ],
        auditAnnotations={"decision": "warn", "warned": "R002"},
    )
    assert validate(review_body(_crb("view", bob))) == resp(
        allowed=True, auditAnnotations={"decision": "allow"}
    )


def test_secret_is_checked_with_object_checks() -> None:
    from hardhull.engine import evaluate

    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "team"},
        "type": "Opaque",
        "stringData": {"password": "correct-horse-battery-staple-42"},
    }
    d = review.validate(review.parse_review(review_body(secret)), default_policy())
    assert d.reason == ""  # evaluated, not skipped
    assert sorted((i.code, i.message) for i in d.items) == sorted(
        (v.code, v.message) for v in evaluate(secret)
    )


# --------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("mutate", "uid", "message"),
    [
        (lambda b: b.pop("request"), None, "no 'request' object in the AdmissionReview"),
        (lambda b: b["request"].pop("uid"), None, "request.uid is missing or not a string"),
        (lambda b: b["request"].update(uid=7), None, "request.uid is missing or not a string"),
        (
            lambda b: b.update(apiVersion="admission.k8s.io/v1beta1"),
            UID,
            "apiVersion is 'admission.k8s.io/v1beta1'; this webhook speaks admission.k8s.io/v1 "
            "only",
        ),
        (lambda b: b.update(kind="Review"), UID, "kind is 'Review'; expected AdmissionReview"),
        (
            lambda b: b["request"].update(operation="PATCH"),
            UID,
            "request.operation is 'PATCH'; expected one of CREATE, UPDATE, DELETE, CONNECT",
        ),
        (
            lambda b: b["request"].update(kind="Pod"),
            UID,
            "request.kind must be an object {group, version, kind}",
        ),
        (
            lambda b: b["request"]["kind"].pop("kind"),
            UID,
            "request.kind.kind must be a non-empty string",
        ),
        (
            lambda b: b["request"].update(object=None),
            UID,
            "request.object must be an object for CREATE",
        ),
        (
            lambda b: b["request"].update(object=[1]),
            UID,
            "request.object must be an object for CREATE",
        ),
        (
            lambda b: b["request"]["userInfo"].update(groups="admins"),
            UID,
            "request.userInfo.groups must be a list of strings",
        ),
        (lambda b: b["request"].update(dryRun="yes"), UID, "request.dryRun must be a boolean"),
        (
            lambda b: b["request"].update(namespace=3),
            UID,
            "request.namespace must be a string",
        ),
    ],
)
def test_malformed_reviews(mutate: Any, uid: str | None, message: str) -> None:
    body = review_body(hardened_pod())
    mutate(body)
    with pytest.raises(review.ReviewError) as info:
        review.parse_review(body)
    assert (info.value.uid, info.value.message) == (uid, message)


def test_not_an_object() -> None:
    for body in ([], "x", None, 3):
        with pytest.raises(review.ReviewError) as info:
            review.parse_review(body)
        assert info.value.uid is None


def test_error_decision_follows_on_error() -> None:
    err = review.ReviewError("kind is 'Review'; expected AdmissionReview", UID)
    denied = review.response(review.error_decision(err, default_policy()))
    assert denied == resp(
        allowed=False,
        status={
            "code": 400,
            "message": "hardhull: cannot evaluate the request: kind is 'Review'; expected "
            "AdmissionReview",
        },
        auditAnnotations={"decision": "error", "error": "malformed"},
    )
    allowed = review.response(review.error_decision(err, parse_policy("on-error: allow\n")))
    assert allowed == resp(
        allowed=True,
        warnings=[
            "hardhull: cannot evaluate the request: kind is 'Review'; expected AdmissionReview"
        ],
        auditAnnotations={"decision": "error", "error": "malformed"},
    )


@pytest.fixture
def crashing_k010(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fault injection: the K010 check raises (as a bug on a hostile object would)."""

    def boom(w: Workload) -> list[Violation]:
        raise KeyError("seccompProfile")

    workload = checks(Target.WORKLOAD)
    replaced = [dataclasses.replace(c, fn=boom) if c.code == "K010" else c for c in workload]
    monkeypatch.setitem(CHECKS, Target.WORKLOAD, replaced)
    yield


@pytest.mark.usefixtures("crashing_k010")
def test_check_that_raises_is_treated_per_on_error() -> None:
    denied = validate(review_body(hardened_pod()))
    assert denied == resp(
        allowed=False,
        status={
            "code": 500,
            "message": "hardhull: Pod team/web: check K010 failed (internal error); denied "
            "by on-error: deny",
        },
        warnings=["hardhull: check K010 failed; see the webhook's log"],
        auditAnnotations={"decision": "deny", "errors": "K010"},
    )
    allowed = validate(review_body(hardened_pod()), parse_policy("on-error: allow\n"))
    assert allowed == resp(
        allowed=True,
        warnings=["hardhull: check K010 failed; see the webhook's log"],
        auditAnnotations={"decision": "warn", "errors": "K010"},
    )
    # the other checks still ran: a privileged pod is still denied for K001
    out = validate(review_body(privileged_pod()), parse_policy("on-error: allow\n"))["response"]
    assert out["allowed"] is False
    assert out["auditAnnotations"]["denied"] == "K001,K100"


# --------------------------------------------------------------------------- message sizes


def test_warnings_are_under_120_characters_and_capped() -> None:
    pod = hardened_pod()
    long_image = "registry.example/" + "very-long-repository-name/" * 8 + "app:1.0"
    pod["spec"]["containers"] = [
        {**copy.deepcopy(pod["spec"]["containers"][0]), "name": f"c{i}", "image": long_image}
        for i in range(30)
    ]
    out = validate(review_body(pod))["response"]
    warnings = out["warnings"]
    assert len(warnings) == review.MAX_WARNINGS
    assert all(len(w) < 120 for w in warnings)
    assert warnings[0].startswith('K028: container "c0" image \'registry.example/very-long')
    assert warnings[0].endswith("...")
    assert warnings[-1] == "hardhull: 11 more warnings (see audit annotations)"


def test_deny_message_is_bounded() -> None:
    pod = privileged_pod()
    pod["spec"]["containers"] = [
        {"name": f"container-{i:02d}", "image": IMG, "securityContext": {"privileged": True}}
        for i in range(60)
    ]
    msg = validate(review_body(pod))["response"]["status"]["message"]
    assert len(msg) <= review.MAX_MESSAGE
    assert msg.endswith("more (see warnings)")
    assert msg.startswith("hardhull: Pod team/web violates 61 enforced rule(s): K001 container")


def test_clip_cuts_at_a_word() -> None:
    assert review.clip("a" * 70 + " " + "b" * 100) == "a" * 70 + "..."
    assert review.clip("a" * 30 + " " + "b" * 100) == "a" * 30 + " " + "b" * 85 + "..."
    assert review.clip("x" * 200) == "x" * 116 + "..."
    assert review.clip("bell\x07 and newline\n") == "bell? and newline?"


# --------------------------------------------------------------------------- mutation


def mutate(body: dict[str, Any], policy: Policy) -> dict[str, Any]:
    return review.response(review.mutate(review.parse_review(body), policy))


def patched(obj: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    raw = base64.b64decode(response["response"]["patch"])
    return jsonpatch.JsonPatch(json.loads(raw)).apply(obj)  # type: ignore[no-any-return]


def test_near_miss_mutated_into_compliance() -> None:
    policy = sample_policy()
    dep = example("examples/admission/near-miss.yaml")
    out = mutate(review_body(dep), policy)
    assert out["response"]["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(out["response"]["patch"])) == [
        {
            "op": "add",
            "path": "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation",
            "value": False,
        },
        {
            "op": "add",
            "path": "/spec/template/spec/securityContext/seccompProfile",
            "value": {"type": "RuntimeDefault"},
        },
    ]
    assert out["response"]["auditAnnotations"] == {"decision": "allow", "mutated": "K002,K010"}
    fixed = patched(dep, out)
    assert validate(review_body(fixed), policy) == resp(
        allowed=True, auditAnnotations={"decision": "allow", "exempted": "K005"}
    )
    # idempotent: the fixed object needs no patch
    assert mutate(review_body(fixed), policy) == resp(
        allowed=True, auditAnnotations={"decision": "allow"}
    )


def test_fixes_creating_the_same_parent_compose() -> None:
    """K002, K006 and K007 each want to create the missing container securityContext."""
    pod = hardened_pod()
    del pod["spec"]["containers"][0]["securityContext"]
    del pod["spec"]["securityContext"]
    policy = parse_policy("mutate: [K002, K003, K006, K007, K010]\n")
    out = mutate(review_body(pod), policy)
    ops = json.loads(base64.b64decode(out["response"]["patch"]))
    assert [o["path"] for o in ops] == [
        "/spec/containers/0/securityContext",
        "/spec/securityContext",
        "/spec/containers/0/securityContext/readOnlyRootFilesystem",
        "/spec/containers/0/securityContext/capabilities",
        "/spec/securityContext/seccompProfile",
    ]
    fixed = patched(pod, out)
    assert fixed["spec"]["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert fixed["spec"]["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    # the fixed pod passes the restricted standard (runAsNonRoot with the image's user)
    assert validate(review_body(fixed))["response"]["allowed"] is True
    # the naive approach (each fix against the original) is what this avoids: it clobbers
    naive = [
        op
        for c in checks(Target.WORKLOAD)
        if c.code in ("K002", "K006")
        for v in c.fn(Workload.of(pod))
        for op in v.fix or []
    ]
    clobbered = jsonpatch.JsonPatch(naive).apply(pod)
    assert clobbered["spec"]["containers"][0]["securityContext"] == {"readOnlyRootFilesystem": True}


def test_safe_mutations_skip_named_service_accounts() -> None:
    policy = parse_policy("mutate: [safe]\n")
    pod = hardened_pod()
    del pod["spec"]["automountServiceAccountToken"]
    out = mutate(review_body(pod), policy)
    assert json.loads(base64.b64decode(out["response"]["patch"])) == [
        {"op": "add", "path": "/spec/automountServiceAccountToken", "value": False}
    ]
    pod["spec"]["serviceAccountName"] = "operator"  # it may call the API: leave the token
    assert mutate(review_body(pod), policy) == resp(
        allowed=True, auditAnnotations={"decision": "allow"}
    )
    explicit = parse_policy("mutate: [K030]\n")
    assert "patch" in mutate(review_body(pod), explicit)["response"]


def test_unsafe_fixes_are_not_default() -> None:
    pod = hardened_pod()
    sc = pod["spec"]["containers"][0]["securityContext"]
    del sc["readOnlyRootFilesystem"]
    del pod["spec"]["securityContext"]["runAsNonRoot"]
    del pod["spec"]["securityContext"]["runAsUser"]
    assert mutate(review_body(pod), parse_policy("mutate: [safe]\n")) == resp(
        allowed=True, auditAnnotations={"decision": "allow"}
    )
    assert mutate(review_body(pod), default_policy()) == resp(allowed=True)


def test_mutation_respects_exemptions_and_immutable_updates() -> None:
    policy = parse_policy("mutate: [safe]\nallow-object-exemptions: [K010]\n")
    pod = hardened_pod()
    del pod["spec"]["securityContext"]["seccompProfile"]
    pod["metadata"]["annotations"] = {"hardhull.dev/ignore": "K010: custom profile via node"}
    assert "patch" not in mutate(review_body(pod), policy)["response"]
    assert "patch" not in mutate(review_body(pod, namespace="kube-system"), policy)["response"]
    del pod["metadata"]["annotations"]
    changed = copy.deepcopy(pod)
    changed["spec"]["containers"][0]["image"] = "registry.example/app:2.0"
    upd = mutate(review_body(changed, "UPDATE", old=pod), policy)
    assert upd == resp(allowed=True)  # pod specs are immutable: never patched on UPDATE
    dep = example("examples/admission/near-miss.yaml")
    new = copy.deepcopy(dep)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginxinc/nginx-unprivileged:1.28"
    assert "patch" in mutate(review_body(new, "UPDATE", old=dep), policy)["response"]


def test_apply_patch_matches_jsonpatch() -> None:
    doc = {"a": {"b": [1, 2]}, "c": "x"}
    ops = [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "add", "path": "/a/b/0", "value": 0},
        {"op": "replace", "path": "/c", "value": "y"},
        {"op": "add", "path": "/d~1e", "value": {"f": None}},
        {"op": "remove", "path": "/a/b/1"},
        {"op": "test", "path": "/c", "value": "y"},
    ]
    assert review.apply_patch(doc, ops) == jsonpatch.JsonPatch(ops).apply(doc)
    assert doc == {"a": {"b": [1, 2]}, "c": "x"}  # the input is not changed
    for bad in (
        [{"op": "replace", "path": "/zz", "value": 1}],
        [{"op": "add", "path": "/a/x/y", "value": 1}],
        [{"op": "test", "path": "/c", "value": "nope"}],
        [{"op": "move", "from": "/a", "path": "/b"}],
    ):
        with pytest.raises(review.PatchError):
            review.apply_patch(doc, bad)


def test_every_mutable_rule_has_a_fix_and_safe_codes_are_registered() -> None:
    from hardhull.admission.policy import MUTABLE, SAFE_GUARDED_MUTATIONS, SAFE_MUTATIONS

    assert set(SAFE_MUTATIONS) | set(SAFE_GUARDED_MUTATIONS) <= MUTABLE
    assert all(code in RULES for code in MUTABLE)
