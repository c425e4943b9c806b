"""The workload rules of ``hardhull/rules/kubernetes/probes.py``:
K032, K033, K036, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import pytest

from hardhull.context import ScanFacts
from hardhull.engine import evaluate_object
from hardhull.pss.levels import parse_level_version
from tests.helpers.kubernetes import (
    APP,
    BASE,
    C0,
    IMAGE,
    check,
    ctr,
    drop,
    edit,
    objects,
    scan_text,
    spec,
    violations,
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


def test_k036_probe_and_hook_hosts() -> None:
    text = ctr(
        """
        startupProbe:
          tcpSocket: {port: 8080, host: 10.0.0.5}
        lifecycle:
          postStart:
            httpGet: {path: /warm, port: 80, host: 169.254.169.254}
          preStop:
            exec: {command: [sleep, "5"]}
        """,
        edit(
            BASE,
            ("httpGet: {path: /healthz, port: 8080}",
             "httpGet: {path: /healthz, port: 8080, host: 127.0.0.1}"),
        ),
    )  # fmt: skip
    check(
        text,
        ("K036", f"{C0}/livenessProbe/httpGet/host", "host: 127.0.0.1",
         f"{APP} livenessProbe makes the kubelet connect to host '127.0.0.1'", "medium"),
        ("K036", f"{C0}/startupProbe/tcpSocket/host", "host: 10.0.0.5",
         f"{APP} startupProbe makes the kubelet connect to host '10.0.0.5'", "medium"),
        ("K036", f"{C0}/lifecycle/postStart/httpGet/host", "host: 169",
         f"{APP} postStart hook makes the kubelet connect to host '169.254.169.254'", "medium"),
    )  # fmt: skip


def test_k036_init_and_ephemeral_containers() -> None:
    text = spec(
        f"""
        initContainers:
          - name: sidecar
            image: {IMAGE}
            restartPolicy: Always
            readinessProbe: {{tcpSocket: {{port: 9000, host: db.example.com}}}}
        ephemeralContainers:
          - name: debug
            image: {IMAGE}
            lifecycle: {{preStop: {{httpGet: {{port: 80, host: "::1"}}}}}}
        """
    )
    got = [(v.code, v.pointer, v.severity) for v in violations(text) if v.code == "K036"]
    assert got == [
        ("K036", "/spec/initContainers/0/readinessProbe/tcpSocket/host", None),
        ("K036", "/spec/ephemeralContainers/0/lifecycle/preStop/httpGet/host", None),
    ]


def test_k036_host_network_pod_is_low() -> None:
    # the pod shares the node's network: the kubelet reaches nothing the pod cannot
    text = spec(
        "hostNetwork: true",
        edit(BASE, ("path: /ready, port: 8080}", "path: /ready, port: 8080, host: 127.0.0.1}")),
    )
    rows = [r for r in scan_text(text) if r[0] == "K036"]
    assert rows == [
        ("K036", f"{C0}/readinessProbe/httpGet/host", rows[0][2],
         f"{APP} readinessProbe makes the kubelet connect to host '127.0.0.1' "
         "(the pod shares the node's network)", "low"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "handler",
    [
        "httpGet: {path: /healthz, port: 8080, host: ''}",  # empty: the pod's IP
        "httpGet: {path: /healthz, port: 8080, httpHeaders: [{name: Host, value: a.example}]}",
        "grpc: {port: 8080}",
        "exec: {command: [true]}",
        "tcpSocket: {port: 8080, host: null}",
        "tcpSocket: {port: 8080, host: 7}",  # not a string: the API server rejects it
    ],
)
def test_k036_no_host(handler: str) -> None:
    text = edit(BASE, ("httpGet: {path: /healthz, port: 8080}", handler))
    assert [r for r in scan_text(text) if r[0] == "K036"] == []


def test_k036_fires_whatever_the_pod_security_level() -> None:
    """K100 sees the same field only at v1.34+ of the restricted/baseline levels and can be
    disabled; K036 is judged on its own."""
    text = edit(
        BASE,
        ("httpGet: {path: /healthz, port: 8080}", "httpGet: {port: 8080, host: 10.1.2.3}"),
    )
    (obj,) = objects(text)

    def codes(level: str, version: str, disabled: frozenset[str] = frozenset()) -> list[str]:
        facts = ScanFacts(pss_default=parse_level_version(level, version))
        found, errors = evaluate_object(obj.data, facts, disabled=disabled)
        assert errors == []
        return [v.code for v in found if v.code in ("K036", "K100")]

    assert codes("restricted", "latest") == ["K036", "K100"]
    assert codes("restricted", "latest", frozenset({"K100"})) == ["K036"]
    assert codes("privileged", "latest") == ["K036"]
    assert codes("baseline", "v1.33") == ["K036"]  # before the control existed
