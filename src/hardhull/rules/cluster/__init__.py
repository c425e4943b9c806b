"""Cluster configuration rules (codes A001–A099): what the family's modules share.

The control plane is configured by files that are Kubernetes-style YAML: the static pod
manifests kubeadm writes (``kube-apiserver``, ``kube-controller-manager``, ``kube-scheduler``,
``etcd``), ``EncryptionConfiguration``, the audit ``Policy`` and ``KubeletConfiguration``.
They reach the checks through the Kubernetes front end like any manifest. The rules, by topic:

- control-plane flags (A001–A039), read with :mod:`hardhull.models.control_plane`:
  ``apiserver_auth`` (authentication, authorization), ``apiserver_admission`` (admission
  plugins), ``apiserver_audit_tls`` (audit log, encryption at rest, TLS to kubelets and etcd),
  ``components`` (flags of several components: profiling, bind address, weak TLS),
  ``controller_manager``, ``etcd``; ``flags`` holds the table rows and the generic check that
  the same-shaped flag rules share;
- ``kubelet`` (KubeletConfiguration, A040–A049), ``encryption`` (EncryptionConfiguration,
  A050–A059), ``audit`` (audit Policy, A060–A069), ``namespaces`` (Pod Security Admission
  labels, A070–A071).

This module holds the rule family, the documentation links several modules cite and
:func:`is_kind`.
"""

from __future__ import annotations

from typing import Any

from hardhull.models.workload import api_group
from hardhull.rulekit import RuleFamily

CIS = "CIS Kubernetes Benchmark v1.9 "
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, "
APISERVER_DOC = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"
KCM_DOC = (
    "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"
)
SCHED_DOC = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/"
ETCD_DOC = "https://etcd.io/docs/v3.5/op-guide/security/"
ETCD_K8S_DOC = "https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/"
KUBELET_DOC = "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"
KUBELET_TLS_DOC = (
    "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/"
)
PSA_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"
AUDIT_DOC = "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/"
ENCRYPT_DOC = "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"
GO_TLS_DOC = "https://pkg.go.dev/crypto/tls#InsecureCipherSuites"


cluster_rule = RuleFamily("control-plane", refs=(APISERVER_DOC,), cis_prefix=CIS, nsa_prefix=NSA)


def is_kind(obj: dict[str, Any], kind: str, group: str) -> bool:
    """``obj`` is ``kind`` of API group ``group`` (any version)."""
    av = obj.get("apiVersion")
    return obj.get("kind") == kind and isinstance(av, str) and "/" in av and api_group(av) == group
