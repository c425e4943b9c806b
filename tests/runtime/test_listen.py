"""``hardhull runtime --listen``: the endpoint the API server's audit webhook backend posts to
(issue #12 §2), tested as a real process over TLS on loopback.

No kube-apiserver can run here, so the tests post what its webhook backend posts: an
``audit.k8s.io/v1`` ``EventList`` in the API server's JSON encoding (``metadata: {}``, items
without their own ``kind``/``apiVersion``), ``Content-Type: application/json``, batches of up
to 400 events (``--audit-webhook-batch-max-size``) or one event per body (the blocking
modes), to the path of the server URL in its webhook kubeconfig, with that kubeconfig's client
certificate and CA. The alerts must be exactly those of the same events read from a file."""

from __future__ import annotations

import base64
import json
import signal
import ssl
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.helpers.auditlog import attacks, benign, jsonl
from tests.helpers.live import Live, file_alerts
from tests.helpers.server import Bundle, install, make_bundle, peer_serial
from tests.runtime.test_upstream_rules import EXPECTED


def _apiserver_encoding(events: list[dict[str, Any]]) -> bytes:
    """An EventList as the API server's webhook backend serialises one."""
    items = [{k: v for k, v in e.items() if k not in ("kind", "apiVersion")} for e in events]
    body = {"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items}
    return json.dumps(body, separators=(",", ":")).encode()


class Listener(Live):
    def __init__(self, tmp: Path, rules: str, *args: str, tls: bool = True) -> None:
        self.bundle = make_bundle("A")
        if tls:
            install(self.bundle, tmp)
            args = ("--tls-cert", str(tmp / "tls.crt"), "--tls-key", str(tmp / "tls.key"),
                    "--cert-check-seconds", "0.1", *args)  # fmt: skip
        super().__init__(tmp, "-r", rules, "--listen", "127.0.0.1:0", *args)
        m = self.wait_stderr(r"listening on (https?)://127\.0\.0\.1:(\d+) ")
        self.url = f"{m.group(1)}://127.0.0.1:{m.group(2)}"
        self.port = int(m.group(2))

    def client(
        self, ca: bytes | None = None, cert: tuple[Path, Path] | None = None
    ) -> httpx.Client:
        ctx = ssl.create_default_context(cadata=(ca or self.bundle.ca_pem).decode())
        if cert is not None:
            ctx.load_cert_chain(cert[0], cert[1])
        return httpx.Client(base_url=self.url, verify=ctx, timeout=60)


def test_eventlist_batches_over_tls_give_the_alerts_of_the_file_source(
    rules: str, tmp_path: Path
) -> None:
    attack_events = [e for evs in attacks().values() for e in evs]
    traffic = list(benign(600)) + attack_events
    server = Listener(tmp_path, rules)
    try:
        with server.client() as client:
            assert client.get("/healthz").text == "ok\n"
            # batch mode: bodies of up to 400 events, as --audit-webhook-batch-max-size
            r = client.post("/k8s-audit", content=_apiserver_encoding(traffic[:400]),
                            headers={"Content-Type": "application/json"})  # fmt: skip
            assert (r.status_code, r.json()) == (200, {"events": 400, "skipped": 0})
            # blocking mode: one EventList per event
            for ev in traffic[400:410]:
                r = client.post("/k8s-audit", content=_apiserver_encoding([ev]),
                                headers={"Content-Type": "application/json"})  # fmt: skip
                assert (r.status_code, r.json()) == (200, {"events": 1, "skipped": 0})
            # a bare Event is taken too
            r = client.post("/k8s-audit", json=traffic[410])
            assert (r.status_code, r.json()) == (200, {"events": 1, "skipped": 0})
            rest = traffic[411:]
        # several API servers at once: bodies from concurrent connections never interleave
        chunks = [rest[i::4] for i in range(4)]
        statuses: list[int] = []

        def post(chunk: list[dict[str, Any]]) -> None:
            with server.client() as c:
                for i in range(0, len(chunk), 25):
                    statuses.append(
                        c.post("/audit", content=_apiserver_encoding(chunk[i : i + 25])).status_code
                    )

        threads = [threading.Thread(target=post, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200] * sum((len(c) + 24) // 25 for c in chunks)
        posted_sequential = traffic[:411]
    finally:
        rc = server.stop(signal.SIGTERM)
    assert rc == 0, server.stderr()
    got = server.alerts()  # every line a whole JSON alert
    want_first = file_alerts(rules, tmp_path, jsonl(posted_sequential))
    assert got[: len(want_first)] == want_first
    want_all = file_alerts(rules, tmp_path, jsonl(traffic))
    key = lambda a: json.dumps(a, sort_keys=True)  # noqa: E731 - the concurrent part in any order
    assert sorted(map(key, got)) == sorted(map(key, want_all))
    assert set(EXPECTED.values()) <= {a["rule"] for a in got}
    assert server.stderr().endswith(
        f"hardhull: {len(traffic)} event(s), {len(got)} alert(s), 0 line(s) skipped\n"
    )
    assert "Traceback" not in server.stderr()


def test_bad_bodies_are_refused_with_the_reason_and_counted(rules: str, tmp_path: Path) -> None:
    (priv,) = attacks()["privileged pod"]
    server = Listener(tmp_path, rules, "--max-body-bytes", "100000")
    try:
        with server.client() as client:
            for body, reason in [
                (b"{oops", "not JSON"),
                (b"[1, 2]", "not a JSON object"),
                (b'{"kind": "Pod"}', "not a Kubernetes audit Event (kind 'Pod')"),
                (b'{"kind": "EventList", "items": 3}', "an EventList without items"),
                (b'{"kind": "EventList", "items": [1]}', "an EventList item that is not an"),
                (b"\xff\xfe", "the body is not UTF-8"),
                (b"", "an empty body"),
            ]:  # fmt: skip
                r = client.post("/k8s-audit", content=body)
                assert r.status_code == 400, body
                assert r.json()["error"].startswith(reason), r.json()
            # a batch with one bad item among good ones: the good ones count, the bad is skipped
            mixed = {"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
                     "items": [priv, {"kind": "Pod"}]}  # fmt: skip
            r = client.post("/k8s-audit", json=mixed)
            assert (r.status_code, r.json()) == (200, {"events": 1, "skipped": 1})
            big = _apiserver_encoding([priv] * 200)
            assert len(big) > 100000
            r = client.post("/k8s-audit", content=big)
            assert r.status_code == 413 and "over 100000 bytes" in r.json()["error"]
            r = client.get("/k8s-audit")
            assert (r.status_code, r.headers["allow"]) == (405, "POST")
            r = client.put("/k8s-audit", content=b"{}")
            assert r.status_code == 405
            r = client.post("/healthz", content=b"{}")
            assert (r.status_code, r.headers["allow"]) == (405, "GET, HEAD")
            # and the server goes on
            r = client.post("/k8s-audit", content=_apiserver_encoding([priv]))
            assert (r.status_code, r.json()) == (200, {"events": 1, "skipped": 0})
    finally:
        rc = server.stop(signal.SIGINT)
    assert rc == 0
    rules_fired = [a["rule"] for a in server.alerts()]
    assert rules_fired.count("Create Privileged Pod") == 2
    err = server.stderr()
    assert "POST /k8s-audit: not JSON" in err and "Traceback" not in err
    assert err.endswith(f"hardhull: 2 event(s), {len(rules_fired)} alert(s), 9 line(s) skipped\n")


def test_renewed_certificate_files_are_served_to_new_connections(
    rules: str, tmp_path: Path
) -> None:
    server = Listener(tmp_path, rules)
    try:
        assert peer_serial(server.port, server.bundle.ca_pem) == server.bundle.serial
        old = server.client()
        assert old.get("/healthz").status_code == 200  # an open connection, kept
        renewed = make_bundle("B")
        install(renewed, tmp_path)
        server.wait_stderr(r"reloaded the serving certificate")
        assert peer_serial(server.port, renewed.ca_pem) == renewed.serial
        with server.client(renewed.ca_pem) as fresh:
            assert fresh.get("/healthz").status_code == 200
        with server.client() as stale, pytest.raises(httpx.ConnectError):  # the old CA only
            stale.get("/healthz")
        # the connection opened before keeps its certificate (a new one would fail with CA A)
        assert old.get("/healthz").status_code == 200
        old.close()
        # a half-written pair (a new certificate, the old key) is not loaded: still served
        failed = "certificate reload failed, keeping the previous one"
        before = server.stderr().count(failed)
        (tmp_path / "tls.crt").write_bytes(make_bundle("C").cert_pem)
        server.wait_for("a failed reload", lambda: server.stderr().count(failed) > before)
        assert peer_serial(server.port, renewed.ca_pem) == renewed.serial
    finally:
        assert server.stop() == 0


def _webhook_kubeconfig(url: str, server_ca: bytes, client: Bundle) -> str:
    """The file given to kube-apiserver --audit-webhook-config-file (docs/runtime.md)."""

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return yaml.safe_dump({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "hardhull", "cluster": {
            "server": f"{url}/k8s-audit", "certificate-authority-data": b64(server_ca)}}],
        "users": [{"name": "kube-apiserver", "user": {
            "client-certificate-data": b64(client.cert_pem),
            "client-key-data": b64(client.key_pem)}}],
        "contexts": [{"name": "webhook",
                      "context": {"cluster": "hardhull", "user": "kube-apiserver"}}],
        "current-context": "webhook",
    })  # fmt: skip


def test_client_certificate_required_with_client_ca_as_the_kubeconfig_gives(
    rules: str, tmp_path: Path
) -> None:
    apiserver = make_bundle("apiserver-client")
    (tmp_path / "client-ca.crt").write_bytes(apiserver.ca_pem)
    server = Listener(tmp_path, rules, "--client-ca", str(tmp_path / "client-ca.crt"))
    try:
        # what the API server does with its webhook kubeconfig
        config = yaml.safe_load(_webhook_kubeconfig(server.url, server.bundle.ca_pem, apiserver))
        (ctx,) = config["contexts"]
        cluster = next(c["cluster"] for c in config["clusters"]
                       if c["name"] == ctx["context"]["cluster"])  # fmt: skip
        user = next(u["user"] for u in config["users"] if u["name"] == ctx["context"]["user"])
        (tmp_path / "c.crt").write_bytes(base64.b64decode(user["client-certificate-data"]))
        (tmp_path / "c.key").write_bytes(base64.b64decode(user["client-key-data"]))
        ca = base64.b64decode(cluster["certificate-authority-data"])
        (priv,) = attacks()["privileged pod"]
        with server.client(ca, cert=(tmp_path / "c.crt", tmp_path / "c.key")) as client:
            r = client.post(cluster["server"], content=_apiserver_encoding([priv]),
                            headers={"Content-Type": "application/json"})  # fmt: skip
            assert (r.status_code, r.json()) == (200, {"events": 1, "skipped": 0})
        with server.client(ca) as anonymous, pytest.raises(httpx.TransportError):
            anonymous.post("/k8s-audit", content=_apiserver_encoding([priv]))
        stranger = make_bundle("stranger")
        (tmp_path / "s.crt").write_bytes(stranger.cert_pem)
        (tmp_path / "s.key").write_bytes(stranger.key_pem)
        with (
            server.client(ca, cert=(tmp_path / "s.crt", tmp_path / "s.key")) as other,
            pytest.raises(httpx.TransportError),
        ):
            other.post("/k8s-audit", content=_apiserver_encoding([priv]))
        server.wait_stderr(r"TLS handshake failed")
    finally:
        assert server.stop() == 0
    assert [a["rule"] for a in server.alerts()].count("Create Privileged Pod") == 1


def test_plain_http_on_loopback_only_and_usage_errors(rules: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hardhull", "runtime", "-r", rules, *args],
                              capture_output=True, text=True, timeout=120, check=False)  # fmt: skip

    refused = run("--listen", "0.0.0.0:0")
    assert refused.returncode == 2
    assert "without TLS is allowed on a loopback address only" in refused.stderr
    assert run("--listen", "127.0.0.1:0", "--tls-cert", "x.pem").returncode == 2
    assert "ADDR:PORT" in run("--listen", "8443").stderr
    assert run("--listen", "127.0.0.1:0", "--input", "a.log").returncode == 2
    assert run("--listen", "127.0.0.1:0", "--client-ca", "ca.pem").returncode == 2
    (tmp_path / "bad.pem").write_text("not a certificate\n")
    bad = run("--listen", "127.0.0.1:0", "--tls-cert", str(tmp_path / "bad.pem"),
              "--tls-key", str(tmp_path / "bad.pem"))  # fmt: skip
    assert bad.returncode == 2 and "TLS error" in bad.stderr and "Traceback" not in bad.stderr
    server = Listener(tmp_path, rules, tls=False)
    try:
        assert server.url.startswith("http://")
        (priv,) = attacks()["privileged pod"]
        r = httpx.post(f"{server.url}/k8s-audit", content=_apiserver_encoding([priv]), timeout=60)
        assert (r.status_code, r.json()) == (200, {"events": 1, "skipped": 0})
    finally:
        assert server.stop() == 0


def test_skipped_items_are_told_to_the_metrics() -> None:
    # what --metrics-port counts as bad input: each skipped item, each refused body
    from hardhull.runtime.listen import AuditWebhook

    told: list[int] = []
    seen: list[object] = []
    hook = AuditWebhook("127.0.0.1", 0, process=seen.append, flush=lambda: None,
                        warn=lambda _m: None, on_skip=told.append)  # fmt: skip
    try:
        (priv,) = attacks()["privileged pod"]
        body = json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
                           "items": [priv, {"kind": "Pod"}, {"kind": "Node"}]})  # fmt: skip
        assert hook.receive(body.encode(), "t") == (200, {"events": 1, "skipped": 2})
        assert hook.receive(b"{}", "t")[0] == 400
        hook.refused()
        assert told == [2, 1, 1] and hook.skipped == 4 and len(seen) == 1
    finally:
        hook.server.server_close()
