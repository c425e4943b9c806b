"""Admission control: the scan's rules enforced by a validating and mutating webhook.

- :mod:`hardhull.admission.policy`: the policy file (modes per rule, exemptions, mutation).
- :mod:`hardhull.admission.review`: pure AdmissionReview processing (no I/O, no asyncio), the
  API the server uses; made of :mod:`~hardhull.admission.request` (parsing),
  :mod:`~hardhull.admission.gate` (what is evaluated), :mod:`~hardhull.admission.checks`
  (running and judging the checks), :mod:`~hardhull.admission.decision` (decisions and
  responses), :mod:`~hardhull.admission.mutation` and :mod:`~hardhull.admission.jsonpatch`.
- :mod:`hardhull.admission.hooks`: the seam for rules that need I/O (deadline, TTL cache).
- :mod:`hardhull.admission.verification`: only signed images (K042), the one hook that ships;
  :mod:`~hardhull.admission.signatures` holds its verifier interface (``Verify``,
  ``VerifiedImage``), rules, keys and image matching.
- :mod:`hardhull.admission.server`: the ASGI app served by uvicorn over TLS;
  :mod:`~hardhull.admission.tls` reloads its certificate, :mod:`~hardhull.admission.metrics`.
- :mod:`hardhull.admission.manifests`: ``hardhull admission manifests`` (objects from
  :mod:`~hardhull.admission.install` and :mod:`~hardhull.admission.deployment`);
  :mod:`hardhull.admission.certs`: ``hardhull admission certs``.
- :mod:`hardhull.cli.admission`: ``hardhull admission serve``.
"""
