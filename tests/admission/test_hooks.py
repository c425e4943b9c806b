"""The I/O hook seam: TTL/LRU cache, deadlines, shared calls, and the hook inside the app."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from hardhull.admission.hooks import HookRunner, RuleHook, TTLCache
from hardhull.admission.policy import default_policy, parse_policy
from hardhull.admission.server import AdmissionApp
from hardhull.model import Rule, Severity, Violation
from hardhull.models.workload import Workload
from tests.helpers.admission import DIGEST, hardened_pod, review_body

SIGNED = Rule(
    code="I900",
    slug="test-image-unsigned",
    title="Image not signed (test hook)",
    severity=Severity.HIGH,
    category="test",
    what="",
    why="",
    fix="",
)


class FakeSignatureHook(RuleHook):
    """A trivial hook: images whose reference contains 'unsigned' fail; counts its calls."""

    rule = SIGNED

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.delay = delay
        self.fail = fail
        self.calls = 0

    def applies(self, obj: dict[str, Any]) -> bool:
        return Workload.of(obj) is not None

    def cache_key(self, obj: dict[str, Any]) -> tuple[str, ...]:
        w = Workload.of(obj)
        assert w is not None
        return tuple(str(c.data.get("image")) for c in w.containers)

    async def check(self, obj: dict[str, Any]) -> list[Violation]:
        self.calls += 1
        await asyncio.sleep(self.delay)  # the "registry round trip"
        if self.fail:
            raise ConnectionError("registry unreachable")
        w = Workload.of(obj)
        assert w is not None
        return [
            Violation("I900", c.pointer + "/image", f"{c.label} image is not signed")
            for c in w.containers
            if "unsigned" in str(c.data.get("image"))
        ]


def test_ttl_cache_expires_and_evicts() -> None:
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(maxsize=2, ttl=10, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == (True, 1)  # a is now the most recent
    cache.put("c", 3)  # evicts b, the least recently used
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, 1)
    now[0] = 10.0
    assert cache.get("a") == (False, None)  # expired
    assert len(cache) == 1
    assert (cache.hits, cache.misses) == (2, 2)


def _pod(image: str) -> dict[str, Any]:
    pod = hardened_pod()
    pod["spec"]["containers"][0]["image"] = f"{image}@{DIGEST}"
    return pod


def test_runner_caches_and_shares_calls() -> None:
    hook = FakeSignatureHook(delay=0.05)
    runner = HookRunner([hook])

    async def go() -> list[Any]:
        return list(
            await asyncio.gather(*(runner.run(_pod("r/unsigned:1"), 1.0) for _ in range(5)))
        )

    outcomes = asyncio.run(go())
    assert hook.calls == 1  # five concurrent requests, one registry call
    for out in outcomes:
        assert [(v.code, v.message, v.severity) for v in out.violations] == [
            ("I900", 'container "app" image is not signed', Severity.HIGH)
        ]
    again = asyncio.run(runner.run(_pod("r/unsigned:1"), 1.0))
    assert (hook.calls, again.cached) == (1, 1)


def test_runner_deadline_and_errors_never_raise() -> None:
    slow = HookRunner([FakeSignatureHook(delay=0.5)])
    out = asyncio.run(slow.run(_pod("r/app:1"), 0.05))
    assert (out.violations, out.errors) == ([], [("I900", "timeout")])
    broken = HookRunner([FakeSignatureHook(fail=True)])
    out = asyncio.run(broken.run(_pod("r/app:1"), 1.0))
    assert out.errors == [("I900", "ConnectionError: registry unreachable")]
    assert asyncio.run(broken.run(_pod("r/app:1"), 1.0, disabled=frozenset({"I900"}))).errors == []


def _call(app: AdmissionApp, body: dict[str, Any]) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://hook.test") as c:
            r = await c.post("/validate", content=json.dumps(body))
            assert r.status_code == 200
            return r.json()["response"]  # type: ignore[no-any-return]

    return asyncio.run(go())


def test_hook_in_the_app_denies_and_times_out_per_on_error() -> None:
    app = AdmissionApp(default_policy(), hooks=[FakeSignatureHook()])
    out = _call(app, review_body(_pod("r/unsigned:1")))
    assert out["allowed"] is False
    assert out["status"]["message"] == (
        'hardhull: Pod team/web violates 1 enforced rule(s): I900 container "app" image is not '
        "signed"
    )
    assert _call(app, review_body(_pod("r/signed:1")))["allowed"] is True

    policy = parse_policy("timeout-ms: 50\non-error: allow\n")
    late = AdmissionApp(policy, hooks=[FakeSignatureHook(delay=1.0)])
    out = _call(late, review_body(_pod("r/unsigned:1")))
    assert out["allowed"] is True
    assert out["warnings"] == ["hardhull: check I900 failed; see the webhook's log"]
    assert out["auditAnnotations"] == {"decision": "warn", "errors": "I900"}
    strict = AdmissionApp(parse_policy("timeout-ms: 50\n"), hooks=[FakeSignatureHook(delay=1.0)])
    assert _call(strict, review_body(_pod("r/app:1")))["allowed"] is False
