"""The workload rules of ``hardhull/rules/kubernetes/sysctls.py``:
K022, K039, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import pytest

from tests.helpers.kubernetes import (
    check,
    pod_sc,
    scan_text,
    violations,
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


CR8 = "1+kernel.core_pattern=|/var/lib/containers/storage/overlay/3ef1/diff/malicious.sh #"


def test_k039_sysctl_value_injection() -> None:
    text = pod_sc(
        f"""
        sysctls:
          - {{name: kernel.shm_rmid_forced, value: "{CR8}"}}
          - {{name: net.ipv4.tcp_syncookies, value: "1=1"}}
          - {{name: net.ipv4.ping_group_range, value: "0 2147483647+"}}
          - {{name: net.ipv4.ip_local_port_range, value: "32768 60999"}}
        """
    )
    check(
        text,
        ("K039", "/spec/securityContext/sysctls/0/value", 'value: "1+',
         "the value of sysctl 'kernel.shm_rmid_forced' sets another kernel parameter through "
         "the runtime (cr8escape, CVE-2022-0811)", "critical"),
        ("K039", "/spec/securityContext/sysctls/1/value", 'value: "1=1"',
         "the value of sysctl 'net.ipv4.tcp_syncookies' contains '+' or '=', which a vulnerable "
         "runtime reads as a separator", "high"),
        ("K039", "/spec/securityContext/sysctls/2/value", 'value: "0 2147483647+"',
         "the value of sysctl 'net.ipv4.ping_group_range' contains '+' or '=', which a "
         "vulnerable runtime reads as a separator", "high"),
    )  # fmt: skip


def test_k039_fix_keeps_the_plain_value() -> None:
    text = pod_sc(f'sysctls: [{{name: kernel.shm_rmid_forced, value: "{CR8}"}}]')
    (v,) = [v for v in violations(text) if v.code == "K039"]
    ptr = "/spec/securityContext/sysctls/0/value"
    assert v.fix == [{"op": "replace", "path": ptr, "value": "1"}]
    # nothing before the separator: no value to keep, no patch
    text = pod_sc('sysctls: [{name: kernel.shm_rmid_forced, value: "+kernel.x=1"}]')
    assert [(v.code, v.fix) for v in violations(text) if v.code == "K039"] == [("K039", None)]


@pytest.mark.parametrize(
    "value",
    ["1", "32768 60999", "0\t2147483647", "4096 87380 6291456", "bbr", "reno cubic", "-1",
     "fe80::1", "net.ipv4.x", "10.0.0.0/8", ""],
)  # fmt: skip
def test_k039_ordinary_values(value: str) -> None:
    text = pod_sc(f"sysctls: [{{name: net.ipv4.tcp_congestion_control, value: {value!r}}}]")
    assert [v for v in violations(text) if v.code == "K039"] == []


def test_k039_other_value_types_are_ignored() -> None:
    # the API server rejects a value that is not a string; nothing to judge here
    text = pod_sc("sysctls: [{name: kernel.shm_rmid_forced, value: 1}, {name: x}, '+=']")
    assert [v for v in violations(text) if v.code == "K039"] == []
