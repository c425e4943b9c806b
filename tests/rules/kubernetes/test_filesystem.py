"""The workload rules of ``hardhull/rules/kubernetes/filesystem.py``:
K006, K035, positive and negative, with the exact findings.

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
    CTR_SC,
    CTR_SC_AT,
    check,
    drop,
    edit,
    spec,
)


def test_k006_writable_root() -> None:
    text = drop(BASE, CTR_SC_AT)
    check(
        text,
        ("K006", f"{C0}/securityContext", CTR_SC, f"{APP} has a writable root filesystem",
         "medium"),
    )  # fmt: skip
    text = edit(BASE, ("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
    check(
        text,
        ("K006", f"{C0}/securityContext/readOnlyRootFilesystem", "readOnlyRootFilesystem",
         f"{APP} has a writable root filesystem", "medium"),
    )  # fmt: skip


def test_k035_volume_types() -> None:
    text = spec(
        """
        volumes:
          - {name: a, emptyDir: {}}
          - {name: b, configMap: {name: cm}}
          - {name: c, nfs: {server: nfs.local, path: /export}}
          - {name: d, gitRepo: {repository: "https://example.com/r.git"}}
          - {name: e, persistentVolumeClaim: {claimName: data}}
        """
    )
    check(
        text,
        ("K035", "/spec/volumes/2/nfs", "nfs:", "pod uses a nfs volume", "low"),
        ("K035", "/spec/volumes/3/gitRepo", "gitRepo", "pod uses a gitRepo volume", "medium"),
    )
