"""The seam for rules that need I/O (image signatures, registries): async hooks with a deadline.

The pure checks run inline (they take microseconds). A :class:`RuleHook` may wait on the
network, so it is an ``async def`` that the server awaits under the request's deadline, never
blocking the event loop; its results are cached per key (an LRU with a TTL) and concurrent
requests for the same key share one call. A hook that raises or misses the deadline is
reported as an error of its rule, which the policy's ``on-error`` decides.

A hook may also handle its deadline itself (:meth:`RuleHook.check_within`: the part of the
object it could judge in time is kept), give each violation its own mode
(:class:`HookViolation`), and report errors beside its violations (:class:`HookErrors`).
The one hook that ships is image-signature verification (K042,
:mod:`hardhull.admission.verification`).
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from hardhull.model import Rule, Violation

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """A least-recently-used cache whose entries also expire ``ttl`` seconds after insertion."""

    def __init__(
        self, maxsize: int = 1024, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if maxsize <= 0 or ttl <= 0:
            raise ValueError("maxsize and ttl must be positive")
        self.maxsize = maxsize
        self.ttl = ttl
        self.clock = clock
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> tuple[bool, V | None]:
        item = self._data.get(key)
        if item is None:
            self.misses += 1
            return False, None
        expires, value = item
        if self.clock() >= expires:
            del self._data[key]
            self.misses += 1
            return False, None
        self._data.move_to_end(key)
        self.hits += 1
        return True, value

    def put(self, key: K, value: V) -> None:
        self._data[key] = (self.clock() + self.ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, slots=True)
class HookViolation(Violation):
    """A hook's violation with a mode of its own (``enforce``/``warn``/``audit``), which
    stands instead of the one the policy gives the rule (an explicit ``rules:`` entry for the
    code still wins)."""

    mode: str | None = None


class HookErrors(Exception):
    """Raised by a hook that judged part of the object and failed on the rest: its violations
    are kept and each error goes to ``on-error``."""

    def __init__(self, violations: Sequence[Violation], errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.violations = list(violations)
        self.errors = list(errors)


class RuleHook(ABC):
    """A rule whose check needs I/O. Subclass, set ``rule``, implement :meth:`check`."""

    rule: Rule

    def applies(self, obj: dict[str, Any]) -> bool:
        """Cheap, synchronous: whether :meth:`check` has anything to look at."""
        return True

    def cache_key(self, obj: dict[str, Any]) -> Hashable | None:
        """Key of the result (e.g. the tuple of image references); None: do not cache."""
        return None

    @abstractmethod
    async def check(self, obj: dict[str, Any]) -> list[Violation]:
        """The violations of ``rule`` in ``obj``; may await I/O, must not block the loop."""

    async def check_within(self, obj: dict[str, Any], deadline: float) -> list[Violation]:
        """:meth:`check` within ``deadline`` seconds (uncached hooks only). Override to keep
        what was judged in time and report the rest (:class:`HookErrors`)."""
        return await asyncio.wait_for(self.check(obj), timeout=max(deadline, 0.0))


@dataclass
class HookOutcome:
    violations: list[Violation] = field(default_factory=list)
    #: (rule code, "timeout" | error text)
    errors: list[tuple[str, str]] = field(default_factory=list)
    cached: int = 0


class HookRunner:
    """Runs every applicable hook concurrently under one deadline, with a shared cache."""

    def __init__(
        self,
        hooks: Sequence[RuleHook],
        cache_size: int = 4096,
        ttl: float = 300.0,
        max_call_seconds: float = 30.0,
    ) -> None:
        self.hooks = list(hooks)
        #: a shared call outlives the request that started it (to fill the cache), not this
        self.max_call_seconds = max_call_seconds
        self.cache: TTLCache[tuple[str, Hashable], list[Violation]] = TTLCache(cache_size, ttl)
        self._inflight: dict[tuple[str, Hashable], asyncio.Future[list[Violation]]] = {}

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(h.rule.code for h in self.hooks)

    def __bool__(self) -> bool:
        return bool(self.hooks)

    async def run(
        self, obj: dict[str, Any], deadline: float, disabled: frozenset[str] = frozenset()
    ) -> HookOutcome:
        """``deadline``: seconds from now. Never raises; late or failing hooks become errors."""
        out = HookOutcome()
        todo = [h for h in self.hooks if h.rule.code not in disabled and h.applies(obj)]
        if not todo:
            return out
        results = await asyncio.gather(
            *(self._one(h, obj, deadline, out) for h in todo), return_exceptions=True
        )
        for hook, res in zip(todo, results, strict=True):
            if isinstance(res, HookErrors):
                out.violations.extend(_with_severity(hook.rule, res.violations))
                out.errors.extend((hook.rule.code, e) for e in res.errors)
                continue
            if isinstance(res, BaseException):
                reason = "timeout" if isinstance(res, TimeoutError) else _exc(res)
                out.errors.append((hook.rule.code, reason))
                continue
            out.violations.extend(_with_severity(hook.rule, res))
        return out

    async def _one(
        self, hook: RuleHook, obj: dict[str, Any], deadline: float, out: HookOutcome
    ) -> list[Violation]:
        key = hook.cache_key(obj)
        if key is None:
            return await hook.check_within(obj, deadline)
        ck = (hook.rule.code, key)
        hit, value = self.cache.get(ck)
        if hit:
            out.cached += 1
            return list(value or [])
        fut = self._inflight.get(ck)
        if fut is None:
            fut = asyncio.ensure_future(self._fill(hook, obj, ck))
            fut.add_done_callback(_consume)
            self._inflight[ck] = fut
        # shield: one request's deadline must not cancel the call other requests share
        return list(await asyncio.wait_for(asyncio.shield(fut), timeout=max(deadline, 0.0)))

    async def _fill(
        self, hook: RuleHook, obj: dict[str, Any], ck: tuple[str, Hashable]
    ) -> list[Violation]:
        try:
            value = list(await asyncio.wait_for(hook.check(obj), self.max_call_seconds))
            self.cache.put(ck, value)
            return value
        finally:
            self._inflight.pop(ck, None)


def _with_severity(rule: Rule, violations: Sequence[Violation]) -> list[Violation]:
    out = []
    for v in violations:
        if v.code != rule.code:
            v = replace(v, code=rule.code)
        if v.severity is None:
            v = replace(v, severity=rule.severity)
        out.append(v)
    return out


def _consume(fut: asyncio.Future[list[Violation]]) -> None:
    """Retrieve a shared call's exception so that no waiter left behind logs it as lost."""
    if not fut.cancelled():
        fut.exception()


def _exc(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
