"""``hardhull admission manifests`` and the repository's Dockerfile: structure, and a clean scan.

The printed manifests and the Dockerfile must pass ``hardhull scan`` with no finding at any
severity, every rule on: they are what we tell users to run, so they must meet our own bar.
"""

from __future__ import annotations

import argparse
import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from hardhull.admission import certs, install, manifests
from hardhull.engine import ScanOptions, ScanResult, scan
from hardhull.registry import RULES
from hardhull.rules import all_rules
from tests.conftest import ROOT

REPO = ROOT
NS = "hardhull"
DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGE = f"ghcr.io/example/hardhull:0.1.0@{DIGEST}"
SYSTEM = ["kube-system", "kube-public", "kube-node-lease"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``hardhull admission ARGV`` through the real CLI when it is wired, else through the
    subparsers the admission CLI registers."""
    from hardhull import cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "admission" in sub.choices:
        code = cli.main(["admission", *argv])
    else:  # pragma: no cover - until `hardhull admission` is wired into the main CLI
        p = argparse.ArgumentParser(prog="hardhull admission")
        s = p.add_subparsers(dest="admission_command")
        manifests.register_manifests_parser(s)
        certs.register_certs_parser(s)
        args = p.parse_args(argv)
        code = args.admission_func(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.crt"
    path.write_bytes(certs.generate([f"hardhull-admission.{NS}.svc"]).ca_pem)
    return path


def generate(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[str, str]:
    code, out, err = run(["manifests", "--namespace", NS, "--image", IMAGE, *extra], capsys)
    assert code == 0, err
    return out, err


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = by_kind(docs, kind)
    assert len(found) == 1, kind
    return found[0]


def scan_text(tmp_path: Path, name: str, text: str) -> ScanResult:
    path = tmp_path / name
    path.write_text(text)
    return scan([str(path)], ScanOptions(jobs=1))


def finding_codes(result: ScanResult) -> list[str]:
    return [f.rule.code for f in result.findings]


# --------------------------------------------------------------------------- the scan


def test_every_rule_is_on() -> None:
    all_rules()
    assert ScanOptions().disabled == frozenset()
    # the scan below covers every domain that can judge these manifests
    assert {c[0] for c in RULES} >= {"K", "P", "N", "R", "S", "A", "D"}


@pytest.mark.parametrize(
    "extra",
    [
        ("--ca-bundle", "CA"),
        ("--cert-manager",),
        ("--cert-manager", "--failure-policy", "Ignore", "--replicas", "3"),
        (),
    ],
    ids=["ca-bundle", "cert-manager", "ignore-3-replicas", "no-ca"],
)
def test_manifests_scan_clean(
    extra: tuple[str, ...], ca_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(ca_file) if a == "CA" else a for a in extra]
    text, _ = generate(capsys, *args)
    result = scan_text(tmp_path, "admission.yaml", text)
    assert [(f.rule.code, f.message) for f in result.findings] == []
    assert result.errors == []
    assert result.skipped == []
    assert result.suppressed == {} or sum(result.suppressed.values()) == 0
    assert result.ignored == 0
    assert result.objects == (14 if "--cert-manager" in args else 10)


def test_scan_really_judges_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Controls: a tag-only image and a missing network policy are found in the same output."""
    code, text, err = run(
        ["manifests", "--namespace", NS, "--image", "ghcr.io/example/hardhull:0.1.0"], capsys
    )
    assert code == 0
    assert "image ghcr.io/example/hardhull:0.1.0 is not pinned by digest (K028)" in err
    result = scan_text(tmp_path, "tag.yaml", text)
    assert [(f.rule.code, f.pointer, f.severity.name) for f in result.findings] == [
        ("K028", "/spec/template/spec/containers/0/image", "LOW")
    ]
    docs = [d for d in yaml.safe_load_all(generate(capsys)[0]) if d["kind"] != "NetworkPolicy"]
    result = scan_text(tmp_path, "no-netpol.yaml", manifests.render(docs))
    assert sorted(finding_codes(result)) == ["N001", "N002"]


# --------------------------------------------------------------------------- the structure


@pytest.fixture
def docs(ca_file: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    text, err = generate(capsys, "--ca-bundle", str(ca_file))
    assert err == ""
    assert text.startswith("# hardhull ")
    return list(yaml.safe_load_all(text))


def test_objects_in_apply_order(docs: list[dict[str, Any]]) -> None:
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Namespace", NS),
        ("ServiceAccount", "hardhull-admission"),
        ("ConfigMap", "hardhull-admission-policy"),
        ("Deployment", "hardhull-admission"),
        ("PodDisruptionBudget", "hardhull-admission"),
        ("Service", "hardhull-admission"),
        ("NetworkPolicy", "hardhull-admission-default-deny"),
        ("NetworkPolicy", "hardhull-admission-from-apiserver"),
        ("ValidatingWebhookConfiguration", "hardhull-admission"),
        ("MutatingWebhookConfiguration", "hardhull-admission"),
    ]
    for d in docs:
        if d["kind"] not in ("Namespace", "ValidatingWebhookConfiguration") and not d[
            "kind"
        ].startswith("Mutating"):
            assert d["metadata"]["namespace"] == NS


def test_namespace_and_service_account(docs: list[dict[str, Any]]) -> None:
    labels = one(docs, "Namespace")["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "latest"
    assert labels["kubernetes.io/metadata.name"] == NS
    assert labels[install.OPT_OUT_LABEL] == "true"
    assert one(docs, "ServiceAccount")["automountServiceAccountToken"] is False


def test_deployment(docs: list[dict[str, Any]]) -> None:
    dep = one(docs, "Deployment")
    spec = dep["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    pod = spec["template"]["spec"]
    assert spec["selector"]["matchLabels"] == {"app.kubernetes.io/name": "hardhull-admission"}
    assert spec["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "hardhull-admission"
    assert pod["serviceAccountName"] == "hardhull-admission"
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "fsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    (term,) = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"] == {
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "hardhull-admission"}},
        "topologyKey": "kubernetes.io/hostname",
    }
    (c,) = pod["containers"]
    assert c["image"] == IMAGE
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["args"] == [
        "admission",
        "serve",
        "--tls-cert",
        "/etc/hardhull/tls/tls.crt",
        "--tls-key",
        "/etc/hardhull/tls/tls.key",
        "--config",
        "/etc/hardhull/policy/policy.yaml",
        "--port",
        "8443",
    ]
    assert c["ports"] == [{"name": "https", "containerPort": 8443, "protocol": "TCP"}]
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "https", "scheme": "HTTPS"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "https", "scheme": "HTTPS"}
    assert c["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert set(c["resources"]["requests"]) == {"cpu", "memory"}
    assert set(c["resources"]["limits"]) == {"cpu", "memory"}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    assert mounts["tls"] == {"name": "tls", "mountPath": "/etc/hardhull/tls", "readOnly": True}
    assert mounts["policy"]["readOnly"] is True
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["tls"]["secret"] == {
        "secretName": "hardhull-admission-tls",
        "defaultMode": 0o440,
    }
    assert volumes["policy"]["configMap"]["name"] == "hardhull-admission-policy"
    assert c["env"] == [
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}
    ]


