"""The workload rules of ``hardhull/rules/kubernetes/privileges.py``:
K001, K002, K023, positive and negative, with the exact findings.

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
    CTR_SC,
    IMAGE,
    WINDOWS_BASE,
    WINDOWS_USER,
    check,
    ctr_sc,
    drop,
    edit,
    scan_text,
    spec,
    violations,
)


def test_k001_privileged() -> None:
    text = ctr_sc("privileged: true")
    check(
        text,
        ("K001", f"{C0}/securityContext/privileged", "privileged", f"{APP} runs privileged",
         "critical"),
    )  # fmt: skip


@pytest.mark.parametrize("value", ["false", '"true"', "'yes'", "1"])
def test_k001_not_privileged(value: str) -> None:
    # a quoted "true" is a string: the API server rejects the pod, it never runs privileged
    assert scan_text(ctr_sc(f"privileged: {value}")) == []


def test_k001_init_and_ephemeral_containers() -> None:
    text = spec(
        """
        initContainers:
          - name: setup
            image: @IMG@
            securityContext: {privileged: true, allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
            resources: {requests: {cpu: 1m, memory: 1Mi}, limits: {cpu: 1m, memory: 1Mi}}
        ephemeralContainers:
          - name: debugger
            image: @IMG@
            securityContext: {privileged: true, allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        """.replace("@IMG@", IMAGE)
    )
    check(
        text,
        ("K001", "/spec/initContainers/0/securityContext/privileged", ("privileged", 1),
         'init container "setup" runs privileged', "critical"),
        ("K001", "/spec/ephemeralContainers/0/securityContext/privileged", ("privileged", 2),
         'ephemeral container "debugger" runs privileged', "critical"),
    )  # fmt: skip


def test_k002_missing() -> None:
    text = drop(BASE, "        allowPrivilegeEscalation: false\n")
    check(
        text,
        ("K002", f"{C0}/securityContext", CTR_SC,
         f"{APP} does not disable privilege escalation (set allowPrivilegeEscalation: false)",
         "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [
        {"op": "add", "path": f"{C0}/securityContext/allowPrivilegeEscalation", "value": False}
    ]


def test_k002_true() -> None:
    text = edit(BASE, ("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"))
    check(
        text,
        ("K002", f"{C0}/securityContext/allowPrivilegeEscalation", "allowPrivilegeEscalation",
         f"{APP} allows privilege escalation (set allowPrivilegeEscalation: false)", "medium"),
    )  # fmt: skip


def test_k002_privileged_has_no_fix() -> None:
    # the API server rejects allowPrivilegeEscalation: false next to privileged: true
    text = ctr_sc("privileged: true", drop(BASE, "        allowPrivilegeEscalation: false\n"))
    assert sorted((v.code, v.fix) for v in violations(text)) == [
        ("K001", [{"op": "replace", "path": f"{C0}/securityContext/privileged", "value": False}]),
        ("K002", None),
    ]


def test_k002_windows_is_skipped() -> None:
    text = spec("os: {name: windows}", drop(BASE, "        allowPrivilegeEscalation: false\n"))
    assert scan_text(text) == []


def test_k023_host_process() -> None:
    host = "    windowsOptions: {hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM'}\n"
    text = edit(WINDOWS_BASE, (WINDOWS_USER, host))
    check(
        text,
        ("K023", "/spec/securityContext/windowsOptions/hostProcess", "hostProcess",
         "pod is a HostProcess container", "high"),
    )  # fmt: skip
    ctr_host = "      securityContext: {windowsOptions: {hostProcess: true}}\n"
    text = edit(WINDOWS_BASE, ("      securityContext:\n", ctr_host))
    check(
        text,
        ("K023", f"{C0}/securityContext/windowsOptions/hostProcess", "hostProcess",
         f"{APP} is a HostProcess container", "high"),
    )  # fmt: skip
    off = "    windowsOptions: {hostProcess: false, runAsUserName: ContainerUser}\n"
    assert scan_text(edit(WINDOWS_BASE, (WINDOWS_USER, off))) == []
