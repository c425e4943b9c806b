"""The bundled cluster configuration examples: the insecure files trip exactly these A rules
(messages are asserted rule by rule in tests/rules/cluster/test_checks.py and
tests/rules/cluster/test_config_files.py),
the hardened ones none."""

from __future__ import annotations

import os

from hardhull.engine import ScanOptions, scan
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "cluster-config"

INSECURE = [
    ('audit-policy.yaml', 'A064', 4, 1, 'info'),
    ('audit-policy.yaml', 'A062', 6, 5, 'medium'),
    ('audit-policy.yaml', 'A061', 10, 5, 'high'),
    ('control-plane.yaml', 'A020', 13, 5, 'medium'),
    ('control-plane.yaml', 'A021', 13, 5, 'medium'),
    ('control-plane.yaml', 'A010', 17, 7, 'low'),
    ('control-plane.yaml', 'A022', 21, 7, 'low'),
    ('control-plane.yaml', 'A009', 24, 7, 'low'),
    ('control-plane.yaml', 'A015', 25, 7, 'low'),
    ('control-plane.yaml', 'A009', 40, 5, 'low'),
    ('control-plane.yaml', 'A010', 40, 5, 'low'),
    ('control-plane.yaml', 'A030', 60, 5, 'high'),
    ('control-plane.yaml', 'A033', 60, 5, 'high'),
    ('control-plane.yaml', 'A031', 63, 7, 'medium'),
    ('control-plane.yaml', 'A032', 70, 7, 'medium'),
    ('encryption-config.yaml', 'A050', 10, 9, 'high'),
    ('encryption-config.yaml', 'A052', 14, 15, 'info'),
    ('encryption-config.yaml', 'A053', 14, 15, 'high'),
    ('encryption-config.yaml', 'A051', 18, 9, 'low'),
    ('kube-apiserver.yaml', 'A009', 16, 5, 'low'),
    ('kube-apiserver.yaml', 'A011', 16, 5, 'medium'),
    ('kube-apiserver.yaml', 'A013', 16, 5, 'medium'),
    ('kube-apiserver.yaml', 'A014', 16, 5, 'medium'),
    ('kube-apiserver.yaml', 'A001', 20, 7, 'medium'),
    ('kube-apiserver.yaml', 'A003', 21, 7, 'critical'),
    ('kube-apiserver.yaml', 'A005', 23, 7, 'high'),
    ('kube-apiserver.yaml', 'A006', 23, 7, 'medium'),
    ('kube-apiserver.yaml', 'A007', 23, 7, 'low'),
    ('kube-apiserver.yaml', 'A018', 25, 7, 'high'),
    ('kube-apiserver.yaml', 'A016', 32, 7, 'medium'),
    ('kube-apiserver.yaml', 'A015', 37, 7, 'low'),
    ('kube-apiserver.yaml', 'A002', 38, 7, 'high'),
    ('kubelet-config.yaml', 'A044', 3, 1, 'low'),
    ('kubelet-config.yaml', 'A048', 3, 1, 'info'),
    ('kubelet-config.yaml', 'A040', 6, 5, 'high'),
    ('kubelet-config.yaml', 'A041', 10, 3, 'critical'),
    ('kubelet-config.yaml', 'A042', 11, 1, 'medium'),
    ('kubelet-config.yaml', 'A045', 12, 1, 'low'),
    ('kubelet-config.yaml', 'A046', 13, 1, 'low'),
    ('kubelet-config.yaml', 'A047', 14, 1, 'low'),
    ('kubelet-config.yaml', 'A047', 17, 5, 'low'),
    ('namespaces.yaml', 'A070', 3, 1, 'medium'),
    ('namespaces.yaml', 'A071', 11, 5, 'medium'),
]  # fmt: skip


def test_insecure_cluster_config_exact_findings() -> None:
    result = scan([str(EXAMPLES / "insecure")], ScanOptions(jobs=1))
    assert [e for e in result.errors if not e.message.startswith("internal error in ")] == []
    got = sorted(
        (os.path.basename(f.location.path), f.code, f.location.line, f.location.column,
         f.severity.label)
        for f in result.findings
        if f.code.startswith("A")
    )  # fmt: skip
    assert got == sorted(INSECURE)
    assert result.objects == 9


def test_hardened_cluster_config_is_clean() -> None:
    result = scan([str(EXAMPLES / "hardened")], ScanOptions(jobs=1))
    assert [f for f in result.findings if f.code.startswith("A")] == []
    assert result.objects == 9
