"""Resource arguments as ``kubectl auth can-i`` takes them, resolved without a cluster.

``RESOURCE`` is ``TYPE[.GROUP][/SUBRESOURCE]`` (or ``TYPE.VERSION.GROUP``): ``pods``,
``pods/exec``, ``deployments.apps``, ``deploy``, ``Deployment``,
``certificatesigningrequests.certificates.k8s.io/approval``, ``*``, ``*/scale``. kubectl asks the
API server's discovery to resolve short names and the group of a bare type; offline, a table of
the built-in resources (below) and the CustomResourceDefinitions of the scanned set stand in for
discovery. A type neither knows keeps its spelling and the core group, as kubectl does after its
"the server doesn't have a resource type" warning.

One deliberate difference from kubectl: after ``/`` comes a subresource (the notation of RBAC
rules, ``pods/exec``), not an object name; names are a separate argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceType:
    plural: str
    group: str
    kind: str
    short: tuple[str, ...] = ()
    namespaced: bool = True


def _t(plural: str, group: str, kind: str, *short: str, ns: bool = True) -> ResourceType:
    return ResourceType(plural, group, kind, short, ns)


#: The built-in resources of a current Kubernetes release (``kubectl api-resources``), in
#: discovery order: where two groups serve the same name (``events``), the first one wins.
BUILTIN: tuple[ResourceType, ...] = (
    _t("bindings", "", "Binding"),
    _t("componentstatuses", "", "ComponentStatus", "cs", ns=False),
    _t("configmaps", "", "ConfigMap", "cm"),
    _t("endpoints", "", "Endpoints", "ep"),
    _t("events", "", "Event", "ev"),
    _t("limitranges", "", "LimitRange", "limits"),
    _t("namespaces", "", "Namespace", "ns", ns=False),
    _t("nodes", "", "Node", "no", ns=False),
    _t("persistentvolumeclaims", "", "PersistentVolumeClaim", "pvc"),
    _t("persistentvolumes", "", "PersistentVolume", "pv", ns=False),
    _t("pods", "", "Pod", "po"),
    _t("podtemplates", "", "PodTemplate"),
    _t("replicationcontrollers", "", "ReplicationController", "rc"),
    _t("resourcequotas", "", "ResourceQuota", "quota"),
    _t("secrets", "", "Secret"),
    _t("serviceaccounts", "", "ServiceAccount", "sa"),
    _t("services", "", "Service", "svc"),
    _t(
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        ns=False,
    ),
    _t(
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
        ns=False,
    ),
    _t(
        "validatingadmissionpolicies",
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicy",
        ns=False,
    ),
    _t(
        "validatingadmissionpolicybindings",
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
        ns=False,
    ),
    _t(
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "crd",
        "crds",
        ns=False,
    ),
    _t("apiservices", "apiregistration.k8s.io", "APIService", ns=False),
    _t("controllerrevisions", "apps", "ControllerRevision"),
    _t("daemonsets", "apps", "DaemonSet", "ds"),
    _t("deployments", "apps", "Deployment", "deploy"),
    _t("replicasets", "apps", "ReplicaSet", "rs"),
    _t("statefulsets", "apps", "StatefulSet", "sts"),
    _t("selfsubjectreviews", "authentication.k8s.io", "SelfSubjectReview", ns=False),
    _t("tokenreviews", "authentication.k8s.io", "TokenReview", ns=False),
    _t("localsubjectaccessreviews", "authorization.k8s.io", "LocalSubjectAccessReview"),
    _t("selfsubjectaccessreviews", "authorization.k8s.io", "SelfSubjectAccessReview", ns=False),
    _t("selfsubjectrulesreviews", "authorization.k8s.io", "SelfSubjectRulesReview", ns=False),
    _t("subjectaccessreviews", "authorization.k8s.io", "SubjectAccessReview", ns=False),
    _t("horizontalpodautoscalers", "autoscaling", "HorizontalPodAutoscaler", "hpa"),
    _t("cronjobs", "batch", "CronJob", "cj"),
    _t("jobs", "batch", "Job"),
    _t(
        "certificatesigningrequests",
        "certificates.k8s.io",
        "CertificateSigningRequest",
        "csr",
        ns=False,
    ),
    _t("leases", "coordination.k8s.io", "Lease"),
    _t("endpointslices", "discovery.k8s.io", "EndpointSlice"),
    _t("events", "events.k8s.io", "Event", "ev"),
    _t("flowschemas", "flowcontrol.apiserver.k8s.io", "FlowSchema", ns=False),
    _t(
        "prioritylevelconfigurations",
        "flowcontrol.apiserver.k8s.io",
        "PriorityLevelConfiguration",
        ns=False,
    ),
    _t("ingressclasses", "networking.k8s.io", "IngressClass", ns=False),
    _t("ingresses", "networking.k8s.io", "Ingress", "ing"),
    _t("networkpolicies", "networking.k8s.io", "NetworkPolicy", "netpol"),
    _t("runtimeclasses", "node.k8s.io", "RuntimeClass", ns=False),
    _t("poddisruptionbudgets", "policy", "PodDisruptionBudget", "pdb"),
    _t("clusterrolebindings", "rbac.authorization.k8s.io", "ClusterRoleBinding", ns=False),
    _t("clusterroles", "rbac.authorization.k8s.io", "ClusterRole", ns=False),
    _t("rolebindings", "rbac.authorization.k8s.io", "RoleBinding"),
    _t("roles", "rbac.authorization.k8s.io", "Role"),
    _t("priorityclasses", "scheduling.k8s.io", "PriorityClass", "pc", ns=False),
    _t("csidrivers", "storage.k8s.io", "CSIDriver", ns=False),
    _t("csinodes", "storage.k8s.io", "CSINode", ns=False),
    _t("csistoragecapacities", "storage.k8s.io", "CSIStorageCapacity"),
    _t("storageclasses", "storage.k8s.io", "StorageClass", "sc", ns=False),
    _t("volumeattachments", "storage.k8s.io", "VolumeAttachment", ns=False),
)

_VERSION = re.compile(r"^v\d+(?:(?:alpha|beta)\d+)?$")


@dataclass(frozen=True)
class ResourceArg:
    """A resolved resource argument: what the authorizer compares against rules."""

    resource: str
    api_group: str = ""
    subresource: str = ""
    known: bool = True  # False: neither built in nor a CRD of the scanned set

    @property
    def combined(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource

    def __str__(self) -> str:
        group = f".{self.api_group}" if self.api_group else ""
        return f"{self.resource}{group}" + (f"/{self.subresource}" if self.subresource else "")


class Resolver:
    """Short names, singulars and kinds → (plural, group), like kubectl's discovery mapper."""

    def __init__(self, types: Iterable[ResourceType] = BUILTIN) -> None:
        self.types = list(types)
        self._by_name: dict[str, list[ResourceType]] = {}
        for t in self.types:
            for name in (t.plural, t.kind.lower(), *t.short):
                self._by_name.setdefault(name, []).append(t)
        self.groups = {t.group for t in self.types}

    def lookup(self, name: str, group: str | None) -> ResourceType | None:
        for t in self._by_name.get(name.lower(), []):
            if group is None or t.group == group:
                return t
        return None

    def parse(self, text: str, subresource: str = "") -> ResourceArg:
        """Parse ``TYPE[.GROUP][/SUBRESOURCE]``; ``subresource`` (kubectl's flag) wins if given."""
        text = text.strip()
        typ, _, sub = text.partition("/")
        sub = subresource or sub
        if typ == "*":
            return ResourceArg("*", "", sub, True)
        name, dot, rest = typ.partition(".")
        if not dot:
            found = self.lookup(name, None)
            if found is None:
                return ResourceArg(name, "", sub, False)
            return ResourceArg(found.plural, found.group, sub, True)
        version, vdot, after = rest.partition(".")
        if vdot and _VERSION.match(version) and after in self.groups:
            rest = after  # TYPE.VERSION.GROUP
        found = self.lookup(name, rest)
        if found is None:
            return ResourceArg(name, rest, sub, False)
        return ResourceArg(found.plural, found.group, sub, True)


DEFAULT_RESOLVER = Resolver()


def parse_resource(text: str, subresource: str = "") -> ResourceArg:
    """Parse a resource argument against the built-in resources only."""
    return DEFAULT_RESOLVER.parse(text, subresource)
