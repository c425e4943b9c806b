"""Admission control: the scan's rules enforced by a validating and mutating webhook.

- :mod:`hardhull.admission.policy`: the policy file (modes per rule, exemptions, mutation).
- :mod:`hardhull.admission.review`: pure AdmissionReview processing (no I/O, no asyncio).
- :mod:`hardhull.admission.hooks`: the seam for rules that need I/O (deadline, TTL cache).
- :mod:`hardhull.admission.server`: the ASGI app served by uvicorn over TLS.
- :mod:`hardhull.cli.admission`: ``hardhull admission serve``.
"""
