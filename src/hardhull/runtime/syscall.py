"""The ``syscall`` source over exported container runtime events (issue #12): Falco's own JSON
alerts and Tetragon's exported JSON events, each mapped onto the Falco fields it can honestly
fill, so that Falco's ``syscall`` rules run on them unmodified.

:func:`falco_fields` ``(doc) -> dict[str, Any]`` maps one decoded JSON line onto Falco field
values, keyed by Falco field name (``"proc.aname[2]"`` for a field with an argument); it raises
:class:`NotAnEvent` (its message says why) for a line that is neither input.
:func:`kind_of` ``(doc) -> "falco" | "tetragon" | None`` tells the two inputs apart;
:func:`detect_source` ``(line)`` tells a ``syscall`` line from anything else.
:func:`extractor` ``(fields, num, hostname)`` is the ``extract(field, arg)`` the rule engine
evaluates with: a field the event does not carry is ``None`` (Falco's "not available": a
comparison with it is false, ``exists`` is false).

Falco alerts (``{"output", "rule", "priority", "source", "time", "output_fields", ...}``): the
event's fields are the alert's ``output_fields`` as they are (a ``null`` or ``"<NA>"`` value is
not available), plus ``evt.time``/``evt.rawtime``/``evt.time.iso8601`` from the alert's ``time``
when its fields lack them and ``evt.hostname`` from its ``hostname``. An alert whose ``source``
is not ``syscall`` is refused (an alert without one is taken as ``syscall``, Falco's default).

Tetragon events (``process_exec``, ``process_exit``, ``process_kprobe``,
``process_tracepoint``, ``process_lsm``): see :data:`TETRAGON_FIELDS` for which fields each
kind fills, and docs/runtime.md ("syscall source") for the mapping and what stays unavailable
(notably ``proc.tty``: Tetragon does not export a process's terminal).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

SYSCALL = "syscall"

#: fields taken from a Tetragon ``Process`` (the event's process, or an ancestor's with a prefix)
_PROCESS = (
    "proc.name",
    "proc.exe",
    "proc.exepath",
    "proc.args",
    "proc.cmdline",
    "proc.pid",
    "proc.vpid",
    "proc.cwd",
    "thread.tid",
    "user.uid",
    "user.name",
    "user.loginuid",
    "container.id",
    "container.full_id",
    "container.name",
    "container.type",
    "container.image",
    "container.image.repository",
    "container.image.tag",
    "container.image.digest",
    "container.privileged",
    "k8s.ns.name",
    "k8s.pod.name",
    "k8s.pod.uid",
    "k8s.pod.labels",
    "k8s.pod.label",
    "k8s.deployment.name",
)
_PARENT = ("proc.ppid", "proc.pname", "proc.pexe", "proc.pexepath", "proc.pcmdline")
_ANCESTORS = ("proc.aname", "proc.aexe", "proc.aexepath", "proc.acmdline", "proc.apid")
_EVENT = (
    "evt.num",
    "evt.source",
    "evt.type",
    "evt.dir",
    "evt.time",
    "evt.time.iso8601",
    "evt.rawtime",
    "evt.hostname",
)
_FD_FILE = ("fd.name", "fd.directory", "fd.filename")
_FD_SOCK = (
    "fd.name",
    "fd.type",
    "fd.typechar",
    "fd.sockfamily",
    "fd.l4proto",
    "fd.lip",
    "fd.rip",
    "fd.lport",
    "fd.rport",
    "fd.lnet",
    "fd.rnet",
    "fd.cip",
    "fd.sip",
    "fd.cport",
    "fd.sport",
    "fd.cnet",
    "fd.snet",
    "fd.is_server",
)
_BASE = frozenset(_PROCESS + _PARENT + _ANCESTORS + _EVENT)
_HOOK = _BASE | frozenset(_FD_FILE + _FD_SOCK + ("evt.res", "evt.rawres"))

#: per Tetragon event kind, every field it can fill (when the event carries the data: a host
#: process has no ``k8s.*``, a kprobe without a file or socket argument no ``fd.*``); every
#: other ``syscall`` field is not available from that kind
TETRAGON_FIELDS: dict[str, frozenset[str]] = {
    "process_exec": _BASE,
    "process_exit": _BASE,
    "process_kprobe": _HOOK,
    "process_tracepoint": _HOOK,
    "process_lsm": _HOOK,
}

#: kernel functions Tetragon's example policies hook, and the syscall each stands for
_FUNCTION_SYSCALL = {
    "tcp_connect": "connect",
    "tcp_close": "close",
    "tcp_sendmsg": "sendmsg",
    "udp_sendmsg": "sendmsg",
    "security_socket_connect": "connect",
    "inet_csk_accept": "accept",
}
#: hooks on these see the calling process, not the new program (see _hook)
_EXEC = frozenset({"execve", "execveat"})
_SYSCALL_PREFIXES = ("__x64_sys_", "__arm64_sys_", "__ia32_sys_", "__se_sys_", "ksys_", "sys_")

#: Falco's proc.name is the kernel's task comm: the executable's file name, 15 characters
_COMM_LEN = 15
_UNSET_LOGINUID = 4294967295


class NotAnEvent(ValueError):
    """A line that is not an event of the ``syscall`` source (the message says why)."""


def kind_of(doc: Mapping[str, Any]) -> str | None:
    """``"tetragon"``, ``"falco"`` (a Falco JSON alert) or None."""
    for key in TETRAGON_FIELDS:
        if key in doc:
            return "tetragon"
    if "output_fields" in doc or ("rule" in doc and "output" in doc):
        return "falco"
    if any(isinstance(k, str) and k.startswith("process_") for k in doc):
        return "tetragon"
    return None


def detect_source(line: str) -> str:
    """``syscall`` when ``line`` is a Falco JSON alert or a Tetragon event, else
    ``k8s_audit`` (the source an input of audit events, or of anything else, is read as)."""
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError):
        return "k8s_audit"
    if isinstance(doc, dict) and kind_of(doc) is not None:
        return SYSCALL
    return "k8s_audit"


def falco_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The Falco field values of one exported event (see the module docstring)."""
    kind = kind_of(doc)
    if kind == "falco":
        return _from_alert(doc)
    if kind == "tetragon":
        return _from_tetragon(doc)
    raise NotAnEvent("neither a Falco JSON alert nor a Tetragon event")


