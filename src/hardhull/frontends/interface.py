"""The seam between the engine and the front ends.

A front end reads one input of its kind (:mod:`hardhull.frontends.kinds` decides which) and
produces :class:`Document` values: things findings can be located in, each able to say which
subjects the checks should look at (:meth:`Document.subjects`). It runs no check itself: the
engine runs every check through one loop, whatever the front end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from hardhull.context import Context, ScanFacts
from hardhull.model import InputError, Resource, Skipped
from hardhull.registry import Target

if TYPE_CHECKING:
    from hardhull.frontends.files import TextInput
    from hardhull.frontends.kubernetes import K8sObject

#: what the checks of a document look at: (target, subject, its context)
Subject = tuple[Target, Any, Context]


class Document(Protocol):
    """Anything findings can be located in: a Kubernetes object, a Dockerfile, a compose
    service, a daemon.json, a whole file."""

    path: str
    lines: list[str] | None

    @property
    def resource(self) -> Resource: ...

    def position(self, pointer: str) -> tuple[int, int]:
        """(line, column) of a JSON pointer into the document, (0, 0) when unknown."""
        ...

    def ignore_codes(self) -> frozenset[str]:
        """Codes the document itself suppresses (an annotation, a label)."""
        ...

    def subjects(self, facts: ScanFacts) -> Iterable[Subject]:
        """What the checks look at, with the facts of the scan."""
        ...


@dataclass(frozen=True)
class ReadOptions:
    """What a front end may need beyond the text: the date end-of-life tables are judged at
    (None: today)."""

    as_of: date | None = None


@dataclass
class FrontEndOutput:
    """What a front end made of one input."""

    #: the documents, possibly produced as they are read: the other fields are complete only
    #: once every document has been consumed
    documents: Iterable[Document] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: documents that are not of this front end's kind (a ConfigMap-less YAML, a values file)
    ignored: int = 0
    #: things checked (Kubernetes objects, Dockerfiles, compose services, daemon configs)
    objects: int = 0
    #: Kubernetes objects kept for the checks over the whole scanned set
    keep: list[K8sObject] = field(default_factory=list)


class FrontEnd(Protocol):
    """Reads inputs of one kind."""

    kind: str

    def read(self, item: TextInput, opts: ReadOptions) -> FrontEndOutput: ...
