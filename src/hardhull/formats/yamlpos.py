"""YAML with positions: libyaml's event parser, a bounded tree builder and a pointer→line map.

Why not ``yaml.compose``: the C composer recurses (deep nesting can exhaust the C stack) and
expands nothing lazily, so alias bombs need a walk to notice. Building the tree from events
here is iterative, bounds depth and alias expansion, resolves plain scalars like PyYAML's
YAML 1.1 resolver (which is what ``sigs.k8s.io/yaml`` accepts) and records, for every mapping
entry and sequence item, the 1-based line and column where it starts, keyed by JSON pointer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Position = tuple[int, int]

MAX_DEPTH = 256
#: alias expansion may add at most this many nodes beyond ALIAS_RATIO × the real node count
ALIAS_BUDGET = 100_000
ALIAS_RATIO = 10


class YamlError(Exception):
    """Invalid or hostile YAML, with the 1-based line and column where it was noticed.

    ``documents`` holds the documents of the stream that were complete before the error, so a
    caller can still use them (libyaml cannot resume after an error). :func:`iter_stream`
    sets ``resumed_at`` (the line of the ``---`` where reading went on) or ``unchecked`` (how
    many documents after the error were not read); :attr:`described` says so in words.
    """

    def __init__(
        self,
        message: str,
        line: int = 0,
        column: int = 0,
        documents: list[YamlDocument] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.documents: list[YamlDocument] = documents if documents is not None else []
        self.resumed_at = 0
        self.unchecked = 0

    @property
    def described(self) -> str:
        """The message and what became of the documents after the error."""
        if self.resumed_at:
            return (
                f"{self.message}; this document was not checked, checking resumed at the "
                f"'---' on line {self.resumed_at}"
            )
        if self.unchecked:
            n = self.unchecked
            docs = "1 document after it was" if n == 1 else f"{n} documents after it were"
            return f"{self.message}; {docs} not checked"
        return self.message


class YamlLimitError(YamlError):
    """Input that is well-formed but over a safety bound: alias bomb, nesting depth."""


@dataclass
class YamlDocument:
    """One document: plain data plus a map from JSON pointer to its (line, column).

    ``positions[""]`` is where the document's root node starts; a duplicate key's pointer is
    located at its last occurrence, whose value the data holds. ``complex_keys`` tells that a
    mapping key was itself a mapping or a sequence (kept as its flow-style text): real
    manifests never have one, unrendered templates (``{{ .x }}`` parses as a flow mapping) do.
    """

    data: Any
    positions: dict[str, Position] = field(default_factory=dict)
    index: int = 0
    line: int = 1
    end_line: int = 1
    complex_keys: bool = False
    #: keys set twice in one mapping: (pointer, where it was first, where again); the data
    #: and the positions hold the last value, as Go's YAML and JSON readers keep it. A merge
    #: key ``<<`` given twice is there too (``/…/<<``): both merge, as PyYAML and the YAML
    #: reader of kubectl do, but YAML 1.2 readers (docker compose) refuse it
    duplicates: list[tuple[str, Position, Position]] = field(default_factory=list)


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


_BOOL = {
    "yes": True, "Yes": True, "YES": True, "true": True, "True": True, "TRUE": True,
    "on": True, "On": True, "ON": True,
    "no": False, "No": False, "NO": False, "false": False, "False": False, "FALSE": False,
    "off": False, "Off": False, "OFF": False,
}  # fmt: skip
_NULL = {"", "~", "null", "Null", "NULL"}
_INT = re.compile(
    r"""[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|[1-9][0-9_]*(?::[0-5]?[0-9])+)$"""
)
_FLOAT = re.compile(
    r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"""
    r"""|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"""
)
_NUMSTART = frozenset("0123456789+-.")


def _to_int(text: str) -> int:
    t = text.replace("_", "")
    sign = -1 if t[0] == "-" else 1
    if t[0] in "+-":
        t = t[1:]
    if t == "0":
        return 0
    if t.startswith("0b"):
        return sign * int(t[2:], 2)
    if t.startswith("0x"):
        return sign * int(t[2:], 16)
    if t[0] == "0":
        return sign * int(t, 8)
    if ":" in t:
        value = 0
        for part in t.split(":"):
            value = value * 60 + int(part)
        return sign * value
    return sign * int(t)


