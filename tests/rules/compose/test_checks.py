"""Every compose rule C001–C022, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from hardhull.secrets.detect import detect_value

Row = tuple[str, str, str, str]  # code, "line:column", message, severity

BASE = """\
services:
  app:
    image: registry.example.com/app:1.4.2
    user: "10001:10001"
    read_only: true
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 128M, pids: 100}
"""
APP = 'service "app"'


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def add(fragment: str, text: str = BASE) -> str:
    """Append ``fragment`` (dedented) to the service ``app``."""
    return text + textwrap.indent(textwrap.dedent(fragment).strip("\n") + "\n", "    ")


def drop(*lines: str, text: str = BASE) -> str:
    return edit(text, *((line, "") for line in lines))


def at(text: str, needle: str, nth: int = 1) -> str:
    """line:column where the n-th occurrence of ``needle`` starts."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    if nth == 1:
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    line = text.count("\n", 0, pos) + 1
    return f"{line}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def scan_text(tmp_path: Path, text: str, name: str = "compose.yaml") -> list[Row]:
    path = tmp_path / name
    path.write_text(text)
    result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == [], result.errors
    return sorted(
        (
            f.code,
            f"{f.location.line}:{f.location.column}",
            f.message,
            f.severity.label,
        )
        for f in result.findings
    )


def check(tmp_path: Path, text: str, expected: list[Row]) -> None:
    assert scan_text(tmp_path, text) == sorted(expected)


def test_base_is_clean(tmp_path: Path) -> None:
    check(tmp_path, BASE, [])


# --------------------------------------------------------------------------- C001–C007

PRIV = add("privileged: true")
HOST_CASES = [
    (PRIV, [("C001", at(PRIV, "privileged"), f"{APP} runs privileged", "critical")]),
    (add("privileged: false"), []),
    (add('privileged: "true"'), []),
]
for field, code, what, sev, benign in [
    ("network_mode", "C002", "network", "high", '"service:db"'),
    ("pid", "C003", "pid", "high", '"service:db"'),
    ("ipc", "C004", "ipc", "high", "shareable"),
    ("userns_mode", "C005", "user", "medium", '""'),
    ("uts", "C006", "uts", "low", '""'),
    ("cgroup", "C007", "cgroup", "medium", "private"),
]:
    text = add(f"{field}: host")
    msg = f"{APP} shares the host {what} namespace ({field}: host)"
    HOST_CASES.append((text, [(code, at(text, f"{field}: host"), msg, sev)]))
    HOST_CASES.append((add(f"{field}: {benign}"), []))


