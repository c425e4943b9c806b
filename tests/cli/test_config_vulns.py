"""``ignore-vulnerabilities``, ``ignore-unfixed`` and ``db`` in .hardhull.yaml: read exactly,
bad entries refused with the file and entry named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hardhull.cli.config import ConfigError, VulnIgnore, load_config


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / ".hardhull.yaml").write_text(text)
    return load_config(str(tmp_path / ".hardhull.yaml"))


def test_entries_and_flags(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "ignore-unfixed: true\ndb: vulns/db.sqlite\nignore-vulnerabilities:\n"
        "  - id: CVE-2019-10906\n    reason: sandbox not used\n    package: jinja2\n"
        "    expires: 2027-01-31\n"
        "  - {id: GHSA-8q59-q68h-6hv4, reason: loader is trusted}\n",
    )
    assert cfg.ignore_unfixed is True
    assert cfg.db == str(tmp_path / "vulns/db.sqlite")
    assert cfg.ignore_vulnerabilities == [
        VulnIgnore("CVE-2019-10906", "sandbox not used", "jinja2", date(2027, 1, 31)),
        VulnIgnore("GHSA-8q59-q68h-6hv4", "loader is trusted"),
    ]
    first = cfg.ignore_vulnerabilities[0]
    ids = {"PYSEC-2019-217", "CVE-2019-10906"}
    assert first.applies(ids, "Jinja2", date(2027, 1, 31))
    assert not first.applies(ids, "Jinja2", date(2027, 2, 1))  # expired
    assert not first.applies(ids, "markupsafe", date(2026, 1, 1))  # another package


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ignore-vulnerabilities: CVE-1", "must be a list of entries"),
        ("ignore-vulnerabilities:\n  - id: CVE-1\n", r"entry 1 \(CVE-1\) needs a 'reason'"),
        ("ignore-vulnerabilities:\n  - reason: x\n", "entry 1 needs an 'id'"),
        (
            "ignore-vulnerabilities:\n  - {id: A, reason: b, expires: soon}\n",
            "'expires' must be a date",
        ),
        ("ignore-vulnerabilities:\n  - {id: A, reason: b, until: 2027-01-01}\n", "unknown key"),
        ("ignore-unfixed: yes please\n", "'ignore-unfixed' must be true or false"),
    ],
)
def test_bad_entries(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, text)
