"""KubeletConfiguration, EncryptionConfiguration, audit Policy and Namespace checks
(A040–A071): exact findings both ways on real files."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT
from tests.helpers.cluster import cluster_findings, line

KUBELET_MINIMAL = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
"""


def test_kubelet_defaults_of_the_file_are_secure(tmp_path: Path) -> None:
    # unset: anonymous off, Webhook authorization, read-only port 0 (the file's defaults);
    # only the two settings whose file default is weak are reported, on `kind:`
    assert cluster_findings(tmp_path, KUBELET_MINIMAL) == [
        ("A044", 2, 1, "the kubelet does not set protectKernelDefaults: true: it may override "
         "kernel hardening", "low"),
        ("A048", 2, 1, "the kubelet sets no per-pod PID limit (podPidsLimit)", "info"),
    ]  # fmt: skip


def test_kubelet_insecure_settings(tmp_path: Path) -> None:
    text = KUBELET_MINIMAL + (
        "authentication:\n  anonymous:\n    enabled: true\n"
        "authorization:\n  mode: AlwaysAllow\n"
        "readOnlyPort: 10255\nmakeIPTablesUtilChains: false\nrotateCertificates: false\n"
        "featureGates:\n  RotateKubeletServerCertificate: false\n"
        "protectKernelDefaults: false\npodPidsLimit: -1\n"
        "tlsMinVersion: VersionTLS10\n"
        "tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_RC4_128_SHA]\n"
    )
    assert cluster_findings(tmp_path, text) == [
        ("A040", 6, 5, "the kubelet serves anonymous requests on its API (port 10250)", "high"),
        ("A041", 8, 3, "the kubelet authorizes every request: anyone (anonymous access is on) "
         "can exec into the node's pods", "critical"),
        ("A042", 9, 1, "the kubelet serves pod specs and metrics unauthenticated on port 10255",
         "medium"),
        ("A044", line(text, "protectKernelDefaults"), 1, "the kubelet sets "
         "protectKernelDefaults: false: it may override kernel hardening", "low"),
        ("A045", 10, 1, "the kubelet does not manage its iptables utility chains", "low"),
        ("A046", 11, 1, "the kubelet does not rotate its client certificate", "low"),
        ("A046", 13, 3, "the kubelet disables the RotateKubeletServerCertificate feature gate",
         "low"),
        ("A047", line(text, "tlsMinVersion"), 1, "the kubelet accepts VersionTLS10", "low"),
        ("A047", line(text, "tlsCipherSuites"), 58, "the kubelet allows the insecure cipher "
         "suite TLS_ECDHE_RSA_WITH_RC4_128_SHA", "low"),
        ("A048", line(text, "podPidsLimit"), 1,
         "the kubelet sets no per-pod PID limit (podPidsLimit)", "info"),
    ]  # fmt: skip
    # AlwaysAllow without anonymous access: high, not critical
    text = KUBELET_MINIMAL + "authorization:\n  mode: AlwaysAllow\nprotectKernelDefaults: true\n"
    text += "podPidsLimit: 4096\n"
    assert cluster_findings(tmp_path, text) == [
        ("A041", 5, 3, "the kubelet authorizes every request: any authenticated caller can exec "
         "into the node's pods", "high"),
    ]  # fmt: skip


def test_kubelet_lookalikes_are_ignored(tmp_path: Path) -> None:
    # the same kind in another group is someone else's schema
    text = KUBELET_MINIMAL.replace("kubelet.config.k8s.io/v1beta1", "example.com/v1")
    assert cluster_findings(tmp_path, text + "readOnlyPort: 10255\n") == []


ENC_HEAD = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n"


