"""Load Falco rule files unmodified: lists, macros, rules, overrides, exceptions, versions.

Public API:

- ``load_files(paths, *, sources=SOURCES) -> Ruleset``: the files in load order (what Falco
  does with several ``-r``); ``expand_paths(args) -> list[Path]`` turns ``-r FILE|DIR``
  arguments into files (a directory's regular files in name order, like Falco).
- ``load_texts([(name, text), …]) -> Ruleset``: the same from strings (tests, stdin).
- :class:`Ruleset`: ``rules`` (load order, enabled or not), ``lists``, ``macros``,
  ``diagnostics`` (:class:`Diagnostic`: errors and warnings naming file, line, column, item
  kind and name, with Falco's codes such as ``LOAD_ERR_COMPILE_CONDITION`` and
  ``LOAD_UNKNOWN_FILTER``), ``errors``/``warnings``, ``ok``, ``skipped`` (rules not run and
  why), ``rules_for(source, evt_type=None)``, ``match(source, extract, evt_type=None)``.
- :class:`Rule`: the merged rule (desc, condition, output, priority, source, tags, enabled,
  exceptions, warn_evttypes, skip_if_unknown_filter), its compiled ``evaluate(extract)`` and
  ``render(extract)``, ``evt_types``.
- ``ENGINE_VERSION``: the Falco engine version whose language this follows.

Semantics (Falco's rule_loader reader/collector/compiler): items are applied in load order; a
list, macro or rule defined again replaces the earlier one in place; ``append: true`` appends
``items`` (lists), ``condition`` (macros, with a space) or the rule's ``condition`` and
``exceptions``; ``override: {key: append|replace}`` appends or replaces the named keys (rules:
append ``condition``, ``output``, ``desc``, ``tags``, ``exceptions``; replace those and
``priority``, ``enabled``, ``warn_evttypes``, ``skip-if-unknown-filter``, ``capture``,
``capture_duration``); a rule item with only ``enabled`` switches an existing rule. Appending to
or overriding something not yet defined is an error. Lists expand the lists defined before
them; macros may use macros defined anywhere. Exceptions become ``and not (…)``: for a field
list, each value tuple is ``(f1 c1 v1 and f2 c2 v2 …)`` (comps default ``=``), for one field
``field comp (v1, v2, …)`` (comp defaults to ``in``); exceptions without values add nothing.
A rule whose condition names a field its source lacks is an error, or skipped with a
``LOAD_UNKNOWN_FILTER`` warning when it says ``skip-if-unknown-filter: true``; a rule of a
source hardhull does not know is skipped with ``LOAD_UNKNOWN_SOURCE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardhull.falco.compile import (
    CompileError,
    Evaluator,
    Extract,
    FastEvaluator,
    Fields,
    as_evaluator,
    check_fields,
    compile_batch,
    compile_fast,
    evt_types,
    field_values,
    resolve,
    unquote_item,
)
from hardhull.falco.fields import SOURCES
from hardhull.falco.grammar import (
    OPERATORS,
    And,
    Check,
    ConditionError,
    Expr,
    FieldRef,
    Ident,
    ListValue,
    Not,
    Or,
    Transform,
    Value,
    parse,
    walk,
)
from hardhull.falco.output import OutputError, compile_output
from hardhull.formats.yamlpos import YamlError, load_all, resolve_strings

ENGINE_VERSION = (0, 57, 0)

PRIORITIES = {
    "emergency": "Emergency",
    "alert": "Alert",
    "critical": "Critical",
    "error": "Error",
    "warning": "Warning",
    "notice": "Notice",
    "informational": "Informational",
    "info": "Informational",
    "debug": "Debug",
}

_TITLES = {
    "LOAD_ERR_FILE_READ": "Could not read file",
    "LOAD_ERR_YAML_PARSE": "Invalid yaml",
    "LOAD_ERR_YAML_VALIDATE": "Error validating internal structure of YAML file",
    "LOAD_ERR_COMPILE_CONDITION": "Error compiling condition",
    "LOAD_ERR_COMPILE_OUTPUT": "Error compiling output",
    "LOAD_ERR_VALIDATE": "Error validating rule/macro/list/exception objects",
    "LOAD_UNKNOWN_SOURCE": "Unknown event source",
    "LOAD_UNKNOWN_FILTER": "Unknown field or event-type in condition or output",
    "LOAD_UNKNOWN_ITEM": "Unknown rules file item",
    "LOAD_UNKNOWN_KEY": "Unknown key in rules file item",
    "LOAD_NO_EVTTYPE": "Condition has no event-type restriction",
    "LOAD_UNUSED_MACRO": "Unused macro",
    "LOAD_UNUSED_LIST": "Unused list",
    "LOAD_APPEND_NO_VALUES": "Overriding/appending with no values",
    "LOAD_DEPRECATED_ITEM": "Used deprecated item",
}

WARNING_APPEND = (
    "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under "
    "'override' instead."
)
WARNING_ENABLED = (
    "The standalone 'enabled' key usage is deprecated. The correct approach requires also a "
    "'replace' entry under the 'override' key (i.e. 'enabled: replace')."
)
_RE_IDENTIFIER = re.compile(r"[a-zA-Z]+[a-zA-Z0-9_]*")
_RE_BARESTR = re.compile(r"[^()\"'\s=,]+")

_LIST_KEYS = {"list", "items", "append", "override"}
_MACRO_KEYS = {"macro", "condition", "append", "override", "source"}
_RULE_KEYS = {
    "rule",
    "desc",
    "condition",
    "output",
    "priority",
    "source",
    "tags",
    "enabled",
    "exceptions",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "append",
    "override",
    "capture",
    "capture_duration",
}
_RULE_APPEND = {"condition", "output", "desc", "tags", "exceptions"}
_RULE_REPLACE = _RULE_APPEND | {
    "priority",
    "enabled",
    "warn_evttypes",
    "capture",
    "capture_duration",
    "skip-if-unknown-filter",
}
_LIST_OPS = ("in", "intersects", "pmatch")


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning, located as Falco locates it (file, line, column, item)."""

    level: str  # "error" | "warning"
    code: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    kind: str = ""
    name: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        item = f" {self.kind} '{self.name}':" if self.kind else ""
        title = _TITLES.get(self.code, "")
        return f"{where}: {self.level}: {self.code} ({title}):{item} {self.message}"


