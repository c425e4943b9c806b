"""`scan -` on a terminal says it is reading stdin instead of waiting silently."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HINT = "reading from stdin; press Ctrl-D to end, or pass paths"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (os.openpty)")
def test_scan_dash_on_a_terminal_prints_a_hint() -> None:
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hardhull", "scan", "-"],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.close(slave)
        os.write(master, b"\x04")  # Ctrl-D on an empty line: end of input
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    assert HINT in err.decode()


def test_scan_dash_from_a_pipe_prints_no_hint() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", "-"],
        input=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert HINT not in proc.stderr.decode()
