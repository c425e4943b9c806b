"""``hardhull rbac who-can`` / ``subject``: golden answers on examples/cluster, JSON, exit codes.

The parser is built here with :func:`add_rbac_parser` on a plain argparse subparsers object,
the way ``hardhull.cli`` wires it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hardhull.cli.rbac import add_rbac_parser, cmd_rbac
from tests.conftest import ROOT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="hardhull")
    sub = parser.add_subparsers(dest="command")
    add_rbac_parser(sub, None)
    code = cmd_rbac(parser.parse_args(["rbac", *argv]))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


RULE = "examples/cluster/rbac.yaml"
MASTERS = (
    "Group           system:masters  -              ClusterRoleBinding/cluster-admin  "
    "ClusterRole/cluster-admin  built-in ClusterRole/cluster-admin\n"
)
EDIT_NOTE = (
    "note: RoleBinding/shop/shop-developers-edit binds built-in ClusterRole/edit in namespace "
    "shop: its rules are not in the set\n"
)


def test_who_can_list_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["who-can", "list", "secrets", "examples/cluster"], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "KIND            NAME            NAMESPACE      BINDING                           "
        "ROLE                       RULE\n"
        + MASTERS
        + "ServiceAccount  ingress-nginx   ingress-nginx  ClusterRoleBinding/ingress-nginx  "
        f"ClusterRole/ingress-nginx  {RULE}:24\n"
        "ServiceAccount  deployer        ci             ClusterRoleBinding/ci-deployer    "
        "ClusterRole/cluster-admin  built-in ClusterRole/cluster-admin\n" + EDIT_NOTE
    )


def test_who_can_exec_in_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["who-can", "create", "pods/exec", "-n", "shop", "examples/cluster"], capsys)
    assert code == 0
    assert out.splitlines()[3] == (
        "Group           shop-developers  -          RoleBinding/shop/shop-debug       "
        f"Role/shop/shop-debug       {RULE}:141"
    )
    assert [line.split()[1] for line in out.splitlines()[1:4]] == [
        "system:masters",
        "deployer",
        "shop-developers",
    ]


def test_who_can_elsewhere_excludes_namespace_roles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["who-can", "create", "pods/exec", "-n", "ingress-nginx", RULE], capsys)
    assert code == 0
    assert "shop-developers" not in out and "shop-developers-edit" not in out


def test_who_can_only_masters(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A set without RBAC: only the built-in system:masters binding answers."""
    cm = tmp_path / "cm.yaml"
    cm.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", encoding="utf-8")
    code, out, _ = run(["who-can", "create", "pods", str(cm)], capsys)
    assert code == 0
    assert out == (
        "KIND   NAME            NAMESPACE  BINDING                           ROLE"
        "                       RULE\n"
        "Group  system:masters  -          ClusterRoleBinding/cluster-admin  "
        "ClusterRole/cluster-admin  built-in ClusterRole/cluster-admin\n"
    )


def test_who_can_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["who-can", "watch", "secrets", "-f", "json", RULE], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["request"] == {
        "verb": "watch",
        "resource": "secrets",
        "apiGroup": "",
        "subresource": "",
        "name": None,
        "namespace": None,
    }
    ingress = doc["subjects"][1]
    assert ingress == {
        "kind": "ServiceAccount",
        "name": "ingress-nginx",
        "namespace": "ingress-nginx",
        "binding": {"kind": "ClusterRoleBinding", "name": "ingress-nginx"},
        "role": {"kind": "ClusterRole", "name": "ingress-nginx"},
        "scope": None,
        "rule": {
            "source": {"kind": "ClusterRole", "name": "ingress-nginx"},
            "pointer": "/rules/0",
            "path": RULE,
            "line": 24,
            "verbs": ["list", "watch"],
            "apiGroups": [""],
            "resources": ["configmaps", "endpoints", "nodes", "pods", "secrets", "namespaces"],
            "resourceNames": [],
            "nonResourceURLs": [],
        },
    }
    assert [s["name"] for s in doc["subjects"]] == ["system:masters", "ingress-nginx", "deployer"]
    assert doc["notes"] == [EDIT_NOTE.removeprefix("note: ").rstrip("\n")]


