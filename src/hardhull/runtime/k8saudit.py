"""The ``k8s_audit`` source's fields over one Kubernetes audit event, with the semantics of
Falco's k8saudit plugin (falcosecurity/plugins ``plugins/k8saudit/pkg/k8saudit/extract.go``),
so that upstream rules decide here as they decide in Falco.

:func:`extract` ``(event, field, arg) -> value | None``: ``event`` is the decoded audit
``Event`` object; the value is a ``str`` (every ``ka.*`` field is a string in the plugin: a
JSON boolean is ``"true"``, a number its text, an object or array its compact JSON), a
``list[str]`` for list fields, an ``int`` for the ``*.rawtime`` fields, or None when the event
does not have it (Falco's "field not available": a comparison with it is false).

The plugin's particular behaviours are kept, since rules are written against them:

- a list field over the containers (``ka.req.pod.containers.run_as_user``, ``.read_only_fs``,
  ``.allow_privilege_escalation``, ``.proc_mount``, ``.add_capabilities``) is not available
  when one container lacks the setting, except ``.privileged``, which skips them;
- ``eff_run_as_user``/``eff_run_as_group`` read ``runAsUser``/``runAsGroup`` beside each
  container and in the pod spec (not in their ``securityContext``), falling back to the pod's,
  else ``"0"``: for real pods they are ``"0"``, in Falco as here;
- an index argument (``ka.req.pod.containers.image[1]``) selects one container; an index out
  of range makes the field not available; a non-numeric argument is ignored;
- ``ka.req.volume.hostpath[/etc*]``: ``"true"`` when a hostPath volume's path equals the
  argument, or starts with it when it ends in ``*``; ``"false"`` otherwise;
- ``ka.req.pod.containers.host_port`` lists each port's ``hostPort``, else its
  ``containerPort``;
- ``ka.req.binding.subject.has_name`` is ``"true"`` whatever the name (as the plugin, which
  documents otherwise);
- ``ka.req.pod.volumes.volume_type`` lists every key of each volume but ``name``.

``jevt.*``/``json.*``: ``jevt.value[/json/pointer]`` (RFC 6901), ``jevt.obj`` (the event as
JSON), ``jevt.time``/``.iso8601`` and ``jevt.rawtime`` (nanoseconds) from
``stageTimestamp``, else ``requestReceivedTimestamp``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from hardhull.falco.compile import Fields

Value = str | list[str] | int | None
_MISSING = object()


def _get(obj: Any, *keys: str) -> Any:
    for k in keys:
        # decoded JSON: dicts (a dict check is several times cheaper than Mapping's)
        if (type(obj) is not dict and not isinstance(obj, Mapping)) or k not in obj:
            return _MISSING
        obj = obj[k]
    return obj


def _text(v: Any) -> str:
    """The plugin's jsonValueAsString: a string as is, anything else as compact JSON."""
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _keys(*keys: str) -> Callable[[Mapping[str, Any], str | None], Value]:
    def one(ev: Mapping[str, Any], arg: str | None) -> Value:
        # _get's walk by subscripts: a list, string, number or null on the way raises
        # TypeError, a missing key KeyError, both "not available"
        v: Any = ev
        try:
            for k in keys:
                v = v[k]
        except (KeyError, TypeError):
            return None
        if type(v) is str:
            return v
        return None if v is None else _text(v)

    return one


def _list_keys(*keys: str) -> Callable[[Mapping[str, Any], str | None], Value]:
    def many(ev: Mapping[str, Any], arg: str | None) -> Value:
        v = _get(ev, *keys)
        if not isinstance(v, list):
            return None
        return [_text(x) for x in v]

    return many


def _index(arg: str | None) -> int | None:
    try:
        return int(arg) if arg is not None else None
    except ValueError:
        return None  # not a number: no index filter, as the plugin does


