"""Reading audit event lines never fails on bad input: every line is an event or a bad line
with its place (hypothesis draws the lines)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from hardhull.runtime.engine import BadLine, Event, read_events

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids,
                                                               max_size=3),
    max_leaves=10,
)  # fmt: skip


@given(st.lists(st.text(max_size=40) | _json.map(json.dumps), max_size=8))
def test_any_lines(lines: list[str]) -> None:
    for item in read_events(lines, "f"):
        assert isinstance(item, Event | BadLine)
        assert item.where.startswith("f:")


def test_deep_nesting_and_eventlists() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    (bad,) = read_events([deep], "f")
    assert isinstance(bad, BadLine) and bad.where == "f:1"
    batch = json.dumps(
        {
            "kind": "EventList",
            "items": [
                {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "verb": "get"},
                {"kind": "Pod"},
                3,
            ],
        }
    )
    got = list(read_events([batch], "f"))
    assert [type(g).__name__ for g in got] == ["Event", "BadLine", "BadLine"]
