"""NetworkPolicy validation: what the API server rejects is reported and left out."""

from __future__ import annotations

import textwrap

import pytest

from hardhull.frontends.kubernetes import parse_text
from hardhull.netpol import build


def policy(spec: str) -> str:
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata:\n  name: p\n  namespace: n\nspec:\n{body}\n"
    )


def problems(text: str) -> list[tuple[str, str]]:
    parsed = parse_text("p.yaml", text)
    assert parsed.errors == []
    net = build([o.data for o in parsed.objects])
    found = [(p.pointer, p.message) for p in net.problems]
    if found:
        assert net.policies == []  # the API server would reject the whole object
    return found


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]",
            [("/spec/ingress/0/from/0", "may not specify both ipBlock and another peer")],
        ),
        (
            "podSelector: {}\negress:\n- to: [{}]",
            [
                (
                    "/spec/egress/0/to/0",
                    "must specify a peer (podSelector, namespaceSelector or ipBlock)",
                )
            ],
        ),
        (
            "podSelector: {}\ningress:\n"
            "- from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]",
            [
                (
                    "/spec/ingress/0/from/0/ipBlock/except/0",
                    "'10.1.0.0/24' must be a strict subset of cidr 10.0.0.0/16",
                )
            ],
        ),
        (
            "podSelector: {}\ningress:\n"
            "- from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]",
            [
                (
                    "/spec/ingress/0/from/0/ipBlock/except/0",
                    "'10.0.0.0/16' must be a strict subset of cidr 10.0.0.0/16",
                )
            ],
        ),
        (
            "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.1}}]",
            [
                (
                    "/spec/ingress/0/from/0/ipBlock/cidr",
                    "'10.0.0.1' is not a CIDR: the prefix length (/N) is required",
                )
            ],
        ),
        (
            "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/33}}]",
            [("/spec/ingress/0/from/0/ipBlock/cidr", "'10.0.0.0/33' is not a valid CIDR")],
        ),
        (
            "podSelector: {}\ningress:\n- ports: [{port: http, endPort: 90}]",
            [("/spec/ingress/0/ports/0/endPort", "endPort may not be set with a named port")],
        ),
        (
            "podSelector: {}\ningress:\n- ports: [{endPort: 90}]",
            [("/spec/ingress/0/ports/0/endPort", "endPort may not be set without port")],
        ),
        (
            "podSelector: {}\ningress:\n- ports: [{port: 100, endPort: 90}]",
            [("/spec/ingress/0/ports/0/endPort", "endPort 90 must be between port 100 and 65535")],
        ),
        (
            "podSelector: {}\ningress:\n- ports: [{port: 0}]",
            [("/spec/ingress/0/ports/0/port", "0 is not between 1 and 65535")],
        ),
        (
            "podSelector: {}\ningress:\n- ports: [{port: '80'}]",  # a string: a (bad) port name
            [
                (
                    "/spec/ingress/0/ports/0/port",
                    "'80' is not a valid port name (IANA_SVC_NAME: at most 15 lowercase "
                    "alphanumerics or '-', with a letter, no leading, trailing or double '-')",
                )
            ],
        ),
        (
            "podSelector: {}\ningress:\n- ports: [{port: 80, protocol: tcp}]",
            [("/spec/ingress/0/ports/0/protocol", "'tcp' is not TCP, UDP or SCTP")],
        ),
        (
            "podSelector: {}\npolicyTypes: [Ingress, Ingress]",
            [("/spec/policyTypes/1", "duplicate policy type 'Ingress'")],
        ),
        (
            "podSelector: {}\npolicyTypes: [ingress]",
            [("/spec/policyTypes/0", "'ingress' is not a policy type (Ingress or Egress)")],
        ),
        (
            "podselector: {matchLabels: {app: web}}",  # typo: would select every pod
            [("/spec/podselector", "unknown field 'podselector'")],
        ),
        (
            "podSelector: {matchExpressions: [{key: app, operator: in, values: [web]}]}",
            [
                (
                    "/spec/podSelector/matchExpressions/0/operator",
                    "'in' is not a valid label selector operator "
                    "(expected In, NotIn, Exists or DoesNotExist)",
                )
            ],
        ),
        (
            "podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {team: [a]}}}]",
            [
                (
                    "/spec/ingress/0/from/0/namespaceSelector/matchLabels/team",
                    "label value must be a string, not a list ['a']",
                )
            ],
        ),
        (
            "podSelector: {}\ningress: {from: []}",
            [("/spec/ingress", "ingress must be a list of rules")],
        ),
        (
            "podSelector: {}\ningress:\n- source: [{podSelector: {}}]",
            [("/spec/ingress/0/source", "unknown field 'source'")],
        ),
    ],
)
def test_invalid_policies(spec: str, expected: list[tuple[str, str]]) -> None:
    assert problems(policy(spec)) == expected


