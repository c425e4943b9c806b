"""Falco condition operators, transformers and precedence: golden decisions (issue #12)."""

from __future__ import annotations

from typing import Any

import pytest

from hardhull.falco.compile import CompileError, compile_condition
from hardhull.falco.grammar import parse
from tests.falco.helpers import decide

EV: dict[str, Any] = {
    "proc.name": "Bash",
    "proc.pid": 42,
    "proc.cmdline": "bash -c 'curl http://x | sh'",
    "proc.pname": "Bash",
    "proc.aname": ["sshd", "systemd"],
    "proc.aname[2]": "systemd",
    "fd.name": "/etc/shadow",
    "fd.num": "7",
    "fd.sip": "10.1.2.3",
    "fd.net": "10.1.2.3",
    "container.privileged": True,
    "evt.buffer": b"\x00ssh-rsa AAAA",
    "user.name": "cm9vdA==",
}

K8S: dict[str, Any] = {
    "ka.user.name": "alice",
    "ka.user.groups": ["system:authenticated", "dev"],
    "ka.uri.param[command]": "sh",
    "jevt.value[/objectRef/resource]": "pods",
    "ka.req.pod.containers.privileged": [False, True],
    "ka.verb": "create",
}


@pytest.mark.parametrize(
    ("cond", "want"),
    [
        ("proc.name = Bash", True),
        ("proc.name == Bash", True),
        ("proc.name = bash", False),
        ("proc.name != bash", True),
        ("proc.name != Bash", False),
        ("proc.pid = 42", True),
        ("proc.pid = 0x2a", True),
        ("proc.pid < 43", True),
        ("proc.pid <= 42", True),
        ("proc.pid > 42", False),
        ("proc.pid >= 42", True),
        ("fd.num > 6", True),  # extracted text is read as the field's type
        ("proc.cmdline contains curl", True),
        ("proc.cmdline contains CURL", False),
        ("proc.cmdline icontains CURL", True),
        ("proc.cmdline startswith 'bash -c'", True),
        ('proc.cmdline endswith "| sh\'"', True),
        ("fd.name glob /etc/*", True),
        ("fd.name glob /etc/?hadow", True),
        ("fd.name glob /usr/*", False),
        ("fd.name iglob /ETC/SH*", True),
        ("fd.name regex '/etc/s.*'", True),
        ("fd.name regex 'etc'", False),  # anchored at both ends, as RE2::ANCHOR_BOTH
        ("evt.buffer bcontains 7373682d727361", True),
        ("evt.buffer bstartswith 00", True),
        ("evt.buffer bstartswith 73", False),
        ("proc.name in (sh, Bash)", True),
        ("proc.name in (sh, bash)", False),
        ("proc.name intersects (Bash)", True),
        ("fd.name pmatch (/etc)", True),
        ("fd.name pmatch (/et)", False),
        ("fd.name pmatch (/usr, /etc/shadow)", True),
        ("proc.name exists", True),
        ("proc.exe exists", False),
        ("container.privileged = true", True),
        ("container.privileged = false", False),
        ("fd.sip = 10.1.2.3", True),
        ("fd.net in (10.0.0.0/8, 192.168.0.0/16)", True),
        ("fd.net = 10.0.0.0/8", True),
        ("fd.net != 10.0.0.0/8", False),
        ("fd.net in (172.16.0.0/12)", False),
        ("fd.snet = 10.0.0.0/8", False),  # no fd.snet in this event
        ("proc.aname = systemd", True),  # any ancestor
        ("proc.aname[2] = systemd", True),
        ("proc.aname[2] = sshd", False),
        ("proc.aname in (sshd)", True),
    ],
)
def test_operator(cond: str, want: bool) -> None:
    assert decide(cond, EV) is want


