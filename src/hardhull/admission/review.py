"""AdmissionReview processing: request in, decision and response out. Pure: no I/O, no asyncio.

The checks are the very ones ``hardhull scan`` runs (object and workload checks, K100 for the
Pod Security Standard, and for RBAC objects the RBAC rules over that one object), so a
manifest that passes the scan is admitted and one that fails is denied with the same codes and
messages. Checks that need the whole scanned set (network policy coverage, ``N…``) cannot be
judged from one object and do not run here. Each check runs on its own: one that raises loses
only its own result, and the policy's ``on-error`` decides.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull import suppress
from hardhull.admission.policy import AUDIT, ENFORCE, OFF, UPDATES_NEW, WARN, Policy
from hardhull.context import ScanFacts
from hardhull.model import JSONPatch, Severity, Violation
from hardhull.models.workload import Workload, as_dict

API_VERSION = "admission.k8s.io/v1"
KIND = "AdmissionReview"
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")
EVALUATED = frozenset({"CREATE", "UPDATE"})

RBAC_GROUP = "rbac.authorization.k8s.io"
WORKLOAD_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Pod"),
        ("", "ReplicationController"),
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("apps", "ReplicaSet"),
        ("batch", "Job"),
        ("batch", "CronJob"),
    }
)
RBAC_KINDS: frozenset[tuple[str, str]] = frozenset(
    (RBAC_GROUP, k) for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
)
SECRET_KINDS: frozenset[tuple[str, str]] = frozenset({("", "Secret")})
SUPPORTED_KINDS = WORKLOAD_KINDS | RBAC_KINDS | SECRET_KINDS
#: subresources whose requests carry a pod spec to judge; every other one passes
EVALUATED_SUBRESOURCES: Mapping[tuple[str, str], frozenset[str]] = {
    ("", "Pod"): frozenset({"", "ephemeralcontainers"})
}
#: kinds whose pod template may change after creation (mutation on UPDATE is safe)
MUTABLE_TEMPLATE_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "CronJob"}
)
#: metadata that controllers and the garbage collector change: an update touching only these
#: (and status) changes nothing a check looks at
_INERT_METADATA = frozenset(
    {
        "resourceVersion", "managedFields", "generation", "finalizers", "ownerReferences",
        "creationTimestamp", "uid", "selfLink", "deletionTimestamp",
        "deletionGracePeriodSeconds",
    }
)  # fmt: skip

MAX_WARNING = 119  # each warning under 120 characters
MAX_WARNINGS = 20
MAX_MESSAGE = 1500
MAX_ANNOTATION = 1000
MAX_WHAT = 300  # the object's kind, namespace and name in a message
MAX_MUTATION_PASSES = 32
MAX_ERROR_TEXT = 300  # a ReviewError's message (it may quote a value of the request)
#: pod specs with more containers are not evaluated (answered per on-error): the checks cost
#: about 0.1 ms per container, and the event loop must stay responsive for every request
MAX_CONTAINERS = 1000

# outcomes (the `decision` label of the metrics)
ALLOW, DENY, WARNED, SKIP, EXEMPT, ERROR = "allow", "deny", "warn", "skip", "exempt", "error"


class ReviewError(Exception):
    """A request that is not a usable AdmissionReview. ``uid`` is None when it has none."""

    def __init__(self, message: str, uid: str | None = None, reason: str = "malformed") -> None:
        if len(message) > MAX_ERROR_TEXT:  # it may quote a huge value of the request
            message = message[: MAX_ERROR_TEXT - 3] + "..."
        super().__init__(message)
        self.message = message
        self.uid = uid
        self.reason = reason


@dataclass(frozen=True)
class Request:
    uid: str
    operation: str
    group: str
    version: str
    kind: str
    resource: str
    sub_resource: str
    name: str
    namespace: str
    username: str
    groups: tuple[str, ...]
    obj: dict[str, Any] | None
    old: dict[str, Any] | None
    dry_run: bool

    @property
    def kind_key(self) -> tuple[str, str]:
        return (self.group, self.kind)

    @property
    def what(self) -> str:
        meta = as_dict(as_dict(self.obj).get("metadata"))
        name = self.name or meta.get("name") or meta.get("generateName") or ""
        if not isinstance(name, str) or not name:
            return self.kind
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{name}"


@dataclass(frozen=True)
class Item:
    """One violation, judged: its mode under the policy and whether the update introduced it."""

    code: str
    pointer: str
    message: str
    severity: Severity
    mode: str
    existing: bool = False  # also in oldObject (UPDATE with updates: new-violations-only)
    exempted: bool = False  # the object's hardhull.dev/ignore annotation, allowed by the policy

    @property
    def effective_mode(self) -> str:
        if self.exempted:
            return OFF
        if self.existing and self.mode == ENFORCE:
            return WARN
        return self.mode


@dataclass
class Decision:
    uid: str
    allowed: bool
    outcome: str
    status_code: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    patch: JSONPatch | None = None
    audit: dict[str, str] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    #: (rule code, what went wrong) for checks or hooks that raised or timed out
    errors: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""  # why a request was skipped or exempt
    mutated: list[str] = field(default_factory=list)

    def codes(self, mode: str) -> list[str]:
        return sorted({i.code for i in self.items if i.effective_mode == mode})


# --------------------------------------------------------------------------- parsing


def _str(value: Any, what: str, uid: str | None, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ReviewError(
            f"{what} must be a non-empty string" if required else f"{what} must be a string", uid
        )
    return value


def _show(value: Any) -> str:
    """A short rendering of a value of the request for an error message (never huge)."""
    if isinstance(value, str):
        return repr(value[:60]) + ("..." if len(value) > 60 else "")
    if isinstance(value, dict | list):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    return repr(value)[:60]


def parse_review(body: Any) -> Request:
    """Validate a decoded AdmissionReview (admission.k8s.io/v1) and extract its request."""
    if not isinstance(body, dict):
        raise ReviewError("the body is not a JSON object")
    req = body.get("request")
    if not isinstance(req, dict):
        raise ReviewError("no 'request' object in the AdmissionReview")
    raw_uid = req.get("uid")
    if not isinstance(raw_uid, str) or not raw_uid:
        raise ReviewError("request.uid is missing or not a string")
    uid = raw_uid
    if body.get("apiVersion") != API_VERSION:
        raise ReviewError(
            f"apiVersion is {_show(body.get('apiVersion'))}; "
            f"this webhook speaks {API_VERSION} only",
            uid,
        )
    if body.get("kind") != KIND:
        raise ReviewError(f"kind is {_show(body.get('kind'))}; expected {KIND}", uid)
    operation = req.get("operation")
    if operation not in OPERATIONS:
        raise ReviewError(
            f"request.operation is {_show(operation)}; expected one of {', '.join(OPERATIONS)}", uid
        )
    gvk = req.get("kind")
    if not isinstance(gvk, dict):
        raise ReviewError("request.kind must be an object {group, version, kind}", uid)
    kind = _str(gvk.get("kind"), "request.kind.kind", uid, required=True)
    group = _str(gvk.get("group"), "request.kind.group", uid)
    version = _str(gvk.get("version"), "request.kind.version", uid)
    res = req.get("resource")
    if res is not None and not isinstance(res, dict):
        raise ReviewError("request.resource must be an object {group, version, resource}", uid)
    resource = _str(as_dict(res).get("resource"), "request.resource.resource", uid)
    sub = _str(req.get("subResource"), "request.subResource", uid)
    name = _str(req.get("name"), "request.name", uid)
    namespace = _str(req.get("namespace"), "request.namespace", uid)
    user = req.get("userInfo")
    if user is not None and not isinstance(user, dict):
        raise ReviewError("request.userInfo must be an object", uid)
    username = _str(as_dict(user).get("username"), "request.userInfo.username", uid)
    groups_raw = as_dict(user).get("groups")
    if groups_raw is not None and (
        not isinstance(groups_raw, list) or not all(isinstance(g, str) for g in groups_raw)
    ):
        raise ReviewError("request.userInfo.groups must be a list of strings", uid)
    obj = req.get("object")
    old = req.get("oldObject")
    if operation in EVALUATED and not isinstance(obj, dict):
        raise ReviewError(f"request.object must be an object for {operation}", uid)
    if old is not None and not isinstance(old, dict):
        raise ReviewError("request.oldObject must be an object or null", uid)
    dry = req.get("dryRun")
    if dry is not None and not isinstance(dry, bool):
        raise ReviewError("request.dryRun must be a boolean", uid)
    api_version = f"{group}/{version}" if group else version
    return Request(
        uid=uid,
        operation=operation,
        group=group,
        version=version,
        kind=kind,
        resource=resource,
        sub_resource=sub,
        name=name,
        namespace=namespace,
        username=username,
        groups=tuple(groups_raw or ()),
        obj=_typed(obj, api_version, kind) if isinstance(obj, dict) else None,
        old=_typed(old, api_version, kind) if isinstance(old, dict) else None,
        dry_run=bool(dry),
    )


def _typed(obj: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """The object with apiVersion and kind (the API server sends them; fill them if absent)."""
    if isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str):
        return obj
    return {"apiVersion": api_version, "kind": kind, **obj}


# --------------------------------------------------------------------------- checks


class TooCostly(Exception):
    """The object cannot be evaluated within the request's time: answered per on-error."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def _over(deadline: float | None) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise TooCostly("evaluating the object took longer than timeout-ms", "eval_timeout")