def test_valid_edge_forms_have_no_problems() -> None:
    spec = """
    podSelector: null
    ingress:
    - null
    - from: null
      ports: [null, {port: web-http, protocol: SCTP}, {port: 1, endPort: 65535}]
    - from: [{ipBlock: {cidr: 192.168.1.1/24, except: [192.168.1.128/25]}}]
    egress:
    - to:
      - {ipBlock: {cidr: 'fd00::/8', except: ['fd00:1::/32']}}
      - {podSelector: null, namespaceSelector: {}}
    """
    parsed = parse_text("p.yaml", policy(spec))
    net = build([o.data for o in parsed.objects])
    assert net.problems == []
    (p,) = net.policies
    assert p.policy_types == frozenset({"Ingress", "Egress"}) and p.types_defaulted
    assert p.pod_selector.everything
    assert [r.peers is None and r.ports is None for r in p.ingress] == [True, False, False]
    assert [str(x) for x in p.ingress[1].ports or ()] == ["all/TCP", "web-http/SCTP", "1-65535/TCP"]
    assert [str(x.ip_block) for x in p.ingress[2].peers or ()] == [
        "192.168.1.0/24 except 192.168.1.128/25"
    ]
    assert [pp.describe("n") for pp in p.egress[0].peers or ()] == [
        "ipBlock fd00::/8 except fd00:1::/32",
        "all pods in namespaces all",
    ]


def test_foreign_policies_are_ignored_not_evaluated() -> None:
    text = """
apiVersion: extensions/v1beta1
kind: NetworkPolicy
metadata: {name: old, namespace: n}
spec: {podSelector: {}}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: n}
spec: {endpointSelector: {}}
"""
    parsed = parse_text("p.yaml", text)
    net = build([o.data for o in parsed.objects])
    assert net.policies == [] and net.problems == []
    assert [(p.index, str(p.resource), p.message) for p in net.ignored] == [
        (
            0,
            "NetworkPolicy/n/old",
            "extensions/v1beta1 NetworkPolicy is not evaluated: only networking.k8s.io/v1 "
            "NetworkPolicy semantics are implemented",
        ),
        (
            1,
            "CiliumNetworkPolicy/n/c",
            "cilium.io/v2 CiliumNetworkPolicy is not evaluated: only networking.k8s.io/v1 "
            "NetworkPolicy semantics are implemented",
        ),
    ]


def test_problem_locates_object_and_invalid_pod_labels() -> None:
    text = """
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: n, labels: {app: web, version: 1.0}}
spec: {containers: [{name: c, image: i}]}
---
""" + policy("podSelector: {}\npolicyTypes: [Sideways]")
    parsed = parse_text("p.yaml", text)
    net = build([o.data for o in parsed.objects])
    assert [str(p) for p in net.problems] == [
        "Pod/n/p: /metadata/labels/version: label 'version': key and value must be strings; "
        "ignored",
        "NetworkPolicy/n/p: /spec/policyTypes/0: 'Sideways' is not a policy type (Ingress or "
        "Egress)",
    ]
    assert [p.index for p in net.problems] == [0, 1]
    (pod,) = net.endpoints
    assert dict(pod.labels) == {"app": "web"}
