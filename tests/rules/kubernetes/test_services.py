"""The Service rules of ``hardhull/rules/kubernetes/services.py``:
K038, K040, positive and negative, with the exact findings.

Each case is a small Service parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers.kubernetes import check, scan_text


def service(spec: str, api: str = "v1") -> str:
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    meta = "metadata:\n  name: web\n  namespace: shop\n"
    return f"apiVersion: {api}\nkind: Service\n{meta}spec:\n{body}\n"


PORTS = "selector: {app: web}\nports:\n  - {port: 80, targetPort: 8080}"


def test_k038_external_ips() -> None:
    text = service(PORTS + "\nexternalIPs:\n  - 1.2.3.4\n  - 37.10.11.53")
    check(
        text,
        ("K038", "/spec/externalIPs", "externalIPs:",
         "Service captures what the cluster's nodes and pods send to 1.2.3.4, 37.10.11.53 "
         "(CVE-2020-8554)", "medium"),
    )  # fmt: skip


def test_k038_many_external_ips_are_counted() -> None:
    ips = [f"198.51.100.{n}" for n in range(1, 8)]
    text = service(PORTS + f"\nexternalIPs: [{', '.join(ips)}]")
    check(
        text,
        ("K038", "/spec/externalIPs", "externalIPs:",
         "Service captures what the cluster's nodes and pods send to "
         f"{', '.join(ips[:5])} and 2 more (CVE-2020-8554)", "medium"),
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        service(PORTS),
        service(PORTS + "\nexternalIPs: []"),
        service(PORTS + "\nexternalIPs: null"),
        service(PORTS + "\nexternalIPs: ['']"),
        service(PORTS + "\nexternalIPs: [1.2.3.4]", api="serving.knative.dev/v1"),
        service("type: LoadBalancer\n" + PORTS + "\nloadBalancerIP: 203.0.113.10"),
        service("type: ExternalName\nexternalName: db.example.com"),
    ],
)
def test_k038_k040_quiet(text: str) -> None:
    assert scan_text(text) == []


@pytest.mark.parametrize(
    ("ports", "where"),
    [
        ("ports: [{port: 80, targetPort: 8080, nodePort: 30007}]", "port 30007"),
        ("ports: [{port: 80, nodePort: 30080}, {port: 443, nodePort: 30443}]",
         "ports 30080, 30443"),
        ("ports: [{port: 80, targetPort: 8080}]", "a node port"),
        ("ports: [{port: 80, nodePort: 30080}, {port: 443}]", "node ports"),
        ("ports: [{port: 80, nodePort: true}]", "a node port"),
    ],
)  # fmt: skip
def test_k040_node_port(ports: str, where: str) -> None:
    text = service(f"type: NodePort\nselector: {{app: web}}\n{ports}")
    check(
        text,
        ("K040", "/spec/type", "type: NodePort",
         f"Service opens {where} on every node's addresses", "low"),
    )  # fmt: skip


@pytest.mark.parametrize(
    "spec",
    [
        "type: nodePort",  # the API server rejects the spelling: not a NodePort Service
        "type: NODEPORT",
        "type: ClusterIP\nports: [{port: 80, nodePort: 31080}]",  # nodePort ignored
        "type: LoadBalancer",  # see the rule: intended exposure, not reported
        "type: LoadBalancer\nallocateLoadBalancerNodePorts: false",
    ],
)
def test_k040_not_node_port(spec: str) -> None:
    assert scan_text(service(spec + "\nselector: {app: web}")) == []


def test_k038_and_k040_together() -> None:
    text = service(
        "type: NodePort\nselector: {app: web}\nports: [{port: 80, nodePort: 30007}]\n"
        "externalIPs: [192.0.2.1]"
    )
    check(
        text,
        ("K038", "/spec/externalIPs", "externalIPs:",
         "Service captures what the cluster's nodes and pods send to 192.0.2.1 (CVE-2020-8554)",
         "medium"),
        ("K040", "/spec/type", "type: NodePort",
         "Service opens port 30007 on every node's addresses", "low"),
    )  # fmt: skip
