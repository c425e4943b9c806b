"""The network rules together: the cluster example is clean, and the NetworkPolicy analysis is
built once per set (each rule's cases are in the test module named after its rule module)."""

from __future__ import annotations

from hardhull.context import SetContext
from hardhull.engine import ScanOptions, scan
from hardhull.rules import all_rules
from hardhull.rules.netpol.analysis import analyse
from tests.conftest import ROOT

# --------------------------------------------------------------------------- N001 / N002 / N003


def test_cluster_example_is_clean_with_one_reasoned_suppression() -> None:
    all_rules()
    result = scan([str(ROOT / "examples" / "cluster")], ScanOptions(jobs=1))
    assert [f for f in result.findings if f.code.startswith("N")] == []
    assert result.suppressed["comment"] == 1  # N004: the ingress controller's front door


def test_analysis_is_built_once_per_set_context() -> None:
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]
    ctx = SetContext(objs)
    assert ctx.derived(analyse) is ctx.derived(analyse)
    assert SetContext(objs).derived(analyse) is not ctx.derived(analyse)