@dataclass
class Where:
    file: str
    line: int
    column: int
    text: str = ""  # the source line (to locate block scalars)


@dataclass
class RuleException:
    name: str
    fields: list[str] | str | None
    comps: list[str] | str | None
    values: list[Any]
    where: Where


@dataclass
class Rule:
    name: str
    desc: str = ""
    condition: str = ""
    output: str = ""
    priority: str = ""
    source: str = "syscall"
    tags: list[str] = field(default_factory=list)
    enabled: bool = True
    exceptions: list[RuleException] = field(default_factory=list)
    warn_evttypes: bool = True
    skip_if_unknown_filter: bool = False
    where: Where = field(default_factory=lambda: Where("", 0, 0))
    cond_where: Where | None = None
    #: set by compilation; ``None`` when the rule could not be compiled or was skipped
    evaluate: Evaluator | None = None
    #: the same condition over an event's :class:`~hardhull.falco.compile.Fields`
    fast: FastEvaluator | None = None
    #: the condition as compiled (macros, lists and exceptions resolved)
    resolved: Expr | None = None
    render: Any = None
    evt_types: frozenset[str] | None = None
    #: ``k8s_audit``: the ``ka.target.resource`` and ``ka.verb`` values the condition requires
    #: (``None``: any), for the index
    needs: tuple[frozenset[str] | None, frozenset[str] | None] = (None, None)
    expr: Expr | None = None
    skipped: str = ""

    @property
    def runnable(self) -> bool:
        return self.enabled and self.evaluate is not None


@dataclass
class _List:
    name: str
    items: list[str]
    where: Where
    used: bool = False


@dataclass
class _Macro:
    name: str
    condition: str
    where: Where
    cond_where: Where | None
    expr: Expr | None = None
    used: bool = False


class Ruleset:
    """Everything loaded from a sequence of rule files, compiled and indexed."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.lists: dict[str, list[str]] = {}
        self.macros: dict[str, str] = {}
        self.diagnostics: list[Diagnostic] = []
        self._index: dict[str, tuple[dict[str, list[Rule]], list[Rule], list[Rule]]] = {}
        #: k8s_audit candidates per (ka.target.resource, ka.verb) of the event
        self._k8s: dict[tuple[Any, Any], Callable[[Fields], list[Rule]]] = {}
        #: one generated function per distinct set of candidate rules (see compile_batch)
        self._batches: dict[tuple[int, ...], Callable[[Fields], list[Rule]]] = {}
        self._lists: dict[int, tuple[list[Rule], Callable[[Fields], list[Rule]]]] = {}

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped(self) -> list[Rule]:
        return [r for r in self.rules if r.skipped]

    def rules_for(self, source: str, evt_type: str | None = None) -> list[Rule]:
        """The enabled, compiled rules an event of ``source`` (and ``evt_type``) can match,
        in load order (precomputed: no work per event beyond two dictionary lookups)."""
        by_type, every, untyped = self._index.get(source, ({}, [], []))
        if evt_type is None:
            return every
        return by_type.get(evt_type, untyped)

    def match(self, source: str, extract: Extract, evt_type: str | None = None) -> list[Rule]:
        """The rules that fire for one event, in load order. ``k8s_audit`` events meet only
        the rules whose required ``ka.target.resource`` and ``ka.verb`` values (see
        :func:`~hardhull.falco.compile.field_values`) admit the event's (the candidate lists
        are kept per pair of values)."""
        rules = self.rules_for(source, evt_type)
        f = extract if isinstance(extract, Fields) else Fields(extract)
        if source == "k8s_audit" and rules:
            key = (f[_RESOURCE], f[_VERB])
            batch = self._k8s.get(key)
            if batch is None:
                batch = self._batch_of([r for r in rules if _admits(r.needs, key)])
                if len(self._k8s) < _MAX_KEYS:  # the values come from events: keep it bounded
                    self._k8s[key] = batch
            return batch(f)
        # the index's lists live as long as the ruleset: their ids are stable keys
        got = self._lists.get(id(rules))
        if got is None or got[0] is not rules:
            got = self._lists[id(rules)] = (rules, self._batch_of(rules))
        return got[1](f)

    def _batch_of(self, rules: list[Rule]) -> Callable[[Fields], list[Rule]]:
        """The generated function deciding ``rules`` in turn (compile_batch), made once per
        distinct set of rules (many index keys share one)."""
        runnable = [r for r in rules if r.fast is not None]
        ident = tuple(id(r) for r in runnable)
        batch = self._batches.get(ident)
        if batch is None:
            items = [(r.resolved, r, r.fast) for r in runnable if r.resolved is not None]
            if len(items) == len(runnable) and items:
                batch = compile_batch(items, runnable[0].source)  # type: ignore[arg-type]
            else:  # nothing to decide, or rules compiled some other way: a call each
                pairs = [(r, r.fast) for r in runnable]
                batch = lambda f: [r for r, g in pairs if g(f)]  # type: ignore[misc]  # noqa: E731
            self._batches[ident] = batch
        return batch

    def _build_index(self) -> None:
        """Per source: the rules for each ``evt.type`` (``syscall`` only), all of them, and the
        ones whose condition does not constrain the event type."""
        self._index = {}
        self._k8s = {}
        self._batches = {}
        self._lists = {}
        typed: dict[str, dict[str, list[Rule]]] = {}
        for rule in self.rules:
            if not rule.runnable:
                continue
            by_type, every, untyped = self._index.setdefault(rule.source, ({}, [], []))
            every.append(rule)
            if rule.source == "syscall" and rule.evt_types is not None:
                for t in rule.evt_types:
                    typed.setdefault(rule.source, {}).setdefault(t, []).append(rule)
            else:
                untyped.append(rule)
        for source, per_type in typed.items():
            by_type, every, untyped = self._index[source]
            for t, rules in per_type.items():
                members = {id(r) for r in rules} | {id(r) for r in untyped}
                by_type[t] = [r for r in every if id(r) in members]


_RESOURCE = ("ka.target.resource", None)
#: distinct (resource, verb) pairs whose candidates are kept (the rest are found per event)
_MAX_KEYS = 4096
_VERB = ("ka.verb", None)


def _admits(
    needs: tuple[frozenset[str] | None, frozenset[str] | None], key: tuple[Any, Any]
) -> bool:
    """Whether an event with these (resource, verb) values can satisfy a rule's needs: a
    required value set excludes a missing value (the check is false on it) and any other."""
    for need, value in zip(needs, key, strict=True):
        if need is not None and (not isinstance(value, str) or value not in need):
            return False
    return True


# ---------------------------------------------------------------------------------------
# paths


def expand_paths(args: Iterable[str | Path]) -> list[Path]:
    """``-r`` arguments as Falco reads them: a file as is, a directory's files in name order."""
    out: list[Path] = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            out.extend(sorted((c for c in p.iterdir() if c.is_file()), key=lambda c: c.name))
        else:
            out.append(p)
    return out


