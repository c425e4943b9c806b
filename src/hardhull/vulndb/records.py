"""Reading OSV records (https://ossf.github.io/osv-schema/) from JSON or YAML text, and the
sources they come in: OSV.dev's per-ecosystem ``all.zip``, directories (recursively), single
files.

Public names:

- :func:`iter_sources` yields ``(origin, text)`` for every record file under the paths given
  (``origin`` names the file and, in a zip, the member); unreadable paths come as
  :class:`SourceError`.
- :func:`parse_records` turns one file's text into validated, trimmed records
  (:class:`Record`), raising :class:`RecordError` (with the line, when known) for a bad one.

Validation is strict on what matching reads (``id``, ``modified``, ``withdrawn``,
``aliases``, ``upstream``, ``affected[].package``, ``ranges``, ``events``, ``versions``,
``severity``) and ignores the rest; the record kept is trimmed to those fields plus a
one-line summary.
YAML is read with every scalar a string, so ``2.10`` stays ``2.10`` (not the number 2.1).
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hardhull.vulndb.ecosystems import canonical_ecosystem, normalise_name

#: a record file larger than this is refused (OSV records are kilobytes; Linux kernel ones
#: reach a few hundred)
MAX_RECORD_BYTES = 16 * 1024 * 1024
#: the longest summary kept (the first line of ``details`` when there is no ``summary``)
MAX_SUMMARY = 200

RECORD_SUFFIXES = (".json", ".yaml", ".yml")

_EVENT_KEYS = ("introduced", "fixed", "last_affected", "limit")


class RecordError(ValueError):
    """A record that is not a valid OSV record (the message says where and why)."""


class SourceError(OSError):
    """A path that cannot be read as advisories (missing, unreadable, a broken zip)."""


@dataclass(frozen=True)
class Record:
    """One validated OSV record, trimmed to what matching and reports read."""

    id: str
    #: ``modified`` normalised to UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (sorts as text)
    modified: str
    #: normalised like ``modified``; None when the record is not withdrawn
    withdrawn: str | None
    #: the trimmed record (JSON-compatible), as stored
    data: dict[str, Any]
    #: ``(ecosystem, normalised package name)`` of every affected package
    keys: tuple[tuple[str, str], ...]


def timestamp(value: object, where: str) -> str:
    """An RFC 3339 timestamp normalised to UTC text that sorts in time order."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{where}: not a timestamp: {_short(value)}")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise RecordError(f"{where}: not an RFC 3339 timestamp: {_short(value)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise RecordError(f"{where}: timestamp out of range: {_short(value)}") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _string(value: object, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise RecordError(f"{where}: expected a non-empty string, got {_short(value)}")
    return value.strip()


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{where}: expected a list, got {_short(value)}")
    return value


def _strings(value: object, where: str) -> list[str]:
    return [_string(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where))]


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected a mapping, got {_short(value)}")
    return value


def _severities(value: object, where: str) -> list[dict[str, str]]:
    out = []
    for i, item in enumerate(_list(value, where)):
        sev = _dict(item, f"{where}[{i}]")
        out.append(
            {
                "type": _string(sev.get("type"), f"{where}[{i}].type"),
                "score": _string(sev.get("score"), f"{where}[{i}].score"),
            }
        )
    return out


def _specific_severity(value: object) -> str | None:
    """``database_specific.severity`` / ``ecosystem_specific.severity`` when it is text."""
    if isinstance(value, dict):
        sev = value.get("severity")
        if isinstance(sev, str) and sev.strip():
            return sev.strip()
    return None


def _summary(doc: dict[str, Any]) -> str:
    for key in ("summary", "details"):
        text = doc.get(key)
        if isinstance(text, str) and text.strip():
            line = " ".join(text.strip().split("\n\n", 1)[0].split())
            return line if len(line) <= MAX_SUMMARY else line[: MAX_SUMMARY - 3] + "..."
    return ""


