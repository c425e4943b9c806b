"""Only signed images (K042): the ``verify-images`` rules of the policy, run as an I/O hook.

Every container, init container and ephemeral container of every pod-bearing kind is matched
against every rule; **all** the rules that match an image must verify it (in any order: a
rule never exempts an image from another). For each (image, rule) the injected verifier
(:data:`~hardhull.admission.signatures.Verify`) runs in a bounded thread pool, never on the
event loop, at most ``verify-images-concurrency`` calls at once per registry host; concurrent
requests for the same image share one call, and a call outlives the request that started it
to fill the caches:

- ``verdicts`` (``verify-images-cache.ttl``): (rule, ``registry/repository@digest``) → the
  verified image. A pod that names the digest, as ``mutate-digest`` writes it, is answered
  from here.
- ``recent`` (``tag-ttl``, shorter): (rule, the reference as normalised) → the verified image
  (for a tag: its digest) or the denial. A tag is asked again once this expires, so a moved
  tag is seen within ``tag-ttl``; a denial is retried as soon.

Registry errors and timeouts are never cached. An ``enforce`` rule's error goes to
``on-error``; a ``warn`` rule's becomes a warning, an ``audit`` rule's an audited item.

Where the verifier comes from: :class:`~hardhull.admission.server.AdmissionApp` takes
``verify=``; without it, :func:`~hardhull.admission.signatures.registry_verify`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from hardhull.admission import metrics
from hardhull.admission.hooks import HookErrors, HookViolation, RuleHook, TTLCache
from hardhull.admission.signatures import (
    AUDIT,
    ENFORCE,
    WARN,
    ImageRule,
    VerifiedImage,
    Verify,
    VerifySettings,
)
from hardhull.model import JSONPatch, Violation
from hardhull.models.workload import Container, Workload
from hardhull.rules.kubernetes.images import IMAGE_NOT_SIGNED

CODE = IMAGE_NOT_SIGNED.code
VERIFIED, DENIED, ERROR = "verified", "denied", "error"
_STRICTNESS = {AUDIT: 0, WARN: 1, ENFORCE: 2}
#: the longest a check waits when the seam gives it no deadline (it always does)
MAX_CHECK_SECONDS = 30.0

log = logging.getLogger("hardhull.admission")


@dataclass(frozen=True)
class Outcome:
    """One rule's verdict on one image."""

    result: str  # VERIFIED | DENIED | ERROR
    image: VerifiedImage | None = None
    reason: str = ""


@dataclass(frozen=True)
class ContainerCheck:
    """A container whose image some rule matches, with each matching rule's outcome."""

    container: Container
    image: str
    outcomes: tuple[tuple[ImageRule, Outcome], ...]

    @property
    def verified_digest(self) -> str | None:
        """The digest every matching rule verified (None unless all did, on one digest)."""
        digests = {o.image.digest for _, o in self.outcomes if o.result == VERIFIED and o.image}
        if len(digests) != 1 or any(o.result != VERIFIED for _, o in self.outcomes):
            return None
        return digests.pop()


def _parse(image: str) -> Any:
    from hardhull.oci.reference import parse_reference  # start-up time

    return parse_reference(image)


def _sign_error() -> type[Exception]:
    from hardhull.sign import SignError

    return SignError


def _registry_errors() -> tuple[type[Exception], ...]:
    from hardhull.oci.model import ImageError

    return (ImageError, OSError)


