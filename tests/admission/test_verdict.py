"""Passes in CI ⇒ admitted: ``hardhull scan``'s exit code is the webhook's decision.

``hardhull scan`` gates on an admission policy (``--policy FILE``, the webhook's own file;
without one, the webhook's built-in policy) and every object gets the verdict the webhook gives
an AdmissionReview CREATE of it, through the webhook's real request handler (the ASGI app the
server runs; one case through the real TLS server). The agreement is measured on every object
of examples/ and ../shared/corpus/k8s with the defaults of both.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from hardhull.admission.policy import Policy, default_policy, parse_policy
from hardhull.admission.server import AdmissionApp
from hardhull.admission.verdict import judge_scan
from hardhull.cli import main
from hardhull.engine import ScanOptions, scan
from hardhull.frontends.kubernetes import parse_text
from hardhull.models.workload import object_name, object_namespace
from hardhull.registry import Target
from hardhull.rules import checks
from tests.conftest import ROOT
from tests.helpers.admission import example, hardened_pod, privileged_pod, review_body
from tests.helpers.server import Server

#: `kubectl create deployment web --image=nginx:1.27 --dry-run=client -o yaml` (kubectl 1.32)
KUBECTL_WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
        resources: {}
status: {}
"""

#: a privileged container whose K001 a line comment suppresses
COMMENTED = KUBECTL_WEB.replace(
    "        resources: {}\n",
    "        resources: {}\n        securityContext:\n"
    "          privileged: true  # hardhull: ignore[K001] the agent needs the host\n",
)


# --------------------------------------------------------------------------- both paths


def run_scan(tmp: Path, text: str, *args: str, name: str = "manifest.yaml") -> tuple[int, str]:
    """``hardhull scan [ARGS] FILE`` in-process: (exit code, stderr)."""
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["scan", "--format", "json", "--output", os.devnull, *args, str(path)])
    return code, err.getvalue()


def review_of(obj: dict[str, Any]) -> bytes:
    """An AdmissionReview CREATE of ``obj`` as the API server sends it: the request's namespace
    is the object's, else ``default`` (what ``kubectl apply`` without ``-n`` does)."""
    kind = str(obj.get("kind", ""))
    cluster_scoped = kind.startswith("Cluster") or kind == "Namespace"
    namespace = "" if cluster_scoped else (object_namespace(obj) or "default")
    return orjson.dumps(review_body(obj, namespace=namespace))


