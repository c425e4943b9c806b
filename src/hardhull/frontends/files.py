"""Turn paths given on the command line into readable text inputs, never judging their content.

Walks directories (skipping VCS and vendor folders, honouring ``--exclude`` globs), guards
against symlink loops, oversized, binary and non-UTF-8 files, and reports each problem as an
:class:`~hardhull.model.InputError` or :class:`~hardhull.model.Skipped` with a clear reason.
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from hardhull.frontends import kinds
from hardhull.model import InputError, Skipped

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "vendor", ".venv", "venv", "__pycache__",
     ".tox", ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache", "bower_components"}
)  # fmt: skip
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class TextInput:
    path: str  # as shown to the user; "-" (shown as "<stdin>") for standard input
    text: str


@dataclass(frozen=True)
class InputRef:
    """An input not read yet (a regular file: read when needed, and read again when needed
    again, so a scan holds one file's text at a time), or one that can be read only once
    (standard input, a pipe), with its text."""

    path: str
    text: str | None = None
    explicit: bool = True

    def load(self, max_bytes: int) -> TextInput | InputError | Skipped:
        if self.text is not None:
            return TextInput(self.path, self.text)
        return read_file(self.path, max_bytes, explicit=self.explicit)


@dataclass
class Collected:
    inputs: list[TextInput]
    errors: list[InputError]
    skipped: list[Skipped]
    #: with ``lazy``: the inputs, to be read when needed
    refs: list[InputRef] = field(default_factory=list)


def is_candidate(name: str) -> bool:
    """Files picked up when walking a directory (explicitly named files are always read)."""
    return kinds.kind_of(name) is not None


def walk_selects(path: str, excludes: Sequence[str] = ()) -> bool:
    """Would walking a directory pick up the file ``path`` (a relative path below it): a
    candidate name, in no skipped folder (``.git``, ``node_modules``…), not excluded?"""
    parts = path.replace(os.sep, "/").split("/")
    return (
        is_candidate(parts[-1])
        and not any(p in SKIP_DIRS for p in parts[:-1])
        and not _excluded(path, excludes)
    )


def _excluded(path: str, excludes: Sequence[str]) -> bool:
    if not excludes:
        return False
    norm = path.replace(os.sep, "/")
    base = os.path.basename(norm)
    for pat in excludes:
        p = pat.rstrip("/")
        if fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(base, p):
            return True
        if (
            fnmatch.fnmatch(norm, p + "/*")
            or fnmatch.fnmatch(norm, "*/" + p)
            or (fnmatch.fnmatch(norm, "*/" + p + "/*"))
        ):
            return True
    return False


def decode(data: bytes, path: str) -> str | InputError | Skipped:
    """Decode file bytes as UTF-8 (or UTF-16/32 with a BOM), refusing binary content."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        try:
            return data.decode("utf-32")
        except UnicodeDecodeError:
            return InputError(path, "not valid UTF-32 despite its byte-order mark")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return InputError(path, "not valid UTF-16 despite its byte-order mark")
    if b"\x00" in data[:8192]:
        return Skipped(path, "binary file (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", "replace")) + 1
        return InputError(
            path,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}): file skipped, save it as UTF-8",
            line,
            column,
        )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _too_big(size: int | None, max_bytes: int) -> str:
    what = f"file is {size} bytes, over" if size is not None else "input is over"
    return f"{what} the {max_bytes}-byte limit (--max-file-size)"


