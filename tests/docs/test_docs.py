"""Docs generated from code stay in sync with it; the README opens with the two commands."""

from __future__ import annotations

from typing import Any

from hardhull.ruledocs import code_links, index_page, rule_page
from hardhull.rules import all_rules
from tests.conftest import ROOT


def test_rule_pages_are_generated_from_metadata() -> None:
    rules = dict(sorted(all_rules().items()))
    links = code_links()
    docs = ROOT / "docs" / "rules"
    stale = [
        code
        for code, rule in rules.items()
        if not (docs / f"{code}.md").is_file()
        or (docs / f"{code}.md").read_text(encoding="utf-8") != rule_page(rule, links.get(code))
    ]
    assert stale == [], "run `make docs` to regenerate docs/rules"
    assert (docs / "README.md").read_text(encoding="utf-8") == index_page(list(rules.values()))
    extra = sorted(p.stem for p in docs.glob("*.md") if p.stem != "README" and p.stem not in rules)
    assert extra == []


def test_every_rule_is_documented_and_referenced() -> None:
    for code, rule in all_rules().items():
        assert rule.what and rule.why and rule.fix, code
        assert rule.example, code
        assert rule.references, code
        assert rule.slug and rule.title, code


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n\n")[:3]
    text = "\n".join(head)
    assert "make demo" in text and "make test" in text


def test_rule_pages_link_to_their_check_and_tests() -> None:
    all_rules()
    links = code_links()
    k001 = links["K001"]
    assert k001.source.startswith("src/hardhull/rules/") and (ROOT / k001.source).is_file()
    assert k001.tests and all((ROOT / t).is_file() for t in k001.tests)
    page = (ROOT / "docs" / "rules" / "K001.md").read_text(encoding="utf-8")
    assert f"](../../{k001.source})" in page


def test_every_family_with_checks_over_a_target_is_listed_for_it() -> None:
    """The engine loads only the families FAMILIES lists for a target: a check registered by
    another family would silently not run."""
    from hardhull.registry import CHECKS
    from hardhull.rules import FAMILIES

    all_rules()
    for target, checks in CHECKS.items():
        families = {c.fn.__module__.split(".")[2] for c in checks}
        assert families <= set(FAMILIES[target]), target


def test_every_documented_command_exists() -> None:
    """Each `hardhull WORD` of README.md and docs/*.md names a real subcommand (the docs
    once mentioned `hardhull cluster`, which is not one)."""
    import re

    from hardhull.cli import LAZY_COMMANDS

    known = {"scan", "rules", *LAZY_COMMANDS}
    root = ROOT
    bad = []
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        # inline code, and the lines of fenced code blocks
        spans = re.findall(r"`hardhull ([a-z][a-z-]*)\b", text)
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
            spans += re.findall(r"^(?:\$ )?hardhull ([a-z][a-z-]*)\b", block, re.M)
        bad += [f"{page.name}: hardhull {w}" for w in spans if w not in known]
    assert bad == []


def _options(parser: Any) -> set[str]:
    """Every option string of ``parser`` and of its subcommands, recursively."""
    import argparse

    found: set[str] = set()
    for action in parser._actions:
        found.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def test_every_documented_option_exists() -> None:
    """Each `--option` written after `hardhull COMMAND` in README.md and docs/*.md (inline
    code and fenced code lines, up to a pipe, `&&` or a comment) is an option of that command
    (or of one of its subcommands)."""
    import argparse
    import re

    from hardhull.cli import build_parser

    def command_parsers(name: str | None) -> dict[str, Any]:
        # a lazy command's options are added only when it is the one about to run
        for action in build_parser(name)._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    commands = {name: command_parsers(name).get(name) for name in command_parsers(None)}
    bad = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        uses = re.findall(r"`(hardhull [^`]*)`", text)
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
            uses += [m for m in re.findall(r"(hardhull [^\n]*)", block)]
        for use in uses:
            use = re.split(r"\s(?:\||&&|#)\s?", use, maxsplit=1)[0]
            words = use.split()
            if len(words) < 2 or words[1] not in commands:
                continue
            known = _options(commands[words[1]]) | {"--help", "--version"}
            for opt in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", use):
                if opt not in known:
                    bad.append(f"{page.name}: {use.strip()}: {opt}")
    assert bad == []
