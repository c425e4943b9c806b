"""The workload rules of ``hardhull/rules/kubernetes/probes.py``:
K032, K033, positive and negative, with the exact findings.

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
    check,
    drop,
    scan_text,
    spec,
)

PROBE_LINES = (
    "      livenessProbe:\n",
    "        httpGet: {path: /healthz, port: 8080}\n",
    "      readinessProbe:\n",
    "        httpGet: {path: /ready, port: 8080}\n",
)


def test_k032_k033_probes() -> None:
    text = drop(BASE, *PROBE_LINES)
    check(
        text,
        ("K032", C0, "name: app", f"{APP} has no livenessProbe", "low"),
        ("K033", C0, "name: app", f"{APP} has no readinessProbe", "low"),
    )
    # a pod that runs to completion has no use for probes
    assert scan_text(spec("restartPolicy: Never", text)) == []
