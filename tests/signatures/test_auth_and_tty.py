"""Signing where users sign: a registry that wants credentials (docker-registry with
htpasswd on 127.0.0.1, the credentials in Docker's ``config.json`` as ``docker login``
writes them), and a password typed at a terminal (a real pty) when ``COSIGN_PASSWORD`` is not
set."""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.registry import (
    Registry,
    basic_auth,
    bcrypt_htpasswd,
    docker_config,
    skopeo_copy,
    start_registry,
    stop_registry,
)
from tests.oci.builder import Spec, image, layer, write_oci
from tests.signatures.test_cli_flows import PASSWORD, hardhull

USER, SECRET = "ci", "s3cret-Wörd"


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("private")
    registry = start_registry(root / "reg", htpasswd=bcrypt_htpasswd(root / "htpasswd", USER,
                                                                      SECRET))  # fmt: skip
    try:
        yield registry
    finally:
        stop_registry(registry)


def test_sign_and_verify_with_docker_login_credentials(private: Registry, tmp_path: Path) -> None:
    root = write_oci(tmp_path / "layout", {"1": image([layer([Spec("a", data=b"x")])])})
    skopeo_copy(f"oci:{root}:1", f"docker://{private.host}/team/app:1", tmp_path,
                creds=f"{USER}:{SECRET}")  # fmt: skip
    config = docker_config(tmp_path / "docker", {private.host: {"auth": basic_auth(USER, SECRET)}})
    os.environ["DOCKER_CONFIG"] = str(config)
    try:
        assert hardhull("keygen", cwd=tmp_path).returncode == 0
        ref = f"{private.host}/team/app:1"
        signed = hardhull("sign", "--key", "cosign.key", "--store", "both", "--insecure", ref,
                          cwd=tmp_path)  # fmt: skip
        assert signed.returncode == 0, signed.stderr
        ok = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert len(json.loads(ok.stdout)) == 2  # the bundle and the .sig layer
    finally:
        del os.environ["DOCKER_CONFIG"]
    anonymous = hardhull("verify", "--key", "cosign.pub", "--insecure", ref, cwd=tmp_path)
    assert anonymous.returncode == 2
    assert "authentication required" in anonymous.stderr or "credentials" in anonymous.stderr
    assert SECRET not in anonymous.stderr


def _wait_for_echo_off(fd: int) -> None:
    """Type only once the prompt has switched echo off, as a person would (typed earlier,
    the input is echoed, then discarded by getpass's TCSAFLUSH: the prompt waits forever)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and termios.tcgetattr(fd)[3] & termios.ECHO:
        time.sleep(0.01)


def _run_on_a_terminal(args: list[str], cwd: Path, typed: list[str]) -> tuple[int, str]:
    """Run hardhull with a pty as its controlling terminal, typing ``typed`` at its prompts."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a new session whose terminal is the pty
        os.chdir(cwd)
        env = {k: v for k, v in os.environ.items() if k != "COSIGN_PASSWORD"}
        os.execve(sys.executable, [sys.executable, "-m", "hardhull", *args], env)
    out = b""
    answers = list(typed)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if answers and out.rstrip().endswith(b":"):
                _wait_for_echo_off(fd)
                os.write(fd, answers.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_keygen_asks_for_the_password_twice_on_a_terminal(tmp_path: Path) -> None:
    code, out = _run_on_a_terminal(["keygen"], tmp_path, [PASSWORD, PASSWORD])
    assert code == 0, out
    assert "Enter password for the private key:" in out
    assert "Enter password for the private key again:" in out
    assert PASSWORD not in out  # not echoed
    from hardhull.sign.keys import load_private_key

    load_private_key((tmp_path / "cosign.key").read_bytes(), PASSWORD.encode(), source="k")
    code, out = _run_on_a_terminal(["keygen", "--output-key-prefix", "x"], tmp_path, ["one", "two"])
    assert code == 2 and "the passwords differ" in out
    assert not (tmp_path / "x.key").exists()
