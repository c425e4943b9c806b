"""NetworkPolicy semantics: a table of cases derived from the Kubernetes documentation
(concepts/services-networking/network-policies) and the upstream e2e truth tables
(test/e2e/network/netpol), each parsed from YAML by the real loader.

The topology shared by the table: namespaces x (team=x), y (team=y, env=prod), z (env=dev),
w (referenced, not declared) and default, with one pod-bearing object per pod "name":

    x/a Deployment  {pod: a, app: web}  http 80/TCP, serve-udp 80/UDP, metrics 9090/TCP
    x/b Pod         {pod: b}            http 80/TCP
    x/c StatefulSet {pod: c}
    y/a DaemonSet   {pod: a}            http 8080/TCP
    y/b Job         {pod: b}
    y/c CronJob     {pod: c}
    z/a ReplicaSet  {pod: a}
    z/b ReplicationController {pod: b}
    w/a Pod         {pod: a}
    default/solo Pod (no namespace set) {pod: solo}
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

from hardhull.frontends.kubernetes import parse_text
from hardhull.netpol import Decision, Endpoint, IPPeer, Network, Peer, build

# --------------------------------------------------------------------------- manifests

_API = {
    "Pod": "v1",
    "ReplicationController": "v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}


def workload(kind: str, ns: str | None, name: str, labels: str, ports: str = "[]") -> str:
    """YAML text of a pod-bearing object; ``labels`` and ``ports`` in YAML flow style."""
    meta = f"metadata:\n  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    pod_spec = f"containers:\n- name: main\n  image: example/app:1\n  ports: {ports}\n"
    if kind == "Pod":
        head = meta.replace("metadata:\n", f"metadata:\n  labels: {labels}\n")
        return f"apiVersion: v1\nkind: Pod\n{head}spec:\n" + textwrap.indent(pod_spec, "  ")
    template = f"metadata:\n  labels: {labels}\nspec:\n" + textwrap.indent(pod_spec, "  ")
    if kind == "CronJob":
        spec = "schedule: '* * * * *'\njobTemplate:\n  spec:\n    template:\n"
        spec += textwrap.indent(template, "      ")
    else:
        spec = "template:\n" + textwrap.indent(template, "  ")
    return f"apiVersion: {_API[kind]}\nkind: {kind}\n{meta}spec:\n" + textwrap.indent(spec, "  ")


def namespace(name: str, labels: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {labels}\n"


def policy(name: str, spec: str, ns: str | None = "x") -> str:
    meta = f"metadata:\n  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    return f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n{meta}spec:\n{body}\n"


BASE = "---\n".join(
    [
        namespace("x", "{team: x}"),
        namespace("y", "{team: y, env: prod}"),
        namespace("z", "{env: dev}"),
        workload(
            "Deployment",
            "x",
            "a",
            "{pod: a, app: web}",
            "[{name: http, containerPort: 80}, {name: serve-udp, containerPort: 80, "
            "protocol: UDP}, {name: metrics, containerPort: 9090}]",
        ),
        workload("Pod", "x", "b", "{pod: b}", "[{name: http, containerPort: 80}]"),
        workload("StatefulSet", "x", "c", "{pod: c}"),
        workload("DaemonSet", "y", "a", "{pod: a}", "[{name: http, containerPort: 8080}]"),
        workload("Job", "y", "b", "{pod: b}"),
        workload("CronJob", "y", "c", "{pod: c}"),
        workload("ReplicaSet", "z", "a", "{pod: a}"),
        workload("ReplicationController", "z", "b", "{pod: b}"),
        workload("Pod", "w", "a", "{pod: a}"),
        workload("Pod", None, "solo", "{pod: solo}"),
    ]
)


def load(text: str) -> Network:
    parsed = parse_text("case.yaml", text)
    assert parsed.errors == [] and parsed.skipped == []
    return build([o.data for o in parsed.objects])


def peer(net: Network, ref: str) -> Peer:
    if ref.startswith("ip:"):
        return IPPeer.parse(ref[3:])
    found = net.find(ref)
    assert len(found) == 1, ref
    return found[0]


# --------------------------------------------------------------------------- policies used

DENY_INGRESS = policy("deny-ingress", "podSelector: {}\npolicyTypes: [Ingress]")
DENY_EGRESS = policy("deny-egress", "podSelector: {}\npolicyTypes: [Egress]")
A_FROM_B = policy(  # e2e: allow traffic from pods within server namespace based on PodSelector
    "a-from-b",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - podSelector: {matchLabels: {pod: b}}
    """,
)
A_FROM_NS_Y = policy(
    "a-from-ns-y",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
    """,
)
A_AND = policy(  # one peer: namespace AND pod (e2e: PodSelector and NamespaceSelector)
    "a-and",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - namespaceSelector:
          matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]
        podSelector: {matchLabels: {pod: b}}
    """,
)
A_OR = policy(  # two peers: namespace OR pod of the policy's own namespace
    "a-or",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - namespaceSelector: {matchLabels: {team: y}}
      - podSelector: {matchLabels: {pod: b}}
    """,
)
A_ENV_EXISTS = policy(
    "a-env",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}
    """,
)
A_NO_ENV = policy(
    "a-no-env",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - namespaceSelector: {matchExpressions: [{key: env, operator: DoesNotExist}]}
    """,
)
A_ALL_NS = policy(  # e2e: allow ingress traffic from pods in all namespaces
    "a-all-ns",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - namespaceSelector: {}
    """,
)
B_EGRESS_ONLY_RULES = policy(  # no policyTypes, egress rules present: Ingress AND Egress
    "b-egress",
    """
    podSelector: {matchLabels: {pod: b}}
    egress:
    - to:
      - podSelector: {matchLabels: {pod: a}}
    """,
)
ONLY_EGRESS_TYPE = policy(  # policyTypes [Egress]: the ingress rules are not enforced
    "egress-type",
    """
    podSelector: {matchLabels: {pod: a}}
    policyTypes: [Egress]
    ingress:
    - from:
      - podSelector: {matchLabels: {pod: b}}
    egress: []
    """,
)
PORTS = policy(
    "a-ports",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - ports:
      - port: 80
      - protocol: UDP
        port: serve-udp
      - port: 8000
        endPort: 8100
      - protocol: SCTP
        port: 5000
    """,
)
UDP_ONLY = policy(  # e2e: should not allow access by TCP when a policy specifies only UDP
    "a-udp",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - ports: [{protocol: UDP}]
    """,
)
EMPTY_PORT = policy(  # a port entry with no field: TCP, every port
    "a-empty-port",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - ports: [{}]
    """,
)
NAMED_TCP = policy(  # a named port with the default protocol TCP
    "a-named",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - ports: [{port: serve-udp}, {port: metrics}]
    """,
)
B_EGRESS_NAMED = policy(
    "b-named",
    """
    podSelector: {matchLabels: {pod: b}}
    policyTypes: [Egress]
    egress:
    - to: [{namespaceSelector: {}}]
      ports: [{port: http}]
    """,
)
A_EGRESS_NAMED_IP = policy(
    "a-named-ip",
    """
    podSelector: {matchLabels: {pod: a}}
    policyTypes: [Egress]
    egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
      ports: [{port: http}, {port: 443}]
    """,
)
A_FROM_CIDR = policy(
    "a-cidr",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from:
      - ipBlock:
          cidr: 172.17.0.0/16
          except: [172.17.1.0/24]
    """,
)
A_TO_V6 = policy(
    "a-v6",
    """
    podSelector: {matchLabels: {pod: a}}
    policyTypes: [Egress]
    egress:
    - to:
      - ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}
      - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
    """,
)
DNS_ANYWHERE = policy(
    "dns-anywhere",
    """
    podSelector: {}
    policyTypes: [Egress]
    egress:
    - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    """,
)
ALLOW_ALL_INGRESS = policy("allow-all-ingress", "podSelector: {}\ningress:\n- {}")
ALLOW_ALL_EGRESS = policy(
    "allow-all-egress", "podSelector: {}\npolicyTypes: [Egress]\negress:\n- {}"
)
Y_ALLOW_ALL_INGRESS = policy("allow-all-ingress", "podSelector: {}\ningress:\n- {}", ns="y")
EMPTY_FROM = policy("a-empty-from", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: []")
EMPTY_INGRESS = policy("a-empty-ingress", "podSelector: {matchLabels: {pod: a}}\ningress: []")
SELECTS_NOTHING = policy("nothing", "podSelector: {matchLabels: {pod: zzz}}\ningress: []")
NO_SPEC = (
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
    "metadata:\n  name: bare\n  namespace: x\n"
)
NO_TYPES_NO_RULES = policy("implicit", "podSelector: {}")
INVALID_OPERATOR = policy(
    "bad-op",
    """
    podSelector: {matchExpressions: [{key: pod, operator: in, values: [a]}]}
    ingress: []
    """,
)
OWN_NS_ALL_PODS = policy(
    "a-own-ns", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {}}]"
)
A_FROM_ANY_POD = policy(  # e2e "allow-all-to-a": both selectors empty, one peer
    "a-any-pod",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from: [{namespaceSelector: {}, podSelector: {}}]
    """,
)
A_FROM_NS_W_LABEL = policy(
    "a-from-w-team",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from: [{namespaceSelector: {matchLabels: {team: w}}}]
    """,
)
A_FROM_NS_W_NAME = policy(
    "a-from-w-name",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: w}}}]
    """,
)
A_FROM_MATCH_EXPR = policy(  # e2e: PodSelector with MatchExpressions
    "a-expr",
    """
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}}]
    """,
)
DEFAULT_NS_DENY = policy("deny", "podSelector: {}\npolicyTypes: [Ingress]", ns=None)
Y_DENY_ALL = policy("deny-all", "podSelector: {}\npolicyTypes: [Ingress, Egress]", ns="y")


