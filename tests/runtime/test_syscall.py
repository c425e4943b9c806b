"""The ``syscall`` source (issue #12 §2): real exported events (Tetragon's documentation
examples, Falco's documented JSON alerts; tests/runtime/data/SOURCES.md) mapped onto Falco
fields with exact values, and Falco's falco_rules.yaml, loaded unmodified, deciding on them.

Golden decisions for the seed's rule "Terminal shell in container":
- it fires on a Falco alert of a shell started in a container with a terminal that carries
  ``evt.type`` (today's rule output names ``%evt.type``; the documented alert, written before
  that, is used with the ``evt.type`` added — said where it is done);
- it does not fire on the documented alert as it is (no ``evt.type``: ``spawned_process``
  cannot hold), nor on the same alert for a non-shell process or for a shell on the host;
- it does not fire on Tetragon's exec of ``/bin/bash`` in a pod: Tetragon exports no terminal,
  so ``proc.tty`` is not available and ``proc.tty != 0`` is false, as in Falco."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardhull.falco.loader import Ruleset, load_files, load_texts
from hardhull.runtime.engine import BadLine, Event, Runtime, read_syscall_events
from hardhull.runtime.syscall import TETRAGON_FIELDS, falco_args, falco_fields, syscall_of

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
FALCO_RULES = ROOT.parent / "shared" / "falco-rules" / "falco_rules.yaml"
SHELL_RULE = "Terminal shell in container"


def lines(name: str) -> list[str]:
    return (DATA / name).read_text().splitlines()


def tetragon(n: int) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(lines("tetragon.jsonl")[n - 1])
    return doc


def alert(n: int) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(lines("falco-alerts.jsonl")[n - 1])
    return doc


@cache
def _ruleset() -> Ruleset:
    return load_files([FALCO_RULES])


@pytest.fixture
def ruleset() -> Ruleset:
    if not FALCO_RULES.is_file():
        pytest.skip(f"{FALCO_RULES} not found (CI has ../shared beside the checkout)")
    rs = _ruleset()
    assert rs.ok and not rs.errors, rs.errors
    return rs


def fired(ruleset: Ruleset, doc: dict[str, Any]) -> list[str]:
    runtime = Runtime(ruleset, hostname="test-host")
    return [a.rule for a in runtime.process(Event("syscall", falco_fields(doc), "t:1"))]


# ---------------------------------------------------------------------------------------
# golden decisions of the upstream rule file


def modern(doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The documented alert as Falco writes it today: its rule output names %evt.type."""
    out = json.loads(json.dumps(doc))
    out["output_fields"]["evt.type"] = "execve"
    out["output_fields"].update(fields)
    return out


def test_terminal_shell_fires_on_a_falco_alert_of_a_shell_in_a_container(
    ruleset: Ruleset,
) -> None:
    assert fired(ruleset, modern(alert(1))) == [SHELL_RULE]
    assert fired(ruleset, modern(alert(2))) == [SHELL_RULE]
    # the parent may be gone (container_entrypoint: `not proc.pname exists`)
    assert fired(ruleset, modern(alert(1), **{"proc.pname": None})) == [SHELL_RULE]


def test_terminal_shell_does_not_fire_on_non_matching_events(ruleset: Ruleset) -> None:
    assert fired(ruleset, alert(1)) == []  # as documented: no evt.type
    host = modern(alert(1), **{"container.id": "host"})
    assert fired(ruleset, host) == []
    not_shell = modern(alert(1), **{"proc.name": "whoami", "proc.cmdline": "whoami"})
    assert fired(ruleset, not_shell) == []
    no_tty = modern(alert(1), **{"proc.tty": 0})
    assert fired(ruleset, no_tty) == []
    from_app = modern(alert(1), **{"proc.pname": "node"})
    assert fired(ruleset, from_app) == []


def test_tetragon_events_and_the_upstream_rules(ruleset: Ruleset) -> None:
    bash_in_pod = tetragon(1)
    assert falco_fields(bash_in_pod).get("proc.tty") is None
    assert fired(ruleset, bash_in_pod) == []
    for n in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13):
        assert fired(ruleset, tetragon(n)) == [], n


