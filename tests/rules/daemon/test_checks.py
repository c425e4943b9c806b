"""Every daemon.json rule E001–E015, positive and negative, with the exact findings, and the
daemon front end's handling of bad input. Each case is a daemon.json written to disk and
scanned through the real engine; cases start from ``BASE``, which passes every rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hardhull.engine import ScanOptions, ScanResult, scan

Row = tuple[str, str, str, str]  # code, "line:column", message, severity

BASE: dict[str, Any] = {
    "icc": False,
    "userns-remap": "default",
    "no-new-privileges": True,
    "live-restore": True,
    "userland-proxy": False,
    "log-driver": "journald",
    "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}},
    "authorization-plugins": ["opa-docker-authz"],
}


def config(**changes: Any) -> str:
    """BASE with keys changed (``None`` removes a key), one key per line."""
    cfg = dict(BASE)
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value
    return json.dumps(cfg, indent=2) + "\n"


def line_of(text: str, key: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if f'"{key}"' in line)


def run(tmp_path: Path, text: str) -> ScanResult:
    d = tmp_path / "etc-docker"
    d.mkdir(exist_ok=True)
    path = d / "daemon.json"
    path.write_text(text)
    return scan([str(path)], ScanOptions(jobs=1))


def rows(tmp_path: Path, text: str) -> list[Row]:
    result = run(tmp_path, text)
    assert result.errors == [], result.errors
    return sorted(
        (f.code, f"{f.location.line}:{f.location.column}", f.message, f.severity.label)
        for f in result.findings
    )


def test_base_is_clean(tmp_path: Path) -> None:
    assert rows(tmp_path, config()) == []


# --------------------------------------------------------------------------- missing keys

MISSING = [
    ("icc", "E001", "icc is not set (default true): containers on the default bridge can "
     "reach each other", "low"),
    ("userns-remap", "E002", "userns-remap is not set (default: no remapping): root in a "
     "container is root on the host", "medium"),
    ("no-new-privileges", "E003", "no-new-privileges is not set (default false): containers "
     "may gain privileges through setuid binaries", "low"),
    ("live-restore", "E004", "live-restore is not set (default false): restarting the daemon "
     "stops every container", "low"),
    ("userland-proxy", "E005", "userland-proxy is not set (default true): a root proxy "
     "process runs for every published port", "low"),
    ("default-ulimits", "E011", "default-ulimits is not set (default: containers inherit "
     "dockerd's limits)", "low"),
    ("log-driver", "E012", "log-driver is not set (default json-file): logs stay on the host",
     "low"),
    ("authorization-plugins", "E014", "authorization-plugins is not set (default: any API "
     "client may do anything)", "info"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "code", "message", "sev"), MISSING)
def test_missing_key_is_reported_on_line_1(
    tmp_path: Path, key: str, code: str, message: str, sev: str
) -> None:
    assert rows(tmp_path, config(**{key: None})) == [(code, "1:1", message, sev)]


def test_empty_object_reports_every_insecure_default(tmp_path: Path) -> None:
    got = rows(tmp_path, "{}\n")
    assert sorted(r[0] for r in got) == sorted(code for _, code, _, _ in MISSING)
    assert {r[1] for r in got} == {"1:1"}


# --------------------------------------------------------------------------- set badly

BAD = [
    ({"icc": True}, "icc", "E001", "icc is true: containers on the default bridge can reach "
     "each other (set it to false)", "low"),
    ({"userns-remap": ""}, "userns-remap", "E002", 'userns-remap is "": root in a container '
     "is root on the host", "medium"),
    ({"no-new-privileges": False}, "no-new-privileges", "E003", "no-new-privileges is false: "
     "containers may gain privileges through setuid binaries (set it to true)", "low"),
    ({"live-restore": False}, "live-restore", "E004", "live-restore is false: restarting the "
     "daemon stops every container (set it to true)", "low"),
    ({"userland-proxy": True}, "userland-proxy", "E005", "userland-proxy is true: a root "
     "proxy process runs for every published port (set it to false)", "low"),
    ({"experimental": True}, "experimental", "E006", "experimental is true: experimental "
     "features are on (set it to false)", "low"),
    ({"iptables": False}, "iptables", "E007", "iptables is false: Docker does not isolate its "
     "networks with iptables (set it to true)", "medium"),
    ({"seccomp-profile": "unconfined"}, "seccomp-profile", "E010", 'seccomp-profile is '
     '"unconfined": no container gets a seccomp filter', "high"),
    ({"default-ulimits": {}}, "default-ulimits", "E011", "default-ulimits is empty", "low"),
    ({"log-driver": "json-file"}, "log-driver", "E012", 'log-driver is "json-file": logs '
     "stay on the host", "low"),
    ({"log-driver": "local"}, "log-driver", "E012", 'log-driver is "local": logs stay on the '
     "host", "low"),
    ({"log-driver": "none"}, "log-driver", "E012", 'log-driver is "none": container logs are '
     "discarded", "medium"),
    ({"log-level": "debug"}, "log-level", "E013", 'log-level is "debug" (use info)', "low"),
    ({"authorization-plugins": []}, "authorization-plugins", "E014",
     "authorization-plugins is empty", "info"),
    ({"storage-driver": "aufs"}, "storage-driver", "E015", "storage-driver 'aufs' is "
     "deprecated since Docker 19.03 and removed in 24.0 (use overlay2)", "medium"),
    ({"storage-driver": "overlay"}, "storage-driver", "E015", "storage-driver 'overlay' is "
     "deprecated since Docker 18.09 and removed in 24.0 (use overlay2)", "low"),
    ({"storage-driver": "devicemapper"}, "storage-driver", "E015", "storage-driver "
     "'devicemapper' is deprecated since Docker 18.09 and removed in 25.0 (use overlay2)",
     "low"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "key", "code", "message", "sev"), BAD)
def test_bad_value(
    tmp_path: Path, change: dict[str, Any], key: str, code: str, message: str, sev: str
) -> None:
    text = config(**change)
    assert rows(tmp_path, text) == [(code, f"{line_of(text, key)}:3", message, sev)]


@pytest.mark.parametrize(
    "change",
    [
        {"experimental": False},
        {"iptables": True},
        {"seccomp-profile": "builtin"},
        {"seccomp-profile": "/etc/docker/seccomp.json"},
        {"log-driver": "syslog"},
        {"log-driver": "fluentd"},
        {"log-level": "info"},
        {"storage-driver": "overlay2"},
        {"storage-driver": "btrfs"},
        {"insecure-registries": ["localhost:5000", "127.0.0.1:5000", "127.0.0.0/8", "[::1]:5000"]},
        {"hosts": ["unix:///var/run/docker.sock", "fd://"]},
        {"hosts": ["tcp://0.0.0.0:2376"], "tlsverify": True},
    ],
)
def test_good_values(tmp_path: Path, change: dict[str, Any]) -> None:
    assert rows(tmp_path, config(**change)) == []


# --------------------------------------------------------------------------- TLS, registries


@pytest.mark.parametrize(
    ("hosts", "tls", "message", "sev"),
    [
        (
            "tcp://0.0.0.0:2375",
            {},
            "Docker API on tcp://0.0.0.0:2375 without TLS: anyone who reaches it is root on "
            "the host",
            "critical",
        ),
        (
            "tcp://:2375",
            {},
            "Docker API on tcp://:2375 without TLS: anyone who reaches it is root on the host",
            "critical",
        ),
        (
            "tcp://127.0.0.1:2375",
            {},
            "Docker API on tcp://127.0.0.1:2375 without TLS: every local user and process can "
            "use it",
            "medium",
        ),
        (
            "tcp://localhost:2375",
            {},
            "Docker API on tcp://localhost:2375 without TLS: every local user and process can "
            "use it",
            "medium",
        ),
        (
            "tcp://10.0.0.5:2376",
            {"tls": True, "tlscert": "/c.pem", "tlskey": "/k.pem"},
            "Docker API on tcp://10.0.0.5:2376 uses TLS but does not verify clients (set "
            "tlsverify: true)",
            "high",
        ),
    ],
)
def test_tcp_without_tls(
    tmp_path: Path, hosts: str, tls: dict[str, Any], message: str, sev: str
) -> None:
    text = json.dumps({**BASE, **tls, "hosts": ["unix:///var/run/docker.sock", hosts]}) + "\n"
    col = text.index(f'"{hosts}"') + 1
    assert rows(tmp_path, text) == [("E008", f"1:{col}", message, sev)]


def test_insecure_registries(tmp_path: Path) -> None:
    text = config(insecure_registries=["localhost:5000", "registry.internal:5000", "0.0.0.0/0"])
    line = line_of(text, "registry.internal:5000")
    assert rows(tmp_path, text) == [
        ("E009", f"{line}:5", "registry 'registry.internal:5000' is trusted without TLS", "medium"),
        ("E009", f"{line + 1}:5", "every registry is trusted without TLS", "high"),
    ]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{\n  "icc": false,\n  "hosts": [1,]\n}\n', "invalid JSON: Expecting value", 3, 15),
        ('{\n  "icc": false\n  "live-restore": true\n}\n',
         "invalid JSON: Expecting ',' delimiter", 3, 3),
        ("[]\n", "daemon.json must be a JSON object, not list", 1, 1),
        ("null\n", "daemon.json must be a JSON object, not null", 1, 1),
    ],
)  # fmt: skip
def test_bad_input_is_an_error_with_position(
    tmp_path: Path, text: str, message: str, line: int, column: int
) -> None:
    result = run(tmp_path, text)
    assert [(e.message, e.line, e.column) for e in result.errors] == [(message, line, column)]
    assert result.findings == []


def test_positions_after_leading_whitespace_and_bom(tmp_path: Path) -> None:
    text = '\ufeff\n\n  {"experimental": true, ' + config()[1:]
    got = [r for r in rows(tmp_path, text) if r[0] == "E006"]
    assert got == [
        ("E006", "3:4", "experimental is true: experimental features are on (set it to false)",
         "low")
    ]  # fmt: skip