def test_policy_configmap_is_the_default_policy(docs: list[dict[str, Any]]) -> None:
    from hardhull.admission.policy import default_policy, parse_policy

    text = one(docs, "ConfigMap")["data"]["policy.yaml"]
    parsed = parse_policy(text, "policy.yaml", NS)
    want = default_policy(NS)
    assert parsed.default_mode == want.default_mode
    assert parsed.severity_modes == want.severity_modes
    assert parsed.rules == want.rules
    assert NS in parsed.exempt_namespaces and "kube-system" in parsed.exempt_namespaces


def test_pdb_service_and_network_policy(docs: list[dict[str, Any]]) -> None:
    pdb = one(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "hardhull-admission"}},
    }
    svc = one(docs, "Service")["spec"]
    assert svc["ports"] == [
        {"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}
    ]
    deny, allow = by_kind(docs, "NetworkPolicy")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    (rule,) = allow["spec"]["ingress"]
    assert rule["ports"] == [{"port": 8443, "protocol": "TCP"}]
    assert [p["ipBlock"]["cidr"] for p in rule["from"]] == list(install.DEFAULT_APISERVER_CIDRS)


def _rule_table(webhook: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in webhook["rules"]:
        assert r["apiVersions"] == ["v1"]
        assert r["operations"] == ["CREATE", "UPDATE"]
        (group,) = r["apiGroups"]
        out.setdefault(f"{group or 'core'}/{r['scope']}", []).extend(r["resources"])
    return out


WORKLOADS = {
    "core/Namespaced": ["pods", "pods/ephemeralcontainers", "replicationcontrollers"],
    "apps/Namespaced": ["deployments", "statefulsets", "daemonsets", "replicasets"],
    "batch/Namespaced": ["jobs", "cronjobs"],
}


def _common(webhook: dict[str, Any], failure_policy: str) -> None:
    assert webhook["admissionReviewVersions"] == ["v1"]
    assert webhook["sideEffects"] == "None"
    assert webhook["timeoutSeconds"] == 3
    assert webhook["matchPolicy"] == "Equivalent"
    assert webhook["failurePolicy"] == failure_policy
    assert webhook["namespaceSelector"] == {
        "matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [NS, *SYSTEM]},
            {"key": "admission.hardhull.dev/ignore", "operator": "NotIn", "values": ["true"]},
        ]
    }


def test_webhooks(docs: list[dict[str, Any]], ca_file: Path) -> None:
    bundle = base64.b64encode(ca_file.read_bytes()).decode()
    vwc = one(docs, "ValidatingWebhookConfiguration")
    assert "annotations" not in vwc["metadata"]
    validate, cluster = vwc["webhooks"]
    assert validate["name"] == "validate.admission.hardhull.dev"
    _common(validate, "Fail")
    assert validate["clientConfig"] == {
        "service": {
            "namespace": NS,
            "name": "hardhull-admission",
            "path": "/validate",
            "port": 443,
        },
        "caBundle": bundle,
    }
    assert _rule_table(validate) == {
        "core/Namespaced": [*WORKLOADS["core/Namespaced"], "secrets"],
        "apps/Namespaced": WORKLOADS["apps/Namespaced"],
        "batch/Namespaced": WORKLOADS["batch/Namespaced"],
        "rbac.authorization.k8s.io/Namespaced": ["roles", "rolebindings"],
    }
    # cluster-scoped RBAC: never blocked by a webhook outage
    assert cluster["name"] == "validate-cluster.admission.hardhull.dev"
    _common(cluster, "Ignore")
    assert cluster["clientConfig"]["service"]["path"] == "/validate"
    assert _rule_table(cluster) == {
        "rbac.authorization.k8s.io/Cluster": ["clusterroles", "clusterrolebindings"]
    }
    mwc = one(docs, "MutatingWebhookConfiguration")
    (mutate,) = mwc["webhooks"]
    assert mutate["name"] == "mutate.admission.hardhull.dev"
    _common(mutate, "Fail")
    assert mutate["reinvocationPolicy"] == "IfNeeded"
    assert mutate["clientConfig"]["service"]["path"] == "/mutate"
    assert mutate["clientConfig"]["caBundle"] == bundle
    assert _rule_table(mutate) == WORKLOADS


def test_failure_policy_and_replicas_flags(capsys: pytest.CaptureFixture[str]) -> None:
    text, _ = generate(capsys, "--failure-policy", "Ignore", "--replicas", "3", "--cert-manager")
    docs = list(yaml.safe_load_all(text))
    assert one(docs, "Deployment")["spec"]["replicas"] == 3
    hooks = one(docs, "ValidatingWebhookConfiguration")["webhooks"]
    hooks += one(docs, "MutatingWebhookConfiguration")["webhooks"]
    assert [h["failurePolicy"] for h in hooks] == ["Ignore", "Ignore", "Ignore"]


def test_cert_manager(capsys: pytest.CaptureFixture[str]) -> None:
    text, err = generate(capsys, "--cert-manager")
    assert err == ""
    docs = list(yaml.safe_load_all(text))
    assert "needs the Secret" not in text
    issuers = by_kind(docs, "Issuer")
    assert [(i["metadata"]["name"], list(i["spec"])) for i in issuers] == [
        ("hardhull-admission-selfsigned", ["selfSigned"]),
        ("hardhull-admission-ca", ["ca"]),
    ]
    ca, serving = by_kind(docs, "Certificate")
    assert ca["spec"]["isCA"] is True
    assert ca["spec"]["issuerRef"]["name"] == "hardhull-admission-selfsigned"
    assert issuers[1]["spec"]["ca"]["secretName"] == ca["spec"]["secretName"]
    s = serving["spec"]
    svc = one(docs, "Service")["metadata"]["name"]
    assert s["dnsNames"] == [f"{svc}.{NS}.svc", f"{svc}.{NS}.svc.cluster.local"]
    assert s["issuerRef"] == {
        "name": "hardhull-admission-ca",
        "kind": "Issuer",
        "group": "cert-manager.io",
    }
    assert s["usages"] == ["digital signature", "server auth"]
    assert s["privateKey"]["algorithm"] == "ECDSA"
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    (tls,) = [v for v in pod["volumes"] if v["name"] == "tls"]
    assert tls["secret"]["secretName"] == s["secretName"]
    inject = f"{NS}/{serving['metadata']['name']}"
    for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        cfg = one(docs, kind)
        assert cfg["metadata"]["annotations"] == {"cert-manager.io/inject-ca-from": inject}
        assert all("caBundle" not in h["clientConfig"] for h in cfg["webhooks"])
    # the Certificates come before the Deployment that mounts their Secret
    kinds = [d["kind"] for d in docs]
    assert kinds.index("Certificate") < kinds.index("Deployment")


def test_no_ca_warns(capsys: pytest.CaptureFixture[str]) -> None:
    text, err = generate(capsys)
    assert err == (
        "hardhull: warning: no --ca-bundle and no --cert-manager: set caBundle in both webhook "
        "configurations before applying, or the API server cannot call the webhook\n"
    )
    assert f"kubectl -n {NS} create secret tls hardhull-admission-tls" in text


def test_user_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("default-mode: audit\n")
    docs = list(yaml.safe_load_all(generate(capsys, "--policy", str(policy))[0]))
    assert one(docs, "ConfigMap")["data"]["policy.yaml"] == "default-mode: audit\n"
    other = list(yaml.safe_load_all(generate(capsys)[0]))
    sha = "hardhull.dev/policy-sha256"
    ann = one(docs, "Deployment")["spec"]["template"]["metadata"]["annotations"][sha]
    assert ann != one(other, "Deployment")["spec"]["template"]["metadata"]["annotations"][sha]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--namespace", "Bad_NS"], "--namespace 'Bad_NS' is not a valid namespace name"),
        (["--replicas", "1"], "--replicas 1: at least 2"),
        (["--cert-manager", "--ca-bundle", "CA"], "--cert-manager and --ca-bundle exclude"),
        (["--ca-bundle", "NOTPEM"], "NOTPEM: no PEM certificate found"),
        (["--ca-bundle", "MISSING"], "cannot read MISSING: No such file or directory"),
        (["--apiserver-cidr", "0.0.0.0/0"], "--apiserver-cidr 0.0.0.0/0: that is every address"),
        (["--apiserver-cidr", "10.0.0.1/8"], "--apiserver-cidr '10.0.0.1/8': 10.0.0.1/8 has"),
        (["--policy", "BADPOLICY"], "BADPOLICY:1:"),
    ],
)
def test_bad_input(
    argv: list[str],
    message: str,
    ca_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "notpem").write_text("hello\n")
    (tmp_path / "bad-policy.yaml").write_text("default-mode: sometimes\n")
    subst = {
        "CA": str(ca_file),
        "NOTPEM": str(tmp_path / "notpem"),
        "MISSING": str(tmp_path / "missing"),
        "BADPOLICY": str(tmp_path / "bad-policy.yaml"),
    }
    argv = [subst.get(a, a) for a in argv]
    message = message.replace("NOTPEM", subst["NOTPEM"]).replace("MISSING", subst["MISSING"])
    message = message.replace("BADPOLICY", subst["BADPOLICY"])
    base = ["manifests", "--image", IMAGE]
    if "--namespace" not in argv:
        base += ["--namespace", NS]
    code, out, err = run([*base, *argv], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("hardhull: error: ")
    assert message in err


# --------------------------------------------------------------------------- the Dockerfile


def test_repository_dockerfile_scans_clean() -> None:
    result = scan([str(REPO / "Dockerfile")], ScanOptions(jobs=1))
    assert [(f.rule.code, f.location.line, f.message) for f in result.findings] == []
    assert result.errors == []
    assert result.skipped == []


def test_repository_dockerfile_shape() -> None:
    from hardhull.formats.dockerfile import parse_dockerfile

    df = parse_dockerfile((REPO / "Dockerfile").read_text(), "Dockerfile")
    assert df.warnings == []
    build, final = df.stages
    assert build.name == "build"
    assert build.base_image.startswith("python:3.11-slim-bookworm@sha256:")
    assert final.base_image.startswith("gcr.io/distroless/python3-debian12:nonroot@sha256:")
    keywords = [i.keyword for i in final.instructions]
    assert "RUN" not in keywords  # nothing runs in the runtime image: it has no shell
    (user,) = [i for i in final.instructions if i.keyword == "USER"]
    assert user.args_raw == "65532:65532"
    (entry,) = [i for i in final.instructions if i.keyword == "ENTRYPOINT"]
    assert entry.json_form == ["/usr/bin/python3", "-m", "hardhull"]
    (copy,) = [i for i in final.instructions if i.keyword == "COPY"]
    assert copy.flags == {"from": ["build"]}
    (health,) = [i for i in final.instructions if i.keyword == "HEALTHCHECK"]
    assert health.args_raw == "NONE"
    # the build context is an allow-list that holds what the builder copies
    ignore = (REPO / ".dockerignore").read_text().split("\n")
    rules = [line for line in ignore if line and not line.startswith("#")]
    assert rules[0] == "*"
    assert {"!pyproject.toml", "!README.md", "!src/"} <= set(rules)
    assert (REPO / "README.md").is_file()


def test_dockerfile_scan_really_judges_it(tmp_path: Path) -> None:
    """Control: the same Dockerfile with the runtime image by tag only gets exactly D003."""
    text = (REPO / "Dockerfile").read_text()
    lines = text.split("\n")
    (line,) = [n for n, t in enumerate(lines, 1) if t.startswith("FROM gcr.io/distroless/")]
    lines[line - 1] = lines[line - 1].split("@sha256:")[0]
    (tmp_path / "Dockerfile").write_text("\n".join(lines))
    (tmp_path / ".dockerignore").write_text((REPO / ".dockerignore").read_text())
    result = scan([str(tmp_path / "Dockerfile")], ScanOptions(jobs=1))
    assert [(f.rule.code, f.location.line, f.severity.name) for f in result.findings] == [
        ("D003", line, "LOW")
    ]
    assert result.findings[0].message == (
        "base image gcr.io/distroless/python3-debian12:nonroot is not pinned by digest"
    )


# --------------------------------------------------------------------------- verify-images

VERIFY_POLICY = """\
verify-images:
  - images: ["my-registry.example.com/*"]
    keys: [/etc/hardhull/verify-keys/cosign.pub]
    mutate-digest: true
"""


def test_verify_keys_and_registry_credentials(
    ca_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(VERIFY_POLICY)  # the key file exists in the pod only: not read here
    text, err = generate(
        capsys,
        "--ca-bundle", str(ca_file), "--policy", str(policy),
        "--verify-keys-secret", "cosign-keys", "--registry-credentials-secret", "regcred",
    )  # fmt: skip
    assert err == ""
    docs = list(yaml.safe_load_all(text))
    assert one(docs, "ConfigMap")["data"]["policy.yaml"] == VERIFY_POLICY
    spec = one(docs, "Deployment")["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    assert c["volumeMounts"][3:] == [
        {"name": "verify-keys", "mountPath": "/etc/hardhull/verify-keys", "readOnly": True},
        {"name": "registry-credentials", "mountPath": "/etc/hardhull/registry", "readOnly": True},
    ]
    assert {"name": "DOCKER_CONFIG", "value": "/etc/hardhull/registry"} in c["env"]
    assert spec["volumes"][3:] == [
        {"name": "verify-keys", "secret": {"secretName": "cosign-keys", "defaultMode": 0o440}},
        {
            "name": "registry-credentials",
            "secret": {
                "secretName": "regcred",
                "defaultMode": 0o440,
                "items": [{"key": ".dockerconfigjson", "path": "config.json"}],
            },
        },
    ]
    egress = [
        d
        for d in by_kind(docs, "NetworkPolicy")
        if d["metadata"]["name"].endswith("-to-registries")
    ]
    assert [e["spec"]["egress"] for e in egress] == [
        [
            {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
            {"ports": [{"port": 443, "protocol": "TCP"}]},
        ]
    ]
    result = scan_text(tmp_path, "admission.yaml", text)
    assert [(f.rule.code, f.message) for f in result.findings] == []
    assert result.objects == 11

    text, _ = generate(capsys, "--ca-bundle", str(ca_file), "--policy", str(policy),
                       "--verify-keys-configmap", "cosign-pub")  # fmt: skip
    spec = one(list(yaml.safe_load_all(text)), "Deployment")["spec"]["template"]["spec"]
    assert spec["volumes"][3:] == [
        {"name": "verify-keys", "configMap": {"name": "cosign-pub", "defaultMode": 0o444}}
    ]
    assert "DOCKER_CONFIG" not in str(spec["containers"][0]["env"])
    # without verify-images: no egress to registries
    docs = list(yaml.safe_load_all(generate(capsys, "--ca-bundle", str(ca_file))[0]))
    assert not [d for d in docs if d["metadata"]["name"].endswith("-to-registries")]


def test_verify_keys_not_mounted_warns(
    ca_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(VERIFY_POLICY)
    _, err = generate(capsys, "--ca-bundle", str(ca_file), "--policy", str(policy))
    assert err == (
        "hardhull: warning: verify-images names key files (/etc/hardhull/verify-keys/cosign.pub):"
        " mount them with --verify-keys-secret or --verify-keys-configmap and name them under "
        "/etc/hardhull/verify-keys/, or the webhook does not start\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--verify-keys-secret", "Bad_Name"],
            "--verify-keys-secret 'Bad_Name' is not a valid object name",
        ),
        (
            ["--registry-credentials-secret", "a..b"],
            "--registry-credentials-secret 'a..b' is not a valid",
        ),
        (
            ["--verify-keys-secret", "a", "--verify-keys-configmap", "b"],
            "not allowed with argument",
        ),
    ],
)
def test_verify_options_bad_input(
    argv: list[str], message: str, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["manifests", "--image", IMAGE, "--namespace", NS, "--ca-bundle", str(ca_file)]
    try:
        code, out, err = run([*base, *argv], capsys)
    except SystemExit as exc:  # argparse: mutually exclusive options
        code, (out, err) = int(exc.code or 0), capsys.readouterr()
    assert (code, out) == (2, "")
    assert message in err