def test_encryption_identity_first_and_example_keys(tmp_path: Path) -> None:
    text = (
        ENC_HEAD
        + """\
resources:
  - resources:
      - secrets
    providers:
      - identity: {}
      - aescbc:
          keys:
            - name: key1
              secret: c2VjcmV0IGlzIHNlY3VyZQ==
"""
    )
    assert cluster_findings(tmp_path, text) == [
        ("A050", 7, 9, "Secrets (selected by 'secrets') are written in plain text: the first "
         "provider is identity", "high"),
        ("A052", 11, 15, "the file holds 1 encryption key in clear: protect it like the Secrets "
         "it encrypts (or use KMS v2)", "info"),
        ("A053", 11, 15, "aescbc key 'c2VjcmV0IGlzIHNlY3VyZQ==' is published in the Kubernetes "
         "docs", "high"),
    ]  # fmt: skip


def test_encryption_wildcards_and_order(tmp_path: Path) -> None:
    # events opted out before the *.* wildcard: Secrets fall to *.*, encrypted with KMS v2
    text = (
        ENC_HEAD
        + """\
resources:
  - resources: [events]
    providers:
      - identity: {}
  - resources: ['*.*']
    providers:
      - kms: {apiVersion: v2, name: kms, endpoint: 'unix:///kms.sock'}
      - identity: {}
"""
    )
    assert cluster_findings(tmp_path, text) == []
    # `*.apps` does not select Secrets (core group): nothing does
    text = (
        ENC_HEAD
        + """\
resources:
  - resources: ['*.apps']
    providers:
      - secretbox:
          keys:
            - {name: k1, secret: 'dGhpcyBpcyBhIHJhbmRvbSAzMi1ieXRlIGtleSEhISE='}
"""
    )
    assert cluster_findings(tmp_path, text) == [
        ("A050", 3, 1, "no resources entry selects Secrets: they are stored unencrypted", "high"),
        ("A052", 8, 26, "the file holds 1 encryption key in clear: protect it like the Secrets "
         "it encrypts (or use KMS v2)", "info"),
    ]  # fmt: skip
    # the core-group wildcard `*.` selects Secrets; first provider aescbc, then aesgcm, kms v1
    text = (
        ENC_HEAD
        + """\
resources:
  - resources: ['*.']
    providers:
      - aescbc:
          keys: [{name: k, secret: 'dGhpcyBpcyBhIHJhbmRvbSAzMi1ieXRlIGtleSEhISE='}]
  - resources: [deployments.apps]
    providers:
      - aesgcm:
          keys: [{name: k, secret: 'dGhpcyBpcyBhIHJhbmRvbSAzMi1ieXRlIGtleSEhISE='}]
  - resources: ['*.*']
    providers:
      - kms: {name: old, endpoint: 'unix:///kms.sock'}
"""
    )
    assert cluster_findings(tmp_path, text) == [
        ("A051", line(text, "aescbc"), 9, "*. encrypted with aescbc (weak: CBC padding oracle)",
         "low"),
        ("A051", line(text, "- kms"), 9, "*.* encrypted with KMS v1 (deprecated, disabled by "
         "default since Kubernetes 1.29): set apiVersion: v2", "low"),
        ("A052", line(text, "aescbc") + 1, 28, "the file holds 2 encryption keys in clear: "
         "protect it like the Secrets it encrypts (or use KMS v2)", "info"),
        ("A054", line(text, "aesgcm"), 9, "deployments.apps encrypted with aesgcm: rotate its "
         "key automatically (at least every 200,000 writes)", "info"),
    ]  # fmt: skip


AUDIT_HEAD = "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n"


def test_audit_policy_that_logs_nothing(tmp_path: Path) -> None:
    assert cluster_findings(tmp_path, AUDIT_HEAD + "rules: []\n") == [
        ("A060", 4, 1, "the audit policy records nothing: it has no rules", "medium"),
    ]
    text = AUDIT_HEAD + "rules:\n  - level: None\n    users: [admin]\n  - level: None\n"
    assert cluster_findings(tmp_path, text) == [
        ("A060", 4, 1, "the audit policy records nothing: every rule has level None", "medium"),
    ]


