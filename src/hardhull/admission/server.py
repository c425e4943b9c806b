"""The webhook's ASGI app: ``POST /validate``, ``POST /mutate``, health, readiness, metrics.

A plain ASGI callable (no framework: five routes do not need one, and every layer costs
latency). uvicorn serves it with uvloop and httptools; orjson encodes and decodes.

Fail-safe: every request gets an answer and no request can take the worker down. A body over
``max-body-bytes`` is refused after reading at most that much (413); a body that is not JSON
or not an AdmissionReview with a uid gets HTTP 400; an AdmissionReview with a uid that cannot
be evaluated, or a check that raises, is answered per ``on-error``. The body must arrive, and
I/O hooks must finish, within ``timeout-ms``; the checks themselves take microseconds and run
inline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import orjson

from hardhull.admission import metrics, review
from hardhull.admission.hooks import HookOutcome, HookRunner, RuleHook
from hardhull.admission.policy import UPDATES_NEW, Policy, default_policy, load_policy
from hardhull.admission.signatures import Verify, registry_verifier
from hardhull.admission.tls import CURRENT
from hardhull.admission.verification import CODE as SIGNED_CODE
from hardhull.admission.verification import ImageSignatureHook

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SETTINGS_ENV = "HARDHULL_ADMISSION_SETTINGS"
log = logging.getLogger("hardhull.admission")

_JSON = [(b"content-type", b"application/json")]
#: a log line quotes at most this much of any value of the request, and this many violations
LOG_TEXT = 500
LOG_ITEMS = 200
#: seconds the pure checks may still take after I/O hooks that used up timeout-ms
CHECKS_AFTER_HOOKS = 0.25


#: integers orjson holds exactly; beyond them it reads a JSON integer as a float
INT_MIN, INT_MAX = -(2**63), 2**64 - 1
#: a run of 19 digits or more: the only way a JSON integer can leave 64 bits
_LONG_DIGITS = re.compile(rb"\d{19,}")


class BodyTooLarge(Exception):
    pass


class _BeyondInt64(Exception):
    pass


def _exact_int(text: str) -> int:
    if len(text.lstrip("-")) > len(str(INT_MAX)) or not INT_MIN <= int(text) <= INT_MAX:
        raise _BeyondInt64
    return int(text)


def beyond_64_bits(body: bytes) -> bool:
    """Whether the JSON ``body`` holds an integer beyond 64 bits (orjson would read it as a
    float: a different value than the API server's). Only a body with a run of 19 or more
    digits is read a second time, by the standard library, integer by integer."""
    if not _LONG_DIGITS.search(body):
        return False
    try:
        json.loads(body, parse_int=_exact_int)
    except _BeyondInt64:
        return True
    except (ValueError, RecursionError):  # orjson read it: not ours to judge again
        return False
    return False


class JsonLogFormatter(logging.Formatter):
    """uvicorn's own records (start, shutdown, errors) as JSON event lines, like the
    webhook's: every line of the log stream is one JSON object with an ``event``."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "event": "server",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        return orjson.dumps(fields).decode()


#: uvicorn's ``log_config``: its loggers (and anything reaching the root logger) write JSON
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": f"{__name__}.JsonLogFormatter"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["json"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["json"], "level": "WARNING"},
}


class Disconnected(Exception):
    pass


def _log(level: int, event: str, **fields: Any) -> None:
    if log.isEnabledFor(level):
        log.log(level, orjson.dumps({"event": event, **fields}).decode())


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            raise Disconnected
        chunk = msg.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not msg.get("more_body", False):
            return b"".join(chunks)


