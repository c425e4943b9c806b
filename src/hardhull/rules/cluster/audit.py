"""Audit policy checks (A060–A069): what an ``audit.k8s.io`` Policy records.

The API server audits each request at the level of the first rule that matches it (no rule:
not audited). A rule matches when every condition it sets holds: ``users``, ``userGroups``,
``verbs``, ``namespaces``, ``resources`` (group, resources, resourceNames) or
``nonResourceURLs``. Two questions are asked here:

- *can* a request reach a rule that logs request or response bodies of Secrets and the
  like? Rules restricted to some users, namespaces or names let other requests through, so
  the walk goes on past them and stops at the first rule that takes every request;
- what happens to a request by an ordinary user, one the policy does not name (rules about
  named users, groups other than ``system:authenticated``, namespaces or object names do
  not apply to it)? Is ``pods/exec`` logged?
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.workload import as_dict, as_list
from hardhull.registry import Target, check
from hardhull.rules.cluster import AUDIT_DOC, cluster_rule, is_kind

API_DOC = "https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"
LEVELS = ("None", "Metadata", "Request", "RequestResponse")
WRITES = ("create", "update", "patch")
READS = ("get", "list", "watch")


def _policy(obj: dict[str, Any]) -> bool:
    return is_kind(obj, "Policy", "audit.k8s.io")


@dataclass(frozen=True)
class AuditRule:
    index: int
    level: str
    data: dict[str, Any]

    def strs(self, name: str) -> list[str]:
        return [x for x in as_list(self.data.get(name)) if isinstance(x, str)]

    @property
    def pointer(self) -> str:
        return f"/rules/{self.index}/level"

    def verb(self, verb: str) -> bool:
        verbs = self.strs("verbs")
        return not verbs or verb in verbs or "*" in verbs

    def resource(self, group: str, resource: str) -> str:
        """ "all" when the rule selects every request on this resource, "some" when only some
        objects (``resourceNames``), "" when none."""
        if self.data.get("nonResourceURLs") and not self.data.get("resources"):
            return ""
        grs = as_list(self.data.get("resources"))
        if not grs:
            return "all"
        base, _, sub = resource.partition("/")
        for gr in grs:
            gr = as_dict(gr)
            g = gr.get("group", "")
            if g != group and g != "*":
                continue
            names = [r for r in as_list(gr.get("resources")) if isinstance(r, str)]
            hit = not names or any(
                r in ("*", resource) or (sub and r == f"{base}/*") or (sub and r == f"*/{sub}")
                for r in names
            )
            if hit:
                return "some" if as_list(gr.get("resourceNames")) else "all"
        return ""

    def everyone(self) -> bool:
        """No user, group or namespace condition: the rule applies to every requester."""
        return not (self.strs("users") or self.strs("userGroups") or self.strs("namespaces"))

    def ordinary(self) -> bool:
        """Applies to a user the policy does not name, in a namespace it does not name."""
        if self.strs("users") or self.strs("namespaces"):
            return False
        groups = self.strs("userGroups")
        return not groups or "system:authenticated" in groups


def _rules(obj: dict[str, Any]) -> list[AuditRule]:
    out: list[AuditRule] = []
    for i, r in enumerate(as_list(obj.get("rules"))):
        r = as_dict(r)
        level = r.get("level")
        if isinstance(level, str) and level in LEVELS:
            out.append(AuditRule(i, level, r))
    return out


def _reachable(rules: list[AuditRule], group: str, resource: str, verb: str) -> list[AuditRule]:
    """Every rule some request (verb on group/resource) can end at, in order."""
    out: list[AuditRule] = []
    for r in rules:
        if not r.verb(verb):
            continue
        match = r.resource(group, resource)
        if not match:
            continue
        out.append(r)
        if match == "all" and r.everyone():
            break
    return out


def _ordinary(rules: list[AuditRule], group: str, resource: str, verb: str) -> AuditRule | None:
    """The rule an ordinary user's request ends at (None: no rule, not audited)."""
    for r in rules:
        if r.verb(verb) and r.resource(group, resource) == "all" and r.ordinary():
            return r
    return None


def _logs_nothing(obj: dict[str, Any], rules: list[AuditRule]) -> bool:
    return not rules or all(r.level == "None" for r in rules)


