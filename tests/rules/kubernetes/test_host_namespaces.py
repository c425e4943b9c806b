"""The workload rules of ``hardhull/rules/kubernetes/host_namespaces.py``:
K014, K015, K016, K017, K020, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers.kubernetes import (
    APP,
    C0,
    SPEC_AT,
    SPEC_BODY,
    check,
    ctr,
    scan_text,
    spec,
    violations,
)


@pytest.mark.parametrize(("code", "field"), [("K014", "hostNetwork"), ("K015", "hostPID"),
                                             ("K016", "hostIPC")])  # fmt: skip
def test_host_namespaces(code: str, field: str) -> None:
    text = spec(f"{field}: true")
    check(text, (code, f"/spec/{field}", field, f"pod sets {field}: true", "high"))
    (v,) = violations(text)
    assert v.fix == [{"op": "replace", "path": f"/spec/{field}", "value": False}]
    assert scan_text(spec(f"{field}: false")) == []
    assert scan_text(spec(f'{field}: "true"')) == []  # a string: rejected by the API server


DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    "    spec:\n" + textwrap.indent(SPEC_BODY, "      ")
)


@pytest.mark.parametrize(("code", "field"), [("K014", "hostNetwork"), ("K015", "hostPID"),
                                             ("K016", "hostIPC")])  # fmt: skip
def test_host_namespaces_in_a_pod_template(code: str, field: str) -> None:
    anchor = "    " + SPEC_AT
    text = DEPLOYMENT.replace(anchor, f"{anchor}      {field}: true\n")
    check(text, (code, f"/spec/template/spec/{field}", field, f"pod sets {field}: true", "high"))


def test_k017_host_users() -> None:
    text = spec("hostUsers: true")
    check(text, ("K017", "/spec/hostUsers", "hostUsers",
                 "pod sets hostUsers: true (no user namespace)", "low"))  # fmt: skip
    assert scan_text(spec("hostUsers: false")) == []


def test_k020_host_port() -> None:
    text = ctr("ports: [{containerPort: 8080, hostPort: 8080}]")
    check(text, ("K020", f"{C0}/ports/0/hostPort", "hostPort", f"{APP} binds host port 8080",
                 "medium"))  # fmt: skip
    assert (
        scan_text(ctr("ports: [{containerPort: 8080}, {containerPort: 9090, hostPort: 0}]")) == []
    )
