"""Kubernetes manifests from text: YAML or JSON documents, ``List`` kinds, Helm detection."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hardhull import suppress
from hardhull.context import ObjectContext, ScanFacts
from hardhull.formats.jsonpos import json_layout
from hardhull.formats.yamlpos import (
    Position,
    YamlError,
    YamlLimitError,
    iter_stream,
    load_all,
    load_stream,
    locate,
)
from hardhull.frontends import kinds
from hardhull.frontends.interface import Document, FrontEndOutput, ReadOptions, Subject
from hardhull.model import InputError, Resource, Skipped
from hardhull.models.workload import (
    Workload,
    api_group,
    object_name,
    object_namespace,
    pod_spec_problem,
)
from hardhull.registry import Target

if TYPE_CHECKING:
    from hardhull.frontends.files import TextInput

#: Go-template actions only a Helm chart has: built-in objects and chart functions. Generic
#: actions (``{{ if }}``, ``{{ range }}``, ``{{ template }}``, ``{{ $labels.x }}``) also fill
#: the strings of Prometheus rules, Alertmanager and Argo objects, which are scanned normally.
_HELM = re.compile(
    r"\{\{-?[^}\n]{0,200}?\.(?:Values|Release|Chart|Capabilities|Files|Template)\b"
    r"|\{\{-?\s*(?:include|define|toYaml|tpl|required|lookup)\b"
)
_HELM_REASON = "Helm template (render it first: helm template … | hardhull scan -)"
_TEMPLATE_REASON = "template syntax ({{ }}) that is not YAML yet: render it first"
#: one Go-template action, Jinja statement or Jinja comment on one line
_ACTION = re.compile(r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}")
#: a Helm chart's templates directory (files there with Helm actions are chart templates)
_TEMPLATES_DIR = re.compile(r"(?:^|[/\\])templates[/\\]")
_JSON = json.JSONDecoder()
_JSON_WS = re.compile(r"[ \t\r\n]*")
_JSON_START = re.compile(r"[ \t\r\n\ufeff]*[\[{]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class K8sObject:
    data: dict[str, Any]
    path: str
    positions: dict[str, Position] = field(default_factory=dict)
    prefix: str = ""  # pointer of this object inside its document (e.g. "/items/3")
    doc_index: int = 0
    line: int = 0
    lines: list[str] | None = None  # the file's lines, for snippets
    #: keys set twice in one mapping of the document: (pointer, first, last position)
    duplicates: list[tuple[str, Position, Position]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        k = self.data.get("kind")
        return k if isinstance(k, str) else ""

    @property
    def resource(self) -> Resource:
        av = self.data.get("apiVersion")
        return Resource(
            self.kind,
            object_name(self.data),
            object_namespace(self.data),
            av if isinstance(av, str) else "",
        )

    def position(self, pointer: str) -> Position:
        if not self.positions:
            return (self.line, 0) if self.line else (0, 0)
        pos, _ = locate(self.positions, self.prefix + pointer)
        if pos == (0, 0) and self.prefix:
            pos = self.positions.get(self.prefix, (self.line, 0))
        return pos if pos != (0, 0) else (self.line, 0)

    def kept(self) -> K8sObject:
        """What the scan keeps for the checks over the whole set: :func:`set_view` of the
        data and where the object is, without positions and lines (the few objects a set
        check reports on are read again)."""
        return K8sObject(set_view(self.data), self.path, {}, self.prefix, self.doc_index, self.line)

    def ignore_codes(self) -> frozenset[str]:
        """``hardhull.dev/ignore`` annotations of the object and of its pod template."""
        return suppress.object_codes(self.data)

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        return object_subjects(self.data, facts, self.duplicate_keys())

    def duplicate_keys(self) -> tuple[tuple[str, int], ...]:
        """This object's keys set twice: (pointer in the object, line of the first one). A
        merge key ``<<`` given twice is left out: kubectl's YAML reader merges both."""
        n = len(self.prefix)
        return tuple(
            (p[n:], first[0])
            for p, first, _ in self.duplicates
            if p.startswith(self.prefix) and (not n or p[n : n + 1] == "/") and p[-3:] != "/<<"
        )


