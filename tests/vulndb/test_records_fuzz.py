"""Arbitrary JSON (and bytes) given to the record loader: a record or a counted bad record,
never an exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.models.packages import Package
from hardhull.vulndb.match import match_packages
from hardhull.vulndb.records import Record, RecordError, parse_records
from hardhull.vulndb.store import VulnDB

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["0", "1.0", "2024-01-01T00:00:00Z", "PyPI", "ECOSYSTEM", "GIT", ""])
)
_KEYS = st.sampled_from(
    [
        "id", "modified", "withdrawn", "aliases", "affected", "package", "ecosystem", "name",
        "ranges", "type", "events", "introduced", "fixed", "last_affected", "limit", "versions",
        "severity", "score", "summary", "details", "database_specific", "vulns",
    ]
) | st.text(max_size=8)  # fmt: skip
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=30,
)


def _plausible() -> st.SearchStrategy[dict[str, Any]]:
    """Records close to valid ones, with any part replaced by arbitrary JSON."""
    event = st.dictionaries(
        st.sampled_from(["introduced", "fixed", "last_affected", "limit"]),
        _JSON | st.text(),
        min_size=1,
        max_size=2,
    )
    affected = st.fixed_dictionaries(
        {
            "package": st.fixed_dictionaries(
                {"ecosystem": _JSON | st.just("PyPI"), "name": _JSON | st.just("demo")}
            ),
            "ranges": st.lists(
                st.fixed_dictionaries(
                    {
                        "type": _JSON | st.just("ECOSYSTEM"),
                        "events": st.lists(event, max_size=3) | _JSON,
                    }
                ),
                max_size=2,
            ),
            "versions": st.lists(_JSON | st.text(), max_size=3) | _JSON,
        }
    )
    return st.fixed_dictionaries(
        {
            "id": st.just("X-1") | _JSON,
            "modified": st.just("2024-01-01T00:00:00Z") | _JSON,
            "affected": st.lists(affected, max_size=2) | _JSON,
        },
        optional={"withdrawn": _JSON, "aliases": _JSON, "severity": _JSON},
    )


def _check(text: bytes, name: str) -> None:
    for item in parse_records(text, name):
        assert isinstance(item, Record | RecordError)
        if isinstance(item, RecordError):
            assert str(item)


@settings(max_examples=300, deadline=None)
@given(_JSON | _plausible())
def test_arbitrary_json_is_a_record_or_a_counted_bad_one(doc: object) -> None:
    text = json.dumps(doc).encode()
    _check(text, "x.json")
    _check(text, "x.yaml")  # JSON is YAML too


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check(data, "x.json")
    _check(data, "x.yaml")


@settings(max_examples=40, deadline=None)
@given(st.lists(_JSON | _plausible(), min_size=1, max_size=4))
def test_import_of_arbitrary_files_counts_every_one(docs: list[object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for i, doc in enumerate(docs):
            (src / f"{i}.json").write_text(json.dumps(doc), encoding="utf-8")
        with VulnDB.open(str(Path(tmp) / "db.sqlite"), create=True) as db:
            stats = db.import_paths([str(src)])
            db.info()
            db.lookup("PyPI", "demo")
            # whatever was imported, matching it never raises
            pkg = Package("demo", "1.0", "PyPI", "pkg:pypi/demo@1.0")
            match_packages(db, [pkg, Package("demo", "x y", "PyPI", "")])
    assert stats.files == len(docs)
    assert stats.records + stats.bad_count >= len(docs)
