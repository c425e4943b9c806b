"""Credentials in a line of a file, for excerpts: where they are (:func:`secret_spans`) and the
line with each one masked (:func:`redact`).

A report shows the line of a finding; whatever the finding is about, that line (or the other
objects of a minified JSON line) may hold a credential. Found here:

- every value whose format proves a credential (:mod:`~hardhull.secrets.formats`), also
  base64-encoded; a private key whose end is not on the line is masked to the end of its
  string (or of the line);
- the value of a credential-named key (``password: …``, ``"apiKey": "…"``, ``DB_PASSWORD=…``,
  ``--token=…``), of a ``name: DB_PASSWORD, value: …`` pair, and every value of a
  ``data``/``stringData`` mapping written on one line (a Secret's values, base64 or not);
- account passwords set on a command line (``echo 'root:…' | chpasswd``, ``useradd -p …``);
- the exact values the finding's rule reported (``extra``), wherever they stand on the line.

Each is shown as :func:`~hardhull.secrets.match.mask` shows it: at most its first four
characters and its length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache

from hardhull.secrets.detect import detect_value
from hardhull.secrets.formats import iter_format_matches
from hardhull.secrets.match import mask
from hardhull.secrets.names import is_credential_name
from hardhull.secrets.values import is_reference

__all__ = ["redact", "secret_spans"]

Span = tuple[int, int]

# a value: a double-quoted string (escapes allowed), a single-quoted one, or a bare word
_VALUE = r"""(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s,;&}\]'"]+))"""
#: ``key: value``, ``"key": "value"``, ``KEY=value``, ``--key=value``, ``--key value``
_PAIR = re.compile(
    r"""(?P<k>[A-Za-z_][\w.\-]*)["']?(?P<sep>\s*[:=]\s*|\s+(?=["']?[^\s:=]))""" + _VALUE
)
#: ``name: DB_PASSWORD, value: …`` and ``{"name":"DB_PASSWORD","value":"…"}``
_NAME_VALUE = re.compile(
    r"""["']?name["']?\s*:\s*["']?(?P<n>[A-Za-z_][\w.\-]*)["']?\s*,\s*["']?value["']?\s*:\s*"""
    + _VALUE
)
#: a ``data``/``stringData`` mapping on one line (JSON or YAML flow)
_DATA_MAP = re.compile(
    r"""(?<![\w-])["']?(?:data|stringData|binaryData)["']?\s*:\s*\{(?P<body>[^{}]*)\}"""
)
_MAP_VALUE = re.compile(r"""["']?[^"':,{}\s]+["']?\s*:\s*""" + _VALUE)
#: ``user:password`` fed to chpasswd, ``-p``/``--password`` of useradd/usermod
_CHPASSWD_PAIR = re.compile(r"""(?<![\w/.-])[a-z_][\w.-]*:(?P<pw>[^\s:'"|;&]+)""")
_USER_PASSWORD = re.compile(
    r"""(?:^|\s)(?:-p|--password)(?:=|\s+)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))"""
)
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")
_PRIVATE_KEY_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")


def _value_span(m: re.Match[str]) -> Span | None:
    for group in ("dq", "sq", "bare"):
        if m.group(group) is not None:
            return m.span(group)
    return None


def _pem_end(line: str, start: int, end: int) -> int:
    """The end of a private key whose END marker is not on the line: its string, or the line."""
    if _PRIVATE_KEY_END.search(line, start, end):
        return end
    for quote in ('"', "'"):
        if start and line[start - 1] == quote:
            close = line.find(quote, end)
            return close if close >= 0 else len(line)
    return len(line)


@lru_cache(maxsize=256)
def _line_spans(line: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    for start, end, fmt in iter_format_matches(line):
        if fmt.kind == "private-key" and not line.startswith("LS0t", start):
            end = _pem_end(line, start, end)
        spans.append((start, end))
    for m in _B64_TOKEN.finditer(line):
        if detect_value(m.group()) is not None:
            spans.append(m.span())
    spans.extend(_pairs(line))
    for m in _NAME_VALUE.finditer(line):
        span = _value_span(m)
        if span is not None and detect_value(line[span[0] : span[1]], m.group("n")) is not None:
            spans.append(span)
    for m in _DATA_MAP.finditer(line):
        base = m.start("body")
        for v in _MAP_VALUE.finditer(m.group("body")):
            span = _value_span(v)
            if span is not None and span[1] - span[0] >= 4:
                spans.append((base + span[0], base + span[1]))
    if "chpasswd" in line:
        spans.extend(m.span("pw") for m in _CHPASSWD_PAIR.finditer(line))
    if re.search(r"\b(?:useradd|usermod|adduser)\b", line):
        for m in _USER_PASSWORD.finditer(line):
            span = _value_span(m)
            if span is not None:
                spans.append(span)
    return tuple(spans)


def _pairs(line: str) -> Iterable[Span]:
    """The values of credential-named keys on the line (a value may hold another pair:
    ``note=DB_PASSWORD=…``)."""
    pos = 0
    while (m := _PAIR.search(line, pos)) is not None:
        key = m.group("k")
        pos = m.end("k")
        span = _value_span(m)
        if span is None or span[0] == span[1] or not is_credential_name(key):
            continue
        if not m.group("sep").strip() and not (
            key.isupper() or line[max(0, m.start() - 1) : m.start()] == "-"
        ):
            continue  # ``KEY value`` (Dockerfile ENV) and ``--flag value`` only, not prose
        value = line[span[0] : span[1]]
        if not is_reference(value) and detect_value(value, key) is not None:
            yield span
            pos = span[1]


def _forms(secret: str) -> Iterable[str]:
    """How a reported value can stand on a line: as it is, each of its lines, JSON-escaped."""
    text = secret.strip()
    if not text:
        return
    yield text
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        yield escaped
    if "\n" in text:
        for part in text.splitlines():
            if len(part.strip()) >= 4:
                yield part.strip()


def secret_spans(line: str, extra: Iterable[str] = ()) -> list[Span]:
    """Where credentials stand on ``line``: sorted, merged (start, end) spans."""
    spans = list(_line_spans(line))
    for secret in extra:
        for form in _forms(secret):
            if len(form) < 4 and form != secret.strip():
                continue
            at = line.find(form)
            while at >= 0:
                spans.append((at, at + len(form)))
                at = line.find(form, at + len(form))
    spans.sort()
    merged: list[Span] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def redact(line: str, extra: Iterable[str] = ()) -> str:
    """``line`` with every credential on it masked (``ghp_…(40 chars)``)."""
    out: list[str] = []
    at = 0
    for start, end in secret_spans(line, extra):
        out.append(line[at:start])
        out.append(mask(line[start:end]))
        at = end
    out.append(line[at:])
    return "".join(out)
