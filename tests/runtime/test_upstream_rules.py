"""Falco's own k8s_audit_rules.yaml, unmodified, over the generated audit log (issue #12 §4):
each scripted attack fires the upstream rule written for it, and the benign traffic fires
none — the rule language (hardhull.falco) and the k8saudit fields (hardhull.runtime.k8saudit)
together, as Falco with its k8saudit plugin decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.falco.loader import Ruleset, load_files
from hardhull.runtime.k8saudit import extractor
from tests.conftest import ROOT
from tests.helpers.auditlog import attacks, benign

RULES = ROOT.parent / "shared" / "falco-rules" / "k8s_audit_rules.yaml"
#: the upstream rule each attack is meant to fire (besides "Disallowed K8s User", which
#: fires for every request of a user not in allowed_k8s_users, and the activity rules)
EXPECTED = {
    "exec into a pod": "Attach/Exec Pod",
    "attach to a pod": "Attach/Exec Pod",
    "port-forward to a pod": "port-forward",
    "ephemeral debug container": "EphemeralContainers Created",
    "privileged pod": "Create Privileged Pod",
    "hostPath pod of the host's root": "Create Sensitive Mount Pod",
    "hostNetwork pod": "Create HostNetwork Pod",
    "hostPID pod": "Create HostPid Pod",
    "hostIPC pod": "Create HostIPC Pod",
    "cluster-admin binding": "Attach to cluster-admin Role",
    "wildcard ClusterRole": "ClusterRole With Wildcard Created",
    "secrets read by an unexpected user": "K8s Secret Get Successfully",
    "anonymous request allowed": "Anonymous Request Allowed",
    "NodePort Service": "Create NodePort Service",
    "ConfigMap with a credential": "Create/Modify Configmap With Private Credentials",
    "ServiceAccount in kube-system": "Service Account Created in Kube Namespace",
}


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    if not RULES.is_file():
        pytest.skip(f"{RULES} not found (CI has ../shared beside the checkout)")
    rs = load_files([Path(RULES)])
    assert rs.errors == []
    return rs


def _fired(rs: Ruleset, events: list[dict[str, object]]) -> set[str]:
    return {
        r.name
        for i, ev in enumerate(events)
        for r in rs.match("k8s_audit", extractor(ev, num=i, hostname="test"))
    }


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_each_attack_fires_its_upstream_rule(ruleset: Ruleset, attack: str) -> None:
    fired = _fired(ruleset, attacks()[attack])
    assert EXPECTED[attack] in fired, fired
    # by the attacker, "Disallowed K8s User" too; never an unrelated attack rule
    others = set(EXPECTED.values()) - {EXPECTED[attack]}
    assert not fired & others, fired


def test_benign_traffic_fires_nothing(ruleset: Ruleset) -> None:
    assert _fired(ruleset, list(benign(5000))) == set()


def test_outputs_render_with_the_event_fields(ruleset: Ruleset) -> None:
    (rule,) = [r for r in ruleset.rules if r.name == "Create Privileged Pod"]
    (ev,) = attacks()["privileged pod"]
    text = rule.render.render(extractor(ev))
    assert "user=dev-intern@example.com" in text
    assert "images=(docker.io/library/alpine:3.20) init_images=<NA>" in text


def test_the_resource_and_verb_index_changes_no_decision(ruleset: Ruleset) -> None:
    # an event meets only the rules whose required ka.target.resource / ka.verb admit it:
    # the same rules fire as when every rule sees every event
    events = [e for evs in attacks().values() for e in evs] + list(benign(3000))
    every = ruleset.rules_for("k8s_audit")
    assert any(r.needs != (None, None) for r in every)
    for i, ev in enumerate(events):
        get = extractor(ev, num=i)
        full = [r.name for r in every if r.evaluate and r.evaluate(get)]
        assert [r.name for r in ruleset.match("k8s_audit", get)] == full


def test_field_values() -> None:
    from hardhull.falco.compile import field_values
    from hardhull.falco.grammar import parse

    def vals(cond: str, name: str = "ka.verb") -> object:
        v = field_values(parse(cond), name)
        return None if v is None else sorted(v)

    assert vals("ka.verb = get") == ["get"]
    assert vals("ka.verb in (create, update) and ka.verb = create") == ["create"]
    assert vals("ka.verb = get or ka.verb = list") == ["get", "list"]
    assert vals("ka.verb = get or ka.user.name = x") is None  # one branch unconstrained
    assert vals("not ka.verb = get") is None
    assert vals("tolower(ka.verb) = get") is None
    assert vals("ka.verb startswith g") is None
    assert vals("ka.uri.param[verb] = get") is None
    assert vals("ka.target.resource = pods and ka.verb exists", "ka.target.resource") == ["pods"]
