"""The real webhook: `python -m hardhull.admission serve` on 127.0.0.1 over TLS, driven with
real AdmissionReview bodies by a real HTTPS client (httpx trusting the test CA)."""

from __future__ import annotations

import copy
import json
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers.admission import example, hardened_pod, privileged_pod, review_body
from tests.helpers.server import Server, install, make_bundle, metric, patched, peer_serial

SAMPLE = (ROOT / "examples" / "admission" / "policy.yaml").read_text()


# --------------------------------------------------------------------------- certificates


# --------------------------------------------------------------------------- the server


POLICY = SAMPLE.replace("exempt-users: []", "exempt-users: [ci-bot]").replace(
    "exempt-groups: []", "exempt-groups: ['system:serviceaccounts:kube-system']"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("webhook"), POLICY)
    try:
        yield s
    finally:
        s.stop()


# --------------------------------------------------------------------------- done-when


def test_sample_policy_denies_insecure_admits_hardened_mutates_near_miss(server: Server) -> None:
    insecure = server.review(review_body(example("examples/insecure/shop.yaml")))
    assert insecure["allowed"] is False
    assert insecure["status"]["code"] == 403
    assert insecure["auditAnnotations"]["denied"] == "K001,K004,K008,K014,K018,K019,K027,K100"
    for code in ("K001", "K004", "K008", "K014", "K018", "K019", "K027", "K100"):
        assert (
            f"; {code} " in insecure["status"]["message"]
            or f": {code} " in insecure["status"]["message"]
        )

    hardened = server.review(review_body(example("examples/hardened/shop.yaml")))
    assert hardened == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": True,
        "auditAnnotations": {"decision": "allow", "exempted": "K005"},
    }

    near = example("examples/admission/near-miss.yaml")
    assert server.review(review_body(near))["allowed"] is False  # as written: denied
    mutated = server.review(review_body(near), "/mutate")
    assert mutated["allowed"] is True
    fixed = patched(near, mutated)
    after = server.review(review_body(fixed))
    assert after == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": True,
        "auditAnnotations": {"decision": "allow", "exempted": "K005"},
    }


def test_health_and_readiness(server: Server) -> None:
    assert server.client.get("/healthz").text == "ok\n"
    assert server.client.get("/readyz").text == "ready\n"
    assert server.client.get("/nope").status_code == 404
    r = server.client.get("/validate")
    assert (r.status_code, r.headers["allow"]) == (405, "POST")


# --------------------------------------------------------------------------- decisions


def test_warn_and_audit(server: Server) -> None:
    pod = hardened_pod()
    del pod["spec"]["automountServiceAccountToken"]  # K030: audit in the sample policy
    pod["spec"]["containers"][0]["livenessProbe"] = None  # K032: warn
    out = server.review(review_body(pod))
    assert out == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": True,
        "warnings": ['K032: container "app" has no livenessProbe'],
        "auditAnnotations": {"decision": "warn", "warned": "K032", "audited": "K030"},
    }
    assert '"event":"validate"' in server.output()


def test_exemptions(server: Server) -> None:
    assert server.review(review_body(privileged_pod(), namespace="kube-system")) == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": True,
        "auditAnnotations": {"exempt": "namespace kube-system"},
    }
    own = server.review(review_body(privileged_pod(), namespace="hardhull"))
    assert own["auditAnnotations"] == {"exempt": "namespace hardhull"}
    assert server.review(review_body(privileged_pod(), username="ci-bot"))["allowed"] is True
    by_group = review_body(
        privileged_pod(),
        username="system:serviceaccount:kube-system:job-controller",
        groups=("system:serviceaccounts", "system:serviceaccounts:kube-system"),
    )
    assert server.review(by_group)["auditAnnotations"] == {
        "exempt": "group system:serviceaccounts:kube-system"
    }
    # the annotation is honoured for the codes the policy allows (K005 …), not for K001
    pod = privileged_pod()
    pod["metadata"]["annotations"] = {"hardhull.dev/ignore": "K001,K100"}
    assert server.review(review_body(pod))["allowed"] is False
    low_uid = hardened_pod()
    low_uid["spec"]["securityContext"]["runAsUser"] = 1001
    assert server.review(review_body(low_uid))["warnings"] == [
        'K005: container "app" runs as low uid 1001 (below 10000)'
    ]
    low_uid["metadata"]["annotations"] = {"hardhull.dev/ignore": "K005: the image's user"}
    assert server.review(review_body(low_uid))["auditAnnotations"] == {
        "decision": "allow",
        "exempted": "K005",
    }