async def _post(app: AdmissionApp, body: bytes) -> tuple[int, dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/validate",
        "headers": [(b"content-type", b"application/json")],
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    status = int(sent[0]["status"])
    return status, json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


def webhook(app: AdmissionApp, obj: dict[str, Any]) -> dict[str, Any]:
    """The webhook's answer to a CREATE of ``obj``, from its real request handler."""
    status, out = asyncio.run(_post(app, review_of(obj)))
    assert status == 200, out
    return out["response"]  # type: ignore[no-any-return]


def objects_of(text: str) -> list[dict[str, Any]]:
    return [o.data for o in parse_text("x.yaml", text).objects]


# --------------------------------------------------------------------------- the case


def test_kubectl_deployment_fails_the_default_gate_as_the_default_webhook_denies_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run_scan(tmp_path, KUBECTL_WEB)
    assert code == 1  # was 0: K100 is medium and the old gate was high
    assert err == (
        "hardhull: the built-in admission policy denies 1 object(s):\n"
        f"  {tmp_path / 'manifest.yaml'}: Deployment/web: K100\n"
    )
    answer = webhook(AdmissionApp(default_policy()), objects_of(KUBECTL_WEB)[0])
    assert answer["allowed"] is False
    assert answer["auditAnnotations"]["denied"] == "K100"


def test_fail_on_is_a_severity_threshold_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_scan(tmp_path, KUBECTL_WEB, "--fail-on", "high") == (0, "")
    assert run_scan(tmp_path, KUBECTL_WEB, "--fail-on", "medium")[0] == 1
    (tmp_path / ".hardhull.yaml").write_text("fail-on: high\n")
    assert run_scan(tmp_path, KUBECTL_WEB) == (0, "")


# --------------------------------------------------------------------------- --policy


PRIVILEGED_ANNOTATED = {
    **privileged_pod(),
    "metadata": {
        "name": "agent",
        "namespace": "team",
        "annotations": {"hardhull.dev/ignore": "K001: the agent needs the host"},
    },
}
IN_KUBE_SYSTEM = {**privileged_pod(), "metadata": {"name": "cni", "namespace": "kube-system"}}
IN_SHOP = {**privileged_pod(), "metadata": {"name": "p", "namespace": "shop"}}

OBJECTS: dict[str, dict[str, Any]] = {
    "kubectl-web": objects_of(KUBECTL_WEB)[0],
    "hardened": hardened_pod(),
    "privileged": privileged_pod(),
    "annotated": PRIVILEGED_ANNOTATED,
    "kube-system": IN_KUBE_SYSTEM,
    "shop-ns": IN_SHOP,
    "insecure-shop": example("examples/insecure/shop.yaml"),
    "near-miss": example("examples/admission/near-miss.yaml"),
}

POLICIES: dict[str, str | None] = {
    "built-in": None,
    "sample": (ROOT / "examples" / "admission" / "policy.yaml").read_text(),
    "empty": "",
    "k100-warn": "rules: {K100: warn}\n",
    "baseline": "pss-level: baseline\n",
    "medium-enforced": "severity-modes: {medium: enforce}\n",
    "all-enforced": "default-mode: enforce\nseverity-modes: {low: enforce, medium: enforce}\n",
    "nothing-enforced": "severity-modes: {critical: warn, high: audit}\nrules: {K100: 'off'}\n",
    "disabled": "disable: [K100, K001]\n",
    "severity-override": "severity: {K001: low}\nrules: {K100: warn}\n",
    "exempt-shop": "exempt-namespaces: [shop]\n",
    "no-exempt": "exempt-namespaces: []\n",
    "exemptions": "allow-object-exemptions: [K001]\nrules: {K100: warn}\n",
    "all-exemptions": "allow-object-exemptions: true\n",
}


#: the rules over the whole scanned set (workload objects here: the RBAC ones do not apply)
SET_CODES = frozenset(c.code for c in checks(Target.SET))


def _cases() -> Iterator[tuple[str, str]]:
    for p in POLICIES:
        for o in OBJECTS:
            yield p, o


@pytest.mark.parametrize(("policy_name", "object_name"), list(_cases()))
def test_scan_gates_exactly_as_the_webhook_decides(
    policy_name: str, object_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = POLICIES[policy_name]
    args: list[str] = []
    policy: Policy = default_policy()
    if text is not None:
        (tmp_path / "policy.yaml").write_text(text)
        args = ["--policy", str(tmp_path / "policy.yaml")]
        policy = parse_policy(text, str(tmp_path / "policy.yaml"))
    obj = OBJECTS[object_name]
    code, err = run_scan(tmp_path, json.dumps(obj), *args, name="object.json")
    answer = webhook(AdmissionApp(policy), obj)
    assert code in (0, 1), err
    scan_denied = denied_codes(err)
    hook_denied = set(answer.get("auditAnnotations", {}).get("denied", "").split(",")) - {""}
    # the same codes denied, but for the rules over the whole scanned set (N…), which no
    # webhook runs on one object: the scan judges them by the same modes
    assert scan_denied - SET_CODES == hook_denied, (err, answer)
    assert (code == 0) == (not scan_denied)
    if code == 0:
        assert answer["allowed"] is True


def test_policy_from_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text("rules: {K100: warn}\n")
    (tmp_path / ".hardhull.yaml").write_text("policy: policy.yaml\n")
    assert run_scan(tmp_path, KUBECTL_WEB) == (0, "")


def test_policy_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text("rules:\n  K100: warn\n  K999: enforce\n")
    code, err = run_scan(tmp_path, KUBECTL_WEB, "--policy", "policy.yaml")
    assert (code, err) == (
        2,
        "hardhull: policy error: policy.yaml:3: unknown rule code 'K999' (see: hardhull rules)\n",
    )
    (tmp_path / "policy.yaml").write_text("rules: {K100: warn}\n")
    code, err = run_scan(tmp_path, KUBECTL_WEB, "--policy", "policy.yaml", "--fail-on", "high")
    assert code == 2
    assert "--policy and --fail-on both given" in err
    code, err = run_scan(
        tmp_path, KUBECTL_WEB, "--policy", "policy.yaml", "--pss-level", "baseline"
    )
    assert code == 2
    assert "do not go with --policy" in err
    code, err = run_scan(tmp_path, KUBECTL_WEB, "--policy", "missing.yaml")
    assert code == 2
    assert err.startswith("hardhull: policy error: missing.yaml: cannot read")
    (tmp_path / ".hardhull.yaml").write_text("policy: policy.yaml\nfail-on: high\n")
    code, err = run_scan(tmp_path, KUBECTL_WEB)
    assert code == 2
    assert "'policy' and 'fail-on' both given" in err


# --------------------------------------------------------------------------- suppressions


def test_a_line_comment_does_not_pass_what_the_webhook_denies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text("rules: {K100: warn}\n")
    code, err = run_scan(tmp_path, COMMENTED, "--policy", "policy.yaml")
    path = tmp_path / "manifest.yaml"
    assert code == 1  # was 0: the comment hid K001 from the gate
    assert err == (
        f"hardhull: note: {path}:25: K001 on Deployment/web is suppressed by a line comment, "
        "which the admission webhook never sees: the policy denies it; use the annotation "
        'hardhull.dev/ignore: "K001: reason" on the object and allow it in the policy '
        "(allow-object-exemptions: [K001])\n"
        f"hardhull: the policy policy.yaml denies 1 object(s):\n"
        f"  {path}: Deployment/web: K001\n"
    )
    answer = webhook(AdmissionApp(parse_policy("rules: {K100: warn}\n")), objects_of(COMMENTED)[0])
    assert answer["auditAnnotations"]["denied"] == "K001"
    # the report still honours the comment: the finding is counted as suppressed
    out = tmp_path / "report.json"
    main(["scan", "-f", "json", "-o", str(out), "--fail-on", "never", str(path)])
    report = json.loads(out.read_text())
    assert [f["code"] for f in report["findings"] if f["code"] == "K001"] == []
    assert report["summary"]["suppressed"] == {"comment": 1}


def test_the_annotation_waives_where_the_policy_allows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = json.dumps(PRIVILEGED_ANNOTATED)
    code, err = run_scan(tmp_path, text, name="pod.json")
    assert code == 1
    assert err.startswith(
        f"hardhull: note: {tmp_path / 'pod.json'}:1: K001 on Pod/team/agent is waived by the "
        "hardhull.dev/ignore annotation, which the policy does not honour for it: the webhook "
        "denies it; allow it in the policy (allow-object-exemptions: [K001])\n"
    )
    (tmp_path / "policy.yaml").write_text("allow-object-exemptions: [K001]\n")
    code, err = run_scan(tmp_path, text, "--policy", "policy.yaml", name="pod.json")
    assert "K001" not in err
    assert "Pod/team/agent: K100" in err  # the rest is still denied


def test_suppressions_of_what_no_webhook_sees_still_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    dockerfile = (
        "FROM python:3.12-slim@sha256:" + "a" * 64 + "\n"
        "USER 10001\n"
        "# hardhull: ignore[D005] a test fixture, not a real credential\n"
        "ENV GITHUB_TOKEN=ghp_R8x2kLmN4pQ7sT1vW3yZ5aB6cD8eF0gH2jK4\n"
        'HEALTHCHECK CMD ["true"]\n'
    )
    code, err = run_scan(tmp_path, dockerfile, name="Dockerfile")
    assert "D005" not in err
    assert code == run_scan(tmp_path, dockerfile, "--fail-on", "high", name="Dockerfile")[0]
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        "spec: {type: NodePort, ports: [{port: 80}]}  # hardhull: ignore\n"
    )
    assert run_scan(tmp_path, service) == (0, "")


def test_exempt_namespaces_and_static_control_plane_pods(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kube-system is exempt in both; the control-plane rules still judge its static Pods,
    which the kubelet runs from disk whatever an admission webhook answers."""
    monkeypatch.chdir(tmp_path)
    assert run_scan(tmp_path, json.dumps(IN_KUBE_SYSTEM), name="cni.json") == (
        0,
        "hardhull: note: 2 enforced finding(s) not judged in exempt namespaces (kube-system: 2): "
        "the webhook does not check them (exempt-namespaces)\n",
    )
    assert webhook(AdmissionApp(default_policy()), IN_KUBE_SYSTEM)["auditAnnotations"] == {
        "exempt": "namespace kube-system"
    }
    static = (ROOT / "examples" / "cluster-config" / "insecure" / "kube-apiserver.yaml").read_text()
    code, err = run_scan(tmp_path, static, name="kube-apiserver.yaml")
    assert code == 1
    assert err.endswith("Pod/kube-system/kube-apiserver: A003, A005, A018, A002\n")
    assert run_scan(tmp_path, static, "--fail-on", "high", name="kube-apiserver.yaml")[0] == 1


def test_a_laxer_namespace_label_does_not_lower_the_policy_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook enforces its policy's level whatever the namespace's label says."""
    monkeypatch.chdir(tmp_path)
    namespace = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n"
        "    pod-security.kubernetes.io/enforce: baseline\n---\n"
    )
    web = KUBECTL_WEB.replace("  name: web\n", "  name: web\n  namespace: team\n")
    code, err = run_scan(tmp_path, namespace + web)
    assert code == 1
    assert err.endswith("Deployment/team/web: K100\n")
    assert webhook(AdmissionApp(default_policy()), objects_of(web)[0])["allowed"] is False
    # the severity gate keeps judging K100 by the label (Pod Security Admission's view)
    assert run_scan(tmp_path, namespace + web, "--fail-on", "high") == (0, "")


# --------------------------------------------------------------------------- every object


def _object_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
    )


