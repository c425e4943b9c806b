"""Docker daemon configuration checks (codes E001–E099): the CIS Docker Benchmark section 2
items a ``daemon.json`` can show.

Each check takes the parsed daemon.json (a dict) and yields violations; no I/O. A key whose
absence leaves an insecure default is reported on the top-level object (pointer ``""``,
line 1) and the message says what the default is. Flags given on the dockerd command line
(systemd unit, ``/etc/default/docker``) cannot be seen here.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Rule, Severity, Violation
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily

DOCKERD_DOC = "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"
CIS = "CIS Docker Benchmark v1.6.0 "


_rule = RuleFamily("docker-daemon", base_refs=(DOCKERD_DOC,), cis_prefix=CIS, register=True)


def _ptr(key: str) -> str:
    return "/" + escape(key)


def _fix(cfg: dict[str, Any], key: str, value: Any) -> list[dict[str, Any]]:
    op = "replace" if key in cfg else "add"
    return [{"op": op, "path": _ptr(key), "value": value}]


# --------------------------------------------------------------------------- icc

ICC = _rule(
    "E001",
    "daemon-icc-enabled",
    "Inter-container traffic allowed on the default bridge",
    Severity.LOW,
    'daemon.json does not set `"icc": false` (the default is true).',
    "Every container on the default `docker0` bridge can reach every other one on any port: a "
    "compromised container can attack its neighbours. Low because containers on user-defined "
    "networks (every compose project) are not affected by `icc`.",
    'Set `"icc": false` and connect containers that must talk through user-defined networks.',
    """
{
  "icc": false
}
""",
    cis="2.2",
)


@check(ICC, on=Target.DAEMON)
def icc(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("icc")
    if value is False:
        return
    if "icc" in cfg:
        yield Violation(
            "E001",
            _ptr("icc"),
            f"icc is {json_text(value)}: containers on the default bridge can reach each other "
            "(set it to false)",
            _fix(cfg, "icc", False),
        )
    else:
        yield Violation(
            "E001",
            "",
            "icc is not set (default true): containers on the default bridge can reach each other",
            _fix(cfg, "icc", False),
        )


def json_text(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


# --------------------------------------------------------------------------- userns

USERNS = _rule(
    "E002",
    "daemon-userns-remap",
    "User namespace remapping off",
    Severity.MEDIUM,
    "daemon.json does not set `userns-remap` (the default is no remapping).",
    "Without remapping, UID 0 in a container is UID 0 on the host: any container escape, "
    'host mount or device gives root on the host. With `"userns-remap": "default"` root '
    "in containers maps to an unprivileged range of host UIDs. (Rootless Docker gives the "
    "same protection and cannot be seen in daemon.json.)",
    'Set `"userns-remap": "default"` (or a dedicated user), after checking that volumes '
    "and images work with remapped UIDs; or run Docker rootless.",
    """
{
  "userns-remap": "default"
}
""",
    cis="2.9",
    refs=("https://docs.docker.com/engine/security/userns-remap/",),
)


@check(USERNS, on=Target.DAEMON)
def userns_remap(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("userns-remap")
    if isinstance(value, str) and value.strip():
        return
    if "userns-remap" in cfg:
        yield Violation(
            "E002",
            _ptr("userns-remap"),
            f"userns-remap is {json_text(value)}: root in a container is root on the host",
        )
    else:
        yield Violation(
            "E002",
            "",
            "userns-remap is not set (default: no remapping): root in a container is root on "
            "the host",
        )


# --------------------------------------------------------------------------- booleans


def _bool_rule_check(rule: Rule, key: str, good: bool, default: bool, harm: str) -> None:
    def boolean_setting(cfg: dict[str, Any]) -> Iterator[Violation]:
        value = cfg.get(key)
        if value is good:
            return
        if key in cfg:
            yield Violation(
                rule.code,
                _ptr(key),
                f"{key} is {json_text(value)}: {harm} (set it to {json_text(good)})",
                _fix(cfg, key, good),
            )
        elif default is not good:
            yield Violation(
                rule.code,
                "",
                f"{key} is not set (default {json_text(default)}): {harm}",
                _fix(cfg, key, good),
            )

    boolean_setting.__name__ = key.replace("-", "_")
    check(rule, on=Target.DAEMON)(boolean_setting)


NO_NEW_PRIVS = _rule(
    "E003",
    "daemon-no-new-privileges",
    "Containers may gain new privileges",
    Severity.LOW,
    'daemon.json does not set `"no-new-privileges": true` (the default is false).',
    "With it, every container starts with the `no_new_privs` bit: setuid/setgid binaries and "
    "file capabilities in images cannot raise a process's privileges. A container can still "
    "opt in per service (`security_opt: [no-new-privileges:true]`, rule C014).",
    'Set `"no-new-privileges": true`; containers that truly need setuid binaries can be '
    "started with `--security-opt no-new-privileges=false`.",
    """
{
  "no-new-privileges": true
}
""",
    cis="2.14",
)
LIVE_RESTORE = _rule(
    "E004",
    "daemon-live-restore",
    "Live restore disabled",
    Severity.LOW,
    'daemon.json does not set `"live-restore": true` (the default is false).',
    "Without live restore, restarting or upgrading dockerd stops every container: security "
    "updates of the engine become outages, so they get postponed.",
    'Set `"live-restore": true` (not compatible with swarm mode).',
    """
{
  "live-restore": true
}
""",
    cis="2.15",
    refs=("https://docs.docker.com/engine/daemon/live-restore/",),
)
USERLAND_PROXY = _rule(
    "E005",
    "daemon-userland-proxy",
    "Userland proxy enabled",
    Severity.LOW,
    'daemon.json does not set `"userland-proxy": false` (the default is true).',
    "The userland proxy is an extra root-owned process per published port; where hairpin NAT "
    "works (any modern kernel) it is redundant attack surface.",
    'Set `"userland-proxy": false`.',
    """
{
  "userland-proxy": false
}
""",
    cis="2.16",
)
EXPERIMENTAL = _rule(
    "E006",
    "daemon-experimental",
    "Experimental features enabled",
    Severity.LOW,
    'daemon.json sets `"experimental": true`.',
    "Experimental features are not covered by API stability guarantees and have had less "
    "review: not for production daemons.",
    "Remove `experimental` or set it to false.",
    """
{
  "experimental": false
}
""",
    cis="2.18",
)
IPTABLES = _rule(
    "E007",
    "daemon-iptables-disabled",
    "Docker may not manage iptables",
    Severity.MEDIUM,
    'daemon.json sets `"iptables": false`.',
    "Docker then neither isolates its networks from each other nor NATs published ports "
    "correctly; hand-written rules rarely reproduce the isolation, and containers end up "
    "exposed or reachable across networks.",
    'Remove `"iptables": false` and restrict published ports with the `DOCKER-USER` chain.',
    """
{
  "iptables": true
}
""",
    cis="2.4",
    refs=("https://docs.docker.com/engine/network/packet-filtering-firewalls/",),
)

_bool_rule_check(NO_NEW_PRIVS, "no-new-privileges", True, False,
                 "containers may gain privileges through setuid binaries")  # fmt: skip
_bool_rule_check(LIVE_RESTORE, "live-restore", True, False,
                 "restarting the daemon stops every container")  # fmt: skip
_bool_rule_check(USERLAND_PROXY, "userland-proxy", False, True,
                 "a root proxy process runs for every published port")  # fmt: skip
_bool_rule_check(EXPERIMENTAL, "experimental", False, False,
                 "experimental features are on")  # fmt: skip
_bool_rule_check(IPTABLES, "iptables", True, True,
                 "Docker does not isolate its networks with iptables")  # fmt: skip


# --------------------------------------------------------------------------- TLS

TCP_TLS = _rule(
    "E008",
    "daemon-tcp-without-tls",
    "Docker API on TCP without TLS client authentication",
    Severity.CRITICAL,
    '`hosts` contains a `tcp://` address and daemon.json does not set `"tlsverify": true` '
    "(with `tlscacert`, `tlscert`, `tlskey` or the default certificate files). Critical on a "
    'non-loopback address without TLS; high with `"tls": true` but no `tlsverify` (the '
    "connection is encrypted but any client is accepted); medium on a loopback address "
    "(127.0.0.0/8, ::1, localhost), where every local user and every container on the host "
    "network can use it.",
    "The Docker API is root on the host. Without client certificates, anyone who can reach "
    "the port runs privileged containers: exposed Docker APIs are mass-scanned and taken over "
    "for crypto mining within hours.",
    "Keep the daemon on its Unix socket, or use SSH (`DOCKER_HOST=ssh://…`). If TCP is "
    "needed, set `tlsverify` with a CA that signs only your clients' certificates, on port "
    "2376.",
    """
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
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@check(TCP_TLS, on=Target.DAEMON)
def tcp_without_tls(cfg: dict[str, Any]) -> Iterator[Violation]:
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


