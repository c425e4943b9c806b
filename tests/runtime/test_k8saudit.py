"""The k8s_audit fields over audit events, with the k8saudit plugin's semantics (golden values
on the generated log's events and hand-made ones, the plugin's quirks included)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.runtime.k8saudit import EVENT_FIELDS, FIELDS, extract, extractor
from tests.helpers.auditlog import _Clock as Clock
from tests.helpers.auditlog import attacks, benign, event, pod


def _exec() -> dict[str, Any]:
    return attacks()["exec into a pod"][0]


def test_request_fields() -> None:
    ev = _exec()
    assert extract(ev, "ka.verb") == "create"
    assert extract(ev, "ka.stage") == "ResponseStarted"
    assert extract(ev, "ka.user.name") == "dev-intern@example.com"
    assert extract(ev, "ka.user.groups") == ["developers", "system:authenticated"]
    assert extract(ev, "ka.target.resource") == "pods"
    assert extract(ev, "ka.target.subresource") == "exec"
    assert extract(ev, "ka.target.namespace") == "shop"
    assert extract(ev, "ka.target.name") == "web-7d9f"
    assert extract(ev, "ka.uri.param", "command") == "sh"
    assert extract(ev, "ka.uri.param", "nope") is None
    assert extract(ev, "ka.uri.param") is None  # the argument is required
    assert extract(ev, "ka.response.code") == "101"  # every ka.* field is a string
    assert extract(ev, "ka.auth.decision") == "allow"
    assert extract(ev, "ka.sourceips") == ["10.0.12.7"]
    assert extract(ev, "ka.sourceips", "0") == ["10.0.12.7"]
    assert extract(ev, "ka.sourceips", "3") is None
    assert extract(ev, "ka.impuser.name") is None
    assert extract(ev, "jevt.value", "/stage") == "ResponseStarted"
    assert extract(ev, "jevt.value", "/objectRef/subresource") == "exec"
    assert extract(ev, "jevt.value", "/nope") is None
    assert isinstance(extract(ev, "jevt.rawtime"), int)
    assert str(extract(ev, "jevt.time.iso8601")).endswith("Z")


def test_pod_fields() -> None:
    (priv,) = attacks()["privileged pod"]
    assert extract(priv, "ka.req.pod.containers.privileged") == ["true"]
    assert extract(priv, "ka.req.container.privileged") == "true"
    assert extract(priv, "ka.req.pod.containers.image") == ["docker.io/library/alpine:3.20"]
    assert extract(priv, "ka.req.pod.containers.image.repository") == ["docker.io/library/alpine"]
    assert extract(priv, "ka.req.container.image.repository") == "docker.io/library/alpine"
    # the plugin's arrayAsStrings: a container without the setting makes the field unavailable
    assert extract(priv, "ka.req.pod.containers.read_only_fs") is None
    assert extract(priv, "ka.req.pod.containers.eff_run_as_user") == ["0"]
    (host,) = attacks()["hostPath pod of the host's root"]
    assert extract(host, "ka.req.pod.volumes.hostpath") == ["/"]
    assert extract(host, "ka.req.volume.hostpath", "/") == "true"
    assert extract(host, "ka.req.volume.hostpath", "/etc") == "false"
    assert extract(host, "ka.req.volume.hostpath", "/*") == "true"  # a prefix
    assert extract(host, "ka.req.pod.volumes.volume_type") == ["hostPath"]
    assert extract(host, "ka.req.container.privileged") == "false"
    (net,) = attacks()["hostNetwork pod"]
    assert extract(net, "ka.req.pod.host_network") == "true"
    assert extract(net, "ka.req.pod.host_pid") is None


def test_rbac_and_service_fields() -> None:
    (binding,) = attacks()["cluster-admin binding"]
    assert extract(binding, "ka.req.binding.role") == "cluster-admin"
    (subject,) = extract(binding, "ka.req.binding.subjects")  # type: ignore[misc]
    assert '"name":"dev-intern@example.com"' in subject  # compact JSON, as the plugin
    assert extract(binding, "ka.req.binding.subject.has_name", "anyone") == "true"
    (role,) = attacks()["wildcard ClusterRole"]
    assert extract(role, "ka.req.role.rules.verbs") == ["*"]
    assert extract(role, "ka.req.role.rules.resources") == ["*"]
    assert extract(role, "ka.req.role.rules.verbs", "5") is None
    (svc,) = attacks()["NodePort Service"]
    assert extract(svc, "ka.req.service.type") == "NodePort"
    assert extract(svc, "ka.req.service.ports") == ['{"port":22,"nodePort":30022}']
    (cm,) = attacks()["ConfigMap with a credential"]
    assert "aws_access_key_id" in str(extract(cm, "ka.req.configmap.obj"))


def test_containers_quirks() -> None:
    clock = Clock(3)
    p = pod("p", "ns", "nginx:1.27@sha256:" + "a" * 64,
            container_security={"runAsUser": 1000, "capabilities": {"add": ["NET_ADMIN"]}},
            securityContext={"runAsUser": 5})  # fmt: skip
    p["spec"]["containers"].append({"name": "side", "image": "busybox",
                                    "ports": [{"containerPort": 8080}]})  # fmt: skip
    p["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
    ev = event(clock, {"username": "u"}, "create", "pods", namespace="ns", name="p",
               request_object=p)  # fmt: skip
    assert extract(ev, "ka.req.pod.containers.image.repository") == ["nginx", "busybox"]
    assert extract(ev, "ka.req.pod.containers.image", "1") == ["busybox"]
    assert extract(ev, "ka.req.pod.containers.image", "x") == ["nginx:1.27@sha256:" + "a" * 64,
                                                              "busybox"]  # fmt: skip
    assert extract(ev, "ka.req.pod.containers.run_as_user") is None  # "side" has none
    assert extract(ev, "ka.req.pod.containers.run_as_user", "0") == ["1000"]
    # the plugin reads runAsUser beside the container and the pod spec, not in their
    # securityContext: for a real pod the effective user is always "0" there, and here too
    assert extract(ev, "ka.req.pod.containers.eff_run_as_user") == ["0", "0"]
    assert extract(ev, "ka.req.pod.run_as_user") == "5"
    assert extract(ev, "ka.req.pod.containers.add_capabilities", "0") == ['["NET_ADMIN"]']
    assert extract(ev, "ka.req.pod.containers.host_port") == ["8080", "8080"]
    assert extract(ev, "ka.req.pod.containers.privileged") == []


def test_benign_traffic_and_unknown_fields() -> None:
    for ev in benign(200):
        assert extract(ev, "ka.user.name") is not None
        assert extract(ev, "ka.verb") in ("update", "patch", "list", "get")
    assert extract(_exec(), "ka.no.such.field") is None


def test_every_k8s_audit_field_of_the_registry_is_extracted() -> None:
    fields = pytest.importorskip(
        "hardhull.falco.fields", reason="the rule language (hardhull.falco) is not merged yet"
    )
    names = {f.name for f in fields.fields("k8s_audit")}
    assert names - set(FIELDS) - set(EVENT_FIELDS) == set()


def test_the_runtime_fills_the_event_fields() -> None:
    get = extractor(_exec(), num=7, hostname="node-1")
    assert (get("evt.num", None), get("evt.hostname", None)) == (7, "node-1")
    assert (get("evt.source", None), get("evt.pluginname", None)) == ("k8s_audit", "k8saudit")
    assert get("evt.plugininfo", None) is None
    assert get("ka.verb", None) == "create"


# --- the fields filled up front are FIELDS' own values -------------------------------------

_SHAPES = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["username", "resource", "code", "x"]), st.text(max_size=3)),
)
_TOP = ("verb", "stage", "requestURI", "user", "objectRef", "responseStatus", "annotations")
_NESTED = ("username", "resource", "subresource", "namespace", "name", "code",
           "authorization.k8s.io/decision")  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(_TOP),
        st.one_of(_SHAPES, st.dictionaries(st.sampled_from(_NESTED), _SHAPES)),
    )
)
def test_prefilled_fields_equal_the_field_functions(event: dict[str, Any]) -> None:
    from hardhull.runtime.k8saudit import PREFILLED

    got = extractor(event)
    for field, arg in PREFILLED:
        assert got(field, arg) == FIELDS[field](event, arg), (field, event)
