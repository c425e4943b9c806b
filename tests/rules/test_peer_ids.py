"""The peers' IDs in the rules' metadata are the ones measured on the peers' real outputs.

``tests/data/peer_ids.json`` is written by ``tools/peer_ids.py`` (docs/peers.md): trivy,
checkov and hadolint, at the pinned versions, run over the rule tests' cases, examples/,
../shared/corpus and the policy libraries' resources; a peer ID maps to a hardhull code when
both fire on the same object on at least 2 distinct inputs and on at least half of each one's
firings (objects where at most 10 codes and 10 peer IDs fire), or, for a narrower peer ID,
on 80 % of its firings and 2 single-change test cases with a code that fires on at most 3 %
of the objects; and the code is among the peer ID's best matches. The fast tests check that
every rule's ``trivy``, ``checkov`` and ``hadolint`` equal that mapping; the slow one runs
the peers again over examples/ (when they are installed) and checks their outputs and the
mapping derived from them are still the recorded ones.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hardhull.rules import all_rules
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "peer_ids.json"
TOOLS = ("trivy", "checkov", "hadolint")


def _data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peer_ids_tool", ROOT / "tools" / "peer_ids.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_rule_lists_the_measured_peer_ids() -> None:
    mapping = _data()["mapping"]
    drift = {}
    for code, rule in sorted(all_rules().items()):
        listed = {t: list(getattr(rule, t)) for t in TOOLS}
        measured = {t: mapping.get(code, {}).get(t, []) for t in TOOLS}
        if listed != measured:
            drift[code] = {t: (tuple(listed[t]), tuple(measured[t])) for t in TOOLS}
    assert drift == {}, "rule metadata (listed, measured) differs from tests/data/peer_ids.json"


def test_the_mapping_names_only_known_codes() -> None:
    assert set(_data()["mapping"]) <= set(all_rules())


def test_the_mapping_is_its_pairs_above_the_threshold() -> None:
    data = _data()
    tool = _tool()
    assert data["threshold"] == {
        "min_inputs": tool.MIN_INPUTS,
        "min_share": tool.MIN_SHARE,
        "max_firing": tool.MAX_FIRING,
        "best_share": tool.BEST_SHARE,
        "contain": tool.CONTAIN,
        "max_rate": tool.MAX_RATE,
        "min_tests": tool.MIN_TESTS,
    }
    assert data["peers"] == tool.PINNED
    rebuilt: dict[str, dict[str, list[str]]] = {}
    for p in data["pairs"]:
        assert p["inputs"] >= tool.MIN_INPUTS, p
        if p["how"] == "equivalent":
            assert p["co_fire"] >= tool.MIN_SHARE * max(p["code_fires"], p["id_fires"]), p
        else:  # a narrower peer ID, inside a code that is no blanket one
            assert p["how"] == "narrower", p
            focused = data["images" if p.get("domain") == "image" else "focused"]
            if isinstance(focused, dict):
                focused = focused["focused"]
            assert p["co_fire"] >= tool.CONTAIN * p["id_fires"], p
            assert p["code_fires"] <= tool.MAX_RATE * focused, p
            assert p["tests"] >= tool.MIN_TESTS, p
        rebuilt.setdefault(p["code"], {}).setdefault(p["peer"], []).append(p["id"])
    for by_tool in rebuilt.values():
        for ids in by_tool.values():
            ids.sort(key=tool._id_order)
    assert rebuilt == data["mapping"]
    assert not set(data["unmapped"]) & {f"{p['peer']}:{p['id']}" for p in data["pairs"]}


def test_the_image_rules_mapping_is_derived_from_the_image_cases() -> None:
    images = _data()["images"]
    derived = _tool().derive(images["observations"])
    assert derived["mapping"] == images["mapping"]
    assert derived["unmapped"] == images["unmapped"]
    mapping = _data()["mapping"]
    assert {c: mapping[c] for c in images["mapping"]} == images["mapping"]
    # every image rule has its cases (two spellings of one change each)
    fired = {c for obs in images["observations"].values() for cell in obs.values()
             for c in cell["hardhull"]}  # fmt: skip
    assert {c for c in all_rules() if c.startswith("I")} <= fired


def test_the_subset_mapping_is_derived_from_its_observations() -> None:
    subset = _data()["subset"]
    assert _tool().derive(subset["observations"])["mapping"] == subset["mapping"]


def _peers() -> Path:
    return Path(os.environ.get("HARDHULL_PEERS", "/tmp/peers"))


@pytest.mark.slow
def test_the_peers_still_report_the_recorded_outputs_on_examples(tmp_path: Path) -> None:
    """Runs trivy, checkov and hadolint over examples/ (about a minute) and compares every
    object's IDs and the mapping derived from them with tests/data/peer_ids.json."""
    peers = _peers()
    missing = [t for t in TOOLS if not (peers / "bin" / t).exists()]
    if missing or not (peers / "bin" / "python").exists():
        pytest.skip(
            f"peers not installed in {peers} (missing {', '.join(missing) or 'python'}): "
            "run bash ../shared/tools/install-peers.sh /tmp/peers or set HARDHULL_PEERS"
        )
    tool = _tool()
    found = tool.versions(peers)
    if found != tool.PINNED:
        pytest.skip(f"peers in {peers} are {found}, the data file is for {tool.PINNED}")
    subset = _data()["subset"]
    obs = tool.measure(tool.example_inputs(), peers, tmp_path, fresh=True)
    assert obs == subset["observations"]
    assert tool.derive(obs)["mapping"] == subset["mapping"]


@pytest.mark.slow
def test_trivy_still_reports_the_recorded_ids_on_the_image_cases(tmp_path: Path) -> None:
    """Builds the image cases again (tools/peer_ids_images.py) and runs trivy image and
    hardhull image over them (about a minute): the same IDs on every case."""
    peers = _peers()
    if not (peers / "bin" / "trivy").exists():
        pytest.skip(f"trivy not installed in {peers}: run ../shared/tools/install-peers.sh")
    tool = _tool()
    if tool.versions(peers)["trivy"] != tool.PINNED["trivy"]:
        pytest.skip(f"trivy in {peers} is not the pinned {tool.PINNED['trivy']}")
    assert tool.image_observations(peers, tmp_path) == _data()["images"]["observations"]