@dataclass(frozen=True)
class Case:
    id: str
    policies: tuple[str, ...]
    src: str
    dst: str
    port: int
    allowed: bool
    ingress: tuple[str, ...] = ()
    egress: tuple[str, ...] = ()
    protocol: str = "TCP"


C = Case
CASES: list[Case] = [
    # no policy: every pod is non-isolated in both directions
    C("no-policy", (), "x/b", "x/a", 80, True),
    C("no-policy-external", (), "ip:203.0.113.9", "y/c", 443, True),
    # default deny ingress (podSelector {} selects every pod of its namespace only)
    C("deny-ingress", (DENY_INGRESS,), "y/a", "x/a", 80, False, ("x/deny-ingress",)),
    C("deny-ingress-same-ns", (DENY_INGRESS,), "x/b", "x/c", 80, False, ("x/deny-ingress",)),
    C("deny-ingress-leaves-egress", (DENY_INGRESS,), "x/a", "y/a", 80, True),
    C("deny-ingress-other-ns-free", (DENY_INGRESS,), "y/a", "z/b", 80, True),
    # policyTypes defaulting: Ingress always, Egress only when there are egress rules
    C("no-types-no-rules", (NO_TYPES_NO_RULES,), "y/a", "x/b", 80, False, ("x/implicit",)),
    C("no-types-no-rules-egress", (NO_TYPES_NO_RULES,), "x/b", "y/a", 80, True),
    C("no-spec-denies-ingress", (NO_SPEC,), "z/a", "x/c", 80, False, ("x/bare",)),
    C(
        "egress-rules-imply-ingress",
        (B_EGRESS_ONLY_RULES,),
        "x/a",
        "x/b",
        80,
        False,
        ("x/b-egress",),
    ),
    C("egress-rules-allow", (B_EGRESS_ONLY_RULES,), "x/b", "x/a", 80, True, (), ("x/b-egress",)),
    C("egress-rules-deny", (B_EGRESS_ONLY_RULES,), "x/b", "x/c", 80, False, (), ("x/b-egress",)),
    C("types-egress-ignores-ingress", (ONLY_EGRESS_TYPE,), "y/c", "x/a", 80, True),
    C("types-egress-denies", (ONLY_EGRESS_TYPE,), "x/a", "y/c", 80, False, (), ("x/egress-type",)),
    # default deny egress
    C("deny-egress", (DENY_EGRESS,), "x/a", "y/a", 80, False, (), ("x/deny-egress",)),
    C(
        "deny-egress-to-ip",
        (DENY_EGRESS,),
        "x/c",
        "ip:8.8.8.8",
        53,
        False,
        (),
        ("x/deny-egress",),
        "UDP",
    ),
    C("deny-egress-leaves-ingress", (DENY_EGRESS,), "y/a", "x/a", 80, True),
    C(
        "client-side-deny-wins",
        (DENY_EGRESS, Y_ALLOW_ALL_INGRESS),
        "x/a",
        "y/a",
        80,
        False,
        ("y/allow-all-ingress",),
        ("x/deny-egress",),
    ),
    C(
        "deny-all-both-ways",
        (Y_DENY_ALL,),
        "y/b",
        "y/c",
        80,
        False,
        ("y/deny-all",),
        ("y/deny-all",),
    ),
    # the empty rule {} and empty lists
    C(
        "allow-all-ingress",
        (DENY_INGRESS, ALLOW_ALL_INGRESS),
        "ip:198.51.100.7",
        "x/a",
        22,
        True,
        ("x/allow-all-ingress",),
    ),
    C(
        "allow-all-egress",
        (DENY_EGRESS, ALLOW_ALL_EGRESS),
        "x/a",
        "ip:198.51.100.7",
        22,
        True,
        (),
        ("x/allow-all-egress",),
    ),
    C(
        "empty-from-all-sources",
        (EMPTY_FROM,),
        "ip:192.0.2.1",
        "x/a",
        1234,
        True,
        ("x/a-empty-from",),
    ),
    C("empty-ingress-denies", (EMPTY_INGRESS,), "x/b", "x/a", 80, False, ("x/a-empty-ingress",)),
    C("selects-nothing", (SELECTS_NOTHING,), "y/a", "x/a", 80, True),
    # podSelector alone: the policy's own namespace
    C("pod-selector-allows", (A_FROM_B,), "x/b", "x/a", 80, True, ("x/a-from-b",)),
    C("pod-selector-other-pod", (A_FROM_B,), "x/c", "x/a", 80, False, ("x/a-from-b",)),
    C("pod-selector-own-ns-only", (A_FROM_B,), "y/b", "x/a", 80, False, ("x/a-from-b",)),
    C("pod-selector-unselected-dst", (A_FROM_B,), "x/c", "x/b", 80, True),
    C("empty-pod-selector-own-ns", (OWN_NS_ALL_PODS,), "x/c", "x/a", 80, True, ("x/a-own-ns",)),
    C(
        "empty-pod-selector-not-other-ns",
        (OWN_NS_ALL_PODS,),
        "y/a",
        "x/a",
        80,
        False,
        ("x/a-own-ns",),
    ),
    C("match-expressions-in", (A_FROM_MATCH_EXPR,), "x/c", "x/a", 80, True, ("x/a-expr",)),
    # namespaceSelector alone: all pods of the selected namespaces
    C("ns-name-label", (A_FROM_NS_Y,), "y/c", "x/a", 80, True, ("x/a-from-ns-y",)),
    C("ns-name-label-not-own", (A_FROM_NS_Y,), "x/b", "x/a", 80, False, ("x/a-from-ns-y",)),
    C("ns-name-label-other", (A_FROM_NS_Y,), "z/a", "x/a", 80, False, ("x/a-from-ns-y",)),
    C("ns-exists", (A_ENV_EXISTS,), "z/b", "x/a", 80, True, ("x/a-env",)),
    C("ns-exists-missing", (A_ENV_EXISTS,), "x/b", "x/a", 80, False, ("x/a-env",)),
    C("ns-does-not-exist", (A_NO_ENV,), "x/b", "x/a", 80, True, ("x/a-no-env",)),
    C("ns-does-not-exist-has", (A_NO_ENV,), "y/b", "x/a", 80, False, ("x/a-no-env",)),
    C("ns-all", (A_ALL_NS,), "w/a", "x/a", 80, True, ("x/a-all-ns",)),
    C("ns-all-not-external", (A_ALL_NS,), "ip:10.1.2.3", "x/a", 80, False, ("x/a-all-ns",)),
    C(
        "ns-undeclared-no-labels",
        (A_FROM_NS_W_LABEL,),
        "w/a",
        "x/a",
        80,
        False,
        ("x/a-from-w-team",),
    ),
    C(
        "ns-undeclared-name-label",
        (A_FROM_NS_W_NAME,),
        "w/a",
        "x/a",
        80,
        True,
        ("x/a-from-w-name",),
    ),
    C("any-pod-any-ns", (DENY_INGRESS, A_FROM_ANY_POD), "z/b", "x/a", 80, True, ("x/a-any-pod",)),
    C(
        "any-pod-any-ns-other-dst",
        (DENY_INGRESS, A_FROM_ANY_POD),
        "z/b",
        "x/b",
        80,
        False,
        ("x/deny-ingress",),
    ),
    # one peer with both selectors (AND) against two peers (OR)
    C("and-both-match", (A_AND,), "y/b", "x/a", 80, True, ("x/a-and",)),
    C("and-both-match-other-ns", (A_AND,), "z/b", "x/a", 80, True, ("x/a-and",)),
    C("and-ns-only", (A_AND,), "y/a", "x/a", 80, False, ("x/a-and",)),
    C("and-pod-only", (A_AND,), "x/b", "x/a", 80, False, ("x/a-and",)),
    C("or-namespace-branch", (A_OR,), "y/a", "x/a", 80, True, ("x/a-or",)),
    C("or-pod-branch", (A_OR,), "x/b", "x/a", 80, True, ("x/a-or",)),
    C("or-neither", (A_OR,), "x/c", "x/a", 80, False, ("x/a-or",)),
    C("or-pod-branch-own-ns-only", (A_OR,), "z/b", "x/a", 80, False, ("x/a-or",)),
    # additive policies: every admitting policy is named
    C(
        "additive-one",
        (DENY_INGRESS, A_FROM_B, A_FROM_NS_Y),
        "y/a",
        "x/a",
        80,
        True,
        ("x/a-from-ns-y",),
    ),
    C("additive-both", (A_FROM_B, A_OR), "x/b", "x/a", 80, True, ("x/a-from-b", "x/a-or")),
    C(
        "additive-none",
        (DENY_INGRESS, A_FROM_B, A_FROM_NS_Y),
        "z/a",
        "x/a",
        80,
        False,
        ("x/a-from-b", "x/a-from-ns-y", "x/deny-ingress"),
    ),
    # ports: number, range, protocol, named
    C("port-number", (PORTS,), "x/b", "x/a", 80, True, ("x/a-ports",)),
    C("port-number-other", (PORTS,), "x/b", "x/a", 81, False, ("x/a-ports",)),
    C("port-number-protocol", (PORTS,), "x/b", "x/a", 80, True, ("x/a-ports",), (), "UDP"),
    C("end-port-low", (PORTS,), "x/b", "x/a", 8000, True, ("x/a-ports",)),
    C("end-port-high", (PORTS,), "x/b", "x/a", 8100, True, ("x/a-ports",)),
    C("end-port-above", (PORTS,), "x/b", "x/a", 8101, False, ("x/a-ports",)),
    C("end-port-below", (PORTS,), "x/b", "x/a", 7999, False, ("x/a-ports",)),
    C("end-port-tcp-only", (PORTS,), "x/b", "x/a", 8050, False, ("x/a-ports",), (), "UDP"),
    C("sctp", (PORTS,), "x/b", "x/a", 5000, True, ("x/a-ports",), (), "SCTP"),
    C("sctp-not-tcp", (PORTS,), "x/b", "x/a", 5000, False, ("x/a-ports",)),
    C("udp-only-denies-tcp", (UDP_ONLY,), "x/b", "x/a", 80, False, ("x/a-udp",)),
    C("udp-only-any-udp", (UDP_ONLY,), "x/b", "x/a", 9999, True, ("x/a-udp",), (), "UDP"),
    C("empty-port-is-tcp", (EMPTY_PORT,), "x/b", "x/a", 9999, True, ("x/a-empty-port",)),
    C("empty-port-not-udp", (EMPTY_PORT,), "x/b", "x/a", 53, False, ("x/a-empty-port",), (), "UDP"),
    C("named-port-protocol-mismatch", (NAMED_TCP,), "x/b", "x/a", 80, False, ("x/a-named",)),
    C("named-port", (NAMED_TCP,), "x/b", "x/a", 9090, True, ("x/a-named",)),
    C(
        "named-port-egress-resolves-per-dst",
        (B_EGRESS_NAMED,),
        "x/b",
        "x/a",
        80,
        True,
        (),
        ("x/b-named",),
    ),
    C(
        "named-port-egress-other-number",
        (B_EGRESS_NAMED,),
        "x/b",
        "y/a",
        80,
        False,
        (),
        ("x/b-named",),
    ),
    C(
        "named-port-egress-dst-port",
        (B_EGRESS_NAMED,),
        "x/b",
        "y/a",
        8080,
        True,
        (),
        ("x/b-named",),
    ),
    C(
        "named-port-egress-undeclared",
        (B_EGRESS_NAMED,),
        "x/b",
        "y/b",
        80,
        False,
        (),
        ("x/b-named",),
    ),
    C(
        "named-port-not-for-ip",
        (A_EGRESS_NAMED_IP,),
        "x/a",
        "ip:203.0.113.5",
        80,
        False,
        (),
        ("x/a-named-ip",),
    ),
    C(
        "numbered-port-for-ip",
        (A_EGRESS_NAMED_IP,),
        "x/a",
        "ip:203.0.113.5",
        443,
        True,
        (),
        ("x/a-named-ip",),
    ),
    # ipBlock with except, IPv4 and IPv6; pods are never assumed inside a CIDR
    C("cidr-in", (A_FROM_CIDR,), "ip:172.17.2.3", "x/a", 80, True, ("x/a-cidr",)),
    C("cidr-except", (A_FROM_CIDR,), "ip:172.17.1.5", "x/a", 80, False, ("x/a-cidr",)),
    C("cidr-out", (A_FROM_CIDR,), "ip:10.0.0.1", "x/a", 80, False, ("x/a-cidr",)),
    C("cidr-not-pods", (A_FROM_CIDR,), "y/a", "x/a", 80, False, ("x/a-cidr",)),
    C("cidr-v6-in", (A_TO_V6,), "x/a", "ip:2001:db8:2::1", 443, True, (), ("x/a-v6",)),
    C("cidr-v6-except", (A_TO_V6,), "x/a", "ip:2001:db8:1::1", 443, False, (), ("x/a-v6",)),
    C("cidr-v4-all-but", (A_TO_V6,), "x/a", "ip:93.184.216.34", 443, True, (), ("x/a-v6",)),
    C("cidr-v4-except", (A_TO_V6,), "x/a", "ip:10.20.30.40", 443, False, (), ("x/a-v6",)),
    C("cidr-0/0-not-pods", (A_TO_V6,), "x/a", "y/a", 443, False, (), ("x/a-v6",)),
    C("cidr-v6-outside", (A_TO_V6,), "x/a", "ip:2001:db9::1", 443, False, (), ("x/a-v6",)),
    # egress rule without "to": any destination on the listed ports
    C(
        "dns-anywhere-udp",
        (DNS_ANYWHERE,),
        "x/c",
        "ip:1.1.1.1",
        53,
        True,
        (),
        ("x/dns-anywhere",),
        "UDP",
    ),
    C("dns-anywhere-pod", (DNS_ANYWHERE,), "x/c", "z/a", 53, True, (), ("x/dns-anywhere",)),
    C("dns-anywhere-other-port", (DNS_ANYWHERE,), "x/c", "z/a", 80, False, (), ("x/dns-anywhere",)),
    # namespaces: unset means "default", for pods and policies alike
    C("default-namespace", (DEFAULT_NS_DENY,), "x/a", "default/solo", 80, False, ("default/deny",)),
    C("default-namespace-scoped", (DEFAULT_NS_DENY,), "default/solo", "x/a", 80, True),
    # an invalid policy would be rejected by the API server: it does not exist
    C("invalid-policy-ignored", (INVALID_OPERATOR,), "y/a", "x/a", 80, True),
    # neither side a pod: no policy governs it
    C("ip-to-ip", (DENY_INGRESS, DENY_EGRESS), "ip:192.0.2.1", "ip:192.0.2.2", 80, True),
]


