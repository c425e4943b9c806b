"""The Pod Security level a Namespace enforces, from its ``pod-security.kubernetes.io`` labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hardhull.models.workload import as_dict
from hardhull.pss.levels import LevelError, LevelVersion, parse_level_version

ENFORCE = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version"

__all__ = ["ENFORCE", "ENFORCE_VERSION", "namespace_levels"]


def namespace_levels(objects: Iterable[Mapping[str, Any]]) -> dict[str, LevelVersion]:
    """Enforced level of every Namespace object with a valid ``enforce`` label."""
    out: dict[str, LevelVersion] = {}
    for obj in objects:
        if obj.get("kind") != "Namespace" or obj.get("apiVersion") != "v1":
            continue
        meta = as_dict(obj.get("metadata"))
        labels = as_dict(meta.get("labels"))
        level = labels.get(ENFORCE)
        name = meta.get("name")
        if not isinstance(level, str) or not isinstance(name, str):
            continue
        version = labels.get(ENFORCE_VERSION)
        try:
            out[name] = parse_level_version(level, version if isinstance(version, str) else None)
        except LevelError:
            # the API server refuses invalid labels on the Namespace; admission would then
            # fall back to its defaults: we use the scan's default too
            continue
    return out
