"""The real server as a hostile or unlucky API server sees it: fuzzed bodies over TLS, raw HTTP
oddities (pipelining, chunked and slow bodies, gzip, wrong methods), adversarial objects, a
certificate rotation under load and SIGTERM with a request in flight. Every answer is a valid
AdmissionReview echoing the uid or an HTTP 4xx, within the timeout, and the worker lives."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from tests.helpers.admission import (
    check_answer_json,
    hardened_pod,
    privileged_pod,
    review_body,
    reviews,
)
from tests.helpers.server import Server, install, make_bundle, metric

TIMEOUT_MS = 1000
POLICY = f"timeout-ms: {TIMEOUT_MS}\nmax-body-bytes: 4000000\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("qa"), POLICY)
    try:
        yield s
    finally:
        s.stop()


def _tls(s: Server) -> ssl.SSLSocket:
    ctx = ssl.create_default_context(cadata=s.bundle.ca_pem.decode())
    raw = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def _read_responses(sock: ssl.SSLSocket, n: int) -> list[tuple[int, bytes]]:
    """n HTTP/1.1 responses (Content-Length framed) from the socket."""
    buf = b""
    out: list[tuple[int, bytes]] = []
    while len(out) < n:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return out
            buf += chunk
        head, _, buf = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(buf) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
        out.append((status, buf[:length]))
        buf = buf[length:]
    return out


def _post(path: str, body: bytes, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


def _alive(s: Server, pid: int) -> None:
    assert s.proc.poll() is None and s.proc.pid == pid
    assert s.client.get("/healthz").status_code == 200
    assert "Traceback" not in s.output()


# --------------------------------------------------------------------------- fuzzing


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(body=reviews())
def test_fuzzed_reviews_over_tls(server: Server, body: dict[str, Any]) -> None:
    for path in ("/validate", "/mutate"):
        started = time.perf_counter()
        r = server.client.post(path, content=orjson.dumps(body))
        assert time.perf_counter() - started < TIMEOUT_MS / 1000
        if r.status_code == 200:
            uid = body["request"]["uid"]
            check_answer_json(r.json(), uid)
        else:
            assert r.status_code == 400, r.text
            assert "error" in r.json()


def test_raw_http_oddities(server: Server) -> None:
    pid = server.proc.pid
    good = orjson.dumps(review_body(privileged_pod()))
    garbage = [
        b"",
        b"\xff\xfe\x00",
        b'{"apiVersion": NaN}',
        b'{"a": Infinity}',
        b"[1, 2,]",
        b'"just a string"',
        b"123456789012345678901234567890",
        b'{"request": {"uid": "\\ud800"}}',
        gzip.compress(good),
        b"{" * 5000,
    ]
    with _tls(server) as sock:  # pipelined: every request written before any answer is read
        sock.sendall(b"".join(_post("/validate", g) for g in garbage))
        answers = _read_responses(sock, len(garbage))
    assert [status for status, _ in answers] == [400] * len(garbage)
    # duplicate keys: the last one wins, as in the API server's own decoder
    dup = good.replace(b'{"apiVersion"', b'{"kind":"Nope","apiVersion"', 1)
    with _tls(server) as sock:
        sock.sendall(
            _post("/validate", dup)
            + _post("/validate", good, "Content-Encoding: identity\r\n")
            + b"PUT /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
            + b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"
            + _post("/metrics", b"{}")
            + b"DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        answers = _read_responses(sock, 6)
    statuses = [status for status, _ in answers]
    assert statuses == [200, 200, 405, 404, 404, 404]
    for _, payload in answers[:2]:
        assert check_answer_json(
            orjson.loads(payload), review_body(privileged_pod())["request"]["uid"]
        )
    # chunked transfer encoding, in small pieces
    with _tls(server) as sock:
        head = (
            b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunks = b"".join(
            f"{len(good[i : i + 97]):x}\r\n".encode() + good[i : i + 97] + b"\r\n"
            for i in range(0, len(good), 97)
        )
        sock.sendall(head + chunks + b"0\r\n\r\n")
        [(status, payload)] = _read_responses(sock, 1)
    assert status == 200 and orjson.loads(payload)["response"]["allowed"] is False
    _alive(server, pid)
    text = server.metrics()
    refused = sum(
        metric(text, "hardhull_admission_errors_total", reason=r)
        for r in ("malformed_json", "bad_review")
    )
    assert refused >= len(garbage)


def test_slow_body_gets_408_within_the_timeout(server: Server) -> None:
    pid = server.proc.pid
    body = orjson.dumps(review_body(hardened_pod()))
    with _tls(server) as sock:
        sock.sendall(_post("/validate", body)[: -len(body) + 10])  # headers and 10 bytes
        started = time.perf_counter()
        for i in range(10, 40):  # slowloris: a byte every 50 ms, never complete in time
            try:
                sock.sendall(body[i : i + 1])
            except OSError:
                break
            time.sleep(0.05)
        [(status, payload)] = _read_responses(sock, 1)
        took = time.perf_counter() - started
    assert status == 408, payload
    assert TIMEOUT_MS / 1000 - 0.1 < took < TIMEOUT_MS / 1000 + 0.6
    _alive(server, pid)
    assert metric(server.metrics(), "hardhull_admission_errors_total", reason="body_timeout") >= 1


def test_adversarial_objects_are_answered_in_time(server: Server) -> None:
    pid = server.proc.pid
    many = hardened_pod()
    many["spec"]["containers"] = [
        {"name": f"c{i}", "image": "nginx", "env": [{"name": "A", "value": "x"}]}
        for i in range(30_000)
    ]
    envs = hardened_pod()
    envs["spec"]["containers"][0]["env"] = [{"name": f"E{i}", "value": "v"} for i in range(40_000)]
    annotated = privileged_pod()
    annotated["metadata"]["annotations"] = {"a": "x" * 3_000_000}
    annotated["metadata"]["name"] = "n" * 100_000
    for obj in (many, envs, annotated):
        for path in ("/validate", "/mutate"):
            started = time.perf_counter()
            r = server.client.post(path, content=orjson.dumps(review_body(obj)))
            assert time.perf_counter() - started < TIMEOUT_MS / 1000, path
            assert r.status_code == 200
            check_answer_json(r.json(), review_body(obj)["request"]["uid"])
    text = server.metrics()
    assert (
        metric(text, "hardhull_admission_errors_total", reason="object_too_large") == 1
    )  # /mutate: nothing to fix
    _alive(server, pid)
    assert max(len(line) for line in server.output().splitlines()) < 20_000  # no 3 MB log lines


# --------------------------------------------------------------------------- lifecycle


def test_certificate_rotation_under_load(tmp_path: Path) -> None:
    s = Server(tmp_path, None)
    errors: list[str] = []
    stop = threading.Event()
    bundles = [s.bundle, make_bundle("B"), make_bundle("C")]
    cas = "".join(b.ca_pem.decode() for b in bundles)
    body = orjson.dumps(review_body(privileged_pod()))
    done = [0]

    def load() -> None:
        ctx = ssl.create_default_context(cadata=cas)
        import httpx

        while not stop.is_set():
            try:  # a new connection each time: every handshake picks a certificate
                with httpx.Client(base_url=s.url, verify=ctx, timeout=5) as c:
                    r = c.post("/validate", content=body)
                    if r.status_code != 200 or r.json()["response"]["allowed"] is not False:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                done[0] += 1
            except Exception as exc:
                errors.append(repr(exc))

    try:
        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        for b in bundles[1:]:
            time.sleep(0.4)
            install(b, tmp_path)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(10)
        assert errors == []
        assert done[0] > 20
        assert metric(s.metrics(), "hardhull_admission_certificate_reloads_total", result="ok") == 2
    finally:
        stop.set()
        s.stop()


def test_sigterm_finishes_the_request_in_flight(tmp_path: Path) -> None:
    s = Server(tmp_path, POLICY)
    try:
        body = orjson.dumps(review_body(privileged_pod()))
        sock = _tls(s)
        sock.sendall(_post("/validate", body)[:-20])  # the request is in flight
        time.sleep(0.2)
        os.killpg(s.proc.pid, signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(OSError):  # no new connections while draining
            _tls(s).close()
        sock.sendall(body[-20:])
        [(status, payload)] = _read_responses(sock, 1)
        sock.close()
        assert status == 200
        assert orjson.loads(payload)["response"]["allowed"] is False
        # s.client keeps an idle keep-alive connection open, as the API server does: the
        # server waits for it no longer than timeout-ms + 1 s (it used to wait 10 s)
        started = time.monotonic()
        assert s.proc.wait(10) == -signal.SIGTERM  # uvicorn re-raises the signal it handled
        assert time.monotonic() - started < 2 + 1
    finally:
        s.stop()
