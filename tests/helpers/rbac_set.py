"""The RBAC rule tests' manifests (roles, bindings, ServiceAccounts written inline) and the scan
of a set of them, with exact rows (code, line, column, severity, message)."""

from __future__ import annotations

from pathlib import Path

from hardhull.engine import ScanOptions, scan
from hardhull.rules import all_rules

Row = tuple[str, int, int, str, str]


def findings(text: str, tmp: Path | None = None) -> list[Row]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(tmp or d) / "rbac.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()  # engine.scan_kubernetes keeps objects only once set checks exist
        result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == []
    return [
        (f.rule.code, f.location.line, f.location.column, f.severity.label, f.message)
        for f in result.findings
        if f.rule.code.startswith("R")
    ]


FileRow = tuple[str, str, int, int, str, str]


def findings_in(files: dict[str, str]) -> list[FileRow]:
    """The R rows of a scan of several files (relative path → text), as (path, code, line,
    column, severity, message), with paths relative to the scanned folder (in messages too)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for rel, text in files.items():
            path = Path(d) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        all_rules()
        cwd = os.getcwd()
        os.chdir(d)
        try:
            result = scan(["."], ScanOptions(jobs=1))
        finally:
            os.chdir(cwd)
    assert result.errors == []
    return [
        (
            f.location.path.removeprefix("./"),
            f.rule.code,
            f.location.line,
            f.location.column,
            f.severity.label,
            f.message.replace("./", ""),
        )
        for f in result.findings
        if f.rule.code.startswith("R")
    ]


def crb(name: str, role: str, subjects: str, kind: str = "ClusterRole") -> str:
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {name}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}
subjects: {subjects}
"""


def rb(ns: str, name: str, role: str, subjects: str, kind: str = "ClusterRole") -> str:
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {name}, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}
subjects: {subjects}
"""


def cr(name: str, rules: str, labels: str = "") -> str:
    meta = f"{{name: {name}, labels: {{{labels}}}}}" if labels else f"{{name: {name}}}"
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {meta}
rules:
{rules}"""


def role(ns: str, name: str, rules: str) -> str:
    return f"""---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: {name}, namespace: {ns}}}
rules:
{rules}"""


def sa(ns: str, name: str, extra: str = "automountServiceAccountToken: false") -> str:
    return f"""---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {ns}}}
{extra}
"""


SA_OP = "[{kind: ServiceAccount, name: op, namespace: ops}]"