def test_cli_runs_falco_rules_over_exported_events(tmp_path: Path) -> None:
    if not FALCO_RULES.is_file():
        pytest.skip(f"{FALCO_RULES} not found")
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                json.dumps(modern(alert(1))),
                "{not json",
                json.dumps({"kind": "Event", "apiVersion": "audit.k8s.io/v1"}),
                *lines("tetragon.jsonl"),
                json.dumps(modern(alert(1), **{"container.id": "host"})),
            ]
        )
        + "\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "runtime", "--source", "syscall",
         "--no-default-rules", "-r", str(FALCO_RULES), "--input", str(events),
         "--hostname", "n1"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    got = json.loads(line)
    assert got["rule"] == SHELL_RULE and got["source"] == "syscall"
    assert got["priority"] == "Notice"
    assert got["time"] == "2023-05-25T13:44:05.478445995Z"
    assert got["output_fields"]["proc.tty"] == 34816
    assert "evt_type=execve user=root" in got["output"]
    assert "process=sh" in got["output"] and "terminal=34816" in got["output"]
    assert "Traceback" not in proc.stderr
    assert f"{events}:2: not JSON" in proc.stderr
    assert f"{events}:3: neither a Falco JSON alert nor a Tetragon event" in proc.stderr
    assert f"{events}:8: a Tetragon process_connect event, which hardhull does not map" in (
        proc.stderr
    )
    assert "14 event(s), 1 alert(s), 3 line(s) skipped" in proc.stderr


# ---------------------------------------------------------------------------------------
# the field mapping, exact values


def test_tetragon_exec_of_bash_in_a_pod() -> None:
    f = falco_fields(tetragon(1))
    assert f["evt.type"] == "execve" and f["evt.dir"] == "<"
    assert f["proc.name"] == "bash"
    assert f["proc.exe"] == f["proc.exepath"] == "/bin/bash"
    assert f["proc.args"] == "" and f["proc.cmdline"] == "bash"
    assert f["proc.pid"] == 17022 and f["proc.ppid"] == 17012
    assert f["proc.cwd"] == "/"
    assert f["user.uid"] == 0 and f["user.loginuid"] == -1
    assert "user.name" not in f  # not exported without Tetragon's username metadata
    assert f["proc.pname"] == "runc" and f["proc.pexepath"] == "/usr/bin/runc"
    assert f["proc.pcmdline"].startswith("runc --root /var/run/docker/runtime-runc/moby ")
    assert f["proc.aname[0]"] == "bash" and f["proc.aname[1]"] == "runc"
    assert "proc.aname[2]" not in f
    assert f["proc.aname"] == ["runc"] and f["proc.apid"] == [17012]
    assert f["container.id"] == "85f791fd8dfa"
    assert f["container.full_id"] == (
        "85f791fd8dfa740a3b1c177e8f68e8fdb4803a7c8fa0e957a5ec38460ce047ef"
    )
    assert f["container.type"] == "docker"
    assert f["container.name"] == "privileged-pod"
    assert f["container.image"] == "nginx:latest"
    assert f["container.image.repository"] == "nginx"
    assert f["container.image.tag"] == "latest"
    assert f["container.image.digest"] == (
        "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"
    )
    assert f["k8s.ns.name"] == "default" and f["k8s.pod.name"] == "privileged-pod"
    assert f["evt.time"] == "11:13:10.871000000"
    assert f["evt.time.iso8601"] == "2022-01-19T11:13:10.871000000Z"
    assert f["evt.rawtime"] == 1642590790871000000
    assert f["evt.hostname"] == "minikube"
    assert "proc.tty" not in f


def test_tetragon_exec_and_exit_with_args_labels_and_container_pid() -> None:
    f = falco_fields(tetragon(6))
    assert f["proc.name"] == "whoami" and f["proc.args"] == "--version"
    assert f["proc.cmdline"] == "whoami --version"
    assert f["proc.vpid"] == 50
    assert f["container.type"] == "containerd"
    assert f["container.id"] == "1fb931d2f6e5"
    assert f["container.image.repository"] == "docker.io/tgraf/netperf"
    assert f["proc.pname"] == "bash" and f["proc.pcmdline"] == "bash"
    x = falco_fields(tetragon(7))
    assert x["evt.type"] == "procexit" and x["evt.rawtime"] == 1652273685616000000
    labels = falco_fields(tetragon(9))
    assert labels["k8s.pod.labels"] == "app.kubernetes.io/name:xwing,class:xwing,org:alliance"
    assert labels["k8s.pod.label[app.kubernetes.io/name]"] == "xwing"