def read_file(
    path: str, max_bytes: int, *, explicit: bool = True
) -> TextInput | InputError | Skipped:
    """Read one file. ``explicit``: named by the user, so a pipe (``<(helm template …)``) or a
    device is read too; files met while walking a directory must be regular files."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return InputError(path, "symlink loop: cannot resolve this path")
        if os.path.islink(path):
            return InputError(path, "broken symlink: its target does not exist")
        return InputError(path, f"cannot read: {exc.strerror or exc}")
    regular = stat.S_ISREG(st.st_mode)
    if not regular and not explicit:
        return Skipped(path, f"{_kind(st.st_mode)}, not a regular file")
    if regular and st.st_size > max_bytes:
        return Skipped(path, _too_big(st.st_size, max_bytes))
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return InputError(path, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return Skipped(path, _too_big(None, max_bytes))
    text = decode(data, path)
    if isinstance(text, str):
        what = own_output(text)
        if what is not None:
            return Skipped(path, f"{what} written by hardhull, not an input")
        return TextInput(path, text)
    return text


_OWN_MARKERS = (
    ('"schema": "hardhull/report"', "a JSON report"),
    ('"schema": "hardhull/baseline"', "a baseline"),
)


def own_output(text: str) -> str | None:
    """What hardhull wrote, if ``text`` is one of its own reports or baselines (recognised by
    the markers it writes at the start: the JSON report's and the baseline's ``schema``, the
    SARIF run's tool name), else None."""
    head = text[:4096]
    if not head.lstrip().startswith("{"):
        return None
    for marker, what in _OWN_MARKERS:
        if marker in head:
            return what
    if '"version": "2.1.0"' in head and '"name": "hardhull"' in head and "sarif" in head:
        return "a SARIF report"
    return None


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk(root: str, excludes: Sequence[str], out: Collected) -> Iterator[str]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = os.stat(d)
        except OSError as exc:
            msg = "symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
            out.errors.append(InputError(d, f"cannot enter directory: {msg}"))
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            out.skipped.append(
                Skipped(d, "directory already scanned through another path (symlink loop?)")
            )
            continue
        seen.add(ident)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            out.errors.append(InputError(d, f"cannot list directory: {exc.strerror or exc}"))
            continue
        subdirs: list[str] = []
        for entry in entries:
            path = entry.path
            if _excluded(path, excludes):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in SKIP_DIRS:
                    subdirs.append(path)
                continue
            reason = kinds.template_reason(entry.name)
            if reason is not None:
                out.skipped.append(Skipped(path, reason))
            elif is_candidate(entry.name):
                yield path
        stack.extend(reversed(subdirs))


def _read_stdin(max_bytes: int) -> str | InputError | Skipped:
    stream = sys.stdin
    if stream is None:
        return InputError("<stdin>", "standard input is closed")
    try:
        data = stream.buffer.read(max_bytes + 1)
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        return InputError("<stdin>", f"cannot read standard input: {exc}")
    if len(data) > max_bytes:
        return Skipped("<stdin>", _too_big(None, max_bytes))
    return decode(data, "<stdin>")


def collect(
    paths: Sequence[str],
    *,
    excludes: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin_text: str | None = None,
    lazy: bool = False,
) -> Collected:
    """Read every input once (a file named twice, or inside a named directory, counts once).

    With ``lazy``, regular files are not read here but listed in ``refs`` (their read errors
    come when they are loaded); what can be read only once is read now and kept in its ref."""
    out = Collected([], [], [])
    done: set[str] = set()
    for given in paths:
        if given == "-":
            if "-" not in done:
                done.add("-")
                got = stdin_text if stdin_text is not None else _read_stdin(max_bytes)
                if isinstance(got, str):
                    out.inputs.append(TextInput("<stdin>", got))
                    out.refs.append(InputRef("<stdin>", got))
                elif isinstance(got, InputError):
                    out.errors.append(got)
                else:
                    out.skipped.append(got)
            continue
        if os.path.isdir(given):
            files = list(_walk(given, excludes, out))
            explicit = False
        elif os.path.lexists(given):
            reason = kinds.template_reason(given)
            if reason is not None:
                out.skipped.append(Skipped(given, reason))
                continue
            files = [given]
            explicit = True
        else:
            out.errors.append(InputError(given, "no such file or directory"))
            continue
        for f in files:
            key = os.path.normpath(os.path.abspath(f))
            if key in done:
                continue
            done.add(key)
            if lazy and _is_regular(f):
                out.refs.append(InputRef(f, None, explicit))
                continue
            item = read_file(f, max_bytes, explicit=explicit)
            if isinstance(item, TextInput):
                out.inputs.append(item)
                out.refs.append(InputRef(item.path, item.text))
            elif isinstance(item, InputError):
                out.errors.append(item)
            else:
                out.skipped.append(item)
    return out
