"""The compose rules of ``hardhull/rules/compose/ports.py`` (and the rows their cases
also trip): C002, C022, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, add, at, check, edit


def ports(*items: str) -> str:
    return add("ports:\n" + "".join(f"  - {i}\n" for i in items))


def pub(port: int, name: str, where: str = "all interfaces") -> str:
    return f"{APP} publishes port {port} ({name}) on {where} (bind it to 127.0.0.1)"


@pytest.mark.parametrize(
    ("item", "message", "sev"),
    [
        ('"5432:5432"', pub(5432, "PostgreSQL"), "low"),
        ('"6379"', pub(6379, "Redis"), "low"),
        ("15432:5432", pub(5432, "PostgreSQL"), "low"),
        ('"0.0.0.0:6379:6379"', pub(6379, "Redis", "0.0.0.0"), "low"),
        ('"[::]:27017:27017/tcp"', pub(27017, "MongoDB", "[::]"), "low"),
        ('"9200-9300:9200-9300"', pub(9200, "Elasticsearch"), "low"),
        ('"${DB_PORT:-5432}:5432"', pub(5432, "PostgreSQL"), "low"),
        ("22:22", pub(22, "SSH"), "low"),  # YAML 1.1 base 60, a string to Compose
        ('"2375:2375"', pub(2375, "Docker API (plain)"), "medium"),
        ("{target: 3306, published: 3306}", pub(3306, "MySQL/MariaDB"), "low"),
    ],
)
def test_admin_port_exposed(tmp_path: Path, item: str, message: str, sev: str) -> None:
    check(tmp_path, ports(item), [("C022", "13:9", message, sev)])


def test_admin_ui_image_any_port(tmp_path: Path) -> None:
    text = edit(ports('"8080:8080"'), ("registry.example.com/app:1.4.2", "adminer:4.8.1"))
    msg = (
        f"{APP} publishes port 8080 of admin UI 'adminer' on all interfaces (bind it to 127.0.0.1)"
    )
    check(tmp_path, text, [("C022", "13:9", msg, "low")])


@pytest.mark.parametrize(
    "item",
    [
        '"127.0.0.1:5432:5432"',
        '"[::1]:5432:5432"',
        '"10.0.0.5:6379:6379"',
        '"8080:80"',
        '"443:8443/tcp"',
        '"${BIND_IP}:5432:5432"',
        '"5432:${DB_PORT}"',
        "{target: 5432, published: 5432, host_ip: 127.0.0.1}",
    ],
)
def test_ports_negative(tmp_path: Path, item: str) -> None:
    check(tmp_path, ports(item), [])


def test_ports_ignored_with_host_network(tmp_path: Path) -> None:
    text = add("network_mode: host", ports('"5432:5432"'))
    msg = f"{APP} shares the host network namespace (network_mode: host)"
    check(tmp_path, text, [("C002", at(text, "network_mode"), msg, "high")])


def test_expose_is_not_publishing(tmp_path: Path) -> None:
    check(tmp_path, add('expose: ["5432", 6379]'), [])