def _check_size(w: Workload) -> None:
    n = len(w.containers)
    if n > MAX_CONTAINERS:
        raise TooCostly(
            f"the pod spec has {n} containers; the webhook evaluates at most {MAX_CONTAINERS}",
            "object_too_large",
        )


def run_checks(
    obj: dict[str, Any],
    policy: Policy,
    only: frozenset[str] | None = None,
    deadline: float | None = None,
) -> tuple[list[Violation], list[tuple[str, str]]]:
    """Every check ``hardhull scan`` runs on this one object, through the engine's own loop;
    a check that raises is reported.

    Returns (violations, [(code, error)]). ``only``: run just these codes (mutation).
    ``deadline`` (a ``time.perf_counter()`` value): checked between checks; past it, or for a
    pod spec with more than ``MAX_CONTAINERS`` containers, :class:`TooCostly` is raised.
    """
    from hardhull.engine import evaluate_object, evaluate_set
    from hardhull.engine.run import DeadlineExceeded

    facts = ScanFacts(pss_default=policy.pss)
    try:
        w = Workload.of(obj)
    except Exception:
        w = None  # evaluate_object reports it, and runs the object checks only
    if w is not None:
        _check_size(w)
    try:
        _over(deadline)
        found, failed = evaluate_object(
            obj, facts, disabled=policy.off_codes, only=only, deadline=deadline
        )
        kind = obj.get("kind")
        if w is None and (_group(obj.get("apiVersion")), kind) in RBAC_KINDS:
            pairs, more = evaluate_set(
                [obj],
                facts,
                family="kubernetes-rbac",
                disabled=policy.off_codes,
                only=only,
                deadline=deadline,
            )
            found.extend(v for _, v in pairs)
            failed.extend(more)
    except DeadlineExceeded:
        raise TooCostly(
            "evaluating the object took longer than timeout-ms", "eval_timeout"
        ) from None
    errors = [
        ("*", f"reading the pod spec: {_exc(e.error)}")
        if e.code == "*"
        else (e.code, _exc(e.error))
        for e in failed
    ]
    return found, errors


