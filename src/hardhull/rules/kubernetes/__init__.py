"""Kubernetes workload rules (codes K001–K099, and K100): what every pod-bearing kind and
container type runs with, and the Services and PersistentVolumes that open the node to them.
The modules, by topic:

- ``privileges`` (privileged, privilege escalation, Windows HostProcess: K001, K002, K023),
  ``users`` (uids and groups: K003–K005, K034), ``capabilities`` (K007–K009),
  ``confinement`` (seccomp, AppArmor, SELinux, /proc masking: K010–K013, K021);
- ``host_namespaces`` (host network, PID, IPC, user namespaces and host ports: K014–K017,
  K020), ``host_paths`` (hostPath volumes, runtime sockets and PersistentVolumes on a host
  path: K018, K019, K037), ``sysctls`` (unsafe names, injected values: K022, K039),
  ``filesystem`` (read-only root filesystem, volume types: K006, K035);
- ``resources`` (K024–K026), ``images`` (K027–K029, and K042: images not signed by a trusted
  key, reported by the admission webhook only), ``pod_settings`` (service account
  token, default namespace: K030, K031), ``probes`` (missing probes, probes aimed at another
  host: K032, K033, K036);
- ``services`` (external IPs, node ports: K038, K040), checked on the object (``Target.OBJECT``);
- ``pod_security`` (K100: would Pod Security Admission reject the workload?);
- ``manifest`` (the text of any object: a key set twice, K041).

Helpers several checks use are in :mod:`~hardhull.rules.kubernetes.common`; the host-path and
capability knowledge the compose rules share is in :mod:`hardhull.models.host_paths` and
:mod:`hardhull.models.capabilities`. This module holds the rule family and the documentation
links its modules cite.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

PSS_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SC_DOC = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, "
#: the public policy libraries whose policies some rules express (docs/policy-libraries.md)
GATEKEEPER = "https://github.com/open-policy-agent/gatekeeper-library/tree/master/library/"
KYVERNO = "https://github.com/kyverno/policies/tree/main/"

workload_rule = RuleFamily("kubernetes-workload", refs=(SC_DOC,), nsa_prefix=NSA, pss_ref=PSS_DOC)