def test_tetragon_kprobes() -> None:
    f = falco_fields(tetragon(8))  # security_file_permission on /etc/passwd
    assert f["evt.type"] == "security_file_permission" and f["evt.dir"] == "<"
    assert f["fd.name"] == "/etc/passwd"
    assert f["fd.directory"] == "/etc" and f["fd.filename"] == "passwd"
    assert f["evt.res"] == "SUCCESS" and f["evt.rawres"] == 0
    assert f["thread.tid"] == 64746
    assert f["k8s.pod.label[run]"] == "file-access"
    assert f["evt.time"] == "02:18:14.376304204"
    setuid = falco_fields(tetragon(10))
    assert setuid["evt.type"] == "setuid"
    assert "evt.is_open_write" not in f  # not derivable from a hook's arguments
    write = falco_fields(tetragon(3))
    assert write["evt.type"] == "write" and write["evt.dir"] == ">"
    assert write["fd.name"] == "etc/passwd"  # as that Tetragon version exported it


def test_tetragon_socket_and_ancestors() -> None:
    # shaped after Tetragon's KprobeSock (api/v1/tetragon/tetragon.proto), with ancestors
    doc = tetragon(6)
    exec_ = doc["process_exec"]
    grand = dict(exec_["parent"], binary="/usr/bin/containerd-shim-runc-v2", pid=4000,
                 arguments="-namespace k8s.io")  # fmt: skip
    event = {
        "process_kprobe": {
            "process": exec_["process"],
            "parent": exec_["parent"],
            "ancestors": [grand],
            "function_name": "tcp_connect",
            "args": [
                {
                    "sock_arg": {
                        "family": "AF_INET",
                        "type": "SOCK_STREAM",
                        "protocol": "IPPROTO_TCP",
                        "saddr": "10.244.0.5",
                        "daddr": "10.96.0.1",
                        "sport": 40312,
                        "dport": 443,
                    }
                }
            ],
        },
        "node_name": "kind-control-plane",
        "time": "2022-05-11T12:54:45.700Z",
    }
    f = falco_fields(event)
    assert f["evt.type"] == "connect"
    assert f["fd.name"] == "10.244.0.5:40312->10.96.0.1:443"
    assert (f["fd.cip"], f["fd.cport"], f["fd.sip"], f["fd.sport"]) == (
        "10.244.0.5", 40312, "10.96.0.1", 443,
    )  # fmt: skip
    assert (f["fd.lip"], f["fd.rip"], f["fd.lport"], f["fd.rport"]) == (
        "10.244.0.5", "10.96.0.1", 40312, 443,
    )  # fmt: skip
    assert f["fd.l4proto"] == "tcp" and f["fd.type"] == "ipv4" and f["fd.typechar"] == "4"
    assert f["proc.aname[2]"] == "containerd-shim"  # the kernel's comm: 15 characters
    assert f["proc.aname"] == ["bash", "containerd-shim"]
    assert f["proc.acmdline[2]"] == "containerd-shim -namespace k8s.io"
    assert f["proc.apid"] == [43872, 4000]


@pytest.mark.parametrize(
    ("arguments", "args"),
    [('-c "7z a s3nsitiv3.7z ../ops_bank_accounts/"', "-c 7z a s3nsitiv3.7z ../ops_bank_accounts/"),
     (' "a b" c', "a b c"), ('x " y" z', "x  y z"), ("--version", "--version"), ("", ""),
     ('"unterminated x', '"unterminated x')],
)  # fmt: skip
def test_falco_args_undo_tetragons_quoting(arguments: str, args: str) -> None:
    assert falco_args(arguments) == args


def test_tetragon_quoted_arguments_become_falco_cmdlines() -> None:
    f = falco_fields(tetragon(2))  # sh -c "7z a …" in a docker container
    assert f["proc.cmdline"] == "sh -c 7z a s3nsitiv3.7z ../ops_bank_accounts/"
    assert f["proc.args"] == "-c 7z a s3nsitiv3.7z ../ops_bank_accounts/"


def test_execve_hooks_are_not_spawned_processes() -> None:
    doc = tetragon(10)
    doc["process_kprobe"]["function_name"] = "__x64_sys_execve"
    assert falco_fields(doc)["evt.type"] == "__x64_sys_execve"  # the caller, not the program
    doc = {"process_tracepoint": dict(tetragon(10)["process_kprobe"], subsys="syscalls",
                                      event="sys_enter_openat")}  # fmt: skip
    assert falco_fields(doc)["evt.type"] == "openat"


def test_host_processes_are_container_id_host() -> None:
    modprobe = falco_fields(tetragon(12))
    assert modprobe["container.id"] == "host"
    assert "k8s.pod.name" not in modprobe and "container.name" not in modprobe
    assert falco_fields(tetragon(13))["container.id"] == "host"
    docker_only = falco_fields(tetragon(2))  # a docker container, no pod
    assert docker_only["container.id"] == "a51959123c3b"


