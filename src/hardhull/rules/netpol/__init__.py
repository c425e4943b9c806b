"""Network rules (codes N001–N099): NetworkPolicy coverage and mistakes over the scanned set.

These are *set checks*: they need every object of the scan at once (pods, namespaces and
policies), so the engine calls each with the full list. The :class:`~hardhull.netpol.Network`
model is built once per set and shared by every rule (``ctx.derived(analyse)``, see
:mod:`.analysis`).

The rules by topic: :mod:`.isolation` (N001–N003), :mod:`.anywhere` (N004, N005),
:mod:`.policies` (N006, N007), :mod:`.dns` (N008).

Design, to report each problem once (see docs/netpol.md):

- N001/N002 (namespace without a default-deny for ingress/egress) are one finding per
  namespace, never per workload. Their severity drops one step when every workload of the
  namespace in the scan is already isolated in that direction by its own policies (only pods
  added later are exposed).
- N003 (workload selected by no policy) fires only in a namespace that has NetworkPolicies:
  with none at all, N001/N002 already say everything about it.
- Only namespaces with pods in the scan count; ``hostNetwork`` pods are not counted (policies
  do not apply to them in most plugins) and the system namespaces (kube-system, kube-public,
  kube-node-lease) are left out of N001–N003. A namespace with network policies of another
  implementation (Calico, Cilium, Antrea) or a scan with cluster-wide ones (GlobalNetworkPolicy,
  AdminNetworkPolicy, …) is not judged by N001–N003 either: those may isolate what we cannot see.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

NETPOL_DOC = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
DEFAULT_DENY_DOC = NETPOL_DOC + "#default-policies"
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, Network separation and hardening: "
CIS_NETPOL = "CIS Kubernetes Benchmark v1.9 5.3.2"

#: the family of every N rule
netpol_rule = RuleFamily("kubernetes-network", refs=(NETPOL_DOC,), nsa_prefix=NSA)
