"""Host devices passed into a service (C017)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.compose_service import Service
from hardhull.models.host_paths import normalize_host_path
from hardhull.registry import Target, check
from hardhull.rules.compose import compose_rule
from hardhull.rules.compose.common import resolve_default, scalar_text

#: raw memory, ports and disks: reading them reads the host
_DEVICE_HIGH = re.compile(
    r"/dev/(?:mem|kmem|port|sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(?:n\d+)?"
    r"(?:p\d+)?|mmcblk\d+(?:p\d+)?|dm-\d+|md\d+|mapper(?:/.*)?|disk(?:/.*)?|loop\d*|"
    r"loop-control|sg\d+|cpu(?:/.*)?|kvm)$"
)
#: devices that hardware-using services commonly need and that expose little
_DEVICE_LOW = re.compile(
    r"/dev/(?:net/tun|fuse|dri(?:/.*)?|snd(?:/.*)?|video\d+|media\d+|bus/usb(?:/.*)?|"
    r"ttyUSB\d+|ttyACM\d+|ttyAMA\d+|ttyS\d+|serial(?:/.*)?|nvidia.*|hidraw\d+|input(?:/.*)?|"
    r"vchiq|gpiomem|i2c-\d+|spidev.*|dvb(?:/.*)?|apex_\d+|accel(?:/.*)?)$"
)


def _device_severity(path: str) -> Severity:
    p = normalize_host_path(path)
    if _DEVICE_HIGH.match(p):
        return Severity.HIGH
    if _DEVICE_LOW.match(p):
        return Severity.LOW
    return Severity.MEDIUM


DEVICES = compose_rule(
    "C017",
    "compose-host-device",
    "Host device exposed",
    Severity.MEDIUM,
    what="A service passes a host device in with `devices`, or allows devices with "
    "`device_cgroup_rules`. High for raw memory and disks (/dev/mem, /dev/kmem, /dev/port, "
    "/dev/sd*, /dev/nvme*, /dev/mapper/*, …, /dev/kvm) and for a wildcard cgroup rule "
    "(`a *:* rwm`, `c *:* rwm`, `b *:* rwm`); low for devices hardware services commonly need "
    "(/dev/net/tun, /dev/fuse, /dev/dri, /dev/snd, video, USB and serial devices, GPUs); "
    "medium otherwise. CDI device names (`vendor.com/gpu=all`) are not reported.",
    why="A device node is a door into the kernel that bypasses the container's filesystem "
    "isolation: a raw disk gives the host's files, /dev/mem the host's memory.",
    fix="Pass only the device the service needs, with the narrowest permissions (`:r`), and never "
    "raw disks or memory; use a volume for storage.",
    example="""
services:
  vpn:
    image: registry.example.com/vpn:2.1
    devices:
      - /dev/net/tun:/dev/net/tun
""",
    cis="5.18",
)


# C017
@check(DEVICES, on=Target.COMPOSE)
def compose_host_device(s: Service) -> Iterator[Violation]:
    for item, ptr in s.items("devices"):
        if isinstance(item, dict):
            src = scalar_text(item.get("source"))
        else:
            text = scalar_text(item)
            if text is None or "=" in text:  # CDI: vendor.com/class=name
                continue
            src = text.split(":", 1)[0]
        if not src:
            continue
        path = resolve_default(src)
        if path is None:
            continue
        yield Violation(
            "C017", ptr, f"{s.label} has host device {path!r}", None, _device_severity(path)
        )
    for item, ptr in s.items("device_cgroup_rules"):
        text = scalar_text(item)
        if text is None:
            continue
        parts = text.split()
        if len(parts) >= 2 and (parts[0] == "a" or parts[1].startswith("*:")):
            yield Violation(
                "C017",
                ptr,
                f"{s.label} allows every {'' if parts[0] == 'a' else parts[0] + ' '}device "
                f"(device_cgroup_rules: {text!r})".replace("every  ", "every "),
                None,
                Severity.HIGH,
            )
