"""The workload rules of ``hardhull/rules/kubernetes/users.py``:
K003, K004, K005, K034, positive and negative, with the exact findings.

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
    HARDENED_INIT,
    NO_POD_USER,
    check,
    ctr_sc,
    drop,
    edit,
    pod_sc,
    scan_text,
    spec,
    violations,
)


def test_k003_may_run_as_root() -> None:
    text = drop(BASE, *NO_POD_USER)
    check(
        text,
        ("K003", f"{C0}/securityContext", CTR_SC,
         f"{APP} may run as root (no runAsNonRoot: true and no non-zero runAsUser)", "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [{"op": "add", "path": "/spec/securityContext/runAsNonRoot", "value": True}]


def test_k003_container_false_overrides_pod_true() -> None:
    text = ctr_sc("runAsNonRoot: false", drop(BASE, "    runAsUser: 10001\n"))
    check(
        text,
        ("K003", f"{C0}/securityContext/runAsNonRoot", "runAsNonRoot: false",
         f"{APP} sets runAsNonRoot: false (no runAsNonRoot: true and no non-zero runAsUser)",
         "medium"),
    )  # fmt: skip


def test_k003_pod_user_with_container_nonroot_false_runs_as_that_user() -> None:
    # runAsNonRoot: false does not make the process root: the pod's uid 1000 still applies
    text = ctr_sc(
        "runAsNonRoot: false",
        edit(BASE, ("runAsUser: 10001", "runAsUser: 1000"), ("    runAsNonRoot: true\n", "")),
    )
    check(
        text,
        ("K005", "/spec/securityContext/runAsUser", "runAsUser",
         f"{APP} runs as low uid 1000 (below 10000)", "low"),
    )  # fmt: skip


def test_k003_non_zero_uid_is_enough() -> None:
    assert scan_text(drop(BASE, "    runAsNonRoot: true\n")) == []


def test_k003_pod_level_false_is_one_finding_for_all_containers() -> None:
    text = spec(
        HARDENED_INIT,
        edit(BASE, ("runAsNonRoot: true", "runAsNonRoot: false"), ("    runAsUser: 10001\n", "")),
    )
    check(
        text,
        ("K003", "/spec/securityContext/runAsNonRoot", "runAsNonRoot",
         f'init container "init", {APP} set runAsNonRoot: false (no runAsNonRoot: true and no '
         "non-zero runAsUser)", "medium"),
    )  # fmt: skip


def test_k003_windows_uses_the_user_name() -> None:
    windows = spec("os: {name: windows}", drop(BASE, *NO_POD_USER))
    check(
        windows,
        ("K003", f"{C0}/securityContext", CTR_SC,
         f"{APP} may run as root (no runAsNonRoot: true and no non-zero runAsUser)", "medium"),
    )  # fmt: skip
    assert scan_text(pod_sc("windowsOptions: {runAsUserName: ContainerUser}", windows)) == []


def test_k004_container_uid_0_overrides_pod_non_root() -> None:
    text = ctr_sc("runAsUser: 0")
    check(
        text,
        ("K004", f"{C0}/securityContext/runAsUser", "runAsUser: 0",
         f"{APP} runs as uid 0 (root)", "high"),
    )  # fmt: skip


def test_k004_pod_uid_0_is_one_finding() -> None:
    text = spec(HARDENED_INIT, edit(BASE, ("runAsUser: 10001", "runAsUser: 0")))
    check(
        text,
        ("K004", "/spec/securityContext/runAsUser", "runAsUser",
         f'init container "init", {APP} run as uid 0 (root)', "high"),
    )  # fmt: skip


def test_k004_container_overrides_pod_uid_0() -> None:
    text = ctr_sc("runAsUser: 10002", edit(BASE, ("runAsUser: 10001", "runAsUser: 0")))
    assert scan_text(text) == []


def test_k005_low_uid() -> None:
    text = ctr_sc("runAsUser: 999")
    check(
        text,
        ("K005", f"{C0}/securityContext/runAsUser", "runAsUser: 999",
         f"{APP} runs as low uid 999 (below 10000)", "low"),
    )  # fmt: skip
    assert scan_text(ctr_sc("runAsUser: 10000")) == []


@pytest.mark.parametrize(
    ("text", "pointer", "needle", "message"),
    [
        (edit(BASE, ("runAsGroup: 10001", "runAsGroup: 0")), "/spec/securityContext/runAsGroup",
         "runAsGroup", f"{APP} runs with group 0"),
        (ctr_sc("runAsGroup: 0"), f"{C0}/securityContext/runAsGroup", ("runAsGroup", 2),
         f"{APP} runs with group 0"),
        (pod_sc("fsGroup: 0"), "/spec/securityContext/fsGroup", "fsGroup", "pod sets fsGroup 0"),
        (pod_sc("supplementalGroups: [0]"), "/spec/securityContext/supplementalGroups/0", "0]",
         "pod adds group 0"),
    ],
    ids=["pod-runAsGroup", "container-runAsGroup", "fsGroup", "supplementalGroups"],
)  # fmt: skip
def test_k034_each_root_group_alone(
    text: str, pointer: str, needle: str | tuple[str, int], message: str
) -> None:
    check(text, ("K034", pointer, needle, message, "low"))


def test_k034_root_group() -> None:
    text = edit(pod_sc("fsGroup: 0\nsupplementalGroups: [5, 0]"),
                ("runAsGroup: 10001", "runAsGroup: 0"))  # fmt: skip
    check(
        text,
        ("K034", "/spec/securityContext/runAsGroup", "runAsGroup", f"{APP} runs with group 0",
         "low"),
        ("K034", "/spec/securityContext/fsGroup", "fsGroup", "pod sets fsGroup 0", "low"),
        ("K034", "/spec/securityContext/supplementalGroups/1", "0]", "pod adds group 0", "low"),
    )  # fmt: skip
    text = ctr_sc("runAsGroup: 10002", edit(BASE, ("runAsGroup: 10001", "runAsGroup: 0")))
    assert scan_text(text) == []
