"""The field tables and output strings (issue #12)."""

from __future__ import annotations

import pytest

from hardhull.falco.fields import fields, lookup
from hardhull.falco.output import OutputError, compile_output
from tests.falco.helpers import extractor


def test_field_lookup() -> None:
    groups = lookup("k8s_audit", "ka.user.groups")
    assert groups is not None and groups.is_list and groups.type == "string"
    param = lookup("k8s_audit", "ka.uri.param")
    assert param is not None and param.arg == "required"
    image = lookup("k8s_audit", "ka.req.pod.containers.image")
    assert image is not None and image.is_list and image.arg == "optional"
    assert lookup("k8s_audit", "proc.name") is None
    assert lookup("syscall", "ka.verb") is None
    flags = lookup("syscall", "evt.arg.flags")  # any argument name after evt.arg.
    assert flags is not None and flags.name == "evt.arg.flags"
    assert lookup("syscall", "evt.arg") is not None
    assert lookup("syscall", "proc.aname") is not None
    pid = lookup("syscall", "proc.pid")
    assert pid is not None and pid.type == "number"
    net = lookup("syscall", "fd.net")
    assert net is not None and net.type == "ipnet"
    assert lookup("aws_cloudtrail", "ct.name") is None
    assert {f.name for f in fields("k8s_audit")} >= {"ka.verb", "jevt.value", "json.value"}


EVENT = {
    "proc.name": "bash",
    "proc.aname[2]": "containerd",
    "ka.user.groups": ["a", "b"],
    "container.privileged": True,
    "proc.pid": 7,
}


@pytest.mark.parametrize(
    ("fmt", "source", "want"),
    [
        ("shell %proc.name pid=%proc.pid", "syscall", "shell bash pid=7"),
        ("%proc.aname[2]/%proc.aname[3]", "syscall", "containerd/<NA>"),
        ("%toupper(proc.name) %basename(proc.exe)", "syscall", "BASH <NA>"),
        ("priv=%container.privileged.", "syscall", "priv=true."),
        ("100% sure %", "syscall", "100% sure %"),
        ("groups=%ka.user.groups user=%ka.user.name", "k8s_audit", "groups=(a,b) user=<NA>"),
        ("n=%len(ka.user.groups)", "k8s_audit", "n=2"),
    ],
)
def test_render(fmt: str, source: str, want: str) -> None:
    assert compile_output(fmt, source).render(extractor(EVENT)) == want


def test_output_fields_and_values() -> None:
    f = compile_output("%proc.name %proc.aname[2] %tolower(proc.name) %proc.exe", "syscall")
    assert f.fields == ["proc.name", "proc.aname[2]", "tolower(proc.name)", "proc.exe"]
    assert f.values(extractor(EVENT)) == {
        "proc.name": "bash",
        "proc.aname[2]": "containerd",
        "tolower(proc.name)": "bash",
        "proc.exe": None,
    }


@pytest.mark.parametrize(
    ("fmt", "unknown"),
    [("%proc.nope", "proc.nope"), ("%ka.verb", "ka.verb"), ("%tolower(proc.nope)", "proc.nope")],
)
def test_unknown_output_field(fmt: str, unknown: str) -> None:
    with pytest.raises(OutputError) as exc:
        compile_output(fmt, "syscall")
    assert exc.value.unknown_field == unknown


def test_required_argument_in_output() -> None:
    with pytest.raises(OutputError, match="requires an argument"):
        compile_output("%ka.uri.param", "k8s_audit")
