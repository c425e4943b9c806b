"""`hardhull rules`: an aligned table, and a family or code prefix lists its rules."""

from __future__ import annotations

import pytest

from hardhull.cli import main
from hardhull.rules import all_rules


def _table(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["rules", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_table_columns_align_whatever_the_slug_length(capsys: pytest.CaptureFixture[str]) -> None:
    rules = all_rules()
    lines = _table(capsys)
    assert len(lines) == len(rules)
    longest = max(len(r.slug) for r in rules.values())
    assert longest > 34  # the width that used to be fixed
    starts = {line.index(rules[line.split()[0]].title) for line in lines}
    assert len(starts) == 1  # every title starts in the same column


@pytest.mark.parametrize(
    ("arg", "prefix"), [("D", "D"), ("d", "D"), ("K03", "K03"), ("rbac", "R"), ("secrets", "S")]
)
def test_family_or_prefix_lists_its_rules(
    arg: str, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _table(capsys, arg)
    codes = [line.split()[0] for line in lines]
    assert codes and all(c.startswith(prefix) for c in codes)
    assert codes == sorted(c for c in all_rules() if c.startswith(prefix)) or arg == "rbac"


def test_exact_code_still_explains_and_unknown_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "K001"]) == 0
    assert capsys.readouterr().out.startswith("# K001")
    assert main(["rules", "Q9"]) == 2
    assert "unknown rule 'Q9'" in capsys.readouterr().err