def _array(ev: Mapping[str, Any], arg: str | None, *keys: str) -> list[Any] | None:
    arr = _get(ev, *keys)
    if not isinstance(arr, list):
        return None
    i = _index(arg)
    if i is None:
        return arr
    if not 0 <= i < len(arr):
        return None
    return [arr[i]]


def _containers(ev: Mapping[str, Any], arg: str | None) -> list[Any] | None:
    return _array(ev, arg, "requestObject", "spec", "containers")


def _per_item(kind: str, *keys: str, skip_missing: bool = False) -> Any:
    """A list field: ``keys`` of each entry of the pod spec's ``kind`` list (``containers``,
    ``initContainers``, ``ephemeralContainers``), an index argument selecting one entry."""

    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        arr = _array(ev, arg, "requestObject", "spec", kind)
        if arr is None:
            return None
        out = []
        for c in arr:
            v = _get(c, *keys)
            if v is _MISSING or v is None:
                if skip_missing:
                    continue
                return None  # the plugin's arrayAsStrings fails on a missing value
            out.append(_text(v))
        return out

    return field


def _per_container(*keys: str, skip_missing: bool = False) -> Any:
    return _per_item("containers", *keys, skip_missing=skip_missing)


def _repository(image: str) -> str:
    return image.split(":")[0].split("@")[0]


def _images_of(kind: str, repository: bool) -> Any:
    images = _per_item(kind, "image")
    if not repository:
        return images

    def repositories(ev: Mapping[str, Any], arg: str | None) -> Value:
        found = images(ev, arg)
        return None if found is None else [_repository(x) for x in found]

    return repositories


_images = _images_of("containers", False)


def _uri_param(ev: Mapping[str, Any], arg: str | None) -> Value:
    if not arg:
        return None
    uri = _get(ev, "requestURI")
    if not isinstance(uri, str):
        return None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query, keep_blank_values=True)
    values = query.get(arg)
    return values[0] if values else None


def _first_image(repository: bool) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        images = _images(ev, "0")
        if not images:
            return None
        return _repository(images[0]) if repository else images[0]

    return field


def _any_privileged(ev: Mapping[str, Any], arg: str | None) -> Value:
    arr = _containers(ev, None)
    if arr is None:
        return None
    return "true" if any(_get(c, "securityContext", "privileged") is True for c in arr) else "false"


def _host_ports(ev: Mapping[str, Any], arg: str | None) -> Value:
    arr = _containers(ev, arg)
    if arr is None:
        return None
    out = []
    for c in arr:
        ports = _get(c, "ports")
        if ports is _MISSING:
            return None
        if not isinstance(ports, list):
            return None
        for p in ports:
            if not isinstance(p, Mapping):
                continue
            if "hostPort" in p:
                out.append(_text(p["hostPort"]))
            elif "containerPort" in p:
                out.append(_text(p["containerPort"]))
    return out


def _effective(key: str) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        pod = _get(ev, "requestObject", "spec", key)
        default = "0" if pod is _MISSING or pod is None else _text(pod)
        arr = _containers(ev, arg)
        if arr is None:
            return None
        out = []
        for c in arr:
            v = _get(c, key)
            out.append(default if v is _MISSING or v is None else _text(v))
        return out

    return field


def _rules_field(key: str) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        arr = _array(ev, arg, "requestObject", "rules")
        if arr is None:
            return None
        out: list[str] = []
        for rule in arr:
            v = _get(rule, key)
            if isinstance(v, list):
                out += [_text(x) for x in v if x is not None]
        return out

    return field


def _volume_hostpath(ev: Mapping[str, Any], arg: str | None) -> Value:
    if not arg:
        return None
    paths = _collect(_VOLUMES, ("hostPath", "path"))(ev, None)
    if paths is None:
        return None
    prefix = arg[:-1] if arg.endswith("*") else None
    hit = any((prefix is not None and p.startswith(prefix)) or p == arg for p in paths)
    return "true" if hit else "false"