def test_case_table_is_large_and_unique() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    net = load("---\n".join([BASE, *case.policies]))
    src, dst = peer(net, case.src), peer(net, case.dst)
    got = net.allowed(src, dst, case.port, case.protocol)
    assert (got.allowed, got.ingress_policies, got.egress_policies) == (
        case.allowed,
        list(case.ingress),
        list(case.egress),
    ), got.reason
    assert got.reason.startswith("allowed: " if case.allowed else "denied: ")


def test_reason_text() -> None:
    net = load("---\n".join([BASE, DENY_EGRESS, A_FROM_B]))
    got = net.allowed(peer(net, "x/c"), peer(net, "x/a"), 80)
    assert got == Decision(
        False,
        ["x/a-from-b"],
        ["x/deny-egress"],
        "denied: egress: x/c is isolated by x/deny-egress and no egress rule admits x/a on "
        "80/TCP; ingress: x/a is isolated by x/a-from-b and no ingress rule admits x/c on 80/TCP",
    )
    got = net.allowed(peer(net, "y/c"), peer(net, "z/a"), 80)
    assert got.reason == (
        "allowed: egress: no policy isolates y/c; ingress: no policy isolates z/a"
    )


def test_endpoints_of_every_pod_bearing_kind() -> None:
    net = load(BASE)
    got = sorted((e.key, dict(e.labels)) for e in net.endpoints)
    assert got == [
        ("default/Pod/solo", {"pod": "solo"}),
        ("w/Pod/a", {"pod": "a"}),
        ("x/Deployment/a", {"pod": "a", "app": "web"}),
        ("x/Pod/b", {"pod": "b"}),
        ("x/StatefulSet/c", {"pod": "c"}),
        ("y/CronJob/c", {"pod": "c"}),
        ("y/DaemonSet/a", {"pod": "a"}),
        ("y/Job/b", {"pod": "b"}),
        ("z/ReplicaSet/a", {"pod": "a"}),
        ("z/ReplicationController/b", {"pod": "b"}),
    ]
    a = peer(net, "x/a")
    assert isinstance(a, Endpoint)
    assert [(p.name, p.port, p.protocol) for p in a.ports] == [
        ("http", 80, "TCP"),
        ("serve-udp", 80, "UDP"),
        ("metrics", 9090, "TCP"),
    ]
    assert a.named_ports("serve-udp", "UDP") == frozenset({80})
    assert a.named_ports("serve-udp", "TCP") == frozenset()


