"""The compose rules of ``hardhull/rules/compose/mounts.py`` (and the rows their cases
also trip): C015, C016, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, add, check


def vol(*items: str) -> str:
    return add("volumes:\n" + "".join(f"  - {i}\n" for i in items))


SOCK = vol('"/var/run/docker.sock:/var/run/docker.sock:ro"')


SOCK_LONG = add(
    """
    volumes:
      - type: bind
        source: //run/docker.sock
        target: /var/run/docker.sock
        read_only: true
    """
)


SOCK_VAR = vol('"${DOCKER_SOCK}:/var/run/docker.sock"')


SOCK_DEFAULT = vol('"${DOCKER_SOCK:-/var/run/docker.sock}:/docker.sock"')


SOCK_NAMED = (
    vol("docker:/var/run/docker.sock")
    + "volumes:\n  docker:\n    driver: local\n"
    + "    driver_opts: {type: none, o: bind, device: /var/run/docker.sock}\n"
)


SOCK_PIPE = vol(r"'\\.\pipe\docker_engine:\\.\pipe\docker_engine'")


SOCKET_CASES = [
    (SOCK, "/var/run/docker.sock"),
    (SOCK_LONG, "//run/docker.sock"),
    (SOCK_DEFAULT, "/var/run/docker.sock"),
    (SOCK_NAMED, "/var/run/docker.sock"),
    (SOCK_PIPE, r"\\.\pipe\docker_engine"),
]


@pytest.mark.parametrize(("text", "path"), SOCKET_CASES)
def test_docker_socket(tmp_path: Path, text: str, path: str) -> None:
    msg = f"{APP} mounts the container runtime socket {path!r}"
    check(tmp_path, text, [("C015", "13:9", msg, "critical")])


def test_docker_socket_from_unknown_variable(tmp_path: Path) -> None:
    msg = f"{APP} mounts a variable path at '/var/run/docker.sock' (Docker socket)"
    check(tmp_path, SOCK_VAR, [("C015", "13:9", msg, "critical")])


@pytest.mark.parametrize(
    ("item", "what", "sev"),
    [
        ('"/:/host"', "a sensitive host path '/'", "critical"),
        ('"/etc:/host/etc:ro"', "a sensitive host path '/etc' read-only", "critical"),
        ('"/proc:/host/proc:ro"', "a sensitive host path '/proc' read-only", "critical"),
        ('"/var/log:/host/log"', "a sensitive host path '/var/log'", "high"),
        ('"/var/log:/host/log:ro"', "a sensitive host path '/var/log' read-only", "low"),
        ('"/etc/pihole:/etc/pihole"', "a sensitive host path '/etc/pihole'", "medium"),
        ('"/etc/cron.d:/etc/cron.d"', "a sensitive host path '/etc/cron.d'", "high"),
        ('"/lib/modules:/lib/modules"', "a sensitive host path '/lib/modules'", "high"),
        ('"~/.ssh:/root/.ssh:ro"', "credentials in a home directory '~/.ssh' read-only", "medium"),
        ('"$HOME/.aws:/root/.aws"', "credentials in a home directory '$HOME/.aws'", "medium"),
        ('"/home/dev:/home/dev"', "a home directory '/home/dev'", "high"),
    ],
)
def test_sensitive_host_path(tmp_path: Path, item: str, what: str, sev: str) -> None:
    check(tmp_path, vol(item), [("C016", "13:9", f"{APP} mounts {what}", sev)])


def test_sensitive_host_path_long_syntax(tmp_path: Path) -> None:
    text = add(
        """
        volumes:
          - type: bind
            source: /etc/kubernetes
            target: /k8s
            read_only: true
        """
    )
    msg = f"{APP} mounts a sensitive host path '/etc/kubernetes' read-only"
    check(tmp_path, text, [("C016", "13:9", msg, "critical")])


@pytest.mark.parametrize(
    "item",
    [
        "./data:/data",
        "data:/data",
        "/srv/app:/srv/app",
        "/opt/app/config:/config",
        "/etc/localtime:/etc/localtime:ro",
        "/etc/ssl/certs:/etc/ssl/certs:ro",
        "/etc/nginx/conf.d:/etc/nginx/conf.d:ro",
        "~/projects/app:/app",
        "/home/dev/projects/app:/app",
        "/tmp",
        "${DATA_DIR}:/data",
        "C:\\\\data:/data",
    ],
)
def test_ordinary_mounts_are_fine(tmp_path: Path, item: str) -> None:
    check(tmp_path, vol(f'"{item}"'), [])


def test_tmpfs_and_volume_long_syntax_are_fine(tmp_path: Path) -> None:
    text = add(
        """
        volumes:
          - type: volume
            source: data
            target: /etc
          - type: tmpfs
            target: /run
        """
    )
    check(tmp_path, text, [])