def _affected(item: object, where: str) -> dict[str, Any] | None:
    entry = _dict(item, where)
    if entry.get("package") is None:
        return None  # allowed by the schema (a record about a commit range only)
    pkg = _dict(entry["package"], f"{where}.package")
    eco = canonical_ecosystem(_string(pkg.get("ecosystem"), f"{where}.package.ecosystem"))
    name = _string(pkg.get("name"), f"{where}.package.name")
    out: dict[str, Any] = {"ecosystem": eco, "name": name}
    ranges = []
    for i, raw in enumerate(_list(entry.get("ranges"), f"{where}.ranges")):
        rw = f"{where}.ranges[{i}]"
        rng = _dict(raw, rw)
        rtype = _string(rng.get("type"), f"{rw}.type").upper()
        events = []
        for j, ev in enumerate(_list(rng.get("events"), f"{rw}.events")):
            ew = f"{rw}.events[{j}]"
            event = _dict(ev, ew)
            found = [k for k in _EVENT_KEYS if k in event]
            if len(found) != 1:
                raise RecordError(
                    f"{ew}: expected one of {', '.join(_EVENT_KEYS)}, got "
                    f"{_short(sorted(map(str, event)))}"
                )
            events.append([found[0], _string(event[found[0]], f"{ew}.{found[0]}")])
        if rtype != "GIT" and not events:
            raise RecordError(f"{rw}.events: a {rtype} range needs events")
        if rtype == "GIT":
            continue  # commit ranges are not matched against installed versions
        ranges.append({"type": rtype, "events": events})
    if ranges:
        out["ranges"] = ranges
    versions = _strings(entry.get("versions"), f"{where}.versions")
    if versions:
        out["versions"] = versions
    severity = _severities(entry.get("severity"), f"{where}.severity")
    if severity:
        out["severity"] = severity
    specific = _specific_severity(entry.get("ecosystem_specific")) or _specific_severity(
        entry.get("database_specific")
    )
    if specific:
        out["specific_severity"] = specific
    return out


def validate(doc: object) -> Record:
    """A :class:`Record` from one decoded OSV document, or :class:`RecordError`."""
    if not isinstance(doc, dict):
        raise RecordError(f"not an OSV record (a mapping with id and modified): {_short(doc)}")
    rid = _string(doc.get("id"), "id")
    if len(rid) > 200 or any(c.isspace() for c in rid):
        raise RecordError(f"id: not an advisory identifier: {_short(rid)}")
    modified = timestamp(doc.get("modified"), "modified")
    withdrawn = None
    if doc.get("withdrawn") not in (None, ""):
        withdrawn = timestamp(doc.get("withdrawn"), "withdrawn")
    affected = []
    keys: dict[tuple[str, str], None] = {}
    for i, item in enumerate(_list(doc.get("affected"), "affected")):
        entry = _affected(item, f"affected[{i}]")
        if entry is None:
            continue
        affected.append(entry)
        keys[(entry["ecosystem"], normalise_name(entry["ecosystem"], entry["name"]))] = None
    data: dict[str, Any] = {"id": rid, "modified": modified}
    aliases = [a for a in _strings(doc.get("aliases"), "aliases") if a != rid]
    if aliases:
        data["aliases"] = list(dict.fromkeys(aliases))
    upstream = [u for u in _strings(doc.get("upstream"), "upstream") if u != rid]
    if upstream:
        data["upstream"] = list(dict.fromkeys(upstream))
    summary = _summary(doc)
    if summary:
        data["summary"] = summary
    severity = _severities(doc.get("severity"), "severity")
    if severity:
        data["severity"] = severity
    specific = _specific_severity(doc.get("database_specific"))
    if specific:
        data["specific_severity"] = specific
    if withdrawn:
        data["withdrawn"] = withdrawn
    if isinstance(doc.get("published"), str):
        data["published"] = doc["published"]
    data["affected"] = affected
    return Record(rid, modified, withdrawn, data, tuple(keys))