def test_namespace_labels() -> None:
    text = "---\n".join(
        [
            BASE,
            namespace("fake", "{kubernetes.io/metadata.name: other, team: f}"),
            DENY_INGRESS,
        ]
    )
    net = load(text)
    assert dict(net.namespace_labels("y")) == {
        "team": "y",
        "env": "prod",
        "kubernetes.io/metadata.name": "y",
    }
    # the API server sets the name label, overriding what the manifest says
    assert dict(net.namespace_labels("fake")) == {
        "team": "f",
        "kubernetes.io/metadata.name": "fake",
    }
    # referenced, not declared: only the automatic label
    assert dict(net.namespace_labels("w")) == {"kubernetes.io/metadata.name": "w"}
    assert net.namespaces["w"].declared is False
    assert net.namespaces["x"].declared is True
    assert sorted(net.namespaces) == ["default", "fake", "w", "x", "y", "z"]


def test_default_namespace_override() -> None:
    parsed = parse_text(
        "t.yaml", "---\n".join([workload("Pod", None, "p", "{a: b}"), DEFAULT_NS_DENY])
    )
    net = build([o.data for o in parsed.objects], default_namespace="team")
    (p,) = net.find("team/p")
    assert [pol.ref for pol in net.policies_for(p, "ingress")] == ["team/deny"]


