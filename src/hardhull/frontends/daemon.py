"""The Docker daemon front end: ``daemon.json`` (``/etc/docker/daemon.json``) as one document.

The data comes from :mod:`json` (what dockerd reads); line and column of every key come from
the YAML-with-positions loader, which reads valid JSON too. Invalid JSON is an input error
with the line and column :mod:`json` reports. Checks live in :mod:`hardhull.rules.daemon`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hardhull.context import ScanFacts, SubjectContext
from hardhull.formats.jsonpos import json_positions
from hardhull.formats.yamlpos import Position, YamlLimitError, locate
from hardhull.frontends import kinds
from hardhull.frontends.interface import FrontEndOutput, ReadOptions, Subject
from hardhull.model import InputError, Resource
from hardhull.registry import Target

if TYPE_CHECKING:
    from hardhull.frontends.files import TextInput

KIND = "DockerDaemonConfig"


@dataclass
class DaemonDoc:
    """A daemon.json file, as the engine locates findings in it."""

    path: str
    lines: list[str] | None
    positions: dict[str, Position] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    def ignore_codes(self) -> frozenset[str]:
        return frozenset()

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        return [(Target.DAEMON, self.config, SubjectContext(self.config, facts))]

    @property
    def resource(self) -> Resource:
        return Resource(KIND, "")

    def position(self, pointer: str) -> Position:
        pos, _ = locate(self.positions, pointer)
        return pos if pos != (0, 0) else (1, 1)


def parse(
    path: str, text: str
) -> tuple[dict[str, Any] | None, dict[str, Position], InputError | None]:
    """(configuration, positions, error) of a daemon.json text."""
    body = text[1:] if text.startswith("\ufeff") else text
    if not body.strip():
        return {}, {}, None  # an empty file: every default applies
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return None, {}, InputError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
    except (ValueError, RecursionError) as exc:
        return None, {}, InputError(path, f"invalid JSON: {exc}")
    if not isinstance(data, dict):
        what = type(data).__name__ if data is not None else "null"
        return None, {}, InputError(path, f"daemon.json must be a JSON object, not {what}", 1, 1)
    start = len(body) - len(body.lstrip())
    head = body[:start]
    line = head.count("\n") + 1
    col = start - (head.rfind("\n") + 1) + 1
    try:
        positions = json_positions(body[start:], (line, col))
    except YamlLimitError:
        positions = {}
    return data, positions, None


class DaemonFrontEnd:
    """Docker daemon configuration files: one document per file."""

    kind = kinds.DAEMON

    def read(self, item: TextInput, opts: ReadOptions) -> FrontEndOutput:
        out = FrontEndOutput()
        data, positions, error = parse(item.path, item.text)
        if error is not None or data is None:
            out.errors.append(error or InputError(item.path, "not a daemon configuration"))
            return out
        out.objects = 1
        out.documents = [DaemonDoc(item.path, item.text.splitlines(), positions, data)]
        return out
