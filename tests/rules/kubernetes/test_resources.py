"""The workload rules of ``hardhull/rules/kubernetes/resources.py``:
K024, K025, K026, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

from tests.helpers.kubernetes import (
    APP,
    BASE,
    C0,
    IMAGE,
    check,
    drop,
    edit,
    scan_text,
    spec,
)


def test_k024_k025_k026_no_resources() -> None:
    text = drop(BASE, "      resources:\n", "        requests: {cpu: 100m, memory: 64Mi}\n",
                "        limits: {cpu: 500m, memory: 128Mi}\n")  # fmt: skip
    check(
        text,
        ("K024", C0, "name: app", f"{APP} has no memory limit", "medium"),
        ("K025", C0, "name: app", f"{APP} has no CPU limit", "low"),
        ("K026", C0, "name: app", f"{APP} has no cpu or memory request", "low"),
    )


def test_k024_k025_missing_limit() -> None:
    text = edit(BASE, ("limits: {cpu: 500m, memory: 128Mi}", "limits: {cpu: 500m}"))
    check(text, ("K024", f"{C0}/resources/limits", "limits", f"{APP} has no memory limit",
                 "medium"))  # fmt: skip
    text = edit(BASE, ("limits: {cpu: 500m, memory: 128Mi}", "limits: {memory: 128Mi}"))
    check(text, ("K025", f"{C0}/resources/limits", "limits", f"{APP} has no CPU limit", "low"))


def test_k026_limit_defaults_the_request() -> None:
    text = drop(BASE, "        requests: {cpu: 100m, memory: 64Mi}\n")
    assert scan_text(text) == []
    text = edit(BASE, ("requests: {cpu: 100m, memory: 64Mi}", "requests: {cpu: 100m}"),
                ("limits: {cpu: 500m, memory: 128Mi}", "limits: {cpu: 500m}"))  # fmt: skip
    check(
        text,
        ("K024", f"{C0}/resources/limits", "limits", f"{APP} has no memory limit", "medium"),
        ("K026", f"{C0}/resources/requests", "requests", f"{APP} has no memory request", "low"),
    )


def test_resources_init_checked_ephemeral_not() -> None:
    text = spec(
        """
        initContainers:
          - name: init
            image: @IMG@
            securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: {drop: [ALL]}}
        ephemeralContainers:
          - name: debug
            image: @IMG@
            securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: {drop: [ALL]}}
        """.replace("@IMG@", IMAGE)
    )
    i0 = "/spec/initContainers/0"
    check(
        text,
        ("K024", i0, "name: init", 'init container "init" has no memory limit', "medium"),
        ("K025", i0, "name: init", 'init container "init" has no CPU limit', "low"),
        ("K026", i0, "name: init", 'init container "init" has no cpu or memory request', "low"),
    )


def test_pod_level_resources_bound_the_containers() -> None:
    text = drop(BASE, "      resources:\n", "        requests: {cpu: 100m, memory: 64Mi}\n",
                "        limits: {cpu: 500m, memory: 128Mi}\n")  # fmt: skip
    text = spec("resources: {limits: {cpu: '1', memory: 1Gi}}", text)
    assert scan_text(text) == []
