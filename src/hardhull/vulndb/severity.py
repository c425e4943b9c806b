"""The severity of an advisory: the base score of its CVSS vector (computed with the ``cvss``
library), else the database's own rating (``database_specific.severity``, Ubuntu's priority).

Public: :func:`severity_of` → :class:`Rating`.

Order of preference: the affected package's own ``severity`` over the record's; among CVSS
vectors v3.x, then v4.0, then v2 (v3 is what NVD, GHSA and the PyPA database give, and what
peers show); then the text ratings. Qualitative bands are CVSS's: 0 none (reported as info),
0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical (v2 has no critical: 7.0–10 high).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hardhull.model import Severity

_CVSS_ORDER = ("CVSS_V3", "CVSS_V4", "CVSS_V2")

#: text ratings of the databases (GHSA's MODERATE, Debian's unimportant, Ubuntu's priorities)
_TEXT = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "minor": Severity.LOW,
    "negligible": Severity.INFO,
    "unimportant": Severity.INFO,
    "none": Severity.INFO,
    "info": Severity.INFO,
}


@dataclass(frozen=True)
class Rating:
    #: None when the advisory gives none that hardhull reads
    severity: Severity | None
    #: CVSS base score when computed from a vector
    score: float | None = None
    #: the vector it was computed from
    vector: str | None = None
    #: where the rating comes from: "CVSS_V3", "CVSS_V4", "CVSS_V2", "database", "Ubuntu"
    source: str = ""


def _band(score: float, v2: bool) -> Severity:
    if score == 0:
        return Severity.INFO
    if score < 4.0:
        return Severity.LOW
    if score < 7.0:
        return Severity.MEDIUM
    if score < 9.0 or v2:
        return Severity.HIGH
    return Severity.CRITICAL


def cvss_score(kind: str, vector: str) -> float | None:
    """The base score of a CVSS vector (``kind`` CVSS_V2, CVSS_V3 or CVSS_V4); None when the
    vector is invalid or the ``cvss`` library is not installed."""
    try:
        import cvss  # start-up time, and an optional dependency (the ``image`` extra)
    except ImportError:
        return None
    try:
        if kind == "CVSS_V3":
            return float(cvss.CVSS3(vector).base_score)
        if kind == "CVSS_V4":
            return float(cvss.CVSS4(vector).base_score)
        if kind == "CVSS_V2":
            return float(cvss.CVSS2(vector).base_score)
    except Exception:  # the library raises its own errors, and others, on malformed vectors
        return None
    return None


def _from_list(items: Iterable[Any]) -> Rating | None:
    entries = [i for i in items if isinstance(i, dict)]
    for kind in _CVSS_ORDER:
        for entry in entries:
            if str(entry.get("type", "")).upper() != kind:
                continue
            vector = str(entry.get("score", "")).strip()
            score = cvss_score(kind, vector)
            if score is not None:
                return Rating(_band(score, kind == "CVSS_V2"), score, vector, kind)
    for entry in entries:
        if str(entry.get("type", "")).upper() == "UBUNTU":
            sev = _TEXT.get(str(entry.get("score", "")).strip().lower())
            if sev is not None:
                return Rating(sev, source="Ubuntu")
    return None


def severity_of(record: dict[str, Any], affected: Iterable[dict[str, Any]] = ()) -> Rating:
    """The rating of ``record`` (a trimmed record from the store) for the ``affected``
    entries of it that matched."""
    affected = list(affected)
    for entry in affected:
        rating = _from_list(entry.get("severity") or ())
        if rating is not None:
            return rating
    rating = _from_list(record.get("severity") or ())
    if rating is not None:
        return rating
    for text in [e.get("specific_severity") for e in affected] + [record.get("specific_severity")]:
        if isinstance(text, str):
            sev = _TEXT.get(text.strip().lower())
            if sev is not None:
                return Rating(sev, source="database")
    return Rating(None)
