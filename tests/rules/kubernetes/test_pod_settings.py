"""The workload rules of ``hardhull/rules/kubernetes/pod_settings.py``:
K030, K031, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

from tests.helpers.kubernetes import (
    BASE,
    META_AT,
    SPEC_AT,
    check,
    drop,
    edit,
    scan_text,
)


def test_k030_token() -> None:
    text = drop(BASE, SPEC_AT)
    check(text, ("K030", "/spec", "spec:", "pod mounts its service account token "
                 "(set automountServiceAccountToken: false)", "low"))  # fmt: skip
    text = edit(BASE, ("automountServiceAccountToken: false", "automountServiceAccountToken: true"))
    check(text, ("K030", "/spec/automountServiceAccountToken", "automount",
                 "pod mounts its service account token (set automountServiceAccountToken: "
                 "false)", "low"))  # fmt: skip


def test_k031_default_namespace() -> None:
    text = edit(BASE, ("namespace: shop", "namespace: default"))
    check(text, ("K031", "/metadata/namespace", "namespace", "Pod is in the default namespace",
                 "low"))  # fmt: skip
    assert scan_text(drop(BASE, META_AT)) == []  # no namespace: decided at deploy time