def load_files(paths: Sequence[str | Path], *, sources: Sequence[str] = SOURCES) -> Ruleset:
    """Load rule files (``-r`` arguments: files or directories) in order and compile them."""
    texts: list[tuple[str, str | None]] = []
    loader = _Loader(sources)
    for p in expand_paths(paths):
        try:
            texts.append((str(p), p.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            loader.error("LOAD_ERR_FILE_READ", f"{type(exc).__name__}: {exc}", Where(str(p), 0, 0))
    for name, text in texts:
        if text is not None:
            loader.read(name, text)
    return loader.finish()


def load_texts(texts: Sequence[tuple[str, str]], *, sources: Sequence[str] = SOURCES) -> Ruleset:
    """Like :func:`load_files` for ``(name, text)`` pairs."""
    loader = _Loader(sources)
    for name, text in texts:
        loader.read(name, text)
    return loader.finish()


#: the keys of an item Falco reads as booleans, and the texts yaml-cpp reads as each value
_BOOL_KEYS = ("enabled", "warn_evttypes", "skip-if-unknown-filter", "append", "capture")
_YAMLCPP_BOOL = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE"), True),
    **dict.fromkeys(("on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE"), False),
    **dict.fromkeys(("off", "Off", "OFF"), False),
}


def _yamlcpp_bools(item: dict[str, Any]) -> None:
    """The boolean keys of one item as yaml-cpp's ``as<bool>`` reads them (quoted or not);
    any other text stays, and is reported as not a boolean."""
    for key in _BOOL_KEYS:
        v = item.get(key)
        if isinstance(v, str) and v in _YAMLCPP_BOOL:
            item[key] = _YAMLCPP_BOOL[v]


def _parse_version(v: Any) -> tuple[int, int, int] | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return (0, v, 0)
    if not isinstance(v, str):
        return None
    parts = v.strip().split(".")
    try:
        nums = [int(x) for x in parts]
    except ValueError:
        return None
    if len(nums) == 1:
        return (0, nums[0], 0)
    while len(nums) < 3:
        nums.append(0)
    return (nums[0], nums[1], nums[2])


class _Loader:
    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = tuple(sources)
        self.rs = Ruleset()
        self.lists: dict[str, _List] = {}
        self.macros: dict[str, _Macro] = {}
        self.rules: dict[str, Rule] = {}
        self.order: list[str] = []  # rule names in definition order
        self.lines: list[str] = []

    # diagnostics -----------------------------------------------------------------------
    def error(self, code: str, msg: str, w: Where, kind: str = "", name: str = "") -> None:
        self.rs.diagnostics.append(
            Diagnostic("error", code, msg, w.file, w.line, w.column, kind, name)
        )

    def warn(self, code: str, msg: str, w: Where, kind: str = "", name: str = "") -> None:
        self.rs.diagnostics.append(
            Diagnostic("warning", code, msg, w.file, w.line, w.column, kind, name)
        )

    # reading ---------------------------------------------------------------------------
    def read(self, name: str, text: str) -> None:
        self.lines = text.splitlines()
        try:
            # plain scalars stay text, as yaml-cpp holds them (a rule named "Off", a list item
            # "yes" or "010"); the boolean keys are read below the way yaml-cpp converts
            docs = load_all(text, resolve=resolve_strings)
        except YamlError as exc:
            self.error("LOAD_ERR_YAML_PARSE", exc.message, Where(name, exc.line, exc.column))
            return
        for doc in docs:
            if doc.data is None:
                continue
            if not isinstance(doc.data, list):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    "Rules content is not yaml array of objects",
                    Where(name, doc.line, 1),
                )
                continue
            for i, item in enumerate(doc.data):
                line, col = doc.positions.get(f"/{i}", (doc.line, 1))
                w = Where(name, line, col)
                if not isinstance(item, dict):
                    self.error(
                        "LOAD_ERR_YAML_VALIDATE",
                        "Unexpected element type. Each element should be a yaml associative array.",
                        w,
                    )
                    continue
                _yamlcpp_bools(item)
                self.item(item, w, doc.positions, f"/{i}")

    def where(self, positions: dict[str, tuple[int, int]], ptr: str, default: Where) -> Where:
        pos = positions.get(ptr)
        if pos is None:
            return default
        line, col = pos
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Where(default.file, line, col, text)

    def item(
        self, item: dict[str, Any], w: Where, pos: dict[str, tuple[int, int]], ptr: str
    ) -> None:
        if "required_engine_version" in item:
            want = _parse_version(item["required_engine_version"])
            if want is None:
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"Value of required_engine_version must be a version string, "
                    f"not {item['required_engine_version']!r}",
                    w,
                    "required_engine_version",
                    str(item["required_engine_version"]),
                )
            elif want > ENGINE_VERSION:
                have = ".".join(map(str, ENGINE_VERSION))
                self.error(
                    "LOAD_ERR_VALIDATE",
                    f"Rules require engine version {'.'.join(map(str, want))}, "
                    f"but engine version is {have}",
                    w,
                    "required_engine_version",
                    str(item["required_engine_version"]),
                )
        elif "required_plugin_versions" in item:
            self.plugins(item["required_plugin_versions"], w)
        elif "list" in item:
            self.list_item(item, w, pos, ptr)
        elif "macro" in item:
            self.macro_item(item, w, pos, ptr)
        elif "rule" in item:
            self.rule_item(item, w, pos, ptr)
        else:
            keys = ", ".join(sorted(map(str, item))) or "(none)"
            self.warn("LOAD_UNKNOWN_ITEM", f"Unknown top level item (keys: {keys})", w)

    def plugins(self, value: Any, w: Where) -> None:
        kind = "required_plugin_versions"
        if not isinstance(value, list):
            self.error("LOAD_ERR_YAML_VALIDATE", "Value is not a sequence", w, kind)
            return
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                self.error("LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'name'", w, kind)
                continue
            if not isinstance(entry.get("version"), str | int | float):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    "Item has no mapping for key 'version'",
                    w,
                    kind,
                    entry["name"],
                )
            alts = entry.get("alternatives", [])
            if not isinstance(alts, list):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE", "Value is not a sequence", w, kind, entry["name"]
                )

    def name_of(self, item: dict[str, Any], key: str, w: Where) -> str | None:
        name = item.get(key)
        if not isinstance(name, str) or not name:
            self.error("LOAD_ERR_YAML_VALIDATE", f"Mapping for key '{key}' is empty", w, key)
            return None
        rx = {"macro": _RE_IDENTIFIER, "list": _RE_BARESTR}.get(key)
        if rx is not None and not rx.fullmatch(name):
            self.error(
                "LOAD_ERR_VALIDATE",
                f"{key.capitalize()} name is invalid. {key.capitalize()} names must match the "
                f"regular expression {rx.pattern}",
                w,
                key,
                name,
            )
            return None
        return name

    def overrides(
        self, item: dict[str, Any], kind: str, name: str, w: Where, allowed: dict[str, set[str]]
    ) -> dict[str, str] | None:
        """The ``override`` directives ({key: append|replace}); ``None`` after an error."""
        if item.get("append") is True:
            self.warn("LOAD_DEPRECATED_ITEM", WARNING_APPEND, w, kind, name)
        ov = item.get("override")
        if ov is None:
            return {}
        if item.get("append") is True:
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                "Keys 'override' and 'append: true' cannot be used together. Add an 'append' "
                "entry (e.g. 'condition: append') under 'override' instead.",
                w,
                kind,
                name,
            )
            return None
        if not isinstance(ov, dict) or not ov:
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                "Value of 'override' must be a non-empty map",
                w,
                kind,
                name,
            )
            return None
        out: dict[str, str] = {}
        for key, how in ov.items():
            if how not in ("append", "replace"):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"Invalid override '{how}' for key '{key}': must be 'append' or 'replace'",
                    w,
                    kind,
                    name,
                )
                return None
            if key not in allowed[how]:
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"Key '{key}' cannot be overridden with '{how}'; "
                    f"{how} is allowed for: {', '.join(sorted(allowed[how]))}",
                    w,
                    kind,
                    name,
                )
                return None
            if key not in item:
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"An override is specified for key '{key}' but the item has no '{key}'",
                    w,
                    kind,
                    name,
                )
                return None
            out[key] = how
        overridable = allowed["append"] | allowed["replace"]
        for key in item:
            if key in overridable and key not in out:
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"Unexpected key '{key}': no corresponding entry under 'override' is defined.",
                    w,
                    kind,
                    name,
                )
                return None
        return out

    def undefined(self, kind: str, how: str, w: Where, name: str) -> None:
        self.error(
            "LOAD_ERR_VALIDATE",
            f"{kind.capitalize()} has 'append' key or an '{how}' override but no {kind} by "
            "that name already exists",
            w,
            kind,
            name,
        )

    def unknown_keys(
        self, item: dict[str, Any], known: set[str], w: Where, kind: str, name: str
    ) -> None:
        for key in item:
            if key not in known:
                self.warn("LOAD_UNKNOWN_KEY", f"Unknown key '{key}'", w, kind, name)

    # lists -----------------------------------------------------------------------------
    def list_item(
        self, item: dict[str, Any], w: Where, pos: dict[str, tuple[int, int]], ptr: str
    ) -> None:
        name = self.name_of(item, "list", w)
        if name is None:
            return
        self.unknown_keys(item, _LIST_KEYS, w, "list", name)
        ov = self.overrides(item, "list", name, w, {"append": {"items"}, "replace": {"items"}})
        if ov is None:
            return
        items = item.get("items")
        if items is None and "items" not in item:
            self.error(
                "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'items'", w, "list", name
            )
            return
        if items is None:
            items = []
        if not isinstance(items, list) or any(isinstance(x, dict | list) for x in items):
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                "Value of 'items' must be a sequence of strings",
                w,
                "list",
                name,
            )
            return
        strs = [_scalar_text(x) for x in items]
        append = item.get("append") is True or ov.get("items") == "append"
        prev = self.lists.get(name)
        if append or ov:
            if prev is None:
                how = "append" if append else "replace"
                self.undefined("list", how, w, name)
                return
            if not strs:
                self.warn(
                    "LOAD_APPEND_NO_VALUES",
                    "Overriding/appending list with no values",
                    w,
                    "list",
                    name,
                )
            prev.items = prev.items + strs if append else strs
            return
        if prev is not None:
            prev.items, prev.where = strs, w
            return
        self.lists[name] = _List(name, strs, w)

    # macros ----------------------------------------------------------------------------
    def macro_item(
        self, item: dict[str, Any], w: Where, pos: dict[str, tuple[int, int]], ptr: str
    ) -> None:
        name = self.name_of(item, "macro", w)
        if name is None:
            return
        self.unknown_keys(item, _MACRO_KEYS, w, "macro", name)
        ov = self.overrides(
            item, "macro", name, w, {"append": {"condition"}, "replace": {"condition"}}
        )
        if ov is None:
            return
        cond = item.get("condition")
        if not isinstance(cond, str) or not cond.strip():
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                "Item has no mapping for key 'condition'",
                w,
                "macro",
                name,
            )
            return
        cw = self.where(pos, f"{ptr}/condition", w)
        append = item.get("append") is True or ov.get("condition") == "append"
        prev = self.macros.get(name)
        if append or ov:
            if prev is None:
                how = "append" if append else "replace"
                self.undefined("macro", how, w, name)
                return
            prev.condition = prev.condition + " " + cond if append else cond
            if not append:
                prev.cond_where = cw
            return
        if prev is not None:
            prev.condition, prev.where, prev.cond_where = cond, w, cw
            return
        self.macros[name] = _Macro(name, cond, w, cw)

    # rules -----------------------------------------------------------------------------
    def rule_item(
        self, item: dict[str, Any], w: Where, pos: dict[str, tuple[int, int]], ptr: str
    ) -> None:
        name = self.name_of(item, "rule", w)
        if name is None:
            return
        self.unknown_keys(item, _RULE_KEYS, w, "rule", name)
        ov = self.overrides(
            item, "rule", name, w, {"append": _RULE_APPEND, "replace": _RULE_REPLACE}
        )
        if ov is None:
            return
        prev = self.rules.get(name)
        cw = self.where(pos, f"{ptr}/condition", w)
        exceptions = self.read_exceptions(item, w, name, pos, ptr)
        if exceptions is None:
            return
        if not self.check_types(item, w, name):
            return
        if ov or item.get("append") is True:
            if prev is None:
                how = (
                    "append" if item.get("append") is True or "append" in ov.values() else "replace"
                )
                self.undefined("rule", how, w, name)
                return
            if item.get("append") is True:
                # the deprecated form appends the condition and the exceptions, nothing else
                ov = {k: "append" for k in ("condition", "exceptions") if k in item}
            self.apply_override(prev, item, ov, exceptions, w, cw)
            return
        defining = any(k in item for k in ("condition", "output", "desc", "priority"))
        if not defining and "enabled" in item:
            if prev is None:
                self.error(
                    "LOAD_ERR_VALIDATE",
                    "Rule has 'enabled' key but no rule by that name already exists",
                    w,
                    "rule",
                    name,
                )
                return
            prev.enabled = bool(item["enabled"])
            self.warn("LOAD_DEPRECATED_ITEM", WARNING_ENABLED, w, "rule", name)
            return
        for key in ("condition", "output", "desc", "priority"):
            if not isinstance(item.get(key), str) or (key == "condition" and not item[key].strip()):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"Item has no mapping for key '{key}'",
                    w,
                    "rule",
                    name,
                )
                return
        priority = self.priority(item["priority"], w, name)
        if priority is None:
            return
        for ex in exceptions:
            if ex.fields is None:
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    f"Rule exception '{ex.name}' must have fields property with a list of fields",
                    ex.where,
                    "rule",
                    name,
                )
                return
        rule = Rule(
            name=name,
            desc=item["desc"],
            condition=item["condition"],
            output=item["output"].strip(),
            priority=priority,
            source=str(item.get("source", "syscall")),
            tags=[_scalar_text(t) for t in item.get("tags") or []],
            enabled=bool(item.get("enabled", True)),
            exceptions=exceptions,
            warn_evttypes=bool(item.get("warn_evttypes", True)),
            skip_if_unknown_filter=bool(item.get("skip-if-unknown-filter", False)),
            where=w,
            cond_where=cw,
        )
        if prev is not None:
            self.rules[name] = rule
        else:
            self.rules[name] = rule
            self.order.append(name)

    def check_types(self, item: dict[str, Any], w: Where, name: str) -> bool:
        for key in ("enabled", "warn_evttypes", "skip-if-unknown-filter", "append", "capture"):
            if key in item and not isinstance(item[key], bool):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE", f"Value of '{key}' must be a boolean", w, "rule", name
                )
                return False
        if "tags" in item and not (
            isinstance(item["tags"], list)
            and all(not isinstance(t, dict | list) for t in item["tags"])
        ):
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                "Value of 'tags' must be a sequence of strings",
                w,
                "rule",
                name,
            )
            return False
        for key in ("desc", "output", "condition", "source"):
            if key in item and item[key] is not None and not isinstance(item[key], str):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE", f"Value of '{key}' must be a string", w, "rule", name
                )
                return False
        return True

    def priority(self, value: Any, w: Where, name: str) -> str | None:
        p = PRIORITIES.get(str(value).strip().lower())
        if p is None:
            self.error("LOAD_ERR_VALIDATE", f"Invalid priority '{value}'", w, "rule", name)
        return p

    def apply_override(
        self,
        prev: Rule,
        item: dict[str, Any],
        ov: dict[str, str],
        exceptions: list[RuleException],
        w: Where,
        cw: Where,
    ) -> None:
        for key, how in ov.items():
            value = item[key]
            if key == "condition":
                if how == "append":
                    prev.condition = prev.condition + " " + value
                else:
                    prev.condition, prev.cond_where = value, cw
            elif key in ("output", "desc"):
                prev_val = getattr(prev, key)
                text = value.strip() if key == "output" else value
                setattr(prev, key, prev_val + " " + text if how == "append" else text)
            elif key == "tags":
                tags = [_scalar_text(t) for t in value or []]
                prev.tags = prev.tags + tags if how == "append" else tags
            elif key == "exceptions":
                if how == "replace":
                    prev.exceptions = []
                for ex in exceptions:
                    self.merge_exception(prev, ex, how == "append")
            elif key == "priority":
                p = self.priority(value, w, prev.name)
                if p is not None:
                    prev.priority = p
            elif key == "enabled":
                prev.enabled = bool(value)
            elif key == "warn_evttypes":
                prev.warn_evttypes = bool(value)
            elif key == "skip-if-unknown-filter":
                prev.skip_if_unknown_filter = bool(value)

    def merge_exception(self, rule: Rule, ex: RuleException, append: bool) -> None:
        for old in rule.exceptions:
            if old.name == ex.name and append:
                if ex.fields is not None and ex.fields != old.fields:
                    self.error(
                        "LOAD_ERR_VALIDATE",
                        f"Can not append exception '{ex.name}': fields differ from the existing "
                        "exception's",
                        ex.where,
                        "rule",
                        rule.name,
                    )
                    return
                old.values = old.values + ex.values
                return
        if ex.fields is None:
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                f"Rule exception '{ex.name}' must have fields property with a list of fields",
                ex.where,
                "rule",
                rule.name,
            )
            return
        rule.exceptions.append(ex)

    def read_exceptions(
        self, item: dict[str, Any], w: Where, name: str, pos: dict[str, tuple[int, int]], ptr: str
    ) -> list[RuleException] | None:
        raw = item.get("exceptions")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                "Value of 'exceptions' must be a sequence",
                w,
                "rule",
                name,
            )
            return None
        out: list[RuleException] = []
        seen: set[str] = set()
        for i, ex in enumerate(raw):
            ew = self.where(pos, f"{ptr}/exceptions/{i}", w)
            if not isinstance(ex, dict):
                self.error(
                    "LOAD_ERR_YAML_VALIDATE", "Rule exception must be a map", ew, "rule", name
                )
                return None
            ename = ex.get("name")
            if not isinstance(ename, str) or not ename:
                self.error(
                    "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'name'", ew, "rule", name
                )
                return None
            if ename in seen:
                self.error(
                    "LOAD_ERR_VALIDATE",
                    f"Multiple definitions of exception '{ename}' in the same rule",
                    ew,
                    "rule",
                    name,
                )
                return None
            seen.add(ename)
            fields = ex.get("fields")
            comps = ex.get("comps")
            values = ex.get("values", [])
            if values is None:
                values = []
            bad = self.check_exception(ename, fields, comps, values)
            if bad:
                self.error(
                    "LOAD_ERR_VALIDATE", f"Rule exception '{ename}': {bad}", ew, "rule", name
                )
                return None
            out.append(RuleException(ename, fields, comps, list(values), ew))
        return out

    @staticmethod
    def check_exception(name: str, fields: Any, comps: Any, values: Any) -> str:
        if not isinstance(values, list):
            return "values must be a sequence"
        if fields is None:
            if comps is not None:
                return "comps given without fields"
            return ""
        if isinstance(fields, list):
            if not fields or not all(isinstance(f, str) for f in fields):
                return "fields must be a string or a non-empty sequence of strings"
            if comps is None:
                comps_l = ["="] * len(fields)
            elif isinstance(comps, list) and all(isinstance(c, str) for c in comps):
                comps_l = comps
            else:
                return "comps must be a sequence when fields is a sequence"
            if len(comps_l) != len(fields):
                return "fields and comps lists must have equal length"
            for c in comps_l:
                if c not in OPERATORS:
                    return f"comparison operator '{c}' is not a supported comparison operator"
            for v in values:
                if not isinstance(v, list) or len(v) != len(fields):
                    return (
                        "Fields and values lists must have equal length "
                        f"(values must be sequences of {len(fields)} items, one per field)"
                    )
            return ""
        if not isinstance(fields, str):
            return "fields must be a string or a sequence of strings"
        if comps is not None and not isinstance(comps, str):
            return "comps must be a string when fields is a string"
        if comps is not None and comps not in OPERATORS:
            return f"comparison operator '{comps}' is not a supported comparison operator"
        return ""

    # compiling -------------------------------------------------------------------------
    def finish(self) -> Ruleset:
        rs = self.rs
        # lists: each expands the lists defined before it
        expanded: dict[str, list[str]] = {}
        for lst in self.lists.values():
            items: list[str] = []
            for it in lst.items:
                ref = expanded.get(it)
                if ref is not None:
                    self.lists[it].used = True
                    items.extend(ref)
                else:
                    items.append(unquote_item(it))
            expanded[lst.name] = items
        rs.lists = expanded
        # macros: parse each (syntax errors name the macro)
        parsed: dict[str, Expr] = {}
        for m in self.macros.values():
            try:
                m.expr = parse(m.condition)
            except ConditionError as exc:
                self.error(
                    "LOAD_ERR_COMPILE_CONDITION",
                    exc.message,
                    _cond_pos(m.cond_where or m.where, exc.line, exc.column),
                    "macro",
                    m.name,
                )
                continue
            # a macro sees the macros defined before it (Falco's visibility order)
            try:
                resolve(m.expr, parsed, expanded)
            except CompileError as exc:
                where = m.cond_where or m.where
                self.error("LOAD_ERR_VALIDATE", exc.message, where, "macro", m.name)
            parsed[m.name] = m.expr
        rs.macros = {m.name: m.condition for m in self.macros.values()}
        for name in self.order:
            rule = self.rules[name]
            rs.rules.append(rule)
            self.compile_rule(rule, parsed, expanded)
        self.mark_used(parsed)
        for m in self.macros.values():
            if not m.used:
                self.warn(
                    "LOAD_UNUSED_MACRO",
                    "Macro not referred to by any other rule/macro",
                    m.where,
                    "macro",
                    m.name,
                )
        for lst in self.lists.values():
            if not lst.used:
                self.warn(
                    "LOAD_UNUSED_LIST",
                    "List not referred to by any other rule/macro",
                    lst.where,
                    "list",
                    lst.name,
                )
        rs._build_index()
        return rs

    def mark_used(self, parsed: dict[str, Expr]) -> None:
        todo: list[Expr] = []
        for rule in self.rules.values():
            if rule.expr is not None:
                todo.append(rule.expr)
        seen: set[str] = set()
        while todo:
            expr = todo.pop()
            for node in _iter(expr):
                if isinstance(node, Ident) and node.name in parsed and node.name not in seen:
                    seen.add(node.name)
                    self.macros[node.name].used = True
                    todo.append(parsed[node.name])
                elif isinstance(node, Check):
                    r = node.right
                    names = (
                        r.items
                        if isinstance(r, ListValue)
                        else [r.text]
                        if isinstance(r, Value)
                        else []
                    )
                    for n in names:
                        if n in self.lists:
                            self.lists[n].used = True

    def compile_rule(
        self, rule: Rule, macros: dict[str, Expr], lists: dict[str, list[str]]
    ) -> None:
        cw = rule.cond_where or rule.where
        if rule.source not in self.sources:
            rule.skipped = f"unknown source {rule.source}"
            self.warn(
                "LOAD_UNKNOWN_SOURCE",
                f"Unknown source {rule.source}, skipping",
                rule.where,
                "rule",
                rule.name,
            )
            return
        try:
            base = parse(rule.condition)
        except ConditionError as exc:
            self.error(
                "LOAD_ERR_COMPILE_CONDITION",
                exc.message,
                _cond_pos(cw, exc.line, exc.column),
                "rule",
                rule.name,
            )
            return
        rule.expr = base
        try:
            exc_expr = self.exceptions_expr(rule)
        except (ConditionError, CompileError) as exc:
            self.error("LOAD_ERR_VALIDATE", str(exc), rule.where, "rule", rule.name)
            return
        full: Expr = base if exc_expr is None else And([base, Not(exc_expr, base_pos(base))])
        try:
            # the rule's own checks first, so that their errors point into its condition
            precise = True
            _own_checks(base, macros, rule.source)
            precise = False
            resolved = resolve(full, macros, lists)
            rule.fast = compile_fast(resolved, rule.source)
            rule.resolved = resolved
            rule.evaluate = as_evaluator(rule.fast)
        except CompileError as exc:
            if exc.unknown_field is not None and rule.skip_if_unknown_filter:
                rule.skipped = f"unknown field {exc.unknown_field}"
                self.warn(
                    "LOAD_UNKNOWN_FILTER",
                    f"{exc.message}; rule skipped (skip-if-unknown-filter: true)",
                    rule.where,
                    "rule",
                    rule.name,
                )
                return
            # a failing check that comes from a macro or an exception: the condition's start
            code = (
                "LOAD_ERR_VALIDATE"
                if exc.message.startswith("Undefined macro")
                else "LOAD_ERR_COMPILE_CONDITION"
            )
            where = cw
            if precise and exc.pos is not None:
                where = _cond_pos(cw, exc.pos.line, exc.pos.column)
            self.error(code, exc.message, where, "rule", rule.name)
            return
        rule.evt_types = evt_types(resolved) if rule.source == "syscall" else None
        if rule.source == "k8s_audit":
            rule.needs = (
                field_values(resolved, "ka.target.resource"),
                field_values(resolved, "ka.verb"),
            )
        if rule.source == "syscall" and rule.evt_types is None and rule.warn_evttypes:
            self.warn(
                "LOAD_NO_EVTTYPE",
                "Rule matches too many evt.type values. "
                "This has a significant performance penalty.",
                rule.where,
                "rule",
                rule.name,
            )
        try:
            # Falco replaces the legacy %container.info with its (empty by default) extra format
            output = rule.output.replace("%container.info", "").strip()
            rule.render = compile_output(output, rule.source)
        except OutputError as exc:
            if exc.unknown_field is not None and rule.skip_if_unknown_filter:
                rule.evaluate = None
                rule.fast = None
                rule.skipped = f"unknown field {exc.unknown_field}"
                self.warn(
                    "LOAD_UNKNOWN_FILTER", f"{exc}; rule skipped", rule.where, "rule", rule.name
                )
                return
            rule.evaluate = None
            rule.fast = None
            self.error("LOAD_ERR_COMPILE_OUTPUT", str(exc), rule.where, "rule", rule.name)

    def exceptions_expr(self, rule: Rule) -> Expr | None:
        alts: list[Expr] = []
        for ex in rule.exceptions:
            if not ex.values:
                continue
            if isinstance(ex.fields, list):
                alts.extend(_exception_check(ex, v) for v in ex.values)
            else:
                alts.append(_single_check(ex))
        if not alts:
            return None
        return alts[0] if len(alts) == 1 else Or(alts, base_pos(alts[0]))


