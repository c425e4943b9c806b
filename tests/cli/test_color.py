"""The colour decision: --color > NO_COLOR > FORCE_COLOR > TERM=dumb > whether it is a TTY."""

from __future__ import annotations

import pytest

from hardhull.cli.common import use_color

CASES = [
    # (choice, env, tty, expected)
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"TERM": "dumb"}, True, False),
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": "1", "TERM": "dumb"}, False, True),
    ("auto", {"FORCE_COLOR": ""}, False, False),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),
    ("always", {"NO_COLOR": "1", "TERM": "dumb"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
]


@pytest.mark.parametrize(("choice", "env", "tty", "expected"), CASES)
def test_use_color_precedence(
    choice: str, env: dict[str, str], tty: bool, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(choice, tty) is expected


def test_force_color_colours_a_piped_scan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hardhull.cli import main
    from tests.conftest import ROOT

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    main(["scan", str(ROOT / "examples" / "insecure" / "shop.yaml")])
    assert "\x1b[" in capsys.readouterr().out
