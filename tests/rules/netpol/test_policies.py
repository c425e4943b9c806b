"""The network rules of ``hardhull/rules/netpol/policies.py`` (and the rows their cases also
trip): N001, N002, N003, N006, N007.
Exact findings (code, line, column, message, severity), both ways, on real files scanned
by the real engine (only the N rules enabled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.netpol import DENY_ALL, deployment, docs, findings, namespace, policy

# --------------------------------------------------------------------------- N001 / N002 / N003


def test_policy_selecting_no_pod(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        policy("deny", "shop", DENY_ALL),
        policy("typo", "shop", "  podSelector:\n    matchLabels: {app: wbe}\n"),
    )
    assert findings(tmp_path, text) == [
        (
            "N006", 33, 3,
            "podSelector app=wbe of NetworkPolicy shop/typo selects none of the 1 workload of "
            "namespace shop in the scanned files (web): the policy has no effect",
            "low",
        )
    ]  # fmt: skip


@pytest.mark.parametrize(
    "extra",
    [
        # no pod of the namespace in the scan: unknowable
        "",
        # an operator may create the pods from a custom resource
        "---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
        "metadata: {name: k8s, namespace: mon}\n",
    ],
    ids=["no-pods", "custom-resource"],
)
def test_policy_selecting_no_pod_unknowable(tmp_path: Path, extra: str) -> None:
    pods = deployment("grafana", "mon", "{app: grafana}") if extra else ""
    text = docs(
        *[p for p in (pods,) if p],
        policy("deny", "mon", DENY_ALL),
        policy("prom", "mon", "  podSelector:\n    matchLabels: {app: prometheus}\n"),
    )
    assert [f for f in findings(tmp_path, text + extra) if f[0] == "N006"] == []


def test_invalid_policies(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        policy("deny", "shop", DENY_ALL),
        policy(
            "bad", "shop",
            "  podSelector:\n    matchExpressions:\n"
            "      - {key: app, operator: in, values: [web]}\n"
            "  ingress:\n    - ports:\n        - port: '80'\n",
        ),
        "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\n"
        "metadata: {name: old, namespace: shop}\nspec: {podSelector: {}}\n",
    )  # fmt: skip
    assert findings(tmp_path, text) == [
        (
            "N007", 35, 20,
            "NetworkPolicy shop/bad is rejected by the API server: 'in' is not a valid label "
            "selector operator (expected In, NotIn, Exists or DoesNotExist)",
            "medium",
        ),
        (
            "N007", 38, 11,
            "NetworkPolicy shop/bad is rejected by the API server: '80' is not a valid port "
            "name (IANA_SVC_NAME: at most 15 lowercase alphanumerics or '-', with a letter, no "
            "leading, trailing or double '-')",
            "medium",
        ),
        (
            "N007", 40, 1,
            "NetworkPolicy shop/old uses apiVersion extensions/v1beta1, which no current API "
            "server serves: use networking.k8s.io/v1",
            "medium",
        ),
    ]  # fmt: skip


def test_valid_policies_are_not_n007(tmp_path: Path) -> None:
    text = docs(
        deployment("web", "shop", "{app: web}"),
        policy("deny", "shop", DENY_ALL),
        "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n"
        "metadata: {name: calico, namespace: shop}\nspec: {selector: all()}\n",
    )
    assert findings(tmp_path, text) == []
