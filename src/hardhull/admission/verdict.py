"""The admission policy's verdict on a scan: what ``hardhull scan`` gates on.

Every finding of the scan gets the mode the webhook gives a violation under the policy
(:meth:`~hardhull.admission.policy.Policy.mode`: ``rules``, ``disable``, ``severity-modes``,
``default-mode``); an object with an enforced finding is denied, and the scan fails when
anything is denied. So a manifest that passes the scan is admitted by a webhook running the
same policy file, and the default policy (:func:`~hardhull.admission.policy.default_policy`)
is the default of both.

What the webhook cannot see is judged as it would be without it:

- objects in an exempt namespace (``exempt-namespaces``) are not judged at all, but for the
  control-plane rules (``A…``): they judge static Pods and configuration files that the
  kubelet and the API server read from disk, which run whatever an admission webhook says;
- the ``hardhull.dev/ignore`` annotation waives a finding only where the policy allows it
  (``allow-object-exemptions``), on the kinds the webhook checks; elsewhere (Dockerfiles,
  compose files, kinds the webhook does not check) it waives as in the report;
- a ``# hardhull: ignore[...]`` line comment never reaches the API server: on a kind the
  webhook checks, a rule it runs there is judged as if the comment were not there, and a
  note names the annotation to use instead;
- a baseline (``--baseline``) is the scan's own and waives as in the report (the webhook's
  counterpart is ``updates: new-violations-only``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from hardhull.admission.policy import ENFORCE, Policy
from hardhull.admission.request import RBAC_KINDS, SUPPORTED_KINDS, group_of
from hardhull.model import Finding, Resource, ScanResult, Waived
from hardhull.registry import Target
from hardhull.suppress import ANNOTATION

#: rule families about what runs without admission (static control-plane Pods, configuration
#: files read from disk): a namespace exemption does not waive them, the scan is their gate
NOT_ADMITTED_FAMILIES = frozenset({"control-plane"})

#: (path, kind, namespace, name): one object of the scan (or one Dockerfile, compose service…)
ObjectKey = tuple[str, str, str, str]


@dataclass
class Verdict:
    """The policy's decision on each object of a scan."""

    #: denied objects, in scan order, with their enforced findings
    denied: dict[ObjectKey, list[Finding]] = field(default_factory=dict)
    #: one line per suppression that the webhook does not honour for an enforced finding
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.denied


def key_of(f: Finding) -> ObjectKey:
    r = f.resource
    return (f.location.path, r.kind, r.namespace, r.name)


def is_kubernetes(r: Resource) -> bool:
    return bool(r.api_version)


def checked_by_webhook(r: Resource) -> bool:
    """Whether the webhook evaluates objects of this resource's kind (built-in groups)."""
    return is_kubernetes(r) and (group_of(r.api_version), r.kind) in SUPPORTED_KINDS


@cache
def _webhook_codes(rbac: bool) -> frozenset[str]:
    # start-up time: the rule families load when a verdict is asked for
    from hardhull.rules import checks

    codes = {c.code for t in (Target.OBJECT, Target.WORKLOAD) for c in checks(t)}
    if rbac:
        codes |= {c.code for c in checks(Target.SET, family="kubernetes-rbac")}
    return frozenset(codes)


def runs_in_webhook(f: Finding) -> bool:
    """Whether the webhook runs this finding's rule on this finding's object."""
    r = f.resource
    if not checked_by_webhook(r):
        return False
    return f.code in _webhook_codes((group_of(r.api_version), r.kind) in RBAC_KINDS)


def _where(f: Finding) -> str:
    loc = f.location
    if not loc.path:
        return "<stdin>"
    return f"{loc.path}:{loc.line}" if loc.line else loc.path


def _waiver_note(w: Waived, policy: Policy) -> str:
    f = w.finding
    allow = (
        ""
        if policy.allows_object_exemption(f.code)
        else f" and allow it in the policy (allow-object-exemptions: [{f.code}])"
    )
    head = f"{_where(f)}: {f.code} on {f.resource}"
    if w.mechanism == "comment":
        return (
            f"{head} is suppressed by a line comment, which the admission webhook never sees: "
            f'the policy denies it; use the annotation {ANNOTATION}: "{f.code}: reason" on the '
            f"object{allow}"
        )
    return (
        f"{head} is waived by the {ANNOTATION} annotation, which the policy does not honour "
        f"for it: the webhook denies it; allow it in the policy "
        f"(allow-object-exemptions: [{f.code}])"
    )


def judge_scan(result: ScanResult, policy: Policy) -> Verdict:
    """The policy's verdict on every object of ``result``: as the webhook would decide it."""
    v = Verdict()
    exempt: dict[str, int] = {}  # namespace → enforced findings not judged there
    entries: Iterable[tuple[str, Finding]] = [
        *(("", f) for f in result.findings),
        *((w.mechanism, w.finding) for w in result.waived),
    ]
    for mechanism, f in entries:
        r = f.resource
        if policy.mode(f.code, f.severity) != ENFORCE:
            continue
        if (
            is_kubernetes(r)
            and r.namespace in policy.exempt_namespaces
            and f.rule.family not in NOT_ADMITTED_FAMILIES
        ):
            if not mechanism:
                exempt[r.namespace] = exempt.get(r.namespace, 0) + 1
            continue
        if mechanism == "baseline":
            continue
        if mechanism == "annotation" and (
            not runs_in_webhook(f) or policy.allows_object_exemption(f.code)
        ):
            continue
        if mechanism == "comment" and not runs_in_webhook(f):
            continue
        if mechanism:
            v.notes.append(_waiver_note(Waived(mechanism, f), policy))
        v.denied.setdefault(key_of(f), []).append(f)
    if exempt:
        where = ", ".join(f"{ns}: {n}" for ns, n in sorted(exempt.items()))
        v.notes.append(
            f"{sum(exempt.values())} enforced finding(s) not judged in exempt namespaces "
            f"({where}): the webhook does not check them (exempt-namespaces)"
        )
    return v