@pytest.mark.parametrize(("text", "expected"), HOST_CASES)
def test_privileged_and_host_namespaces(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


def test_version_1_net_host(tmp_path: Path) -> None:
    text = "\n".join(line[2:] for line in BASE.splitlines()[1:]) + "\n  net: host\n"
    assert text.startswith("app:\n  image:")
    check(
        tmp_path,
        text,
        [("C002", at(text, "net: host"), f"{APP} shares the host network namespace (net: host)",
          "high")],
    )  # fmt: skip


# --------------------------------------------------------------------------- capabilities

CAPS = add(
    """
    cap_add:
      - SYS_ADMIN
      - cap_net_raw
      - CHOWN
    """
)
NO_DROP = drop("    cap_drop: [ALL]\n")
DROP_RAW = edit(BASE, ("cap_drop: [ALL]", "cap_drop: [NET_RAW]"))
DROP_MSG = f"{APP} does not drop ALL capabilities (cap_drop: [ALL])"
CAP_CASES = [
    (
        CAPS,
        [
            ("C008", at(CAPS, "SYS_ADMIN"), f"{APP} adds capability SYS_ADMIN", "critical"),
            ("C008", at(CAPS, "cap_net_raw"), f"{APP} adds capability NET_RAW", "medium"),
        ],
    ),
    (add("cap_add: [NET_BIND_SERVICE, CHOWN]"), []),
    (NO_DROP, [("C009", "2:3", DROP_MSG, "low")]),
    (DROP_RAW, [("C009", at(DROP_RAW, "cap_drop"), DROP_MSG, "low")]),
    (edit(BASE, ("cap_drop: [ALL]", "cap_drop: [all]")), []),
    (edit(BASE, ("cap_drop: [ALL]", "cap_drop: [CAP_ALL]")), []),
    # privileged: C001 says it all
    (
        add("privileged: true", NO_DROP),
        [
            (
                "C001",
                at(add("privileged: true", NO_DROP), "privileged"),
                f"{APP} runs privileged",
                "critical",
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CAP_CASES)
def test_capabilities(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


# --------------------------------------------------------------------------- security_opt

NNP = "      - no-new-privileges:true\n"


def opt(item: str) -> str:
    return edit(BASE, (NNP, NNP + f"      - {item}\n"))


OPT_CASES = [
    (opt("seccomp:unconfined"), "C010", "disables seccomp (seccomp:unconfined)", "high"),
    (opt("seccomp=unconfined"), "C010", "disables seccomp (seccomp:unconfined)", "high"),
    (opt("apparmor=unconfined"), "C011", "disables AppArmor (apparmor:unconfined)", "high"),
    (opt("apparmor:unconfined"), "C011", "disables AppArmor (apparmor:unconfined)", "high"),
    (opt("label:disable"), "C012", "disables SELinux separation (label:disable)", "medium"),
    (opt("label=type:spc_t"), "C012", "disables SELinux separation (label:type:spc_t)", "medium"),
    (
        opt("systempaths=unconfined"),
        "C013",
        "unmasks /proc and /sys paths (systempaths=unconfined)",
        "high",
    ),
]


@pytest.mark.parametrize(("text", "code", "msg", "sev"), OPT_CASES)
def test_security_opt_positive(tmp_path: Path, text: str, code: str, msg: str, sev: str) -> None:
    check(tmp_path, text, [(code, "9:9", f"{APP} {msg}", sev)])


@pytest.mark.parametrize(
    "item",
    [
        "seccomp:/etc/docker/seccomp/app.json",
        "apparmor:docker-default",
        "label:level:s0:c100,c200",
        "label=type:container_t",
    ],
)
def test_security_opt_negative(tmp_path: Path, item: str) -> None:
    check(tmp_path, opt(item), [])


NNP_MISSING = f"{APP} does not set no-new-privileges (security_opt: [no-new-privileges:true])"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (drop("    security_opt:\n", NNP), [("C014", "2:3", NNP_MISSING, "low")]),
        (
            edit(BASE, (NNP, "      - label:level:s0\n")),
            [("C014", "7:5", NNP_MISSING, "low")],
        ),
        (
            edit(BASE, ("no-new-privileges:true", "no-new-privileges=false")),
            [("C014", "8:9", f"{APP} sets no-new-privileges:false (set it to true)", "low")],
        ),
        (edit(BASE, ("no-new-privileges:true", "no-new-privileges")), []),
        (edit(BASE, ("no-new-privileges:true", "no-new-privileges=true")), []),
    ],
)
def test_no_new_privileges(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


# --------------------------------------------------------------------------- volumes


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


# --------------------------------------------------------------------------- devices


def test_devices(tmp_path: Path) -> None:
    text = add(
        """
        devices:
          - /dev/sda:/dev/sda
          - /dev/fuse
          - /dev/weird0:/dev/weird0:r
          - nvidia.com/gpu=all
        device_cgroup_rules:
          - "c 1:3 mr"
          - "a *:* rwm"
          - "c *:* rwm"
        """
    )
    check(
        tmp_path,
        text,
        [
            ("C017", at(text, "/dev/sda:/"), f"{APP} has host device '/dev/sda'", "high"),
            ("C017", at(text, "/dev/fuse"), f"{APP} has host device '/dev/fuse'", "low"),
            ("C017", at(text, "/dev/weird0:/"), f"{APP} has host device '/dev/weird0'", "medium"),
            (
                "C017",
                at(text, '"a *'),
                f"{APP} allows every device (device_cgroup_rules: 'a *:* rwm')",
                "high",
            ),
            (
                "C017",
                at(text, '"c *'),
                f"{APP} allows every c device (device_cgroup_rules: 'c *:* rwm')",
                "high",
            ),
        ],
    )


# --------------------------------------------------------------------------- user

NO_USER = drop('    user: "10001:10001"\n')
UNSET_MSG = f"{APP} does not set user: image 'registry.example.com/app:1.4.2' decides (often root)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            edit(BASE, ('user: "10001:10001"', "user: root")),
            [("C018", "4:5", f"{APP} runs as root (user: root)", "medium")],
        ),
        (
            edit(BASE, ('user: "10001:10001"', 'user: "0:0"')),
            [("C018", "4:5", f"{APP} runs as root (user: 0:0)", "medium")],
        ),
        (
            edit(BASE, ('user: "10001:10001"', "user: 0")),
            [("C018", "4:5", f"{APP} runs as root (user: 0)", "medium")],
        ),
        (NO_USER, [("C018", "3:5", UNSET_MSG, "low")]),
        (edit(BASE, ('user: "10001:10001"', 'user: "${UID}:${GID}"')), []),
        (edit(BASE, ('user: "10001:10001"', "user: app")), []),
        (add("build: .", NO_USER), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "grafana/grafana:11.1.0")), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "docker.io/bitnami/redis:7.2")), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "gcr.io/distroless/static:nonroot")), []),
        (edit(NO_USER, ("registry.example.com/app:1.4.2", "${IMAGE}")), []),
    ],
)
def test_user(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


# --------------------------------------------------------------------------- read-only

RO_MSG = f"{APP} has a writable root filesystem (set read_only: true)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (drop("    read_only: true\n"), [("C019", "2:3", RO_MSG, "low")]),
        (edit(BASE, ("read_only: true", "read_only: false")), [("C019", "5:5", RO_MSG, "low")]),
        (edit(BASE, ("read_only: true", "read_only: yes")), []),
    ],
)
def test_read_only(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


# --------------------------------------------------------------------------- limits

LIMITS = '        limits: {cpus: "0.5", memory: 128M, pids: 100}\n'
NO_DEPLOY = drop("    deploy:\n", "      resources:\n", LIMITS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NO_DEPLOY, [("C020", "2:3", f"{APP} sets no memory, CPU or PIDs limit", "low")]),
        (
            edit(BASE, (LIMITS, "        limits: {memory: 128M}\n")),
            [("C020", "11:9", f"{APP} sets no CPU or PIDs limit", "low")],
        ),
        (
            edit(BASE, (LIMITS, "        reservations: {memory: 64M}\n")),
            [("C020", "10:7", f"{APP} sets no memory, CPU or PIDs limit", "low")],
        ),
        (add("mem_limit: 128m\ncpus: 0.5\npids_limit: 100", NO_DEPLOY), []),
        (add("mem_limit: 128m\ncpu_quota: 50000\npids_limit: 100", NO_DEPLOY), []),
        (
            add("mem_limit: 128m\ncpu_shares: 512\npids_limit: 0", NO_DEPLOY),
            [("C020", "2:3", f"{APP} sets no CPU or PIDs limit", "low")],
        ),
    ],
)
def test_resource_limits(tmp_path: Path, text: str, expected: list[Row]) -> None:
    check(tmp_path, text, expected)