def _group(api_version: Any) -> str:
    return (
        api_version.split("/", 1)[0] if isinstance(api_version, str) and "/" in api_version else ""
    )


def _exc(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def severity_of(v: Violation, policy: Policy) -> Severity:
    """As the scan reports it: the configured override, the instance's, else the rule's."""
    from hardhull.rules import all_rules

    RULES = all_rules()

    rule = RULES.get(v.code)
    # Severity.INFO is 0: test for None, not truthiness (as the scan does)
    sev = policy.severity.get(v.code)
    if sev is None:
        sev = v.severity
    if sev is None:
        sev = rule.severity if rule else Severity.MEDIUM
    return sev


def _pss_controls(obj: dict[str, Any], policy: Policy) -> frozenset[str]:
    from hardhull.pss.evaluate import evaluate_pss

    if policy.pss.level == "privileged":
        return frozenset()
    return frozenset(f.check_id for f in evaluate_pss(obj, policy.pss))


def judge(
    violations: Sequence[Violation],
    obj: dict[str, Any],
    policy: Policy,
    old_violations: Sequence[Violation] | None = None,
    old_obj: dict[str, Any] | None = None,
) -> list[Item]:
    """Violations → items with their mode; ``old_*``: compare for new-violations-only."""
    ann = suppress.object_codes(obj) if policy.object_exemptions else frozenset()
    old_keys = {(v.code, v.pointer) for v in old_violations or ()}
    new_pss: frozenset[str] = frozenset()
    if (
        old_violations is not None
        and old_obj is not None
        and any(v.code == "K100" for v in violations)
    ):
        # K100 is one finding listing every failing control: it is new when a control is
        new_pss = _pss_controls(obj, policy) - _pss_controls(old_obj, policy)
    items: list[Item] = []
    for v in violations:
        sev = severity_of(v, policy)
        mode = policy.mode(v.code, sev)
        if mode == OFF:
            continue
        existing = False
        if old_violations is not None:
            existing = not new_pss if v.code == "K100" else (v.code, v.pointer) in old_keys
        exempted = suppress.matches(ann, v.code) and policy.allows_object_exemption(v.code)
        items.append(Item(v.code, v.pointer, v.message, sev, mode, existing, exempted))
    return items


# --------------------------------------------------------------------------- gating


def _relevant(obj: dict[str, Any] | None) -> dict[str, Any]:
    o = as_dict(obj)
    meta = {k: v for k, v in as_dict(o.get("metadata")).items() if k not in _INERT_METADATA}
    return {**{k: v for k, v in o.items() if k not in ("status", "metadata")}, "metadata": meta}


def gate(req: Request, policy: Policy) -> Decision | None:
    """The decision for a request that is not evaluated at all, else None."""
    if req.operation not in EVALUATED:
        return Decision(req.uid, True, SKIP, reason=f"{req.operation} is not checked")
    if req.kind_key not in SUPPORTED_KINDS:
        g = f"{req.group}/" if req.group else ""
        return Decision(req.uid, True, SKIP, reason=f"kind {g}{req.kind} is not checked")
    subs = EVALUATED_SUBRESOURCES.get(req.kind_key, frozenset({""}))
    if req.sub_resource not in subs:
        return Decision(
            req.uid, True, SKIP, reason=f"subresource {req.sub_resource} is not checked"
        )
    if req.namespace and req.namespace in policy.exempt_namespaces:
        return _exempt(req, f"namespace {req.namespace}")
    if req.username and req.username in policy.exempt_users:
        return _exempt(req, f"user {req.username}")
    for g in req.groups:
        if g in policy.exempt_groups:
            return _exempt(req, f"group {g}")
    if req.operation == "UPDATE" and req.old is not None:
        if as_dict(as_dict(req.obj).get("metadata")).get("deletionTimestamp"):
            return Decision(req.uid, True, SKIP, reason="the object is being deleted")
        if _relevant(req.obj) == _relevant(req.old):
            return Decision(req.uid, True, SKIP, reason="the update changes nothing checked")
    return None


def _exempt(req: Request, who: str) -> Decision:
    return Decision(req.uid, True, EXEMPT, reason=who, audit={"exempt": who})


def needs_evaluation(req: Request, policy: Policy) -> bool:
    return gate(req, policy) is None


# --------------------------------------------------------------------------- validate


def validate(
    req: Request,
    policy: Policy,
    extra: Sequence[Violation] = (),
    extra_old: Sequence[Violation] = (),
    extra_errors: Sequence[tuple[str, str]] = (),
    deadline: float | None = None,
) -> Decision:
    """The validating webhook's decision. ``extra*``: results of I/O hooks (see hooks.py).

    ``deadline`` (``time.perf_counter()``): an object that cannot be evaluated by then, or
    that is too large to evaluate at all, is answered per ``on-error``. Never raises.
    """
    try:
        early = gate(req, policy)
        if early is not None:
            return early
        assert req.obj is not None
        violations, errors = run_checks(req.obj, policy, deadline=deadline)
        violations.extend(extra)
        errors.extend(extra_errors)
        old_violations: list[Violation] | None = None
        if req.operation == "UPDATE" and policy.updates == UPDATES_NEW and req.old is not None:
            old_violations, _ = run_checks(req.old, policy, deadline=deadline)
            old_violations.extend(extra_old)
        items = judge(violations, req.obj, policy, old_violations, req.old)
        return decide(req, policy, items, errors)
    except TooCostly as exc:
        return error_decision(ReviewError(exc.message, req.uid, exc.reason), policy)
    except Exception as exc:  # a bug of ours: answered, never raised
        return _internal(req, policy, exc)


def _internal(req: Request, policy: Policy, exc: BaseException) -> Decision:
    err = ReviewError(f"internal error: {_exc(exc)}", req.uid, "internal")
    return error_decision(err, policy)


def decide(
    req: Request, policy: Policy, items: list[Item], errors: Sequence[tuple[str, str]] = ()
) -> Decision:
    denied = [i for i in items if i.effective_mode == ENFORCE]
    warned = [i for i in items if i.effective_mode == WARN]
    d = Decision(req.uid, True, ALLOW, items=items, errors=list(errors))
    warnings = [_warning(i) for i in warned]
    if errors:
        failed = ", ".join(sorted({c for c, _ in errors}))
        if policy.on_error == "deny":
            denied_msg = f"check {failed} failed (internal error); denied by on-error: deny"
            d.allowed, d.outcome, d.status_code = False, DENY, 500
            d.message = _clip(f"hardhull: {_clip(req.what, MAX_WHAT)}: {denied_msg}", MAX_MESSAGE)
        warnings.insert(0, _clip(f"hardhull: check {failed} failed; see the webhook's log"))
    if denied:
        d.allowed, d.outcome, d.status_code = False, DENY, 403
        d.message = _deny_message(req, denied)
    elif d.allowed and warnings:
        d.outcome = WARNED
    d.warnings = _cap_warnings(warnings)
    d.audit = _annotations(d)
    return d


def _deny_message(req: Request, denied: Sequence[Item]) -> str:
    head = f"hardhull: {_clip(req.what, MAX_WHAT)} violates {len(denied)} enforced rule(s): "
    parts = [f"{i.code} {_clean(i.message)}" for i in denied]
    out = head
    for n, p in enumerate(parts):
        sep = "" if n == 0 else "; "
        rest = len(parts) - n
        tail = f"; ... and {rest} more (see warnings)"
        if len(out) + len(sep) + len(p) + (len(tail) if rest > 1 else 0) > MAX_MESSAGE:
            return out + (tail if n else _clip(p, MAX_MESSAGE - len(out)))
        out += sep + p
    return out


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("?", text)


def _clip(text: str, limit: int = MAX_WARNING) -> str:
    """Shorten at a word boundary with '...' so the result is at most ``limit`` characters."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "..."


def _warning(i: Item) -> str:
    tag = f"{i.code} (existing)" if i.existing else i.code
    return _clip(f"{tag}: {i.message}")


def _cap_warnings(warnings: list[str]) -> list[str]:
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= MAX_WARNINGS:
        return unique
    more = len(unique) - (MAX_WARNINGS - 1)
    return [*unique[: MAX_WARNINGS - 1], f"hardhull: {more} more warnings (see audit annotations)"]


def _annotations(d: Decision) -> dict[str, str]:
    out = {"decision": d.outcome}
    for key, mode in (("denied", ENFORCE), ("warned", WARN), ("audited", AUDIT)):
        codes = d.codes(mode)
        if codes:
            out[key] = ",".join(codes)[:MAX_ANNOTATION]
    exempted = sorted({i.code for i in d.items if i.exempted})
    if exempted:
        out["exempted"] = ",".join(exempted)[:MAX_ANNOTATION]
    if d.errors:
        out["errors"] = ",".join(sorted({c for c, _ in d.errors}))[:MAX_ANNOTATION]
    if d.mutated:
        out["mutated"] = ",".join(sorted(set(d.mutated)))[:MAX_ANNOTATION]
    return out


# --------------------------------------------------------------------------- mutate


def mutate(req: Request, policy: Policy, deadline: float | None = None) -> Decision:
    """The mutating webhook's answer: the opted-in fixes as one consistent JSON patch.

    Fixes are computed against a working copy and applied in passes: in each pass every fix
    whose paths are disjoint from those already applied in the pass is applied, the others
    wait for the next pass, which re-runs the checks on the result. So fixes that touch the
    same parent (two fixes creating one missing ``securityContext``) compose, and the number
    of check runs depends on how many fixes share a place, not on the number of containers.
    The patch is the sequence of the applied operations. Never raises (see ``validate``).
    """
    try:
        return _mutate(req, policy, deadline)
    except TooCostly as exc:
        return error_decision(ReviewError(exc.message, req.uid, exc.reason), policy)
    except Exception as exc:
        return _internal(req, policy, exc)


def _paths(fix: JSONPatch) -> list[tuple[str, ...]]:
    return [tuple(_tokens(str(op.get("path", "")))) for op in fix]


def _clash(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two patch paths may interfere: one inside the other, or two places of one
    array (an insertion or removal shifts the indexes of its siblings)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return True
    if len(a) == len(b) and a[:-1] == b[:-1]:
        return any(t == "-" or t.isdigit() for t in (a[-1], b[-1]))
    return False


def _mutate(req: Request, policy: Policy, deadline: float | None) -> Decision:
    early = gate(req, policy)
    if early is not None:
        return early
    assert req.obj is not None
    codes = (policy.mutate | policy.mutate_guarded) - policy.off_codes
    if not codes or req.kind_key not in WORKLOAD_KINDS:
        return Decision(req.uid, True, ALLOW)
    if req.operation == "UPDATE" and req.kind not in MUTABLE_TEMPLATE_KINDS:
        # pod specs and Job templates are immutable: a patch would fail the update
        return Decision(req.uid, True, SKIP, reason=f"{req.kind} updates are not mutated")
    work = copy_json(req.obj)
    ann = suppress.object_codes(work) if policy.object_exemptions else frozenset()
    default_sa = _uses_default_sa(work)
    ops: JSONPatch = []
    applied: list[str] = []
    errors: list[tuple[str, str]] = []
    tried: set[tuple[str, str]] = set()
    only = frozenset(codes)
    for _ in range(MAX_MUTATION_PASSES):
        violations, errors = run_checks(work, policy, only=only, deadline=deadline)
        touched: list[tuple[str, ...]] = []
        progress = False
        for v in violations:
            if not v.fix or (v.code, v.pointer) in tried:
                continue
            if v.code in policy.mutate_guarded and not default_sa:
                continue
            if suppress.matches(ann, v.code) and policy.allows_object_exemption(v.code):
                continue
            try:
                paths = _paths(v.fix)
            except PatchError:
                tried.add((v.code, v.pointer))
                continue
            if any(_clash(p, t) for p in paths for t in touched):
                progress = True  # waits for the next pass, on the patched object
                continue
            tried.add((v.code, v.pointer))
            try:
                # one op in place (a failing op changes nothing), several on a copy
                one = len(v.fix) == 1
                work = _apply_op(work, v.fix[0]) if one else apply_patch(work, v.fix)
            except PatchError:
                continue
            touched.extend(paths)
            ops.extend(v.fix)
            applied.append(v.code)
            progress = True
        if not progress:
            break
    d = Decision(req.uid, True, ALLOW, errors=errors, mutated=applied)
    if ops:
        d.patch = ops
    d.audit = _annotations(d)
    return d


def _uses_default_sa(obj: dict[str, Any]) -> bool:
    w = Workload.of(obj)
    if w is None:
        return False
    sa = w.spec.get("serviceAccountName") or w.spec.get("serviceAccount")
    return sa in (None, "", "default")


# --------------------------------------------------------------------------- responses


def response(d: Decision) -> dict[str, Any]:
    """The AdmissionReview answer, exactly as admission.k8s.io/v1 wants it."""
    resp: dict[str, Any] = {"uid": d.uid, "allowed": d.allowed}
    if not d.allowed:
        resp["status"] = {"code": d.status_code or 403, "message": d.message}
    if d.warnings:
        resp["warnings"] = d.warnings
    if d.patch:
        resp["patchType"] = "JSONPatch"
        resp["patch"] = base64.b64encode(
            json.dumps(d.patch, separators=(",", ":"), ensure_ascii=False).encode()
        ).decode("ascii")
    if d.audit:
        resp["auditAnnotations"] = d.audit
    return {"apiVersion": API_VERSION, "kind": KIND, "response": resp}


def error_decision(err: ReviewError, policy: Policy) -> Decision:
    """A request with a uid that cannot be evaluated: answered per ``on-error``."""
    assert err.uid is not None
    msg = _clip(f"hardhull: cannot evaluate the request: {err.message}", MAX_MESSAGE)
    if policy.on_error == "allow":
        return Decision(
            err.uid,
            True,
            ERROR,
            warnings=[_clip(msg)],
            audit={"decision": ERROR, "error": err.reason},
            errors=[("*", err.message)],
        )
    return Decision(
        err.uid,
        False,
        ERROR,
        status_code=400,
        message=msg,
        audit={"decision": ERROR, "error": err.reason},
        errors=[("*", err.message)],
    )


# --------------------------------------------------------------------------- JSON patch


class PatchError(ValueError):
    pass


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data (several times faster than copy.deepcopy).

    Iterative: the JSON parser accepts nesting deeper than Python's recursion limit.
    """
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        src, dst = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(v, dict | list):
                child: Any = {} if isinstance(v, dict) else []
                stack.append((v, child))
                v = child
            if isinstance(dst, dict):
                dst[k] = v
            else:
                dst.append(v)
    return root


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def apply_patch(doc: Any, patch: JSONPatch) -> Any:
    """Apply RFC 6902 ``add``/``remove``/``replace``/``test`` to a copy of ``doc``."""
    doc = copy_json(doc)
    for op in patch:
        doc = _apply_op(doc, op)
    return doc


def _apply_op(doc: Any, op: Mapping[str, Any]) -> Any:
    """Apply one operation to ``doc`` in place; the (new) document. Raises before changing
    anything when the operation cannot be applied."""
    kind = op.get("op")
    tokens = _tokens(str(op.get("path", "")))
    if not tokens:
        if kind in ("add", "replace"):
            return copy_json(op.get("value"))
        raise PatchError(f"{kind} on the document root")
    parent: Any = doc
    for t in tokens[:-1]:
        if isinstance(parent, dict) and t in parent:
            parent = parent[t]
        elif isinstance(parent, list) and t.isdigit() and int(t) < len(parent):
            parent = parent[int(t)]
        else:
            raise PatchError(f"path {op.get('path')!r} does not exist")
    last = tokens[-1]
    value = copy_json(op.get("value"))
    if isinstance(parent, dict):
        if kind == "add":
            parent[last] = value
        elif kind in ("replace", "remove", "test"):
            if last not in parent:
                raise PatchError(f"path {op.get('path')!r} does not exist")
            if kind == "replace":
                parent[last] = value
            elif kind == "remove":
                del parent[last]
            elif parent[last] != value:
                raise PatchError(f"test failed at {op.get('path')!r}")
        else:
            raise PatchError(f"unsupported op {kind!r}")
    elif isinstance(parent, list):
        if kind == "add" and last == "-":
            parent.append(value)
            return doc
        if not last.isdigit():
            raise PatchError(f"bad list index in {op.get('path')!r}")
        idx = int(last)
        if kind == "add" and idx <= len(parent):
            parent.insert(idx, value)
        elif idx >= len(parent):
            raise PatchError(f"path {op.get('path')!r} does not exist")
        elif kind == "replace":
            parent[idx] = value
        elif kind == "remove":
            del parent[idx]
        elif kind == "test":
            if parent[idx] != value:
                raise PatchError(f"test failed at {op.get('path')!r}")
        else:
            raise PatchError(f"unsupported op {kind!r}")
    else:
        raise PatchError(f"path {op.get('path')!r} does not exist")
    return doc


__all__ = [
    "API_VERSION",
    "Decision",
    "Item",
    "Request",
    "ReviewError",
    "apply_patch",
    "decide",
    "error_decision",
    "gate",
    "judge",
    "mutate",
    "parse_review",
    "response",
    "run_checks",
    "validate",
]