def _collect(array: tuple[str, ...], value: tuple[str, ...]) -> Any:
    """Each element's ``value`` keys under the ``array`` keys, the missing ones skipped."""

    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        arr = _array(ev, arg, *array)
        if arr is None:
            return None
        out = []
        for item in arr:
            v = _get(item, *value)
            if v is not _MISSING and v is not None:
                out.append(_text(v))
        return out

    return field


_VOLUMES = ("requestObject", "spec", "volumes")


def _volume_types(ev: Mapping[str, Any], arg: str | None) -> Value:
    arr = _array(ev, arg, "requestObject", "spec", "volumes")
    if arr is None:
        return None
    return [k for v in arr if isinstance(v, Mapping) for k in v if k != "name"]


def _timestamp(ev: Mapping[str, Any]) -> datetime | None:
    """``stageTimestamp``, else ``requestReceivedTimestamp``, as an aware datetime (one
    without an offset is read as UTC, so that no answer depends on this machine's zone)."""
    for key in ("stageTimestamp", "requestReceivedTimestamp"):
        v = ev.get(key)
        if isinstance(v, str):
            try:
                t = datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                continue
            return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def nanoseconds(t: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime, exactly (Go's ``UnixNano``: integer
    arithmetic, negative before 1970), where ``timestamp()`` would round through a float."""
    d = t - _EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000


def event_time_ns(ev: Mapping[str, Any]) -> int | None:
    """The event's time (:func:`_timestamp`) in nanoseconds since the epoch, or None."""
    v = ev.get("stageTimestamp")
    # The API server writes RFC 3339 in UTC with microseconds ("…T12:34:56.123456Z"):
    # events of the same second share the parse of their first 19 characters; anything
    # else takes the general path
    if type(v) is str and len(v) == 27 and v[19] == "." and v[26] == "Z":
        micros = v[20:26]
        if micros.isdigit():
            head = v[:19]
            seconds = _SECONDS.get(head)
            if seconds is None:
                try:
                    seconds = nanoseconds(datetime.fromisoformat(head + "+00:00")) // 10**9
                except ValueError:
                    seconds = None
                if seconds is not None:
                    if len(_SECONDS) >= 4096:
                        _SECONDS.clear()
                    _SECONDS[head] = seconds
            if seconds is not None:
                return seconds * 1_000_000_000 + int(micros) * 1000
    t = _timestamp(ev)
    return None if t is None else nanoseconds(t)


#: whole seconds since the epoch of "YYYY-MM-DDTHH:MM:SS" (UTC), for the fast path above
_SECONDS: dict[str, int] = {}


def _rawtime(ev: Mapping[str, Any], arg: str | None) -> Value:
    return event_time_ns(ev)


def _time(iso: bool) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        t = _timestamp(ev)
        if t is None:
            return None
        if iso:
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond * 1000:09d}Z"
        return t.strftime("%H:%M:%S.") + f"{t.microsecond * 1000:09d}"

    return field


#: each pointer's tokens, split once (pointers come from rule files: a bounded set)
_TOKENS: dict[str, tuple[str, ...]] = {}


def _tokens(arg: str) -> tuple[str, ...]:
    tokens = _TOKENS.get(arg)
    if tokens is None:
        parts = arg.split("/")[1:] if arg else []
        tokens = tuple(p.replace("~1", "/").replace("~0", "~") for p in parts)
        if len(_TOKENS) < 4096:
            _TOKENS[arg] = tokens
    return tokens


def _pointer(ev: Mapping[str, Any], arg: str | None) -> Value:
    if arg is None or (arg and not arg.startswith("/")):
        return None
    obj: Any = ev
    for token in _tokens(arg):
        if (type(obj) is dict or isinstance(obj, Mapping)) and token in obj:
            obj = obj[token]
        elif isinstance(obj, list) and token.isdigit() and int(token) < len(obj):
            obj = obj[int(token)]
        else:
            return None
    return None if obj is None else _text(obj)


