"""Rule metadata: every rule is documented, referenced, and `hardhull rules CODE` prints it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from hardhull.ruledocs import rule_page
from hardhull.rules import all_rules

RULES = all_rules()
WORKLOAD = sorted(c for c in RULES if re.fullmatch(r"K0\d\d", c))


def test_workload_rules_are_well_formed() -> None:
    """Every K0nn rule belongs to the workload family, with a slug of its own; no fixed list,
    so adding a rule needs no edit here (its page and metadata are checked below)."""
    assert WORKLOAD, "no workload rule registered"
    slugs = [RULES[c].slug for c in WORKLOAD]
    assert len(slugs) == len(set(slugs)), slugs
    for code in WORKLOAD:
        rule = RULES[code]
        assert rule.code == code
        assert rule.family == "kubernetes-workload", (code, rule.family)
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.slug), rule.slug


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.slug), rule.slug
    for name in ("title", "what", "why", "fix", "example"):
        assert getattr(rule, name).strip(), f"{code}: empty {name}"
    assert rule.references, f"{code}: no reference"
    assert all(r.startswith("https://") for r in rule.references), rule.references
    page = rule_page(rule)
    assert page.startswith(f"# {code} {rule.slug}\n")
    for section in ("## What it does", "## Why is this bad?", "## How to fix", "## References"):
        assert section in page


def test_slugs_are_unique() -> None:
    slugs = [r.slug for r in RULES.values()]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("code", sorted(c for c in WORKLOAD))
def test_workload_rule_cross_references_are_well_formed(code: str) -> None:
    rule = RULES[code]
    # trivy 0.59.1 reports some checks under their AVD ID (AVD-KSV-0108 for KSV108)
    assert all(re.fullmatch(r"KSV\d{3}|AVD-KSV-\d{4}", t) for t in rule.trivy), rule.trivy
    assert all(re.fullmatch(r"CKV_K8S_\d+", c) for c in rule.checkov), rule.checkov
    assert not rule.cis or rule.cis.startswith("CIS Kubernetes Benchmark v1.9 ")


@pytest.mark.parametrize("code", ["K001", "K018"])
def test_cli_rules_prints_the_page(code: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "rules", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == rule_page(RULES[code])