#: container fields no check over a whole set reads (the set keeps a view without them)
_CONTAINER_BULK = frozenset(
    {"env", "envFrom", "command", "args", "resources", "livenessProbe", "readinessProbe",
     "startupProbe", "lifecycle", "volumeMounts", "volumeDevices", "workingDir", "resizePolicy",
     "terminationMessagePath", "terminationMessagePolicy"}
)  # fmt: skip
#: pod spec fields no check over a whole set reads
_POD_BULK = frozenset({"affinity", "tolerations", "topologySpreadConstraints", "nodeSelector"})
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
#: kinds whose whole content the set checks read (RBAC, accounts, policies, namespaces); of
#: other kinds that bear no pods they read only the kind, the name and the labels
_WHOLE = frozenset(
    {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount", "Namespace",
     "NetworkPolicy"}
)  # fmt: skip


def set_view(obj: dict[str, Any]) -> dict[str, Any]:
    """What the checks over a whole set need of one object: the object with the bulk no set
    check reads left out (ConfigMap and Secret values, CRD schemas, custom resources' specs,
    container commands, environments, probes and resources, managed fields), every remaining
    field at its own JSON pointer. A scan keeps this view of every object, not the object."""
    out = dict(obj)
    meta = obj.get("metadata")
    if isinstance(meta, dict) and ("managedFields" in meta or "annotations" in meta):
        meta = {k: v for k, v in meta.items() if k != "managedFields"}
        ann = meta.get("annotations")
        if isinstance(ann, dict) and _LAST_APPLIED in ann:
            meta["annotations"] = {k: v for k, v in ann.items() if k != _LAST_APPLIED}
        out["metadata"] = meta
    kind = obj.get("kind")
    group = api_group(obj.get("apiVersion"))
    if kind in ("ConfigMap", "Secret") and group == "":
        for key in ("data", "stringData", "binaryData"):
            out.pop(key, None)
        return out
    if kind == "CustomResourceDefinition":
        spec = obj.get("spec")
        if isinstance(spec, dict):
            out["spec"] = {k: spec[k] for k in ("group", "names", "scope") if k in spec}
        return out
    if "." in group and not group.endswith(".k8s.io") and not str(kind).endswith("Policy"):
        # a custom resource (not a policy engine's): its kind and name are all a set reads
        out.pop("spec", None)
        out.pop("status", None)
        out.pop("data", None)
        return out
    w = Workload.of(obj)
    if w is None:
        if kind in _WHOLE or str(kind).endswith("Policy") or kind == "Secret":
            return out
        return {k: v for k, v in out.items() if k in ("apiVersion", "kind", "metadata")}
    tokens = [t for t in w.spec_pointer.split("/") if t]
    return _with_lean_containers(out, tokens)


def _with_lean_containers(node: dict[str, Any], tokens: list[str]) -> dict[str, Any]:
    """``node`` with the pod spec at ``tokens`` holding containers without their bulk;
    dicts on the way are copied, the original is untouched."""
    if tokens:
        child = node.get(tokens[0])
        if not isinstance(child, dict):
            return node
        return {**node, tokens[0]: _with_lean_containers(child, tokens[1:])}
    spec = {k: v for k, v in node.items() if k not in _POD_BULK}
    for name in ("containers", "initContainers", "ephemeralContainers"):
        items = spec.get(name)
        if isinstance(items, list):
            spec[name] = [
                {k: v for k, v in c.items() if k not in _CONTAINER_BULK}
                if isinstance(c, dict)
                else c
                for c in items
            ]
    return spec