def _to_float(text: str) -> float:
    t = text.replace("_", "").lower()
    if t in (".inf", "+.inf"):
        return float("inf")
    if t == "-.inf":
        return float("-inf")
    if t == ".nan":
        return float("nan")
    if ":" in t:
        sign = -1.0 if t[0] == "-" else 1.0
        if t[0] in "+-":
            t = t[1:]
        value = 0.0
        for part in t.split(":"):
            value = value * 60 + float(part)
        return sign * value
    return float(t)


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar the way PyYAML's YAML 1.1 resolver does (no timestamps).

    A number that matches the resolver but cannot be built (``0x_``, an integer longer than
    Python's digit limit) stays a string instead of failing the whole file.
    """
    if text in _NULL:
        return None
    b = _BOOL.get(text)
    if b is not None:
        return b
    if text[0] in _NUMSTART:
        try:
            if _INT.match(text):
                return _to_int(text)
            if _FLOAT.match(text):
                return _to_float(text)
        except ValueError:
            return text
    return text


_STR_TAGS = {"tag:yaml.org,2002:str", "!!str", "tag:yaml.org,2002:binary", "!!binary"}


def resolve_strings(text: str) -> Any:
    """A plain scalar as yaml-cpp (Falco's YAML library) holds it: a string, converted only
    when read as a boolean or a number; ``~``, ``null`` and nothing are null. So a rule named
    ``Off`` or a list item ``yes`` or ``010`` stays the text written."""
    return None if text in _NULL else text


def _scalar(ev: Any, line0: int, resolve: Callable[[str], Any] = resolve_plain) -> Any:
    tag = ev.tag
    if tag is None or tag == "!":
        if ev.implicit[0]:
            return resolve(ev.value)
        return ev.value
    if tag in _STR_TAGS:
        return ev.value
    short = tag.rsplit(":", 1)[-1].lstrip("!")
    try:
        if short == "int":
            return _to_int(ev.value)
        if short == "float":
            return _to_float(ev.value)
        if short == "bool":
            return _BOOL[ev.value]
        if short == "null":
            return None
    except (KeyError, ValueError, IndexError):
        raise YamlError(
            f"cannot read {ev.value!r} as !!{short}",
            ev.start_mark.line + line0,
            ev.start_mark.column + 1,
        ) from None
    # unknown application tags (e.g. !Ref): keep the value as a string
    return ev.value


class _Frame:
    __slots__ = (
        "anchor", "container", "is_map", "key", "key_pos", "merge", "merge_at", "merged",
        "pointer", "size", "start",
    )  # fmt: skip

    def __init__(
        self, container: Any, is_map: bool, pointer: str, anchor: str | None, start: Position
    ) -> None:
        self.container = container
        self.is_map = is_map
        self.pointer = pointer
        self.anchor = anchor
        self.key: str | None = None
        self.key_pos: Position = (0, 0)
        self.merge = False  # the pending key is a plain ``<<`` (a quoted '<<' is a normal key)
        self.size = 1
        self.start = start
        self.merged: set[str] | None = None  # keys a ``<<`` brought in (not duplicates)
        self.merge_at: Position | None = None  # where the first ``<<`` key of the mapping is


def _key_text(value: Any) -> str:
    """Mapping keys become strings, as sigs.k8s.io/yaml turns YAML into JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 30).strip()


#: anchors of collections still being built: an alias to one of them is a recursive structure
_OPEN: tuple[Any, int] = (None, -1)
#: libyaml's own bound on flow collections ("exceeded maximum nesting depth")
_LIBYAML_MAX_DEPTH = 1000


def _where(text: str, byte_offset: int) -> Position:
    """Line and column of a byte offset into the UTF-8 encoding of ``text``."""
    head = text.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "replace")
    return head.count("\n") + 1, len(head) - head.rfind("\n")


def _forget(positions: dict[str, Position], pointer: str, value: Any) -> None:
    """Drop the positions recorded for a value that a duplicate key replaces (last one wins)."""
    positions.pop(pointer, None)
    todo = [(pointer, value)]
    while todo:
        p, v = todo.pop()
        if isinstance(v, dict):
            for k, c in v.items():
                cp = p + "/" + escape(k)
                positions.pop(cp, None)
                todo.append((cp, c))
        elif isinstance(v, list):
            for i, c in enumerate(v):
                cp = f"{p}/{i}"
                positions.pop(cp, None)
                todo.append((cp, c))


