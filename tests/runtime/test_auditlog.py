"""The generated audit log the runtime tests and benchmark replay (tests/helpers/auditlog.py):
each event has the fields the API server always writes, URIs agree with the objectRef, the
log is deterministic for a seed, and every scripted attack is distinct from benign traffic in
who did what."""

from __future__ import annotations

import json
import re

from tests.helpers.auditlog import ATTACKS, STOLEN, attacks, benign, cluster_operations, jsonl

REQUIRED = ("kind", "apiVersion", "level", "auditID", "stage", "requestURI", "verb", "user",
            "sourceIPs", "userAgent", "responseStatus", "requestReceivedTimestamp",
            "stageTimestamp", "annotations")  # fmt: skip
TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _check(ev: dict[str, object]) -> None:
    assert all(k in ev for k in REQUIRED), ev
    assert ev["kind"] == "Event" and ev["apiVersion"] == "audit.k8s.io/v1"
    assert ev["stage"] in ("ResponseStarted", "ResponseComplete")
    assert TS.fullmatch(str(ev["requestReceivedTimestamp"]))
    ref = ev.get("objectRef")
    if isinstance(ref, dict):
        uri = str(ev["requestURI"])
        assert f"/{ref['resource']}" in uri
        if "namespace" in ref:
            assert f"/namespaces/{ref['namespace']}/" in uri
        if "subresource" in ref:
            assert uri.split("?")[0].endswith(f"/{ref['name']}/{ref['subresource']}")


def test_events_are_well_formed_and_deterministic() -> None:
    log = list(benign(500))
    for ev in log:
        _check(ev)
    assert list(benign(500)) == log
    for name, events in attacks().items():
        assert events, name
        for ev in events:
            _check(ev)
    assert len(ATTACKS) == 20
    for ev in cluster_operations():
        _check(ev)
    lines = jsonl(log).splitlines()
    assert [json.loads(line) for line in lines] == log


def test_attacks_are_by_the_attacker_or_anonymous_and_benign_is_not() -> None:
    attackers = {"dev-intern@example.com", "system:anonymous", STOLEN["username"]}
    for events in attacks().values():
        assert {e["user"]["username"] for e in events} <= attackers
    benign_users = {e["user"]["username"] for e in benign(2000)}
    assert "dev-intern@example.com" not in benign_users
    assert STOLEN["username"] not in benign_users
    # the anonymous user appears in benign traffic only for health probes
    probes = {e["requestURI"] for e in benign(2000) if e["user"]["username"] == "system:anonymous"}
    assert probes <= {"/readyz", "/livez"}