def test_update_semantics_and_dry_run(server: Server) -> None:
    old = example("examples/insecure/shop.yaml")
    old["metadata"]["namespace"] = "legacy"
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 4
    out = server.review(review_body(scaled, "UPDATE", old=old))
    assert out["allowed"] is True  # new-violations-only: existing workloads can scale
    assert 'K001 (existing): container "web" runs privileged' in out["warnings"]
    worse = copy.deepcopy(old)
    worse["spec"]["template"]["spec"]["hostIPC"] = True
    out = server.review(review_body(worse, "UPDATE", old=old))
    assert (out["allowed"], out["auditAnnotations"]["denied"]) == (False, "K016")
    before = server.metrics()
    dry = server.review(review_body(worse, "UPDATE", old=old, dry_run=True))
    assert dry == out  # evaluated the same way
    after = server.metrics()
    # counted as a request, not as an enforcement event
    assert metric(after, "hardhull_admission_rule_denials_total", rule="K016") == metric(
        before, "hardhull_admission_rule_denials_total", rule="K016"
    )
    assert metric(after, "hardhull_admission_requests_total", decision="deny") == 1 + metric(
        before, "hardhull_admission_requests_total", decision="deny"
    )
    assert server.review(review_body(None, "DELETE", old=old)) == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": True,
    }


# --------------------------------------------------------------------------- malformed input


def test_malformed_inputs_get_answers_and_the_worker_lives(server: Server) -> None:
    c = server.client
    r = c.post("/validate", content=b"{not json")
    assert r.status_code == 400
    assert r.json()["error"].startswith("body is not JSON: ")
    r = c.post("/validate", json={"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"})
    assert (r.status_code, r.json()) == (
        400,
        {"error": "no 'request' object in the AdmissionReview"},
    )
    body = review_body(hardened_pod())
    del body["request"]["uid"]
    r = c.post("/validate", json=body)
    assert (r.status_code, r.json()) == (400, {"error": "request.uid is missing or not a string"})
    nested = b'{"request":{"uid":"x","object":' + b"[" * 3000 + b"]" * 3000 + b"}}"
    r = c.post("/validate", content=nested)
    assert r.status_code == 400  # deeper than the JSON parser allows
    wrong = review_body(hardened_pod())
    wrong["apiVersion"] = "admission.k8s.io/v1beta1"
    out = server.review(wrong)
    assert out == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": False,
        "status": {
            "code": 400,
            "message": "hardhull: cannot evaluate the request: apiVersion is "
            "'admission.k8s.io/v1beta1'; this webhook speaks admission.k8s.io/v1 only",
        },
        "auditAnnotations": {"decision": "error", "error": "malformed"},
    }
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "t"}}
    assert server.review(review_body(cm)) == {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": True,
    }
    # objects of the wrong shape everywhere: a well-formed answer, never a crash
    weird = hardened_pod()
    weird["spec"]["containers"] = "app"
    weird["spec"]["securityContext"] = ["x"]
    weird["metadata"]["annotations"] = {"hardhull.dev/ignore": 5}
    assert server.review(review_body(weird))["allowed"] in (True, False)
    weird_dep = example("examples/hardened/shop.yaml")
    weird_dep["spec"]["template"] = {"spec": {"containers": [None, 3, {"securityContext": 1}]}}
    assert server.review(review_body(weird_dep))["uid"]
    assert server.review(review_body(weird_dep), "/mutate")["allowed"] is True
    assert c.get("/healthz").status_code == 200
    text = server.metrics()
    assert metric(text, "hardhull_admission_errors_total", reason="malformed_json") >= 2
    assert metric(text, "hardhull_admission_errors_total", reason="bad_review") >= 3
    assert "Traceback" not in server.output()


def test_integers_beyond_64_bits_are_refused(server: Server) -> None:
    """Issue #9, section 5: orjson reads them as floats; the documented answer is 400."""
    c = server.client
    base = json.dumps(review_body(hardened_pod()))
    assert '"runAsUser": 10001' in base
    for big in (2**64, -(2**63) - 1, 10**30, -(10**400)):
        r = c.post("/validate", content=base.replace('"runAsUser": 10001', f'"runAsUser": {big}'))
        assert (r.status_code, r.json()) == (400, {"error": "body has an integer beyond 64 bits"})
    # the edges of 64 bits, long digit runs in strings and floats are no such integer
    for fine in (
        str(2**64 - 1),
        str(-(2**63)),
        '"12345678901234567890123"',
        "1.8446744073709552e19",
    ):
        r = c.post("/validate", content=base.replace('"runAsUser": 10001', f'"runAsUser": {fine}'))
        assert r.status_code == 200, r.text
        assert r.json()["response"]["uid"] == "705ab4f5-6393-11e8-b7cc-42010a800002"
    assert '"error":"body has an integer beyond 64 bits"' in server.output()


def test_every_line_of_the_log_stream_is_a_json_event(server: Server) -> None:
    """Issue #9, section 5: uvicorn's own lines ("Started server process", …) too."""
    server.review(review_body(privileged_pod()))
    lines = server.output().splitlines()
    assert lines
    events = [json.loads(line) for line in lines]
    assert all(isinstance(e, dict) and e.get("event") for e in events), lines
    assert {"event": "server", "level": "info", "logger": "uvicorn.error"}.items() <= events[
        0
    ].items()
    ready = [e for e in events if e["event"] == "ready"]
    assert len(ready) == 1
    assert ready[0]["address"] == f"127.0.0.1:{server.port}"