def test_sidecar_named_port_and_host_network() -> None:
    text = """
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: n, labels: {app: p}}
spec:
  hostNetwork: true
  initContainers:
  - {name: proxy, image: i, restartPolicy: Always, ports: [{name: proxy, containerPort: 15001}]}
  - {name: setup, image: i, ports: [{name: setup, containerPort: 1}]}
  containers:
  - {name: main, image: i}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tmpl, namespace: n}
template:
  metadata: {labels: {app: t}}
  spec: {containers: [{name: c, image: i}]}
"""
    net = load(text)
    (p,) = net.endpoints
    assert p.host_network is True
    assert [(c.name, c.port, c.container) for c in p.ports] == [("proxy", 15001, "proxy")]
    got = net.allowed(IPPeer.parse("10.0.0.1"), p, 15001)
    assert got.reason == (
        "allowed: egress: source is not a pod of the set; ingress: no policy isolates n/p "
        "(note: n/p uses the host network; NetworkPolicy behavior for host-network pods is "
        "undefined and most plugins treat their traffic as node traffic)"
    )


def test_find() -> None:
    net = load(BASE)
    assert [e.key for e in net.find("y/daemonset/a")] == ["y/DaemonSet/a"]
    assert [e.key for e in net.find("solo")] == ["default/Pod/solo"]
    assert net.find("x/nope") == [] and net.find("a/b/c/d") == []


