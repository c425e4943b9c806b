"""Hand-written events for the Falco language tests: a dict-backed ``extract``."""

from __future__ import annotations

from typing import Any

from hardhull.falco.compile import Extract, compile_condition
from hardhull.falco.grammar import parse


def extractor(event: dict[str, Any]) -> Extract:
    """``{"proc.name": "bash", "ka.uri.param[command]": "sh"}`` as an ``extract`` callable."""

    def extract(field: str, arg: str | None) -> Any:
        key = field if arg is None else f"{field}[{arg}]"
        return event.get(key)

    return extract


def decide(
    condition: str,
    event: dict[str, Any],
    source: str = "syscall",
    lists: dict[str, list[str]] | None = None,
) -> bool:
    return compile_condition(parse(condition), source, {}, lists or {})(extractor(event))
