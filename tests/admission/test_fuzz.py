"""The pure review functions under hypothesis and adversarial objects: they never raise, every
answer is a well-formed AdmissionReview v1 within the sizes the API server accepts, and the
cost of an evaluation is bounded (container cap, deadline, mutation in passes)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardhull.admission import review
from hardhull.admission.policy import Policy, default_policy, load_policy
from tests.helpers.admission import (
    SAMPLE_POLICY,
    VALUES,
    check_answer_json,
    hardened_pod,
    privileged_pod,
    reviews,
)
from tests.helpers.admission import review_body as body_of

POLICIES = [load_policy(str(SAMPLE_POLICY), "hardhull"), default_policy("hardhull")]
UID = "705ab4f5-6393-11e8-b7cc-42010a800002"


def check_answer(d: review.Decision, uid: str) -> dict[str, Any]:
    """The answer as the API server reads it, within the sizes it accepts."""
    return check_answer_json(orjson.loads(orjson.dumps(review.response(d))), uid)


def _run_all(body: dict[str, Any], policy: Policy) -> None:
    data = orjson.loads(orjson.dumps(body))
    try:
        req = review.parse_review(data)
    except review.ReviewError as err:
        if err.uid is not None:
            check_answer(review.error_decision(err, policy), err.uid)
        assert len(err.message) <= review.MAX_ERROR_TEXT
        return
    check_answer(review.validate(req, policy), req.uid)
    m = review.mutate(req, policy)
    check_answer(m, req.uid)
    if m.patch and req.obj is not None:
        review.apply_patch(req.obj, m.patch)  # the patch applies to the object it was made for


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@FUZZ
@given(reviews(), st.sampled_from(POLICIES))
def test_review_functions_never_raise(body: dict[str, Any], policy: Policy) -> None:
    _run_all(body, policy)


@pytest.mark.slow
@settings(FUZZ, max_examples=3000)
@given(reviews(), st.sampled_from(POLICIES))
def test_review_functions_never_raise_long(body: dict[str, Any], policy: Policy) -> None:
    _run_all(body, policy)


@FUZZ
@given(VALUES)
def test_arbitrary_json_is_refused_with_a_review_error(data: Any) -> None:
    try:
        req = review.parse_review(data)
    except review.ReviewError:
        return
    check_answer(review.validate(req, POLICIES[0]), req.uid)


# --------------------------------------------------------------------------- regressions


def test_unhashable_kind_in_the_object_is_not_a_crash() -> None:
    body = body_of(hardened_pod())
    body["request"]["object"]["kind"] = ["Pod"]
    req = review.parse_review(body)
    for fn in (review.validate, review.mutate):
        check_answer(fn(req, POLICIES[0]), UID)


def test_huge_values_are_not_quoted_in_errors() -> None:
    body = body_of(hardened_pod())
    body["apiVersion"] = "x" * 3_000_000
    with pytest.raises(review.ReviewError) as err:
        review.parse_review(body)
    assert err.value.message == (
        f"apiVersion is '{'x' * 60}'...; this webhook speaks admission.k8s.io/v1 only"
    )
    body = body_of(hardened_pod())
    body["request"]["operation"] = {"a": "b" * 100}
    with pytest.raises(review.ReviewError) as err:
        review.parse_review(body)
    assert err.value.message.startswith("request.operation is a JSON object; expected one of")


def test_mutation_of_an_object_nested_as_deep_as_the_parser_allows() -> None:
    pod = hardened_pod()
    del pod["spec"]["securityContext"]["seccompProfile"]
    raw = orjson.dumps(body_of(pod)).replace(
        b'"namespace":"team"',
        b'"namespace":"team","labels":{"x":' + b"[" * 1000 + b"]" * 1000 + b"}",
        1,
    )  # the JSON parser accepts 1024 levels, Python's recursion limit is 1000
    req = review.parse_review(orjson.loads(raw))
    pod = req.obj
    assert pod is not None
    d = review.mutate(req, POLICIES[0])
    assert (d.outcome, d.mutated) == ("allow", ["K010"])
    copied = review.copy_json(pod)
    assert copied is not pod and copied["spec"] == pod["spec"]
    # an UPDATE of it is answered too (Python's own == on it may hit the recursion limit)
    upd = review.parse_review(orjson.loads(raw.replace(b'"CREATE"', b'"UPDATE"')))
    check_answer(review.validate(upd, POLICIES[0]), UID)


def _many(n: int, **extra: Any) -> dict[str, Any]:
    pod = hardened_pod()
    template = pod["spec"]["containers"][0]
    pod["spec"]["containers"] = [dict(template, name=f"c{i}", **extra) for i in range(n)]
    return pod


def test_too_many_containers_are_answered_per_on_error_fast() -> None:
    req = review.parse_review(body_of(_many(40_000)))  # 1.3 MB: fits etcd's 1.5 MiB
    # refused by its size before any check runs (the message says so), not by the deadline
    d = review.validate(req, POLICIES[0])
    assert check_answer(d, UID) == {
        "uid": UID,
        "allowed": False,
        "status": {
            "code": 400,
            "message": "hardhull: cannot evaluate the request: the pod spec has 40000 "
            "containers; the webhook evaluates at most 1000",
        },
        "auditAnnotations": {"decision": "error", "error": "object_too_large"},
    }
    allow = dataclasses.replace(POLICIES[0], on_error="allow")
    m = review.mutate(req, allow)
    assert (m.allowed, m.outcome, m.patch) == (True, "error", None)


def test_evaluation_past_the_deadline_is_answered_per_on_error() -> None:
    req = review.parse_review(body_of(privileged_pod()))
    for fn in (review.validate, review.mutate):
        d = fn(req, POLICIES[0], deadline=time.perf_counter() - 1)
        assert check_answer(d, UID)["status"] == {
            "code": 400,
            "message": "hardhull: cannot evaluate the request: evaluating the object took "
            "longer than timeout-ms",
        }
        assert d.audit == {"decision": "error", "error": "eval_timeout"}


def test_mutation_of_many_containers_is_complete_and_linear() -> None:
    pod = _many(1000, securityContext={})
    del pod["spec"]["securityContext"]["seccompProfile"]
    req = review.parse_review(body_of(pod))
    d = review.mutate(req, POLICIES[0])
    assert sorted(set(d.mutated)) == ["K002", "K010"]
    assert d.mutated.count("K002") == 1000  # every container, not a capped number of steps
    fixed = review.apply_patch(pod, d.patch or [])
    after = review.validate(review.parse_review(body_of(fixed)), POLICIES[0])
    assert "K002" not in after.codes("warn") + after.codes("enforce")
    assert review.mutate(review.parse_review(body_of(fixed)), POLICIES[0]).patch is None


def test_fixes_on_one_missing_parent_compose_across_passes() -> None:
    pod = hardened_pod()
    del pod["spec"]["containers"][0]["securityContext"]
    del pod["spec"]["securityContext"]
    policy = dataclasses.replace(
        POLICIES[0], mutate=frozenset({"K002", "K006", "K007", "K010", "K003"})
    )
    d = review.mutate(review.parse_review(body_of(pod)), policy)
    fixed = review.apply_patch(pod, d.patch or [])
    assert fixed["spec"]["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert fixed["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert fixed["spec"]["securityContext"]["runAsNonRoot"] is True