def _whole(ev: Mapping[str, Any], arg: str | None) -> Value:
    return _text(ev)


_ALWAYS_TRUE: Callable[[Mapping[str, Any], str | None], Value] = lambda ev, arg: "true"  # noqa: E731

FIELDS: dict[str, Callable[[Mapping[str, Any], str | None], Value]] = {
    "ka.auditid": _keys("auditID"),
    "ka.stage": _keys("stage"),
    "ka.auth.decision": _keys("annotations", "authorization.k8s.io/decision"),
    "ka.auth.reason": _keys("annotations", "authorization.k8s.io/reason"),
    "ka.user.name": _keys("user", "username"),
    "ka.user.groups": _list_keys("user", "groups"),
    "ka.impuser.name": _keys("impersonatedUser", "username"),
    "ka.verb": _keys("verb"),
    "ka.uri": _keys("requestURI"),
    "ka.uri.param": _uri_param,
    "ka.target.name": _keys("objectRef", "name"),
    "ka.target.namespace": _keys("objectRef", "namespace"),
    "ka.target.resource": _keys("objectRef", "resource"),
    "ka.target.subresource": _keys("objectRef", "subresource"),
    "ka.req.binding.subjects": _list_keys("requestObject", "subjects"),
    "ka.req.binding.role": _keys("requestObject", "roleRef", "name"),
    "ka.req.binding.subject.has_name": _ALWAYS_TRUE,
    "ka.req.configmap.name": _keys("objectRef", "name"),
    "ka.req.configmap.obj": _keys("requestObject", "data"),
    "ka.req.pod.containers.image": _images,
    "ka.req.pod.containers.image.repository": _images_of("containers", True),
    "ka.req.container.image": _first_image(False),
    "ka.req.container.image.repository": _first_image(True),
    "ka.req.pod.host_ipc": _keys("requestObject", "spec", "hostIPC"),
    "ka.req.pod.host_network": _keys("requestObject", "spec", "hostNetwork"),
    "ka.req.container.host_network": _keys("requestObject", "spec", "hostNetwork"),
    "ka.req.pod.host_pid": _keys("requestObject", "spec", "hostPID"),
    "ka.req.pod.containers.host_port": _host_ports,
    "ka.req.pod.containers.privileged": _per_container(
        "securityContext", "privileged", skip_missing=True
    ),
    "ka.req.container.privileged": _any_privileged,
    "ka.req.pod.containers.allow_privilege_escalation": _per_container(
        "securityContext", "allowPrivilegeEscalation"
    ),
    "ka.req.pod.containers.read_only_fs": _per_container(
        "securityContext", "readOnlyRootFilesystem"
    ),
    "ka.req.pod.run_as_user": _keys("requestObject", "spec", "securityContext", "runAsUser"),
    "ka.req.pod.containers.run_as_user": _per_container("securityContext", "runAsUser"),
    "ka.req.pod.containers.eff_run_as_user": _effective("runAsUser"),
    "ka.req.pod.run_as_group": _keys("requestObject", "spec", "securityContext", "runAsGroup"),
    "ka.req.pod.containers.run_as_group": _per_container("securityContext", "runAsGroup"),
    "ka.req.pod.containers.eff_run_as_group": _effective("runAsGroup"),
    "ka.req.pod.containers.proc_mount": _per_container("securityContext", "procMount"),
    "ka.req.pod.containers.add_capabilities": _per_container(
        "securityContext", "capabilities", "add"
    ),
    "ka.req.pod.initContainers.image": _images_of("initContainers", False),
    "ka.req.pod.initContainers.image.repository": _images_of("initContainers", True),
    "ka.req.pod.initContainers.privileged": _collect(
        ("requestObject", "spec", "initContainers"), ("securityContext", "privileged")
    ),
    "ka.req.pod.ephemeralContainers.image": _images_of("ephemeralContainers", False),
    "ka.req.pod.ephemeralContainers.image.repository": _images_of("ephemeralContainers", True),
    "ka.req.pod.ephemeralContainers.privileged": _collect(
        ("requestObject", "spec", "ephemeralContainers"), ("securityContext", "privileged")
    ),
    "ka.req.role.rules": _list_keys("requestObject", "rules"),
    "ka.req.role.rules.apiGroups": _rules_field("apiGroups"),
    "ka.req.role.rules.nonResourceURLs": _rules_field("nonResourceURLs"),
    "ka.req.role.rules.verbs": _rules_field("verbs"),
    "ka.req.role.rules.resources": _rules_field("resources"),
    "ka.req.pod.fs_group": _keys("requestObject", "spec", "securityContext", "fsGroup"),
    "ka.req.pod.supplemental_groups": _list_keys(
        "requestObject", "spec", "securityContext", "supplementalGroups"
    ),
    "ka.req.service.type": _keys("requestObject", "spec", "type"),
    "ka.req.service.ports": lambda ev, arg: (
        None
        if (a := _array(ev, arg, "requestObject", "spec", "ports")) is None
        else [_text(x) for x in a]
    ),
    "ka.req.volume.hostpath": _volume_hostpath,
    "ka.req.pod.volumes.hostpath": _collect(_VOLUMES, ("hostPath", "path")),
    "ka.req.pod.volumes.flexvolume_driver": _collect(_VOLUMES, ("flexVolume", "driver")),
    "ka.req.pod.volumes.volume_type": _volume_types,
    "ka.resp.name": _keys("responseObject", "metadata", "name"),
    "ka.response.code": _keys("responseStatus", "code"),
    "ka.response.reason": _keys("responseStatus", "reason"),
    "ka.useragent": _keys("userAgent"),
    "ka.sourceips": lambda ev, arg: (
        None if (a := _array(ev, arg, "sourceIPs")) is None else [_text(x) for x in a]
    ),
    "jevt.time": _time(False),
    "jevt.time.iso8601": _time(True),
    "jevt.rawtime": _rawtime,
    "jevt.value": _pointer,
    "jevt.obj": _whole,
    "json.value": _pointer,
    "json.obj": _whole,
    "json.rawtime": _rawtime,
    "evt.time": _time(False),
    "evt.time.iso8601": _time(True),
    "evt.rawtime": _rawtime,
}


