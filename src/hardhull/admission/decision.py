"""The webhook's decision on a request, and its answer: judged items, the decision and its
messages, warnings and audit annotations (each within the API server's limits), the answer for a
request that cannot be evaluated, and the AdmissionReview response."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardhull.admission.policy import AUDIT, ENFORCE, OFF, WARN, Policy
from hardhull.admission.request import API_VERSION, KIND, Request, ReviewError
from hardhull.model import JSONPatch, Severity

MAX_WARNING = 119  # each warning under 120 characters
MAX_WARNINGS = 20
MAX_MESSAGE = 1500
MAX_ANNOTATION = 1000
MAX_WHAT = 300  # the object's kind, namespace and name in a message

#: rules whose errors are a registry's (unreachable, timeout), each saying which image: K042
REGISTRY_CODES = frozenset({"K042"})

# outcomes (the `decision` label of the metrics)
ALLOW, DENY, WARNED, SKIP, EXEMPT, ERROR = "allow", "deny", "warn", "skip", "exempt", "error"


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


def decide(
    req: Request, policy: Policy, items: list[Item], errors: Sequence[tuple[str, str]] = ()
) -> Decision:
    denied = [i for i in items if i.effective_mode == ENFORCE]
    warned = [i for i in items if i.effective_mode == WARN]
    d = Decision(req.uid, True, ALLOW, items=items, errors=list(errors))
    warnings = [_warning(i) for i in warned]
    if errors:
        failed = ", ".join(sorted({c for c, _ in errors}))
        registry = all(c in REGISTRY_CODES for c, _ in errors)
        if policy.on_error == "deny":
            if registry:  # the registry's fault, not ours: say which image and why
                detail = "; ".join(dict.fromkeys(clean(e) for _, e in errors))
                denied_msg = f"{failed} could not verify {detail}; denied by on-error: deny"
            else:
                denied_msg = f"check {failed} failed (internal error); denied by on-error: deny"
            d.allowed, d.outcome, d.status_code = False, DENY, 500
            d.message = clip(f"hardhull: {clip(req.what, MAX_WHAT)}: {denied_msg}", MAX_MESSAGE)
        if registry:
            for _, e in reversed(errors):
                warnings.insert(0, clip(f"hardhull: {failed} could not verify {e}"))
        else:
            warnings.insert(0, clip(f"hardhull: check {failed} failed; see the webhook's log"))
    if denied:
        d.allowed, d.outcome, d.status_code = False, DENY, 403
        d.message = _deny_message(req, denied)
    elif d.allowed and warnings:
        d.outcome = WARNED
    d.warnings = _cap_warnings(warnings)
    d.audit = audit_annotations(d)
    return d


def _deny_message(req: Request, denied: Sequence[Item]) -> str:
    head = f"hardhull: {clip(req.what, MAX_WHAT)} violates {len(denied)} enforced rule(s): "
    parts = [f"{i.code} {clean(i.message)}" for i in denied]
    out = head
    for n, p in enumerate(parts):
        sep = "" if n == 0 else "; "
        rest = len(parts) - n
        tail = f"; ... and {rest} more (see warnings)"
        if len(out) + len(sep) + len(p) + (len(tail) if rest > 1 else 0) > MAX_MESSAGE:
            return out + (tail if n else clip(p, MAX_MESSAGE - len(out)))
        out += sep + p
    return out


#: control characters: never sent in a message or a warning
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Control characters replaced by ``?``."""
    return _CONTROL.sub("?", text)


def clip(text: str, limit: int = MAX_WARNING) -> str:
    """Shorten at a word boundary with '...' so the result is at most ``limit`` characters."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "..."


def _warning(i: Item) -> str:
    tag = f"{i.code} (existing)" if i.existing else i.code
    return clip(f"{tag}: {i.message}")


def _cap_warnings(warnings: list[str]) -> list[str]:
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= MAX_WARNINGS:
        return unique
    more = len(unique) - (MAX_WARNINGS - 1)
    return [*unique[: MAX_WARNINGS - 1], f"hardhull: {more} more warnings (see audit annotations)"]


def audit_annotations(d: Decision) -> dict[str, str]:
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
    uid = err.uid
    if uid is None:  # a request without a uid gets no AdmissionReview answer at all
        raise ValueError("error_decision needs a request uid") from err
    msg = clip(f"hardhull: cannot evaluate the request: {err.message}", MAX_MESSAGE)
    if policy.on_error == "allow":
        return Decision(
            uid,
            True,
            ERROR,
            warnings=[clip(msg)],
            audit={"decision": ERROR, "error": err.reason},
            errors=[("*", err.message)],
        )
    return Decision(
        uid,
        False,
        ERROR,
        status_code=400,
        message=msg,
        audit={"decision": ERROR, "error": err.reason},
        errors=[("*", err.message)],
    )


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception, at most 200 characters."""
    return f"{type(exc).__name__}: {exc}"[:200]


def internal_error(req: Request, policy: Policy, exc: BaseException) -> Decision:
    """The answer when a bug of ours raised: per ``on-error``, never raised on."""
    err = ReviewError(f"internal error: {describe_exception(exc)}", req.uid, "internal")
    return error_decision(err, policy)
