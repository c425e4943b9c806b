# ruff: noqa: E501  (the table of exact error messages reads best one case a line)
"""The admission policy file: defaults, merging, and exact errors naming file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hardhull.admission.policy import (
    AUDIT,
    ENFORCE,
    OFF,
    WARN,
    Policy,
    PolicyError,
    default_policy,
    default_policy_yaml,
    load_policy,
    own_namespace,
    parse_policy,
)
from hardhull.model import Severity
from hardhull.pss.levels import LevelVersion
from tests.conftest import ROOT


def test_default_policy() -> None:
    p = default_policy("hardhull")
    assert p.exempt_namespaces == {"kube-system", "hardhull"}
    assert p.mode("K100", Severity.MEDIUM) == ENFORCE  # restricted PSS, whatever its severity
    assert p.mode("K001", Severity.CRITICAL) == ENFORCE
    assert p.mode("K004", Severity.HIGH) == ENFORCE
    assert p.mode("K002", Severity.MEDIUM) == WARN
    assert p.mode("K030", Severity.LOW) == WARN
    assert p.pss == LevelVersion("restricted", 37)
    assert (p.updates, p.on_error, p.mutate, p.object_exemptions) == (
        "all",
        "deny",
        frozenset(),
        frozenset(),
    )
    assert (p.timeout_ms, p.max_body_bytes) == (2000, 8 * 1024 * 1024)


def test_default_policy_yaml_is_the_default_policy() -> None:
    parsed = parse_policy(default_policy_yaml("hardhull"), "d.yaml", "hardhull")
    assert parsed == Policy(**{**default_policy("hardhull").__dict__, "source": "d.yaml"})


def test_empty_file_is_the_default() -> None:
    assert parse_policy("", "e.yaml") == Policy(**{**default_policy().__dict__, "source": "e.yaml"})
    assert parse_policy("# nothing\n", "e.yaml").rules == {"K100": ENFORCE}


def test_sample_policy() -> None:
    p = load_policy(str(ROOT / "examples" / "admission" / "policy.yaml"), "hardhull")
    assert p.rules == {"K100": ENFORCE, "K027": ENFORCE, "K030": AUDIT}
    assert p.mode("K031", Severity.MEDIUM) == OFF
    assert p.mode("K028", Severity.INFO) == WARN
    assert p.severity == {"K028": Severity.INFO}
    assert p.exempt_namespaces == {"kube-system", "kube-public", "kube-node-lease", "hardhull"}
    assert p.object_exemptions == {"K005", "K028", "K032", "K033"}
    assert p.mutate == {"K002", "K010"} and p.mutate_guarded == {"K030"}
    assert p.updates == "new-violations-only"


def test_modes_merge_over_the_defaults() -> None:
    p = parse_policy(
        "severity-modes: {high: warn, medium: audit}\nrules: {K001: warn, k027: enforce}\n"
        "default-mode: off\n"
    )
    assert p.mode("K100", Severity.MEDIUM) == ENFORCE  # kept from the default rules
    assert p.mode("K001", Severity.CRITICAL) == WARN  # rules beat severity-modes
    assert p.mode("K027", Severity.MEDIUM) == ENFORCE  # codes are case-insensitive
    assert p.mode("K004", Severity.HIGH) == WARN
    assert p.mode("K014", Severity.CRITICAL) == ENFORCE  # critical kept from the default
    assert p.mode("K002", Severity.MEDIUM) == AUDIT
    assert p.mode("K030", Severity.LOW) == OFF  # bare `off` (YAML false) is accepted
    assert p.off_codes == frozenset()


def test_disable_wins_over_default_rules_and_is_off() -> None:
    p = parse_policy("disable: [K100, K030]\nrules: {K001: off}\n")
    assert p.mode("K100", Severity.HIGH) == OFF
    assert p.off_codes == {"K100", "K030", "K001"}


def test_namespaces_users_groups() -> None:
    p = parse_policy(
        "exempt-namespaces: [monitoring]\nexempt-users: [ci]\n"
        "exempt-groups: ['system:serviceaccounts:kube-system']\n",
        namespace="hardhull",
    )
    assert p.exempt_namespaces == {"monitoring", "hardhull"}  # the own namespace always
    assert p.exempt_users == {"ci"}
    assert p.exempt_groups == {"system:serviceaccounts:kube-system"}


def test_on_error_alias_and_exemptions() -> None:
    assert parse_policy("onError: allow\n").on_error == "allow"
    assert parse_policy("allow-object-exemptions: true\n").allows_object_exemption("K001")
    p = parse_policy("allow-object-exemptions: [k005]\n")
    assert p.allows_object_exemption("K005") and not p.allows_object_exemption("K001")


def test_own_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POD_NAMESPACE", "from-env")
    assert own_namespace("flag") == "flag"
    assert own_namespace(None) == "from-env"
    monkeypatch.delenv("POD_NAMESPACE")
    assert own_namespace(None) is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "rules:\n  K001: enforce\n  K999: warn\n",
            "p.yaml:3: unknown rule code 'K999' (see: hardhull rules)",
        ),
        (
            "default-mode: block\n",
            "p.yaml:1: 'default-mode' is 'block'; expected one of enforce, warn, audit, off",
        ),
        (
            "rules:\n  K001: deny\n",
            "p.yaml:2: mode of K001 is 'deny'; expected one of enforce, warn, audit, off",
        ),
        (
            "severity-modes:\n  urgent: enforce\n",
            "p.yaml:2: unknown severity 'urgent'; expected one of info, low, medium, high, critical",
        ),
        (
            "a: [\n",
            "p.yaml:2: invalid YAML: YAML syntax error: did not find expected node content (while parsing a flow node)",
        ),
        (
            "pss-level: strict\n",
            "p.yaml:1: invalid Pod Security level 'strict': use privileged, baseline, restricted",
        ),
        ("pss-version: 1.30\n", "p.yaml:1: 'pss-version' must be a string: quote it (\"v1.30\")"),
        (
            "pss-version: v2.0\n",
            "p.yaml:1: invalid Pod Security version 'v2.0': use v1.N or latest",
        ),
        (
            "updates: some\n",
            "p.yaml:1: 'updates' is 'some'; expected one of all, new-violations-only",
        ),
        (
            "updates: all\nnamespaceSelector: {}\n",
            "p.yaml:2: 'namespaceSelector' is not a policy key: the AdmissionReview does not carry namespace labels: put a namespaceSelector on the Validating/MutatingWebhookConfiguration instead",
        ),
        (
            "rules: {K001: warn}\ndisable: [K001]\n",
            "p.yaml:2: K001 is both disabled and set to warn under 'rules'",
        ),
        (
            "mutate:\n  - K002\n  - K004\n",
            "p.yaml:3: K004 has no automatic fix; rules with one: K001, K002, K003, K006, K007, K010, K014, K015, K016, K030",
        ),
        ("max-body-bytes: -1\n", "p.yaml:1: 'max-body-bytes' must be a positive integer"),
        ("timeout-ms: 40000\n", "p.yaml:1: 'timeout-ms' must be at most 29000"),
        (
            "allow-object-exemptions: yes please\n",
            "p.yaml:1: 'allow-object-exemptions' must be true, false or a list of rule codes",
        ),
        ("a: 1\n---\nb: 2\n", "p.yaml:2: a policy file holds one YAML document"),
        ("- x\n", "p.yaml:1: the policy must be a mapping of keys to values"),
        (
            "onError: allow\non-error: deny\n",
            "p.yaml:1: 'onError' and 'on-error' both given: keep 'on-error'",
        ),
        (
            "fail-on: high\n",
            "p.yaml:1: 'fail-on' is not a policy key: use severity-modes (e.g. {high: enforce, critical: enforce})",
        ),
        (
            "exempt-groups:\n  - admins\n  - 1\n",
            "p.yaml:3: 'exempt-groups' must be a list of non-empty strings",
        ),
        (
            "severity: {K001: huge}\n",
            "p.yaml:1: severity of K001: unknown severity 'huge'; expected one of info, low, medium, high, critical",
        ),
        ("on-error: maybe\n", "p.yaml:1: 'on-error' is 'maybe'; expected one of allow, deny"),
        (
            "# c\nmode: warn\n",
            "p.yaml:2: unknown key 'mode'; known: allow-object-exemptions, default-mode, disable, exempt-groups, exempt-namespaces, exempt-users, max-body-bytes, mutate, on-error, pss-level, pss-version, rules, severity, severity-modes, timeout-ms, updates, verify-images, verify-images-cache, verify-images-concurrency, verify-images-insecure-registries",
        ),
    ],
)
def test_policy_errors(text: str, error: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    assert str(info.value) == error


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(str(tmp_path / "missing.yaml"))
    assert str(info.value) == f"{tmp_path / 'missing.yaml'}: cannot read: No such file or directory"


def test_serve_refuses_a_bad_policy_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("rules:\n  K001: maybe\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "admission", "serve", "--config", str(bad),
         "--tls-cert", "x.crt", "--tls-key", "x.key"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == (
        f"hardhull: policy error: {bad}:2: mode of K001 is 'maybe'; expected one of enforce, "
        "warn, audit, off\n"
    )


def test_serve_refuses_unusable_certificates(tmp_path: Path) -> None:
    cert = tmp_path / "tls.crt"
    cert.write_text("not a certificate\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "admission", "serve",
         "--tls-cert", str(cert), "--tls-key", str(tmp_path / "none.key")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("hardhull: TLS error: ")
    assert "none.key" in proc.stderr or "tls.crt" in proc.stderr