def test_falco_alert_fields() -> None:
    f = falco_fields(alert(1))
    assert f["proc.tty"] == 34816 and f["user.loginuid"] == -1
    assert f["proc.name"] == "sh" and f["proc.pname"] == "runc"
    assert f["container.id"] == "ee97d9c4186f"
    assert f["evt.time"] == 1685022245478445995  # as the alert has it
    assert f["evt.rawtime"] == 1685022245478445995  # from its "time"
    assert f["evt.hostname"] == "falco-xczjd"
    assert "evt.type" not in f
    nulls = falco_fields({"rule": "r", "output": "o", "source": "syscall",
                          "output_fields": {"proc.aname[3]": None, "user.loginname": "<NA>",
                                            "proc.aname[2]": "systemd"}})  # fmt: skip
    assert "proc.aname[3]" not in nulls and "user.loginname" not in nulls
    assert nulls["proc.aname[2]"] == "systemd"
    assert falco_fields(alert(3))["fd.name"] == "192.168.43.223:39526->10.100.0.1:443"


@pytest.mark.parametrize(
    ("function", "evt_type"),
    [("__x64_sys_openat", "openat"), ("__arm64_sys_execve", "execve"), ("tcp_connect", "connect"),
     ("security_file_permission", "security_file_permission"), ("sys_", "sys_")],
)  # fmt: skip
def test_syscall_of(function: str, evt_type: str) -> None:
    assert syscall_of(function) == evt_type


def test_declared_fields_cover_what_is_mapped() -> None:
    """TETRAGON_FIELDS (what docs/runtime.md's table is computed from) lists every field the
    mapping fills, for every real event."""
    for line in lines("tetragon.jsonl"):
        doc = json.loads(line)
        kind = next(k for k in doc if k.startswith("process_"))
        if kind not in TETRAGON_FIELDS:
            continue
        for key in falco_fields(doc):
            assert key.split("[")[0] in TETRAGON_FIELDS[kind], (kind, key)


# ---------------------------------------------------------------------------------------
# bad input


def test_bad_lines_are_reported_with_their_place_and_skipped() -> None:
    got = list(read_syscall_events([
        "", "[1]", "{", json.dumps({"rule": "x", "output": "y", "source": "k8s_audit"}),
        json.dumps({"process_exec": {"parent": {}}}),
        json.dumps({"process_exec": 3}),
        json.dumps({"process_loader": {}}),
        json.dumps({"output": "o", "rule": "r", "output_fields": [1]}),
        lines("tetragon.jsonl")[0],
    ], "ev.jsonl"))  # fmt: skip
    bad = [(g.where, g.why) for g in got if isinstance(g, BadLine)]
    assert bad[1][0] == "ev.jsonl:3" and bad[1][1].startswith("not JSON")
    del bad[1]
    assert bad == [
        ("ev.jsonl:2", "not a JSON object"),
        ("ev.jsonl:4", "a Falco alert of source 'k8s_audit', not syscall"),
        ("ev.jsonl:5", "a Tetragon process_exec event without its process"),
        ("ev.jsonl:6", "a Tetragon process_exec event that is not an object"),
        ("ev.jsonl:7", "a Tetragon process_loader event, which hardhull does not map"),
        ("ev.jsonl:8", "a Falco alert whose output_fields is not an object"),
    ]
    assert isinstance(got[-1], Event) and got[-1].where == "ev.jsonl:9"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=3)
    | st.dictionaries(st.sampled_from(["process", "parent", "ancestors", "pod", "container",
                                       "binary", "pid", "args", "sock_arg", "file_arg", "time",
                                       "output_fields", "source", "image", "name", "id"])
                      | st.text(max_size=5), kids, max_size=4),
    max_leaves=14,
)  # fmt: skip
_top = st.dictionaries(
    st.sampled_from(["process_exec", "process_kprobe", "process_exit", "process_lsm",
                     "process_tracepoint", "output", "rule", "output_fields", "time",
                     "node_name", "source", "process_x"]),
    _json, max_size=4,
)  # fmt: skip


@given(st.lists(st.text(max_size=40) | _json.map(json.dumps) | _top.map(json.dumps), max_size=8))
def test_any_lines(lines_: list[str]) -> None:
    for item in read_syscall_events(lines_, "f"):
        assert isinstance(item, Event | BadLine)
        assert item.where.startswith("f:")
        if isinstance(item, Event):
            assert item.source == "syscall"
            assert all(isinstance(k, str) for k in item.data)


