"""Docker daemon configuration rules (codes E001–E099): the CIS Docker Benchmark section 2
items a ``daemon.json`` can show. What the family's modules share.

Each check takes the parsed daemon.json (a dict) and yields violations; no I/O. A key whose
absence leaves an insecure default is reported on the top-level object (pointer ``""``,
line 1) and the message says what the default is. Flags given on the dockerd command line
(systemd unit, ``/etc/default/docker``) cannot be seen here. The rules, by topic:

- ``network``: inter-container traffic (E001), the userland proxy (E005), iptables (E007),
  insecure registries (E009);
- ``api``: the Docker API on TCP without TLS (E008), no authorization plugin (E014);
- ``isolation``: user namespaces (E002), ``no-new-privileges`` (E003), seccomp (E010),
  default ulimits (E011);
- ``operations``: live restore (E004), experimental features (E006), logging (E012, E013),
  deprecated storage drivers (E015).

This module holds the rule family, the helpers for pointers, fixes, messages and loopback
addresses, and :func:`boolean_check`, which registers the check of a rule about one boolean
key.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Rule, Violation
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily

DOCKERD_DOC = "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"
CIS = "CIS Docker Benchmark v1.6.0 "

daemon_rule = RuleFamily("docker-daemon", base_refs=(DOCKERD_DOC,), cis_prefix=CIS, register=True)


def pointer(key: str) -> str:
    """The JSON pointer of a top-level key."""
    return "/" + escape(key)


def set_fix(cfg: dict[str, Any], key: str, value: Any) -> list[dict[str, Any]]:
    """The JSON patch that sets ``key`` to ``value``."""
    op = "replace" if key in cfg else "add"
    return [{"op": op, "path": pointer(key), "value": value}]


def json_text(value: Any) -> str:
    """``value`` as daemon.json writes it (``true``, ``"none"``), for messages."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def loopback_host(host: str) -> bool:
    """Whether ``host`` (without port or brackets) is ``localhost`` or a loopback IP address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def boolean_check(rule: Rule, key: str, *, good: bool, default: bool, harm: str) -> None:
    """Register the check of a rule about one boolean key: reported when the key holds
    anything but ``good``, or is absent and its ``default`` is not ``good``; ``harm`` says what
    the bad value does."""

    def boolean_setting(cfg: dict[str, Any]) -> Iterator[Violation]:
        value = cfg.get(key)
        if value is good:
            return
        if key in cfg:
            yield Violation(
                rule.code,
                pointer(key),
                f"{key} is {json_text(value)}: {harm} (set it to {json_text(good)})",
                set_fix(cfg, key, good),
            )
        elif default is not good:
            yield Violation(
                rule.code,
                "",
                f"{key} is not set (default {json_text(default)}): {harm}",
                set_fix(cfg, key, good),
            )

    boolean_setting.__name__ = rule.slug.replace("-", "_")
    check(rule, on=Target.DAEMON)(boolean_setting)