@pytest.mark.parametrize(
    ("cond", "want"),
    [
        ("ka.user.groups in (dev, system:authenticated, x)", True),
        ("ka.user.groups in (dev)", False),  # in: every value is in the set
        ("ka.user.groups intersects (dev)", True),  # intersects: some value is
        ("ka.user.groups intersects (ops)", False),
        ("ka.req.pod.containers.privileged intersects (true)", True),
        ("ka.req.pod.containers.privileged in (false)", False),
        ("ka.uri.param[command] = sh", True),
        ("ka.uri.param[stdin] = true", False),
        ("jevt.value[/objectRef/resource] = pods", True),
        ("jevt.value[/missing] exists", False),
        ("ka.user.groups exists", True),
    ],
)
def test_k8s_audit_operator(cond: str, want: bool) -> None:
    assert decide(cond, K8S, "k8s_audit") is want


@pytest.mark.parametrize(
    ("cond", "want"),
    [
        ("tolower(proc.name) = bash", True),
        ("toupper(proc.name) = BASH", True),
        ("b64(user.name) = root", True),
        ("basename(fd.name) = shadow", True),
        ("len(proc.name) = 4", True),
        ("len(proc.name) > 4", False),
        ("tolower(basename(fd.name)) in (shadow, passwd)", True),
        ("proc.name = val(proc.pname)", True),
        ("proc.name != val(proc.pname)", False),
        ("proc.name = tolower(proc.pname)", False),
        ("tolower(proc.name) = tolower(proc.pname)", True),
        ("proc.name = val(proc.exe)", False),  # missing right side: false
    ],
)
def test_transformer(cond: str, want: bool) -> None:
    assert decide(cond, EV) is want


def test_len_of_a_list_field() -> None:
    assert decide("len(ka.user.groups) = 2", K8S, "k8s_audit") is True


@pytest.mark.parametrize(
    ("cond", "want"),
    [
        # a missing value makes the check false, and its negation true
        ("proc.exe = x", False),
        ("proc.exe != x", False),
        ("not proc.exe = x", True),
        # precedence: not > and > or
        ("proc.name = sh or proc.name = Bash and proc.pid = 1", False),
        ("proc.name = Bash or proc.name = sh and proc.pid = 1", True),
        ("(proc.name = Bash or proc.name = sh) and proc.pid = 1", False),
        ("not proc.name = sh and proc.pid = 42", True),
        ("not (proc.name = Bash and proc.pid = 1)", True),
        ("not not proc.name = Bash", True),
        ("not(proc.name = sh)", True),
        ("proc.name=Bash and(proc.pid=42)", True),
        ("proc.name in (shells)", False),
    ],
)
def test_logic(cond: str, want: bool) -> None:
    assert decide(cond, EV) is want


def test_lists_and_lists_inside_lists() -> None:
    lists = {"shells": ["sh", "Bash"]}
    assert decide("proc.name in (shells)", EV, lists=lists) is True
    assert decide("proc.name in (zsh, shells)", EV, lists=lists) is True
    assert decide("proc.name in shells", EV, lists=lists) is True


@pytest.mark.parametrize(
    ("cond", "message"),
    [
        ("proc.nope = 1", "nonexistent field proc.nope"),
        ("ka.user.groups = dev", "only supports operators 'exists', 'in' and 'intersects'"),
        ("proc.pid = abc", "not a valid number"),
        ("container.privileged = maybe", "not a valid boolean"),
        ("evt.buffer bcontains zz", "not a valid hex byte string"),
        ("some_macro", "Undefined macro 'some_macro'"),
        ("proc.name regex '('", "invalid regular expression"),
        ("tolower(proc.pid) = 1", "not supported by 'tolower'"),
        ("ka.uri.param = x", "requires an argument"),
        ("fd.sip in (10.0.0.0/8)", "not a valid IP address"),
    ],
)
def test_compile_errors(cond: str, message: str) -> None:
    source = "k8s_audit" if cond.startswith(("ka.", "ka ")) else "syscall"
    if "ka.user.groups" in cond:
        source = "k8s_audit"
    with pytest.raises(CompileError, match=None) as exc:
        compile_condition(parse(cond), source)
    assert message in str(exc.value)


def test_unknown_field_is_named() -> None:
    with pytest.raises(CompileError) as exc:
        compile_condition(parse("proc.name = x and ka.verb = get"), "syscall")
    assert exc.value.unknown_field == "ka.verb"