def _own_checks(expr: Expr, macros: dict[str, Expr], source: str) -> None:
    """Fields and macro names written in a condition itself (not in the macros it uses)."""
    for node in walk(expr):
        if isinstance(node, Ident) and node.name not in macros:
            raise CompileError(f"Undefined macro '{node.name}' used in filter.", node.pos)
    check_fields(expr, source)


def _iter(expr: Expr) -> Iterator[Expr]:
    return walk(expr)


def base_pos(expr: Expr) -> Any:
    return expr.pos


def _scalar_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _field(text: str) -> FieldRef | Transform:
    """An exception's field (``proc.aname[2]``), parsed with the condition grammar."""
    expr = parse(f"{text} exists")
    if not isinstance(expr, Check):
        raise ConditionError(f"invalid exception field '{text}'")
    return expr.left


def _value(v: Any, comp: str, at: Any) -> Value | ListValue:
    if comp in _LIST_OPS:
        if isinstance(v, list):
            return ListValue([unquote_item(_scalar_text(x)) for x in v], at)
        text = _scalar_text(v).strip()
        if text.startswith("("):
            chk = parse(f"x.x in {text}")
            assert isinstance(chk, Check) and isinstance(chk.right, ListValue)
            return chk.right
        return Value(text, at, ident=True)
    if isinstance(v, list):
        raise ConditionError(
            f"a list value needs an 'in', 'intersects' or 'pmatch' comparison, not '{comp}'"
        )
    return Value(unquote_item(_scalar_text(v)), at)


