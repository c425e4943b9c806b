"""Image rules over the image config: runs as root (I001), remote administration ports
exposed (I002), credentials in ``Env``, ``Labels`` and the history (I003)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.image_facts import ImageFacts
from hardhull.registry import Target, check
from hardhull.rules.image import OCI_CONFIG, image_rule
from hardhull.secrets.detect import detect_value
from hardhull.secrets.formats import iter_format_matches
from hardhull.secrets.text import scan_text

RUNS_AS_ROOT = image_rule(
    "I001",
    "config-user-root",
    "Image runs as root",
    Severity.MEDIUM,
    what="The image config's `User` is empty, `root` or `0` (with any group): a container "
    "started from the image runs its process as root unless the orchestrator says otherwise.",
    why="Root in the container is root on the host's kernel: a process that escapes the "
    "container's isolation (a kernel or runtime bug, a mounted socket, a writable host path) "
    "does so with full privileges, and inside the container it can change every file of the "
    "image.",
    fix="Create an unprivileged user in the final stage and set `USER` to it, by number "
    "(`USER 10001:10001`) so that Kubernetes' `runAsNonRoot` can verify it without a name "
    "lookup.",
    example="""
RUN useradd --uid 10001 --no-create-home app
USER 10001:10001
""",
    cis="4.1 Ensure that a user for the container has been created",
    refs=(OCI_CONFIG + "#properties", "https://docs.docker.com/reference/dockerfile/#user"),
    trivy=("DS002",),
)

_ROOT_USERS = ("", "root", "0")


# I001
@check(RUNS_AS_ROOT, on=Target.IMAGE)
def image_runs_as_root(img: ImageFacts) -> Iterator[Violation]:
    user = img.config.get("User")
    text = user.strip() if isinstance(user, str) else ""
    name = text.split(":", 1)[0]
    if name not in _ROOT_USERS:
        return
    if not text:
        msg = "the image sets no User: its process runs as root"
    else:
        msg = f"the image's User is {text!r}: its process runs as root"
    yield Violation("I001", "/config/User", msg)


EXPOSED_ADMIN = image_rule(
    "I002",
    "config-exposes-admin-port",
    "Remote administration port exposed",
    Severity.MEDIUM,
    what="The image config's `ExposedPorts` names a port of a remote administration or "
    "control interface: SSH (22), the Docker API (2375 without TLS: high; 2376), RDP "
    "(3389), VNC (5900), the kubelet (10250), the Kubernetes API (6443) or etcd "
    "(2379, 2380). A database image exposing its own port (5432 in a PostgreSQL image) is "
    "the image doing its job and is not reported.",
    why="A remote shell or control API inside a container is a second, unmonitored way in, "
    "with credentials and patches of its own; an exposed Docker API is control of the host.",
    fix="Remove the daemon and its `EXPOSE`: use `kubectl exec` or `docker exec` to look "
    "inside a running container.",
    example="""
EXPOSE 8080
""",
    refs=("https://docs.docker.com/reference/dockerfile/#expose",),
)

#: port → (what, severity) for I002
_IMAGE_ADMIN_PORTS: dict[int, tuple[str, Severity]] = {
    22: ("SSH", Severity.MEDIUM),
    2375: ("the Docker API without TLS", Severity.HIGH),
    2376: ("the Docker API", Severity.MEDIUM),
    3389: ("RDP", Severity.MEDIUM),
    5900: ("VNC", Severity.MEDIUM),
    10250: ("the kubelet API", Severity.MEDIUM),
    6443: ("the Kubernetes API", Severity.MEDIUM),
    2379: ("etcd", Severity.MEDIUM),
    2380: ("etcd peer traffic", Severity.MEDIUM),
}


# I002
@check(EXPOSED_ADMIN, on=Target.IMAGE)
def image_exposes_admin_port(img: ImageFacts) -> Iterator[Violation]:
    ports = img.config.get("ExposedPorts")
    if not isinstance(ports, Mapping):
        return
    for key in ports:
        if not isinstance(key, str):
            continue
        number, _, proto = key.partition("/")
        if not number.isdigit() or (proto or "tcp").lower() != "tcp":
            continue
        known = _IMAGE_ADMIN_PORTS.get(int(number))
        if known is None:
            continue
        what, severity = known
        yield Violation(
            "I002",
            f"/config/ExposedPorts/{escape(key)}",
            f"the image exposes {what} (port {key})",
            None,
            severity,
        )


CONFIG_SECRET = image_rule(
    "I003",
    "config-secret",
    "Credential in the image config or history",
    Severity.HIGH,
    what="A credential is stored in the image config, where `docker inspect` and "
    "`docker history` show it to anyone who can pull the image: an `Env` variable or a "
    "label with a credential value (a recognisable token, key or password in a URL, or a "
    "literal value for a credential name such as `DB_PASSWORD`), a build argument recorded in "
    "the history line of a `RUN` (`RUN |1 NPM_TOKEN=… /bin/sh -c npm ci`), an `ENV` or `ARG` "
    "line of the history whose value a later `ENV` replaced (the old value stays in the "
    "history), or a credential written into a command. The detectors are those of the S and "
    "D005 rules; severity follows the detector.",
    why="The config travels with every copy of the image, to every registry and node; a "
    "credential in it is published for good, even after the variable is unset in a later "
    "step.",
    fix="Rebuild without the value: pass build-time credentials as BuildKit secrets "
    "(`RUN --mount=type=secret,…`) and run-time credentials from the orchestrator's secret "
    "store; revoke and rotate the exposed credential.",
    example="""
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    refs=("https://docs.docker.com/build/building/secrets/",),
    reports_secrets=True,
    trivy=("aws-access-key-id",),
)

