"""Helpers the Kubernetes workload checks share: grouping containers per finding, the pointer
to report a container setting at, integer fields and added capabilities."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.models.capabilities import capability_name
from hardhull.models.workload import Container, as_dict, as_list


def int_or_none(value: Any) -> int | None:
    """An integer field's value; None for anything else (``true``, ``"0"``: invalid, ignored)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def container_labels(cs: list[Container]) -> str:
    return ", ".join(c.label for c in cs)


def verb_for(cs: list[Container], singular: str, plural: str) -> str:
    return singular if len(cs) == 1 else plural


def group_by_pointer(items: list[tuple[str, Container]]) -> list[tuple[str, list[Container]]]:
    """Group containers by the pointer that decides for them (one finding per setting).

    A pod-level field that makes several containers fail is one mistake with one fix: it is
    reported once, naming every affected container, so fingerprints stay unique.
    """
    out: dict[str, list[Container]] = {}
    for ptr, c in items:
        out.setdefault(ptr, []).append(c)
    return list(out.items())


def nearest_sc_pointer(c: Container, field: str) -> str:
    """Pointer of a container security-context field if set, else the closest existing parent."""
    if field in c.sc:
        return f"{c.sc_pointer}/{field}"
    if "securityContext" in c.data:
        return c.sc_pointer
    return c.pointer


def added_capabilities(c: Container) -> Iterator[tuple[str, str]]:
    caps = as_dict(c.sc.get("capabilities"))
    for i, x in enumerate(as_list(caps.get("add"))):
        yield capability_name(x), f"{c.sc_pointer}/capabilities/add/{i}"
