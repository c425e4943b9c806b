"""The rules: every module below this package registers its rules and checks with
:mod:`hardhull.registry` when it is imported.

A rule module holds one topic: the :class:`~hardhull.model.Rule` values of that topic (written
with a :class:`~hardhull.rulekit.RuleFamily`) and, beside each, the check that reports it,
decorated with ``@check(RULE, on=Target.X)``. A family is a package here (``kubernetes``,
``dockerfile``, …); adding a module to it is all it takes. :func:`load_all` imports every
module; :func:`load_for` only the families whose checks look at one target (a scan of one
Dockerfile does not load the RBAC analysis), as listed in :data:`FAMILIES`: a new family, or a
family's first check over another target, is listed there (a test checks the list).
"""

from __future__ import annotations

import importlib
import pkgutil

from hardhull.model import Rule
from hardhull.registry import RULES, Check, Target, checks_for

#: target → the rule families (packages of this one) with checks over it
FAMILIES: dict[Target, tuple[str, ...]] = {
    Target.OBJECT: ("cluster", "kubernetes", "secrets"),
    Target.WORKLOAD: ("kubernetes",),
    Target.SET: ("netpol", "rbac"),
    Target.TEXT: ("secrets",),
    Target.DOCKERFILE: ("dockerfile",),
    Target.COMPOSE: ("compose",),
    Target.DAEMON: ("daemon",),
    Target.IMAGE: ("image",),
    Target.PACKAGES: ("vuln",),
}

_loaded: set[str] = set()


def _load_family(name: str) -> None:
    if name in _loaded:
        return
    package = importlib.import_module(f"{__name__}.{name}")
    path = getattr(package, "__path__", None)
    if path is not None:
        for info in sorted(pkgutil.walk_packages(path, f"{package.__name__}."), key=_name):
            importlib.import_module(info.name)
    _loaded.add(name)


def _name(info: pkgutil.ModuleInfo) -> str:
    return info.name


def load_for(target: Target) -> None:
    """Import the rule families with checks over ``target`` (registration happens at import)."""
    for name in FAMILIES[target]:
        _load_family(name)


def checks(target: Target, family: str | None = None) -> list[Check]:
    """The checks over ``target`` (of one family, if given) in code order, their families
    loaded first: what the engine runs, whatever was imported before."""
    load_for(target)
    return checks_for(target, family)


def load_all() -> dict[str, Rule]:
    """Import every rule module once; every rule by code."""
    for info in pkgutil.iter_modules(__path__):
        _load_family(info.name)
    return RULES


#: every rule by code, loading the rule modules first
all_rules = load_all