#: (group, kind) the API server never sends to a webhook, with the reason: the scan judges
#: them, a webhook cannot
NEVER_SENT = {
    "extensions": "an API group the API server no longer serves (removed in Kubernetes 1.16)",
    "audit.k8s.io": "a file the API server reads (--audit-policy-file), not an API object",
    "apiserver.config.k8s.io": "a file the API server reads, not an API object",
    "kubelet.config.k8s.io": "a file the kubelet reads, not an API object",
}


#: what the control-plane rules (A…) judge in an exempt namespace
STATIC = "static control-plane Pods, run by the kubelet from disk whatever admission says"


def denied_codes(stderr: str) -> set[str]:
    """The rule codes of the objects ``hardhull scan`` says the policy denies."""
    return {
        c
        for line in stderr.splitlines()
        if line.startswith("  ")
        for c in line.split(": ")[-1].split(", ")
    }


def agreement(paths: list[Path], tmp: Path) -> tuple[Counter[str], list[str]]:
    """Every object of ``paths``: ``hardhull scan`` of the object alone (its gate: the exit
    code) against the webhook's answer to a CREATE of it, both with their defaults; and the
    scan of each whole file (comments, the file's other objects) never passes an object that
    the webhook denies. Returns (counts, disagreements)."""
    app = AdmissionApp(default_policy())
    counts: Counter[str] = Counter()
    wrong: list[str] = []
    one = tmp / "object.json"
    for path in paths:
        parsed = parse_text(str(path), path.read_text(encoding="utf-8", errors="replace"))
        if not parsed.objects:
            continue
        # the whole file as users scan it, judged as `hardhull scan FILE` judges it
        in_file = judge_scan(scan([str(path)], ScanOptions(jobs=1, pss_floor=True)), app.policy)
        for o in parsed.objects:
            obj = o.data
            group = str(obj.get("apiVersion", "")).rpartition("/")[0]
            key = (str(path), o.kind, object_namespace(obj), object_name(obj))
            what = f"{path}: {o.kind}/{object_namespace(obj)}/{object_name(obj)}"
            answer = webhook(app, obj)
            one.write_text(json.dumps(obj))
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = main(["scan", "-f", "json", "-o", os.devnull, str(one)])
            assert code in (0, 1), err.getvalue()
            denied_by_scan = code == 1
            scan_codes = denied_codes(err.getvalue())
            if denied_by_scan == (not answer["allowed"]):
                counts["agree, denied" if denied_by_scan else "agree, allowed"] += 1
            elif "exempt" in answer.get("auditAnnotations", {}) and all(
                c.startswith("A") for c in scan_codes
            ):
                counts[f"exempt in the webhook, judged by the scan: {STATIC}"] += 1
            elif group in NEVER_SENT and answer.get("auditAnnotations") is None:
                counts[f"never sent to a webhook: {NEVER_SENT[group]}"] += 1
            else:
                counts["disagree"] += 1
                wrong.append(f"{what}: scan exit {code} ({err.getvalue()}), webhook {answer}")
            if not answer["allowed"] and key not in in_file.denied:
                counts["the file's scan passes a denied object"] += 1
                wrong.append(f"{what}: the scan of its file passes it, the webhook denies it")
    return counts, wrong


