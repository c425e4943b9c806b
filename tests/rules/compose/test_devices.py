"""The compose rules of ``hardhull/rules/compose/devices.py`` (and the rows their cases
also trip): C017, positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.compose import APP, add, at, check


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