def object_subjects(
    obj: dict[str, Any], facts: ScanFacts, duplicate_keys: tuple[tuple[str, int], ...] = ()
) -> list[Subject]:
    """What the checks look at in one Kubernetes object: the object itself and, when it
    bears pods, its :class:`~hardhull.models.workload.Workload`; ``duplicate_keys`` are the
    keys its text sets twice. Raises what reading the pod spec raises (the caller reports
    it)."""
    ctx = ObjectContext(obj, facts, duplicate_keys)
    out: list[Subject] = [(Target.OBJECT, obj, ctx)]
    w = ctx.workload
    if w is not None:
        out.append((Target.WORKLOAD, w, ctx))
    return out


@dataclass
class ParsedFile:
    objects: list[K8sObject]
    errors: list[InputError]
    skipped: list[Skipped]
    ignored: int = 0  # documents that are not Kubernetes objects


def is_k8s_object(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("kind"), str)
        and isinstance(doc.get("apiVersion"), str)
        and bool(doc["kind"])
    )


def _expand(
    doc: Any,
    path: str,
    positions: dict[str, Position],
    idx: int,
    line: int,
    out: ParsedFile,
    duplicates: list[tuple[str, Position, Position]] | None = None,
) -> None:
    dups = duplicates or []
    if not is_k8s_object(doc):
        out.ignored += 1
        return
    kind: str = doc["kind"]
    items = doc.get("items")
    if kind.endswith("List") and isinstance(items, list):
        # a key of the List itself set twice: the API server keeps the last value, so the
        # first `items` (and the objects in it) would silently not be applied
        for pointer, first, again in dups:
            if pointer.startswith("/items/") or pointer[-3:] == "/<<":
                continue
            key = pointer.lstrip("/").replace("~1", "/").replace("~0", "~")
            lost = (
                "the objects of the first are not applied"
                if pointer == "/items"
                else "the first value is not applied"
            )
            out.errors.append(
                InputError(
                    path,
                    f"key {key!r} of the {kind} is set twice (lines {first[0]} and "
                    f"{again[0]}): the last one wins, {lost}",
                    again[0],
                    again[1],
                )
            )
        for i, item in enumerate(items):
            if is_k8s_object(item):
                pos = positions.get(f"/items/{i}", (line, 0))
                out.objects.append(
                    K8sObject(item, path, positions, f"/items/{i}", idx, pos[0], None, dups)
                )
            else:
                out.ignored += 1
        return
    out.objects.append(K8sObject(doc, path, positions, "", idx, line, None, dups))


_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


class _Lines:
    """1-based (line, column) of increasing character offsets, in time linear in the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1
        self.column = 1

    def at(self, offset: int) -> Position:
        parts = self.text[self.offset : offset].splitlines(keepends=True)
        self.offset = offset
        if parts:
            last = parts[-1]
            tail = "" if last.endswith(_BREAKS) else last
            breaks = len(parts) - (1 if tail else 0)
            self.column = (self.column if not breaks else 1) + len(tail)
            self.line += breaks
        return self.line, self.column


def _clean_surrogates(value: Any) -> Any:
    """Replace unpaired surrogates (JSON ``"\\ud800"``) that no output encoding accepts."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean_surrogates(k): _clean_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_surrogates(v) for v in value]
    return value


