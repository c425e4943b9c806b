"""The workload rules of ``hardhull/rules/kubernetes/sysctls.py``:
K022, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

from tests.helpers.kubernetes import (
    check,
    pod_sc,
    scan_text,
)


def test_k022_sysctls() -> None:
    text = pod_sc(
        """
        sysctls:
          - {name: net.ipv4.tcp_syncookies, value: "1"}
          - {name: net/ipv4/ip_local_port_range, value: "1024 65000"}
          - {name: kernel.msgmax, value: "65536"}
          - {name: net.core.somaxconn, value: "1024"}
          - {name: vm.max_map_count, value: "262144"}
        """
    )
    check(
        text,
        ("K022", "/spec/securityContext/sysctls/2/name", "name: kernel.msgmax",
         "pod sets unsafe sysctl 'kernel.msgmax'", "medium"),
        ("K022", "/spec/securityContext/sysctls/3/name", "name: net.core",
         "pod sets unsafe sysctl 'net.core.somaxconn'", "medium"),
        ("K022", "/spec/securityContext/sysctls/4/name", "name: vm",
         "pod sets unsafe sysctl 'vm.max_map_count' (node-wide)", "high"),
    )  # fmt: skip


def test_k022_safe_sysctls() -> None:
    text = pod_sc("sysctls: [{name: kernel.shm_rmid_forced, value: '1'}, "
                  "{name: net/ipv4/ping_group_range, value: '0 2147483647'}]")  # fmt: skip
    assert scan_text(text) == []