def test_who_can_cluster_scoped_ignores_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["who-can", "list", "nodes", "-n", "shop", RULE], capsys)
    assert code == 0
    assert "note: nodes is cluster-scoped: -n is ignored\n" in out
    assert "ingress-nginx" in out and "EDIT" not in out and "shop-developers-edit" not in out


def test_subject_service_account(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["subject", "ServiceAccount/ingress-nginx/ingress-nginx", "examples/cluster"], capsys
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "ServiceAccount/ingress-nginx/ingress-nginx (groups: system:authenticated, "
        "system:serviceaccounts, system:serviceaccounts:ingress-nginx)"
    )
    assert lines[1].split() == [
        "SCOPE",
        "RESOURCES",
        "NON-RESOURCE",
        "URLS",
        "RESOURCE",
        "NAMES",
        "VERBS",
        "BINDING",
        "RULE",
    ]
    assert [" ".join(line.split()) for line in lines[2:]] == [
        "cluster-wide configmaps, endpoints, nodes, pods, secrets, namespaces - - list, watch "
        f"ClusterRoleBinding/ingress-nginx {RULE}:24",
        f"cluster-wide services - - get, list, watch ClusterRoleBinding/ingress-nginx {RULE}:27",
        "cluster-wide endpointslices.discovery.k8s.io - - list, watch, get "
        f"ClusterRoleBinding/ingress-nginx {RULE}:30",
        "cluster-wide ingresses.networking.k8s.io, ingressclasses.networking.k8s.io - - "
        f"get, list, watch ClusterRoleBinding/ingress-nginx {RULE}:33",
        "cluster-wide ingresses/status.networking.k8s.io - - update "
        f"ClusterRoleBinding/ingress-nginx {RULE}:36",
        f"cluster-wide events - - create, patch ClusterRoleBinding/ingress-nginx {RULE}:39",
        "ingress-nginx leases.coordination.k8s.io - ingress-nginx-leader get, update "
        f"RoleBinding/ingress-nginx/ingress-nginx-leader {RULE}:63",
        "ingress-nginx leases.coordination.k8s.io - - create "
        f"RoleBinding/ingress-nginx/ingress-nginx-leader {RULE}:67",
    ]


def test_subject_group_with_builtin_role(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["subject", "Group/shop-developers", "examples/cluster"], capsys)
    assert code == 0
    assert out == (
        "Group/shop-developers (groups: shop-developers)\n"
        "SCOPE  RESOURCES       NON-RESOURCE URLS  RESOURCE NAMES  VERBS             "
        "BINDING                      RULE\n"
        "shop   pods, pods/log  -                  -               get, list, watch  "
        f"RoleBinding/shop/shop-debug  {RULE}:138\n"
        "shop   pods/exec       -                  -               create            "
        f"RoleBinding/shop/shop-debug  {RULE}:141\n" + EDIT_NOTE
    )


def test_subject_without_permissions_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["subject", "User/alice", RULE], capsys)
    assert (code, out) == (
        0,
        "User/alice (groups: system:authenticated)\nno permissions in the scanned set\n",
    )
    code, out, _ = run(["subject", "sa/ci/deployer", "-f", "json", RULE], capsys)
    doc = json.loads(out)
    assert code == 0
    assert doc["user"] == "system:serviceaccount:ci:deployer"
    assert [
        (r["binding"]["name"], r["rule"]["path"], r["rule"]["verbs"]) for r in doc["rules"]
    ] == [
        ("ci-deployer", None, ["*"]),
        ("ci-deployer", None, ["*"]),
    ]


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["subject", "Robot/r2", RULE], capsys)
    assert code == 2
    assert "expected User/NAME, Group/NAME or ServiceAccount/NAMESPACE/NAME" in err
    code, _, err = run(["who-can", "get", "pods", str(tmp_path / "missing.yaml")], capsys)
    assert code == 2
    assert "nothing could be read" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Role\nmetadata: {name: [\n", encoding="utf-8")
    code, _, err = run(["who-can", "get", "pods", str(bad)], capsys)
    assert code == 2
    assert f"hardhull: input error: {bad}:" in err


def test_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="hardhull")
    add_rbac_parser(parser.add_subparsers(dest="command"), None)
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["rbac"])
    assert exc.value.code == 2