def test_audit_policy_body_levels(tmp_path: Path) -> None:
    # GKE's pattern: reads at Request level carry no body; writes at RequestResponse do
    text = (
        AUDIT_HEAD
        + """\
rules:
  - level: Metadata
    users: [alice]
    resources: [{group: "", resources: [secrets]}]
  - level: Request
    verbs: [get, list, watch]
  - level: RequestResponse
    resources: [{group: "", resources: [secrets, configmaps]}]
  - level: Metadata
"""
    )
    assert cluster_findings(tmp_path, text) == [
        ("A061", line(text, "level: RequestResponse"), 5, "rule 2 logs RequestResponse bodies "
         "of secrets (create, update, patch); configmaps (create, update, patch): their values "
         "end up in the audit log", "high"),
    ]  # fmt: skip
    # only ConfigMaps: medium
    text = (
        AUDIT_HEAD
        + """\
rules:
  - level: Metadata
    resources: [{group: "", resources: [secrets, serviceaccounts/token]}]
  - level: Metadata
    resources: [{group: authentication.k8s.io, resources: [tokenreviews]}]
  - level: Request
"""
    )
    assert cluster_findings(tmp_path, text) == [
        ("A061", line(text, "level: Request"), 5, "rule 2 logs Request bodies of configmaps "
         "(create, update, patch): their values end up in the audit log", "medium"),
    ]  # fmt: skip


def test_audit_policy_exec_and_rbac_gaps(tmp_path: Path) -> None:
    # a None rule for exec swallows it for everyone; a user-scoped None rule does not
    text = (
        AUDIT_HEAD
        + """\
rules:
  - level: None
    users: ["system:serviceaccount:ci:deployer"]
  - level: None
    resources:
      - group: ""
        resources: ["pods/*"]
  - level: Metadata
    resources:
      - group: ""
      - group: apps
"""
    )
    assert cluster_findings(tmp_path, text) == [
        ("A062", line(text, "level: None", 2), 5, "a level None rule drops create pods/exec, "
         "get pods/exec, create pods/attach, get pods/attach, create pods/portforward, get "
         "pods/portforward", "medium"),
        ("A063", 4, 1, "no rule records RBAC changes (create, update, patch, delete of "
         "clusterroles, clusterrolebindings, roles, rolebindings)", "low"),
    ]  # fmt: skip


def test_audit_policy_documented_example_is_clean(tmp_path: Path) -> None:
    text = ROOT / "examples/cluster-config/hardened/audit-policy.yaml"
    assert cluster_findings(tmp_path, text.read_text()) == []
    # without omitStages: one info finding on `kind:`
    no_omit = text.read_text().replace("omitStages:\n  - RequestReceived\n", "")
    assert cluster_findings(tmp_path, no_omit) == [
        ("A064", line(no_omit, "kind: Policy"), 1,
         "the policy records every request twice (RequestReceived not omitted)", "info"),
    ]  # fmt: skip


def test_policy_of_another_group_is_ignored(tmp_path: Path) -> None:
    text = "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: p, namespace: a}\nspec: {}\n"
    assert cluster_findings(tmp_path, text) == []


NAMESPACES = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
  labels:
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: node-agents
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
apiVersion: v1
kind: Namespace
metadata:
  name: web
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Namespace
metadata:
  name: kube-system
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
apiVersion: v1
kind: Namespace
metadata:
  name: kube-public
"""


def test_namespace_pod_security_labels(tmp_path: Path) -> None:
    assert cluster_findings(tmp_path, NAMESPACES) == [
        ("A070", 3, 1, "namespace 'shop' has no pod-security.kubernetes.io/enforce label: the "
         "cluster default (privileged unless configured) admits any pod", "medium"),
        ("A070", 10, 3, "namespace 'monitoring' has no pod-security.kubernetes.io/enforce "
         "label: the cluster default (privileged unless configured) admits any pod (warn only "
         "report violations)", "medium"),
        ("A071", 18, 5, "namespace 'node-agents' enforces the privileged Pod Security Standard: "
         "any pod, including privileged pods with host access, is admitted", "medium"),
    ]  # fmt: skip
