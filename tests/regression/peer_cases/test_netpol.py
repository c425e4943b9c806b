"""NetworkPolicy rules N001–N008 on the peers' test cases and on traps of our own.

Peer cases restate the facts of kube-linter's ``non-isolated-pod`` test manifests
(``tests/checks/non-isolated-pod.yml``) and of Checkov's CKV2_K8S_6 (a pod no NetworkPolicy
selects), written here. Expected findings are exact: (code, line, pointer, severity).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from hardhull.rules import all_rules

Row = tuple[str, int, str, str]


def rows(text: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "net.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()
        result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == []
    return [
        (f.rule.code, f.location.line, f.pointer, f.severity.label)
        for f in result.findings
        if f.rule.code.startswith("N")
    ]


def deploy(name: str, ns: str = "shop", app: str = "") -> str:
    app = app or name
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers: [{{name: app, image: "nginx:1.25"}}]
"""


def policy(name: str, spec: str, ns: str = "shop") -> str:
    return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {ns}}}
spec:
{spec}"""


DENY_ALL = "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
DNS = (
    "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n"
    "  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n"
)

CASES: dict[str, tuple[str, list[Row]]] = {
    # kube-linter non-isolated-pod: one workload a policy selects, one it does not; both agree
    # on app1 (N003). The selected one is isolated for ingress only, so the namespace still
    # lacks default-deny policies (N001 for app1, N002 for both)
    "kubelinter_non_isolated_pod": (
        policy("dont-fire1", "  podSelector: {matchLabels: {app: dont-fire1}}\n")
        + deploy("dont-fire", app="dont-fire1")
        + deploy("app1"),
        [
            ("N001", 10, "/metadata/namespace", "medium"),
            ("N002", 10, "/metadata/namespace", "low"),
            ("N003", 24, "/spec/template/metadata/labels", "medium"),
        ],
    ),
    # Checkov CKV2_K8S_6 / kube-linter with no policy at all in the namespace: one finding per
    # namespace and direction, not one per pod (deliberate difference: N003 stays quiet)
    "no_policy_in_namespace": (
        deploy("a") + deploy("b"),
        [("N001", 4, "/metadata/namespace", "medium"), ("N002", 4, "/metadata/namespace", "low")],
    ),
    # the namespace is fully isolated (deny all + DNS): nothing to say
    "deny_all_with_dns": (policy("deny", DENY_ALL) + policy("dns", DNS) + deploy("a"), []),
    # ------------------------------------------------------------------ traps
    # podSelector {} with policyTypes [Egress] only: a default-deny egress (it blocks DNS on
    # purpose); ingress stays open
    "egress_only_default_deny": (
        policy("deny-egress", "  podSelector: {}\n  policyTypes: [Egress]\n") + deploy("a"),
        [("N001", 11, "/metadata/namespace", "medium")],
    ),
    # ingress: [{}] admits everything on every port: the selected pod is not isolated
    "ingress_empty_rule": (
        policy("deny", DENY_ALL)
        + policy("dns", DNS)
        + policy("open", "  podSelector: {matchLabels: {app: a}}\n  ingress: [{}]\n")
        + deploy("a"),
        [("N004", 23, "/spec/ingress/0", "medium")],
    ),
    # from: [] is "every source" too, limited to the listed port
    "from_empty_list": (
        policy("deny", DENY_ALL)
        + policy("dns", DNS)
        + policy(
            "web",
            "  podSelector: {matchLabels: {app: a}}\n  ingress:\n"
            "  - from: []\n    ports: [{port: 80}]\n",
        )
        + deploy("a"),
        [("N004", 24, "/spec/ingress/0", "low")],
    ),
    # namespaceSelector AND podSelector in one peer, or either one in two peers: both are
    # selective, neither admits everyone
    "and_or_peers": (
        policy("deny", DENY_ALL)
        + policy("dns", DNS)
        + policy(
            "andor",
            "  podSelector: {matchLabels: {app: a}}\n  ingress:\n"
            "  - from:\n    - namespaceSelector: {matchLabels: {team: x}}\n"
            "      podSelector: {matchLabels: {role: fe}}\n"
            "  - from:\n    - namespaceSelector: {matchLabels: {team: x}}\n"
            "    - podSelector: {matchLabels: {role: fe}}\n",
        )
        + deploy("a"),
        [],
    ),
    # ipBlock 0.0.0.0/0 with an except list is still (nearly) every IPv4 address
    "ipblock_everything_except": (
        policy("deny", DENY_ALL)
        + policy("dns", DNS)
        + policy(
            "ext",
            "  podSelector: {matchLabels: {app: a}}\n  ingress:\n"
            "  - from:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n",
        )
        + deploy("a"),
        [("N004", 25, "/spec/ingress/0/from/0", "medium")],
    ),
    # a policy in a namespace with no workload in the set: the workloads are deployed
    # elsewhere; no finding (not N006)
    "policy_in_empty_namespace": (policy("deny", DENY_ALL, ns="empty"), []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_netpol_case(case: str) -> None:
    text, expected = CASES[case]
    assert rows(text) == expected
