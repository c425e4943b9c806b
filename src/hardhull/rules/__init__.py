"""The rules: every module below this package registers its rules and checks with
:mod:`hardhull.registry` when it is imported.

A rule module holds one topic: the :class:`~hardhull.model.Rule` values of that topic (written
with a :class:`~hardhull.rulekit.RuleFamily`) and, beside each, the check that reports it,
decorated with ``@check(RULE, on=Target.X)``. Adding a module (or a package of them) here is
all it takes: :func:`load_all` imports every one of them.
"""

from __future__ import annotations

from hardhull.model import Rule

_loaded = False


def load_all() -> dict[str, Rule]:
    """Import every rule module once (registration happens at import); every rule by code."""
    global _loaded
    from hardhull.registry import RULES

    if not _loaded:
        # imported here, not at the top: a CLI start-up that needs no rule loads none
        import importlib
        import pkgutil

        names = sorted(m.name for m in pkgutil.walk_packages(__path__, f"{__name__}."))
        for name in names:
            importlib.import_module(name)
        _loaded = True
    return RULES


#: every rule by code, loading the rule modules first
all_rules = load_all
