"""Docker daemon rules about running the daemon: live restore (E004), experimental features
(E006), where logs go (E012) and how verbose they are (E013), deprecated storage drivers
(E015)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.daemon import boolean_check, daemon_rule, json_text, pointer, set_fix

LIVE_RESTORE = daemon_rule(
    "E004",
    "daemon-live-restore",
    "Live restore disabled",
    Severity.LOW,
    what='daemon.json does not set `"live-restore": true` (the default is false).',
    why="Without live restore, restarting or upgrading dockerd stops every container: security "
    "updates of the engine become outages, so they get postponed.",
    fix='Set `"live-restore": true` (not compatible with swarm mode).',
    example="""
{
  "live-restore": true
}
""",
    cis="2.15",
    refs=("https://docs.docker.com/engine/daemon/live-restore/",),
)


# E004
boolean_check(
    LIVE_RESTORE,
    "live-restore",
    good=True,
    default=False,
    harm="restarting the daemon stops every container",
)


EXPERIMENTAL = daemon_rule(
    "E006",
    "daemon-experimental",
    "Experimental features enabled",
    Severity.LOW,
    what='daemon.json sets `"experimental": true`.',
    why="Experimental features are not covered by API stability guarantees and have had less "
    "review: not for production daemons.",
    fix="Remove `experimental` or set it to false.",
    example="""
{
  "experimental": false
}
""",
    cis="2.18",
)


# E006
boolean_check(
    EXPERIMENTAL, "experimental", good=False, default=False, harm="experimental features are on"
)


LOG_DRIVER = daemon_rule(
    "E012",
    "daemon-local-logging",
    "Container logs not shipped off the host",
    Severity.LOW,
    what="daemon.json sets no `log-driver`, or one that keeps logs only on the host (`json-file`, "
    "the default, or `local`); medium for `none`, which discards them. Remote drivers "
    "(syslog, journald, fluentd, gelf, awslogs, gcplogs, splunk, etwlogs, logentries) are "
    "fine.",
    why="Logs kept only on the host are lost with it and are the first thing an intruder who "
    "reaches the host erases; without logs an incident cannot be investigated.",
    fix="Ship logs to a central system: set `log-driver` to `syslog`, `journald` (collected by "
    "the host's forwarder), `fluentd`, `gelf` or your cloud's driver, or run a log shipper "
    "that reads the json-file logs.",
    example="""
{
  "log-driver": "syslog",
  "log-opts": {"syslog-address": "tcp://logs.example.com:514"}
}
""",
    cis="2.13",
    refs=("https://docs.docker.com/engine/logging/configure/",),
)


# E012
@check(LOG_DRIVER, on=Target.DAEMON)
def daemon_local_logging(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("log-driver")
    if "log-driver" not in cfg:
        yield Violation(
            "E012", "", "log-driver is not set (default json-file): logs stay on the host"
        )
        return
    name = value.strip().lower() if isinstance(value, str) else ""
    if name == "none":
        yield Violation(
            "E012", pointer("log-driver"), "log-driver is \"none\": container logs are discarded",
            None, Severity.MEDIUM,
        )  # fmt: skip
    elif name in ("json-file", "local", ""):
        yield Violation(
            "E012",
            pointer("log-driver"),
            f"log-driver is {json_text(value)}: logs stay on the host",
        )


LOG_LEVEL = daemon_rule(
    "E013",
    "daemon-log-level",
    "Daemon log level not info",
    Severity.LOW,
    what="daemon.json sets `log-level` to something other than `info` (the default).",
    why="`debug` logs far more than needed (request details that may include sensitive data); "
    "`warn`, `error` and `fatal` drop the events an investigation needs.",
    fix="Remove `log-level` or set it to `info`.",
    example="""
{
  "log-level": "info"
}
""",
    cis="2.3",
)


# E013
@check(LOG_LEVEL, on=Target.DAEMON)
def daemon_log_level(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("log-level")
    if "log-level" in cfg and not (isinstance(value, str) and value.strip().lower() == "info"):
        yield Violation(
            "E013", pointer("log-level"), f"log-level is {json_text(value)} (use info)",
            set_fix(cfg, "log-level", "info"),
        )  # fmt: skip


#: storage drivers Docker deprecated and then removed: (severity, deprecated in, removed in)
DEPRECATED_DRIVERS: dict[str, tuple[Severity, str, str]] = {
    "aufs": (Severity.MEDIUM, "19.03", "24.0"),
    "overlay": (Severity.LOW, "18.09", "24.0"),
    "devicemapper": (Severity.LOW, "18.09", "25.0"),
}


STORAGE_DRIVER = daemon_rule(
    "E015",
    "daemon-deprecated-storage-driver",
    "Deprecated storage driver",
    Severity.LOW,
    what="daemon.json sets `storage-driver` to a driver Docker deprecated and removed: `aufs` "
    "(medium: the CIS item; deprecated 19.03, removed 24.0), legacy `overlay` (deprecated "
    "18.09, removed 24.0) or `devicemapper` (deprecated 18.09, removed 25.0). `overlay2`, "
    "`btrfs`, `zfs`, `fuse-overlayfs` and `vfs` are supported drivers.",
    why="A removed driver means the daemon cannot be upgraded (security fixes included) without "
    "migrating storage; aufs also needs an out-of-tree kernel patch set that gets few "
    "security fixes.",
    fix="Move to `overlay2` (export what must be kept: images and volumes are not migrated).",
    example="""
{
  "storage-driver": "overlay2"
}
""",
    cis="2.6",
    refs=("https://docs.docker.com/engine/deprecated/",),
)


# E015
@check(STORAGE_DRIVER, on=Target.DAEMON)
def daemon_deprecated_storage_driver(cfg: dict[str, Any]) -> Iterator[Violation]:
    value = cfg.get("storage-driver")
    if not isinstance(value, str):
        return
    info = DEPRECATED_DRIVERS.get(value.strip().lower())
    if info is None:
        return
    sev, deprecated, removed = info
    yield Violation(
        "E015",
        pointer("storage-driver"),
        f"storage-driver {value!r} is deprecated since Docker {deprecated} and removed in "
        f"{removed} (use overlay2)",
        None,
        sev,
    )
