"""Falco's rule language: load rule files unmodified, compile their conditions, render outputs.

Public API (modules):

- :mod:`hardhull.falco.loader` — ``load_files(paths) -> Ruleset``, ``load_text(text, name)``,
  ``expand_paths(["-r" args]) -> list[Path]``, :class:`Ruleset` (rules, lists, macros,
  diagnostics, ``rules_for(source, evt_type)``), :class:`Diagnostic`.
- :mod:`hardhull.falco.grammar` — ``parse(condition) -> Expr`` (Falco libs' filter grammar),
  the AST node classes, ``ConditionError`` (message + line/column inside the condition).
- :mod:`hardhull.falco.compile` — ``compile_condition(expr, ...) -> Evaluator``, the
  ``Extract`` callable type ``(field, arg) -> value | None``, ``CompileError``.
- :mod:`hardhull.falco.fields` — :class:`FieldInfo` and ``lookup(source, name)``, the fields
  each source (``syscall``, ``k8s_audit``) knows.
- :mod:`hardhull.falco.output` — ``compile_output(fmt, source) -> Formatter`` rendering
  ``%field``, ``%field[arg]`` and ``%transformer(field)`` with ``<NA>`` for missing values.

A library: no CLI, no event sources; it imports only ``hardhull.formats`` (YAML positions).
"""


class FalcoError(Exception):
    """Base of every error this package raises on bad rule content (never a traceback)."""
