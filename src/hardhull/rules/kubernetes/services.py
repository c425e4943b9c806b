"""Services that reach beyond the cluster network: external IPs (K038) and node ports (K040).

Only the core API group's ``Service`` is judged (``v1``): a Knative ``Service`` of
``serving.knative.dev`` is another kind with the same name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.workload import api_group, as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rules.kubernetes import GATEKEEPER, KYVERNO, workload_rule

SERVICE_DOC = "https://kubernetes.io/docs/concepts/services-networking/service/"
CATEGORY = "kubernetes-network"


def _service_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The spec of a core ``Service``, None for any other object."""
    if obj.get("kind") != "Service" or api_group(obj.get("apiVersion")) != "":
        return None
    return as_dict(obj.get("spec"))


EXTERNAL_IPS = workload_rule(
    "K038",
    "service-external-ips",
    "Service claims external IPs",
    Severity.MEDIUM,
    what="A Service lists addresses in `spec.externalIPs` (an empty list is not reported).",
    why="Kubernetes does not check who owns an external IP: kube-proxy on every node sends "
    "traffic for that address and port to the Service's pods. Whoever can create such a "
    "Service can intercept the cluster's traffic to any IP, a public DNS resolver or another "
    "tenant's service included (CVE-2020-8554, a design flaw with no patch; the field is "
    "deprecated from Kubernetes v1.36). Clusters should refuse the field with the "
    "`DenyServiceExternalIPs` admission plugin or a policy, so a manifest "
    "that needs it either fails to deploy or shows the cluster is exposed.",
    fix="Expose the Service through `type: LoadBalancer` or an Ingress/Gateway instead; where "
    "external IPs are truly needed, allow only the addresses the cluster owns with an "
    "admission policy.",
    example="""
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
    - {port: 443, targetPort: 8443}
""",
    trivy=("AVD-KSV-0108",),
    category=CATEGORY,
    refs=(
        SERVICE_DOC + "#external-ips",
        "https://github.com/kubernetes/kubernetes/issues/97076",
        "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/"
        "#denyserviceexternalips",
        GATEKEEPER + "general/externalip",
        KYVERNO + "best-practices/restrict-service-external-ips",
    ),
)


# K038
@check(EXTERNAL_IPS, on=Target.OBJECT)
def service_external_ips(obj: dict[str, Any]) -> Iterator[Violation]:
    spec = _service_spec(obj)
    if spec is None:
        return
    ips = [ip for ip in as_list(spec.get("externalIPs")) if isinstance(ip, str) and ip.strip()]
    if ips:
        shown = ", ".join(ips[:5]) + (f" and {len(ips) - 5} more" if len(ips) > 5 else "")
        yield Violation(
            "K038",
            "/spec/externalIPs",
            f"Service captures what the cluster's nodes and pods send to {shown} (CVE-2020-8554)",
        )


NODE_PORT = workload_rule(
    "K040",
    "service-node-port",
    "Service of type NodePort",
    Severity.LOW,
    what="A Service has `type: NodePort` (the API server accepts only that spelling). Services "
    "of type LoadBalancer are not reported, although they allocate node ports too unless "
    "`allocateLoadBalancerNodePorts: false`: their exposure is the intended one, and the node "
    "ports are how the cloud load balancer reaches them.",
    why="A node port listens on every address of every node of the cluster, outside "
    "the view of an Ingress or a load balancer: no TLS termination, authentication or "
    "allow-list in front of it, and often reachable from wherever the nodes are. Firewalls "
    "must then protect a range of ports on every node.",
    fix="Keep the Service `ClusterIP` and expose it through an Ingress or Gateway, or a "
    "`LoadBalancer` with `loadBalancerSourceRanges`.",
    example="""
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: ClusterIP
  selector: {app: web}
  ports:
    - {port: 80, targetPort: 8080}
""",
    kube_linter=("exposed-services",),
    category=CATEGORY,
    refs=(
        SERVICE_DOC + "#type-nodeport",
        GATEKEEPER + "general/block-nodeport-services",
        KYVERNO + "best-practices/restrict-node-port",
    ),
)


# K040
@check(NODE_PORT, on=Target.OBJECT)
def service_node_port(obj: dict[str, Any]) -> Iterator[Violation]:
    spec = _service_spec(obj)
    if spec is None or spec.get("type") != "NodePort":
        return
    entries = [p for p in as_list(spec.get("ports")) if isinstance(p, dict)]
    fixed = [p.get("nodePort") for p in entries]
    numbers = [str(n) for n in fixed if isinstance(n, int) and not isinstance(n, bool) and n]
    if numbers and len(numbers) == len(entries):
        where = ("port " if len(numbers) == 1 else "ports ") + ", ".join(numbers)
    else:
        where = "node ports" if len(entries) > 1 else "a node port"
    yield Violation("K040", "/spec/type", f"Service opens {where} on every node's addresses")