# --------------------------------------------------------------------------- registries

INSECURE_REGISTRIES = _rule(
    "E009",
    "daemon-insecure-registries",
    "Insecure registries allowed",
    Severity.MEDIUM,
    "daemon.json lists registries in `insecure-registries` (plain HTTP or unverified TLS). "
    "High for a CIDR that covers every address (`0.0.0.0/0`, `::/0`). Loopback entries "
    "(localhost, 127.0.0.0/8, ::1) are not reported: Docker treats them as insecure anyway.",
    "Images pulled from an insecure registry can be replaced in transit: whoever sits on the "
    "network path decides what the host runs.",
    "Give the registry a certificate (from an internal CA installed in "
    "`/etc/docker/certs.d/<registry>/ca.crt`) and remove it from `insecure-registries`.",
    """
{
  "insecure-registries": []
}
""",
    cis="2.5",
    refs=("https://docs.docker.com/reference/cli/dockerd/#insecure-registries",),
)


def _registry_loopback(entry: str) -> bool:
    """A registry (``host:port``) or CIDR entirely on the loopback interface."""
    text = entry.strip()
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        net = None
    if net is not None:
        return net.network_address.is_loopback and net.broadcast_address.is_loopback
    host = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    host = host[1 : host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@check(INSECURE_REGISTRIES, on=Target.DAEMON)
def insecure_registries(cfg: dict[str, Any]) -> Iterator[Violation]:
    regs = cfg.get("insecure-registries")
    if not isinstance(regs, list):
        return
    for i, r in enumerate(regs):
        if not isinstance(r, str) or not r.strip() or _registry_loopback(r):
            continue
        sev = None
        try:
            if ipaddress.ip_network(r.strip(), strict=False).prefixlen == 0:
                sev = Severity.HIGH
        except ValueError:
            pass
        what = "every registry" if sev else f"registry {r!r}"
        yield Violation(
            "E009", f"/insecure-registries/{i}", f"{what} is trusted without TLS", None, sev
        )


# --------------------------------------------------------------------------- seccomp

SECCOMP = _rule(
    "E010",
    "daemon-seccomp-unconfined",
    "Seccomp disabled for every container",
    Severity.HIGH,
    'daemon.json sets `"seccomp-profile": "unconfined"`. Not setting `seccomp-profile` is '
    'fine: Docker\'s built-in default profile applies (`"builtin"` says so explicitly), and '
    "a path to a custom profile is not judged.",
    "Docker's default seccomp profile blocks about 44 system calls (keyctl, kexec_load, "
    "open_by_handle_at, mount, bpf, …) that several kernel exploits and container escapes "
    "need; `unconfined` removes it from every container on the host.",
    "Remove `seccomp-profile` (or set it to `builtin`); give the few containers that need "
    "more a custom profile of their own.",
    """
{
  "seccomp-profile": "builtin"
}
""",
    cis="2.17",
    refs=("https://docs.docker.com/engine/security/seccomp/",),
)


@check(SECCOMP, on=Target.DAEMON)
def seccomp_unconfined(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("seccomp-profile")
    if isinstance(value, str) and value.strip().lower() == "unconfined":
        yield Violation(
            "E010", _ptr("seccomp-profile"), "seccomp-profile is \"unconfined\": no container "
            "gets a seccomp filter",
        )  # fmt: skip


# --------------------------------------------------------------------------- ulimits

ULIMITS = _rule(
    "E011",
    "daemon-default-ulimits",
    "No default ulimits",
    Severity.LOW,
    "daemon.json does not set `default-ulimits` (by default containers inherit the daemon's "
    "limits, e.g. a very high `nofile`).",
    "Default ulimits (open files, processes) bound what a runaway or hostile container can "
    "consume before per-container limits are set.",
    "Set `default-ulimits` suited to your workloads; containers can still raise or lower "
    "them with `--ulimit`.",
    """
{
  "default-ulimits": {
    "nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000},
    "nproc": {"Name": "nproc", "Hard": 4096, "Soft": 4096}
  }
}
""",
    cis="2.8",
)


@check(ULIMITS, on=Target.DAEMON)
def default_ulimits(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("default-ulimits")
    if isinstance(value, dict) and value:
        return
    if "default-ulimits" in cfg:
        yield Violation("E011", _ptr("default-ulimits"), "default-ulimits is empty")
    else:
        yield Violation(
            "E011", "", "default-ulimits is not set (default: containers inherit dockerd's limits)"
        )


# --------------------------------------------------------------------------- logging

LOG_DRIVER = _rule(
    "E012",
    "daemon-local-logging",
    "Container logs not shipped off the host",
    Severity.LOW,
    "daemon.json sets no `log-driver`, or one that keeps logs only on the host (`json-file`, "
    "the default, or `local`); medium for `none`, which discards them. Remote drivers "
    "(syslog, journald, fluentd, gelf, awslogs, gcplogs, splunk, etwlogs, logentries) are "
    "fine.",
    "Logs kept only on the host are lost with it and are the first thing an intruder who "
    "reaches the host erases; without logs an incident cannot be investigated.",
    "Ship logs to a central system: set `log-driver` to `syslog`, `journald` (collected by "
    "the host's forwarder), `fluentd`, `gelf` or your cloud's driver, or run a log shipper "
    "that reads the json-file logs.",
    """
{
  "log-driver": "syslog",
  "log-opts": {"syslog-address": "tcp://logs.example.com:514"}
}
""",
    cis="2.13",
    refs=("https://docs.docker.com/engine/logging/configure/",),
)


@check(LOG_DRIVER, on=Target.DAEMON)
def local_logging(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("log-driver")
    if "log-driver" not in cfg:
        yield Violation(
            "E012", "", "log-driver is not set (default json-file): logs stay on the host"
        )
        return
    name = value.strip().lower() if isinstance(value, str) else ""
    if name == "none":
        yield Violation(
            "E012", _ptr("log-driver"), "log-driver is \"none\": container logs are discarded",
            None, Severity.MEDIUM,
        )  # fmt: skip
    elif name in ("json-file", "local", ""):
        yield Violation(
            "E012", _ptr("log-driver"), f"log-driver is {json_text(value)}: logs stay on the host"
        )


LOG_LEVEL = _rule(
    "E013",
    "daemon-log-level",
    "Daemon log level not info",
    Severity.LOW,
    "daemon.json sets `log-level` to something other than `info` (the default).",
    "`debug` logs far more than needed (request details that may include sensitive data); "
    "`warn`, `error` and `fatal` drop the events an investigation needs.",
    "Remove `log-level` or set it to `info`.",
    """
{
  "log-level": "info"
}
""",
    cis="2.3",
)


@check(LOG_LEVEL, on=Target.DAEMON)
def log_level(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("log-level")
    if "log-level" in cfg and not (isinstance(value, str) and value.strip().lower() == "info"):
        yield Violation(
            "E013", _ptr("log-level"), f"log-level is {json_text(value)} (use info)",
            _fix(cfg, "log-level", "info"),
        )  # fmt: skip


# --------------------------------------------------------------------------- authz

AUTHZ = _rule(
    "E014",
    "daemon-no-authorization-plugin",
    "No authorization plugin",
    Severity.INFO,
    "daemon.json sets no `authorization-plugins` (the default is none).",
    "Docker's access model is all or nothing: whoever can reach the socket can do anything, "
    "including starting privileged containers. An authorization plugin (e.g. Open Policy "
    "Agent's) can refuse such requests. Information only: few installations need one, and "
    "platforms (Kubernetes) enforce their own policy.",
    "If users or tools other than administrators reach the Docker API, install an "
    "authorization plugin and list it in `authorization-plugins`.",
    """
{
  "authorization-plugins": ["opa-docker-authz"]
}
""",
    cis="2.12",
    refs=("https://docs.docker.com/engine/extend/plugins_authorization/",),
)


@check(AUTHZ, on=Target.DAEMON)
def authorization_plugins(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("authorization-plugins")
    if isinstance(value, list) and any(isinstance(x, str) and x.strip() for x in value):
        return
    if "authorization-plugins" in cfg:
        yield Violation("E014", _ptr("authorization-plugins"), "authorization-plugins is empty")
    else:
        yield Violation(
            "E014", "", "authorization-plugins is not set (default: any API client may do "
            "anything)",
        )  # fmt: skip


# --------------------------------------------------------------------------- storage

#: storage drivers Docker deprecated and then removed: (severity, deprecated in, removed in)
DEPRECATED_DRIVERS: dict[str, tuple[Severity, str, str]] = {
    "aufs": (Severity.MEDIUM, "19.03", "24.0"),
    "overlay": (Severity.LOW, "18.09", "24.0"),
    "devicemapper": (Severity.LOW, "18.09", "25.0"),
}

STORAGE_DRIVER = _rule(
    "E015",
    "daemon-deprecated-storage-driver",
    "Deprecated storage driver",
    Severity.LOW,
    "daemon.json sets `storage-driver` to a driver Docker deprecated and removed: `aufs` "
    "(medium: the CIS item; deprecated 19.03, removed 24.0), legacy `overlay` (deprecated "
    "18.09, removed 24.0) or `devicemapper` (deprecated 18.09, removed 25.0). `overlay2`, "
    "`btrfs`, `zfs`, `fuse-overlayfs` and `vfs` are supported drivers.",
    "A removed driver means the daemon cannot be upgraded (security fixes included) without "
    "migrating storage; aufs also needs an out-of-tree kernel patch set that gets few "
    "security fixes.",
    "Move to `overlay2` (export what must be kept: images and volumes are not migrated).",
    """
{
  "storage-driver": "overlay2"
}
""",
    cis="2.6",
    refs=("https://docs.docker.com/engine/deprecated/",),
)


@check(STORAGE_DRIVER, on=Target.DAEMON)
def deprecated_storage_driver(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("storage-driver")
    if not isinstance(value, str):
        return
    info = DEPRECATED_DRIVERS.get(value.strip().lower())
    if info is None:
        return
    sev, deprecated, removed = info
    yield Violation(
        "E015",
        _ptr("storage-driver"),
        f"storage-driver {value!r} is deprecated since Docker {deprecated} and removed in "
        f"{removed} (use overlay2)",
        None,
        sev,
    )