class ImageSignatureHook(RuleHook):
    """K042 over a pod-bearing object (see the module docstring)."""

    rule = IMAGE_NOT_SIGNED

    def __init__(
        self,
        rules: Sequence[ImageRule],
        verify: Verify,
        settings: VerifySettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rules = tuple(rules)
        self.verify = verify
        self.settings = settings or VerifySettings()
        s = self.settings
        self.verdicts: TTLCache[tuple[int, str], VerifiedImage] = TTLCache(s.size, s.ttl, clock)
        self.recent: TTLCache[tuple[int, str], Outcome] = TTLCache(s.size, s.tag_ttl, clock)
        self._pool = ThreadPoolExecutor(s.max_calls, thread_name_prefix="hardhull-verify")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._inflight: dict[tuple[int, str], asyncio.Future[Outcome]] = {}

    @property
    def mutates(self) -> bool:
        """Some rule pins verified digests (``mutate-digest: true``)."""
        return any(r.mutate_digest for r in self.rules)

    @property
    def inflight(self) -> int:
        """Verifier calls running (or waiting for their registry's slot)."""
        return len(self._inflight)

    # ------------------------------------------------------------------ the seam

    def _targets(self, obj: dict[str, Any]) -> list[tuple[Container, str, list[ImageRule]]]:
        w = Workload.of(obj)
        if w is None:
            return []
        out = []
        for c in w.containers:
            image = c.data.get("image")
            if not isinstance(image, str) or not image.strip():
                continue  # the API server rejects a container without an image
            rules = [r for r in self.rules if r.matches(image)]
            if rules:
                out.append((c, image, rules))
        return out

    def applies(self, obj: dict[str, Any]) -> bool:
        return bool(self.rules) and bool(self._targets(obj))

    async def check(self, obj: dict[str, Any]) -> list[Violation]:
        return await self.check_within(obj, MAX_CHECK_SECONDS)

    async def check_within(self, obj: dict[str, Any], deadline: float) -> list[Violation]:
        violations: list[Violation] = []
        errors: list[str] = []
        for chk in await self.verify_object(obj, deadline):
            c, image = chk.container, chk.image
            modes: dict[str, str] = {}  # message → the strictest mode of the rules saying it
            for rule, o in chk.outcomes:
                if o.result == VERIFIED:
                    continue
                if o.result == ERROR and rule.mode == ENFORCE:
                    errors.append(f"{image}: {o.reason}")
                    continue
                if o.result == DENIED:
                    msg = f"{c.label} image {image!r} is not signed by a trusted key: {o.reason}"
                else:
                    msg = f"{c.label} image {image!r} could not be verified: {o.reason}"
                if msg not in modes or _STRICTNESS[rule.mode] > _STRICTNESS[modes[msg]]:
                    modes[msg] = rule.mode
            violations += [
                HookViolation(CODE, f"{c.pointer}/image", msg, mode=mode)
                for msg, mode in modes.items()
            ]
        if errors:
            raise HookErrors(violations, list(dict.fromkeys(errors)))
        return violations

    # ------------------------------------------------------------------ verification

    async def verify_object(self, obj: dict[str, Any], deadline: float) -> list[ContainerCheck]:
        """Each matched container with its rules' outcomes; what is not done within
        ``deadline`` seconds is an error ``timeout`` (the shared calls go on)."""
        targets = self._targets(obj)
        if not targets:
            return []
        jobs: dict[tuple[str, int], asyncio.Task[Outcome]] = {}
        for _, image, rules in targets:
            for r in rules:
                if (image, r.index) not in jobs:
                    jobs[(image, r.index)] = asyncio.ensure_future(self._lookup(image, r))
        _, pending = await asyncio.wait(jobs.values(), timeout=max(deadline, 0.0))
        for t in pending:
            t.cancel()  # the waiter only: the shared call itself is shielded
        late = Outcome(ERROR, reason="timeout: no answer within the request's timeout-ms")
        out = []
        for c, image, rules in targets:
            outcomes = []
            for r in rules:
                t = jobs[(image, r.index)]
                outcomes.append((r, late if t in pending else t.result()))
            out.append(ContainerCheck(c, image, tuple(outcomes)))
        return out

    def _state(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # semaphores and futures belong to one loop
            self._loop = loop
            self._slots = {}
            self._inflight = {}

    async def _lookup(self, image: str, rule: ImageRule) -> Outcome:
        self._state()
        try:
            ref = _parse(image)
        except ValueError as exc:
            return Outcome(DENIED, reason=str(exc))
        registry = ref.registry.lower()
        if ref.digest:
            hit, verified = self.verdicts.get(
                (rule.index, f"{registry}/{ref.repository}@{ref.digest}")
            )
            if hit and verified is not None:
                metrics.IMAGE_CACHE_HITS.labels("digest").inc()
                return Outcome(VERIFIED, _as_written(verified, image))
        key = (rule.index, f"{registry}/{ref.repository}" + _selector(ref))
        hit, outcome = self.recent.get(key)
        if hit and outcome is not None:
            metrics.IMAGE_CACHE_HITS.labels("tag").inc()
            if outcome.image is not None:
                return Outcome(outcome.result, _as_written(outcome.image, image), outcome.reason)
            return outcome
        fut = self._inflight.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self._call(image, rule, ref, key))
            fut.add_done_callback(_consume)
            self._inflight[key] = fut
        return await asyncio.shield(fut)

    async def _call(self, image: str, rule: ImageRule, ref: Any, key: tuple[int, str]) -> Outcome:
        host = ref.registry.lower()
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.settings.per_registry)
        loop = asyncio.get_running_loop()
        try:
            async with slot:
                started = time.perf_counter()
                try:
                    verified = await loop.run_in_executor(
                        self._pool, self.verify, image, rule.public_keys, dict(rule.annotations)
                    )
                finally:
                    metrics.REGISTRY_LATENCY.observe(time.perf_counter() - started)
            outcome = self._verified(verified, image, ref)
            if outcome.result == VERIFIED and outcome.image is not None:
                self.verdicts.put(
                    (rule.index, f"{host}/{ref.repository}@{outcome.image.digest}"), outcome.image
                )
            self.recent.put(key, outcome)
        except _sign_error() as exc:
            outcome = Outcome(DENIED, reason=str(exc) or "no signature verifies")
            self.recent.put(key, outcome)
        except _registry_errors() as exc:
            outcome = Outcome(ERROR, reason=_describe(exc))
        except Exception as exc:  # a bug of the verifier: an error, never a verdict
            outcome = Outcome(ERROR, reason=_describe(exc))
            _log("verifier-error", image=image, rule=rule.index, error=repr(exc)[:500])
        finally:
            self._inflight.pop(key, None)
        metrics.IMAGE_VERIFICATIONS.labels(outcome.result).inc()
        if outcome.result == ERROR:
            _log("verification-error", image=image, rule=rule.index, error=outcome.reason)
        return outcome

    @staticmethod
    def _verified(verified: Any, image: str, ref: Any) -> Outcome:
        from hardhull.oci.reference import validate_digest  # start-up time

        if not isinstance(verified, VerifiedImage):
            return Outcome(ERROR, reason=f"the verifier returned {type(verified).__name__}")
        try:
            validate_digest(verified.digest)
        except ValueError as exc:
            return Outcome(ERROR, reason=f"the verifier returned a bad digest: {exc}")
        if ref.digest and verified.digest != ref.digest:
            return Outcome(
                DENIED, reason=f"the signature is for {verified.digest}, not {ref.digest}"
            )
        return Outcome(VERIFIED, verified)

    # ------------------------------------------------------------------ mutate-digest

    async def digest_patch(self, obj: dict[str, Any], deadline: float) -> tuple[JSONPatch, int]:
        """The JSON patch pinning each verified image of a ``mutate-digest`` rule to its
        digest, and the number of images pinned. An image every matching rule did not verify
        (on one digest) is never rewritten."""
        ops: JSONPatch = []
        for chk in await self.verify_object(obj, deadline):
            if not any(r.mutate_digest for r, _ in chk.outcomes):
                continue
            digest = chk.verified_digest
            if digest is None:
                continue
            pinned = pin(chk.image, digest)
            if pinned != chk.image:
                ops.append(
                    {"op": "replace", "path": f"{chk.container.pointer}/image", "value": pinned}
                )
        return ops, len(ops)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def pin(image: str, digest: str) -> str:
    """``image`` as written, named by ``digest``: ``repo:tag`` → ``repo@digest``; a reference
    that already names ``digest`` (``repo@digest``, ``repo:tag@digest``) stays as it is."""
    written = image.strip()
    name, at, current = written.partition("@")
    if at and current == digest:
        return image
    head, slash, last = name.rpartition("/")
    if ":" in last:
        last = last.split(":", 1)[0]
    return f"{head}{slash}{last}@{digest}"


def _selector(ref: Any) -> str:
    return f"@{ref.digest}" if ref.digest else f":{ref.tag}"


def _as_written(verified: VerifiedImage, image: str) -> VerifiedImage:
    if verified.reference == image:
        return verified
    return VerifiedImage(image, verified.digest, verified.key_id)


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:300]


def _consume(fut: asyncio.Future[Outcome]) -> None:
    if not fut.cancelled():
        fut.exception()


def _log(event: str, **fields: Any) -> None:
    if log.isEnabledFor(logging.WARNING):
        log.warning(json.dumps({"event": event, **fields}, default=str))