def extract(event: Mapping[str, Any], field: str, arg: str | None = None) -> Value:
    """``field`` (with its argument) of the audit ``event``; None when not available."""
    fn = FIELDS.get(field)
    return None if fn is None else fn(event, arg)


#: the fields every plugin event has, filled by the runtime rather than read from the event
EVENT_FIELDS = ("evt.num", "evt.hostname", "evt.source", "evt.pluginname", "evt.plugininfo")


#: the fields nearly every k8s_audit rule reads (the index's resource and verb, the stage, the
#: user, the subresource, the response code), filled when an event's fields are made: one
#: dictionary read each instead of a call per field. Only a string, an integer (its text, as
#: _text gives it) or an absent value is filled; anything else is left to FIELDS, so that the
#: values are FIELDS' own (a test compares them on generated events).
_PREFILL_TOP = (
    (("ka.verb", None), "verb"),
    (("jevt.value", "/stage"), "stage"),
)
_PREFILL_NESTED = (
    (("ka.user.name", None), "user", "username"),
    (("ka.target.resource", None), "objectRef", "resource"),
    (("ka.target.subresource", None), "objectRef", "subresource"),
    (("ka.response.code", None), "responseStatus", "code"),
)
PREFILLED = tuple(k for k, *_ in _PREFILL_TOP + _PREFILL_NESTED)