# --------------------------------------------------------------------------- credentials

PASSWORD = "Xk9mQ2vLp8zR4wTt"
TOKEN = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"


def _detected(value: str, key: str) -> str:
    m = detect_value(value, key)
    assert m is not None
    return f"{m.description} ({m.masked})"


def test_literal_credentials(tmp_path: Path) -> None:
    text = add(
        f"""
        environment:
          - DB_PASSWORD={PASSWORD}
          - DB_USER=shop
          - API_TOKEN=${{API_TOKEN}}
          - ADMIN_PASSWORD=${{ADMIN_PASSWORD:-admin}}
          - REDIS_URL=redis://:${{REDIS_PASSWORD}}@redis:6379/0
          - POSTGRES_PASSWORD_FILE=/run/secrets/db_password
          - ALLOW_EMPTY_PASSWORD=yes
          - SHELL_ONLY
        build:
          context: .
          args:
            NPM_TOKEN: {TOKEN}
        """
    )
    expected = [
        (
            "C021",
            at(text, "DB_PASSWORD="),
            f"{APP} environment DB_PASSWORD: {_detected(PASSWORD, 'DB_PASSWORD')}",
            detect_value(PASSWORD, "DB_PASSWORD").severity.label,  # type: ignore[union-attr]
        ),
        (
            "C021",
            at(text, "ADMIN_PASSWORD="),
            f"{APP} environment ADMIN_PASSWORD falls back to a literal when unset: "
            + _detected("admin", "ADMIN_PASSWORD"),
            "low",
        ),
        (
            "C021",
            at(text, "NPM_TOKEN"),
            f"{APP} build argument NPM_TOKEN: {_detected(TOKEN, 'NPM_TOKEN')}",
            "high",
        ),
    ]
    check(tmp_path, text, expected)


def test_literal_credential_mapping_form_and_merge_key(tmp_path: Path) -> None:
    text = f"x-env: &env\n  SECRET_KEY: {PASSWORD}\n" + add(
        """
            environment:
              <<: *env
              DEBUG: "false"
              DB_PASSWORD: ${DB_PASSWORD}
            """
    )
    check(
        tmp_path,
        text,
        [
            (
                "C021",
                at(text, "<<"),
                f"{APP} environment SECRET_KEY: {_detected(PASSWORD, 'SECRET_KEY')}",
                "medium",
            )
        ],
    )


# --------------------------------------------------------------------------- ports


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