def _decode(text: bytes, name: str) -> object:
    """JSON, or YAML (by the name's suffix, or when the text is not JSON) with every scalar a
    string; errors carry the line."""
    is_yaml = name.lower().endswith((".yaml", ".yml"))
    if not is_yaml:
        try:
            return json.loads(text)
        except UnicodeDecodeError as exc:
            raise RecordError(f"not UTF-8 text: {exc.reason}") from None
        except json.JSONDecodeError as exc:
            raise RecordError(f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise RecordError("invalid JSON: nested too deeply") from None
        except ValueError as exc:  # e.g. an integer longer than Python converts
            raise RecordError(f"invalid JSON: {exc}") from None
    import yaml  # start-up time: only for YAML records

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    try:
        docs = list(yaml.load_all(text, Loader=loader))  # BaseLoader: strings only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise RecordError(f"{line}invalid YAML: {exc.problem or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RecordError(f"invalid YAML: {first}") from None
    docs = [d for d in docs if d is not None]
    if len(docs) == 1:
        return docs[0]
    return docs


def parse_records(text: bytes, name: str) -> Iterator[Record | RecordError]:
    """Records of one file: a record, a list of records, or ``{"vulns": [...]}`` (OSV's API
    answers). A file that cannot be decoded is one :class:`RecordError`; in a list, each bad
    element is one, prefixed with its index, and the others are still yielded."""
    try:
        doc = _decode(text, name)
    except RecordError as exc:
        yield exc
        return
    if isinstance(doc, dict) and "id" not in doc and isinstance(doc.get("vulns"), list):
        doc = doc["vulns"]
    if isinstance(doc, list):
        if not doc:
            yield RecordError("an empty list: no record")
        for i, item in enumerate(doc):
            try:
                yield validate(item)
            except RecordError as exc:
                yield RecordError(f"[{i}]: {exc}")
            except RecursionError:
                yield RecordError(f"[{i}]: nested too deeply")
        return
    try:
        yield validate(doc)
    except RecordError as exc:
        yield exc
    except RecursionError:
        yield RecordError("nested too deeply")


def _is_zip(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _read_file(path: str) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise RecordError(f"larger than {MAX_RECORD_BYTES} bytes: not an OSV record")
    return data


def iter_sources(path: str) -> Iterator[tuple[str, bytes | RecordError]]:
    """``(origin, text)`` for every record file under ``path``: the members of a zip
    (``origin`` is ``PATH:MEMBER``), the ``.json``/``.yaml``/``.yml`` files under a directory
    (recursively, hidden directories and symbolic links to directories left out, in name
    order), or the file itself. A record file too large or unreadable comes as a
    :class:`RecordError` in place of the text; a path that is not there, or a broken zip,
    raises :class:`SourceError`."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        yield from _iter_dir(path)
    elif _is_zip(path):
        yield from _iter_zip(path)
    else:
        try:
            yield path, _read_file(path)
        except RecordError as exc:
            yield path, exc
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from None


def _iter_dir(root: str) -> Iterator[tuple[str, bytes | RecordError]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(RECORD_SUFFIXES):
                continue
            full = os.path.join(dirpath, name)
            try:
                yield full, _read_file(full)
            except RecordError as exc:
                yield full, exc
            except OSError as exc:
                yield full, RecordError(f"cannot read: {exc.strerror or exc}")


def _iter_zip(path: str) -> Iterator[tuple[str, bytes | RecordError]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable zip archive: {exc}") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(RECORD_SUFFIXES):
                continue
            origin = f"{path}:{info.filename}"
            if info.file_size > MAX_RECORD_BYTES:
                yield origin, RecordError(f"larger than {MAX_RECORD_BYTES} bytes")
                continue
            try:
                with archive.open(info) as fh:
                    data = fh.read(MAX_RECORD_BYTES + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                NotImplementedError,
                zlib.error,
            ) as exc:
                yield origin, RecordError(f"cannot read the member: {exc}")
                continue
            if len(data) > MAX_RECORD_BYTES:
                yield origin, RecordError(f"larger than {MAX_RECORD_BYTES} bytes")
                continue
            yield origin, data
