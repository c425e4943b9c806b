"""The network rules of ``hardhull/rules/netpol/dns.py`` (and the rows their cases also
trip): N001, N002, N003, N008.
Exact findings (code, line, column, message, severity), both ways, on real files scanned
by the real engine (only the N rules enabled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.netpol import DENY_ALL, deployment, docs, findings, namespace, policy

# --------------------------------------------------------------------------- N001 / N002 / N003


DNS_RULE = (
    "    - to:\n        - namespaceSelector: {{}}\n          podSelector:\n"
    "            matchLabels: {{k8s-app: kube-dns}}\n"
    "      ports:\n{ports}"
)


TO_DB = (
    "  egress:\n    - to:\n        - podSelector: {matchLabels: {app: db}}\n"
    "      ports:\n        - port: 5432\n"
)


def _dns_set(egress: str, extra: str = "") -> str:
    return docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}", extra),
        deployment("db", "shop", "{app: db}"),
        policy("deny", "shop", DENY_ALL),
        policy("web", "shop", "  podSelector:\n    matchLabels: {app: web}\n" + egress),
        policy("db", "shop", "  podSelector:\n    matchLabels: {app: db}\n"
               "  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: web}}\n"),
    )  # fmt: skip


def test_default_deny_egress_without_dns(tmp_path: Path) -> None:
    assert findings(tmp_path, _dns_set(TO_DB)) == [
        (
            "N008", 37, 26,
            "shop/web cannot resolve names: 53/UDP and 53/TCP to the cluster DNS "
            "(kube-system/kube-dns) is denied: no egress rule of shop/deny or the other "
            "policies isolating them admits it",
            "medium",
        )
    ]  # fmt: skip


def test_dns_over_udp_only_is_low(tmp_path: Path) -> None:
    egress = TO_DB + DNS_RULE.format(ports="        - {port: 53, protocol: UDP}\n")
    assert findings(tmp_path, _dns_set(egress)) == [
        (
            "N008", 37, 26,
            "shop/web cannot resolve names: 53/TCP to the cluster DNS (kube-system/kube-dns) "
            "is denied: no egress rule of shop/deny or the other policies isolating them "
            "admits it",
            "low",
        )
    ]  # fmt: skip


def test_dns_pods_isolated_for_ingress(tmp_path: Path) -> None:
    both = "        - {port: 53, protocol: UDP}\n        - {port: 53, protocol: TCP}\n"
    text = docs(
        _dns_set(TO_DB + DNS_RULE.format(ports=both)),
        deployment("coredns", "kube-system", "{k8s-app: kube-dns}"),
        policy("deny", "kube-system", "  podSelector: {}\n  policyTypes: [Ingress]\n"),
    )
    assert findings(tmp_path, text) == [
        (
            "N008", 91, 17,
            "shop/web cannot resolve names: 53/UDP and 53/TCP to the cluster DNS "
            "(kube-system/coredns) is denied: the ingress policies of the DNS pods (first "
            "kube-system/deny) do not admit it",
            "medium",
        )
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("egress", "extra"),
    [
        # DNS allowed over both protocols
        (TO_DB + DNS_RULE.format(
            ports="        - {port: 53, protocol: UDP}\n        - {port: 53, protocol: TCP}\n"),
         ""),
        # NodeLocal DNSCache reached by address
        (TO_DB + "    - to:\n        - ipBlock: {cidr: 169.254.20.10/32}\n      ports:\n"
         "        - {port: 53, protocol: UDP}\n        - {port: 53, protocol: TCP}\n", ""),
        # no egress rule at all: cut off from everything on purpose
        ("  policyTypes: [Egress]\n", ""),
        # the node's resolver
        (TO_DB, "      dnsPolicy: Default\n"),
        # host network: policies do not apply
        (TO_DB, "      hostNetwork: true\n"),
        # custom nameservers the egress rules allow
        (TO_DB + "    - to:\n        - ipBlock: {cidr: 192.0.2.53/32}\n",
         "      dnsPolicy: None\n      dnsConfig: {nameservers: [192.0.2.53]}\n"),
    ],
    ids=["both", "node-local", "no-egress-rule", "dns-default", "host-network", "dns-none"],
)  # fmt: skip
def test_dns_quiet(tmp_path: Path, egress: str, extra: str) -> None:
    assert [f for f in findings(tmp_path, _dns_set(egress, extra)) if f[0] == "N008"] == []


def test_custom_nameservers_not_allowed(tmp_path: Path) -> None:
    extra = "      dnsPolicy: None\n      dnsConfig: {nameservers: [192.0.2.53]}\n"
    got = [f for f in findings(tmp_path, _dns_set(TO_DB, extra)) if f[0] == "N008"]
    assert got == [
        (
            "N008", 39, 26,
            "shop/web cannot resolve names: 53/UDP and 53/TCP to the cluster DNS "
            "(kube-system/kube-dns) or the nameservers of dnsConfig is denied: no egress rule "
            "of shop/deny or the other policies isolating them admits it",
            "medium",
        )
    ]  # fmt: skip