#: BuildKit's record of the build arguments a RUN saw: ``|2 A=1 B=2 /bin/sh -c …``
_BUILD_ARGS = re.compile(r"^\s*(?:RUN\s+)?\|(\d+)\s+(.*)$", re.S)
#: the history line of an ENV or ARG (BuildKit, and the classic builder's ``#(nop)`` form)
_ENV_LINE = re.compile(r"^(?:/bin/sh -c #\(nop\)\s*)?(ENV|ARG)\s+(.*)$", re.S)


def _pairs(text: str) -> list[tuple[str, str]]:
    """``A=1 B="two words"`` → [(A, 1), (B, two words)]; words without ``=`` are skipped."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        words = text.split()
    out = []
    for w in words:
        name, eq, value = w.partition("=")
        if eq and name and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
            out.append((name, value))
    return out


def _build_args(created_by: str) -> tuple[list[tuple[str, str]], str]:
    """The build arguments of a BuildKit RUN history line, and the command after them."""
    m = _BUILD_ARGS.match(created_by)
    if not m:
        return [], created_by
    n = int(m.group(1))
    try:
        words = shlex.split(m.group(2), posix=True)
    except ValueError:
        words = m.group(2).split()
    pairs = []
    for w in words[:n]:
        name, eq, value = w.partition("=")
        if eq:
            pairs.append((name, value))
    return pairs, " ".join(words[n:])


def _env(img: ImageFacts) -> dict[str, str]:
    out: dict[str, str] = {}
    env = img.config.get("Env")
    if isinstance(env, list):
        for item in env:
            if isinstance(item, str):
                name, _, value = item.partition("=")
                out[name] = value
    return out


def _hit(code_ptr: str, where: str, value: str, key: str | None) -> Violation | None:
    match = detect_value(value, key)
    if match is None:
        return None
    return Violation(
        "I003",
        code_ptr,
        f"{where} holds a credential: {match.description} ({match.masked})",
        None,
        match.severity,
        secrets=(value,),
    )


# I003
@check(CONFIG_SECRET, on=Target.IMAGE)
def image_config_secret(img: ImageFacts) -> Iterator[Violation]:
    env = img.config.get("Env")
    if isinstance(env, list):
        for i, item in enumerate(env):
            if isinstance(item, str) and "=" in item:
                name, _, value = item.partition("=")
                v = _hit(f"/config/Env/{i}", f"Env {name}", value, name)
                if v is not None:
                    yield v
    labels = img.config.get("Labels")
    if isinstance(labels, Mapping):
        for key, value in labels.items():
            if isinstance(key, str) and isinstance(value, str):
                v = _hit(f"/config/Labels/{escape(key)}", f"label {key}", value, key)
                if v is not None:
                    yield v
    current = _env(img)
    for i, entry in enumerate(img.history):
        created = entry.get("created_by") if isinstance(entry, Mapping) else None
        if not isinstance(created, str) or not created.strip():
            continue
        yield from _history_line(i, created.strip(), current)


def _history_line(i: int, created: str, current: dict[str, str]) -> Iterator[Violation]:
    ptr = f"/history/{i}/created_by"
    env_line = _ENV_LINE.match(created)
    if env_line:
        keyword = env_line.group(1)
        for name, value in _pairs(env_line.group(2)):
            if keyword == "ENV" and current.get(name) == value:
                continue  # the same value is in Env, reported there
            where = f"history line {i + 1} ({keyword} {name})"
            if keyword == "ENV":
                where += ", a value a later ENV replaced,"
            v = _hit(ptr, where, value, name)
            if v is not None:
                yield v
        return
    args, command = _build_args(created)
    for name, value in args:
        v = _hit(ptr, f"build argument {name} of history line {i + 1}", value, name)
        if v is not None:
            yield v
    for _line, _col, match in scan_text(command):
        yield Violation(
            "I003",
            ptr,
            f"the command of history line {i + 1} holds a credential: {match.description} "
            f"({match.masked})",
            None,
            match.severity,
            secrets=_raw_secrets(command),
        )


def _raw_secrets(text: str) -> tuple[str, ...]:
    """The credentials of ``text`` as written (for masking in excerpts)."""
    return tuple(text[s:e] for s, e, _fmt in iter_format_matches(text))