# ---------------------------------------------------------------------------------------
# Falco alerts


def _from_alert(doc: Mapping[str, Any]) -> dict[str, Any]:
    source = doc.get("source", SYSCALL)
    if not isinstance(source, str) or source.lower() != SYSCALL:
        raise NotAnEvent(f"a Falco alert of source {source!r}, not syscall")
    raw = doc.get("output_fields", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise NotAnEvent("a Falco alert whose output_fields is not an object")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or value is None or value == "<NA>":
            continue
        if isinstance(value, dict | list):
            continue  # not a field value Falco writes
        out[key] = value
    t = doc.get("time")
    if isinstance(t, str):
        ns = _parse_time(t)
        if ns is not None:
            for name, value in _times(ns).items():
                out.setdefault(name, value)
    host = doc.get("hostname")
    if isinstance(host, str) and host:
        out.setdefault("evt.hostname", host)
    out.setdefault("evt.source", SYSCALL)
    return out


# ---------------------------------------------------------------------------------------
# Tetragon events


def _from_tetragon(doc: Mapping[str, Any]) -> dict[str, Any]:
    kind = next((k for k in TETRAGON_FIELDS if k in doc), None)
    if kind is None:
        other = next(k for k in doc if isinstance(k, str) and k.startswith("process_"))
        raise NotAnEvent(f"a Tetragon {other} event, which hardhull does not map")
    body = doc[kind]
    if not isinstance(body, Mapping):
        raise NotAnEvent(f"a Tetragon {kind} event that is not an object")
    proc = body.get("process")
    if not isinstance(proc, Mapping):
        raise NotAnEvent(f"a Tetragon {kind} event without its process")
    out: dict[str, Any] = {"evt.source": SYSCALL}
    _process(proc, out)
    parent = body.get("parent")
    chain: list[Mapping[str, Any]] = [proc]
    if isinstance(parent, Mapping):
        _parent(parent, out)
        chain.append(parent)
        ancestors = body.get("ancestors")
        if isinstance(ancestors, list):
            chain.extend(a for a in ancestors if isinstance(a, Mapping))
    _ancestors(chain, out)
    t = doc.get("time")
    ns = _parse_time(t) if isinstance(t, str) else None
    if ns is not None:
        out.update(_times(ns))
    node = doc.get("node_name")
    if isinstance(node, str) and node:
        out["evt.hostname"] = node
    if kind == "process_exec":
        out["evt.type"] = "execve"
        out["evt.dir"] = "<"  # Falco has the new process's fields on the exit of execve
    elif kind == "process_exit":
        out["evt.type"] = "procexit"
        out["evt.dir"] = ">"
    else:
        _hook(kind, body, out)
    return out


def falco_args(arguments: str) -> str:
    """Falco's ``proc.args`` (the arguments joined by spaces) from Tetragon's ``arguments``,
    which wraps an argument that contains a space in double quotes: ``-c "uname -p"`` →
    ``-c uname -p``. (An argument that itself starts and ends with a quote and has no space
    is unquoted too: Tetragon's text cannot tell them apart.)"""
    tokens = arguments.split(" ")
    if tokens and tokens[0] == "" and len(tokens) > 1 and tokens[1].startswith('"'):
        tokens = tokens[1:]  # Tetragon starts with a space when the first argument is quoted
    args: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith('"'):
            j = i
            while not (tokens[j].endswith('"') and (j > i or len(tok) > 1)):
                if j + 1 == len(tokens):
                    break
                j += 1
            group = " ".join(tokens[i : j + 1])
            if len(group) >= 2 and group.endswith('"'):
                args.append(group[1:-1])
                i = j + 1
                continue
        args.append(tok)
        i += 1
    return " ".join(args)


def _process(p: Mapping[str, Any], out: dict[str, Any]) -> None:
    binary = _str(p.get("binary"))
    args = falco_args(_str(p.get("arguments")))
    if binary:
        name = _comm(binary)
        out["proc.name"] = name
        out["proc.exe"] = binary
        out["proc.exepath"] = binary
        out["proc.args"] = args or ""
        out["proc.cmdline"] = f"{name} {args}" if args else name
    _int(p, "pid", out, "proc.pid")
    _int(p, "tid", out, "thread.tid")
    _int(p, "uid", out, "user.uid")
    auid = p.get("auid")
    if isinstance(auid, int) and not isinstance(auid, bool):
        out["user.loginuid"] = -1 if auid == _UNSET_LOGINUID else auid
    cwd = _str(p.get("cwd"))
    if cwd:
        out["proc.cwd"] = cwd
    user = p.get("user")
    if isinstance(user, Mapping) and _str(user.get("name")):
        out["user.name"] = user["name"]
    pod = p.get("pod")
    container = pod.get("container") if isinstance(pod, Mapping) else None
    full = ""
    if isinstance(container, Mapping):
        runtime, _, cid = _str(container.get("id")).partition("://")
        if cid:
            full = cid
            out["container.type"] = _RUNTIMES.get(runtime, runtime)
        elif runtime:
            full = runtime
        if _str(container.get("name")):
            out["container.name"] = container["name"]
        _int(container, "pid", out, "proc.vpid")
        image = container.get("image")
        if isinstance(image, Mapping):
            _image(_str(image.get("name")), _str(image.get("id")), out)
        ctx = container.get("security_context")
        if isinstance(ctx, Mapping) and isinstance(ctx.get("privileged"), bool):
            out["container.privileged"] = ctx["privileged"]
    docker = _str(p.get("docker"))
    if full:
        out["container.full_id"] = full
        out["container.id"] = full[:12]
    elif docker:
        out["container.id"] = docker[:12]
    else:
        out["container.id"] = "host"  # Falco's value for a process outside any container
    if isinstance(pod, Mapping):
        for key, name in (("namespace", "k8s.ns.name"), ("name", "k8s.pod.name")):
            if _str(pod.get(key)):
                out[name] = pod[key]
        if _str(pod.get("uid")):
            out["k8s.pod.uid"] = pod["uid"]
        labels = pod.get("pod_labels")
        if isinstance(labels, Mapping):
            pairs = [(str(k), str(v)) for k, v in labels.items()]
            out["k8s.pod.labels"] = ",".join(f"{k}:{v}" for k, v in pairs)
            for k, v in pairs:
                out[f"k8s.pod.label[{k}]"] = v
        if pod.get("workload_kind") == "Deployment" and _str(pod.get("workload")):
            out["k8s.deployment.name"] = pod["workload"]


_RUNTIMES = {"docker": "docker", "containerd": "containerd", "cri-o": "cri-o", "crio": "cri-o"}


def _image(name: str, image_id: str, out: dict[str, Any]) -> None:
    if name:
        out["container.image"] = name
        ref = name.split("@", 1)[0]
        slash = ref.rfind("/")
        colon = ref.rfind(":")
        if colon > slash:
            out["container.image.repository"] = ref[:colon]
            out["container.image.tag"] = ref[colon + 1 :]
        else:
            out["container.image.repository"] = ref
    for ref in (name, image_id):
        if "@" in ref:
            out["container.image.digest"] = ref.rsplit("@", 1)[1]
            break


def _parent(p: Mapping[str, Any], out: dict[str, Any]) -> None:
    _int(p, "pid", out, "proc.ppid")
    binary = _str(p.get("binary"))
    if binary:
        name = _comm(binary)
        args = falco_args(_str(p.get("arguments")))
        out["proc.pname"] = name
        out["proc.pexe"] = binary
        out["proc.pexepath"] = binary
        out["proc.pcmdline"] = f"{name} {args}" if args else name


def _ancestors(chain: list[Mapping[str, Any]], out: dict[str, Any]) -> None:
    """``proc.aname[N]`` etc.: index 0 is the process itself, 1 its parent, … as far as the
    event carries them; without an index, the list of every ancestor (not the process)."""
    names: list[str] = []
    exes: list[str] = []
    cmdlines: list[str] = []
    pids: list[int] = []
    for i, p in enumerate(chain):
        binary = _str(p.get("binary"))
        if binary:
            name = _comm(binary)
            args = falco_args(_str(p.get("arguments")))
            cmdline = f"{name} {args}" if args else name
            out[f"proc.aname[{i}]"] = name
            out[f"proc.aexe[{i}]"] = binary
            out[f"proc.aexepath[{i}]"] = binary
            out[f"proc.acmdline[{i}]"] = cmdline
            if i:
                names.append(name)
                exes.append(binary)
                cmdlines.append(cmdline)
        pid = p.get("pid")
        if isinstance(pid, int) and not isinstance(pid, bool):
            out[f"proc.apid[{i}]"] = pid
            if i:
                pids.append(pid)
    if names:
        out["proc.aname"] = names
        out["proc.aexe"] = exes
        out["proc.aexepath"] = list(exes)
        out["proc.acmdline"] = cmdlines
    if pids:
        out["proc.apid"] = pids


def _hook(kind: str, body: Mapping[str, Any], out: dict[str, Any]) -> None:
    """evt.type and the fd.* fields of a kprobe, tracepoint or LSM hook event."""
    if kind == "process_tracepoint":
        event = _str(body.get("event"))
        subsys = _str(body.get("subsys"))
        if subsys == "syscalls" and event.startswith(("sys_enter_", "sys_exit_")):
            name = event.split("_", 2)[2]
            out["evt.type"] = event if name in _EXEC else name
            out["evt.dir"] = ">" if event.startswith("sys_enter_") else "<"
        elif event:
            out["evt.type"] = event
    else:
        function = _str(body.get("function_name"))
        evt_type = syscall_of(function)
        # a hook on execve sees the calling process, as Falco's execve enter event, on which
        # Falco runs no rules; the new program's event is process_exec
        out["evt.type"] = function if evt_type in _EXEC else evt_type
        out["evt.dir"] = "<" if "return" in body else ">"
    ret = body.get("return")
    if isinstance(ret, Mapping):
        value = ret.get("int_arg", ret.get("long_arg"))
        if isinstance(value, int) and not isinstance(value, bool):
            out["evt.rawres"] = value
            out["evt.res"] = "SUCCESS" if value >= 0 else str(value)
    args = body.get("args")
    if not isinstance(args, list):
        return
    for arg in args:
        if not isinstance(arg, Mapping):
            continue
        for key in ("file_arg", "path_arg", "linux_binprm_arg"):
            f = arg.get(key)
            if isinstance(f, Mapping) and _str(f.get("path")) and "fd.name" not in out:
                _file(f["path"], out)
        sock = arg.get("sock_arg")
        if isinstance(sock, Mapping) and "fd.name" not in out:
            _sock(sock, out, connect=out.get("evt.type") == "connect")
        addr = arg.get("sockaddr_arg")
        if isinstance(addr, Mapping) and "fd.rip" not in out and _str(addr.get("addr")):
            out["fd.rip"] = out["fd.rnet"] = addr["addr"]
            _int(addr, "port", out, "fd.rport")
            if out.get("evt.type") == "connect":
                out["fd.sip"] = out["fd.snet"] = addr["addr"]
                _int(addr, "port", out, "fd.sport")


def syscall_of(function: str) -> str:
    """The Falco ``evt.type`` of a hooked function: ``__x64_sys_openat`` → ``openat``,
    ``tcp_connect`` → ``connect``; another kernel function keeps its own name (no Falco event
    type has it, so rules that name event types do not match it)."""
    for prefix in _SYSCALL_PREFIXES:
        if function.startswith(prefix) and len(function) > len(prefix):
            return function[len(prefix) :]
    return _FUNCTION_SYSCALL.get(function, function)


def _file(path: str, out: dict[str, Any]) -> None:
    out["fd.name"] = path
    directory, filename = posixpath.split(path)
    out["fd.directory"] = directory
    out["fd.filename"] = filename


_FAMILIES = {"AF_INET": ("ipv4", "4"), "AF_INET6": ("ipv6", "6")}
_PROTOS = {"IPPROTO_TCP": "tcp", "IPPROTO_UDP": "udp", "IPPROTO_ICMP": "icmp"}


def _sock(sock: Mapping[str, Any], out: dict[str, Any], *, connect: bool) -> None:
    family = _FAMILIES.get(_str(sock.get("family")))
    if family is not None:
        out["fd.type"], out["fd.typechar"] = family
        out["fd.sockfamily"] = "ip"
    proto = _PROTOS.get(_str(sock.get("protocol")))
    if proto is not None:
        out["fd.l4proto"] = proto
    saddr, daddr = _str(sock.get("saddr")), _str(sock.get("daddr"))
    # the local and remote ends; on connect the local end is the client, the remote the server
    for local, remote in (("l", "r"), ("c", "s")) if connect else (("l", "r"),):
        if saddr:
            out[f"fd.{local}ip"] = out[f"fd.{local}net"] = saddr
        if daddr:
            out[f"fd.{remote}ip"] = out[f"fd.{remote}net"] = daddr
        _int(sock, "sport", out, f"fd.{local}port")
        _int(sock, "dport", out, f"fd.{remote}port")
    if connect:
        out["fd.is_server"] = False
    sport, dport = sock.get("sport"), sock.get("dport")
    if saddr and daddr and isinstance(sport, int) and isinstance(dport, int):
        out["fd.name"] = f"{saddr}:{sport}->{daddr}:{dport}"


# ---------------------------------------------------------------------------------------
# helpers


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _int(src: Mapping[str, Any], key: str, out: dict[str, Any], name: str) -> None:
    v = src.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        out[name] = v


def _comm(binary: str) -> str:
    return posixpath.basename(binary.rstrip("/"))[:_COMM_LEN]


def _parse_time(text: str) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 time with up to 9 fraction digits."""
    head, dot, rest = text.partition(".")
    frac = ""
    tail = ""
    if dot:
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, tail = rest[:i], rest[i:]
    else:
        for sep in ("Z", "+", "-"):
            idx = head.rfind(sep) if sep != "-" else head.rfind("-", 10)
            if idx > 10:
                head, tail = head[:idx], head[idx:]
                break
    if tail in ("", "Z", "z"):
        tail = "+00:00"
    try:
        t = datetime.fromisoformat(head + tail)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    ns = int((frac + "000000000")[:9]) if frac else 0
    return int(t.timestamp()) * 1_000_000_000 + ns


def _times(ns: int) -> dict[str, Any]:
    t = datetime.fromtimestamp(ns // 1_000_000_000, UTC)
    frac = f"{ns % 1_000_000_000:09d}"
    return {
        "evt.rawtime": ns,
        "evt.time": t.strftime("%H:%M:%S.") + frac,
        "evt.time.iso8601": t.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z",
    }


def time_ns(fields: Mapping[str, Any]) -> int:
    """The event's time in nanoseconds (0 when unknown)."""
    v = fields.get("evt.rawtime")
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def extractor(
    fields: Mapping[str, Any], *, num: int = 0, hostname: str = ""
) -> Callable[[str, str | None], Any]:
    """The ``extract(field, arg)`` of one event: its mapped fields, ``evt.num`` (its number
    in the stream) and ``evt.hostname`` (the event's host, else the one that read it)."""

    def get(field: str, arg: str | None = None) -> Any:
        if arg is None:
            if field == "evt.num":
                return num
            value = fields.get(field)
            if value is None and field == "evt.hostname":
                return hostname or None
            return value
        return fields.get(f"{field}[{arg}]")

    return get


__all__ = [
    "SYSCALL",
    "TETRAGON_FIELDS",
    "NotAnEvent",
    "detect_source",
    "extractor",
    "falco_args",
    "falco_fields",
    "kind_of",
    "syscall_of",
    "time_ns",
]
