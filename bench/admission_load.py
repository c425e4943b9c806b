#!/usr/bin/env python3
"""Load benchmark of the admission webhook: `hardhull admission serve` over TLS on loopback.

Starts the real server (``python -m hardhull admission serve``) with certificates from
``hardhull admission certs`` and drives ``POST /validate`` with a realistic Deployment
AdmissionReview (CREATE as the API server sends it after defaulting, with kubectl's
last-applied annotation and managedFields; every request a fresh uid, checked in the answer):

- fixed rates (default 250, 500, 1000 req/s) with an open-loop asyncio+uvloop client over
  keep-alive HTTP/1.1 connections: requests are issued on a fixed schedule whatever the server
  does, and latency is measured from the scheduled time (no coordinated omission); the 500 req/s
  run is 100,000 requests long and the server's RSS is sampled throughout (memory growth);
- saturation: ``wrk`` (C, one thread, a Lua script for the POST body) with many connections,
  and the same Python client closed-loop for comparison.

Results go to docs/benchmarks.md between ``<!-- admission-load:start -->`` and
``<!-- admission-load:end -->`` (the rest of that file belongs to other benchmarks).

    .venv/bin/python bench/admission_load.py                    # full run, writes the docs
    .venv/bin/python bench/admission_load.py --quick --no-write # smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import re
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from array import array
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- admission-load:start -->", "<!-- admission-load:end -->"
HOST = "localhost"  # the certificate's name; connections go to 127.0.0.1
TIMEOUT = 3.0  # the webhook timeout the generated manifests set
QUIET = 10.0  # a second is "quiet" when other processes used less than this % of one core
UID0 = "00000000-0000-0000-0000-000000000000"
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- the request


def deployment() -> dict[str, Any]:
    """A web shop's Deployment after API-server defaulting: hardened, but with the usual gaps
    (an image by tag, no CPU limit), so the answer carries warnings like most real traffic."""
    labels = {"app.kubernetes.io/name": "checkout", "app.kubernetes.io/part-of": "shop"}
    container = {
        "name": "checkout",
        "image": "registry.example.com/shop/checkout:2.14.1",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--listen=:8080", "--metrics=:9090"],
        "ports": [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
        ],
        "env": [
            {"name": "DB_HOST", "value": "postgres.shop.svc"},
            {"name": "LOG_LEVEL", "value": "info"},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "checkout-db", "key": "password"}},
            },
        ],
        "resources": {
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"memory": "512Mi"},
        },
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            "httpGet": {"path": "/live", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    spec = {
        "replicas": 3,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"creationTimestamp": None, "labels": labels},
            "spec": {
                "volumes": [{"name": "tmp", "emptyDir": {}}],
                "containers": [container],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst",
                "serviceAccountName": "checkout",
                "serviceAccount": "checkout",
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "fsGroup": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "schedulerName": "default-scheduler",
            },
        },
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
        },
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
    }
    applied = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"annotations": {}, "labels": labels, "name": "checkout", "namespace": "shop"},
        "spec": {k: spec[k] for k in ("replicas", "selector", "template")},
    }
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {
            "name": "checkout",
            "namespace": "shop",
            "uid": "2d3b3c5e-8f0a-4a57-9a55-3a8a1f7c2b10",
            "generation": 1,
            "creationTimestamp": "2026-11-25T12:00:00Z",
            "labels": labels,
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    applied, separators=(",", ":")
                )
                + "\n"
            },
            "managedFields": [
                {
                    "manager": "kubectl-client-side-apply",
                    "operation": "Update",
                    "apiVersion": "apps/v1",
                    "time": "2026-11-25T12:00:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:metadata": {
                            "f:annotations": {
                                ".": {},
                                "f:kubectl.kubernetes.io/last-applied-configuration": {},
                            },
                            "f:labels": {".": {}, "f:app.kubernetes.io/name": {}},
                        },
                        "f:spec": {
                            "f:progressDeadlineSeconds": {},
                            "f:replicas": {},
                            "f:revisionHistoryLimit": {},
                            "f:selector": {},
                            "f:strategy": {"f:rollingUpdate": {".": {}}, "f:type": {}},
                            "f:template": {"f:metadata": {"f:labels": {".": {}}}, "f:spec": {}},
                        },
                    },
                }
            ],
        },
        "spec": spec,
        "status": {},
    }


def review_body() -> tuple[bytes, bytes]:
    """The AdmissionReview JSON split around the request uid: prefix + uid + suffix."""
    review = {
        "kind": "AdmissionReview",
        "apiVersion": "admission.k8s.io/v1",
        "request": {
            "uid": UID0,
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "name": "checkout",
            "namespace": "shop",
            "operation": "CREATE",
            "userInfo": {
                "username": "alice@example.com",
                "uid": "oidc:9f1c",
                "groups": ["shop-deployers", "system:authenticated"],
            },
            "object": deployment(),
            "oldObject": None,
            "dryRun": False,
            "options": {
                "kind": "CreateOptions",
                "apiVersion": "meta.k8s.io/v1",
                "fieldManager": "kubectl-client-side-apply",
                "fieldValidation": "Strict",
            },
        },
    }
    text = json.dumps(review, separators=(",", ":")).encode()
    prefix, suffix = text.split(UID0.encode())
    return prefix, suffix


def uid_of(i: int, run: int) -> bytes:
    return f"{i & 0xFFFFFFFF:08x}-0000-4000-8000-{run:012x}".encode()


def request_head(path: str, port: int, length: int) -> bytes:
    return (
        f"POST {path}?timeout=3s HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        "User-Agent: kube-apiserver-admission\r\nContent-Type: application/json\r\n"
        f"Accept: application/json, */*\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


# --------------------------------------------------------------------------- HTTP/1.1 client


@dataclass
class Stats:
    latency: array[float] = field(default_factory=lambda: array("d"))  # from schedule, s
    when: array[float] = field(default_factory=lambda: array("d"))  # scheduled, perf_counter
    service: array[float] = field(default_factory=lambda: array("d"))  # from write, s
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def ok(self) -> int:
        return len(self.latency)


class Conn(asyncio.Protocol):
    """One keep-alive connection, one request at a time (like the API server's HTTP/1.1)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: Any = None  # uvloop's SSL transport is not an asyncio.Transport
        self.buf = bytearray()
        self.job: tuple[bytes, float, float] | None = None  # uid, scheduled, sent
        self.status = 0
        self.length = -1
        self.chunked = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.job is not None:
            self.pool.stats.error("connection closed")
            self.job = None
            self.pool.finished()
        self.pool.lost(self)

    def send(self, data: bytes, uid: bytes, scheduled: float) -> None:
        assert self.transport is not None
        self.job = (uid, scheduled, time.perf_counter())
        self.status, self.length, self.chunked = 0, -1, False
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.job is None:
            return
        if self.status == 0:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).split(b"\r\n")
            del self.buf[: end + 4]
            try:
                self.status = int(head[0].split(b" ", 2)[1])
            except (IndexError, ValueError):
                self.status = 599
            for line in head[1:]:
                name, _, value = line.partition(b":")
                lname = name.strip().lower()
                if lname == b"content-length":
                    self.length = int(value)
                elif lname == b"transfer-encoding" and b"chunked" in value.lower():
                    self.chunked = True
        if self.chunked:
            body = self._dechunk()
            if body is None:
                return
        else:
            if len(self.buf) < self.length:
                return
            body = bytes(self.buf[: self.length])
            del self.buf[: self.length]
        self._done(body)

    def _dechunk(self) -> bytes | None:
        out, pos = bytearray(), 0
        while True:
            eol = self.buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(self.buf[pos:eol].split(b";")[0], 16)
            if size == 0:
                if self.buf.find(b"\r\n", eol + 2) < 0:
                    return None
                del self.buf[: self.buf.find(b"\r\n", eol + 2) + 2]
                return bytes(out)
            if len(self.buf) < eol + 2 + size + 2:
                return None
            out += self.buf[eol + 2 : eol + 2 + size]
            pos = eol + 2 + size + 2

    def _done(self, body: bytes) -> None:
        assert self.job is not None
        uid, scheduled, sent = self.job
        self.job = None
        now = time.perf_counter()
        st = self.pool.stats
        if self.status != 200:
            st.error(f"HTTP {self.status}")
        elif uid not in body or b'"allowed"' not in body:
            st.error("bad AdmissionReview response")
        else:
            st.latency.append(now - scheduled)
            st.when.append(scheduled)
            st.service.append(now - sent)
        self.pool.finished()
        self.pool.idle(self)


