"""Excerpts: a bounded window around the finding's column, never the whole line (a minified
JSON List is one line: each finding once showed all of it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardhull.engine.locate import EXCERPT_WIDTH, excerpt
from hardhull.model import CUT
from hardhull.report import FORMATS


def _minified_list(n: int) -> str:
    items = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": f"web-{i}", "namespace": "shop"},
            "spec": {
                "selector": {"matchLabels": {"app": f"web-{i}"}},
                "template": {
                    "metadata": {"labels": {"app": f"web-{i}"}},
                    "spec": {
                        "hostNetwork": True,
                        "containers": [{"name": "app", "image": f"registry.example/web:{i}"}],
                    },
                },
            },
        }
        for i in range(n)
    ]
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, separators=(",", ":"))


def _scan(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", "list.json", "--fail-on", "never", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_minified_list_gives_a_report_of_bounded_size(tmp_path: Path, fmt: str) -> None:
    text = _minified_list(200)
    assert "\n" not in text and len(text) > 50_000
    (tmp_path / "list.json").write_text(text)
    n = len(json.loads(_scan(tmp_path, "-f", "json"))["findings"])
    assert n > 1000
    # bytes per finding: the message, the location and an excerpt of at most ~120 characters
    # (SARIF also carries each rule's help once); never the 58 KB line
    assert len(_scan(tmp_path, "-f", fmt).encode()) / n < 2000


def test_the_window_holds_the_offending_key(tmp_path: Path) -> None:
    text = _minified_list(50)
    (tmp_path / "list.json").write_text(text)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hardhull",
            "scan",
            "list.json",
            "--select",
            "K014",
            "--fail-on",
            "never",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    shown = [line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("| ")]
    assert len(shown) == 50
    for line in shown:
        assert '"hostNetwork":true' in line
        assert line.startswith("| " + CUT)
        assert len(line) <= EXCERPT_WIDTH + 12  # "| ", two cut marks, 8 spared from a cut
    assert sum(line.endswith(CUT) for line in shown) == 49  # the last one ends the line


def test_excerpt_window() -> None:
    line = "x" * 500 + ' "password": "hunter2Zebra9q", ' + "y" * 500
    col = line.index('"password"') + 1
    text, start, end = excerpt(line, col)
    assert text.startswith(CUT) and text.endswith(CUT)
    assert '"password": "' in text and "hunter2Zebra9q" not in text
    assert 0 < start <= col < end and end - start <= EXCERPT_WIDTH
    # a short line is shown whole, without its indentation
    assert excerpt("    image: nginx:1.27   ", 5) == ("image: nginx:1.27", 5, 22)
    assert excerpt("   ", 1) == ("", 0, 0)


def test_summary_rows_add_up_to_the_totals(tmp_path: Path) -> None:
    # S002 is high for a token and medium for a named literal: one row per rule and severity
    (tmp_path / "list.json").write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p", "namespace": "shop"},
                "spec": {
                    "containers": [
                        {
                            "name": "a",
                            "image": "registry.example/a:1.0",
                            "env": [
                                {
                                    "name": "GITHUB",
                                    "value": "ghp_" + ("R8x2abcdEFGHijklMNOP" * 2)[:36],
                                },
                                {"name": "DB_PASSWORD", "value": "Tr0ub4dor"},
                            ],
                        }
                    ]
                },
            },
            indent=2,
        )
    )
    out = _scan(tmp_path)
    report = json.loads(_scan(tmp_path, "-f", "json"))
    by_rule: dict[str, set[str]] = {}
    for f in report["findings"]:
        by_rule.setdefault(f["code"], set()).add(f["severity"])
    assert any(len(sevs) > 1 for sevs in by_rule.values()), by_rule
    table = out.split("  rule   severity  count  title\n")[1].split("\n\n")[0].splitlines()
    rows = [line.split()[:3] for line in table]
    assert len(rows) == len({(code, sev) for code, sev, _ in rows})
    for sev, total in report["summary"]["by_severity"].items():
        assert sum(int(n) for _, s, n in rows if s == sev) == total
    for code, sevs in by_rule.items():
        assert {s for c, s, _ in rows if c == code} == sevs