# ---------------------------------------------------------------------------------------
# users' own rules over Tetragon events, on top of falco_rules.yaml's macros and lists

MY_RULES = """
- rule: Shell in a pod
  desc: a shell started in a container (no terminal needed)
  condition: spawned_process and container and shell_procs and proc.pname in (runc, containerd-shim)
  output: shell %proc.cmdline in %container.id (%k8s.ns.name/%k8s.pod.name) parent=%proc.pname
  priority: WARNING
- rule: Passwd touched in a pod
  desc: a kprobe on a file argument
  condition: container and fd.name = /etc/passwd and k8s.pod.label[run] = file-access
  output: "%proc.name touched %fd.name (%evt.type)"
  priority: NOTICE
  warn_evttypes: false
- rule: API server contacted
  desc: tcp_connect to port 443
  condition: evt.type = connect and fd.sip = 10.96.0.1 and fd.sport = 443 and proc.aname = bash
  output: "%proc.name -> %fd.name"
  priority: NOTICE
"""


@pytest.fixture
def mine() -> Ruleset:
    if not FALCO_RULES.is_file():
        pytest.skip(f"{FALCO_RULES} not found")
    rs = load_texts([(str(FALCO_RULES), FALCO_RULES.read_text()), ("mine.yaml", MY_RULES)])
    assert rs.ok, rs.errors
    return rs


def test_users_rules_fire_on_tetragon_events(mine: Ruleset) -> None:
    runtime = Runtime(mine, hostname="reader")
    got = {}
    for n in range(1, 14):
        doc = tetragon(n)
        try:
            data = falco_fields(doc)
        except ValueError:
            continue
        for a in runtime.process(Event("syscall", data, f"t:{n}")):
            got.setdefault(a.rule, []).append((n, a.output, a.time_ns))
    shell = got.pop("Shell in a pod")
    assert [(n, out) for n, out, _ in shell] == [
        (1, "shell bash in 85f791fd8dfa (default/privileged-pod) parent=runc")
    ]
    assert shell[0][2] == 1642590790871000000  # the event's time, not the reading's
    assert [(n, out) for n, out, _ in got.pop("Passwd touched in a pod")] == [
        (8, "vi touched /etc/passwd (security_file_permission)")
    ]
    assert got == {}


def test_users_socket_rule_fires_on_a_tcp_connect(mine: Ruleset) -> None:
    exec_ = tetragon(6)["process_exec"]
    sock = {"family": "AF_INET", "protocol": "IPPROTO_TCP", "saddr": "10.244.0.5",
            "daddr": "10.96.0.1", "sport": 40312, "dport": 443}  # fmt: skip
    event = {"process_kprobe": {"process": exec_["process"], "parent": exec_["parent"],
                                "function_name": "tcp_connect", "args": [{"sock_arg": sock}]},
             "time": "2022-05-11T12:54:45.700Z"}  # fmt: skip
    runtime = Runtime(mine, hostname="reader")
    alerts = runtime.process(Event("syscall", falco_fields(event), "t:1"))
    assert [(a.rule, a.output) for a in alerts] == [
        ("API server contacted", "whoami -> 10.244.0.5:40312->10.96.0.1:443")
    ]
    other = dict(sock, dport=80)
    event["process_kprobe"]["args"] = [{"sock_arg": other}]
    assert runtime.process(Event("syscall", falco_fields(event), "t:2")) == []


def test_cli_tells_each_inputs_source_from_its_first_line(tmp_path: Path) -> None:
    if not FALCO_RULES.is_file():
        pytest.skip(f"{FALCO_RULES} not found")
    alerts = tmp_path / "alerts.jsonl"
    alerts.write_text("\n\n" + json.dumps(modern(alert(1))) + "\nnot json\n")
    audit = tmp_path / "audit.log"
    audit.write_text(json.dumps({"kind": "Event", "apiVersion": "audit.k8s.io/v1"}) + "\n"
                     + json.dumps(modern(alert(2))) + "\n")  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "runtime", "--no-default-rules",
         "-r", str(FALCO_RULES), "--input", str(alerts), "--input", str(audit)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["rule"] for x in proc.stdout.splitlines()] == [SHELL_RULE]
    assert f"{alerts}:4: not JSON" in proc.stderr
    # the audit log is read as audit events: the alert in it is not one
    assert f"{audit}:2: not a Kubernetes audit Event (kind None)" in proc.stderr
    assert "2 event(s), 1 alert(s), 2 line(s) skipped" in proc.stderr
