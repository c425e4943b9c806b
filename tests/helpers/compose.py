"""A compose file that passes every compose rule (:data:`BASE`), the tools to change one thing in
it, and its scan as exact rows."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hardhull.engine import ScanOptions, scan

Row = tuple[str, str, str, str]  # code, "line:column", message, severity


BASE = """\
services:
  app:
    image: registry.example.com/app:1.4.2
    user: "10001:10001"
    read_only: true
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 128M, pids: 100}
"""


APP = 'service "app"'


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def add(fragment: str, text: str = BASE) -> str:
    """Append ``fragment`` (dedented) to the service ``app``."""
    return text + textwrap.indent(textwrap.dedent(fragment).strip("\n") + "\n", "    ")


def drop(*lines: str, text: str = BASE) -> str:
    return edit(text, *((line, "") for line in lines))


def at(text: str, needle: str, nth: int = 1) -> str:
    """line:column where the n-th occurrence of ``needle`` starts."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    if nth == 1:
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    line = text.count("\n", 0, pos) + 1
    return f"{line}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def scan_text(tmp_path: Path, text: str, name: str = "compose.yaml") -> list[Row]:
    path = tmp_path / name
    path.write_text(text)
    result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == [], result.errors
    return sorted(
        (
            f.code,
            f"{f.location.line}:{f.location.column}",
            f.message,
            f.severity.label,
        )
        for f in result.findings
    )


def check(tmp_path: Path, text: str, expected: list[Row]) -> None:
    assert scan_text(tmp_path, text) == sorted(expected)
