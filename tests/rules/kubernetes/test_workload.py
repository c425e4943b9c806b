"""The workload rules together: the hardened ``BASE`` pod passes every one, and a Windows pod
skips the Linux-only rules.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

from tests.helpers.kubernetes import (
    BASE,
    WINDOWS_BASE,
    scan_text,
)


def test_base_is_clean() -> None:
    assert scan_text(BASE) == []


def test_windows_pod_skips_linux_only_rules() -> None:
    # no seccomp, capabilities, escalation or read-only root: none of them apply to Windows;
    # not being ContainerAdministrator is the Windows form of runAsNonRoot
    assert scan_text(WINDOWS_BASE) == []
