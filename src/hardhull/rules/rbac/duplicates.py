"""R014: the same RBAC object (Role, ClusterRole, binding, ServiceAccount) defined more than once.

A repository often holds one definition per environment (``overlays/prod/…``,
``overlays/dev/…``). Applied together the last one would replace the others, so the analysis
reads definitions in different files as alternatives and judges each (a cluster-admin binding
in one folder is reported even when another folder defines a binding of the same name); this
rule says where the object is defined again, so that a reader knows which one a cluster gets
depends on what is applied.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardhull.context import SetContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.rbac import rbac_rule
from hardhull.rules.rbac.analysis import analyse

#: files named in one message, at most
_SHOWN = 3

DUPLICATE = rbac_rule(
    "R014",
    "rbac-duplicate-object",
    "Same RBAC object defined in several places",
    Severity.LOW,
    what=(
        "A Role, ClusterRole, RoleBinding, ClusterRoleBinding or ServiceAccount with the same "
        "kind, namespace and name is defined more than once in the scanned set; reported on "
        "each definition, naming the other files (or, within one file, that a later definition "
        "replaces this one). Definitions in different files are judged each on its own by "
        "R001–R013 (a binding binds the definition of its role nearest to it: same file, then "
        "the deepest common folder); within one file the later one wins, as `kubectl apply` "
        "would have it."
    ),
    why=(
        "Applied together, the last definition silently replaces the others: which permissions "
        "a cluster gets depends on the order of files, and a review of one file does not show "
        "what is granted. In a repository of environments it is usually intended; this is the "
        "reminder that the files are alternatives, not one set."
    ),
    fix=(
        "Give objects of different purposes different names; keep one definition per "
        "environment folder and scan (or apply) each environment's output on its own "
        "(`kustomize build overlays/prod | hardhull scan -`)."
    ),
    example="""
# overlays/prod/rbac.yaml and overlays/dev/rbac.yaml: distinct names
kind: ClusterRoleBinding
metadata: {name: prod-operators}
""",
)


# R014
@check(DUPLICATE, on=Target.SET)
def rbac_duplicate_object(ctx: SetContext) -> Iterator[tuple[int, Violation]]:
    a = ctx.derived_from(analyse)
    origins = ctx.origins or ()

    def origin(index: int) -> str:
        return origins[index] if 0 <= index < len(origins) else ""

    for refs in a.graph.definitions.values():
        if len(refs) < 2:
            continue
        for ref in refs:
            here = origin(ref.index)
            elsewhere = list(
                dict.fromkeys(origin(r.index) for r in refs if origin(r.index) != here)
            )
            parts: list[str] = []
            if elsewhere:
                shown = ", ".join(elsewhere[:_SHOWN])
                if len(elsewhere) > _SHOWN:
                    shown += f" and {len(elsewhere) - _SHOWN} more"
                parts.append(
                    f"{ref} is also defined in {shown}: each definition is judged on its own; "
                    "applied together, the last one would replace the others"
                )
            later = [r for r in refs if origin(r.index) == here and r.index > ref.index]
            if later:
                parts.append(
                    f"{ref} is defined again later in this file: the later definition replaces "
                    "this one"
                )
            if not parts:
                continue
            yield (
                ref.index,
                Violation(DUPLICATE.code, "/metadata/name", "; ".join(parts), None, Severity.LOW),
            )