def test_query_validation() -> None:
    net = load(BASE)
    a, b = peer(net, "x/a"), peer(net, "x/b")
    with pytest.raises(ValueError, match="port must be"):
        net.allowed(a, b, 0)
    with pytest.raises(ValueError, match="protocol must be"):
        net.allowed(a, b, 80, "ICMP")
    assert net.allowed(a, b, 80, "udp").allowed is True
    with pytest.raises(ValueError):
        IPPeer.parse("not-an-ip")


# --------------------------------------------------------------------------- the seed set

SHOP = "---\n".join(
    [
        namespace("shop", "{}"),
        namespace("ingress-nginx", "{}"),
        namespace("database", "{}"),
        namespace("other", "{}"),
        workload("Deployment", "shop", "web", "{app: web}", "[{name: http, containerPort: 3000}]"),
        workload("Deployment", "shop", "worker", "{app: worker}"),
        workload("Deployment", "ingress-nginx", "controller", "{app: ingress}"),
        workload("StatefulSet", "database", "postgres", "{app: db}", "[{containerPort: 5432}]"),
        workload(
            "Deployment",
            "kube-system",
            "coredns",
            "{k8s-app: kube-dns}",
            "[{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]",
        ),
        workload("Deployment", "other", "intruder", "{app: x}"),
        policy("default-deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]", ns="shop"),
        policy(
            "allow-from-ingress",
            """
            podSelector: {}
            ingress:
            - from:
              - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
              ports: [{protocol: TCP, port: 3000}]
            """,
            ns="shop",
        ),
        policy(
            "allow-to-db",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - to:
              - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: database}}
              ports: [{protocol: TCP, port: 5432}]
            """,
            ns="shop",
        ),
        policy(
            "allow-dns",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - to:
              - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                podSelector: {matchLabels: {k8s-app: kube-dns}}
              ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
            """,
            ns="shop",
        ),
    ]
)
SHOP_IN = ["shop/allow-from-ingress", "shop/default-deny"]
SHOP_EG = ["shop/allow-dns", "shop/allow-to-db", "shop/default-deny"]

