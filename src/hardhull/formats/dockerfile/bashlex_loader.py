"""Import bashlex without rebuilding its parse tables on every start.

bashlex ships PLY's yacc with table *reading* removed: every ``import bashlex`` builds the
LALR tables of its bash grammar from scratch (about 0.1 s, more than the rest of a typical
Dockerfile scan). :func:`load_bashlex` imports bashlex with its table generator replaced for
the duration of the import by one that takes the action and goto tables from a cache file
under ``$HARDHULL_CACHE_DIR`` (default ``$XDG_CACHE_HOME/hardhull`` or ``~/.cache/hardhull``),
written the first time the tables are built, and used only when its grammar signature (a hash
of bashlex's productions and precedence) is the one the installed bashlex builds. Otherwise
the tables are built as bashlex always does. No tables are shipped with hardhull (bashlex is
GPL-licensed: its generated tables stay on the user's machine); the site-packages directory
is never written to; a cache that cannot be read or written is ignored. bashlex's own
start-up logic (its "correction states" for command substitutions) runs unchanged on the
loaded tables.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import marshal
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

Tables = tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]

_LOCK = threading.Lock()
#: how the tables of the last load were obtained: "loaded" (already imported), "cache" or
#: "built"
last_source = ""


def grammar_signature(grammar: Any) -> str:
    """A hash of everything the LALR tables depend on: productions in order, precedence."""
    h = hashlib.sha256()
    for p in grammar.Productions:
        h.update(repr((p.name, tuple(p.prod), p.prec)).encode())
        h.update(b"\n")
    h.update(repr(sorted(grammar.Precedence.items())).encode())
    return h.hexdigest()


def cache_dir() -> Path:
    explicit = os.environ.get("HARDHULL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hardhull"


def _cache_file(signature: str) -> Path:
    return cache_dir() / f"bashlex-tables-{signature[:32]}.marshal"


def _read_cache(signature: str) -> Tables | None:
    try:
        data = marshal.loads(_cache_file(signature).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (
        isinstance(data, tuple)
        and len(data) == 3
        and data[0] == signature
        and isinstance(data[1], dict)
        and isinstance(data[2], dict)
    ):
        return data[1], data[2]
    return None


def _write_cache(signature: str, tables: Tables) -> None:
    target = _cache_file(signature)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".bashlex-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps((signature, tables[0], tables[1])))
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or missing home: build the tables again next time


def _table_class(base: Any, use_cache: bool) -> Any:
    class CachedLRTable(base):  # type: ignore[misc]
        """bashlex's LRTable, filled from stored tables when the grammar matches."""

        def __init__(self, grammar: Any, log: Any = None) -> None:
            global last_source
            signature = grammar_signature(grammar)
            tables = _read_cache(signature) if use_cache else None
            if tables is None:
                base.__init__(self, grammar, log)
                last_source = "built"
                if use_cache:
                    _write_cache(signature, (self.lr_action, self.lr_goto))
                return
            last_source = "cache"
            self.grammar = grammar
            self.log = log
            self.lr_action: dict[int, dict[str, int]] = tables[0]
            self.lr_goto: dict[int, dict[str, int]] = tables[1]
            self.lr_productions = grammar.Productions
            self.lr_goto_cache: dict[Any, Any] = {}
            self.lr0_cidhash: dict[Any, Any] = {}
            self._add_count = 0
            self.sr_conflict = 0
            self.rr_conflict = 0
            self.conflicts: list[Any] = []
            self.sr_conflicts: list[Any] = []
            self.rr_conflicts: list[Any] = []

    return CachedLRTable


def load_bashlex(use_cache: bool = True) -> ModuleType:
    """``import bashlex``, with its parse tables loaded rather than built when possible."""
    global last_source
    loaded = sys.modules.get("bashlex")
    if loaded is not None and hasattr(loaded, "parse"):
        last_source = last_source or "loaded"
        return loaded
    with _LOCK:
        loaded = sys.modules.get("bashlex")
        if loaded is not None and hasattr(loaded, "parse"):
            return loaded
        spec = importlib.util.find_spec("bashlex")
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return importlib.import_module("bashlex")  # raises the usual ImportError
        package = importlib.util.module_from_spec(spec)
        # the package is registered before its __init__ runs, as the import system does;
        # that lets bashlex.yacc load first so its table class can be swapped
        sys.modules["bashlex"] = package
        try:
            yacc: Any = importlib.import_module("bashlex.yacc")
            original = yacc.LRTable
            yacc.LRTable = _table_class(original, use_cache)
            try:
                spec.loader.exec_module(package)
            finally:
                yacc.LRTable = original
        except BaseException:
            for name in [n for n in sys.modules if n == "bashlex" or n.startswith("bashlex.")]:
                del sys.modules[name]
            raise
        return package