class Pool:
    def __init__(self, port: int, path: str, run: int, connections: int) -> None:
        self.port, self.path, self.run_id = port, path, run
        self.size = connections
        self.prefix, self.suffix = review_body()
        self.head = request_head(path, port, len(self.prefix) + 36 + len(self.suffix))
        self.ctx = ssl.create_default_context(cafile=None)
        self.free: deque[Conn] = deque()
        self.conns: list[Conn] = []
        self.pending: deque[tuple[int, float]] = deque()
        self.stats = Stats()
        self.inflight = 0
        self.drained = asyncio.Event()
        self.connecting = 0

    async def open(self, cafile: str) -> None:
        self.ctx = ssl.create_default_context(cafile=cafile)
        await asyncio.gather(*(self._connect() for _ in range(self.size)))

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        self.connecting += 1
        try:
            _, proto = await loop.create_connection(
                lambda: Conn(self), "127.0.0.1", self.port, ssl=self.ctx, server_hostname=HOST
            )
        except OSError:
            self.stats.error("connect failed")
            return
        finally:
            self.connecting -= 1
        assert isinstance(proto, Conn)
        self.conns.append(proto)
        proto.buf.clear()
        self.idle(proto)

    def request(self, i: int, scheduled: float) -> None:
        self.stats.sent += 1
        self.inflight += 1
        self.drained.clear()
        if self.free:
            self._send(self.free.popleft(), i, scheduled)
        else:
            self.pending.append((i, scheduled))

    def _send(self, conn: Conn, i: int, scheduled: float) -> None:
        uid = uid_of(i, self.run_id)
        conn.send(self.head + self.prefix + uid + self.suffix, uid, scheduled)

    def idle(self, conn: Conn) -> None:
        if conn.closed:
            return
        if self.pending:
            i, scheduled = self.pending.popleft()
            self._send(conn, i, scheduled)
        else:
            self.free.append(conn)

    def finished(self) -> None:
        self.inflight -= 1
        if self.inflight == 0:
            self.drained.set()

    def lost(self, conn: Conn) -> None:
        with contextlib.suppress(ValueError):
            self.conns.remove(conn)
        with contextlib.suppress(ValueError):
            self.free.remove(conn)
        if not getattr(self, "closing", False):
            asyncio.get_running_loop().create_task(self._connect())

    def expire(self) -> None:
        """Requests older than the webhook timeout count as errors; their connection is cut."""
        now = time.perf_counter()
        for conn in list(self.conns):
            if conn.job is not None and now - conn.job[2] > TIMEOUT:
                self.stats.error("timeout (3 s)")
                conn.job = None
                self.finished()
                if conn.transport is not None:
                    conn.transport.abort()
        while self.pending and now - self.pending[0][1] > TIMEOUT:
            self.pending.popleft()
            self.stats.error("timeout (3 s, never sent)")
            self.finished()

    def close(self) -> None:
        self.closing = True
        for conn in list(self.conns):
            if conn.transport is not None:
                conn.transport.close()


