"""Upstream's Pod Security Standards fixtures: every pass fixture passes, every fail fixture
fails (and fails for the control it was written for), at both levels and all 38 versions."""

from __future__ import annotations

from pathlib import Path

from hardhull.frontends.kubernetes import parse_text
from hardhull.pss.controls import CHECKS
from hardhull.pss.evaluate import evaluate_pss
from hardhull.pss.levels import LATEST_MINOR, parse_level_version

#: a fixture written for an overridden baseline check fails through the check replacing it
_OVERRIDDEN_BY = {o.lower(): c.check_id.lower() for c in CHECKS for o in c.overrides}


def test_every_fixture_matches_upstream(shared: Path) -> None:
    root = shared / "conformance" / "pss"
    on_disk = sorted(root.glob("*/v1.*/*/*.yaml"))
    versions = {(p.parts[-4], p.parts[-3]) for p in on_disk}
    assert versions == {
        (level, f"v1.{n}") for level in ("baseline", "restricted") for n in range(LATEST_MINOR + 1)
    }
    checked = 0
    wrong: list[str] = []
    for path in on_disk:
        level, version, expect = path.parts[-4], path.parts[-3], path.parts[-2]
        assert expect in ("pass", "fail"), path
        lv = parse_level_version(level, version)
        parsed = parse_text(str(path), path.read_text(encoding="utf-8"))
        assert parsed.errors == [] and parsed.skipped == [], path
        assert len(parsed.objects) == 1, path
        failures = evaluate_pss(parsed.objects[0].data, lv)
        checked += 1
        if expect == "pass":
            if failures:
                wrong.append(f"{path}: {[(f.check_id, f.detail) for f in failures]}")
            continue
        want = path.stem.rstrip("0123456789")
        ids = {f.check_id.lower() for f in failures}
        if want not in ids and _OVERRIDDEN_BY.get(want) not in ids:
            wrong.append(f"{path}: expected a {want} failure, got {sorted(ids)}")
    print(f"PSS conformance: {checked} fixtures checked")
    assert wrong == []
    assert checked == len(on_disk) > 4000, f"{checked} fixtures checked"