def _parse_json(path: str, text: str, out: ParsedFile) -> bool:
    """Read JSON text: one value, or several in a row as ``kubectl`` accepts them.

    Returns False (and changes nothing) when ``text`` is not JSON, so it is read as YAML.
    """
    values: list[
        tuple[Any, Position, dict[str, Position], list[tuple[str, Position, Position]]]
    ] = []
    lines = _Lines(text)
    n = len(text)
    i = _JSON_WS.match(text, 0).end()  # type: ignore[union-attr]
    try:
        while i < n:
            value, end = _JSON.raw_decode(text, i)
            start = lines.at(i)
            if _SURROGATE_ESCAPE.search(text, i, end):
                value = _clean_surrogates(value)
            values.append((value, start, *json_layout(text[i:end], start)))
            i = _JSON_WS.match(text, end).end()  # type: ignore[union-attr]
    except json.JSONDecodeError as exc:
        if _is_template(text) or not path.lower().endswith(".json"):
            return False  # YAML flow style, JSON with YAML comments, a template: YAML decides
        _syntax_error(
            path, text, InputError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno), out
        )
        return True
    except ValueError as exc:  # an integer over Python's digit limit
        line, col = lines.at(i)
        out.errors.append(InputError(path, f"invalid JSON: {exc}", line, col))
        return True
    except RecursionError:  # deeper than Python's stack: the YAML loader's bound tells where
        if not values:
            return False
        line, col = lines.at(i)
        out.errors.append(InputError(path, "JSON nested too deeply", line, col))
        return True
    except YamlLimitError as exc:
        out.errors.append(InputError(path, exc.message, exc.line, exc.column))
        return True
    for idx, (value, (line, _), positions, duplicates) in enumerate(values):
        _expand(value, path, positions, idx, line, out, duplicates)
    return True


def parse_text(path: str, text: str) -> ParsedFile:
    """Kubernetes objects in ``text``; every problem becomes an error or a skip, never raised."""
    out = ParsedFile([], [], [])
    out.objects = list(iter_objects(path, text, out))
    return out


def iter_objects(path: str, text: str, out: ParsedFile) -> Iterator[K8sObject]:
    """The Kubernetes objects of ``text`` one YAML document at a time (a document's objects
    are built, handed over and forgotten before the next document is read); errors, skips
    and ignored documents go to ``out``, whose ``objects`` are left alone.

    Templates (``{{ }}``, judged on the whole text) and JSON are read whole first."""
    lines: list[str] = []  # the file's lines, split when the first object needs them
    try:
        if _is_template(text) or _JSON_START.match(text):
            whole = ParsedFile([], [], [])
            _parse(path, text, whole)
            out.errors.extend(whole.errors)
            out.skipped.extend(whole.skipped)
            out.ignored += whole.ignored
            for o in whole.objects:
                lines = lines or text.splitlines()
                o.lines = lines
                yield o
            return
        found = False
        for d in iter_stream(text):
            if isinstance(d, YamlError):  # reading goes on at the next document, if it can
                error = InputError(path, d.described, d.line, d.column)
                if found or isinstance(d, YamlLimitError):
                    out.errors.append(error)
                else:
                    _syntax_error(path, text, error, out)
                continue
            if d.data is None:
                continue
            one = ParsedFile([], [], [])
            _expand(d.data, path, d.positions, d.index, d.line, one, d.duplicates)
            out.ignored += one.ignored
            out.errors.extend(one.errors)
            for o in one.objects:
                found = True
                lines = lines or text.splitlines()
                o.lines = lines
                yield o
    except Exception as exc:  # pragma: no cover - a bug of ours must not stop the scan
        out.errors.append(InputError(path, f"internal error reading this file: {exc!r}"))


def _template_broke(text: str) -> bool:
    """Is it the ``{{ }}`` actions that make ``text`` invalid YAML (and not a real mistake)?

    Each one-line action becomes a comment of the same length; if that parses, they were it.
    """
    neutral = _ACTION.sub(lambda m: "#" + " " * (len(m.group()) - 1), text)
    try:
        load_all(neutral)
    except YamlError:
        return False
    return True


def _is_template(text: str) -> bool:
    """Does ``text`` hold template syntax: Go-template/Jinja ``{{ }}``, Jinja ``{% %}``?"""
    return "{{" in text or "{%" in text


def _syntax_error(path: str, text: str, error: InputError, out: ParsedFile) -> None:
    """A file that does not parse as YAML/JSON: an input error when it is evidently a
    manifest or a compose file (:func:`~hardhull.frontends.kinds.evidently_ours`), otherwise
    a YAML/JSON-like file of another tool (``tsconfig.json`` with comments, a Jinja
    ``vars.yml``): one ignored document, like any other YAML that is not Kubernetes."""
    if kinds.evidently_ours(path, text):
        out.errors.append(error)
    else:
        out.ignored += 1


