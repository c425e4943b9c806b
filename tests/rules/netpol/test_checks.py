"""Network rules N001–N008: exact findings (code, line, column, message, severity), both ways,
on real files scanned by the real engine (only the N rules enabled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.context import SetContext
from hardhull.engine import ScanOptions, scan
from hardhull.frontends.kubernetes import parse_text
from hardhull.model import Severity
from hardhull.registry import RULES
from hardhull.rules import all_rules
from hardhull.rules.netpol.analysis import analyse
from hardhull.rules.netpol.isolation import missing_default_deny_egress
from tests.conftest import ROOT

Row = tuple[str, int, int, str, str]


def findings(tmp_path: Path, text: str, name: str = "set.yaml") -> list[Row]:
    all_rules()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    disabled = frozenset(c for c in RULES if not c.startswith("N"))
    result = scan([str(path)], ScanOptions(jobs=1, disabled=disabled))
    assert result.errors == []
    return [
        (f.code, f.location.line, f.location.column, f.message, f.severity.label)
        for f in result.findings
    ]


def deployment(name: str, ns: str | None, labels: str, extra: str = "") -> str:
    meta = f"  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        + meta
        + "spec:\n  template:\n    metadata:\n"
        + f"      labels: {labels}\n"
        + "    spec:\n"
        + extra
        + "      containers: [{name: app, image: x}]\n"
    )


def namespace(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def policy(name: str, ns: str, spec: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}"
    )


def docs(*parts: str) -> str:
    return "---\n".join(parts)


DENY_ALL = "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"


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


# --------------------------------------------------------------------------- N004 / N005


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


# --------------------------------------------------------------------------- N006


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


# --------------------------------------------------------------------------- N007


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


# --------------------------------------------------------------------------- N008

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


# --------------------------------------------------------------------------- the example


def test_cluster_example_is_clean_with_one_reasoned_suppression() -> None:
    all_rules()
    result = scan([str(ROOT / "examples" / "cluster")], ScanOptions(jobs=1))
    assert [f for f in result.findings if f.code.startswith("N")] == []
    assert result.suppressed["comment"] == 1  # N004: the ingress controller's front door


def test_analysis_is_built_once_per_set_context() -> None:
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]
    ctx = SetContext(objs)
    assert ctx.derived(analyse) is ctx.derived(analyse)
    assert SetContext(objs).derived(analyse) is not ctx.derived(analyse)
