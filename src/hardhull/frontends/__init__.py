"""Front ends: each reads inputs of one kind and produces documents for the engine.

:data:`FRONT_ENDS` is the one place that names them; :func:`front_end` picks one by the kind
:mod:`hardhull.frontends.kinds` decided. The interface is in
:mod:`hardhull.frontends.interface`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from hardhull.frontends import kinds

if TYPE_CHECKING:
    from hardhull.frontends.interface import FrontEnd

#: kind → (module, class); a module is imported only when a file of its kind shows up
FRONT_ENDS: dict[str, tuple[str, str]] = {
    kinds.KUBERNETES: ("hardhull.frontends.kubernetes", "KubernetesFrontEnd"),
    kinds.DOCKERFILE: ("hardhull.frontends.dockerfile", "DockerfileFrontEnd"),
    kinds.COMPOSE: ("hardhull.frontends.compose", "ComposeFrontEnd"),
    kinds.DAEMON: ("hardhull.frontends.daemon", "DaemonFrontEnd"),
}

_made: dict[str, FrontEnd] = {}


def front_end(kind: str) -> FrontEnd:
    """The front end for inputs of ``kind`` (Kubernetes for any kind not listed)."""
    fe = _made.get(kind)
    if fe is None:
        module, name = FRONT_ENDS.get(kind, FRONT_ENDS[kinds.KUBERNETES])
        fe = _made[kind] = cast("FrontEnd", getattr(importlib.import_module(module), name)())
    return fe
