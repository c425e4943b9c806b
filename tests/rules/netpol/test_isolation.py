"""The network rules of ``hardhull/rules/netpol/isolation.py`` (and the rows their cases also
trip): N001, N002, N003, N007.
Exact findings (code, line, column, message, severity), both ways, on real files scanned
by the real engine (only the N rules enabled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.context import SetContext
from hardhull.frontends.kubernetes import parse_text
from hardhull.model import Severity
from hardhull.rules.netpol.isolation import missing_default_deny_egress
from tests.helpers.netpol import DENY_ALL, deployment, docs, findings, namespace, policy

# --------------------------------------------------------------------------- N001 / N002 / N003


def test_namespace_without_any_policy_is_reported_once_per_direction(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        deployment("worker", "shop", "{app: worker}"),
    )
    head = "namespace shop has no default-deny {d} NetworkPolicy (podSelector: {{}}, "
    assert findings(tmp_path, text) == [
        (
            "N001", 4, 3,
            head.format(d="ingress") + "policyTypes: [Ingress]): no policy selects its 2 "
            "workloads (shop/web, shop/worker), so they accept connections from anywhere",
            "medium",
        ),
        (
            "N002", 4, 3,
            head.format(d="egress") + "policyTypes: [Egress]): no policy selects its 2 "
            "workloads (shop/web, shop/worker), so they may connect anywhere",
            "low",
        ),
    ]  # fmt: skip


def test_undeclared_namespace_is_located_on_its_first_workload(tmp_path: Path) -> None:
    text = docs(deployment("web", "shop", "{app: web}"), deployment("solo", None, "{app: s}"))
    got = [(c, line, col, msg[:40]) for c, line, col, msg, _ in findings(tmp_path, text)]
    assert got == [
        ("N001", 5, 3, "namespace shop has no default-deny ingre"),
        ("N002", 5, 3, "namespace shop has no default-deny egres"),
        ("N001", 15, 1, "namespace default has no default-deny in"),
        ("N002", 15, 1, "namespace default has no default-deny eg"),
    ]  # /metadata/namespace of shop/web; /metadata of default/solo (no namespace field)


def test_default_deny_in_both_directions_is_quiet(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        policy("deny", "shop", DENY_ALL),
    )
    assert findings(tmp_path, text) == []


def test_policy_without_spec_is_a_default_deny_for_ingress_only(tmp_path: Path) -> None:
    text = docs(
        deployment("web", "shop", "{app: web}"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: deny, namespace: shop}\n",
    )
    assert findings(tmp_path, text) == [
        (
            "N002", 5, 3,
            "namespace shop has no default-deny egress NetworkPolicy (podSelector: {}, "
            "policyTypes: [Egress]): 1 of its 1 workload may connect anywhere: shop/web",
            "low",
        )
    ]  # fmt: skip


def test_partial_policies_report_the_workload_left_out(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        deployment("worker", "shop", "{app: worker}"),
        policy("web", "shop", "  podSelector:\n    matchLabels: {app: web}\n"),
    )
    assert findings(tmp_path, text) == [
        (
            "N001", 4, 3,
            "namespace shop has no default-deny ingress NetworkPolicy (podSelector: {}, "
            "policyTypes: [Ingress]): 1 of its 2 workloads accepts connections from anywhere: "
            "shop/worker",
            "medium",
        ),
        (
            "N002", 4, 3,
            "namespace shop has no default-deny egress NetworkPolicy (podSelector: {}, "
            "policyTypes: [Egress]): 2 of its 2 workloads may connect anywhere: shop/web, "
            "shop/worker",
            "low",
        ),
        (
            "N003", 26, 7,
            "Deployment shop/worker is selected by no NetworkPolicy although namespace shop "
            "has 1 (web): it accepts connections from anywhere and may connect anywhere",
            "medium",
        ),
    ]  # fmt: skip


def test_workloads_isolated_by_their_own_policies_lower_the_severity(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        policy(
            "web", "shop", "  podSelector:\n    matchLabels: {app: web}\n"
            "  policyTypes: [Ingress, Egress]\n"
        ),
    )  # fmt: skip
    got = findings(tmp_path, text)
    assert got[0] == (
        "N001", 4, 3,
        "namespace shop has no default-deny ingress NetworkPolicy (podSelector: {}, "
        "policyTypes: [Ingress]): its workload is isolated for ingress by its own "
        "policies, but a pod added later will accept connections from anywhere",
        "low",
    )  # fmt: skip
    assert got[1][:4] == (
        "N002", 4, 3,
        "namespace shop has no default-deny egress NetworkPolicy (podSelector: {}, "
        "policyTypes: [Egress]): its workload is isolated for egress by its own policies, "
        "but a pod added later will be able to connect anywhere",
    )  # fmt: skip
    assert len(got) == 2
    # N002 lowers itself to info; the engine's `v.severity or rule.severity` reads the falsy
    # Severity.INFO as "no override" (reported to the lead), so check the check's own verdict
    objs = [o.data for o in parse_text("x.yaml", text).objects]
    ((_, v),) = missing_default_deny_egress(SetContext(objs))
    assert v.severity == Severity.INFO


def test_workload_selected_by_an_egress_policy_only_is_not_n003(tmp_path: Path) -> None:
    text = docs(
        namespace("shop"),
        deployment("web", "shop", "{app: web}"),
        policy("egress", "shop", "  podSelector: {}\n  policyTypes: [Egress]\n"),
    )
    assert [(c, sev) for c, _, _, _, sev in findings(tmp_path, text)] == [("N001", "medium")]


def test_invalid_default_deny_is_named_by_n001(tmp_path: Path) -> None:
    text = docs(
        deployment("web", "shop", "{app: web}"),
        policy("deny", "shop", "  podselector: {}\n  policyTypes: [Ingress, Egress]\n"),
    )
    got = findings(tmp_path, text)
    assert [(c, line, col, sev) for c, line, col, _, sev in got] == [
        ("N001", 5, 3, "medium"),
        ("N002", 5, 3, "low"),
        ("N007", 19, 3, "medium"),
    ]
    assert got[0][3].endswith(
        "so it accepts connections from anywhere (deny would be rejected by the API server, "
        "see N007)"
    )


@pytest.mark.parametrize(
    "text",
    [
        # the system namespaces belong to the control plane and the distribution
        deployment("coredns", "kube-system", "{k8s-app: kube-dns}"),
        # host-network pods are not governed by NetworkPolicy in most plugins
        deployment("agent", "monitoring", "{app: agent}", "      hostNetwork: true\n"),
        # another implementation's policy may isolate the namespace
        docs(
            deployment("web", "shop", "{app: web}"),
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n"
            "metadata: {name: deny, namespace: shop}\nspec: {selector: all()}\n",
        ),
        docs(
            deployment("web", "shop", "{app: web}"),
            "apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\n"
            "metadata: {name: deny}\nspec: {selector: all()}\n",
        ),
        # no workloads: nothing to judge
        docs(namespace("empty"), policy("deny", "other", DENY_ALL)),
    ],
    ids=["kube-system", "host-network", "calico-namespaced", "calico-global", "no-workloads"],
)
def test_namespaces_not_judged(tmp_path: Path, text: str) -> None:
    assert findings(tmp_path, text) == []