def _exception_check(ex: RuleException, v: Any) -> Expr:
    if isinstance(ex.fields, list):  # one (f1 c1 v1 and f2 c2 v2 …) per value tuple
        comps = ex.comps if isinstance(ex.comps, list) else ["="] * len(ex.fields)
        parts: list[Expr] = []
        for f, c, val in zip(ex.fields, comps, v, strict=True):
            left = _field(f)
            parts.append(Check(left, c, _value(val, c, left.pos), left.pos))
        return parts[0] if len(parts) == 1 else And(parts, parts[0].pos)
    raise AssertionError("tuple form needs a field list")  # pragma: no cover


def _single_check(ex: RuleException) -> Expr:
    """Falco's one-field form: ``field comp (v1, v2, …)``; values are scalars."""
    assert isinstance(ex.fields, str)
    comp = ex.comps if isinstance(ex.comps, str) else "in"
    if any(isinstance(v, list | dict) for v in ex.values):
        raise ConditionError("Expected values array to contain a list of strings")
    if comp not in _LIST_OPS:
        raise ConditionError(
            f"a one-field exception compares with a list: '{comp}' needs a field list "
            "(fields: [...]) or one of 'in', 'intersects', 'pmatch'"
        )
    left = _field(ex.fields)
    items = [unquote_item(_scalar_text(x)) for x in ex.values]
    return Check(left, comp, ListValue(items, left.pos), left.pos)


def _cond_pos(w: Where, line: int, column: int) -> Where:
    """Where a position inside a condition is in the file (block scalars start a line later)."""
    text = w.text
    rest = text.split(":", 1)[1].strip() if ":" in text else ""
    if rest[:1] in (">", "|"):
        return Where(w.file, w.line + line, column + 4 if line == 1 else column, w.text)
    if line == 1:
        start = len(text) - len(text.split(":", 1)[1].lstrip()) if ":" in text else w.column - 1
        return Where(w.file, w.line, start + column, w.text)
    return Where(w.file, w.line + line - 1, column, w.text)