def _parse(path: str, text: str, out: ParsedFile) -> None:
    template = _is_template(text)
    helm = template and _HELM.search(text) is not None
    if helm and _TEMPLATES_DIR.search(path):
        out.skipped.append(Skipped(path, _HELM_REASON))
        return
    # a BOM is no column: positions are counted after it, as libyaml and editors do
    if _JSON_START.match(text) and _parse_json(
        path, text[1:] if text.startswith("\ufeff") else text, out
    ):
        return
    docs, errors = load_stream(text)
    if errors:
        exc = errors[0]
        if template and not isinstance(exc, YamlLimitError) and (helm or _template_broke(text)):
            if not helm and not kinds.evidently_ours(path, text):
                out.ignored += 1  # an Ansible/Jinja variables file, not a manifest template
                return
            reason = _HELM_REASON if helm else _TEMPLATE_REASON
            out.skipped.append(Skipped(path, f"{reason} (line {exc.line}: {exc.message})"))
            return
        # the documents around a broken one are still scanned; a file of another tool that
        # does not parse (no Kubernetes object in it) is ignored, not an input error
        before = len(out.objects)
        for d in docs:
            if d.data is not None:
                _expand(d.data, path, d.positions, d.index, d.line, out, d.duplicates)
        for e in errors:
            error = InputError(path, e.described, e.line, e.column)
            if len(out.objects) > before or isinstance(e, YamlLimitError):
                out.errors.append(error)
            else:
                _syntax_error(path, text, error, out)
        return
    else:
        if helm and any(d.complex_keys for d in docs):
            # ``key: {{ .Values.x }}`` is valid YAML (a flow mapping as a key), not a manifest.
            # Other ``{{x}}`` placeholders (sed/envsubst templates) are scanned: what is not a
            # placeholder is still checked.
            out.skipped.append(Skipped(path, _HELM_REASON))
            return
    for d in docs:
        if d.data is None:
            continue
        _expand(d.data, path, d.positions, d.index, d.line, out, d.duplicates)


def _is_compose(text: str) -> bool:
    if "services" not in text:
        return False
    from hardhull.frontends.compose import looks_like_compose

    try:
        docs = load_all(text)
    except YamlError:
        return False
    return len(docs) == 1 and looks_like_compose(docs[0].data)


class KubernetesFrontEnd:
    """YAML/JSON manifests, one document per Kubernetes object."""

    kind = kinds.KUBERNETES

    def read(self, item: TextInput, opts: ReadOptions) -> FrontEndOutput:
        out = FrontEndOutput()
        out.documents = self._documents(item, opts, out)
        return out

    def _documents(
        self, item: TextInput, opts: ReadOptions, out: FrontEndOutput
    ) -> Iterator[Document]:
        """The objects as they are read; ``out`` is complete once they are all consumed."""
        parsed = ParsedFile([], [], [])
        for obj in iter_objects(item.path, item.text, parsed):
            out.objects += 1
            out.keep.append(obj.kept())
            problem = pod_spec_problem(obj.data)
            if problem is not None:
                out.skipped.append(Skipped(obj.path, f"{obj.resource}: {problem}"))
            yield obj
        if not out.objects and parsed.ignored and not parsed.errors and _is_compose(item.text):
            # a compose file under another name (stack.yml, …): judged as compose
            from hardhull.frontends.compose import ComposeFrontEnd  # a sibling, only when needed

            compose = ComposeFrontEnd().read(item, opts)
            yield from compose.documents
            out.errors.extend(compose.errors)
            out.skipped.extend(compose.skipped)
            out.ignored += compose.ignored
            out.objects += compose.objects
            return
        out.errors.extend(parsed.errors)
        out.skipped.extend(parsed.skipped)
        out.ignored += parsed.ignored
