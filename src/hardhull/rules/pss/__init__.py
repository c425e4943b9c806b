"""Rule metadata of the Pod Security Standards controls: codes P001–P019, one per upstream check.

The rules register themselves when their modules are imported (``hardhull.rules.load_all``
imports every module of this package) so that ``hardhull rules P003`` explains them. They are
reported by ``hardhull pss``, not by the workload checks of ``hardhull scan``:
:mod:`~hardhull.rules.pss.baseline` (P001–P012), :mod:`~hardhull.rules.pss.restricted`
(P013–P019), and both by code in :mod:`~hardhull.rules.pss.catalog`.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

PSS_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
#: upstream's policy directory: a rule's second reference is its check's source file there
UPSTREAM = (
    "https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/"
    "pod-security-admission/policy/"
)
CATEGORY = "pod-security-standards"

#: the rules register themselves: they have no check of their own in the registry
PSS = RuleFamily(CATEGORY, base_refs=(PSS_DOC,), register=True)
