"""What a check may know beyond its subject: derived data shared by the checks that need it,
and the facts of the whole scan.

A context is made by whoever runs the checks (a front end, the set phase, the admission
webhook) and lives as long as its subject. :meth:`Context.derived` computes a function of the
subject once and hands the same value to every check that asks (the RBAC analysis of a set,
the control-plane flags of a pod, the Workload view of an object), so checks share work without
module-level caches.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hardhull.models.workload import Workload
from hardhull.pss.levels import LATEST_MINOR, LevelVersion

T = TypeVar("T")


@dataclass(frozen=True)
class ScanFacts:
    """Facts about the whole scanned set that per-object checks need, learned before they run
    (a pre-pass over the inputs) or given by the caller (the webhook's policy)."""

    #: namespace → the Pod Security level its Namespace object enforces
    namespace_levels: dict[str, LevelVersion] = field(default_factory=dict)
    #: the level of a namespace the scanned set says nothing about
    pss_default: LevelVersion = field(
        default_factory=lambda: LevelVersion("restricted", LATEST_MINOR)
    )
    #: (namespace, name) of the ServiceAccounts of the set that turn the token mount off
    tokenless_service_accounts: frozenset[tuple[str, str]] = frozenset()
    #: who chose ``pss_default`` ("the policy", "--pss-level", …); "" when it is the default
    pss_origin: str = ""
    #: ``pss_default`` holds in every namespace, as the admission webhook enforces it: a
    #: namespace label with a laxer level does not lower it (scan gating on a policy)
    pss_floor: bool = False


class Context:
    """Derived data of one subject, each computed once."""

    def __init__(self, facts: ScanFacts | None = None) -> None:
        self.facts = facts if facts is not None else ScanFacts()
        self._derived: dict[Callable[..., Any], Any] = {}

    def derived(self, fn: Callable[[Any], T]) -> T:
        """``fn(subject)``, computed on the first call and shared by every later one."""
        try:
            return self._derived[fn]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[fn] = fn(self.subject)
            return value

    def derived_from(self, fn: Callable[[Any], T]) -> T:
        """``fn(context)``, for what needs more of the context than its subject (computed
        once, like :meth:`derived`)."""
        try:
            return self._derived[fn]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[fn] = fn(self)
            return value

    @property
    def subject(self) -> Any:
        raise NotImplementedError


class ObjectContext(Context):
    """One Kubernetes object."""

    def __init__(
        self,
        obj: dict[str, Any],
        facts: ScanFacts | None = None,
        duplicate_keys: tuple[tuple[str, int], ...] = (),
    ) -> None:
        super().__init__(facts)
        self.obj = obj
        #: keys the object's text sets twice in one mapping: (JSON pointer, line of the first
        #: one); the object holds the last value. Empty for objects that were never text.
        self.duplicate_keys = duplicate_keys

    @property
    def subject(self) -> dict[str, Any]:
        return self.obj

    @functools.cached_property
    def workload(self) -> Workload | None:
        return Workload.of(self.obj)


class SetContext(Context):
    """Every Kubernetes object of a scan (the subject of set checks, which yield indices into
    :attr:`objects`), and the file each comes from (:attr:`origins`, None when not known: the
    admission webhook's one object)."""

    def __init__(
        self,
        objects: Sequence[dict[str, Any]],
        facts: ScanFacts | None = None,
        origins: Sequence[str] | None = None,
    ) -> None:
        super().__init__(facts)
        self.objects = objects
        self.origins = origins

    @property
    def subject(self) -> Sequence[dict[str, Any]]:
        return self.objects


@dataclass(frozen=True)
class TextSubject:
    """A file's raw text, for the checks over any file (S005), with the lines where a front
    end's own rule already reported a credential."""

    path: str
    text: str
    secret_lines: frozenset[int] = frozenset()


class SubjectContext(Context):
    """The context of a subject that needs nothing but derived data (a Dockerfile, a compose
    service, a daemon.json, a text)."""

    def __init__(self, subject: Any, facts: ScanFacts | None = None) -> None:
        super().__init__(facts)
        self._subject = subject

    @property
    def subject(self) -> Any:
        return self._subject
