"""Docker daemon rules about who may use the Docker API: TCP without TLS client
authentication (E008), no authorization plugin (E014)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.daemon import daemon_rule, loopback_host, pointer

TCP_TLS = daemon_rule(
    "E008",
    "daemon-tcp-without-tls",
    "Docker API on TCP without TLS client authentication",
    Severity.CRITICAL,
    what='`hosts` contains a `tcp://` address and daemon.json does not set `"tlsverify": true` '
    "(with `tlscacert`, `tlscert`, `tlskey` or the default certificate files). Critical on a "
    'non-loopback address without TLS; high with `"tls": true` but no `tlsverify` (the '
    "connection is encrypted but any client is accepted); medium on a loopback address "
    "(127.0.0.0/8, ::1, localhost), where every local user and every container on the host "
    "network can use it.",
    why="The Docker API is root on the host. Without client certificates, anyone who can reach "
    "the port runs privileged containers: exposed Docker APIs are mass-scanned and taken over "
    "for crypto mining within hours.",
    fix="Keep the daemon on its Unix socket, or use SSH (`DOCKER_HOST=ssh://…`). If TCP is "
    "needed, set `tlsverify` with a CA that signs only your clients' certificates, on port "
    "2376.",
    example="""
{
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "tlsverify": true,
  "tlscacert": "/etc/docker/certs/ca.pem",
  "tlscert": "/etc/docker/certs/server-cert.pem",
  "tlskey": "/etc/docker/certs/server-key.pem"
}
""",
    cis="2.7",
    refs=("https://docs.docker.com/engine/security/protect-access/",),
)


def _loopback(address: str) -> bool:
    host = address
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return loopback_host(host)


# E008
@check(TCP_TLS, on=Target.DAEMON)
def daemon_tcp_without_tls(cfg: dict[str, Any]) -> Iterator[Violation]:
    hosts = cfg.get("hosts")
    items = [(hosts, "/hosts")] if isinstance(hosts, str) else [
        (h, f"/hosts/{i}") for i, h in enumerate(hosts if isinstance(hosts, list) else [])
    ]  # fmt: skip
    verify = cfg.get("tlsverify") is True
    tls = cfg.get("tls") is True
    if verify:
        return
    for h, ptr in items:
        if not isinstance(h, str) or not h.strip().lower().startswith("tcp://"):
            continue
        address = h.strip()[6:].split("/", 1)[0]
        if tls:
            yield Violation(
                "E008", ptr, f"Docker API on {h} uses TLS but does not verify clients "
                "(set tlsverify: true)", None, Severity.HIGH,
            )  # fmt: skip
        elif _loopback(address):
            yield Violation(
                "E008", ptr, f"Docker API on {h} without TLS: every local user and process "
                "can use it", None, Severity.MEDIUM,
            )  # fmt: skip
        else:
            yield Violation(
                "E008", ptr, f"Docker API on {h} without TLS: anyone who reaches it is root "
                "on the host",
            )  # fmt: skip


AUTHZ = daemon_rule(
    "E014",
    "daemon-no-authorization-plugin",
    "No authorization plugin",
    Severity.INFO,
    what="daemon.json sets no `authorization-plugins` (the default is none).",
    why="Docker's access model is all or nothing: whoever can reach the socket can do anything, "
    "including starting privileged containers. An authorization plugin (e.g. Open Policy "
    "Agent's) can refuse such requests. Information only: few installations need one, and "
    "platforms (Kubernetes) enforce their own policy.",
    fix="If users or tools other than administrators reach the Docker API, install an "
    "authorization plugin and list it in `authorization-plugins`.",
    example="""
{
  "authorization-plugins": ["opa-docker-authz"]
}
""",
    cis="2.12",
    refs=("https://docs.docker.com/engine/extend/plugins_authorization/",),
)


# E014
@check(AUTHZ, on=Target.DAEMON)
def daemon_no_authorization_plugin(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("authorization-plugins")
    if isinstance(value, list) and any(isinstance(x, str) and x.strip() for x in value):
        return
    if "authorization-plugins" in cfg:
        yield Violation("E014", pointer("authorization-plugins"), "authorization-plugins is empty")
    else:
        yield Violation(
            "E014", "", "authorization-plugins is not set (default: any API client may do "
            "anything)",
        )  # fmt: skip
