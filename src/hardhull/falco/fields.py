"""The fields each event source knows, with their types (the ``FieldInfo`` table).

Public API: :class:`FieldInfo`; ``lookup(source, name) -> FieldInfo | None``;
``SOURCES`` (``syscall``, ``k8s_audit``); ``fields(source) -> list[FieldInfo]``.

Types: ``string``, ``number`` (integers; relative/absolute times and ports are numbers),
``bool``, ``ipaddr``, ``ipnet``, ``bytes``; ``is_list`` marks fields that extract several
values (``ka.user.groups``, ``ka.req.pod.containers.image``, ``proc.aname`` without an index).
``arg`` is ``none``, ``optional`` or ``required``. Names ending in ``.`` are prefixes:
``evt.arg.NAME`` and ``evt.rawarg.NAME`` take any argument name as their last component.
The tables follow the k8saudit plugin (``ka.*``: every one a string, as the plugin declares
them; lists where it says ``IsList``, with an optional index argument), the json plugin
(``jevt.*``/``json.*``) and libsinsp's filterchecks for the syscall fields Falco's published
rule files use. Extraction is the event source's job; these tables only tell what a condition
may name.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCES = ("syscall", "k8s_audit")


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str = "string"
    arg: str = "none"
    is_list: bool = False
    desc: str = ""


def _f(spec: str) -> FieldInfo:
    # "name type [arg=optional|required] [list]"
    parts = spec.split()
    arg = "none"
    for p in parts[2:]:
        if p.startswith("arg="):
            arg = p[4:]
    return FieldInfo(parts[0], parts[1], arg, "list" in parts[2:])


_K8S_AUDIT = """
ka.auditid string
ka.stage string
ka.auth.decision string
ka.auth.reason string
ka.user.name string
ka.user.groups string list
ka.impuser.name string
ka.verb string
ka.uri string
ka.uri.param string arg=required
ka.target.name string
ka.target.namespace string
ka.target.resource string
ka.target.subresource string
ka.req.binding.subjects string list
ka.req.binding.role string
ka.req.binding.subject.has_name string arg=required
ka.req.configmap.name string
ka.req.configmap.obj string
ka.req.pod.containers.image string arg=optional list
ka.req.container.image string
ka.req.pod.containers.image.repository string arg=optional list
ka.req.container.image.repository string
ka.req.pod.host_ipc string
ka.req.pod.host_network string
ka.req.container.host_network string
ka.req.pod.host_pid string
ka.req.pod.containers.host_port string arg=optional list
ka.req.pod.containers.privileged string arg=optional list
ka.req.container.privileged string
ka.req.pod.containers.allow_privilege_escalation string arg=optional list
ka.req.pod.containers.read_only_fs string arg=optional list
ka.req.pod.run_as_user string
ka.req.pod.containers.run_as_user string arg=optional list
ka.req.pod.containers.eff_run_as_user string arg=optional list
ka.req.pod.run_as_group string
ka.req.pod.containers.run_as_group string arg=optional list
ka.req.pod.containers.eff_run_as_group string arg=optional list
ka.req.pod.containers.proc_mount string arg=optional list
ka.req.pod.containers.add_capabilities string arg=optional list
ka.req.pod.initContainers.image string arg=optional list
ka.req.pod.initContainers.image.repository string arg=optional list
ka.req.pod.initContainers.privileged string arg=optional list
ka.req.pod.ephemeralContainers.image string arg=optional list
ka.req.pod.ephemeralContainers.image.repository string arg=optional list
ka.req.pod.ephemeralContainers.privileged string arg=optional list
ka.req.role.rules string list
ka.req.role.rules.apiGroups string arg=optional list
ka.req.role.rules.nonResourceURLs string arg=optional list
ka.req.role.rules.verbs string arg=optional list
ka.req.role.rules.resources string arg=optional list
ka.req.pod.fs_group string
ka.req.pod.supplemental_groups string list
ka.req.service.type string
ka.req.service.ports string list
ka.req.pod.volumes.hostpath string arg=optional list
ka.req.volume.hostpath string arg=required
ka.req.pod.volumes.flexvolume_driver string arg=optional list
ka.req.pod.volumes.volume_type string arg=optional list
ka.resp.name string
ka.response.code string
ka.response.reason string
ka.useragent string
ka.sourceips string arg=optional list
jevt.time string
jevt.time.iso8601 string
jevt.rawtime number
jevt.value string arg=required
jevt.obj string
json.value string arg=required
json.obj string
json.rawtime number
evt.time string
evt.time.iso8601 string
evt.rawtime number
evt.num number
evt.source string
evt.pluginname string
evt.plugininfo string
evt.hostname string
"""

_SYSCALL = """
evt.num number
evt.time string
evt.time.s string
evt.time.iso8601 string
evt.datetime string
evt.datetime.s string
evt.rawtime number
evt.rawtime.s number
evt.rawtime.ns number
evt.reltime number
evt.deltatime number
evt.dir string
evt.type string
evt.type.is string arg=required
syscall.type string
evt.category string
evt.cpu number
evt.args string
evt.arg string arg=required
evt.arg. string
evt.rawarg string arg=required
evt.rawarg. string
evt.info string
evt.buffer bytes
evt.buflen number
evt.res string
evt.rawres number
evt.failed bool
evt.is_io bool
evt.is_io_read bool
evt.is_io_write bool
evt.io_dir string
evt.is_wait bool
evt.wait_latency number
evt.is_syslog bool
evt.count number
evt.count.error number
evt.count.error.file number
evt.count.error.net number
evt.count.error.memory number
evt.count.error.other number
evt.count.exit number
evt.around bool arg=required
evt.abspath string
evt.abspath.src string
evt.abspath.dst string
evt.is_open_read bool
evt.is_open_write bool
evt.is_open_exec bool
evt.is_open_create bool
evt.hostname string
evt.source string
evt.plugininfo string
evt.pluginname string
evt.latency number
proc.exe string
proc.pexe string
proc.aexe string arg=optional
proc.exepath string
proc.pexepath string
proc.aexepath string arg=optional
proc.name string
proc.pname string
proc.aname string arg=optional
proc.args string
proc.cmdline string
proc.pcmdline string
proc.acmdline string arg=optional
proc.cmdnargs number
proc.cmdlenargs number
proc.exeline string
proc.env string arg=optional
proc.aenv string arg=optional
proc.cwd string
proc.loginshellid number
proc.tty number
proc.pid number
proc.ppid number
proc.apid number arg=optional
proc.vpid number
proc.pvpid number
proc.sid number
proc.sname string
proc.sid.exe string
proc.sid.exepath string
proc.vpgid number
proc.vpgid.name string
proc.vpgid.exe string
proc.vpgid.exepath string
proc.pgid number
proc.pgid.name string
proc.pgid.exe string
proc.pgid.exepath string
proc.duration number
proc.ppid.duration number
proc.pid.ts number
proc.ppid.ts number
proc.is_exe_writable bool
proc.is_exe_upper_layer bool
proc.is_exe_lower_layer bool
proc.is_exe_from_memfd bool
proc.is_sid_leader bool
proc.is_vpgid_leader bool
proc.is_pgid_leader bool
proc.exe_ino number
proc.exe_ino.ctime number
proc.exe_ino.mtime number
proc.exe_ino.ctime_duration_proc_start number
proc.exe_ino.ctime_duration_pidns_start number
proc.pidns_init_start_ts number
proc.is_container_healthcheck bool
proc.is_container_liveness_probe bool
proc.is_container_readiness_probe bool
proc.fdopencount number
proc.fdlimit number
proc.fdusage number
proc.vmsize number
proc.vmrss number
proc.vmswap number
proc.stdin.type string
proc.stdout.type string
proc.stderr.type string
proc.stdin.name string
proc.stdout.name string
proc.stderr.name string
thread.tid number
thread.ptid number
thread.vtid number
thread.exectime number
thread.totexectime number
thread.cgroups string
thread.cgroup string arg=required
thread.ismain bool
thread.cap_permitted string
thread.cap_inheritable string
thread.cap_effective string
fd.num number
fd.type string
fd.typechar string
fd.name string
fd.directory string
fd.filename string
fd.ip ipaddr
fd.cip ipaddr
fd.sip ipaddr
fd.lip ipaddr
fd.rip ipaddr
fd.port number
fd.cport number
fd.sport number
fd.lport number
fd.rport number
fd.l4proto string
fd.sockfamily string
fd.is_server bool
fd.uid string
fd.containername string
fd.containerdirectory string
fd.proto string
fd.cproto string
fd.sproto string
fd.lproto string
fd.rproto string
fd.net ipnet
fd.cnet ipnet
fd.snet ipnet
fd.lnet ipnet
fd.rnet ipnet
fd.connected bool
fd.name_changed bool
fd.cip.name string
fd.sip.name string
fd.lip.name string
fd.rip.name string
fd.dev number
fd.dev.major number
fd.dev.minor number
fd.ino number
fd.nameraw string
fd.types string arg=optional list
fs.path.name string
fs.path.nameraw string
fs.path.source string
fs.path.sourceraw string
fs.path.target string
fs.path.targetraw string
user.uid number
user.name string
user.homedir string
user.shell string
user.loginuid number
user.loginname string
group.gid number
group.name string
container.id string
container.full_id string
container.name string
container.image string
container.image.id string
container.type string
container.privileged bool
container.mounts string
container.mount string arg=required
container.mount.source string arg=required
container.mount.dest string arg=required
container.mount.mode string arg=required
container.mount.rdwr string arg=required
container.mount.propagation string arg=required
container.image.repository string
container.image.tag string
container.image.digest string
container.healthcheck string
container.liveness_probe string
container.readiness_probe string
container.start_ts number
container.duration number
container.ip ipaddr
container.cni.json string
container.host_pid bool
container.host_network bool
container.host_ipc bool
k8s.pod.name string
k8s.pod.id string
k8s.pod.uid string
k8s.pod.sandbox_id string
k8s.pod.full_sandbox_id string
k8s.pod.label string arg=required
k8s.pod.labels string
k8s.pod.ip ipaddr
k8s.pod.cni.json string
k8s.ns.name string
k8s.rc.name string
k8s.rs.name string
k8s.svc.name string
k8s.deployment.name string
k8smeta.pod.name string
k8smeta.pod.uid string
k8smeta.ns.name string
span.id number
syslog.facility string
syslog.severity string
syslog.message string
"""


def _table(spec: str) -> dict[str, FieldInfo]:
    out: dict[str, FieldInfo] = {}
    for line in spec.strip().splitlines():
        info = _f(line)
        out[info.name] = info
    return out


_TABLES: dict[str, dict[str, FieldInfo]] = {
    "syscall": _table(_SYSCALL),
    "k8s_audit": _table(_K8S_AUDIT),
}


def fields(source: str) -> list[FieldInfo]:
    """Every field ``source`` knows (empty for a source hardhull does not know)."""
    return list(_TABLES.get(source, {}).values())


def lookup(source: str, name: str) -> FieldInfo | None:
    """The field ``name`` of ``source``; ``evt.arg.NAME``-style names resolve to their prefix."""
    table = _TABLES.get(source)
    if table is None:
        return None
    info = table.get(name)
    if info is not None and not info.name.endswith("."):
        return info
    head, dot, _tail = name.rpartition(".")
    if dot:
        prefix = table.get(head + ".")
        if prefix is not None:
            return FieldInfo(name, prefix.type, "none", prefix.is_list, prefix.desc)
    return None
