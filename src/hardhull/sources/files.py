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
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hardhull.model import InputError, Skipped

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "vendor", ".venv", "venv", "__pycache__",
     ".tox", ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache", "bower_components"}
)  # fmt: skip
YAML_EXTS = (".yaml", ".yml", ".json")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class TextInput:
    path: str  # as shown to the user; "-" (shown as "<stdin>") for standard input
    text: str


@dataclass
class Collected:
    inputs: list[TextInput]
    errors: list[InputError]
    skipped: list[Skipped]


def is_candidate(name: str) -> bool:
    """Files picked up when walking a directory (explicitly named files are always read)."""
    return name.lower().endswith(YAML_EXTS)


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
        return InputError(path, f"not valid UTF-8 (byte {exc.start}): file skipped", line)


def read_file(path: str, max_bytes: int) -> TextInput | InputError | Skipped:
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return InputError(path, "symlink loop: cannot resolve this path")
        if os.path.islink(path):
            return InputError(path, "broken symlink: its target does not exist")
        return InputError(path, f"cannot read: {exc.strerror or exc}")
    if st.st_size > max_bytes:
        return Skipped(
            path, f"file is {st.st_size} bytes, over the {max_bytes}-byte limit (--max-file-size)"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return InputError(path, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return Skipped(path, f"file is over the {max_bytes}-byte limit (--max-file-size)")
    text = decode(data, path)
    if isinstance(text, str):
        return TextInput(path, text)
    return text


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
            out.skipped.append(Skipped(d, "directory already visited (symlink loop)"))
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
            if is_candidate(entry.name):
                yield path
        stack.extend(reversed(subdirs))


def collect(
    paths: Sequence[str],
    *,
    excludes: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin_text: str | None = None,
) -> Collected:
    out = Collected([], [], [])
    for given in paths:
        if given == "-":
            if stdin_text is None:
                data = sys.stdin.buffer.read(max_bytes + 1)
                if len(data) > max_bytes:
                    out.skipped.append(Skipped("<stdin>", "over the size limit"))
                    continue
                decoded = decode(data, "<stdin>")
                if not isinstance(decoded, str):
                    (out.errors if isinstance(decoded, InputError) else out.skipped).append(
                        decoded  # type: ignore[arg-type]
                    )
                    continue
                stdin_text = decoded
            out.inputs.append(TextInput("<stdin>", stdin_text))
            continue
        if os.path.isdir(given):
            files = list(_walk(given, excludes, out))
        elif os.path.lexists(given):
            files = [given]
        else:
            out.errors.append(InputError(given, "no such file or directory"))
            continue
        for f in files:
            item = read_file(f, max_bytes)
            if isinstance(item, TextInput):
                out.inputs.append(item)
            elif isinstance(item, InputError):
                out.errors.append(item)
            else:
                out.skipped.append(item)
    return out