def test_every_object_of_the_examples_gets_the_same_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    counts, wrong = agreement(_object_files(ROOT / "examples"), tmp_path)
    assert wrong == []
    assert counts["agree, denied"] >= 3 and counts["agree, allowed"] >= 50, counts


@pytest.mark.slow
def test_every_object_of_the_corpus_gets_the_same_verdict(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    counts, wrong = agreement(_object_files(shared / "corpus" / "k8s"), tmp_path)
    assert wrong[:10] == []
    assert counts["agree, denied"] >= 200 and counts["agree, allowed"] >= 500, counts


def test_end_to_end_through_the_tls_server_with_the_built_in_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server (`hardhull admission serve` without --config, over TLS) denies what the
    scan without --policy fails, with the same code and message."""
    monkeypatch.chdir(tmp_path)
    code, err = run_scan(tmp_path, KUBECTL_WEB)
    assert code == 1
    assert err.endswith("Deployment/web: K100\n")
    (tmp_path / "webhook").mkdir()
    server = Server(tmp_path / "webhook", None)
    try:
        answer = server.review(review_body(objects_of(KUBECTL_WEB)[0], namespace="default"))
    finally:
        server.stop()
    assert answer["allowed"] is False
    assert answer["status"]["message"] == (
        "hardhull: Deployment default/web violates 1 enforced rule(s): K100 fails Pod Security "
        "restricted:v1.37 (the default level): allowPrivilegeEscalation != false, unrestricted "
        "capabilities, runAsNonRoot != true, seccompProfile"
    )
    out = tmp_path / "report.json"
    main(["scan", "-f", "json", "-o", str(out), str(tmp_path / "manifest.yaml")])
    report = json.loads(out.read_text())
    k100 = [f["message"] for f in report["findings"] if f["code"] == "K100"]
    assert answer["status"]["message"].endswith(f"K100 {k100[0]}")
