"""How the control-plane rules read flags, and the table that the same-shaped ones are.

Every control-plane check reads the flags of the object's control-plane containers
(:func:`component_flags`, parsed once per object through its context). Many rules say the same
thing of different flags: "boolean flag X must be Y", "flags A, B must be set", "admission
plugin P must (not) be enabled". Such a rule is one :func:`flag_rule` call: its metadata, the
components it concerns and its expectations (:class:`BooleanFlag`, :class:`RequiredFlags`,
:class:`AdmissionPlugin`), all judged by one generic check. Rules whose logic differs keep a
check function of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from hardhull.context import ObjectContext
from hardhull.model import Rule, Violation
from hardhull.models.control_plane import Flags, control_plane_flags
from hardhull.registry import Target, check

#: the components a row concerns (``component_flags`` takes the same names)
APISERVER = ("kube-apiserver",)
CONTROLLER_MANAGER = ("kube-controller-manager",)
ETCD = ("etcd",)
#: addresses that listen on the node itself only
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def component_flags(ctx: ObjectContext, *components: str) -> Iterator[Flags]:
    """The flags of the object's control-plane containers of these components (computed once
    per object, for all the A rules)."""
    for f in ctx.derived(control_plane_flags):
        if f.component in components:
            yield f


def flag_list(names: Iterable[str]) -> str:
    """``--a, --b``: flags named in a message."""
    return ", ".join(f"--{n}" for n in names)


class Expectation(Protocol):
    """One row's judgement of one container's flags: (pointer, message) per finding, the
    message without the container's label."""

    def findings(self, f: Flags) -> Iterator[tuple[str, str]]: ...


def _harm(text: str) -> str:
    return f": {text}" if text else ""


@dataclass(frozen=True)
class BooleanFlag:
    """``--flag`` (or the ``env`` variable, which the flag overrides) should be ``want``.

    Set to the other value: a finding on the flag (``wrong``, by default
    ``sets --flag=<other value>``). Not set (or not a boolean): a finding on the flag or the
    command only with ``unset`` (``does not set --flag=<want>``), for flags whose default is
    the other value. ``harm`` ends both messages.
    """

    flag: str
    want: bool
    unset: bool
    env: str = ""
    wrong: str = ""
    harm: str = ""

    def findings(self, f: Flags) -> Iterator[tuple[str, str]]:
        value, ptr = f.boolean(self.flag, self.env)
        if value is self.want:
            return
        if value is (not self.want):
            wrong = self.wrong or f"sets --{self.flag}={str(value).lower()}"
            yield ptr, wrong + _harm(self.harm)
        elif self.unset:
            how = f"does not set --{self.flag}={str(self.want).lower()}"
            yield ptr or f.anchor, how + _harm(self.harm)


@dataclass(frozen=True)
class RequiredFlags:
    """Each of ``flags`` should be set to a non-empty value: one finding on the command naming
    those that are not."""

    flags: tuple[str, ...]
    harm: str = ""

    def findings(self, f: Flags) -> Iterator[tuple[str, str]]:
        missing = [n for n in self.flags if not f.scalar(n)[0]]
        if missing:
            yield f.anchor, f"sets no {flag_list(missing)}" + _harm(self.harm)


@dataclass(frozen=True)
class AdmissionPlugin:
    """kube-apiserver's ``--enable-admission-plugins`` should (``enabled``) or should not list
    ``plugin``. Missing: a finding on the last such flag, or on the command when there is none;
    listed: a finding on the first flag that lists it."""

    plugin: str
    enabled: bool

    def findings(self, f: Flags) -> Iterator[tuple[str, str]]:
        plugins = f.values("enable-admission-plugins")
        listed = [flag for name, flag in plugins if name == self.plugin]
        if self.enabled and not listed:
            where = plugins[-1][1].pointer if plugins else f.anchor
            yield where, f"does not enable the {self.plugin} admission plugin"
        elif not self.enabled and listed:
            yield listed[0].pointer, f"enables the {self.plugin} admission plugin"


@dataclass(frozen=True)
class FlagRule:
    """One row of the table: ``rule`` reports what its expectations find on each container of
    ``components``."""

    rule: Rule
    components: tuple[str, ...]
    expect: tuple[Expectation, ...]

    def __call__(self, obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
        for f in component_flags(ctx, *self.components):
            for e in self.expect:
                for ptr, message in e.findings(f):
                    yield Violation(self.rule.code, ptr, f"{f.label()} {message}")


def flag_rule(rule: Rule, components: tuple[str, ...], *expect: Expectation) -> FlagRule:
    """Register the table row of ``rule``: the generic check, named after the rule's slug."""
    row = FlagRule(rule, components, expect)

    def fn(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
        return row(obj, ctx)

    fn.__name__ = fn.__qualname__ = rule.slug.replace("-", "_")
    check(rule, on=Target.OBJECT, context=True)(fn)
    return row
