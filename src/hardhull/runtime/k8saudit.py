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
from datetime import datetime
from typing import Any

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
        v = _get(ev, *keys)
        return None if v is _MISSING or v is None else _text(v)

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


def _per_container(*keys: str, skip_missing: bool = False) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        arr = _containers(ev, arg)
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


def _images(ev: Mapping[str, Any], arg: str | None) -> list[str] | None:
    arr = _containers(ev, arg)
    if arr is None:
        return None
    out = []
    for c in arr:
        v = _get(c, "image")
        if v is _MISSING or v is None:
            return None
        out.append(_text(v))
    return out


def _repository(image: str) -> str:
    return image.split(":")[0].split("@")[0]


def _other_images(kind: str, repository: bool) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        arr = _array(ev, arg, "requestObject", "spec", kind)
        if arr is None:
            return None
        out = []
        for c in arr:
            v = _get(c, "image")
            if v is _MISSING or v is None:
                return None
            out.append(_repository(_text(v)) if repository else _text(v))
        return out

    return field


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
    for key in ("stageTimestamp", "requestReceivedTimestamp"):
        v = ev.get(key)
        if isinstance(v, str):
            try:
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                continue
    return None


def _rawtime(ev: Mapping[str, Any], arg: str | None) -> Value:
    t = _timestamp(ev)
    if t is None:
        return None
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000


def _time(iso: bool) -> Any:
    def field(ev: Mapping[str, Any], arg: str | None) -> Value:
        t = _timestamp(ev)
        if t is None:
            return None
        if iso:
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond * 1000:09d}Z"
        return t.strftime("%H:%M:%S.") + f"{t.microsecond * 1000:09d}"

    return field


def _pointer(ev: Mapping[str, Any], arg: str | None) -> Value:
    if arg is None or (arg and not arg.startswith("/")):
        return None
    obj: Any = ev
    for raw in arg.split("/")[1:] if arg else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(obj, Mapping) and token in obj:
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
    "ka.req.pod.containers.image": lambda ev, arg: _images(ev, arg),
    "ka.req.pod.containers.image.repository": lambda ev, arg: (
        None if (i := _images(ev, arg)) is None else [_repository(x) for x in i]
    ),
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
    "ka.req.pod.initContainers.image": _other_images("initContainers", False),
    "ka.req.pod.initContainers.image.repository": _other_images("initContainers", True),
    "ka.req.pod.initContainers.privileged": _collect(
        ("requestObject", "spec", "initContainers"), ("securityContext", "privileged")
    ),
    "ka.req.pod.ephemeralContainers.image": _other_images("ephemeralContainers", False),
    "ka.req.pod.ephemeralContainers.image.repository": _other_images("ephemeralContainers", True),
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


def extractor(
    event: Mapping[str, Any], *, num: int = 0, hostname: str = ""
) -> Callable[[str, str | None], Value]:
    """The ``extract(field, arg)`` of one event, as :mod:`hardhull.falco` evaluates rules
    with it: the event's fields, plus its number in the stream (``evt.num``), the host that
    read it (``evt.hostname``), ``evt.source`` ``k8s_audit`` and ``evt.pluginname``
    ``k8saudit`` (``evt.plugininfo`` is not available, as for a plugin without one)."""
    fixed: dict[str, Value] = {
        "evt.num": num,
        "evt.hostname": hostname,
        "evt.source": "k8s_audit",
        "evt.pluginname": "k8saudit",
    }

    # each field once per event: the rules of a file share their macros (`kevt` names
    # jevt.value[/stage] in every rule)
    cache: dict[tuple[str, str | None], Value] = {}

    def get(field: str, arg: str | None = None) -> Value:
        key = (field, arg)
        if key in cache:
            return cache[key]
        if field in fixed:
            value = fixed[field]
        else:
            fn = FIELDS.get(field)
            value = None if fn is None else fn(event, arg)
        cache[key] = value
        return value

    return get


__all__ = ["EVENT_FIELDS", "FIELDS", "Value", "extract", "extractor"]
