"""RBAC manifests written inline (roles, bindings, subjects) and the exact rows a scan of them
yields: (code, line, pointer, severity)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hardhull.engine import ScanOptions, scan
from hardhull.rules import all_rules

Row = tuple[str, int, str, str]

HDR = "apiVersion: rbac.authorization.k8s.io/v1\n"


def role(name: str, rules: str, *, ns: str = "test", cluster: bool = False, meta: str = "") -> str:
    kind = "ClusterRole" if cluster else "Role"
    where = "" if cluster else f", namespace: {ns}"
    return f"---\n{HDR}kind: {kind}\nmetadata: {{name: {name}{where}{meta}}}\nrules:\n{rules}"


def bind(name: str, ref: str, subjects: str, *, ns: str = "", ref_kind: str = "ClusterRole") -> str:
    kind = "RoleBinding" if ns else "ClusterRoleBinding"
    where = f", namespace: {ns}" if ns else ""
    return (
        f"---\n{HDR}kind: {kind}\nmetadata: {{name: {name}{where}}}\n"
        f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {ref_kind}, name: {ref}}}\n"
        f"subjects: {subjects}\n"
    )


SA = "[{kind: ServiceAccount, name: app, namespace: test}]"

USER = "[{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]"


def rows(text: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "rbac.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()
        result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == []
    return [
        (f.rule.code, f.location.line, f.pointer, f.severity.label)
        for f in result.findings
        if f.rule.code.startswith("R")
    ]