async def open_loop(
    pool: Pool, rate: float, count: int, sampler: Sampler | None, monitor: CpuMonitor
) -> float:
    """Issue ``count`` requests at ``rate``/s on schedule; return the elapsed seconds."""
    t0 = time.perf_counter() + 0.02
    i = 0
    last_expire = t0
    while i < count:
        now = time.perf_counter()
        due = min(count, int((now - t0) * rate) + 1)
        while i < due:
            pool.request(i, t0 + i / rate)
            i += 1
        if now - last_expire > 0.1:
            pool.expire()
            last_expire = now
            if sampler is not None:
                sampler.maybe_sample(i)
            monitor.tick()
        delay = t0 + i / rate - time.perf_counter()
        await asyncio.sleep(delay if delay > 0 else 0)
    while pool.inflight > 0:
        pool.expire()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pool.drained.wait(), 0.1)
    return time.perf_counter() - t0


async def closed_loop(pool: Pool, seconds: float, monitor: CpuMonitor) -> float:
    """Every connection sends its next request as soon as it has an answer."""
    t0 = time.perf_counter()
    end = t0 + seconds
    i = 0
    while time.perf_counter() < end:
        while pool.inflight < pool.size:
            pool.request(i, time.perf_counter())
            i += 1
        pool.expire()
        monitor.tick()
        await asyncio.sleep(0.0005)
    while pool.inflight > 0:
        pool.expire()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pool.drained.wait(), 0.1)
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- the server


def tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_mib(pids: Sequence[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
    return total / (1024 * 1024)


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK


class Sampler:
    """RSS of the server's process tree every ``every`` requests."""

    def __init__(self, pid: int, every: int) -> None:
        self.pid, self.every = pid, every
        self.samples: list[tuple[int, float]] = []
        self.next = 0

    def maybe_sample(self, done: int) -> None:
        if done >= self.next:
            self.samples.append((done, rss_mib(tree(self.pid))))
            self.next = done + self.every


def busy_seconds() -> float:
    """CPU time all CPUs spent busy since boot (/proc/stat: everything but idle and iowait)."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / CLK


class CpuMonitor:
    """Per second: CPU used by processes other than the server and this client (the machine is
    shared), in % of one core. Other load inflates tail latency; the report says how much."""

    def __init__(self, server_pids: Sequence[int], extra: float = 0.0) -> None:
        self.pids = list(server_pids)
        self.windows: list[tuple[float, float, float]] = []  # (start, end, other %)
        self.last = self._read()

    def _read(self) -> tuple[float, float, float]:
        return time.perf_counter(), busy_seconds(), cpu_seconds(self.pids) + _self_cpu()

    def tick(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last[0] < 1.0:
            return
        cur = self._read()
        t0, b0, o0 = self.last
        dt = cur[0] - t0
        if dt > 0:
            other = max(0.0, (cur[1] - b0) - (cur[2] - o0)) / dt * 100
            self.windows.append((t0, cur[0], other))
        self.last = cur

    def summary(self) -> tuple[float, float]:
        """Mean and max of the per-second other-CPU %."""
        if not self.windows:
            return float("nan"), float("nan")
        vals = [w[2] for w in self.windows]
        return sum(vals) / len(vals), max(vals)

    def quiet(self, limit: float) -> list[tuple[float, float]]:
        return [(a, b) for a, b, o in self.windows if o < limit]


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    workers: int
    command: list[str]
    log: Path

    @property
    def pids(self) -> list[int]:
        return tree(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def serve_command(python: str) -> list[str]:
    """``-m hardhull admission serve`` once the CLI is wired, else ``-m hardhull.admission``."""
    for module in (["-m", "hardhull", "admission"], ["-m", "hardhull.admission"]):
        probe = subprocess.run(
            [python, *module, "serve", "--help"], capture_output=True, timeout=60, check=False
        )
        if probe.returncode == 0:
            return [python, *module, "serve"]
    raise SystemExit("bench: `hardhull admission serve` is not available yet")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(base: list[str], tls: Path, workers: int, config: str | None) -> Server:
    port = free_port()
    cmd = [
        *base,
        "--tls-cert",
        str(tls / "tls.crt"),
        "--tls-key",
        str(tls / "tls.key"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if config:
        cmd += ["--config", config]
    log = tls / f"server-{workers}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    server = Server(proc, port, workers, cmd, log)
    ctx = ssl.create_default_context(cafile=str(tls / "ca.crt"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: server exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=2) as raw,
                ctx.wrap_socket(raw, server_hostname=HOST) as s,
            ):
                s.sendall(
                    f"GET /readyz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
                )
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    # every worker must be up: give the others a moment after the first answers
                    time.sleep(0.5 * workers)
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"bench: server not ready after 60 s:\n{log.read_text()}")


# --------------------------------------------------------------------------- runs


@dataclass
class Result:
    tool: str
    workers: int
    mode: str  # "rate N" or "saturation"
    requests: int
    seconds: float
    p50: float
    p99: float
    p999: float
    pmax: float
    errors: dict[str, int]
    server_cpu: float  # share of one core, %
    client_cpu: float  # %, the benchmark process (or wrk)
    connections: int
    rss_before: float = 0.0
    rss_after: float = 0.0
    service_p99: float = 0.0
    note: str = ""
    other_mean: float = float("nan")  # other processes' CPU, % of one core
    other_max: float = float("nan")
    quiet_seconds: float = 0.0
    quiet_requests: int = 0
    quiet_p99: float = float("nan")
    quiet_p999: float = float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def pct(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


async def run_python(
    server: Server,
    cafile: str,
    mode: str,
    rate: float,
    count: int,
    seconds: float,
    connections: int,
    run_id: int,
    sample_every: int = 0,
) -> tuple[Result, list[tuple[int, float]]]:
    pool = Pool(server.port, "/validate", run_id, connections)
    await pool.open(cafile)
    pids = server.pids
    sampler = Sampler(server.proc.pid, sample_every) if sample_every else None
    rss0 = rss_mib(pids)
    s0, c0 = cpu_seconds(pids), _self_cpu()
    monitor = CpuMonitor(pids)
    if mode == "rate":
        elapsed = await open_loop(pool, rate, count, sampler, monitor)
    else:
        elapsed = await closed_loop(pool, seconds, monitor)
    monitor.tick(force=True)
    s1, c1 = cpu_seconds(server.pids), _self_cpu()
    rss1 = rss_mib(server.pids)
    if sampler is not None:
        sampler.samples.append((pool.stats.sent, rss1))
    pool.close()
    lat = sorted(pool.stats.latency)
    svc = sorted(pool.stats.service)
    st = pool.stats
    res = Result(
        tool="python asyncio+uvloop, open loop"
        if mode == "rate"
        else "python asyncio+uvloop, closed loop",
        workers=server.workers,
        mode=f"{rate:g} req/s" if mode == "rate" else "saturation",
        requests=st.ok,
        seconds=elapsed,
        p50=pct(lat, 50) * 1e3,
        p99=pct(lat, 99) * 1e3,
        p999=pct(lat, 99.9) * 1e3,
        pmax=(lat[-1] if lat else float("nan")) * 1e3,
        errors=dict(st.errors),
        server_cpu=100 * (s1 - s0) / elapsed,
        client_cpu=100 * (c1 - c0) / elapsed,
        connections=connections,
        rss_before=rss0,
        rss_after=rss1,
        service_p99=pct(svc, 99) * 1e3,
    )
    res.other_mean, res.other_max = monitor.summary()
    quiet = monitor.quiet(QUIET)
    if mode == "rate" and quiet:
        q = sorted(
            lt
            for lt, w in zip(st.latency, st.when, strict=True)
            if any(a <= w < b for a, b in quiet)
        )
        res.quiet_seconds = sum(b - a for a, b in quiet)
        res.quiet_requests = len(q)
        res.quiet_p99 = pct(q, 99) * 1e3
        res.quiet_p999 = pct(q, 99.9) * 1e3
    return res, (sampler.samples if sampler else [])


WRK_LUA = """
wrk.method = "POST"
wrk.path = "/validate?timeout=3s"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "kube-apiserver-admission"
local f = assert(io.open("{body}", "rb"))
wrk.body = f:read("*a")
f:close()

response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"allowed"', 1, true) then
    bad = (bad or 0) + 1
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("HHWRK %d %d %d %d %d %d %d %.1f %.1f %.1f %.1f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""


def run_wrk(server: Server, tmp: Path, seconds: int, connections: int) -> Result | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    prefix, suffix = review_body()
    body = tmp / "review.json"
    body.write_bytes(prefix + uid_of(1, 0xABC) + suffix)
    script = tmp / "post.lua"
    script.write_text(WRK_LUA.replace("{body}", str(body)))
    cmd = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "3s",
        "-s",
        str(script),
        f"https://127.0.0.1:{server.port}/validate",
    ]
    pids = server.pids
    rss0 = rss_mib(pids)
    s0 = cpu_seconds(pids)
    b0, self0 = busy_seconds(), _self_cpu()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out_b, _ = proc.communicate(timeout=seconds + 60)
    elapsed = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, reaped; the server still runs
    wrk_cpu = ru1.ru_utime + ru1.ru_stime - (ru0.ru_utime + ru0.ru_stime)
    s1 = cpu_seconds(server.pids)
    other = (busy_seconds() - b0) - (s1 - s0) - wrk_cpu - (_self_cpu() - self0)
    out = out_b.decode(errors="replace")
    m = re.search(r"HHWRK (.*)", out)
    if m is None:
        raise SystemExit(f"bench: wrk failed:\n{out}")
    n, dur_us, ec, er, ew, es, et, p50, p99, p999, pmax = (float(x) for x in m.group(1).split())
    errors = {
        k: int(v)
        for k, v in (
            ("connect", ec),
            ("read", er),
            ("write", ew),
            ("HTTP status >399", es),
            ("timeout (3 s)", et),
        )
        if v
    }
    dur = dur_us / 1e6
    return Result(
        tool="wrk 4.1.0 (1 thread, Lua POST)",
        workers=server.workers,
        mode="saturation",
        requests=int(n),
        seconds=dur,
        p50=p50 / 1e3,
        p99=p99 / 1e3,
        p999=p999 / 1e3,
        pmax=pmax / 1e3,
        errors=errors,
        server_cpu=100 * (s1 - s0) / elapsed,
        client_cpu=100 * wrk_cpu / elapsed,
        connections=connections,
        rss_before=rss0,
        rss_after=rss_mib(server.pids),
        note=" ".join(cmd[:-1]).replace(str(tmp), "$TMP") + " URL",
        other_mean=max(0.0, 100 * other / elapsed),
    )


# --------------------------------------------------------------------------- report


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        kb = int(fh.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{os.cpu_count()} CPUs ({cpu}){mem}, Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def versions() -> str:
    out = []
    for mod in ("uvicorn", "uvloop", "httptools", "orjson"):
        with contextlib.suppress(Exception):
            m = __import__(mod)
            out.append(f"{mod} {getattr(m, '__version__', '?')}")
    out.append(ssl.OPENSSL_VERSION)
    return ", ".join(out)


def fmt_errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in errors.items()) if errors else "0"


def other(r: Result) -> str:
    if r.other_mean != r.other_mean:
        return "–"
    if r.other_max != r.other_max:
        return f"{r.other_mean:.0f}%"
    return f"{r.other_mean:.0f}% / {r.other_max:.0f}%"


def quiet_table(results: Sequence[Result]) -> str:
    rows = [
        "| load | seconds measured | quiet seconds | requests in them | p99 ms | p99.9 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.mode.endswith("req/s"):
            p99, p999 = (
                (f"{r.quiet_p99:.2f}", f"{r.quiet_p999:.2f}") if r.quiet_requests else ("–", "–")
            )
            rows.append(
                f"| {r.mode} | {r.seconds:.0f} | {r.quiet_seconds:.0f} | {r.quiet_requests:,} "
                f"| {p99} | {p999} |"
            )
    return "\n".join(rows)


def table(results: Sequence[Result]) -> str:
    rows = [
        "| load | tool | workers | conns | requests | req/s | p50 ms | p99 ms | p99.9 ms "
        "| max ms | errors | server CPU | client CPU | other CPU mean / max |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        client = "–" if r.client_cpu != r.client_cpu else f"{r.client_cpu:.0f}%"
        rows.append(
            f"| {r.mode} | {r.tool} | {r.workers} | {r.connections} | {r.requests:,} "
            f"| {r.rps:,.0f} | {r.p50:.2f} | {r.p99:.2f} | {r.p999:.2f} | {r.pmax:.1f} "
            f"| {fmt_errors(r.errors)} | {r.server_cpu:.0f}% | {client} | {other(r)} |"
        )
    return "\n".join(rows)


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in text and END in text:
        a, b = text.index(START), text.index(END) + len(END)
        text = text[:a] + block + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n## Admission webhook under load\n\n" + block + "\n"
    DOC.write_text(text)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rates", default="250,500,1000", help="fixed rates, req/s")
    ap.add_argument("--seconds", type=float, default=30, help="length of each fixed-rate run")
    ap.add_argument("--long-rate", type=float, default=500, help="rate of the long (memory) run")
    ap.add_argument("--long-requests", type=int, default=100_000)
    ap.add_argument("--workers", default="1,2", help="server worker counts to measure")
    ap.add_argument("--connections", type=int, default=16, help="open-loop client connections")
    ap.add_argument("--sat-seconds", type=int, default=20)
    ap.add_argument("--sat-connections", type=int, default=32)
    ap.add_argument("--config", help="policy file for the server (default: built in)")
    ap.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    ap.add_argument("--no-write", action="store_true", help="print, do not edit the docs")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.long_requests, args.sat_seconds = 3, 3000, 3

    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()

    from hardhull.admission.certs import generate, write_bundle

    python = sys.executable
    base = serve_command(python)
    rates = [float(r) for r in args.rates.split(",") if r]
    workers = [int(w) for w in args.workers.split(",") if w]
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    results: list[Result] = []
    memory: list[str] = []
    prefix, suffix = review_body()
    body_len = len(prefix) + 36 + len(suffix)
    with tempfile.TemporaryDirectory(prefix="hardhull-bench-") as tmp_s:
        tmp = Path(tmp_s)
        tls = tmp / "tls"
        write_bundle(generate([HOST], ["127.0.0.1"], 7), str(tls))
        cafile = str(tls / "ca.crt")
        for wi, w in enumerate(workers):
            server = start_server(base, tls, w, args.config)
            try:
                # warm-up: imports, first-call caches, TLS session setup
                warm, _ = asyncio.run(
                    run_python(server, cafile, "rate", 500, 2000, 0, args.connections, 1)
                )
                if warm.errors:
                    log = server.log.read_text()[-3000:]
                    raise SystemExit(f"bench: errors in warm-up: {warm.errors}\n{log}")
                if wi == 0:
                    for r_i, rate in enumerate(rates):
                        if rate == args.long_rate:
                            count = args.long_requests
                            every = max(count // 20, 1)
                        else:
                            count, every = int(rate * args.seconds), 0
                        res, samples = asyncio.run(
                            run_python(
                                server,
                                cafile,
                                "rate",
                                rate,
                                count,
                                0,
                                args.connections,
                                10 + r_i,
                                every,
                            )
                        )
                        results.append(res)
                        print(table([res]).splitlines()[-1], flush=True)
                        if samples:
                            first = samples[0][1]
                            peak = max(s[1] for s in samples)
                            last = samples[-1][1]
                            half = samples[len(samples) // 2][1]
                            memory.append(
                                f"- {res.requests:,} requests at {rate:g} req/s, {w} worker(s): "
                                f"server RSS {res.rss_before:.1f} MiB after warm-up, "
                                f"{first:.1f} MiB at the start, {half:.1f} MiB half-way, "
                                f"{last:.1f} MiB at the end (peak {peak:.1f} MiB): "
                                f"{last - first:+.1f} MiB over the run, "
                                f"{last - half:+.1f} MiB over the second half. Samples "
                                "(requests: MiB): "
                                + ", ".join(
                                    f"{n:,}: {m:.1f}"
                                    for n, m in samples[:: max(1, len(samples) // 10)]
                                )
                                + "."
                            )
                wres = run_wrk(server, tmp, args.sat_seconds, args.sat_connections)
                if wres is not None:
                    results.append(wres)
                    print(table([wres]).splitlines()[-1], flush=True)
                pres, _ = asyncio.run(
                    run_python(
                        server, cafile, "closed", 0, 0, args.sat_seconds, args.sat_connections, 99
                    )
                )
                results.append(pres)
                print(table([pres]).splitlines()[-1], flush=True)
            finally:
                server.stop()
            if server.proc.returncode not in (0, -15):
                print(f"bench: server exit status {server.proc.returncode}", file=sys.stderr)
    finished = datetime.now(UTC)
    by = {(r.mode, r.tool.startswith("python"), r.workers): r for r in results}
    target = by.get(("500 req/s", True, workers[0]))
    sat = [r for r in results if r.mode == "saturation"]
    best = max(sat, key=lambda r: r.rps) if sat else None
    verdict = []
    if target is not None:
        ok = target.p99 <= 5 and not target.errors
        quiet = (
            f"; {target.quiet_p99:.2f} ms in the {target.quiet_seconds:.0f} s without other load"
            if target.quiet_requests
            else ""
        )
        verdict.append(
            f"p99 at 500 req/s: **{target.p99:.2f} ms** with {fmt_errors(target.errors)} errors "
            f"over {target.requests:,} requests (target ≤ 5 ms, zero errors: "
            f"{'met' if ok else 'missed'}{quiet})"
        )
    if best is not None:
        verdict.append(
            f"saturation: **{best.rps:,.0f} req/s** ({best.tool}, {best.workers} worker(s); "
            f"target ≥ 1,500: {'met' if best.rps >= 1500 else 'missed'})"
        )
    cmd = "python bench/admission_load.py " + " ".join(argv if argv is not None else sys.argv[1:])
    section = f"""Measured {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC on {machine()}; \
load average before the run {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}.
Server and client share the 2 CPUs. Stack: {versions()}.

Command: `{cmd.strip()}` (from the repository root, with `.venv/bin/python`). Server:
`python {" ".join(base[1:])} --tls-cert … --tls-key … --port … --workers N` with the default \
policy, certificates from `hardhull admission certs` (ECDSA P-256) and TLS verified by \
the client. Request: `POST /validate` with a {body_len:,}-byte AdmissionReview of a Deployment \
(CREATE, defaulted, with kubectl's last-applied annotation and managedFields; allowed with \
warnings), a fresh uid per request that the answer must echo.

{"; ".join(verdict)}.

{table(results)}

Latency of the fixed-rate runs is measured from each request's scheduled send time (open loop: \
a slow answer delays nobody's schedule, so queueing shows up in the numbers instead of hiding). \
Server CPU is user+system time of the server's process tree over the run, in % of one core; \
client CPU is the Python client's own. wrk numbers come from wrk's own histogram (its `done` \
callback; its client CPU is from `getrusage`); wrk only counts non-200 answers, the Python \
client checks every body for `allowed` and the request's uid.

The machine is shared with other work: *other CPU* is the CPU time used by every other process \
(from `/proc/stat`, minus the server's and the client's own), in % of one core, per second of \
the run (mean / worst second). Stalls of the server caused by that load land in the tail. The \
same fixed-rate runs restricted to the seconds in which other processes used less than \
{QUIET:g}% of one core ("quiet seconds"; requests by their scheduled time):

{quiet_table(results)}

Memory (RSS of the server's process tree, all workers, sampled during the run):

{chr(10).join(memory) if memory else "- not measured"}
"""
    print(section)
    if not args.no_write:
        write_doc(section)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