def load_all(
    text: str, *, max_depth: int = MAX_DEPTH, resolve: Callable[[str], Any] | None = None
) -> list[YamlDocument]:
    """Parse every document of ``text``; raise :class:`YamlError` on bad or hostile input
    (its ``documents`` are the ones complete before the error).

    Data is what ``yaml.safe_load_all`` gives for Kubernetes-like input, except that mapping
    keys are always strings, unknown tags (``!Ref``) and ``!!binary``/``!!timestamp``/``!!set``
    keep their plain value, and recursive aliases are an error. ``resolve`` turns an untagged
    plain scalar into its value (default :func:`resolve_plain`, YAML 1.1's; Falco's rule files
    take :func:`resolve_strings`, yaml-cpp's way).
    """
    docs: list[YamlDocument] = []
    try:
        docs.extend(iter_all(text, max_depth=max_depth, resolve=resolve))
    except YamlError as exc:
        exc.documents = docs
        raise
    return docs


def iter_all(
    text: str, *, max_depth: int = MAX_DEPTH, resolve: Callable[[str], Any] | None = None
) -> Iterator[YamlDocument]:
    """:func:`load_all` one document at a time: a document is built, handed over and
    forgotten before the next one is read (the :class:`YamlError` raised after the last good
    document carries none)."""
    return _iter_part(text, max_depth, 1, 0, _Budget(), resolve or resolve_plain)


class _Budget:
    """Alias expansion so far, shared by the parts of a stream read after errors."""

    __slots__ = ("expanded", "real_nodes")

    def __init__(self) -> None:
        self.real_nodes = 0
        self.expanded = 0


#: a document marker: ``---`` at the start of a line, then a blank, a line break or the end
_MARKER = re.compile("(?<=[\n\r\x85\u2028\u2029])---(?=[ \t\n\r\x85\u2028\u2029]|\\Z)")
#: a line break as libyaml counts them (CR LF is one)
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
#: after this many errors in one stream, the rest is counted, not read (each resumption
#: hands libyaml the rest of the text again)
MAX_RESUMES = 100


def _resume_point(text: str, start: int, line0: int, exc: YamlError) -> tuple[int, int] | None:
    """Offset and line of the first document marker after ``exc`` (in the part of ``text``
    from ``start``, which is line ``line0``), or None. A marker on the error's own line
    counts only when the error is at the marker (the marker then starts the next document)."""
    if exc.line < line0:
        return None
    offset, line = start, line0
    if line < exc.line:  # the start of the error's line
        for m in _BREAK.finditer(text, start):
            offset, line = m.end(), line + 1
            if line == exc.line:
                break
        else:
            return None
    for marker in _MARKER.finditer(text, offset):
        at = marker.start()
        line += len(_BREAK.findall(text, offset, at))
        offset = at
        if at > start and (line > exc.line or exc.column <= 1):
            return at, line
    return None


def iter_stream(text: str, *, max_depth: int = MAX_DEPTH) -> Iterator[YamlDocument | YamlError]:
    """Every document of ``text`` one at a time, going on after errors.

    A broken document is handed over as its :class:`YamlError` and reading resumes at the
    next document marker (``---`` at the start of a line, followed by a blank or the line's
    end): YAML forbids that marker inside any node, libyaml ends every node there and
    ``kubectl`` splits a file on it before parsing, so the document after it is the same
    document whether or not the broken one is fixed. The error says where reading resumed
    (``resumed_at``). Reading does not resume after a :class:`YamlLimitError` (hostile input)
    nor after :data:`MAX_RESUMES` errors: the error then counts the documents left unread
    (``unchecked``). Document indexes count the broken documents too; the alias budget is
    the stream's, not a part's.
    """
    start, line0, index = 0, 1, 0
    budget = _Budget()
    resumes = 0
    while True:
        part = text if start == 0 else text[start:]
        try:
            for doc in _iter_part(part, max_depth, line0, index, budget, resolve_plain):
                index = doc.index + 1
                yield doc
            return
        except YamlError as exc:
            where = _resume_point(text, start, line0, exc)
            if where is None or isinstance(exc, YamlLimitError) or resumes >= MAX_RESUMES:
                if where is not None:
                    exc.unchecked = sum(1 for _ in _MARKER.finditer(text, where[0]))
                yield exc
                return
            start, line0 = where
            exc.resumed_at = line0
            resumes += 1
            index += 1  # the broken document
            yield exc


