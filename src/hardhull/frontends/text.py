"""Any file as raw text, for the checks that need no structure (credentials in any file).

Every file the scan reads, whatever its kind, is also a :class:`TextDocument`. Its checks yield
(line, column, violation): the document's positions are the ones they found.
"""

from __future__ import annotations

from collections.abc import Iterable

from hardhull.context import ScanFacts, SubjectContext, TextSubject
from hardhull.frontends.interface import Subject
from hardhull.model import Resource
from hardhull.paths import printable_path, stable_path
from hardhull.registry import Target


class TextDocument:
    """A whole file as a document."""

    def __init__(self, path: str, text: str, secret_lines: Iterable[int] = ()) -> None:
        self.path = path
        self.text = text
        self.secret_lines = frozenset(secret_lines)
        self.positions: dict[str, tuple[int, int]] = {}
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str] | None:
        """The file's lines, split only when a finding is located (most files have none)."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    @lines.setter
    def lines(self, value: list[str] | None) -> None:
        self._lines = value

    @property
    def resource(self) -> Resource:
        return Resource("File", stable_path(printable_path(self.path)))

    def position(self, pointer: str) -> tuple[int, int]:
        return self.positions.get(pointer, (0, 0))

    def ignore_codes(self) -> frozenset[str]:
        return frozenset()

    def subjects(self, facts: ScanFacts) -> list[Subject]:
        subject = TextSubject(self.path, self.text, self.secret_lines)
        return [(Target.TEXT, subject, SubjectContext(subject, facts))]