SHOP_CASES = [
    # (src, dst, port, protocol, allowed, ingress policies, egress policies)
    ("ingress-nginx/controller", "shop/web", 3000, "TCP", True, ["shop/allow-from-ingress"], []),
    ("ingress-nginx/controller", "shop/worker", 3000, "TCP", True, ["shop/allow-from-ingress"], []),
    ("ingress-nginx/controller", "shop/web", 3001, "TCP", False, SHOP_IN, []),
    ("ingress-nginx/controller", "shop/web", 3000, "UDP", False, SHOP_IN, []),
    ("other/intruder", "shop/web", 3000, "TCP", False, SHOP_IN, []),
    ("database/postgres", "shop/web", 3000, "TCP", False, SHOP_IN, []),
    ("kube-system/coredns", "shop/web", 3000, "TCP", False, SHOP_IN, []),
    ("ip:203.0.113.10", "shop/web", 3000, "TCP", False, SHOP_IN, []),
    ("shop/worker", "shop/web", 3000, "TCP", False, SHOP_IN, SHOP_EG),
    ("shop/web", "shop/web", 3000, "TCP", False, SHOP_IN, SHOP_EG),
    ("shop/web", "database/postgres", 5432, "TCP", True, [], ["shop/allow-to-db"]),
    ("shop/worker", "database/postgres", 5432, "TCP", True, [], ["shop/allow-to-db"]),
    ("shop/web", "database/postgres", 5433, "TCP", False, [], SHOP_EG),
    ("shop/web", "database/postgres", 5432, "UDP", False, [], SHOP_EG),
    ("shop/web", "kube-system/coredns", 53, "UDP", True, [], ["shop/allow-dns"]),
    ("shop/web", "kube-system/coredns", 53, "TCP", True, [], ["shop/allow-dns"]),
    ("shop/web", "kube-system/coredns", 54, "UDP", False, [], SHOP_EG),
    ("shop/web", "ingress-nginx/controller", 80, "TCP", False, [], SHOP_EG),
    ("shop/web", "other/intruder", 53, "UDP", False, [], SHOP_EG),
    ("shop/web", "ip:8.8.8.8", 53, "UDP", False, [], SHOP_EG),
    ("shop/web", "ip:93.184.216.34", 443, "TCP", False, [], SHOP_EG),
    ("other/intruder", "database/postgres", 5432, "TCP", True, [], []),
    ("ingress-nginx/controller", "other/intruder", 80, "TCP", True, [], []),
]


@pytest.mark.parametrize(
    "case", SHOP_CASES, ids=[f"{c[0]}->{c[1]}:{c[2]}/{c[3]}" for c in SHOP_CASES]
)
def test_seed_policy_set(case: tuple[str, str, int, str, bool, list[str], list[str]]) -> None:
    src, dst, port, proto, allowed, ingress, egress = case
    net = load(SHOP)
    got = net.allowed(peer(net, src), peer(net, dst), port, proto)
    assert (got.allowed, got.ingress_policies, got.egress_policies) == (allowed, ingress, egress)


def test_seed_policy_set_every_pair_on_its_ports() -> None:
    """Every ordered pair on every port the seed set uses: only the intended edges open up."""
    net = load(SHOP)
    opened: set[tuple[str, str, int, str]] = set()
    for port, proto in ((3000, "TCP"), (5432, "TCP"), (53, "UDP"), (53, "TCP"), (80, "TCP")):
        for (s, d), dec in net.matrix(port=port, protocol=proto).items():
            if dec.allowed and "shop" in (
                s.namespace if isinstance(s, Endpoint) else "",
                d.namespace if isinstance(d, Endpoint) else "",
            ):
                opened.add((str(s), str(d), port, proto))
    assert opened == {
        ("ingress-nginx/controller", "shop/web", 3000, "TCP"),
        ("ingress-nginx/controller", "shop/worker", 3000, "TCP"),
        ("shop/web", "database/postgres", 5432, "TCP"),
        ("shop/worker", "database/postgres", 5432, "TCP"),
        ("shop/web", "kube-system/coredns", 53, "UDP"),
        ("shop/worker", "kube-system/coredns", 53, "UDP"),
        ("shop/web", "kube-system/coredns", 53, "TCP"),
        ("shop/worker", "kube-system/coredns", 53, "TCP"),
    }


