"""RBAC rules (codes R001–R017) over the permission graph of the whole scanned set.

Every rule here is a *set check*: it sees all Kubernetes objects of one scan, because whether a
Role is dangerous depends on who is bound to it, where, and which service accounts share the
namespace. The graph (:func:`hardhull.rbac.build`) is built once per set by
:mod:`.analysis`, and every check reads that one analysis through ``ctx.derived_from(analyse)``.

Where the rules live and where their findings go:

- :mod:`.wildcards`, :mod:`.access`, :mod:`.escalation`: permissions (R001–R009), on the exact
  rule entry that grants them, ``/rules/N/verbs/M`` (or ``/resources/M``, ``/apiGroups/M`` for
  a wildcard), in the Role or ClusterRole that lists the rule (for an aggregated ClusterRole:
  in the member role that contributes it);
- :mod:`.bindings`: bindings (R010–R012), on the subject, ``/subjects/N``;
- :mod:`.tokens`: token automount (R013), on the ServiceAccount, or on the workload when the
  account is not in the set;
- :mod:`.duplicates`: the same object defined more than once (R014), on each definition;
- :mod:`.mistakes`: RBAC that grants nothing because of a mistake (R015–R017), low hints
  naming the likely intent, on the subject, the resource or the roleRef.

Severity follows who holds the permission (see docs/rbac.md, "Severity"): the rule's
cluster-wide severity when a ClusterRoleBinding (or aggregation into the built-in
admin/edit/view roles) grants it, a lower one when only RoleBindings do, at most medium when
nothing in the set binds the role (latent), and low when only ``system:`` components hold it.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

RBAC_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
CIS = "CIS Kubernetes Benchmark v1.9 "
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, Authentication and authorization"

#: the family of every R rule (the admission webhook runs the rules of this family by name)
rbac_rule = RuleFamily(
    "kubernetes-rbac", refs=(RBAC_DOC, GOOD_PRACTICES), cis_prefix=CIS, nsa_default=NSA
)

#: appended to the description of the permission rules (R001–R009)
SCOPE_NOTE = (
    " The severity named is for a ClusterRoleBinding (or aggregation into the built-in admin, "
    "edit or view roles); when nothing in the scanned set binds the role (latent) it drops one "
    "step, to at most medium; when only `system:` components hold it, to low."
)