def load_stream(
    text: str, *, max_depth: int = MAX_DEPTH
) -> tuple[list[YamlDocument], list[YamlError]]:
    """:func:`iter_stream` whole: the documents read and the errors met."""
    docs: list[YamlDocument] = []
    errors: list[YamlError] = []
    for d in iter_stream(text, max_depth=max_depth):
        if isinstance(d, YamlError):
            errors.append(d)
        else:
            docs.append(d)
    return docs, errors


def _iter_part(
    text: str,
    max_depth: int,
    line0: int,
    count: int,
    budget: _Budget,
    resolve: Callable[[str], Any],
) -> Iterator[YamlDocument]:
    """The documents of ``text``, which is line ``line0`` onwards of a stream whose
    document ``count`` it starts with."""
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    positions: dict[str, Position] = {}
    root: Any = None
    doc_line = line0
    complex_keys = False
    duplicates: list[tuple[str, Position, Position]] = []

    def attach(value: Any, pos: Position, size: int) -> None:
        nonlocal root, complex_keys
        if not stack:
            root = value
            if type(value) is dict or type(value) is list:  # an empty root has no real place
                positions[""] = pos
            return
        top = stack[-1]
        top.size += size
        if top.is_map:
            if top.key is None:
                if type(value) is str:
                    key = value
                else:
                    key = _key_text(value)
                    if isinstance(value, dict | list):
                        complex_keys = True
                top.key = key
                top.key_pos = pos
                if key in top.container:  # a duplicate: the last one wins, with its positions
                    pointer = top.pointer + "/" + escape(key)
                    if top.merged and key in top.merged:  # overrides what '<<' brought
                        top.merged.discard(key)
                    elif "\x00" not in pointer:
                        duplicates.append((pointer, positions.get(pointer, (0, 0)), pos))
                    _forget(positions, pointer, top.container[key])
                elif top.merge and top.merge_at is not None:  # a second '<<' key: both merge
                    duplicates.append((top.pointer + "/<<", top.merge_at, pos))
                return
            key = top.key
            top.key = None
            if top.merge and key == "<<":
                top.merge = False
                top.merge_at = top.merge_at or top.key_pos
                _merge(top, value, positions)
                return
            top.container[key] = value
            positions[top.pointer + "/" + escape(key)] = top.key_pos
        else:
            positions[f"{top.pointer}/{len(top.container)}"] = pos
            top.container.append(value)

    def child_pointer() -> str:
        if not stack:
            return ""
        top = stack[-1]
        if top.is_map:
            if top.key is None:  # a complex key: positions below it are meaningless
                return top.pointer + "/\x00key"
            return top.pointer + "/" + escape(top.key)
        return f"{top.pointer}/{len(top.container)}"

    ev: Any = None
    try:
        events: Any = yaml.parse(text, Loader=_Loader)
        for ev in events:
            cls = type(ev)
            if cls is ScalarEvent:
                budget.real_nodes += 1
                mark = ev.start_mark
                pos = (mark.line + line0, mark.column + 1)
                value = _scalar(ev, line0, resolve)
                if ev.anchor:
                    anchors[ev.anchor] = (value, 1)
                if value == "<<" and ev.implicit[0] and ev.tag is None and stack:
                    top = stack[-1]
                    if top.is_map and top.key is None:
                        top.merge = True
                attach(value, pos, 1)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                budget.real_nodes += 1
                if len(stack) >= max_depth:
                    raise YamlLimitError(
                        f"nesting deeper than {max_depth} levels",
                        ev.start_mark.line + line0,
                        ev.start_mark.column + 1,
                    )
                mark = ev.start_mark
                is_map = cls is MappingStartEvent
                if ev.anchor:
                    anchors[ev.anchor] = _OPEN
                stack.append(
                    _Frame(
                        {} if is_map else [],
                        is_map,
                        child_pointer(),
                        ev.anchor,
                        (mark.line + line0, mark.column + 1),
                    )
                )
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                if frame.anchor:
                    anchors[frame.anchor] = (frame.container, frame.size)
                attach(frame.container, frame.start, frame.size)
            elif cls is AliasEvent:
                mark = ev.start_mark
                try:
                    value, size = anchors[ev.anchor]
                except KeyError:
                    raise YamlError(
                        f"unknown alias *{ev.anchor} (no anchor &{ev.anchor} before it)",
                        mark.line + line0,
                        mark.column + 1,
                    ) from None
                if size < 0:  # a hostile construct, refused like a bomb
                    raise YamlLimitError(
                        f"recursive alias *{ev.anchor}: it is inside the node it refers to",
                        mark.line + line0,
                        mark.column + 1,
                    )
                budget.expanded += size
                if budget.expanded > ALIAS_BUDGET + ALIAS_RATIO * budget.real_nodes:
                    raise YamlLimitError(
                        "alias expansion too large (a YAML 'billion laughs' bomb?)",
                        mark.line + line0,
                        mark.column + 1,
                    )
                attach(value, (mark.line + line0, mark.column + 1), size)
            elif cls is DocumentStartEvent:
                anchors = {}
                positions = {}
                root = None
                complex_keys = False
                duplicates = []
                doc_line = ev.start_mark.line + line0
            elif cls is DocumentEndEvent:
                yield YamlDocument(
                    root,
                    positions,
                    count,
                    doc_line,
                    ev.end_mark.line + line0,
                    complex_keys,
                    duplicates,
                )
                count += 1
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        emark: Any = exc.problem_mark or exc.context_mark
        line = emark.line + line0 if emark else 0
        col = emark.column + 1 if emark else 0
        if exc.problem and "maximum nesting depth" in exc.problem:
            depth = min(max_depth, _LIBYAML_MAX_DEPTH)
            raise YamlLimitError(f"nesting deeper than {depth} levels", line, col) from None
        msg = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            msg = f"{exc.problem} ({exc.context})"
        raise YamlError(f"YAML syntax error: {msg}", line, col) from None
    except yaml.reader.ReaderError as exc:
        line, col = _where(text, exc.position)
        line += line0 - 1
        char = exc.character
        code = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        raise YamlError(
            f"character {code} is not allowed in YAML ({exc.reason})", line, col
        ) from None
    except UnicodeEncodeError as exc:  # only from str built in memory: files decode strictly
        head = text[: exc.start]
        line, col = head.count("\n") + line0, len(head) - head.rfind("\n")
        raise YamlError(
            f"character U+{ord(text[exc.start]):04X} is not allowed in YAML (unpaired surrogate)",
            line,
            col,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every libyaml error is one of the above
        raise YamlError(f"YAML error: {exc}") from None
    except RecursionError:  # pragma: no cover - the builder is iterative; belt and braces
        raise YamlLimitError(f"nesting deeper than {max_depth} levels") from None


def _merge(frame: _Frame, source: Any, positions: dict[str, Position]) -> None:
    """YAML merge key ``<<``: keys already present win, earlier sources win over later.

    Merged keys are located at the ``<<`` key, where they enter the mapping.
    """
    target: dict[str, Any] = frame.container
    sources = source if isinstance(source, list) else [source]
    for src in sources:
        if not isinstance(src, dict):
            line, col = frame.key_pos
            raise YamlError("merge key '<<' needs a mapping or a list of mappings", line, col)
        for k, v in src.items():
            if k not in target:
                target[k] = v
                if frame.merged is None:
                    frame.merged = set()
                frame.merged.add(k)
                positions[frame.pointer + "/" + escape(k)] = frame.key_pos


def locate(positions: dict[str, Position], pointer: str) -> tuple[Position, str]:
    """Position of ``pointer`` or of its nearest ancestor that has one, and that ancestor."""
    p = pointer
    while p:
        pos = positions.get(p)
        if pos is not None:
            return pos, p
        p = p.rsplit("/", 1)[0]
    return positions.get("", (0, 0)), ""
