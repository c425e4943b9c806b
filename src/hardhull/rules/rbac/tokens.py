"""R013: the token of a service account that holds permissions, mounted by default."""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload
from hardhull.rbac.identities import Subject
from hardhull.rbac.model import Binding
from hardhull.registry import Target, check
from hardhull.rules.rbac import rbac_rule
from hardhull.rules.rbac.analysis import analyse
from hardhull.rules.rbac.subjects import sa_of

AUTOMOUNT = rbac_rule(
    "R013",
    "rbac-token-automount",
    "Token of a service account with permissions mounted by default",
    Severity.LOW,
    what=(
        "A ServiceAccount that a binding grants permissions to does not set "
        "`automountServiceAccountToken: false`, so its token is mounted into every pod that runs "
        "as it; reported on the ServiceAccount, or on the workload when the account is not in the "
        "set and the pod does not opt out. Pods that set `automountServiceAccountToken` "
        "explicitly have decided and are not reported. Low: the permissions themselves are "
        "judged by R001–R012."
    ),
    why=(
        "A token mounted where the process never calls the API is a credential for the first "
        "attacker in the container, with every permission of the account."
    ),
    fix=(
        "Set `automountServiceAccountToken: false` on the ServiceAccount and `true` on the pod "
        "specs that call the API."
    ),
    example="""
kind: ServiceAccount
metadata: {name: prometheus, namespace: monitoring}
automountServiceAccountToken: false
---
# in the pod template of the workload that calls the API:
spec:
  serviceAccountName: prometheus
  automountServiceAccountToken: true
""",
    cis="5.1.6",
)


# R013
@check(AUTOMOUNT, on=Target.SET)
def rbac_token_automount(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    direct: dict[Subject, list[Binding]] = {}
    for b in a.graph.bindings:
        if b.dangling or b.ref.index < 0:
            continue
        if b.role is not None and not b.role.rules:
            continue
        for s in b.subjects:
            sa = sa_of(s.subject)
            if sa is not None and b not in direct.get(sa, []):
                direct.setdefault(sa, []).append(b)
    for sa, bindings in sorted(direct.items()):
        if sa.name == "default":
            continue  # R012 reports permissions given to the default account
        names = list(dict.fromkeys(str(b.ref) for b in bindings))  # one per file: one name
        via = ", ".join(names[:3])
        if len(names) > 3:
            via += f" and {len(names) - 3} more"
        # one per file that defines the account (environments of one repository)
        defined = a.graph.service_account_variants.get((sa.namespace, sa.name), [])
        runners = [r for r in a.graph.runners_of(sa) if r.automount is None and r.ref.index >= 0]
        for obj in defined:
            if obj.automount is not None or obj.ref.index < 0:
                continue  # false: not mounted; true: mounted on purpose
            pods = ", ".join(str(r.ref) for r in runners[:3])
            mounted = f" ({pods})" if pods else ""
            yield (
                obj.ref.index,
                Violation(
                    AUTOMOUNT.code,
                    "/metadata/name",
                    f"{sa} holds permissions ({via}) and does not set "
                    f"automountServiceAccountToken: false: its token is mounted into every pod "
                    f"that runs as it{mounted}",
                    None,
                    Severity.LOW,
                ),
            )
        if defined:
            continue
        for r in runners:
            w = Workload.of(a.objects[r.ref.index])
            yield (
                r.ref.index,
                Violation(
                    AUTOMOUNT.code,
                    r.pointer or (w.spec_pointer if w is not None else ""),
                    f"pods mount the token of {sa}, which holds permissions ({via}); set "
                    f"automountServiceAccountToken: false unless the app calls the API",
                    None,
                    Severity.LOW,
                ),
            )
