"""Upstream check ``appArmorProfile`` (baseline): revisions and :data:`CHECK` row.

Mirrors kubernetes/pod-security-admission ``policy/check_appArmorProfile.go``.
"""

from __future__ import annotations

from hardhull.models.workload import Workload
from hardhull.pss.controls.check import BASELINE, CheckDef, Outcome
from hardhull.pss.controls.helpers import (
    container_name,
    go_quote,
    go_str,
    join_quote,
    near,
    pluralize,
)

APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _apparmor_annotation_ok(value: str) -> bool:
    return value == "" or value == "runtime/default" or value.startswith("localhost/")


def app_armor_profile_1_0(w: Workload) -> Outcome | None:
    setters: list[str] = []
    values: set[str] = set()
    pointers: list[str] = []
    profile = w.pod_sc.get("appArmorProfile")
    if isinstance(profile, dict):
        kind = go_str(profile.get("type"))
        if kind not in APPARMOR_TYPES:
            setters.append("pod")
            values.add(kind)
            pointers.append(near(w.pod_sc, w.pod_sc_pointer, "appArmorProfile", "type"))
    bad: list[str] = []
    for c in w.containers:
        profile = c.sc.get("appArmorProfile")
        if isinstance(profile, dict):
            kind = go_str(profile.get("type"))
            if kind not in APPARMOR_TYPES:
                bad.append(container_name(c))
                values.add(kind)
                pointers.append(near(c.sc, c.sc_pointer, "appArmorProfile", "type"))
    if bad:
        setters.append(f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)}")
    annotations: list[tuple[str, str]] = []
    for key, raw in w.annotations.items():
        value = go_str(raw)
        if key.startswith(APPARMOR_ANNOTATION_PREFIX) and not _apparmor_annotation_ok(value):
            annotations.append((f"{key}={go_quote(value)}", w.annotation_pointer(key)))
    value_list = sorted(values)
    if annotations:
        annotations.sort()
        value_list += [text for text, _ in annotations]
        setters.append(pluralize("annotation", "annotations", len(annotations)))
        pointers += [ptr for _, ptr in annotations]
    if not setters:
        return None
    reason = pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(value_list))
    detail = (
        f"{' and '.join(setters)} must not set AppArmor profile type to {join_quote(value_list)}"
    )
    return Outcome(reason, detail, tuple(pointers))


CHECK = CheckDef("appArmorProfile", BASELINE, "P006", "AppArmor", ((0, app_armor_profile_1_0),))
