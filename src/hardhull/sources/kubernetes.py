"""Kubernetes manifests from text: YAML or JSON documents, ``List`` kinds, Helm detection."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hardhull.kube import object_name, object_namespace
from hardhull.model import InputError, Resource, Skipped
from hardhull.sources.yamlpos import Position, YamlError, load_all, locate

#: Go-template actions that only a chart template has (not values containing ``{{ }}``)
_HELM = re.compile(
    r"\{\{-?\s*(?:if|else|end|range|with|define|include|template|block|toYaml|/\*)\b"
    r"|\{\{-?[^}]*\.(?:Values|Release|Chart|Capabilities|Files)\b"
    r"|^\s*\{\{",
    re.MULTILINE,
)


@dataclass
class K8sObject:
    data: dict[str, Any]
    path: str
    positions: dict[str, Position] = field(default_factory=dict)
    prefix: str = ""  # pointer of this object inside its document (e.g. "/items/3")
    doc_index: int = 0
    line: int = 0
    lines: list[str] | None = None  # the file's lines, for snippets

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


def looks_like_helm(text: str) -> bool:
    return "{{" in text and _HELM.search(text) is not None


def _expand(
    doc: Any, path: str, positions: dict[str, Position], idx: int, line: int, out: ParsedFile
) -> None:
    if not is_k8s_object(doc):
        out.ignored += 1
        return
    kind: str = doc["kind"]
    items = doc.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if is_k8s_object(item):
                pos = positions.get(f"/items/{i}", (line, 0))
                out.objects.append(K8sObject(item, path, positions, f"/items/{i}", idx, pos[0]))
            else:
                out.ignored += 1
        return
    out.objects.append(K8sObject(doc, path, positions, "", idx, line))


def parse_text(path: str, text: str) -> ParsedFile:
    out = ParsedFile([], [], [])
    if looks_like_helm(text):
        out.skipped.append(
            Skipped(path, "Helm template (render it first: helm template … | hardhull scan -)")
        )
        return out
    try:
        docs = load_all(text)
    except YamlError as exc:
        stripped = text.lstrip()
        if path.lower().endswith(".json") or stripped.startswith(("{", "[")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as jexc:
                out.errors.append(
                    InputError(path, f"invalid JSON: {jexc.msg}", jexc.lineno, jexc.colno)
                )
                return out
            except RecursionError:
                out.errors.append(InputError(path, "JSON nested too deeply"))
                return out
            _expand(data, path, {}, 0, 1, out)
            return out
        if "{{" in text:
            out.skipped.append(Skipped(path, "template syntax ({{ }}) that is not valid YAML"))
            return out
        out.errors.append(InputError(path, exc.message, exc.line, exc.column))
        return out
    for d in docs:
        if d.data is None:
            continue
        _expand(d.data, path, d.positions, d.index, d.line, out)
    if out.objects:
        lines = text.splitlines()
        for o in out.objects:
            o.lines = lines
    return out