async def _send(
    send: Send, status: int, body: bytes, headers: Sequence[tuple[bytes, bytes]] = _JSON
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _kind_label(req: review.Request) -> str:
    return req.kind if req.kind_key in review.SUPPORTED_KINDS else "other"


class AdmissionApp:
    """The ASGI application. ``hooks``: rules that need I/O (see hooks.py).

    ``verify``: the image signature verifier of the policy's ``verify-images`` rules (K042),
    :func:`~hardhull.admission.signatures.registry_verifier` when not given."""

    def __init__(
        self,
        policy: Policy,
        hooks: Sequence[RuleHook] = (),
        cert_check_seconds: float = 5.0,
        address: str = "",
        verify: Verify | None = None,
    ) -> None:
        self.policy = policy
        #: where the server listens (for the ``ready`` event)
        self.address = address
        #: K042: the images the policy's verify-images rules name must be signed
        self.signatures: ImageSignatureHook | None = None
        if policy.verify_images:
            self.signatures = ImageSignatureHook(
                policy.verify_images,
                verify or registry_verifier(policy.verify_settings.insecure_registries),
                policy.verify_settings,
            )
            hooks = [*hooks, self.signatures]
        self.hooks = HookRunner(hooks)
        self.cert_check_seconds = cert_check_seconds
        self.ready = False
        self._tasks: list[asyncio.Task[None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # ------------------------------------------------------------------ lifespan

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                if CURRENT and self.cert_check_seconds > 0:
                    self._tasks.append(asyncio.create_task(self._watch_certificates()))
                self.ready = True
                # the socket is bound already (cmd_serve binds it before starting uvicorn)
                _log(
                    logging.INFO,
                    "ready",
                    pid=os.getpid(),
                    policy=self.policy.source,
                    address=self.address or None,
                )
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                self.ready = False
                for t in self._tasks:
                    t.cancel()
                if self.signatures is not None:
                    self.signatures.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _watch_certificates(self) -> None:
        tls = CURRENT[0]
        while True:
            await asyncio.sleep(self.cert_check_seconds)
            before = tls.failures
            try:
                if tls.check():
                    metrics.CERT_RELOADS.labels("ok").inc()
                elif tls.failures != before:
                    metrics.CERT_RELOADS.labels("failed").inc()
            except Exception as exc:  # never let the watcher die
                _log(logging.ERROR, "certificate-watch-error", error=repr(exc))

    # ------------------------------------------------------------------ routing

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        try:
            if path in ("/validate", "/mutate"):
                if method != "POST":
                    await _send(send, 405, b'{"error":"use POST"}', [*_JSON, (b"allow", b"POST")])
                    return
                await self._admit(path[1:], scope, receive, send)
            elif path == "/healthz" and method in ("GET", "HEAD"):
                await _send(send, 200, b"ok\n", [(b"content-type", b"text/plain")])
            elif path == "/readyz" and method in ("GET", "HEAD"):
                if self.ready:
                    await _send(send, 200, b"ready\n", [(b"content-type", b"text/plain")])
                else:
                    await _send(send, 503, b"not ready\n", [(b"content-type", b"text/plain")])
            elif path == "/metrics" and method == "GET":
                body = metrics.render()
                await _send(send, 200, body, [(b"content-type", metrics.CONTENT_TYPE.encode())])
            else:
                await _send(send, 404, b'{"error":"not found"}')
        except Disconnected:
            return
        except Exception as exc:  # the last line of defence: the worker lives on
            metrics.ERRORS.labels("internal").inc()
            _log(logging.ERROR, "internal-error", path=path, error=repr(exc))
            with contextlib.suppress(Exception):
                await _send(send, 500, b'{"error":"internal error"}')

    # ------------------------------------------------------------------ admission

    async def _admit(self, endpoint: str, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policy
        started = time.perf_counter()
        timeout = policy.timeout_ms / 1000.0
        declared = _content_length(scope)
        try:
            if declared is not None and declared > policy.max_body_bytes:
                raise BodyTooLarge
            async with asyncio.timeout(timeout):
                body = await _read_body(receive, policy.max_body_bytes)
        except BodyTooLarge:
            await self._refuse(
                endpoint,
                send,
                413,
                "body_too_large",
                f"body over max-body-bytes ({policy.max_body_bytes})",
                close=True,
            )
            return
        except TimeoutError:
            await self._refuse(
                endpoint,
                send,
                408,
                "body_timeout",
                f"body not received within timeout-ms ({policy.timeout_ms})",
                close=True,
            )
            return
        try:
            data = orjson.loads(body)
            problem = "body has an integer beyond 64 bits" if beyond_64_bits(body) else ""
        except orjson.JSONDecodeError as exc:
            problem = (
                "body has an integer beyond 64 bits"
                if beyond_64_bits(body)
                else f"body is not JSON: {exc}"
            )
        if problem:
            await self._refuse(endpoint, send, 400, "malformed_json", problem)
            return
        try:
            req = review.parse_review(data)
        except review.ReviewError as err:
            if err.uid is None:
                await self._refuse(endpoint, send, 400, "bad_review", err.message)
                return
            metrics.ERRORS.labels("bad_review").inc()
            _log(logging.WARNING, "bad-review", uid=(err.uid or "")[:LOG_TEXT], error=err.message)
            d = review.error_decision(err, policy)
            self._count(endpoint, "unknown", "unknown", d, dry_run=False, started=started)
            await _send(send, 200, orjson.dumps(review.response(d)))
            return
        deadline = started + timeout
        try:
            if endpoint == "mutate":
                d = review.mutate(req, policy, deadline)
                if self.signatures is not None and self.signatures.mutates:
                    d = await self._pin_digests(req, policy, d, started, timeout)
            else:
                d = await self._validate(req, policy, started, timeout)
        except Exception as exc:  # a bug of ours must not become a dead request
            d = review.error_decision(
                review.ReviewError(f"internal error: {type(exc).__name__}", req.uid, "internal"),
                policy,
            )
        if d.outcome == review.ERROR:  # not evaluated: too costly, or a bug of ours
            reason = d.audit.get("error", "internal")
            metrics.ERRORS.labels(reason).inc()
            level = logging.ERROR if reason == "internal" else logging.WARNING
            _log(level, "not-evaluated", uid=req.uid[:LOG_TEXT], reason=reason, error=d.errors[:1])
        elif d.errors:
            metrics.ERRORS.labels("check_error").inc(len(d.errors))
            _log(logging.ERROR, "check-error", uid=req.uid[:LOG_TEXT], errors=d.errors)
        self._count(endpoint, req.operation, _kind_label(req), d, req.dry_run, started)
        self._log_decision(endpoint, req, d)
        await _send(send, 200, orjson.dumps(review.response(d)))

    async def _validate(
        self, req: review.Request, policy: Policy, started: float, timeout: float
    ) -> review.Decision:
        deadline = started + timeout
        obj = req.obj  # None only for requests that are not evaluated (validate answers them)
        if not self.hooks or obj is None or not review.needs_evaluation(req, policy):
            return review.validate(req, policy, deadline=deadline)
        remaining = timeout - (time.perf_counter() - started)
        jobs = [self.hooks.run(obj, remaining, policy.off_codes)]
        if req.operation == "UPDATE" and policy.updates == UPDATES_NEW and req.old is not None:
            jobs.append(self.hooks.run(req.old, remaining, policy.off_codes))
        outcomes: list[HookOutcome] = list(await asyncio.gather(*jobs))
        new = outcomes[0]
        old = outcomes[1] if len(outcomes) > 1 else HookOutcome()
        if new.errors:
            metrics.ERRORS.labels("hook_error").inc(len(new.errors))
        # the hooks may have used the whole time (and then count as failed): the checks still
        # get a short budget of their own, so a slow hook is reported as the hook's error
        deadline = max(deadline, time.perf_counter() + CHECKS_AFTER_HOOKS)
        return review.validate(
            req,
            policy,
            extra=new.violations,
            extra_old=old.violations,
            extra_errors=new.errors,
            deadline=deadline,
        )

    async def _pin_digests(
        self,
        req: review.Request,
        policy: Policy,
        d: review.Decision,
        started: float,
        timeout: float,
    ) -> review.Decision:
        """``mutate-digest``: verified images pinned to their digest, after the policy's own
        fixes (the image pointers are disjoint from theirs). Pods and Jobs are not pinned on
        UPDATE: their templates are immutable, and a new image restarts a pod's container."""
        hook = self.signatures
        obj = req.obj
        if (
            hook is None
            or obj is None
            or d.outcome != review.ALLOW
            or SIGNED_CODE in policy.off_codes
            or req.kind_key not in review.WORKLOAD_KINDS
            or (req.operation == "UPDATE" and req.kind not in review.MUTABLE_TEMPLATE_KINDS)
            or review.gate(req, policy) is not None
        ):
            return d
        remaining = timeout - (time.perf_counter() - started)
        ops, pinned = await hook.digest_patch(obj, remaining)
        if ops:
            d.patch = [*(d.patch or []), *ops]
            d.mutated = [*d.mutated, *([SIGNED_CODE] * pinned)]
            d.audit = review.audit_annotations(d)
        return d

    async def _refuse(
        self, endpoint: str, send: Send, status: int, reason: str, message: str, close: bool = False
    ) -> None:
        metrics.ERRORS.labels(reason).inc()
        metrics.REQUESTS.labels(endpoint, "unknown", "unknown", "error").inc()
        _log(logging.WARNING, "bad-request", endpoint=endpoint, status=status, error=message)
        headers = [*_JSON, (b"connection", b"close")] if close else _JSON
        await _send(send, status, orjson.dumps({"error": message}), headers)

    def _count(
        self,
        endpoint: str,
        operation: str,
        kind: str,
        d: review.Decision,
        dry_run: bool,
        started: float,
    ) -> None:
        metrics.REQUESTS.labels(endpoint, operation, kind, d.outcome).inc()
        metrics.LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        if dry_run:
            return  # dryRun: answered and counted as a request, not as enforcement
        for item in d.items:
            mode = item.effective_mode
            if item.exempted:
                metrics.EXEMPTIONS.labels(item.code).inc()
            elif mode == "enforce":
                metrics.DENIALS.labels(item.code).inc()
            elif mode == "warn":
                metrics.WARNINGS.labels(item.code).inc()
            elif mode == "audit":
                metrics.AUDITS.labels(item.code).inc()
        for code in d.mutated:
            metrics.MUTATIONS.labels(code).inc()

    def _log_decision(self, endpoint: str, req: review.Request, d: review.Decision) -> None:
        level = (
            logging.INFO
            if d.outcome not in (review.ALLOW, review.SKIP) or d.mutated
            else logging.DEBUG
        )
        if not log.isEnabledFor(level):
            return
        _log(
            level,
            endpoint,
            uid=req.uid[:LOG_TEXT],
            decision=d.outcome,
            operation=req.operation,
            object=req.what[:LOG_TEXT],
            user=req.username[:LOG_TEXT],
            dryRun=req.dry_run,
            reason=d.reason or None,
            violations=[
                {
                    "code": i.code,
                    "mode": i.effective_mode,
                    "pointer": i.pointer[:LOG_TEXT],
                    "message": i.message[:LOG_TEXT],
                }
                for i in d.items[:LOG_ITEMS]
            ]
            or None,
            mutated=d.mutated or None,
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------- entry points


def setup_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level.upper())
    log.propagate = False


#: the image signature verifier ``serve`` gives the app (None: registry_verify)
VERIFIER: Verify | None = None


def app_from_env() -> AdmissionApp:
    """uvicorn's app factory in each worker: the settings travel in the environment."""
    settings: dict[str, Any] = orjson.loads(os.environ.get(SETTINGS_ENV, "{}"))
    setup_logging(settings.get("log_level", "info"))
    namespace = settings.get("namespace")
    config = settings.get("config")
    policy = load_policy(config, namespace) if config else default_policy(namespace)
    return AdmissionApp(
        policy,
        verify=VERIFIER,
        cert_check_seconds=float(settings.get("cert_check_seconds", 5.0)),
        address=str(settings.get("address") or ""),
    )
