"""The exit codes of every ``hardhull`` command (the CLI and the admission subcommands)."""

from __future__ import annotations

#: nothing at or above the threshold; the command did what was asked
EXIT_OK = 0
#: findings at or above ``--fail-on`` (``scan``, ``pss``)
EXIT_FINDINGS = 1
#: ``netpol reach``: the connection is denied
EXIT_DENIED = 1
#: `verify`, `verify-attestation`: no signature or attestation verifies
EXIT_UNVERIFIED = 1
#: usage or input errors: a bad flag, nothing could be read
EXIT_ERROR = 2
#: interrupted (Ctrl-C), as shells report SIGINT
EXIT_INTERRUPTED = 130
