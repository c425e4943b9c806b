"""NetworkPolicy rule tests' manifests (namespaces, deployments, policies written inline) and the
scan of a set of them, with exact rows."""

from __future__ import annotations

from pathlib import Path

from hardhull.engine import ScanOptions, scan
from hardhull.registry import RULES
from hardhull.rules import all_rules

Row = tuple[str, int, int, str, str]


def findings(tmp_path: Path, text: str, name: str = "set.yaml") -> list[Row]:
    all_rules()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    disabled = frozenset(c for c in RULES if not c.startswith("N"))
    result = scan([str(path)], ScanOptions(jobs=1, disabled=disabled))
    assert result.errors == []
    return [
        (f.code, f.location.line, f.location.column, f.message, f.severity.label)
        for f in result.findings
    ]


def deployment(name: str, ns: str | None, labels: str, extra: str = "") -> str:
    meta = f"  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        + meta
        + "spec:\n  template:\n    metadata:\n"
        + f"      labels: {labels}\n"
        + "    spec:\n"
        + extra
        + "      containers: [{name: app, image: x}]\n"
    )


def namespace(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def policy(name: str, ns: str, spec: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}"
    )


def docs(*parts: str) -> str:
    return "---\n".join(parts)


DENY_ALL = "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