EMPTY = cluster_rule(
    "A060",
    "audit-policy-logs-nothing",
    "Audit policy records nothing",
    Severity.MEDIUM,
    what="An audit Policy has no rules, or every rule has `level: None`.",
    why="The API server then writes no audit events at all although auditing looks configured: "
    "reads of Secrets, exec into pods and RBAC changes leave no trace.",
    fix="Log at least `Metadata` for every request, with quieter rules (`None`) only for known "
    "noisy system traffic placed before it.",
    example="""
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  - level: RequestResponse
    resources:
      - group: rbac.authorization.k8s.io
  - level: Metadata
""",
    category="cluster-config",
    cis="3.2.1",
    nsa="Audit logging and threat detection",
    refs=(AUDIT_DOC, API_DOC),
)


# A060
@check(EMPTY, on=Target.OBJECT)
def audit_policy_logs_nothing(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _policy(obj):
        return
    rules = _rules(obj)
    if not _logs_nothing(obj, rules):
        return
    how = "every rule has level None" if rules else "it has no rules"
    where = "/rules" if "rules" in obj else "/kind"
    yield Violation("A060", where, f"the audit policy records nothing: {how}")


#: (group, resource, label, verbs whose request body holds the data, verbs whose response does)
SENSITIVE = (
    ("", "secrets", "secrets", WRITES, WRITES + READS),
    ("authentication.k8s.io", "tokenreviews", "tokenreviews", ("create",), ("create",)),
    ("", "serviceaccounts/token", "serviceaccounts/token", (), ("create",)),
    ("", "configmaps", "configmaps", WRITES, WRITES + READS),
)
_BODY_LEVELS = {"Request": 1, "RequestResponse": 2}

PAYLOADS = cluster_rule(
    "A061",
    "audit-policy-logs-secret-values",
    "Audit policy writes secret values to the audit log",
    Severity.HIGH,
    what="A rule that Secrets, TokenReviews, service account token requests or ConfigMaps can "
    "reach logs at `Request` or `RequestResponse` level, for a verb whose body carries the "
    "data (`Request`: create, update, patch; `RequestResponse`: also get, list, watch; "
    "ConfigMaps: medium).",
    why="The audit log then contains every Secret's value and every token the API server "
    "reviews or issues, in plain text, in a file (or webhook backend) that is usually far "
    "less protected than etcd: log shippers, SIEMs and their operators all see them.",
    fix="Put a `Metadata` rule for these resources before any rule that logs bodies.",
    example="""
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  # …rules with level Request / RequestResponse after it
""",
    category="cluster-config",
    cis="3.2.2",
    refs=(AUDIT_DOC, API_DOC),
)


# A061
@check(PAYLOADS, on=Target.OBJECT)
def audit_policy_logs_secret_values(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _policy(obj):
        return
    rules = _rules(obj)
    found: dict[int, dict[str, list[str]]] = {}
    by_index = {r.index: r for r in rules}
    for group, resource, label, req_verbs, resp_verbs in SENSITIVE:
        for verb in dict.fromkeys(req_verbs + resp_verbs):
            for r in _reachable(rules, group, resource, verb):
                lvl = _BODY_LEVELS.get(r.level, 0)
                if (lvl >= 1 and verb in req_verbs) or (lvl == 2 and verb in resp_verbs):
                    found.setdefault(r.index, {}).setdefault(label, []).append(verb)
    for index, what in sorted(found.items()):
        r = by_index[index]
        parts = [f"{label} ({', '.join(verbs)})" for label, verbs in what.items()]
        only_cm = set(what) == {"configmaps"}
        yield Violation(
            "A061",
            r.pointer,
            f"rule {index} logs {r.level} bodies of {'; '.join(parts)}: their values end up "
            "in the audit log",
            severity=Severity.MEDIUM if only_cm else None,
        )


def _gaps(
    obj: dict[str, Any], targets: tuple[tuple[str, str, tuple[str, ...]], ...]
) -> dict[str, list[str]]:
    """Pointer of the rule that drops it (or "/rules") -> the requests not audited."""
    rules = _rules(obj)
    out: dict[str, list[str]] = {}
    for group, resource, verbs in targets:
        for verb in verbs:
            r = _ordinary(rules, group, resource, verb)
            if r is None or r.level == "None":
                where = r.pointer if r is not None else ("/rules" if "rules" in obj else "/kind")
                label = f"{verb} {group + '/' if group else ''}{resource}"
                out.setdefault(where, []).append(label)
    return out


EXEC = (
    ("", "pods/exec", ("create", "get")),
    ("", "pods/attach", ("create", "get")),
    ("", "pods/portforward", ("create", "get")),
)

MISSES_EXEC = cluster_rule(
    "A062",
    "audit-policy-misses-exec",
    "Audit policy does not record exec into pods",
    Severity.MEDIUM,
    what="An ordinary user's `pods/exec`, `pods/attach` or `pods/portforward` request matches no "
    "rule or a `level: None` rule.",
    why="Interactive access to running containers is the most sensitive thing a user does in a "
    "cluster and the first thing an intruder does with stolen credentials: without an audit "
    "event nobody can tell who opened a shell where.",
    fix="Add a `Metadata` (or `Request`) rule for these subresources before any `None` rule that "
    "swallows them, or end the policy with a catch-all `- level: Metadata`.",
    example="""
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach", "pods/portforward"]
""",
    category="cluster-config",
    cis="3.2.2",
    refs=(AUDIT_DOC, API_DOC),
)


# A062
@check(MISSES_EXEC, on=Target.OBJECT)
def audit_policy_misses_exec(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _policy(obj) or _logs_nothing(obj, _rules(obj)):
        return
    for where, what in _gaps(obj, EXEC).items():
        cause = "a level None rule drops" if where.endswith("/level") else "no rule records"
        yield Violation("A062", where, f"{cause} {', '.join(what)}")


RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC = tuple(
    (RBAC_GROUP, res, ("create", "update", "patch", "delete"))
    for res in ("clusterroles", "clusterrolebindings", "roles", "rolebindings")
)

MISSES_RBAC = cluster_rule(
    "A063",
    "audit-policy-misses-rbac-changes",
    "Audit policy does not record RBAC changes",
    Severity.LOW,
    what="An ordinary user's create, update, patch or delete of Roles, ClusterRoles or their "
    "bindings matches no rule or a `level: None` rule.",
    why="Granting oneself cluster-admin is the classic privilege escalation and persistence "
    "step; if RBAC changes are not audited, it leaves no trace.",
    fix="Log RBAC writes at `Metadata` or better (`RequestResponse` shows what was granted).",
    example="""
rules:
  - level: RequestResponse
    verbs: ["create", "update", "patch", "delete"]
    resources:
      - group: rbac.authorization.k8s.io
""",
    category="cluster-config",
    cis="3.2.2",
    refs=(AUDIT_DOC, API_DOC),
)


# A063
@check(MISSES_RBAC, on=Target.OBJECT)
def audit_policy_misses_rbac_changes(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _policy(obj) or _logs_nothing(obj, _rules(obj)):
        return
    for where, what in _gaps(obj, RBAC).items():
        cause = "a level None rule drops" if where.endswith("/level") else "no rule records"
        verbs = dict.fromkeys(w.split(" ", 1)[0] for w in what)
        kinds = dict.fromkeys(w.rsplit("/", 1)[-1] for w in what)
        yield Violation(
            "A063", where, f"{cause} RBAC changes ({', '.join(verbs)} of {', '.join(kinds)})"
        )


REQUEST_RECEIVED = cluster_rule(
    "A064",
    "audit-policy-request-received",
    "Audit policy records the RequestReceived stage",
    Severity.INFO,
    what="An audit Policy does not list `RequestReceived` in its top-level `omitStages`.",
    why="Every audited request is then written twice (when received and when answered) with no "
    "more information the first time: the log doubles in size, rotates away evidence sooner "
    "and costs more to ship and store.",
    fix="Add `omitStages: [RequestReceived]` at the top of the policy.",
    example="""
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
""",
    category="cluster-config",
    refs=(AUDIT_DOC, API_DOC),
)


# A064
@check(REQUEST_RECEIVED, on=Target.OBJECT)
def audit_policy_request_received(obj: dict[str, Any]) -> Iterator[Violation]:
    if not _policy(obj) or _logs_nothing(obj, _rules(obj)):
        return
    stages = as_list(obj.get("omitStages"))
    if "RequestReceived" in stages:
        return
    where = "/omitStages" if "omitStages" in obj else "/kind"
    yield Violation(
        "A064", where, "the policy records every request twice (RequestReceived not omitted)"
    )
