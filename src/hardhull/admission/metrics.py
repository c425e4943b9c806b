"""Prometheus metrics of the webhook.

With several workers, ``hardhull admission serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
fresh directory before the workers start: each worker writes its counters there and any
worker's ``/metrics`` reports the sum over all of them, so one scrape of the Service is the
whole pod. With one worker the in-process registry is used.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series double the output and tell nothing here

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "hardhull_admission_requests",
    "Admission requests answered, by endpoint, operation, kind and decision "
    "(allow, warn, deny, skip, exempt, error).",
    ("endpoint", "operation", "kind", "decision"),
)
LATENCY = Histogram(
    "hardhull_admission_request_duration_seconds",
    "Time from the first byte of the body to the response, by endpoint.",
    ("endpoint",),
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
DENIALS = Counter(
    "hardhull_admission_rule_denials", "Violations that denied a request, by rule.", ("rule",)
)
WARNINGS = Counter(
    "hardhull_admission_rule_warnings", "Violations returned as warnings, by rule.", ("rule",)
)
AUDITS = Counter(
    "hardhull_admission_rule_audits", "Violations logged in audit mode, by rule.", ("rule",)
)
MUTATIONS = Counter(
    "hardhull_admission_rule_mutations",
    "Fixes applied by the mutating webhook, by rule.",
    ("rule",),
)
EXEMPTIONS = Counter(
    "hardhull_admission_object_exemptions",
    "Violations an object exempted itself from (hardhull.dev/ignore), by rule.",
    ("rule",),
)
ERRORS = Counter(
    "hardhull_admission_errors",
    "Requests or checks that failed: body_too_large, body_timeout, malformed_json, "
    "bad_review, object_too_large, eval_timeout, check_error, hook_error, internal.",
    ("reason",),
)
IMAGE_VERIFICATIONS = Counter(
    "hardhull_admission_image_verifications",
    "Calls of the image signature verifier (verify-images, K042), by result: verified, "
    "denied (no signature verifies) or error (registry unreachable, bad answer, timeout).",
    ("result",),
)
IMAGE_CACHE_HITS = Counter(
    "hardhull_admission_image_verification_cache_hits",
    "Image verifications answered from the cache, by cache: digest (a verified digest, ttl) "
    "or tag (a tag's digest or a denial, tag-ttl).",
    ("cache",),
)
REGISTRY_LATENCY = Histogram(
    "hardhull_admission_registry_duration_seconds",
    "Time of one call of the image signature verifier (registry round trips and signature "
    "checks), waiting for a free slot of its registry excluded.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
CERT_RELOADS = Counter(
    "hardhull_admission_certificate_reloads", "Serving certificate reloads, by result.", ("result",)
)


def render() -> bytes:
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
