"""The rule files Falco users run today load and compile with zero errors (issue #12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.falco.loader import load_files

COMBOS = [
    ["falco_rules.yaml"],
    ["falco_rules.yaml", "falco-incubating_rules.yaml"],
    ["falco_rules.yaml", "falco-sandbox_rules.yaml"],
    ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"],
    ["k8s_audit_rules.yaml"],
    ["k8s_audit_rules.yaml", "k8s_audit_rules_gke.yaml"],
]


def _rules(shared: Path) -> Path:
    d = shared / "falco-rules"
    if not d.is_dir():
        pytest.skip(f"{d} missing: the upstream Falco rule files are needed")
    return d


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "+".join(c))
def test_upstream_files_load_with_zero_errors(shared: Path, combo: list[str]) -> None:
    d = _rules(shared)
    rs = load_files([d / f for f in combo])
    assert [str(e) for e in rs.errors] == []
    assert [str(w) for w in rs.warnings] == []
    # every rule compiled: the disabled ones too (Falco validates them as well)
    assert all(r.evaluate is not None for r in rs.rules), [
        r.name for r in rs.rules if not r.evaluate
    ]
    assert not rs.skipped


def test_all_upstream_rules_counted(shared: Path) -> None:
    d = _rules(shared)
    sys_rs = load_files([d / f for f in COMBOS[3]])
    k8s_rs = load_files([d / f for f in COMBOS[5]])
    assert len(sys_rs.rules) + len(k8s_rs.rules) == 141  # + the GKE file's override = 142 items
    assert {r.source for r in sys_rs.rules} == {"syscall"}
    assert {r.source for r in k8s_rs.rules} == {"k8s_audit"}


def test_gke_overrides_apply(shared: Path) -> None:
    d = _rules(shared)
    base = load_files([d / "k8s_audit_rules.yaml"])
    gke = load_files([d / "k8s_audit_rules.yaml", d / "k8s_audit_rules_gke.yaml"])
    assert "gke.gcr.io/netd" in gke.lists["k8s_audit_privileged_images"]
    assert "gke.gcr.io/netd" not in base.lists["k8s_audit_privileged_images"]
    rule = next(r for r in gke.rules if r.name == "Disallowed K8s User")
    assert "google-container-engine-robot" in [e.name for e in rule.exceptions]
    robot = "service-1@container-engine-robot.iam.gserviceaccount.com"
    ev = {("ka.user.name", None): robot, ("jevt.value", "/stage"): "ResponseComplete"}

    def ex(f: str, a: str | None) -> object:
        return ev.get((f, a))

    base_rule = next(r for r in base.rules if r.name == "Disallowed K8s User")
    assert base_rule.evaluate is not None and rule.evaluate is not None
    assert base_rule.evaluate(ex) is True
    assert rule.evaluate(ex) is False


def test_directory_loads_in_name_order(shared: Path, tmp_path: Path) -> None:
    d = _rules(shared)
    # -r DIR: the GKE file sorts after k8s_audit_rules.yaml only by name; copy them so
    (tmp_path / "a_k8s_audit_rules.yaml").write_bytes((d / "k8s_audit_rules.yaml").read_bytes())
    (tmp_path / "b_gke.yaml").write_bytes((d / "k8s_audit_rules_gke.yaml").read_bytes())
    rs = load_files([tmp_path])
    assert rs.ok and "gke.gcr.io/netd" in rs.lists["k8s_audit_privileged_images"]
    (tmp_path / "0_gke.yaml").write_bytes((tmp_path / "b_gke.yaml").read_bytes())
    rs = load_files([tmp_path])
    assert [e.code for e in rs.errors][:1] == ["LOAD_ERR_VALIDATE"]
    assert "0_gke.yaml" in rs.errors[0].file
