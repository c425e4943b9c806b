"""What the engine learns from all inputs before any check runs: kustomize patches to leave
out, and the :class:`~hardhull.context.ScanFacts` per-object checks need (the Pod Security
level each Namespace enforces, the ServiceAccounts that turn the token mount off).

Only files whose text can hold such objects are parsed here (a cheap substring test first).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from hardhull.context import ScanFacts
from hardhull.formats.yamlpos import YamlError, load_all
from hardhull.frontends import kinds
from hardhull.frontends.files import TextInput
from hardhull.frontends.kubernetes import parse_text
from hardhull.pss.levels import LevelVersion
from hardhull.pss.namespaces import ENFORCE
from hardhull.pss.namespaces import namespace_levels as namespace_levels_of

#: a superset of the texts holding a ServiceAccount that turns the token off (the CRD schemas
#: that merely describe the field are not parsed for it); parsing decides
_OFF = re.compile(
    r"""automountServiceAccountToken["']?\s*:\s*(?:["']?(?:false|no|off)\b|\*)""", re.IGNORECASE
)
_SERVICE_ACCOUNT = re.compile(r"""kind["']?\s*:\s*["']?ServiceAccount\b""")
_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def kustomize_patches(inputs: Iterable[TextInput]) -> dict[str, str]:
    """Files that a kustomization among the inputs uses as patches: path → kustomization.

    A strategic-merge or JSON 6902 patch is a fragment (a Deployment with only the fields it
    changes); judged as a whole object it would draw findings about everything it leaves out.
    """
    out: dict[str, str] = {}
    for item in inputs:
        out.update(patches_of(item))
    return out


def patches_of(item: TextInput) -> dict[str, str]:
    """The patch files one input lists, if it is a kustomization: path → its path."""
    out: dict[str, str] = {}
    if os.path.basename(item.path) not in _KUSTOMIZATION_NAMES:
        return out
    try:
        docs = load_all(item.text)
    except YamlError:
        return out
    base = os.path.dirname(item.path)
    for doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        refs: list[Any] = []
        for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
            value = data.get(key)
            if isinstance(value, list):
                refs.extend(value)
        for ref in refs:
            path = ref.get("path") if isinstance(ref, dict) else ref
            # inline patches (YAML text with a newline) and URLs are not files here
            if isinstance(path, str) and "\n" not in path and "://" not in path:
                out[os.path.normpath(os.path.join(base, path))] = item.path
    return out


def wants_facts(item: TextInput, forced_kinds: dict[str, str], want_levels: bool) -> bool:
    """Can this input hold a fact of the set (a Namespace's level, a token-less account)?"""
    return bool(_markers(item, forced_kinds, want_levels))


def _markers(
    item: TextInput, forced_kinds: dict[str, str], want_levels: bool
) -> tuple[bool, bool] | None:
    text = item.text
    has_levels = want_levels and ENFORCE in text
    has_sa = "automountServiceAccountToken" in text and _OFF.search(text) is not None
    has_sa = has_sa and _SERVICE_ACCOUNT.search(text) is not None
    if has_sa:
        # only the Kubernetes front end keeps objects for the set (a compose or daemon
        # file holds none)
        kind = forced_kinds.get(item.path) or kinds.input_kind(item.path, text)
        has_sa = kind == kinds.KUBERNETES
    return (has_levels, has_sa) if has_levels or has_sa else None


def scan_facts(
    inputs: Iterable[TextInput],
    forced_kinds: dict[str, str],
    pss_default: LevelVersion,
    namespace_levels: dict[str, LevelVersion],
    want_levels: bool = True,
) -> ScanFacts:
    """The facts of the scanned set. ``namespace_levels`` given by the caller win over the
    ones read from Namespace objects; with ``want_levels`` False none are read."""
    # imported here, not at the top: the K030 helper lives with its rule, and importing a
    # rule module registers rules, which a start-up without a scan skips
    from hardhull.rules.kubernetes.pod_settings import service_accounts_without_token

    ns_objects: list[dict[str, Any]] = []
    sa_objects: list[dict[str, Any]] = []
    for item in inputs:
        markers = _markers(item, forced_kinds, want_levels)
        if markers is None:
            continue
        objects = [o.data for o in parse_text(item.path, item.text).objects]
        if markers[0]:
            ns_objects.extend(objects)
        if markers[1]:
            sa_objects.extend(objects)
    levels = (
        {**namespace_levels_of(ns_objects), **namespace_levels} if want_levels else namespace_levels
    )
    return ScanFacts(
        namespace_levels=levels,
        pss_default=pss_default,
        tokenless_service_accounts=service_accounts_without_token(sa_objects),
    )
