"""The network rules of ``hardhull/rules/netpol/anywhere.py`` (and the rows their cases also
trip): N001, N002, N003, N004, N005.
Exact findings (code, line, column, message, severity), both ways, on real files scanned
by the real engine (only the N rules enabled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.netpol import DENY_ALL, deployment, docs, findings, namespace, policy

# --------------------------------------------------------------------------- N001 / N002 / N003


def _isolated(spec: str) -> str:
    return docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        policy("deny", "shop", DENY_ALL),
        policy("web", "shop", "  podSelector:\n    matchLabels: {app: web}\n" + spec),
    )


def test_ingress_rule_without_from_and_ports(tmp_path: Path) -> None:
    text = _isolated("  ingress:\n    - {}\n")
    assert findings(tmp_path, text) == [
        (
            "N004", 36, 7,
            "ingress rule of NetworkPolicy shop/web admits every source (every pod and every "
            "address) on every port: the pods it selects (shop/web) are not isolated for "
            "ingress at all",
            "medium",
        )
    ]  # fmt: skip


def test_ingress_from_every_namespace_on_one_port_is_low(tmp_path: Path) -> None:
    text = _isolated(
        "  ingress:\n    - from:\n        - namespaceSelector: {}\n"
        "      ports:\n        - port: 5432\n"
    )
    assert findings(tmp_path, text) == [
        (
            "N004", 37, 11,
            "ingress rule of NetworkPolicy shop/web admits every pod of every namespace "
            "(namespaceSelector: {}) on 5432/TCP: every source reaches these ports",
            "low",
        )
    ]  # fmt: skip


def test_ingress_from_every_address(tmp_path: Path) -> None:
    text = _isolated(
        "  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: a}}\n"
        "        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n"
        "        - ipBlock: {cidr: '::/0'}\n"
    )
    assert findings(tmp_path, text) == [
        (
            "N004", 38, 11,
            "ingress rule of NetworkPolicy shop/web admits every IPv4 address (0.0.0.0/0 "
            "except 10.0.0.0/8) and every IPv6 address (::/0) on every port: the pods it "
            "selects (shop/web) are not isolated for ingress at all",
            "medium",
        )
    ]  # fmt: skip


@pytest.mark.parametrize(
    "spec",
    [
        # pods of one label in every namespace, one namespace, an inner CIDR: all narrower
        "  ingress:\n    - from:\n        - namespaceSelector: {}\n"
        "          podSelector: {matchLabels: {app: a}}\n",
        "  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {team: a}}\n",
        "  ingress:\n    - from:\n        - ipBlock: {cidr: 10.0.0.0/8}\n",
        "  ingress:\n    - from:\n        - podSelector: {}\n",
        # ingress rules of a policy that only isolates egress are ignored by the API
        "  policyTypes: [Egress]\n  ingress:\n    - {}\n",
        # egress limited to ports: HTTPS to the internet, DNS to anywhere
        "  egress:\n    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n"
        "      ports:\n        - port: 443\n"
        "    - ports:\n        - {port: 53, protocol: UDP}\n        - {port: 53, protocol: TCP}\n",
    ],
    ids=["label-everywhere", "one-namespace", "inner-cidr", "own-namespace", "egress-only",
         "egress-ports"],
)  # fmt: skip
def test_narrower_rules_are_quiet(tmp_path: Path, spec: str) -> None:
    assert [f for f in findings(tmp_path, _isolated(spec)) if f[0] in ("N004", "N005")] == []


def test_egress_rule_to_everything(tmp_path: Path) -> None:
    text = _isolated("  egress:\n    - {}\n    - to:\n        - ipBlock: {cidr: '::/0'}\n")
    assert findings(tmp_path, text) == [
        (
            "N005", 36, 7,
            "egress rule of NetworkPolicy shop/web admits every destination (every pod and "
            "every address) on every port: the pods it selects (shop/web) are not isolated "
            "for egress at all",
            "low",
        ),
        (
            "N005", 38, 11,
            "egress rule of NetworkPolicy shop/web admits every IPv6 address (::/0) on every "
            "port: the pods it selects (shop/web) are not isolated for egress at all",
            "low",
        ),
    ]  # fmt: skip