def _prefill_code() -> str:
    """The body of :func:`_prefill`, unrolled from the two tables (a loop over them costs as
    much again). Names only: keys and paths are bound as constants, never written in."""
    lines = ["def _prefill(f, ev):"]
    for i, _ in enumerate(_PREFILL_TOP):
        lines.append(f"    v = ev.get(_P{i})")
        lines.extend("    " + line for line in _store_lines(i))
    parents: dict[str, int] = {}
    for j, (_key, parent, _child) in enumerate(_PREFILL_NESTED, len(_PREFILL_TOP)):
        if parent not in parents:
            parents[parent] = j
            lines.append(f"    o{j} = ev.get(_P{j})")
            lines.append(f"    d{j} = type(o{j}) is dict")
            lines.append(f"    n{j} = not d{j} and not isinstance(o{j}, Mapping)")
        p = parents[parent]
        lines.append(f"    if d{p}:")
        lines.append(f"        v = o{p}.get(_C{j})")
        lines.extend("        " + line for line in _store_lines(j))
        lines.append(f"    elif n{p}:")
        lines.append(f"        f[_K{j}] = None")
    return "\n".join(lines) + "\n"


def _store_lines(j: int) -> list[str]:
    return [
        "if v is None or type(v) is str:",
        f"    f[_K{j}] = v",
        "elif type(v) is int:",
        f"    f[_K{j}] = str(v)",
    ]


def _build_prefill() -> Callable[[Fields, Mapping[str, Any]], None]:
    names: dict[str, Any] = {"Mapping": Mapping}
    for i, (key, k) in enumerate(_PREFILL_TOP):
        names[f"_K{i}"], names[f"_P{i}"] = key, k
    for j, (key, parent, child) in enumerate(_PREFILL_NESTED, len(_PREFILL_TOP)):
        names[f"_K{j}"], names[f"_P{j}"], names[f"_C{j}"] = key, parent, child
    exec(compile(_prefill_code(), "<k8saudit prefill>", "exec"), names)  # names only
    fn: Callable[[Fields, Mapping[str, Any]], None] = names["_prefill"]
    return fn


_prefill = _build_prefill()


class _AuditFields(Fields):
    """:class:`~hardhull.falco.compile.Fields` reading :data:`FIELDS` of one event directly,
    the common ones filled up front, the event's stream fields (``evt.num``…) on demand."""

    __slots__ = ("_event", "_hostname", "_num")

    def __init__(self, event: Mapping[str, Any], num: int, hostname: str) -> None:
        super().__init__()
        self._event = event
        self._num = num
        self._hostname = hostname
        if type(event) is dict:
            _prefill(self, event)

    def __missing__(self, key: tuple[str, str | None]) -> Any:
        fn = FIELDS.get(key[0])
        if fn is not None:
            value = fn(self._event, key[1])
        else:
            value = _stream_field(key[0], self._num, self._hostname)
        self[key] = value
        return value


def _stream_field(name: str, num: int, hostname: str) -> Value:
    if name == "evt.num":
        return num
    if name == "evt.hostname":
        return hostname
    if name == "evt.source":
        return "k8s_audit"
    if name == "evt.pluginname":
        return "k8saudit"
    return None


def extractor(event: Mapping[str, Any], *, num: int = 0, hostname: str = "") -> Fields:
    """The fields of one event as :mod:`hardhull.falco` evaluates rules over them (a
    :class:`~hardhull.falco.compile.Fields`: each field read once, then shared by every rule
    and output; callable as ``extract(field, arg)``): the event's fields, plus its number in
    the stream (``evt.num``), the host that read it (``evt.hostname``), ``evt.source``
    ``k8s_audit`` and ``evt.pluginname`` ``k8saudit`` (``evt.plugininfo`` is not available,
    as for a plugin without one)."""
    return _AuditFields(event, num, hostname)


__all__ = [
    "EVENT_FIELDS",
    "FIELDS",
    "PREFILLED",
    "Value",
    "event_time_ns",
    "extract",
    "extractor",
    "nanoseconds",
]
