"""hardhull's default runtime rules: ``hardhull/data/runtime_rules.yaml``, written for this
project in Falco's rule language and loaded before the users' files unless they say
``--no-default-rules`` (docs/runtime.md, "Default rules").

:func:`default_rules` ``() -> Path``: where the installed file is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: the file's name inside the package's data directory
NAME = "runtime_rules.yaml"


def default_rules() -> Path:
    """The installed default rule file (a real file: the package is installed unzipped)."""
    return Path(str(resources.files("hardhull") / "data" / NAME))


__all__ = ["NAME", "default_rules"]