def test_a_port_in_use_is_a_clear_error_and_never_ready(tmp_path: Path) -> None:
    """Issue #9, section 5: "ready" was logged before the bind failed."""
    install(make_bundle("busy"), tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = [
            sys.executable, "-m", "hardhull", "admission", "serve",
            "--tls-cert", str(tmp_path / "tls.crt"), "--tls-key", str(tmp_path / "tls.key"),
            "--host", "127.0.0.1", "--port", str(port),
        ]  # fmt: skip
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"hardhull: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another process holds the port)\n"
    )


def test_oversized_body_is_refused_without_reading_it_all(server: Server) -> None:
    big = review_body(hardened_pod())
    big["request"]["object"]["metadata"]["annotations"] = {"x": "a" * (9 * 1024 * 1024)}
    data = json.dumps(big).encode()
    r = server.client.post("/validate", content=data)
    assert (r.status_code, r.json()) == (413, {"error": "body over max-body-bytes (8388608)"})

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    with server.new_client(server.bundle.ca_pem) as c:
        r = c.post("/validate", content=chunks())
    assert r.status_code == 413
    text = server.metrics()
    assert metric(text, "hardhull_admission_errors_total", reason="body_too_large") >= 2
    assert server.client.get("/healthz").status_code == 200


# --------------------------------------------------------------------------- metrics


def test_metrics_after_requests(server: Server) -> None:
    server.review(review_body(example("examples/insecure/shop.yaml")))
    server.review(review_body(example("examples/admission/near-miss.yaml")), "/mutate")
    text = server.metrics()
    assert (
        metric(
            text,
            "hardhull_admission_requests_total",
            endpoint="validate",
            operation="CREATE",
            kind="Deployment",
            decision="deny",
        )
        >= 1
    )
    assert (
        metric(text, "hardhull_admission_requests_total", endpoint="mutate", decision="allow") >= 1
    )
    assert metric(text, "hardhull_admission_rule_denials_total", rule="K001") >= 1
    assert metric(text, "hardhull_admission_rule_warnings_total", rule="K002") >= 1
    assert metric(text, "hardhull_admission_rule_mutations_total", rule="K010") >= 1
    assert (
        metric(text, "hardhull_admission_request_duration_seconds_count", endpoint="validate") >= 1
    )
    assert "hardhull_admission_request_duration_seconds_bucket" in text
    assert "_created" not in text


# --------------------------------------------------------------------------- TLS and workers


def test_certificate_reload_without_restart(tmp_path: Path) -> None:
    s = Server(tmp_path, None)
    try:
        assert peer_serial(s.port, s.bundle.ca_pem) == s.bundle.serial
        keep = s.new_client(s.bundle.ca_pem)  # an open connection made with cert A
        assert keep.get("/healthz").status_code == 200
        b = make_bundle("B")
        install(b, tmp_path)
        deadline = time.monotonic() + 10
        while True:
            try:
                if peer_serial(s.port, b.ca_pem) == b.serial:
                    break
            except ssl.SSLError:
                pass
            assert time.monotonic() < deadline, s.output()
            time.sleep(0.05)
        with pytest.raises(ssl.SSLError):
            peer_serial(s.port, s.bundle.ca_pem)  # new connections no longer see A
        with s.new_client(b.ca_pem) as c:
            assert c.post("/validate", json=review_body(hardened_pod())).json()["response"][
                "allowed"
            ]
        assert keep.get("/healthz").status_code == 200  # the open connection lives on
        keep.close()
        # a half-written pair (a certificate without its key) is not loaded; B stays
        (tmp_path / "tls.crt").write_bytes(make_bundle("C").cert_pem)
        time.sleep(0.5)
        assert peer_serial(s.port, b.ca_pem) == b.serial
        assert s.proc.poll() is None
        text = s.metrics()
        assert metric(text, "hardhull_admission_certificate_reloads_total", result="ok") == 1
        assert metric(text, "hardhull_admission_certificate_reloads_total", result="failed") >= 1
    finally:
        s.stop()


def test_two_workers_share_metrics(tmp_path: Path) -> None:
    s = Server(tmp_path, None, workers=2)
    try:
        for _ in range(16):
            with s.new_client(s.bundle.ca_pem, headers={"connection": "close"}) as c:
                r = c.post("/validate", json=review_body(privileged_pod()))
                assert r.json()["response"]["allowed"] is False
        text = s.metrics()
        assert metric(text, "hardhull_admission_requests_total", decision="deny") == 16
        assert metric(text, "hardhull_admission_rule_denials_total", rule="K001") == 16
        # both workers start; on a loaded machine the second may log "ready" a little later
        deadline = time.monotonic() + 20
        workers: set[str] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = set(re.findall(r'"event":"ready","pid":(\d+)', s.output()))
            time.sleep(0.1)
        assert len(workers) == 2
        # the supervisor's lines too: every line is a JSON event
        assert all(json.loads(line)["event"] for line in s.output().splitlines())
    finally:
        s.stop()
