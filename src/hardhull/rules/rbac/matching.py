"""What one RBAC rule entry grants, as the rules R001–R012 ask it: which dangerous verbs on
which resources, and where in the role the finding points."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hardhull.models.workload import as_list, get
from hardhull.rbac.model import PolicyRule

READ_VERBS = ("list", "watch", "get")  # in the order findings point at them
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
#: (API group, resource) of pods and every built-in controller that creates pods
POD_CREATORS = (
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
)


def _raw_list(objects: Sequence[Any], rule: PolicyRule, field_name: str) -> list[Any]:
    idx = rule.source.index
    if not 0 <= idx < len(objects):
        return []
    return as_list(get(objects[idx], f"{rule.pointer}/{field_name}"))


def pointer(objects: Sequence[Any], rule: PolicyRule, field_name: str, value: str) -> str:
    """The pointer of the entry ``value`` in the rule's list (the list itself if absent)."""
    for i, v in enumerate(_raw_list(objects, rule, field_name)):
        if v == value:
            return f"{rule.pointer}/{field_name}/{i}"
    return f"{rule.pointer}/{field_name}"


def granted(
    rule: PolicyRule,
    group: str,
    resources: Iterable[str],
    verbs: Iterable[str],
    *,
    star: bool = False,
) -> tuple[list[str], list[str]]:
    """(resources matched, verbs granted) of a rule for one group; '*' verbs count.

    Resources match as the authorizer matches them: by name, or a subresource through
    ``*/SUB`` (``*/exec`` is every ``exec`` subresource; ``pods/*`` is no wildcard at all).
    A resource reached only through a bare ``*`` is R001's, unless ``star`` is set and the
    verb is named: verbs that are themselves the danger (``escalate``, ``bind``,
    ``impersonate``, ``approve``) written out on every resource."""
    if not rule.api_group_matches(group):
        return [], []
    named = [
        r
        for r in resources
        if r in rule.resources
        or ("/" in r and f"*/{r.partition('/')[2]}" in rule.resources)
        or (star and "*" in rule.resources and "*" not in rule.verbs)
    ]
    if not named:
        return [], []
    if "*" in rule.verbs:
        return named, ["*"]
    return named, [v for v in verbs if v in rule.verbs]


def secrets_read(rule: PolicyRule) -> list[str]:
    """The read verbs a rule grants on every secret (R002)."""
    if rule.resource_names:
        return []
    res, verbs = granted(rule, "", ("secrets",), READ_VERBS)
    return verbs if res else []


def pod_exec(rule: PolicyRule) -> tuple[list[str], list[str]]:
    """(resources, verbs) of exec, attach and port-forward a rule grants (R003)."""
    res, verbs = granted(
        rule, "", ("pods/exec", "pods/attach", "pods/portforward"), ("create", "get")
    )
    return (res, verbs) if verbs else ([], [])


def pod_creation(rule: PolicyRule) -> tuple[list[str], list[str]]:
    """(pods and pod controllers, verbs) a rule grants creating (R004)."""
    names: list[str] = []
    verb: list[str] = []
    for group, resource in POD_CREATORS:
        _, verbs = granted(rule, group, (resource,), ("create",))
        if verbs:
            names.append(f"{resource}.{group}" if group else resource)
            verb = verbs
    return names, verb


def escalation(rule: PolicyRule) -> list[tuple[str, list[str]]]:
    """[(verb, resources)] for escalate, bind and impersonate (R005)."""
    out: list[tuple[str, list[str]]] = []
    rbac = "rbac.authorization.k8s.io"
    for verb, targets in (
        ("escalate", ((rbac, ("roles", "clusterroles")),)),
        ("bind", ((rbac, ("roles", "clusterroles")),)),
        (
            "impersonate",
            (
                ("", ("users", "groups", "serviceaccounts")),
                ("authentication.k8s.io", ("uids",)),
            ),
        ),
    ):
        names: list[str] = []
        for group, resources in targets:
            res, verbs = granted(rule, group, resources, (verb,), star=True)
            if verbs:
                names.extend(res)
        if names:
            out.append((verb, names))
    return out


def nodes_proxy(rule: PolicyRule) -> list[str]:
    """The verbs a rule grants on nodes/proxy (R006)."""
    res, verbs = granted(rule, "", ("nodes/proxy",), ("get", *WRITE_VERBS))
    return verbs if res else []


def token_creation(rule: PolicyRule) -> list[str]:
    """The verbs a rule grants on serviceaccounts/token (R007)."""
    res, verbs = granted(rule, "", ("serviceaccounts/token",), ("create",))
    return verbs if res else []


def csr_approval(rule: PolicyRule) -> tuple[list[str], list[str]]:
    """(verbs on certificatesigningrequests/approval, verbs 'approve' on signers) (R008)."""
    group = "certificates.k8s.io"
    _, approval = granted(
        rule, group, ("certificatesigningrequests/approval",), ("update", "patch")
    )
    _, signers = granted(rule, group, ("signers",), ("approve",), star=True)
    return approval, signers


def webhook_write(rule: PolicyRule) -> tuple[list[str], list[str]]:
    """(webhook configuration resources, write verbs) a rule grants (R009)."""
    res, verbs = granted(
        rule,
        "admissionregistration.k8s.io",
        ("validatingwebhookconfigurations", "mutatingwebhookconfigurations"),
        WRITE_VERBS,
    )
    return (res, verbs) if verbs else ([], [])


def full_wildcard(rule: PolicyRule) -> bool:
    """Every verb on every resource in every API group: the cluster-admin rule."""
    return "*" in rule.verbs and "*" in rule.resources and "*" in rule.api_groups


def dangers(rule: PolicyRule) -> list[str]:
    """Short reasons why holding this rule makes an account privileged (for R004, R012)."""
    out: list[str] = []
    if full_wildcard(rule):
        return ["holds every permission"]
    if "*" in rule.resources and "*" in rule.verbs:
        out.append("holds every verb on every resource of its API groups")
    elif (
        "*" in rule.resources
        and rule.api_group_matches("")
        and not rule.resource_names
        and any(v in rule.verbs for v in READ_VERBS)
    ):
        out.append("reads secrets")
    if secrets_read(rule):
        out.append("reads secrets")
    if pod_exec(rule)[1] and any(r != "pods/portforward" for r in pod_exec(rule)[0]):
        out.append("execs into pods")
    if escalation(rule):
        out.append("can " + "/".join(v for v, _ in escalation(rule)))
    if nodes_proxy(rule):
        out.append("proxies to kubelets")
    if token_creation(rule):
        out.append("mints service account tokens")
    if any(csr_approval(rule)):
        out.append("approves certificates")
    if webhook_write(rule)[1]:
        out.append("writes admission webhooks")
    return list(dict.fromkeys(out))


def verbs_text(verbs: Sequence[str]) -> str:
    return ", ".join(verbs)
