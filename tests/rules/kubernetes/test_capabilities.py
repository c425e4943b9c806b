"""The workload rules of ``hardhull/rules/kubernetes/capabilities.py``:
K007, K008, K009, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import pytest

from tests.helpers.kubernetes import (
    APP,
    BASE,
    C0,
    CAPS_LINES,
    CTR_SC,
    HARDENED_INIT,
    check,
    ctr_sc,
    drop,
    edit,
    scan_text,
    spec,
    violations,
)


def test_k007_drop_missing() -> None:
    text = edit(BASE, ('drop: ["ALL"]', 'drop: ["NET_RAW"]'))
    check(
        text,
        ("K007", f"{C0}/securityContext/capabilities/drop", "drop:",
         f'{APP} does not drop ALL capabilities (capabilities.drop: ["ALL"])', "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [
        {"op": "add", "path": f"{C0}/securityContext/capabilities/drop/-", "value": "ALL"}
    ]


def test_k007_no_capabilities() -> None:
    text = drop(BASE, "        capabilities:\n", '          drop: ["ALL"]\n')
    check(
        text,
        ("K007", f"{C0}/securityContext", CTR_SC,
         f'{APP} does not drop ALL capabilities (capabilities.drop: ["ALL"])', "medium"),
    )  # fmt: skip


def test_k007_lowercase_all_counts() -> None:
    # containerd and CRI-O compare "ALL" case-insensitively
    assert scan_text(edit(BASE, ('drop: ["ALL"]', "drop: [all]"))) == []


@pytest.mark.parametrize(
    ("cap", "name", "severity"),
    [
        ("SYS_ADMIN", "SYS_ADMIN", "critical"),
        ("ALL", "ALL", "critical"),
        ("CAP_SYS_ADMIN", "SYS_ADMIN", "critical"),
        ("sys_module", "SYS_MODULE", "high"),
        ("cap_net_admin", "NET_ADMIN", "high"),
        ("SYS_PTRACE", "SYS_PTRACE", "high"),
        ("BPF", "BPF", "high"),
        ("NET_RAW", "NET_RAW", "medium"),
    ],
)
def test_k008_dangerous_capability(cap: str, name: str, severity: str) -> None:
    text = ctr_sc(f"capabilities: {{drop: [ALL], add: [{cap}]}}", drop(BASE, *CAPS_LINES))
    check(
        text,
        ("K008", f"{C0}/securityContext/capabilities/add/0", (f"{cap}]", 1 + (cap == "ALL")),
         f"{APP} adds capability {name}", severity),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cap", "name", "severity"),
    [
        ("CHOWN", "CHOWN", "low"),
        ("cap_setuid", "SETUID", "low"),
        ("IPC_LOCK", "IPC_LOCK", "medium"),
    ],
)
def test_k009_other_capability(cap: str, name: str, severity: str) -> None:
    text = ctr_sc(f"capabilities: {{drop: [ALL], add: [{cap}]}}", drop(BASE, *CAPS_LINES))
    check(
        text,
        ("K009", f"{C0}/securityContext/capabilities/add/0", f"{cap}]",
         f"{APP} adds capability {name}", severity),
    )  # fmt: skip


def test_k008_k009_net_bind_service_is_fine() -> None:
    text = ctr_sc("capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}", drop(BASE, *CAPS_LINES))
    assert scan_text(text) == []


def test_k008_init_container() -> None:
    # init containers run with the pod's network namespace too: NET_RAW there is the same risk
    init = HARDENED_INIT.replace('drop: ["ALL"]', 'drop: ["ALL"]\n        add: ["NET_RAW"]')
    text = spec(init)
    check(
        text,
        ("K008", "/spec/initContainers/0/securityContext/capabilities/add/0", '"NET_RAW"',
         'init container "init" adds capability NET_RAW', "medium"),
    )  # fmt: skip
