"""Secrets hygiene rules (codes S001–S099): credentials committed in Kubernetes manifests and in
any file a scan reads.

The detectors live in :mod:`hardhull.secrets`; these checks decide where to look and report the
value masked, never the secret: Secret data (:mod:`.secret_objects`, S001), container env and
arguments (:mod:`.env`, S002), ConfigMap data and the files embedded in it
(:mod:`.configmaps`, S003), annotations (:mod:`.annotations`, S004), the raw text of every file
(:mod:`.files`, S005). :mod:`.embedded` reads a configuration file embedded in a value (S001,
S003).
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

SECRET_DOC = "https://kubernetes.io/docs/concepts/configuration/secret/"
GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
ESO = "https://external-secrets.io/"
SEALED = "https://github.com/bitnami-labs/sealed-secrets"
SOPS = "https://github.com/getsops/sops"
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, "

SECRETS = RuleFamily("secrets", refs=(SECRET_DOC, GOOD_PRACTICES), nsa_prefix=NSA)
