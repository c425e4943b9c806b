"""Every "(default: X)" that a subcommand's --help states is the value the command uses."""

from __future__ import annotations

import argparse
import re

import pytest

from hardhull.cli import LAZY_COMMANDS, build_parser
from hardhull.cli.pss import PSS_FAIL_ON

#: options whose parser default is None because the command (or its configuration) decides
SEMANTIC = {
    # scan gates on the admission policy unless --fail-on is given (docs/admission.md)
    ("scan", "--fail-on"): "the policy's decision",
    ("pss", "--fail-on"): PSS_FAIL_ON,
}


def _parsers(command: str) -> list[tuple[str, argparse.ArgumentParser]]:
    parser = build_parser(command)
    out = []
    todo = [(command, parser)]
    while todo:
        name, p = todo.pop()
        out.append((name, p))
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                todo.extend((k if p is parser else f"{name} {k}", v) for k, v in a.choices.items())
    return [(n, p) for n, p in out if n == command or n.startswith(f"{command} ")]


@pytest.mark.parametrize("command", ["scan", "rules", *LAZY_COMMANDS])
def test_help_states_the_real_defaults(command: str) -> None:
    checked = 0
    for name, p in _parsers(command):
        help_text = " ".join(p.format_help().split())
        for a in p._actions:
            if not a.option_strings or not a.help or a.help == argparse.SUPPRESS:
                continue
            flag = a.option_strings[-1]
            m = re.search(
                r"\(default: ([^);]*)[);]", a.help % vars(a) if "%(" in a.help else a.help
            )
            if m is None:
                continue
            stated = m.group(1)
            if (name, flag) in SEMANTIC:
                assert stated == SEMANTIC[(name, flag)], (name, flag)
            elif a.default is not None:
                assert stated == str(a.default), (name, flag)
            checked += 1
        assert help_text  # the help renders
    assert checked or command not in ("scan", "pss")


def test_pss_fails_on_any_control_by_default_as_help_says(tmp_path: object) -> None:
    from pathlib import Path

    from hardhull.cli import main

    path = Path(str(tmp_path)) / "pod.yaml"
    # baseline level passes; restricted fails only lower-severity controls
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n  containers:\n  - {name: c, image: x:1}\n",
        encoding="utf-8",
    )
    default = main(["pss", str(path), "-o", str(path.with_suffix(".txt"))])
    stated = main(["pss", str(path), "--fail-on", PSS_FAIL_ON, "-o", str(path.with_suffix(".a"))])
    assert default == stated == 1
    parser = build_parser("pss")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = " ".join(sub.choices["pss"].format_help().split())
    assert f"(default: {PSS_FAIL_ON})" in text and "(default: high)" not in text