def test_seed_dns() -> None:
    net = load(SHOP)
    web = peer(net, "shop/web")
    assert net.allows_dns(web) is True
    assert net.allows_dns(peer(net, "other/intruder")) is True  # not isolated
    dec = net.dns_decision(web)
    assert (dec.allowed, dec.egress_policies, dec.ingress_policies) == (
        True,
        ["shop/allow-dns"],
        [],
    )
    assert dec.reason.startswith("DNS allowed: 53/UDP to kube-system/coredns: allowed: ")
    # without the DNS policy, name resolution breaks
    moved = SHOP.replace("allow-dns\n  namespace: shop", "allow-dns\n  namespace: elsewhere")
    assert moved != SHOP
    no_dns = load(moved)
    assert no_dns.allows_dns(peer(no_dns, "shop/web")) is False


def test_dns_synthetic_endpoint_and_partial_protocols() -> None:
    udp_only = policy(
        "dns-udp",
        "podSelector: {}\npolicyTypes: [Egress]\negress:\n- ports: [{port: 53, protocol: UDP}]",
    )
    net = load("---\n".join([BASE, udp_only]))
    (dns,) = net.dns_endpoints()
    assert (dns.key, dns.index) == ("kube-system/Deployment/kube-dns", -1)
    a = peer(net, "x/a")
    assert net.allows_dns(a) is False  # TCP 53 missing (large answers, zone transfers)
    assert net.dns_decision(a, ("UDP",)).allowed is True
    full = load("---\n".join([BASE, DNS_ANYWHERE]))
    assert full.allows_dns(peer(full, "x/a")) is True
    # a pod selector that names the kube-dns labels in kube-system
    by_label = policy(
        "dns-label",
        """
        podSelector: {}
        policyTypes: [Egress]
        egress:
        - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
          ports: [{port: dns, protocol: UDP}, {port: dns-tcp}]
        """,
    )
    lab = load("---\n".join([BASE, by_label]))
    assert lab.allows_dns(peer(lab, "x/b")) is True
    assert lab.allows_dns(peer(lab, "y/b")) is True


# --------------------------------------------------------------------------- matrix


ALL_POLICIES = (
    DENY_INGRESS,
    A_AND,
    A_OR,
    B_EGRESS_NAMED,
    PORTS,
    A_TO_V6,
    Y_DENY_ALL,
    policy(
        "y-allow",
        """
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {env: dev}}}]
          ports: [{port: http}]
        """,
        ns="y",
    ),
    policy(
        "y-egress",
        """
        podSelector: {matchLabels: {pod: b}}
        policyTypes: [Egress]
        egress:
        - to: [{namespaceSelector: {}}]
        """,
        ns="y",
    ),
)


@pytest.mark.parametrize(
    ("port", "proto"), [(80, "TCP"), (8080, "TCP"), (80, "UDP"), (8050, "TCP")]
)
def test_matrix_equals_pairwise(port: int, proto: str) -> None:
    net = load("---\n".join([BASE, *ALL_POLICIES]))
    peers: list[Peer] = [*net.endpoints, IPPeer.parse("10.0.0.1"), IPPeer.parse("2001:db8:2::1")]
    m = net.matrix(peers, port, proto)
    assert len(m) == len(peers) ** 2
    for s in peers:
        for d in peers:
            assert m[(s, d)] == net.allowed(s, d, port, proto), (str(s), str(d))
    assert sum(d.allowed for d in m.values()) < len(m)  # the policies do cut edges


def test_matrix_few_hundred_endpoints_is_fast() -> None:
    docs = []
    for n in range(10):
        docs.append(namespace(f"ns{n}", f"{{tier: t{n % 3}}}"))
        docs.append(policy("deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]", ns=f"ns{n}"))
        docs.append(
            policy(
                "allow",
                f"""
                podSelector: {{matchLabels: {{role: r{n % 4}}}}}
                ingress:
                - from: [{{namespaceSelector: {{matchLabels: {{tier: t{(n + 1) % 3}}}}}}}]
                  ports: [{{port: http}}]
                egress:
                - to: [{{namespaceSelector: {{}}, podSelector: {{matchLabels: {{role: r1}}}}}}]
                """,
                ns=f"ns{n}",
            )
        )
        for i in range(30):
            docs.append(
                workload(
                    "Deployment",
                    f"ns{n}",
                    f"app{i}",
                    f"{{role: r{i % 4}}}",
                    "[{name: http, containerPort: 80}]",
                )
            )
    net = load("---\n".join(docs))
    assert len(net.endpoints) == 300
    m = net.matrix(port=80)  # its speed: bench/netpol_reach.py
    assert len(m) == 90_000
    allowed = sum(d.allowed for d in m.values())
    # spot-check against the pairwise answer
    eps = net.endpoints
    for s, d in [(eps[0], eps[1]), (eps[31], eps[61]), (eps[5], eps[200]), (eps[299], eps[1])]:
        assert m[(s, d)] == net.allowed(s, d, 80)
    assert 0 < allowed < 90_000
