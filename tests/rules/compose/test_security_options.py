"""The compose rules of ``hardhull/rules/compose/security_options.py`` (and the rows their cases
also trip): C010, C011, C012, C013, C014,
positive and negative, with the exact findings.

Each case is a compose file written to disk and scanned through the real engine (file kind by
name, YAML-with-positions loader, compose front end, suppressions). Cases start from ``BASE``,
a service that passes every rule, and change one thing; the assertion is the complete list of
(code, line:column, message, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.compose import APP, BASE, Row, check, drop, edit

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
